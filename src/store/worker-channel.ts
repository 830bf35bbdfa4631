// Main-thread side of a SQLite worker thread (the ledger writer, the ledger reader): requests posted as
// messages with an id, each answered by a `done` message carrying the result or the error. When the worker
// dies every outstanding request is rejected and `broken` tells the owner to fall back to its own connection.
import { Worker } from 'node:worker_threads';

type Pending = { resolve: (result: unknown) => void; reject: (e: Error) => void };

export class WorkerChannel {
  private worker: Worker;
  private pending = new Map<number, Pending>();
  private seq = 0;
  private failed: Error | null = null;
  private closed: Promise<void> | null = null;

  /** @param name names the worker in errors, e.g. "ledger writer" */
  constructor(
    private name: string,
    url: URL,
    workerData: unknown,
  ) {
    // A small heap is plenty for batches of rows and pages of them. V8 flags are process-wide and win over a
    // worker's resourceLimits: under the launchers' --max-semi-space-size=8 (src/cli/node-flags.ts) a worker's
    // young generation may grow to that size too (measured for the writer: 13-16 MB of V8 heap in all under the
    // bench's load), without the flag it stays at 2 MB. If a limit were ever hit the worker dies and its owner
    // falls back to the main thread.
    this.worker = new Worker(url, {
      workerData,
      resourceLimits: { maxYoungGenerationSizeMb: 2, maxOldGenerationSizeMb: 64, codeRangeSizeMb: 4 },
    });
    this.worker.unref();
    this.worker.on('message', (m: { type: string; id?: number; ok?: boolean; result?: unknown; error?: string }) => {
      if (m.type !== 'done' || m.id === undefined) return;
      const p = this.pending.get(m.id);
      this.pending.delete(m.id);
      if (m.ok) p?.resolve(m.result);
      else p?.reject(new Error(`${this.name}: ${m.error}`));
    });
    this.worker.on('error', (err) => this.fail(err));
    this.worker.on('exit', (code) => {
      if (!this.closed) this.fail(new Error(`${this.name} exited with code ${code}`));
    });
  }

  /** the worker died: the owner falls back to its main-thread connection */
  get broken(): boolean {
    return this.failed !== null;
  }

  private fail(err: Error): void {
    this.failed ??= err;
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
  }

  /** resolves with the worker's answer to `message` */
  send<T>(message: Record<string, unknown>): Promise<T> {
    if (this.failed) return Promise.reject(this.failed);
    const id = ++this.seq;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (r: unknown) => void, reject });
      this.worker.ref(); // keep the process alive while a request is outstanding
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
      // the worker closes its connection (after any request it is serving) and exits
      this.worker.ref();
      this.worker.once('exit', () => resolve());
      this.worker.postMessage({ type: 'close' });
    });
    return this.closed;
  }
}
