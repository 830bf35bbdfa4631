// The generations ledger writer: rows are queued in memory and written in batches off the hot path
// (one transaction per batch). flush() on graceful shutdown writes everything still queued; a failed write
// keeps the rows queued and retries, so accepted data is not dropped. With a journal (`ledger.journal`, on by
// default) each row is also appended to it synchronously when accepted, so a row still queued when the process
// is killed is replayed at the next start (recover()) instead of being lost with its spend.
import { performance } from 'node:perf_hooks';
import type { GenerationRow, Storage } from '../store/types.js';
import { generationParams, paramsLine } from '../store/generation-params.js';
import type { LedgerJournal } from '../store/journal.js';
import type { Logger } from '../lib/log.js';

export class Ledger {
  private queue: GenerationRow[] = [];
  /** the queued rows as INSERT parameters, built once at add() (the journal line is made from them) */
  private params: unknown[][] = [];
  /** closed journal segments holding queued rows (a failed batch's), deleted once those rows are committed */
  private segments: string[] = [];
  /** rows handed to storage but not yet committed, so reads can still see them */
  private inFlight = new Map<string, GenerationRow>();
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> | null = null;
  private journalFailing = false;
  /** told of each batch written or failed (metrics); seconds from the hand-over to storage to its answer */
  onBatch: ((rows: number, seconds: number, ok: boolean) => void) | null = null;

  constructor(
    private store: Storage,
    private log: Logger,
    private opts: { flushIntervalMs: number; maxBatch: number },
    private journal: LedgerJournal | null = null,
  ) {}

  /** Accepts a row: journaled (when on) before this returns, so call it before the answer's last bytes. */
  add(row: GenerationRow): void {
    const p = generationParams(row);
    if (this.journal) this.append(p);
    this.queue.push(row);
    this.params.push(p);
    if (this.queue.length >= this.opts.maxBatch) void this.flush();
    else if (!this.timer) {
      this.timer = setTimeout(() => {
        this.timer = null;
        void this.flush();
      }, this.opts.flushIntervalMs);
      this.timer.unref();
    }
  }

  private append(p: unknown[]): void {
    try {
      this.journal!.append(paramsLine(p));
      if (this.journalFailing) this.log.info('ledger journal writes work again');
      this.journalFailing = false;
    } catch (err) {
      // the row is still queued for the database: only its crash safety is lost (logged once per outage)
      if (!this.journalFailing)
        this.log.error('ledger journal write failed', { dir: this.journal!.dir, error: String(err) });
      this.journalFailing = true;
    }
  }

  /**
   * Start-up, before spend totals are loaded: stores the rows the journal holds that are not in the database yet
   * (left by a process that was killed before its last batches were committed), with their spend, then deletes
   * the segments. Resolves with how many rows it recovered.
   */
  async recover(): Promise<number> {
    if (!this.journal) return 0;
    const { files, rows, torn } = this.journal.readAll();
    if (files.length === 0) return 0;
    if (torn > 0) this.log.warn('ledger journal: skipped lines cut by a crash', { lines: torn });
    const recovered = rows.length ? await this.store.recoverGenerations(rows) : 0;
    this.journal.discard(files);
    this.log.info('ledger journal replayed', { segments: files.length, rows: rows.length, recovered });
    return recovered;
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
    const params = this.params.splice(0, this.params.length);
    // the batch is every queued row, so it is exactly what the current segment (and any kept ones) hold
    const segments = this.segments.splice(0, this.segments.length);
    const current = this.journal?.rotate();
    if (current) segments.push(current);
    for (const r of batch) this.inFlight.set(r.id, r);
    const t0 = this.onBatch === null ? 0 : performance.now();
    this.flushing = this.store
      .insertGenerations(batch, params)
      .then(
        () => {
          this.onBatch?.(batch.length, (performance.now() - t0) / 1000, true);
          return this.journal?.discard(segments);
        },
        (err) => {
          this.onBatch?.(batch.length, (performance.now() - t0) / 1000, false);
          this.log.error('ledger write failed; will retry', { rows: batch.length, error: String(err) });
          this.queue.unshift(...batch);
          this.params.unshift(...params);
          this.segments.unshift(...segments);
        },
      )
      .catch((err) =>
        this.log.error('ledger journal: a committed segment could not be deleted', { error: String(err) }),
      )
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
    const current = this.journal?.rotate();
    if (this.queue.length) {
      // kept on disk: the next start replays them
      this.log.error('ledger rows could not be written at shutdown; the journal keeps them for the next start', {
        rows: this.queue.length,
      });
    } else if (current) this.journal?.discard([current]);
  }
}
