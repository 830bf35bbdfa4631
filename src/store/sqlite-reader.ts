// Main-thread side of the off-thread ledger reader (src/store/ledger-reader.mjs): one worker with a read-only
// connection; a query is posted as its SQL and parameters and resolves with the rows.
import { WorkerChannel } from './worker-channel.js';

// beside this module both in src/ (tests, through tsx) and in dist/ (tsc copies .mjs files with allowJs)
const WORKER_URL = new URL('./ledger-reader.mjs', import.meta.url);

type Row = Record<string, unknown>;

export class OffThreadReader extends WorkerChannel {
  constructor(file: string) {
    super('ledger reader', WORKER_URL, { file });
  }

  all(sql: string, params: unknown[]): Promise<Row[]> {
    return this.send<Row[]>({ type: 'all', sql, params });
  }

  get(sql: string, params: unknown[]): Promise<Row | undefined> {
    return this.send<Row | undefined>({ type: 'get', sql, params });
  }
}
