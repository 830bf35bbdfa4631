// Embedded default storage: one SQLite file under the data dir (better-sqlite3, synchronous and fast;
// wrapped in the async Storage interface so a PostgreSQL implementation can replace it).
import type BetterSqlite3 from 'better-sqlite3';
import Database from './sqlite-driver.mjs';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import {
  UPSERT_ACTIVITY,
  activityParams,
  activityWhere,
  dailyTotalsQueries,
  isDayStart,
  mergeDailyTotals,
} from './activity-daily.js';
import { accountPageSql, keyPageSql } from './directory-pages.js';
import { MIGRATIONS } from './migrations.js';
import { OffThreadReader } from './sqlite-reader.js';
import { OffThreadWriter } from './sqlite-writer.js';
import { generationParams, INSERT_GENERATION, totalledOf, type Totalled } from './generation-params.js';
import {
  accountFrom,
  accountParams,
  accountSets,
  generationFrom,
  INSERT_ACCOUNT,
  INSERT_KEY,
  keyFrom,
  keyParams,
  keySets,
  num,
  spendTotals,
  type Row,
} from './rows.js';
import { spendParams, UPSERT_SPEND } from './spend-daily.js';
import { activityGroups } from './activity-groups.js';
import type {
  AccountRow,
  ActivityFilter,
  ActivityGroupQuery,
  ActivityGroups,
  DailyTotal,
  DirectoryChanges,
  GenerationRow,
  KeyPageQuery,
  KeyRow,
  PageAfter,
  SpendTotal,
  Storage,
} from './types.js';

// Journal replay: a row whose id is already stored is skipped (and its spend not added again).
const RECOVER_GENERATION = INSERT_GENERATION + ' ON CONFLICT (id) DO NOTHING';

// Ledger retention: deletes the expired rows among the `limit` oldest by insertion order. Rows are appended in
// completion order, so rowid order is time order to within a request's duration: looking only at the oldest
// rows keeps each call cheap however large the table is (no index on created_at alone, and none needed), and
// a row finished out of order is deleted by a later call. The per-day totals (spend_daily, activity_daily) are not
// touched: credits, key limits and /v1/activity's daily totals keep counting the deleted rows.
const PRUNE_GENERATIONS = `DELETE FROM generations WHERE rowid IN (
  SELECT rowid FROM (SELECT rowid, created_at FROM generations ORDER BY rowid LIMIT ?) WHERE created_at < ?)`;

export class SqliteStorage implements Storage {
  private db: BetterSqlite3.Database;

  /** generation rows are appended by a worker thread with its own connection (file databases only) */
  private writer: OffThreadWriter | null = null;

  /** the ledger's reads (a generation, activity pages, daily totals) run in another (file databases only) */
  private reader: OffThreadReader | null = null;

  constructor(
    private file: string,
    private opts: { offThreadWrites?: boolean; offThreadReads?: boolean; readerIdleMs?: number } = {},
  ) {
    if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('foreign_keys = ON');
    this.db.pragma('busy_timeout = 5000');
    this.db.defaultSafeIntegers(true);
    this.offThread = (opts.offThreadWrites ?? true) && file !== ':memory:';
    this.offThreadReads = (opts.offThreadReads ?? true) && file !== ':memory:';
  }

  private offThread: boolean;
  private offThreadReads: boolean;
  private migrated = false;

  async migrate(): Promise<void> {
    this.db.exec(
      'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)',
    );
    const done = new Set(
      (this.db.prepare('SELECT version FROM schema_migrations').all() as Row[]).map((r) => num(r.version)),
    );
    for (const m of MIGRATIONS) {
      if (done.has(m.version)) continue;
      this.db.transaction(() => {
        for (const s of m.sql) this.db.exec(s);
        this.db
          .prepare('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)')
          .run(m.version, new Date().toISOString());
      })();
    }
    // the writer needs the tables, so it starts once they exist
    if (this.offThread && !this.writer) {
      this.writer = new OffThreadWriter(this.file, [INSERT_GENERATION, UPSERT_SPEND, UPSERT_ACTIVITY]);
    }
    this.migrated = true;
  }

  /** a ledger read: on the reader thread, or on this connection (':memory:', before migrate, reader died) */
  private async read(kind: 'all' | 'get', sql: string, params: unknown[]): Promise<Row[]> {
    if (this.offThreadReads && this.migrated && !this.reader && this.db.open) {
      this.reader = new OffThreadReader(this.file, this.opts.readerIdleMs);
    }
    const reader = this.reader;
    if (reader && !reader.broken) {
      try {
        return await reader.query(kind, sql, params);
      } catch (err) {
        if (!reader.broken) throw err;
      }
    }
    const stmt = this.db.prepare(sql);
    if (kind === 'all') return stmt.all(...params) as Row[];
    const r = stmt.get(...params) as Row | undefined;
    return r === undefined ? [] : [r];
  }

