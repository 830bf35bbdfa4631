// The SQLite driver for this Node.js. better-sqlite3 12 (built on V8's own API) aborts Node 24 when a statement
// is garbage-collected ("Assertion failed: (env) != nullptr" in Statement::~Statement: Node 24's ObjectWrap
// removes an environment hook in the destructor), which crashed our ledger worker threads at exit; version 13
// (Node-API) fixes that but needs Node 22 and segfaults on Node 20. Both are installed (13 under the alias
// better-sqlite3-napi, with prebuilt binaries); this module loads the one that runs here. Same API.
// Plain JavaScript: the ledger worker threads import it without the TypeScript loader.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const major = Number(process.versions.node.split('.')[0]);

export default require(major >= 22 ? 'better-sqlite3-napi' : 'better-sqlite3');
