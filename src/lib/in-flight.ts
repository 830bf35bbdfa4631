// Counts requests being handled so a graceful shutdown can wait for them, and holds what can stop each one
// (issue 12: streams still running when the grace period ended were cut with no error chunk and no ledger row).

/** something that can be told to stop at shutdown (src/providers/abort.ts RequestAbort) */
export interface Stoppable {
  shutDown(): void;
}

export class InFlight {
  private count = 0;
  private waiters: Array<() => void> = [];
  readonly stoppable = new Set<Stoppable>();

  get size(): number {
    return this.count;
  }

  begin(): void {
    this.count++;
  }

  end(): void {
    if (--this.count > 0) return;
    const w = this.waiters;
    this.waiters = [];
    for (const resolve of w) resolve();
  }

  /** resolves true once nothing is in flight, or false after `ms` */
  idle(ms: number): Promise<boolean> {
    if (this.count === 0) return Promise.resolve(true);
    return new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), ms);
      timer.unref();
      this.waiters.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }

  /**
   * Resolves once the requests running now have ended (those starting later do not count): what a reload
   * retired (an upstream transport, the breaker history of endpoints that went away) is let go then. The set is
   * read after one `pollMs`, so a request that read the old state but was still being admitted is counted.
   */
  async ended(pollMs = 1_000): Promise<void> {
    const sleep = () => new Promise<void>((resolve) => setTimeout(resolve, pollMs).unref());
    await sleep();
    const running = [...this.stoppable];
    while (running.some((s) => this.stoppable.has(s))) await sleep();
  }

  /** tells every registered request to stop (each ends its answer with an error and settles) */
  stopAll(): number {
    const all = [...this.stoppable];
    for (const s of all) s.shutDown();
    return all.length;
  }
}
