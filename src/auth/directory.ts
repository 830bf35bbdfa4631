// The key and account directory: storage is the source of truth, this class keeps every key and account
// in memory so that authenticating a request is one hash + one Map lookup, never a database round trip.
// Admin mutations go through here (write-through), so the cache cannot go stale on a single node.
import type { AccountRow, KeyRow, LimitReset, Storage } from '../store/types.js';
import { generateKey, hashKey, keyLabel, newId } from './keys.js';

export const DEFAULT_ACCOUNT_ID = 'acct_default';

export interface NewKeyInput {
  account_id?: string;
  name: string;
  is_admin?: boolean;
  limit_pusd?: bigint | null;
  limit_reset?: LimitReset;
  rate_limit_rpm?: number | null;
  rate_limit_tpm?: number | null;
  expires_at?: string | null;
  disabled?: boolean;
}

export type KeyPatch = Partial<
  Pick<KeyRow, 'name' | 'disabled' | 'limit_pusd' | 'limit_reset' | 'rate_limit_rpm' | 'rate_limit_tpm' | 'expires_at'>
>;

/** the virtual key behind AROUTER_ADMIN_KEY: never stored, admin of the default account */
const ENV_ADMIN_ID = 'key_env_admin';

export class Directory {
  private byHash = new Map<string, KeyRow>();
  private byId = new Map<string, KeyRow>();
  private accounts = new Map<string, AccountRow>();

  constructor(
    private store: Storage,
    private envAdminKey: string | null = null,
  ) {}

  async load(): Promise<void> {
    this.byHash.clear();
    this.byId.clear();
    this.accounts.clear();
    for (const a of await this.store.listAccounts()) this.accounts.set(a.id, a);
    for (const k of await this.store.listKeys()) this.index(k);
    if (this.envAdminKey) {
      const now = new Date(0).toISOString();
      this.index({
        id: ENV_ADMIN_ID, account_id: DEFAULT_ACCOUNT_ID, name: 'AROUTER_ADMIN_KEY', hash: hashKey(this.envAdminKey),
        label: keyLabel(this.envAdminKey), is_admin: true, disabled: false, limit_pusd: null, limit_reset: 'never',
        rate_limit_rpm: null, rate_limit_tpm: null, expires_at: null, revoked_at: null, created_at: now, updated_at: now,
      });
    }
  }

  private hashMemo = new Map<string, string>();

  private index(k: KeyRow): void {
    const old = this.byId.get(k.id);
    if (old) this.byHash.delete(old.hash);
    this.byId.set(k.id, k);
    this.byHash.set(k.hash, k);
  }

  /** First start: create the default account and, when no admin key exists, an admin key (returned once). */
  async bootstrap(): Promise<{ createdAccount: boolean; adminKey: string | null }> {
    let createdAccount = false;
    if (!this.accounts.has(DEFAULT_ACCOUNT_ID)) {
      const a: AccountRow = {
        id: DEFAULT_ACCOUNT_ID, name: 'default', credits_pusd: null, enabled_providers: null, created_at: new Date().toISOString(),
      };
      await this.store.createAccount(a);
      this.accounts.set(a.id, a);
      createdAccount = true;
    }
    const hasStoredAdmin = [...this.byId.values()].some((k) => k.is_admin && k.id !== ENV_ADMIN_ID && !k.revoked_at);
    if (hasStoredAdmin || this.envAdminKey) return { createdAccount, adminKey: null };
    const { key } = await this.createKey({ name: 'admin', is_admin: true });
    return { createdAccount, adminKey: key };
  }

  /** Looks a presented key up; returns null when unknown. Validity (revoked, expired…) is the caller's check. */
  findByKey(presented: string): KeyRow | null {
    // The hash of a presented key is memoised (a pure function of it): sha256 through node:crypto costs
    // ~5 µs, a Map hit well under one. Bounded, so a client spraying random keys only churns the memo.
    let hash = this.hashMemo.get(presented);
    if (hash === undefined) {
      hash = hashKey(presented);
      if (this.hashMemo.size >= 10_000) this.hashMemo.clear();
      this.hashMemo.set(presented, hash);
    }
    return this.byHash.get(hash) ?? null;
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
    const key = generateKey();
    const now = new Date().toISOString();
    const row: KeyRow = {
      id: newId('key'), account_id: accountId, name: input.name, hash: hashKey(key), label: keyLabel(key),
      is_admin: input.is_admin ?? false, disabled: input.disabled ?? false, limit_pusd: input.limit_pusd ?? null,
      limit_reset: input.limit_reset ?? 'never', rate_limit_rpm: input.rate_limit_rpm ?? null,
      rate_limit_tpm: input.rate_limit_tpm ?? null, expires_at: input.expires_at ?? null, revoked_at: null,
      created_at: now, updated_at: now,
    };
    await this.store.createKey(row);
    this.index(row);
    return { key, row };
  }

  async updateKey(id: string, patch: KeyPatch): Promise<KeyRow | null> {
    if (id === ENV_ADMIN_ID || !this.byId.has(id)) return null;
    const row = await this.store.updateKey(id, { ...patch, updated_at: new Date().toISOString() });
    if (row) this.index(row);
    return row;
  }

  async revokeKey(id: string): Promise<KeyRow | null> {
    const k = this.byId.get(id);
    if (!k || id === ENV_ADMIN_ID) return null;
    if (k.revoked_at) return k;
    const now = new Date().toISOString();
    const row = await this.store.updateKey(id, { revoked_at: now, disabled: true, updated_at: now });
    if (row) this.index(row);
    return row;
  }

  async createAccount(name: string, credits: bigint | null, enabled: string[] | null): Promise<AccountRow> {
    const a: AccountRow = { id: newId('acct'), name, credits_pusd: credits, enabled_providers: enabled, created_at: new Date().toISOString() };
    await this.store.createAccount(a);
    this.accounts.set(a.id, a);
    return a;
  }

  async updateAccount(id: string, patch: Partial<Pick<AccountRow, 'name' | 'credits_pusd' | 'enabled_providers'>>) {
    if (!this.accounts.has(id)) return null;
    const a = await this.store.updateAccount(id, patch);
    if (a) this.accounts.set(id, a);
    return a;
  }
}
