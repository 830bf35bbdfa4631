// Embedded default storage: one SQLite file under the data dir (better-sqlite3, synchronous and fast;
// wrapped in the async Storage interface so a PostgreSQL implementation can replace it).
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { MIGRATIONS } from './migrations.js';
import { OffThreadWriter } from './sqlite-writer.js';
import { generationParams, INSERT_GENERATION, P_ACCOUNT, P_COST, P_CREATED, P_KEY } from './generation-params.js';
import type {
  AccountRow,
  ActivityFilter,
  DailyTotal,
  GenerationRow,
  KeyRow,
  SpendTotal,
  Storage,
} from './types.js';

type Row = Record<string, unknown>;

const big = (v: unknown): bigint | null => (v === null || v === undefined ? null : BigInt(v as bigint | number));
const num = (v: unknown): number => (typeof v === 'bigint' ? Number(v) : (v as number));
const bool = (v: unknown): boolean => num(v) === 1;

function accountFrom(r: Row): AccountRow {
  return {
    id: r.id as string,
    name: r.name as string,
    credits_pusd: big(r.credits_pusd),
    enabled_providers: r.enabled_providers === null ? null : (JSON.parse(r.enabled_providers as string) as string[]),
    created_at: r.created_at as string,
  };
}

function keyFrom(r: Row): KeyRow {
  return {
    id: r.id as string,
    account_id: r.account_id as string,
    name: r.name as string,
    hash: r.hash as string,
    label: r.label as string,
    is_admin: bool(r.is_admin),
    disabled: bool(r.disabled),
    limit_pusd: big(r.limit_pusd),
    limit_reset: r.limit_reset as KeyRow['limit_reset'],
    rate_limit_rpm: r.rate_limit_rpm === null ? null : num(r.rate_limit_rpm),
    rate_limit_tpm: r.rate_limit_tpm === null ? null : num(r.rate_limit_tpm),
    expires_at: (r.expires_at as string | null) ?? null,
    revoked_at: (r.revoked_at as string | null) ?? null,
    created_at: r.created_at as string,
    updated_at: r.updated_at as string,
  };
}

function spendTotals(rows: unknown[]): SpendTotal[] {
  return (rows as Row[]).map((r) => ({ id: r.id as string, spent_pusd: BigInt((r.s as bigint | null) ?? 0n) }));
}

function generationFrom(r: Row): GenerationRow {
  return {
    id: r.id as string,
    account_id: r.account_id as string,
    key_id: r.key_id as string,
    requested_model: r.requested_model as string,
    model: (r.model as string | null) ?? null,
    provider: (r.provider as string | null) ?? null,
    endpoint: (r.endpoint as string | null) ?? null,
    upstream_id: (r.upstream_id as string | null) ?? null,
    attempts: JSON.parse(r.attempts as string),
    prompt_tokens: num(r.prompt_tokens),
    completion_tokens: num(r.completion_tokens),
    reasoning_tokens: num(r.reasoning_tokens),
    cached_tokens: num(r.cached_tokens),
    cache_write_tokens: num(r.cache_write_tokens),
    tokens_estimated: bool(r.tokens_estimated),
    cost_pusd: BigInt(r.cost_pusd as bigint),
    latency_ms: num(r.latency_ms),
    ttft_ms: r.ttft_ms === null ? null : num(r.ttft_ms),
    finish_reason: (r.finish_reason as string | null) ?? null,
    status: num(r.status),
    streamed: bool(r.streamed),
    cancelled: bool(r.cancelled),
    route: r.route === null ? null : JSON.parse(r.route as string),
    kind: r.kind as GenerationRow['kind'],
    created_at: r.created_at as string,
  };
}

// Adds a batch's spend to the per-key, per-UTC-day totals (migration 2); runs in the batch's transaction.
const UPSERT_SPEND = `INSERT INTO spend_daily (key_id, account_id, day, cost_pusd) VALUES (?, ?, ?, ?)
  ON CONFLICT (key_id, day) DO UPDATE SET cost_pusd = cost_pusd + excluded.cost_pusd`;

/** A batch's spend summed by key and UTC day (the first 10 characters of the ISO `created_at`). */
function spendParams(rows: GenerationRow[]): unknown[][] {
  const byKeyDay = new Map<string, unknown[]>();
  for (const g of rows) {
    const day = g.created_at.slice(0, 10);
    const k = g.key_id + ' ' + day;
    const cur = byKeyDay.get(k);
    if (cur === undefined) byKeyDay.set(k, [g.key_id, g.account_id, day, g.cost_pusd]);
    else cur[3] = (cur[3] as bigint) + g.cost_pusd;
  }
  return [...byKeyDay.values()];
}

// Journal replay: a row whose id is already stored is skipped (and its spend not added again).
const RECOVER_GENERATION = INSERT_GENERATION + ' ON CONFLICT (id) DO NOTHING';

