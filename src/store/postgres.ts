// PostgreSQL storage (`storage.url` / AROUTER_DATABASE_URL): the same tables as the embedded SQLite file, shared
// by every process pointed at the database. Driver: postgres (postgres.js), zero dependencies; BIGINT columns
// (money in pUSD, revisions) are read as bigints, never as strings or lossy numbers. The driver is imported
// when a PostgresStorage first connects, so the embedded default never loads it.
import type { Sql, TransactionSql } from 'postgres';
import {
  ACTIVITY_PARAM_COUNT,
  activityParams,
  activityWhere,
  dailyTotalsQueries,
  isDayStart,
  mergeDailyTotals,
} from './activity-daily.js';
import { generationParams, PARAM_COUNT, P_ID, totalledOf, type Totalled } from './generation-params.js';
import { accountPageSql, keyPageSql } from './directory-pages.js';
import { POSTGRES_MIGRATIONS } from './postgres-schema.js';
import {
  columns,
  INSERT_GENERATIONS,
  numbered,
  PRUNE_GENERATIONS,
  RECOVER_GENERATIONS,
  UPSERT_ACTIVITY,
  UPSERT_SPEND,
} from './postgres-statements.js';
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
import { spendParams } from './spend-daily.js';
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

type Q = Sql | TransactionSql;

export interface PostgresOptions {
  /** postgres://user:password@host:port/database */
  url: string;
  /** the schema holding the tables (created if missing); default: the connection's search_path (`public`) */
  schema?: string;
  /** connections in the pool (default 10) */
  max?: number;
}

/** a postgres:// URL as logs and errors may show it: without its password */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'postgres://(unparsable URL)';
  }
}

