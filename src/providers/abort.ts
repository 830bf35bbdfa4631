// Why an upstream call must stop: the client went away (AbortedByClient) or the request's total deadline
// passed (an Error named TimeoutError, which networkError() maps to a retryable 408).
//
// Not an AbortController: the transport hands undici's own abort function to `bind()`, so a request
// costs one 'close' listener and a place in a timer list (src/lib/timer-list.ts). AbortController + signal
// listeners inside undici measured ~10 µs per request, AbortSignal.timeout()+any() ~35 µs plus long-lived garbage.
import type { ServerResponse } from 'node:http';
import { timerList, type TimerEntry, type TimerList } from '../lib/timer-list.js';
import type { Stoppable } from '../lib/in-flight.js';

export class AbortedByClient extends Error {
  constructor() {
    super('client disconnected');
  }
}

/** ARouter is stopping and the grace period ran out: the call ends, the answer ends with an error and is billed */
export class ShuttingDown extends Error {
  constructor() {
    super('the server is shutting down');
  }
}

export class RequestAbort implements TimerEntry, Stoppable {
  private why: Error | null = null;
  private hook: ((reason: Error) => void) | null = null;
  // TimerEntry: the request's place in the list of deadlines of its length
  due = 0;
  prev: TimerEntry | null = null;
  next: TimerEntry | null = null;
  private readonly list: TimerList;
  private readonly onClose = () => {
    if (!this.res.writableFinished) this.fire(new AbortedByClient());
  };

  constructor(
    private res: ServerResponse,
    readonly deadlineMs: number,
    /** the process's in-flight requests, told to stop when a graceful shutdown runs out of time */
    private registry: Set<Stoppable> | null = null,
  ) {
    this.list = timerList(deadlineMs);
    this.list.add(this);
    res.on('close', this.onClose);
    registry?.add(this);
  }

  /** the server is stopping: see ShuttingDown */
  shutDown(): void {
    this.fire(new ShuttingDown());
  }

  /** the call was stopped by ARouter's own shutdown: not the upstream's failure, not the client's */
  get byShutdown(): boolean {
    return this.why instanceof ShuttingDown;
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

  /** the call must stop: without a reason, the total deadline passed (TimerEntry); else the client left */
  fire(reason?: Error): void {
    if (this.why) return;
    if (reason === undefined) {
      reason = new Error(`total deadline of ${this.deadlineMs} ms exceeded`);
      reason.name = 'TimeoutError';
    }
    this.why = reason;
    const h = this.hook;
    this.hook = null;
    h?.(reason);
  }

  dispose(): void {
    this.registry?.delete(this);
    this.list.remove(this);
    this.hook = null;
    this.res.removeListener('close', this.onClose);
  }
}
