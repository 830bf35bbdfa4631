// Main-thread side of the off-thread ledger writer (src/store/ledger-writer.mjs): one worker, batches
// posted as messages, each resolved when the worker committed it (so a read afterwards sees the rows).
import { WorkerChannel } from './worker-channel.js';

// beside this module both in src/ (tests, through tsx) and in dist/ (tsc copies .mjs files with allowJs)
const WORKER_URL = new URL('./ledger-writer.mjs', import.meta.url);

export class OffThreadWriter extends WorkerChannel {
  /** @param statements the SQL statements a batch's parameter lists are run with, in order */
  constructor(file: string, statements: string[]) {
    // if the worker dies, writes fall back to the main thread and the batch is requeued (see Ledger.flush)
    super('ledger writer', WORKER_URL, { file, statements });
  }

  /** one list of parameter arrays per statement, committed in one transaction */
  async write(batches: unknown[][][]): Promise<void> {
    await this.send({ type: 'rows', batches });
  }

  /** one statement on the writer's connection, between batches; resolves with the rows it changed */
  exec(sql: string, params: unknown[]): Promise<number> {
    return this.send<number>({ type: 'exec', sql, params });
  }
}
