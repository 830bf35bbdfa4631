// The key and account directory: storage is the source of truth. Accounts are all kept in memory (they are
// few next to keys, and SpendService already holds a counter per account); keys are cached: the most recently
// used `keyCacheSize` of them (an LRU, default 100,000), so authenticating a hot key is one hash + one Map lookup
// and a cold one costs one indexed storage read (`findKeyByHash`). At 1 M keys, holding them all took ~1.6 KB
// each (1.6 GB per process); the cache bounds that whatever the number of keys stored.
// This process's admin writes go through here (write-through); writes of other processes (`arouter keys`,
// another instance on the same database) are picked up by polling the storage's directory revision, and at once
// when a write is announced (onWrite → Redis pub/sub → invalidate() in every other process): a changed key that is
// cached is replaced, one that is not is read from storage when next presented.
import type { AccountRow, KeyPageQuery, KeyRole, KeyRow, LimitReset, PageAfter, Storage } from '../store/types.js';
import { LruCache } from '../lib/lru.js';
import { generateKey, hashKey, keyLabel, newId } from './keys.js';

export const DEFAULT_ACCOUNT_ID = 'acct_default';

export interface NewKeyInput {
  account_id?: string;
  name: string;
  role?: KeyRole;
  limit_pusd?: bigint | null;
  limit_reset?: LimitReset;
  rate_limit_rpm?: number | null;
  rate_limit_tpm?: number | null;
  expires_at?: string | null;
  disabled?: boolean;
}

export type KeyPatch = Partial<
  Pick<
    KeyRow,
    'name' | 'role' | 'disabled' | 'limit_pusd' | 'limit_reset' | 'rate_limit_rpm' | 'rate_limit_tpm' | 'expires_at'
  >
>;

/** the virtual key behind AROUTER_ADMIN_KEY: never stored, an operator key of the default account */
export const ENV_ADMIN_ID = 'key_env_admin';

/** a presented bearer token longer than any key we issue is refused unhashed (keys are 48 characters) */
const MAX_PRESENTED_KEY = 256;

export const DEFAULT_KEY_CACHE_SIZE = 100_000;

/**
 * Hashes recently looked up and found absent. Bounded and small: random tokens (every one new) never hit it and
 * only cycle it, so a client cannot grow memory with them; it spares storage a read per request when one
 * misconfigured client repeats a wrong key.
 */
const ABSENT_CACHE_SIZE = 4096;

export interface DirectoryOptions {
  /** keys kept in memory at most (the most recently used) */
  keyCacheSize?: number;
}

export class Directory {
  /** cached keys by hash, the most recently used last */
  private keys: LruCache<string, KeyRow>;
  /** hashes of presented keys storage did not hold */
  private absent = new LruCache<string, true>(ABSENT_CACHE_SIZE);
  /** storage reads in flight by hash: concurrent requests with one cold key share one read */
  private pending = new Map<string, Promise<KeyRow | null>>();
  /** AROUTER_ADMIN_KEY's virtual key: never stored, never evicted */
  private envAdmin: KeyRow | null = null;
  /** bumped whenever a refresh applies keys: a storage read that spans one is not cached (it may be older) */
  private keyEpoch = 0;
  private accounts = new Map<string, AccountRow>();
  /** the storage's directory revision this process has seen */
  private rev = 0;
  private watcher: NodeJS.Timeout | null = null;
  private refreshing: Promise<number> | null = null;

  constructor(
    private store: Storage,
    private envAdminKey: string | null = null,
    opts: DirectoryOptions = {},
  ) {
    this.keys = new LruCache(opts.keyCacheSize ?? DEFAULT_KEY_CACHE_SIZE);
  }

  /** keys cached now (tests and the bench watch it stay bounded) */
  get cachedKeys(): number {
    return this.keys.size;
  }

  get keyCacheSize(): number {
    return this.keys.capacity;
  }

  async load(): Promise<void> {
    this.clearKeyCache();
    this.accounts.clear();
    // the revision first: a write landing between the two reads is applied again by the next refresh
    this.rev = await this.store.directoryRevision();
    for (const a of await this.store.listAccounts()) this.accounts.set(a.id, a);
    this.envAdmin = null;
    if (this.envAdminKey) {
      const now = new Date(0).toISOString();
      this.envAdmin = {
        id: ENV_ADMIN_ID,
        account_id: DEFAULT_ACCOUNT_ID,
        name: 'AROUTER_ADMIN_KEY',
        hash: hashKey(this.envAdminKey),
        label: keyLabel(this.envAdminKey),
        role: 'operator',
        disabled: false,
        limit_pusd: null,
        limit_reset: 'never',
        rate_limit_rpm: null,
        rate_limit_tpm: null,
        expires_at: null,
        revoked_at: null,
        created_at: now,
        updated_at: now,
      };
    }
  }

  private clearKeyCache(): void {
    this.keys.clear();
    this.absent.clear();
    this.hashMemo.clear();
    this.keyEpoch++;
  }

