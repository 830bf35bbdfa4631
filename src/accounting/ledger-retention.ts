// Ledger retention (`ledger.retention_days`): generation rows older than the window are deleted in the
// background, at start and then hourly, in chunks so the writer interleaves them with new rows. Off by
// default: the ledger is the activity history and nothing is deleted unless the operator asks. Spend per key
// and day is kept by the store separately, so credits and key limits do not change when rows go; so are the
// per-day activity rollups, so /v1/activity's daily totals keep counting deleted rows (whole days; a partial
// first or last day of a `from`/`to` range is summed from the rows still stored) while its row listing loses them.
import type { Logger } from '../lib/log.js';
import type { Storage } from '../store/types.js';

const DAY_MS = 86_400_000;

export interface RetentionOptions {
  days: number;
  /** between runs */
  intervalMs?: number;
  /** rows per delete */
  chunk?: number;
  /** before the first run: start-up work goes first */
  firstDelayMs?: number;
  now?: () => number;
}

export class LedgerRetention {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<number> | null = null;
  private stopped = false;
  private readonly intervalMs: number;
  private readonly chunk: number;
  private readonly firstDelayMs: number;
  private readonly now: () => number;

  constructor(
    private store: Storage,
    private log: Logger,
    private opts: RetentionOptions,
  ) {
    this.intervalMs = opts.intervalMs ?? 3_600_000;
    this.chunk = opts.chunk ?? 1_000;
    this.firstDelayMs = opts.firstDelayMs ?? 10_000;
    this.now = opts.now ?? Date.now;
  }

  start(): void {
    const tick = (delay: number) => {
      this.timer = setTimeout(() => {
        void this.run().finally(() => {
          if (!this.stopped) tick(this.intervalMs);
        });
      }, delay);
      this.timer.unref();
    };
    tick(this.firstDelayMs);
  }

  /** one pass: deletes chunk after chunk until nothing older than the window is left; never throws */
  run(): Promise<number> {
    this.running ??= this.pass().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async pass(): Promise<number> {
    const before = new Date(this.now() - this.opts.days * DAY_MS).toISOString();
    let total = 0;
    try {
      while (!this.stopped) {
        const n = await this.store.pruneGenerations(before, this.chunk);
        total += n;
        if (n < this.chunk) break;
      }
    } catch (err) {
      this.log.error('ledger retention failed; will retry at the next run', {
        before,
        deleted: total,
        error: String(err),
      });
      return total;
    }
    if (total > 0) this.log.info('ledger retention', { deleted: total, before });
    return total;
  }

  /** no new runs; waits for the one in progress to finish its current chunk */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running;
  }
}
