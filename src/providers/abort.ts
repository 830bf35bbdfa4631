// Why an upstream call must stop: the client went away (AbortedByClient) or the request's total deadline
// passed (an Error named TimeoutError, which networkError() maps to a retryable 408).
//
// Not an AbortController: the transport hands undici's own abort function to `bind()`, so a request
// costs one 'close' listener and a place in a deadline list. AbortController + signal listeners inside undici
// measured ~10 µs per request, AbortSignal.timeout()+any() ~35 µs plus long-lived garbage, and a setTimeout per
// request ~4 µs (Timeout object, async id, timer-list insert and removal).
import type { ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';

export class AbortedByClient extends Error {
  constructor() {
    super('client disconnected');
  }
}

export class RequestAbort {
  private why: Error | null = null;
  private hook: ((reason: Error) => void) | null = null;
  /** DeadlineList links: every request of one deadline length, oldest first */
  prev: RequestAbort | null = null;
  next: RequestAbort | null = null;
  /** performance.now() at which the total deadline passes */
  readonly due: number;
  private readonly list: DeadlineList;
  private readonly onClose = () => {
    if (!this.res.writableFinished) this.fire(new AbortedByClient());
  };

  constructor(
    private res: ServerResponse,
    readonly deadlineMs: number,
  ) {
    this.due = performance.now() + deadlineMs;
    this.list = deadlineList(deadlineMs);
    this.list.add(this);
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

  /** called by the deadline list */
  expire(): void {
    const e = new Error(`total deadline of ${this.deadlineMs} ms exceeded`);
    e.name = 'TimeoutError';
    this.fire(e);
  }

  private fire(reason: Error): void {
    if (this.why) return;
    this.why = reason;
    const h = this.hook;
    this.hook = null;
    h?.(reason);
  }

  dispose(): void {
    this.list.remove(this);
    this.hook = null;
    this.res.removeListener('close', this.onClose);
  }
}

/**
 * The requests that share one deadline length, in arrival order: deadlines then pass in the same order, so
 * adding and removing are O(1) list operations and one timer (for the oldest) serves them all.
 */
class DeadlineList {
  private head: RequestAbort | null = null;
  private tail: RequestAbort | null = null;
  private timer: NodeJS.Timeout | null = null;

  add(a: RequestAbort): void {
    a.prev = this.tail;
    a.next = null;
    if (this.tail) this.tail.next = a;
    else this.head = a;
    this.tail = a;
    if (this.timer === null) this.arm(a.due - performance.now());
  }

  remove(a: RequestAbort): void {
    if (a.prev === null && this.head !== a) return; // not listed (expired or removed already)
    if (a.prev) a.prev.next = a.next;
    else this.head = a.next;
    if (a.next) a.next.prev = a.prev;
    else this.tail = a.prev;
    a.prev = a.next = null;
    // the timer stays armed for the removed request's deadline: when it fires it re-arms for the new oldest
  }

  private arm(ms: number): void {
    // unref: an in-flight request keeps the process alive through its sockets, not through its deadline
    this.timer = setTimeout(this.fire, Math.max(1, Math.ceil(ms))).unref();
  }

  private readonly fire = (): void => {
    this.timer = null;
    const now = performance.now();
    while (this.head !== null && this.head.due <= now) {
      const a = this.head;
      this.remove(a);
      a.expire();
    }
    if (this.head !== null) this.arm(this.head.due - now);
  };
}

const lists = new Map<number, DeadlineList>();

function deadlineList(ms: number): DeadlineList {
  let l = lists.get(ms);
  if (l === undefined) lists.set(ms, (l = new DeadlineList()));
  return l;
}