  /**
   * Applies what storage holds beyond the revision this process has seen (writes of other processes; its own
   * come back too, unchanged). Resolves with the number of rows applied.
   */
  refresh(): Promise<number> {
    this.refreshing ??= this.store
      .directoryChanges(this.rev)
      .then((c) => {
        for (const a of c.accounts) this.accounts.set(a.id, a);
        // a revision that went backwards: the database was replaced, nothing cached can be trusted
        if (c.rev < this.rev) this.clearKeyCache();
        if (c.keys.length) this.applyChangedKeys(c.keys);
        this.rev = c.rev;
        if (c.accounts.length) this.onAccountsChanged?.();
        return c.accounts.length + c.keys.length;
      })
      .finally(() => (this.refreshing = null));
    return this.refreshing;
  }

  /**
   * Another process announced a write: read it now. A refresh already running may have read storage before that
   * write committed, so this one follows it rather than joining it.
   */
  invalidate(): Promise<number> {
    const running = this.refreshing;
    if (!running) return this.refresh();
    return running.then(
      () => this.refresh(),
      () => this.refresh(),
    );
  }

  /** called after each write this process made to keys or accounts, once storage has it (to announce it) */
  onWrite: (() => void) | null = null;

  /** called when accounts changed (their enabled providers key caches elsewhere) */
  onAccountsChanged: (() => void) | null = null;

  /**
   * Polls storage every `intervalMs` so a key revoked or created by another process takes effect within that
   * time (issue 12: a CLI revoke used to wait for a restart). One prepared point read per poll when idle.
   */
  watch(intervalMs: number, onError: (err: unknown) => void): void {
    if (this.watcher) return;
    this.watcher = setInterval(() => void this.refresh().catch(onError), intervalMs);
    this.watcher.unref();
  }

  unwatch(): void {
    if (this.watcher) clearInterval(this.watcher);
    this.watcher = null;
  }

  /** presented key → its hash, for keys that exist only: an unknown token is never retained */
  private hashMemo = new Map<string, string>();

  /** keys another process (or this one) wrote: a cached one is replaced, a hash known absent is forgotten */
  private applyChangedKeys(rows: KeyRow[]): void {
    this.keyEpoch++;
    for (const k of rows) {
      this.keys.replace(k.hash, k);
      this.absent.delete(k.hash);
    }
  }

  /** a row this process just wrote: cached as the most recently used (a key just created is used next) */
  private cacheKey(k: KeyRow): void {
    this.absent.delete(k.hash);
    this.keys.set(k.hash, k);
  }

  /**
   * First start: create the default account and, when no operator key exists (and `adminKey` is not false),
   * an operator key (returned once, for the caller to show and save).
   */
  async bootstrap(opts: { adminKey?: boolean } = {}): Promise<{ createdAccount: boolean; adminKey: string | null }> {
    let createdAccount = false;
    if (!this.accounts.has(DEFAULT_ACCOUNT_ID)) {
      let a: AccountRow = {
        id: DEFAULT_ACCOUNT_ID,
        name: 'default',
        credits_pusd: null,
        enabled_providers: null,
        created_at: new Date().toISOString(),
      };
      try {
        await this.store.createAccount(a);
        createdAccount = true;
      } catch (err) {
        // another instance on the same database created it first (instances starting together on PostgreSQL)
        const theirs = await this.store.getAccount(DEFAULT_ACCOUNT_ID);
        if (!theirs) throw err;
        a = theirs;
      }
      this.accounts.set(a.id, a);
    }
    if (opts.adminKey === false || this.envAdminKey) return { createdAccount, adminKey: null };
    const operators = await this.store.listKeysPage({ account_id: DEFAULT_ACCOUNT_ID, roles: ['operator'], limit: 1 });
    if (operators.length) return { createdAccount, adminKey: null };
    const { key } = await this.createKey({ name: 'admin', role: 'operator' });
    return { createdAccount, adminKey: key };
  }

  /**
   * Looks a presented key up; null when unknown. Validity (revoked, expired…) is the caller's check. A cached
   * key answers synchronously (no await on the hot path); a key not cached answers a promise of one storage read.
   */
  findByKey(presented: string): KeyRow | null | Promise<KeyRow | null> {
    // The hash of a presented key is memoised (a pure function of it): sha256 through node:crypto costs
    // ~5 µs, a Map hit well under one. Only keys that exist are remembered: memoising every presented token let
    // 9,900 distinct 15 KB tokens keep +153 MB resident (issue 12).
    let hash = this.hashMemo.get(presented);
    if (hash === undefined) {
      if (presented.length > MAX_PRESENTED_KEY) return null;
      hash = hashKey(presented);
    }
    if (this.envAdmin?.hash === hash) return this.envAdmin;
    const row = this.keys.get(hash);
    if (row !== undefined) {
      this.memoise(presented, hash);
      return row;
    }
    if (this.absent.get(hash)) return null;
    return this.loadKey(presented, hash);
  }