// Ledger retention: deletes the expired rows among the `limit` oldest by insertion order. Rows are appended in
// completion order, so rowid order is time order to within a request's duration: looking only at the oldest
// rows keeps each call cheap however large the table is (no index on created_at alone, and none needed), and
// a row finished out of order is deleted by a later call. Spend per key and day (spend_daily) is not touched.
const PRUNE_GENERATIONS = `DELETE FROM generations WHERE rowid IN (
  SELECT rowid FROM (SELECT rowid, created_at FROM generations ORDER BY rowid LIMIT ?) WHERE created_at < ?)`;

/** `since` is the start of a UTC day (what the per-day totals can answer exactly) */
const isDayStart = (since: string): boolean => since.length <= 10 || since.slice(10) === 'T00:00:00.000Z';

const KEY_COLUMNS = [
  'name', 'label', 'is_admin', 'disabled', 'limit_pusd', 'limit_reset', 'rate_limit_rpm', 'rate_limit_tpm',
  'expires_at', 'revoked_at', 'updated_at',
] as const;

function toSql(v: unknown): unknown {
  if (typeof v === 'boolean') return v ? 1 : 0;
  return v;
}

export class SqliteStorage implements Storage {
  private db: Database.Database;

  /** generation rows are appended by a worker thread with its own connection (file databases only) */
  private writer: OffThreadWriter | null = null;

  constructor(
    private file: string,
    opts: { offThreadWrites?: boolean } = {},
  ) {
    if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('foreign_keys = ON');
    this.db.pragma('busy_timeout = 5000');
    this.db.defaultSafeIntegers(true);
    this.offThread = (opts.offThreadWrites ?? true) && file !== ':memory:';
  }

  private offThread: boolean;

