// Main-thread side of the off-thread ledger reader (src/store/ledger-reader.mjs): one worker with a read-only
// connection; a query is posted as its SQL and parameters and resolves with the rows. The worker is started
// at the first read and stopped after five minutes without one: it costs ~16 MB of resident memory while it
// runs (measured), which a gateway whose activity nobody reads should not pay. The price is the first read
// after a pause: it waits for the worker to start (110-370 ms measured on a busy 2-core machine), off the
// event loop like the reads themselves.
import { WorkerChannel } from './worker-channel.js';

// beside this module both in src/ (tests, through tsx) and in dist/ (tsc copies .mjs files with allowJs)
const WORKER_URL = new URL('./ledger-reader.mjs', import.meta.url);

const IDLE_MS = 300_000;

type Row = Record<string, unknown>;

export class OffThreadReader {
  private channel: WorkerChannel | null = null;
  private idle: NodeJS.Timeout | null = null;
  private closed = false;
  /** a worker stopped for idleness, until it has exited */
  private stopping: Promise<void> | null = null;

  constructor(
    private file: string,
    private idleMs = IDLE_MS,
  ) {}

  /** the worker died: the owner reads on its own connection from now on */
  get broken(): boolean {
    return this.channel?.broken ?? false;
  }

  async query(kind: 'all' | 'get', sql: string, params: unknown[]): Promise<Row[]> {
    if (this.closed) throw new Error('ledger reader: closed');
    this.channel ??= new WorkerChannel('ledger reader', WORKER_URL, { file: this.file });
    const channel = this.channel;
    try {
      if (kind === 'all') return await channel.send<Row[]>({ type: 'all', sql, params });
      const r = await channel.send<Row | undefined>({ type: 'get', sql, params });
      return r === undefined ? [] : [r];
    } finally {
      if (!channel.broken) this.stopWhenIdle();
    }
  }

  private stopWhenIdle(): void {
    if (this.idle) {
      this.idle.refresh();
      return;
    }
    this.idle = setTimeout(() => {
      this.idle = null;
      // reads already posted are answered first: the worker handles its messages in order
      this.stopping = this.channel?.close() ?? null;
      this.channel = null;
    }, this.idleMs);
    this.idle.unref();
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.idle) clearTimeout(this.idle);
    await Promise.all([this.channel?.close(), this.stopping]);
  }
}
