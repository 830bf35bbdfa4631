// Worker thread that appends generation rows to the SQLite file with its own connection, so the inserts leave
// the request-serving event loop. Plain JavaScript on purpose: worker entry points are loaded without the
// TypeScript loader the tests run under. A batch arrives as one list of SQL parameter arrays per statement,
// prepared by src/store/sqlite.ts (the generation rows, then the spend they add per key and UTC day), and is
// committed in one transaction.
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';

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

parentPort.on('message', (m) => {
  if (m.type === 'close') {
    db.close();
    parentPort.close(); // nothing keeps the thread alive any more: it exits
    return;
  }
  try {
    let changes = 0;
    if (m.type === 'exec') {
      let stmt = prepared.get(m.sql);
      if (!stmt) prepared.set(m.sql, (stmt = db.prepare(m.sql)));
      changes = stmt.run(m.params).changes;
    } else run(m.batches);
    parentPort.postMessage({ type: 'done', id: m.id, ok: true, changes });
  } catch (err) {
    parentPort.postMessage({ type: 'done', id: m.id, ok: false, error: String(err && err.message ? err.message : err) });
  }
});
