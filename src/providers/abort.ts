// Why an upstream call must stop: the client went away (AbortedByClient) or the request's total deadline
// passed (an Error named TimeoutError, which networkError() maps to a retryable 408).
//
// Not an AbortController: the transport hands undici's own abort function to `bind()`, so a request
// costs one timer and one 'close' listener. AbortController + signal listeners inside undici measured
// ~10 µs per request, and AbortSignal.timeout()+any() ~35 µs plus long-lived garbage.
import type { ServerResponse } from 'node:http';

export class AbortedByClient extends Error {
  constructor() {
    super('client disconnected');
  }
}

export class RequestAbort {
  private why: Error | null = null;
  private hook: ((reason: Error) => void) | null = null;
  private timer: NodeJS.Timeout;
  private readonly onClose = () => {
    if (!this.res.writableFinished) this.fire(new AbortedByClient());
  };

  constructor(
    private res: ServerResponse,
    deadlineMs: number,
  ) {
    this.timer = setTimeout(() => {
      const e = new Error(`total deadline of ${deadlineMs} ms exceeded`);
      e.name = 'TimeoutError';
      this.fire(e);
    }, deadlineMs);
    res.on('close', this.onClose);
  }

  get aborted(): boolean {
    return this.why !== null;
  }

  get reason(): Error | null {
    return this.why;
  }

  /** the client disconnected before the answer was complete */
  get byClient(): boolean {
    return this.why instanceof AbortedByClient;
  }

  /**
   * Registers the abort of the call now in flight (one at a time: attempts are sequential); fires at once
   * if the request is already aborted. The call unbinds itself when it settles.
   */
  bind(abort: (reason: Error) => void): void {
    if (this.why) abort(this.why);
    else this.hook = abort;
  }

  unbind(): void {
    this.hook = null;
  }

  private fire(reason: Error): void {
    if (this.why) return;
    this.why = reason;
    const h = this.hook;
    this.hook = null;
    h?.(reason);
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.hook = null;
    this.res.removeListener('close', this.onClose);
  }
}
