// The storage interface. The embedded SQLite implementation is the default; a PostgreSQL implementation
// can fill the same interface (the SQL in migrations.ts is kept portable). Money columns are integers in
// picodollars (1 USD = 10^12) so that sums are exact in SQL and in JS (bigint).
// The request hot path rarely calls storage: accounts and the recently used keys are cached in memory
// (src/auth/directory.ts, which polls `directoryChanges` for other processes' writes); a key not cached costs one
// `findKeyByHash` (the hash is unique: an index read). Generations are written in batches (src/accounting/ledger.ts).

export type LimitReset = 'daily' | 'weekly' | 'monthly' | 'never';

/**
 * What a key may do (README "Security model"): `user` = inference and its own usage; `admin` = also manages
 * its own account's keys (never above its own role); `operator` = the deployment's superuser (every account,
 * credits, providers). Operator keys live in the default account only.
 */
export type KeyRole = 'user' | 'admin' | 'operator';
export const KEY_ROLES: readonly KeyRole[] = ['user', 'admin', 'operator'];

export interface AccountRow {
  id: string;
  name: string;
  /** total credits granted in pUSD; null = unlimited */
  credits_pusd: bigint | null;
  /** provider ids enabled for this account; null = every configured provider */
  enabled_providers: string[] | null;
  created_at: string;
}

export interface KeyRow {
  id: string;
  account_id: string;
  name: string;
  /** sha256 hex of the full key */
  hash: string;
  /** display form, e.g. lr_live_Ab3…x9Z */
  label: string;
  role: KeyRole;
  disabled: boolean;
  /** spend limit in pUSD; null = none */
  limit_pusd: bigint | null;
  limit_reset: LimitReset;
  /** requests per minute; null = config default */
  rate_limit_rpm: number | null;
  /** tokens per minute; null = config default */
  rate_limit_tpm: number | null;
  expires_at: string | null;
  revoked_at: string | null;
  created_at: string;
  updated_at: string;
}

export interface AttemptRecord {
  provider: string;
  model: string;
  endpoint: string;
  status: number;
  duration_ms: number;
  error?: string;
}

export interface GenerationRow {
  id: string;
  account_id: string;
  key_id: string;
  requested_model: string;
  model: string | null;
  provider: string | null;
  endpoint: string | null;
  upstream_id: string | null;
  attempts: AttemptRecord[];
  prompt_tokens: number;
  completion_tokens: number;
  reasoning_tokens: number;
  cached_tokens: number;
  cache_write_tokens: number;
  tokens_estimated: boolean;
  cost_pusd: bigint;
  latency_ms: number;
  ttft_ms: number | null;
  finish_reason: string | null;
  status: number;
  streamed: boolean;
  cancelled: boolean;
  route: unknown;
  kind: 'chat' | 'embeddings';
  created_at: string;
}

export interface ActivityFilter {
  account_id: string;
  key_id?: string;
  from?: string;
  to?: string;
  model?: string;
  provider?: string;
  /** listGenerations only (the per-day totals have no status): `ok` < 400, `error` ≥ 400, or one HTTP status */
  status?: 'ok' | 'error' | number;
  /** listGenerations only: streamed requests, or not */
  streamed?: boolean;
  limit?: number;
  offset?: number;
  /** keyset paging (listGenerations only): the rows after this one in the listing's order (created_at DESC, id DESC) */
  after?: { created_at: string; id: string };
}

export interface DailyTotal {
  date: string;
  requests: number;
  prompt_tokens: number;
  completion_tokens: number;
  cost_pusd: bigint;
}

export type ActivityGroupBy = 'model' | 'provider' | 'key';

/** activityGroups: whole UTC days [from, to) of an account (or one key), by model, provider or key, or by day only */
export interface ActivityGroupQuery {
  account_id: string;
  key_id?: string;
  model?: string;
  provider?: string;
  /** the first day, YYYY-MM-DD */
  from: string;
  /** the day after the last, YYYY-MM-DD */
  to: string;
  /** null: per day only */
  by: ActivityGroupBy | null;
  /** how many groups (most cost first) are answered one by one, at most MAX_GROUPS; the others as one */
  groups: number;
}

export interface ActivityTotals {
  requests: number;
  prompt_tokens: number;
  completion_tokens: number;
  reasoning_tokens: number;
  cached_tokens: number;
  cost_pusd: bigint;
}

export interface ActivityGroupRank extends ActivityTotals {
  /** the model, provider or key id ('' for requests that reached no model or provider) */
  group: string;
  /** the key's name (group by key; null if the key is gone) */
  name: string | null;
}

export interface ActivityGroupDay extends ActivityTotals {
  date: string;
  /** a ranked group; null: the day's total (no grouping) or the groups beyond the ranked ones */
  group: string | null;
}

