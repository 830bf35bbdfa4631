// Worker thread that answers the ledger's reads (a generation by id, activity pages, daily totals) with its
// own read-only connection, so a user polling their activity never holds the request-serving event loop (at
// 300k rows the reads on the main thread pushed /v1/health to p50 2.5 s under 8 polls in flight). WAL mode
// lets this connection read while the writer appends. The SQL is built by src/store/sqlite.ts; rows come back
// as plain objects (64-bit integers as bigint) and are shaped on the main thread.
import { workerData } from 'node:worker_threads';
import Database from './sqlite-driver.mjs';
import { serve } from './worker-serve.mjs';

const db = new Database(workerData.file, { readonly: true, fileMustExist: true });
db.pragma('busy_timeout = 5000');
db.defaultSafeIntegers(true);
// SQLite drops a connection's page cache whenever another connection changed the file (the writer does, every
// batch), so a large cache would mostly hold stale pages: re-reads come from the OS page cache.
db.pragma('cache_size = -2000');

// the SQL varies with the filters given: a few dozen shapes at most
const prepared = new Map();

serve(db, (m) => {
  let stmt = prepared.get(m.sql);
  if (!stmt) prepared.set(m.sql, (stmt = db.prepare(m.sql)));
  return m.type === 'get' ? stmt.get(m.params) : stmt.all(m.params);
});