  /** runs `write` in a transaction with the next directory revision (see migration 3) */
  private withRev<T>(write: (rev: number) => T): T {
    return this.db.transaction(() => {
      this.db.prepare('UPDATE directory_rev SET rev = rev + 1 WHERE id = 1').run();
      return write(num((this.db.prepare('SELECT rev FROM directory_rev WHERE id = 1').get() as Row).rev));
    })();
  }

  async createAccount(a: AccountRow): Promise<void> {
    this.withRev((rev) => this.db.prepare(INSERT_ACCOUNT).run(accountParams(a, rev)));
  }

  async getAccount(id: string): Promise<AccountRow | null> {
    const r = this.db.prepare('SELECT * FROM accounts WHERE id = ?').get(id) as Row | undefined;
    return r ? accountFrom(r) : null;
  }

  async listAccounts(): Promise<AccountRow[]> {
    return (this.db.prepare('SELECT * FROM accounts ORDER BY created_at').all() as Row[]).map(accountFrom);
  }

  async listAccountsPage(q: { after?: PageAfter; limit: number }): Promise<AccountRow[]> {
    const p = accountPageSql(q, false);
    return (this.db.prepare(p.sql).all(...p.vals) as Row[]).map(accountFrom);
  }

  async updateAccount(id: string, patch: Partial<Pick<AccountRow, 'name' | 'credits_pusd' | 'enabled_providers'>>) {
    const set = accountSets(patch);
    if (set) {
      this.withRev((rev) =>
        this.db.prepare(`UPDATE accounts SET ${set.sql}, rev = ? WHERE id = ?`).run(...set.vals, rev, id),
      );
    }
    return this.getAccount(id);
  }

  async createKey(k: KeyRow): Promise<void> {
    this.withRev((rev) => this.db.prepare(INSERT_KEY).run(keyParams(k, rev)));
  }

  async getKey(id: string): Promise<KeyRow | null> {
    const r = this.db.prepare('SELECT * FROM api_keys WHERE id = ?').get(id) as Row | undefined;
    return r ? keyFrom(r) : null;
  }

  async listKeys(accountId?: string): Promise<KeyRow[]> {
    const rows = accountId
      ? this.db.prepare('SELECT * FROM api_keys WHERE account_id = ? ORDER BY created_at').all(accountId)
      : this.db.prepare('SELECT * FROM api_keys ORDER BY created_at').all();
    return (rows as Row[]).map(keyFrom);
  }

  private byHash: BetterSqlite3.Statement | null = null;

  async findKeyByHash(hash: string): Promise<KeyRow | null> {
    this.byHash ??= this.db.prepare('SELECT * FROM api_keys WHERE hash = ?');
    const r = this.byHash.get(hash) as Row | undefined;
    return r ? keyFrom(r) : null;
  }

  async listKeysPage(q: KeyPageQuery): Promise<KeyRow[]> {
    const p = keyPageSql(q, false);
    return (this.db.prepare(p.sql).all(...p.vals) as Row[]).map(keyFrom);
  }

  async updateKey(id: string, patch: Partial<Omit<KeyRow, 'id' | 'account_id' | 'hash' | 'created_at'>>) {
    const set = keySets(patch);
    if (set) {
      this.withRev((rev) =>
        this.db.prepare(`UPDATE api_keys SET ${set.sql}, rev = ? WHERE id = ?`).run(...set.vals, rev, id),
      );
    }
    return this.getKey(id);
  }

  private revStatement: BetterSqlite3.Statement | null = null;

  async directoryRevision(): Promise<number> {
    this.revStatement ??= this.db.prepare('SELECT rev FROM directory_rev WHERE id = 1');
    return num((this.revStatement.get() as Row).rev);
  }

  async directoryChanges(since: number): Promise<DirectoryChanges> {
    // polled several times a second by every running server: one prepared point read when nothing changed
    this.revStatement ??= this.db.prepare('SELECT rev FROM directory_rev WHERE id = 1');
    const rev = num((this.revStatement.get() as Row).rev);
    if (rev === since) return { rev, keys: [], accounts: [] };
    // a revision that went backwards (the database was replaced) re-reads everything
    const from = rev < since ? 0 : since;
    return {
      rev,
      accounts: (this.db.prepare('SELECT * FROM accounts WHERE rev > ? ORDER BY rev').all(from) as Row[]).map(
        accountFrom,
      ),
      keys: (this.db.prepare('SELECT * FROM api_keys WHERE rev > ? ORDER BY rev').all(from) as Row[]).map(keyFrom),
    };
  }