/** the schema's name as an SQL identifier */
const ident = (name: string): string => '"' + name.replace(/"/g, '""') + '"';

export class PostgresStorage implements Storage {
  private sqlPromise: Promise<Sql> | null = null;
  private closed = false;

  constructor(private opts: PostgresOptions) {}

  /** the pool, connected on first use (the driver's module is loaded then) */
  private db(): Promise<Sql> {
    if (this.closed) return Promise.reject(new Error('PostgreSQL storage is closed'));
    this.sqlPromise ??= import('postgres').then(({ default: postgres }) =>
      postgres(this.opts.url, {
        max: this.opts.max ?? 10,
        // an unreachable server fails the start in seconds, not after the driver's default 30 s
        connect_timeout: 10,
        types: { bigint: postgres.BigInt },
        onnotice: () => {},
        ...(this.opts.schema ? { connection: { search_path: this.opts.schema } } : {}),
      }),
    );
    return this.sqlPromise;
  }

  private async q(sql: string, params: unknown[] = [], on?: Q): Promise<Row[]> {
    const db = on ?? (await this.db());
    return (await db.unsafe(numbered(sql), params as never[], { prepare: true })) as unknown as Row[];
  }

  async migrate(): Promise<void> {
    try {
      await this.migrateNow();
    } catch (err) {
      // the first thing a start does with the database: say which one, and why it failed (without a password)
      const where = redactUrl(this.opts.url) + (this.opts.schema ? ` (schema ${this.opts.schema})` : '');
      throw new Error(`PostgreSQL storage at ${where}: ${(err as Error).message}`, { cause: err });
    }
  }

  private async migrateNow(): Promise<void> {
    const db = await this.db();
    // N processes starting together: the first takes the lock and migrates, the others wait for it, then find
    // every version applied. The lock is per schema and released with the transaction (PostgreSQL's DDL is
    // transactional: a failed migration leaves nothing behind).
    const schema = this.opts.schema ?? null;
    await db.begin(async (tx) => {
      await tx.unsafe(
        `SELECT pg_advisory_xact_lock(hashtext('arouter.migrate.' || COALESCE($1, current_schema(), '')))`,
        [schema],
      );
      if (schema) await tx.unsafe(`CREATE SCHEMA IF NOT EXISTS ${ident(schema)}`);
      await tx.unsafe(
        'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)',
      );
      const done = new Set((await tx.unsafe('SELECT version FROM schema_migrations')).map((r) => num(r.version)));
      for (const m of POSTGRES_MIGRATIONS) {
        if (done.has(m.version)) continue;
        for (const s of m.sql) await tx.unsafe(s);
        await tx.unsafe('INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)', [
          m.version,
          new Date().toISOString(),
        ]);
      }
    });
  }

  /** runs `write` in a transaction with the next directory revision (see migration 3): the revision row stays
   *  locked until the commit, so revisions commit in order and a poller never skips one */
  private async withRev(write: (tx: Q, rev: bigint) => Promise<unknown>): Promise<void> {
    const db = await this.db();
    await db.begin(async (tx) => {
      const [r] = await this.q('UPDATE directory_rev SET rev = rev + 1 WHERE id = 1 RETURNING rev', [], tx);
      await write(tx, r!.rev as bigint);
    });
  }

  async createAccount(a: AccountRow): Promise<void> {
    await this.withRev((tx, rev) => this.q(INSERT_ACCOUNT, accountParams(a, rev), tx));
  }

  async getAccount(id: string): Promise<AccountRow | null> {
    const [r] = await this.q('SELECT * FROM accounts WHERE id = ?', [id]);
    return r ? accountFrom(r) : null;
  }

  async listAccounts(): Promise<AccountRow[]> {
    return (await this.q('SELECT * FROM accounts ORDER BY created_at, id')).map(accountFrom);
  }

  async listAccountsPage(q: { after?: PageAfter; limit: number }): Promise<AccountRow[]> {
    const p = accountPageSql(q, true);
    return (await this.q(p.sql, p.vals)).map(accountFrom);
  }

  async updateAccount(id: string, patch: Partial<Pick<AccountRow, 'name' | 'credits_pusd' | 'enabled_providers'>>) {
    const set = accountSets(patch);
    if (set) {
      await this.withRev((tx, rev) =>
        this.q(`UPDATE accounts SET ${set.sql}, rev = ? WHERE id = ?`, [...set.vals, rev, id], tx),
      );
    }
    return this.getAccount(id);
  }

  async createKey(k: KeyRow): Promise<void> {
    await this.withRev((tx, rev) => this.q(INSERT_KEY, keyParams(k, rev), tx));
  }

  async getKey(id: string): Promise<KeyRow | null> {
    const [r] = await this.q('SELECT * FROM api_keys WHERE id = ?', [id]);
    return r ? keyFrom(r) : null;
  }

  async listKeys(accountId?: string): Promise<KeyRow[]> {
    const rows = accountId
      ? await this.q('SELECT * FROM api_keys WHERE account_id = ? ORDER BY created_at, id', [accountId])
      : await this.q('SELECT * FROM api_keys ORDER BY created_at, id');
    return rows.map(keyFrom);
  }

  async findKeyByHash(hash: string): Promise<KeyRow | null> {
    const [r] = await this.q('SELECT * FROM api_keys WHERE hash = ?', [hash]);
    return r ? keyFrom(r) : null;
  }

  async listKeysPage(q: KeyPageQuery): Promise<KeyRow[]> {
    const p = keyPageSql(q, true);
    return (await this.q(p.sql, p.vals)).map(keyFrom);
  }

  async updateKey(id: string, patch: Partial<Omit<KeyRow, 'id' | 'account_id' | 'hash' | 'created_at'>>) {
    const set = keySets(patch);
    if (set) {
      await this.withRev((tx, rev) =>
        this.q(`UPDATE api_keys SET ${set.sql}, rev = ? WHERE id = ?`, [...set.vals, rev, id], tx),
      );
    }
    return this.getKey(id);
  }

  async directoryRevision(): Promise<number> {
    const [r] = await this.q('SELECT rev FROM directory_rev WHERE id = 1');
    return num(r!.rev);
  }

  async directoryChanges(since: number): Promise<DirectoryChanges> {
    // polled several times a second by every running server: one prepared point read when nothing changed
    const [r] = await this.q('SELECT rev FROM directory_rev WHERE id = 1');
    const rev = num(r!.rev);
    if (rev === since) return { rev, keys: [], accounts: [] };
    // a revision that went backwards (the database was replaced) re-reads everything
    const from = rev < since ? 0 : since;
    const [accounts, keys] = await Promise.all([
      this.q('SELECT * FROM accounts WHERE rev > ? ORDER BY rev', [from]),
      this.q('SELECT * FROM api_keys WHERE rev > ? ORDER BY rev', [from]),
    ]);
    return { rev, accounts: accounts.map(accountFrom), keys: keys.map(keyFrom) };
  }

  /** the rows, their spend by key and day and their activity by key, day, model and provider, in one
   *  transaction (all or nothing): three statements whatever the batch's size */
  async insertGenerations(rows: GenerationRow[], built?: unknown[][]): Promise<void> {
    if (rows.length === 0) return;
    const params = built ?? rows.map(generationParams);
    const db = await this.db();
    await db.begin(async (tx) => {
      await this.q(INSERT_GENERATIONS, columns(params, PARAM_COUNT), tx);
      await this.addTotals(rows, tx);
    });
  }

  private async addTotals(rows: Totalled[], tx: Q): Promise<void> {
    if (rows.length === 0) return;
    await this.q(UPSERT_SPEND, columns(spendParams(rows), 4), tx);
    await this.q(UPSERT_ACTIVITY, columns(activityParams(rows), ACTIVITY_PARAM_COUNT), tx);
  }

  async recoverGenerations(rows: unknown[][]): Promise<number> {
    if (rows.length === 0) return 0;
    const db = await this.db();
    return db.begin(async (tx) => {
      // a row already committed (the crash came between the commit and the segment's deletion) is already in
      // spend_daily and activity_daily: only rows inserted now add to them
      const ids = new Set((await this.q(RECOVER_GENERATIONS, columns(rows, PARAM_COUNT), tx)).map((r) => r.id));
      const inserted: Totalled[] = [];
      for (const p of rows) {
        // a journal holding one id twice: the first is the one inserted
        if (ids.delete(p[P_ID] as string)) inserted.push(totalledOf(p));
      }
      await this.addTotals(inserted, tx);
      return inserted.length;
    });
  }

  async pruneGenerations(before: string, limit: number): Promise<number> {
    const db = await this.db();
    return (await db.unsafe(PRUNE_GENERATIONS, [limit, before] as never[], { prepare: true })).count;
  }

  async getGeneration(id: string): Promise<GenerationRow | null> {
    const [r] = await this.q('SELECT * FROM generations WHERE id = ?', [id]);
    return r ? generationFrom(r) : null;
  }

  async listGenerations(f: ActivityFilter): Promise<GenerationRow[]> {
    const w = activityWhere(f);
    if (f.after) {
      // keyset paging: a row comparison PostgreSQL answers as one range of the (key|account, created_at, id)
      // index, so a deep page costs what the first one does
      w.sql += ' AND (created_at, id) < (?, ?)';
      w.vals.push(f.after.created_at, f.after.id);
    }
    const rows = await this.q(
      `SELECT * FROM generations WHERE ${w.sql} ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?`,
      [...w.vals, f.limit ?? 100, f.offset ?? 0],
    );
    return rows.map(generationFrom);
  }

  /**
   * Totals per UTC day: whole days from the per-day rollups (activity_daily), a partial first or last day of
   * the range from that day's raw rows (as SqliteStorage). SUM of a BIGINT is a NUMERIC in PostgreSQL: cast back.
   */
  async dailyTotals(f: ActivityFilter): Promise<DailyTotal[]> {
    const queries = dailyTotalsQueries(f, (e) => `SUM(${e})::int8`);
    const rows = await Promise.all(queries.map((q) => this.q(q.sql, q.vals)));
    return mergeDailyTotals(rows.flat());
  }

  async activityGroups(q: ActivityGroupQuery): Promise<ActivityGroups> {
    return activityGroups(
      q,
      (e) => `SUM(${e})::int8`,
      (q) => this.q(q.sql, q.vals),
    );
  }

  async accountSpend(): Promise<SpendTotal[]> {
    return spendTotals(
      await this.q('SELECT account_id AS id, SUM(cost_pusd)::int8 AS s FROM spend_daily GROUP BY account_id'),
    );
  }

  async keySpendSince(since: string): Promise<SpendTotal[]> {
    // period starts are UTC midnights: answered from the per-day totals; any other instant from the rows
    if (isDayStart(since)) {
      return spendTotals(
        await this.q('SELECT key_id AS id, SUM(cost_pusd)::int8 AS s FROM spend_daily WHERE day >= ? GROUP BY key_id', [
          since.slice(0, 10),
        ]),
      );
    }
    return spendTotals(
      await this.q(
        'SELECT key_id AS id, SUM(cost_pusd)::int8 AS s FROM generations WHERE created_at >= ? GROUP BY key_id',
        [since],
      ),
    );
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const pending = this.sqlPromise;
    if (pending) await (await pending).end({ timeout: 5 });
  }
}