export interface ActivityGroups {
  /** the range's groups, most cost first, at most `groups` of them (none without grouping) */
  groups: ActivityGroupRank[];
  /** there were more groups than `groups`: the rest are summed per day under group null */
  truncated: boolean;
  /** oldest first; in a day, ranked groups in rank order, then the rest */
  days: ActivityGroupDay[];
}

export interface SpendTotal {
  id: string;
  spent_pusd: bigint;
}

/** Keys and accounts written since a directory revision (every create/update bumps it, whichever process wrote). */
export interface DirectoryChanges {
  rev: number;
  keys: KeyRow[];
  accounts: AccountRow[];
}

/** where a keyset page starts: after this row in (created_at, id) order */
export interface PageAfter {
  created_at: string;
  id: string;
}

/** a page of keys, oldest first (created_at, id): a keyset read of the (account_id, created_at, id) index */
export interface KeyPageQuery {
  account_id?: string;
  /** revoked keys too (default: not) */
  include_revoked?: boolean;
  /** only these roles (default: every role) */
  roles?: readonly KeyRole[];
  after?: PageAfter;
  limit: number;
}

export interface Storage {
  migrate(): Promise<void>;
  // accounts
  createAccount(row: AccountRow): Promise<void>;
  getAccount(id: string): Promise<AccountRow | null>;
  listAccounts(): Promise<AccountRow[]>;
  /** accounts oldest first (created_at, id), `limit` of them after `after` */
  listAccountsPage(q: { after?: PageAfter; limit: number }): Promise<AccountRow[]>;
  updateAccount(
    id: string,
    patch: Partial<Pick<AccountRow, 'name' | 'credits_pusd' | 'enabled_providers'>>,
  ): Promise<AccountRow | null>;
  // keys
  createKey(row: KeyRow): Promise<void>;
  getKey(id: string): Promise<KeyRow | null>;
  listKeys(accountId?: string): Promise<KeyRow[]>;
  /** the key whose hash (sha256 hex of the full key) this is: one read of the unique index on hash */
  findKeyByHash(hash: string): Promise<KeyRow | null>;
  listKeysPage(q: KeyPageQuery): Promise<KeyRow[]>;
  updateKey(
    id: string,
    patch: Partial<Omit<KeyRow, 'id' | 'account_id' | 'hash' | 'created_at'>>,
  ): Promise<KeyRow | null>;
  /**
   * Keys and accounts changed after revision `since` (all of them for 0), with the current revision: how a
   * running server learns of writes made by another process (`arouter keys revoke`, another instance).
   */
  directoryChanges(since: number): Promise<DirectoryChanges>;
  /** the current directory revision alone (a start that caches keys on demand reads no key) */
  directoryRevision(): Promise<number>;
  // ledger
  /** `params`: the rows as generationParams() built them already (the ledger builds them once, for its journal) */
  insertGenerations(rows: GenerationRow[], params?: unknown[][]): Promise<void>;
  /**
   * Journal replay at start (rows as generationParams() with the cost as a bigint): inserts the rows whose id is
   * not stored yet and adds the spend of those rows only, in one transaction; resolves with how many it inserted.
   */
  recoverGenerations(rows: unknown[][]): Promise<number>;
  getGeneration(id: string): Promise<GenerationRow | null>;
  /** newest first (created_at DESC, id DESC); `after` pages by keyset, `offset` by skipping */
  listGenerations(f: ActivityFilter): Promise<GenerationRow[]>;
  /** per UTC day; implementations keep per-day totals for whole days (limit/offset/after are ignored) */
  dailyTotals(f: ActivityFilter): Promise<DailyTotal[]>;
  /** per whole UTC day and per model, provider or key, from the per-day rollups (src/store/activity-groups.ts) */
  activityGroups(q: ActivityGroupQuery): Promise<ActivityGroups>;
  /**
   * Ledger retention: deletes up to `limit` generation rows created before `before` (ISO), among the oldest
   * `limit` rows; resolves with how many it deleted (fewer than `limit`: nothing older is left, or the oldest
   * rows are not expired yet). Spend and activity totals per day are kept, so credits, key limits and whole
   * days of dailyTotals are unaffected.
   */
  pruneGenerations(before: string, limit: number): Promise<number>;
  /** lifetime spend per account (for credits) */
  accountSpend(): Promise<SpendTotal[]>;
  /** spend per key since `since` (ISO) — used to rebuild period usage at start. Implementations keep
   *  per-day totals: a UTC midnight (every period start) is answered from them, other instants exactly. */
  keySpendSince(since: string): Promise<SpendTotal[]>;
  close(): Promise<void>;
}
