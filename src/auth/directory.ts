// The key and account directory: storage is the source of truth, this class keeps every key and account
// in memory so that authenticating a request is one hash + one Map lookup, never a database round trip.
// This process's admin writes go through here (write-through); writes of other processes (`arouter keys`,
// another instance on the same database) are picked up by polling the storage's directory revision, and at once
// when a write is announced (onWrite → Redis pub/sub → invalidate() in every other process).
import type { AccountRow, KeyRole, KeyRow, LimitReset, Storage } from '../store/types.js';
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

export class Directory {
  private byHash = new Map<string, KeyRow>();
  private byId = new Map<string, KeyRow>();
  private accounts = new Map<string, AccountRow>();
  /** the storage's directory revision this process has seen */
  private rev = 0;
  private watcher: NodeJS.Timeout | null = null;
  private refreshing: Promise<number> | null = null;

  constructor(
    private store: Storage,
    private envAdminKey: string | null = null,
  ) {}

  async load(): Promise<void> {
    this.byHash.clear();
    this.byId.clear();
    this.accounts.clear();
    this.hashMemo.clear();
    const all = await this.store.directoryChanges(0);
    for (const a of all.accounts) this.accounts.set(a.id, a);
    for (const k of all.keys) this.index(k);
    this.rev = all.rev;
    if (this.envAdminKey) {
      const now = new Date(0).toISOString();
      this.index({
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
      });
    }
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
        for (const k of c.keys) this.index(k);
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

  private index(k: KeyRow): void {
    const old = this.byId.get(k.id);
    if (old) this.byHash.delete(old.hash);
    this.byId.set(k.id, k);
    this.byHash.set(k.hash, k);
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
    for (const k of this.byId.values())
      if (k.role === 'operator' && !k.revoked_at) return { createdAccount, adminKey: null };
    const { key } = await this.createKey({ name: 'admin', role: 'operator' });
    return { createdAccount, adminKey: key };
  }

  /** Looks a presented key up; returns null when unknown. Validity (revoked, expired…) is the caller's check. */
  findByKey(presented: string): KeyRow | null {
    // The hash of a presented key is memoised (a pure function of it): sha256 through node:crypto costs
    // ~5 µs, a Map hit well under one. Only keys that exist are remembered: memoising every presented token let
    // 9,900 distinct 15 KB tokens keep +153 MB resident (issue 12).
    const memo = this.hashMemo.get(presented);
    if (memo !== undefined) return this.byHash.get(memo) ?? null;
    if (presented.length > MAX_PRESENTED_KEY) return null;
    const hash = hashKey(presented);
    const row = this.byHash.get(hash);
    if (row === undefined) return null;
    if (this.hashMemo.size >= 10_000) this.hashMemo.clear();
    this.hashMemo.set(presented, hash);
    return row;
  }

  getKey(id: string): KeyRow | null {
    return this.byId.get(id) ?? null;
  }

  listKeys(accountId?: string): KeyRow[] {
    return [...this.byId.values()].filter((k) => k.id !== ENV_ADMIN_ID && (!accountId || k.account_id === accountId));
  }

  getAccount(id: string): AccountRow | null {
    return this.accounts.get(id) ?? null;
  }

  listAccounts(): AccountRow[] {
    return [...this.accounts.values()];
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
    this.index(row);
    this.onWrite?.();
    return { key, row };
  }

  async updateKey(id: string, patch: KeyPatch): Promise<KeyRow | null> {
    if (id === ENV_ADMIN_ID || !this.byId.has(id)) return null;
    const row = await this.store.updateKey(id, { ...patch, updated_at: new Date().toISOString() });
    if (row) this.index(row);
    this.onWrite?.();
    return row;
  }

  async revokeKey(id: string): Promise<KeyRow | null> {
    const k = this.byId.get(id);
    if (!k || id === ENV_ADMIN_ID) return null;
    if (k.revoked_at) return k;
    const now = new Date().toISOString();
    const row = await this.store.updateKey(id, { revoked_at: now, disabled: true, updated_at: now });
    if (row) this.index(row);
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
