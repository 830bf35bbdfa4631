// Worker thread that appends generation rows to the SQLite file with its own connection, so the inserts leave
// the request-serving event loop. A batch arrives as one list of SQL parameter arrays per statement, prepared
// by src/store/sqlite.ts (the generation rows, then the spend and activity they add per key and UTC day), and
// is committed in one transaction.
import { workerData } from 'node:worker_threads';
import Database from './sqlite-driver.mjs';
import { serve } from './worker-serve.mjs';

const db = new Database(workerData.file);
db.pragma('journal_mode = WAL');
db.pragma('synchronous = NORMAL');
db.pragma('busy_timeout = 5000');
// better-sqlite3 builds SQLite with a 16 MB page cache per connection (SQLite's own default is 2 MB). An
// append-only writer touches the right edge of the table and of the id index, and one leaf per active key or
// account in the two (key|account, time) indexes; a page that falls out is re-read from the OS page cache. At
// 16 MB the cache filled with pages it never reads again: +12 to +15 MB of peak RSS under the bench's load,
// with no measurable difference in requests/s or CPU in the same run.
db.pragma('cache_size = -2000');
const statements = workerData.statements.map((sql) => db.prepare(sql));
// batches[i] holds the parameter arrays for statements[i]; all of them commit together or not at all
const run = db.transaction((batches) => {
  for (let i = 0; i < statements.length; i++) for (const params of batches[i]) statements[i].run(params);
});

// one-off statements (ledger retention's deletes) run here too, between batches, on the same connection
const prepared = new Map();

serve(db, (m) => {
  if (m.type === 'exec') {
    let stmt = prepared.get(m.sql);
    if (!stmt) prepared.set(m.sql, (stmt = db.prepare(m.sql)));
    return stmt.run(m.params).changes;
  }
  run(m.batches);
  return 0;
});