  async migrate(): Promise<void> {
    this.db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)');
    const done = new Set(
      (this.db.prepare('SELECT version FROM schema_migrations').all() as Row[]).map((r) => num(r.version)),
    );
    for (const m of MIGRATIONS) {
      if (done.has(m.version)) continue;
      this.db.transaction(() => {
        for (const s of m.sql) this.db.exec(s);
        this.db.prepare('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)').run(m.version, new Date().toISOString());
      })();
    }
    // the writer needs the tables, so it starts once they exist
    if (this.offThread && !this.writer) this.writer = new OffThreadWriter(this.file, [INSERT_GENERATION, UPSERT_SPEND]);
  }

  async createAccount(a: AccountRow): Promise<void> {
    this.db
      .prepare('INSERT INTO accounts (id, name, credits_pusd, enabled_providers, created_at) VALUES (?, ?, ?, ?, ?)')
      .run(a.id, a.name, a.credits_pusd, a.enabled_providers === null ? null : JSON.stringify(a.enabled_providers), a.created_at);
  }

  async getAccount(id: string): Promise<AccountRow | null> {
    const r = this.db.prepare('SELECT * FROM accounts WHERE id = ?').get(id) as Row | undefined;
    return r ? accountFrom(r) : null;
  }

  async listAccounts(): Promise<AccountRow[]> {
    return (this.db.prepare('SELECT * FROM accounts ORDER BY created_at').all() as Row[]).map(accountFrom);
  }

  async updateAccount(id: string, patch: Partial<Pick<AccountRow, 'name' | 'credits_pusd' | 'enabled_providers'>>) {
    const sets: string[] = [];
    const vals: unknown[] = [];
    if (patch.name !== undefined) (sets.push('name = ?'), vals.push(patch.name));
    if (patch.credits_pusd !== undefined) (sets.push('credits_pusd = ?'), vals.push(patch.credits_pusd));
    if (patch.enabled_providers !== undefined) {
      sets.push('enabled_providers = ?');
      vals.push(patch.enabled_providers === null ? null : JSON.stringify(patch.enabled_providers));
    }
    if (sets.length) this.db.prepare(`UPDATE accounts SET ${sets.join(', ')} WHERE id = ?`).run(...vals, id);
    return this.getAccount(id);
  }

  async createKey(k: KeyRow): Promise<void> {
    this.db
      .prepare(
        `INSERT INTO api_keys (id, account_id, name, hash, label, is_admin, disabled, limit_pusd, limit_reset,
          rate_limit_rpm, rate_limit_tpm, expires_at, revoked_at, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        k.id, k.account_id, k.name, k.hash, k.label, k.is_admin ? 1 : 0, k.disabled ? 1 : 0, k.limit_pusd,
        k.limit_reset, k.rate_limit_rpm, k.rate_limit_tpm, k.expires_at, k.revoked_at, k.created_at, k.updated_at,
      );
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

  async updateKey(id: string, patch: Partial<Omit<KeyRow, 'id' | 'account_id' | 'hash' | 'created_at'>>) {
    const sets: string[] = [];
    const vals: unknown[] = [];
    for (const c of KEY_COLUMNS) {
      if (patch[c] !== undefined) (sets.push(`${c} = ?`), vals.push(toSql(patch[c])));
    }
    if (sets.length) this.db.prepare(`UPDATE api_keys SET ${sets.join(', ')} WHERE id = ?`).run(...vals, id);
    return this.getKey(id);
  }

  private insertBatch: ((generations: unknown[][], spend: unknown[][]) => void) | null = null;

  /** the rows and their spend by key and day, in one transaction (all or nothing) */
  async insertGenerations(rows: GenerationRow[], built?: unknown[][]): Promise<void> {
    if (rows.length === 0) return;
    const params = built ?? rows.map(generationParams);
    const spend = spendParams(rows);
    if (this.writer && !this.writer.broken) return this.writer.write([params, spend]);
    if (!this.insertBatch) {
      const insert = this.db.prepare(INSERT_GENERATION);
      const upsert = this.db.prepare(UPSERT_SPEND);
      this.insertBatch = this.db.transaction((generations: unknown[][], totals: unknown[][]) => {
        for (const p of generations) insert.run(p);
        for (const p of totals) upsert.run(p);
      });
    }
    this.insertBatch(params, spend);
  }

  async recoverGenerations(rows: unknown[][]): Promise<number> {
    const insert = this.db.prepare(RECOVER_GENERATION);
    const upsert = this.db.prepare(UPSERT_SPEND);
    return this.db.transaction(() => {
      const byKeyDay = new Map<string, unknown[]>();
      let inserted = 0;
      for (const p of rows) {
        // a row already committed (the crash came between the commit and the segment's deletion) is
        // already in spend_daily: only rows inserted now add their spend
        if (insert.run(p).changes === 0) continue;
        inserted++;
        const day = (p[P_CREATED] as string).slice(0, 10);
        const k = (p[P_KEY] as string) + ' ' + day;
        const cur = byKeyDay.get(k);
        if (cur === undefined) byKeyDay.set(k, [p[P_KEY], p[P_ACCOUNT], day, p[P_COST]]);
        else cur[3] = (cur[3] as bigint) + (p[P_COST] as bigint);
      }
      for (const s of byKeyDay.values()) upsert.run(s);
      return inserted;
    })();
  }

  async pruneGenerations(before: string, limit: number): Promise<number> {
    if (this.writer && !this.writer.broken) return this.writer.exec(PRUNE_GENERATIONS, [limit, before]);
    return this.db.prepare(PRUNE_GENERATIONS).run(limit, before).changes;
  }

  async getGeneration(id: string): Promise<GenerationRow | null> {
    const r = this.db.prepare('SELECT * FROM generations WHERE id = ?').get(id) as Row | undefined;
    return r ? generationFrom(r) : null;
  }

  private where(f: ActivityFilter): { sql: string; vals: unknown[] } {
    const c = ['account_id = ?'];
    const vals: unknown[] = [f.account_id];
    if (f.key_id) (c.push('key_id = ?'), vals.push(f.key_id));
    if (f.from) (c.push('created_at >= ?'), vals.push(f.from));
    if (f.to) (c.push('created_at < ?'), vals.push(f.to));
    if (f.model) (c.push('model = ?'), vals.push(f.model));
    if (f.provider) (c.push('provider = ?'), vals.push(f.provider));
    return { sql: c.join(' AND '), vals };
  }

  async listGenerations(f: ActivityFilter): Promise<GenerationRow[]> {
    const w = this.where(f);
    const rows = this.db
      .prepare(`SELECT * FROM generations WHERE ${w.sql} ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?`)
      .all(...w.vals, f.limit ?? 100, f.offset ?? 0) as Row[];
    return rows.map(generationFrom);
  }

  async dailyTotals(f: ActivityFilter): Promise<DailyTotal[]> {
    const w = this.where(f);
    const rows = this.db
      .prepare(
        `SELECT substr(created_at, 1, 10) AS date, COUNT(*) AS requests, SUM(prompt_tokens) AS prompt_tokens,
           SUM(completion_tokens) AS completion_tokens, SUM(cost_pusd) AS cost_pusd
         FROM generations WHERE ${w.sql} GROUP BY substr(created_at, 1, 10) ORDER BY date`,
      )
      .all(...w.vals) as Row[];
    return rows.map((r) => ({
      date: r.date as string,
      requests: num(r.requests),
      prompt_tokens: num(r.prompt_tokens ?? 0),
      completion_tokens: num(r.completion_tokens ?? 0),
      cost_pusd: BigInt((r.cost_pusd as bigint | null) ?? 0n),
    }));
  }

  async accountSpend(): Promise<SpendTotal[]> {
    return spendTotals(this.db.prepare('SELECT account_id AS id, SUM(cost_pusd) AS s FROM spend_daily GROUP BY account_id').all());
  }

  async keySpendSince(since: string): Promise<SpendTotal[]> {
    // period starts are UTC midnights: answered from the per-day totals; any other instant from the rows
    if (isDayStart(since)) {
      return spendTotals(
        this.db.prepare('SELECT key_id AS id, SUM(cost_pusd) AS s FROM spend_daily WHERE day >= ? GROUP BY key_id').all(since.slice(0, 10)),
      );
    }
    return spendTotals(
      this.db.prepare('SELECT key_id AS id, SUM(cost_pusd) AS s FROM generations WHERE created_at >= ? GROUP BY key_id').all(since),
    );
  }

  async close(): Promise<void> {
    await this.writer?.close();
    if (this.db.open) this.db.close();
  }
}
