import type BetterSqlite3 from 'better-sqlite3';

declare const Database: typeof BetterSqlite3;
export default Database;
