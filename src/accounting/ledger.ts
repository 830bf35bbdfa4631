// The generations ledger writer: rows are queued in memory and written in batches off the hot path
// (one transaction per batch). flush() on graceful shutdown writes everything still queued; a failed write
// keeps the rows queued and retries, so accepted data is not dropped.
import type { GenerationRow, Storage } from '../store/types.js';
import type { Logger } from '../lib/log.js';

export class Ledger {
  private queue: GenerationRow[] = [];
  /** rows handed to storage but not yet committed, so reads can still see them */
  private inFlight = new Map<string, GenerationRow>();
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> | null = null;

  constructor(
    private store: Storage,
    private log: Logger,
    private opts: { flushIntervalMs: number; maxBatch: number },
  ) {}

  add(row: GenerationRow): void {
    this.queue.push(row);
    if (this.queue.length >= this.opts.maxBatch) void this.flush();
    else if (!this.timer) {
      this.timer = setTimeout(() => {
        this.timer = null;
        void this.flush();
      }, this.opts.flushIntervalMs);
      this.timer.unref();
    }
  }

  /** a queued or in-flight row (so /v1/generation answers right after a request finishes) */
  pending(id: string): GenerationRow | undefined {
    return this.inFlight.get(id) ?? this.queue.find((r) => r.id === id);
  }

  get size(): number {
    return this.queue.length + this.inFlight.size;
  }

  async flush(): Promise<void> {
    if (this.flushing) {
      await this.flushing;
      if (this.queue.length === 0) return;
    }
    if (this.queue.length === 0) return;
    const batch = this.queue.splice(0, this.queue.length);
    for (const r of batch) this.inFlight.set(r.id, r);
    this.flushing = this.store
      .insertGenerations(batch)
      .catch((err) => {
        this.log.error('ledger write failed; will retry', { rows: batch.length, error: String(err) });
        this.queue.unshift(...batch);
      })
      .finally(() => {
        for (const r of batch) this.inFlight.delete(r.id);
        this.flushing = null;
      });
    await this.flushing;
  }

  /** Writes everything; retries a few times before giving up (graceful shutdown). */
  async close(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    for (let i = 0; i < 5 && (this.queue.length || this.flushing); i++) await this.flush();
    if (this.queue.length) this.log.error('ledger rows could not be written at shutdown', { rows: this.queue.length });
  }
}
