// The worker-thread side of src/store/worker-channel.ts, shared by the ledger writer and the ledger reader:
// each message is answered with a `done` message carrying its id and the handler's result or error; `close`
// closes the connection and lets the thread exit. Plain JavaScript on purpose: worker entry points are loaded
// without the TypeScript loader the tests run under.
import { parentPort } from 'node:worker_threads';

/** @param db the worker's better-sqlite3 connection @param handle (message) => result (structured-cloneable) */
export function serve(db, handle) {
  parentPort.on('message', (m) => {
    if (m.type === 'close') {
      db.close();
      parentPort.close(); // nothing keeps the thread alive any more: it exits
      return;
    }
    try {
      parentPort.postMessage({ type: 'done', id: m.id, ok: true, result: handle(m) });
    } catch (err) {
      parentPort.postMessage({
        type: 'done',
        id: m.id,
        ok: false,
        error: String(err && err.message ? err.message : err),
      });
    }
  });
}
