// Main-thread side of the off-thread ledger writer (src/store/ledger-writer.mjs): one worker, batches
// posted as messages, each resolved when the worker committed it (so a read afterwards sees the rows).
import { Worker } from 'node:worker_threads';

type Pending = { resolve: (changes: number) => void; reject: (e: Error) => void };

// beside this module both in src/ (tests, through tsx) and in dist/ (tsc copies .mjs files with allowJs)
const WORKER_URL = new URL('./ledger-writer.mjs', import.meta.url);

export class OffThreadWriter {
  private worker: Worker;
  private pending = new Map<number, Pending>();
  private seq = 0;
  private failed: Error | null = null;
  private closed: Promise<void> | null = null;

  /** @param statements the SQL statements a batch's parameter lists are run with, in order */
  constructor(file: string, statements: string[]) {
    // A small heap is plenty for batches of rows. V8 flags are process-wide and win over a worker's
    // resourceLimits: under the launchers' --max-semi-space-size=8 (src/cli/node-flags.ts) this worker's young
    // generation may grow to that size too (measured: 13-16 MB of V8 heap in all under the bench's load), without
    // the flag it stays at 2 MB. If a limit were ever hit the worker dies, writes fall back to the main thread and
    // the batch is requeued (see Ledger.flush), so nothing is lost.
    this.worker = new Worker(WORKER_URL, {
      workerData: { file, statements },
      resourceLimits: { maxYoungGenerationSizeMb: 2, maxOldGenerationSizeMb: 64, codeRangeSizeMb: 4 },
    });
    this.worker.unref();
    this.worker.on('message', (m: { type: string; id?: number; ok?: boolean; changes?: number; error?: string }) => {
      if (m.type !== 'done' || m.id === undefined) return;
      const p = this.pending.get(m.id);
      this.pending.delete(m.id);
      if (m.ok) p?.resolve(m.changes ?? 0);
      else p?.reject(new Error(`ledger writer: ${m.error}`));
    });
    this.worker.on('error', (err) => this.fail(err));
    this.worker.on('exit', (code) => {
      if (!this.closed) this.fail(new Error(`ledger writer exited with code ${code}`));
    });
  }

  /** the writer died: callers fall back to writing on the main thread */
  get broken(): boolean {
    return this.failed !== null;
  }

  private fail(err: Error): void {
    this.failed ??= err;
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
  }

  /** one list of parameter arrays per statement, committed in one transaction */
  async write(batches: unknown[][][]): Promise<void> {
    await this.send({ type: 'rows', batches });
  }

  /** one statement on the writer's connection, between batches; resolves with the rows it changed */
  exec(sql: string, params: unknown[]): Promise<number> {
    return this.send({ type: 'exec', sql, params });
  }

  private send(message: Record<string, unknown>): Promise<number> {
    if (this.failed) return Promise.reject(this.failed);
    const id = ++this.seq;
    return new Promise<number>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.ref(); // keep the process alive while a write is outstanding
      this.worker.postMessage({ ...message, id });
    }).finally(() => {
      if (this.pending.size === 0) this.worker.unref();
    });
  }

  close(): Promise<void> {
    this.closed ??= new Promise<void>((resolve) => {
      if (this.failed) {
        void this.worker.terminate().then(() => resolve());
        return;
      }
      // the worker closes its connection (after any batch it is committing) and exits
      this.worker.ref();
      this.worker.once('exit', () => resolve());
      this.worker.postMessage({ type: 'close' });
    });
    return this.closed;
  }
}