  private insertBatch: ((batches: unknown[][][]) => void) | null = null;

  /** the rows, their spend by key and day and their activity by key, day, model and provider, in one
   *  transaction (all or nothing) */
  async insertGenerations(rows: GenerationRow[], built?: unknown[][]): Promise<void> {
    if (rows.length === 0) return;
    const batches = [built ?? rows.map(generationParams), spendParams(rows), activityParams(rows)];
    if (this.writer && !this.writer.broken) return this.writer.write(batches);
    if (!this.insertBatch) {
      const statements = [INSERT_GENERATION, UPSERT_SPEND, UPSERT_ACTIVITY].map((sql) => this.db.prepare(sql));
      this.insertBatch = this.db.transaction((bs: unknown[][][]) => {
        statements.forEach((stmt, i) => {
          for (const p of bs[i]!) stmt.run(p);
        });
      });
    }
    this.insertBatch(batches);
  }

  async recoverGenerations(rows: unknown[][]): Promise<number> {
    const insert = this.db.prepare(RECOVER_GENERATION);
    const spend = this.db.prepare(UPSERT_SPEND);
    const activity = this.db.prepare(UPSERT_ACTIVITY);
    return this.db.transaction(() => {
      const inserted: Totalled[] = [];
      // a row already committed (the crash came between the commit and the segment's deletion) is already in
      // spend_daily and activity_daily: only rows inserted now add to them
      for (const p of rows) if (insert.run(p).changes > 0) inserted.push(totalledOf(p));
      for (const t of spendParams(inserted)) spend.run(t);
      for (const t of activityParams(inserted)) activity.run(t);
      return inserted.length;
    })();
  }

  async pruneGenerations(before: string, limit: number): Promise<number> {
    if (this.writer && !this.writer.broken) return this.writer.exec(PRUNE_GENERATIONS, [limit, before]);
    return this.db.prepare(PRUNE_GENERATIONS).run(limit, before).changes;
  }

  async getGeneration(id: string): Promise<GenerationRow | null> {
    const [r] = await this.read('get', 'SELECT * FROM generations WHERE id = ?', [id]);
    return r ? generationFrom(r) : null;
  }

  async listGenerations(f: ActivityFilter): Promise<GenerationRow[]> {
    const w = activityWhere(f);
    if (f.after) {
      // keyset paging: `created_at <= ?` is the index range (key|account, created_at), the rest breaks ties, so
      // a deep page costs what the first one does (OFFSET 150,000 walked the skipped rows: 320 ms at 300k rows)
      w.sql += ' AND created_at <= ? AND (created_at < ? OR id < ?)';
      w.vals.push(f.after.created_at, f.after.created_at, f.after.id);
    }
    const rows = await this.read(
      'all',
      `SELECT * FROM generations WHERE ${w.sql} ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?`,
      [...w.vals, f.limit ?? 100, f.offset ?? 0],
    );
    return rows.map(generationFrom);
  }

  /**
   * Totals per UTC day: whole days from the per-day rollups (activity_daily), a partial first or last day of
   * the range from that day's raw rows. The rollups keep counting rows deleted by ledger retention; a partial
   * day counts only the rows still stored.
   */
  async dailyTotals(f: ActivityFilter): Promise<DailyTotal[]> {
    const rows = await Promise.all(dailyTotalsQueries(f).map((q) => this.read('all', q.sql, q.vals)));
    return mergeDailyTotals(rows.flat());
  }

  async activityGroups(q: ActivityGroupQuery): Promise<ActivityGroups> {
    return activityGroups(
      q,
      (e) => `SUM(${e})`,
      (q) => this.read('all', q.sql, q.vals),
    );
  }

  async accountSpend(): Promise<SpendTotal[]> {
    return spendTotals(
      this.db.prepare('SELECT account_id AS id, SUM(cost_pusd) AS s FROM spend_daily GROUP BY account_id').all(),
    );
  }

  async keySpendSince(since: string): Promise<SpendTotal[]> {
    // period starts are UTC midnights: answered from the per-day totals; any other instant from the rows
    if (isDayStart(since)) {
      return spendTotals(
        this.db
          .prepare('SELECT key_id AS id, SUM(cost_pusd) AS s FROM spend_daily WHERE day >= ? GROUP BY key_id')
          .all(since.slice(0, 10)),
      );
    }
    return spendTotals(
      this.db
        .prepare('SELECT key_id AS id, SUM(cost_pusd) AS s FROM generations WHERE created_at >= ? GROUP BY key_id')
        .all(since),
    );
  }

  async close(): Promise<void> {
    await Promise.all([this.writer?.close(), this.reader?.close()]);
    if (this.db.open) this.db.close();
  }
}