  private memoise(presented: string, hash: string): void {
    if (this.hashMemo.has(presented)) return;
    if (this.hashMemo.size >= 10_000) this.hashMemo.clear();
    this.hashMemo.set(presented, hash);
  }

  /** a cache miss: one storage read, shared by concurrent requests presenting the same key */
  private loadKey(presented: string, hash: string): Promise<KeyRow | null> {
    let p = this.pending.get(hash);
    if (!p) {
      const epoch = this.keyEpoch;
      p = this.store
        .findKeyByHash(hash)
        .then(async (row) => {
          // a key of an account created by another process since the last poll: its account is read now
          if (row && !this.accounts.has(row.account_id)) {
            const a = await this.store.getAccount(row.account_id);
            if (a && !this.accounts.has(a.id)) this.accounts.set(a.id, a);
          }
          // a refresh applied while the read was in flight may hold a newer row than the read returned: the
          // row answers this request (it is as fresh as a read) but is not cached; the next request reads again
          if (epoch === this.keyEpoch) {
            if (row) this.keys.set(hash, row);
            else this.absent.set(hash, true);
          }
          return row;
        })
        .finally(() => this.pending.delete(hash));
      this.pending.set(hash, p);
    }
    return p.then((row) => {
      if (row) this.memoise(presented, hash);
      return row;
    });
  }

  /** a key by id (admin routes: a storage read, not cached) */
  async getKey(id: string): Promise<KeyRow | null> {
    if (id === ENV_ADMIN_ID) return this.envAdmin;
    return this.store.getKey(id);
  }

  /** a page of stored keys, oldest first (the env admin key is not stored, so never listed) */
  listKeysPage(q: KeyPageQuery): Promise<KeyRow[]> {
    return this.store.listKeysPage(q);
  }

  getAccount(id: string): AccountRow | null {
    return this.accounts.get(id) ?? null;
  }

  listAccounts(): AccountRow[] {
    return [...this.accounts.values()];
  }

  /** a page of stored accounts, oldest first (a keyset read: the in-memory map has no order to page by) */
  listAccountsPage(q: { after?: PageAfter; limit: number }): Promise<AccountRow[]> {
    return this.store.listAccountsPage(q);
  }

  async createKey(input: NewKeyInput): Promise<{ key: string; row: KeyRow }> {
    const accountId = input.account_id ?? DEFAULT_ACCOUNT_ID;
    if (!this.accounts.has(accountId)) throw new Error(`unknown account ${accountId}`);
    if (input.role === 'operator' && accountId !== DEFAULT_ACCOUNT_ID)
      throw new Error('operator keys belong to the default account');
    const key = generateKey();
    const now = new Date().toISOString();
    const row: KeyRow = {
      id: newId('key'),
      account_id: accountId,
      name: input.name,
      hash: hashKey(key),
      label: keyLabel(key),
      role: input.role ?? 'user',
      disabled: input.disabled ?? false,
      limit_pusd: input.limit_pusd ?? null,
      limit_reset: input.limit_reset ?? 'never',
      rate_limit_rpm: input.rate_limit_rpm ?? null,
      rate_limit_tpm: input.rate_limit_tpm ?? null,
      expires_at: input.expires_at ?? null,
      revoked_at: null,
      created_at: now,
      updated_at: now,
    };
    await this.store.createKey(row);
    this.cacheKey(row);
    this.onWrite?.();
    return { key, row };
  }

  async updateKey(id: string, patch: KeyPatch): Promise<KeyRow | null> {
    if (id === ENV_ADMIN_ID || !(await this.store.getKey(id))) return null;
    const row = await this.store.updateKey(id, { ...patch, updated_at: new Date().toISOString() });
    if (row) this.keys.replace(row.hash, row);
    this.onWrite?.();
    return row;
  }

  async revokeKey(id: string): Promise<KeyRow | null> {
    if (id === ENV_ADMIN_ID) return null;
    const k = await this.store.getKey(id);
    if (!k) return null;
    if (k.revoked_at) return k;
    const now = new Date().toISOString();
    const row = await this.store.updateKey(id, { revoked_at: now, disabled: true, updated_at: now });
    if (row) this.keys.replace(row.hash, row);
    this.onWrite?.();
    return row;
  }

  async createAccount(name: string, credits: bigint | null, enabled: string[] | null): Promise<AccountRow> {
    const a: AccountRow = {
      id: newId('acct'),
      name,
      credits_pusd: credits,
      enabled_providers: enabled,
      created_at: new Date().toISOString(),
    };
    await this.store.createAccount(a);
    this.accounts.set(a.id, a);
    this.onWrite?.();
    return a;
  }

  async updateAccount(id: string, patch: Partial<Pick<AccountRow, 'name' | 'credits_pusd' | 'enabled_providers'>>) {
    if (!this.accounts.has(id)) return null;
    const a = await this.store.updateAccount(id, patch);
    if (a) this.accounts.set(id, a);
    this.onWrite?.();
    return a;
  }
}
