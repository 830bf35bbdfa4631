// Stored rows as the Storage interface's values, for both engines: their drivers return INTEGER columns as
// numbers and BIGINT ones as bigints (SQLite's with safe integers on: every integer as a bigint), booleans as
// INTEGER 0/1 and JSON as TEXT.
import type { AccountRow, GenerationRow, KeyRow, SpendTotal } from './types.js';

export type Row = Record<string, unknown>;

export const big = (v: unknown): bigint | null => (v === null || v === undefined ? null : BigInt(v as bigint | number));
export const num = (v: unknown): number => (typeof v === 'bigint' ? Number(v) : (v as number));
export const bool = (v: unknown): boolean => num(v) === 1;

export function accountFrom(r: Row): AccountRow {
  return {
    id: r.id as string,
    name: r.name as string,
    credits_pusd: big(r.credits_pusd),
    enabled_providers: r.enabled_providers === null ? null : (JSON.parse(r.enabled_providers as string) as string[]),
    created_at: r.created_at as string,
  };
}

export function keyFrom(r: Row): KeyRow {
  return {
    id: r.id as string,
    account_id: r.account_id as string,
    name: r.name as string,
    hash: r.hash as string,
    label: r.label as string,
    role: r.role as KeyRow['role'],
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

export function spendTotals(rows: unknown[]): SpendTotal[] {
  return (rows as Row[]).map((r) => ({ id: r.id as string, spent_pusd: BigInt((r.s as bigint | null) ?? 0n) }));
}

export function generationFrom(r: Row): GenerationRow {
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

/** the key columns updateKey may set */
export const KEY_COLUMNS = [
  'name',
  'label',
  'role',
  'disabled',
  'limit_pusd',
  'limit_reset',
  'rate_limit_rpm',
  'rate_limit_tpm',
  'expires_at',
  'revoked_at',
  'updated_at',
] as const;

export function toSql(v: unknown): unknown {
  if (typeof v === 'boolean') return v ? 1 : 0;
  return v;
}

// Directory writes, the same SQL for both engines (`?` placeholders). Each takes the write's directory revision.
export const INSERT_ACCOUNT =
  'INSERT INTO accounts (id, name, credits_pusd, enabled_providers, created_at, rev) VALUES (?, ?, ?, ?, ?, ?)';

export function accountParams(a: AccountRow, rev: number | bigint): unknown[] {
  const providers = a.enabled_providers === null ? null : JSON.stringify(a.enabled_providers);
  return [a.id, a.name, a.credits_pusd, providers, a.created_at, rev];
}

export const INSERT_KEY = `INSERT INTO api_keys (id, account_id, name, hash, label, role, is_admin, disabled, limit_pusd,
  limit_reset, rate_limit_rpm, rate_limit_tpm, expires_at, revoked_at, created_at, updated_at, rev)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;

export function keyParams(k: KeyRow, rev: number | bigint): unknown[] {
  return [
    k.id,
    k.account_id,
    k.name,
    k.hash,
    k.label,
    k.role,
    k.role === 'user' ? 0 : 1,
    k.disabled ? 1 : 0,
    k.limit_pusd,
    k.limit_reset,
    k.rate_limit_rpm,
    k.rate_limit_tpm,
    k.expires_at,
    k.revoked_at,
    k.created_at,
    k.updated_at,
    rev,
  ];
}

/** an account patch as `UPDATE accounts SET …` assignments; null when it changes nothing */
export function accountSets(
  patch: Partial<Pick<AccountRow, 'name' | 'credits_pusd' | 'enabled_providers'>>,
): { sql: string; vals: unknown[] } | null {
  const sets: string[] = [];
  const vals: unknown[] = [];
  if (patch.name !== undefined) {
    sets.push('name = ?');
    vals.push(patch.name);
  }
  if (patch.credits_pusd !== undefined) {
    sets.push('credits_pusd = ?');
    vals.push(patch.credits_pusd);
  }
  if (patch.enabled_providers !== undefined) {
    sets.push('enabled_providers = ?');
    vals.push(patch.enabled_providers === null ? null : JSON.stringify(patch.enabled_providers));
  }
  return sets.length ? { sql: sets.join(', '), vals } : null;
}

/** a key patch as `UPDATE api_keys SET …` assignments (is_admin kept equal to role <> 'user'); null when empty */
export function keySets(
  patch: Partial<Omit<KeyRow, 'id' | 'account_id' | 'hash' | 'created_at'>>,
): { sql: string; vals: unknown[] } | null {
  const sets: string[] = [];
  const vals: unknown[] = [];
  for (const c of KEY_COLUMNS) {
    if (patch[c] === undefined) continue;
    sets.push(`${c} = ?`);
    vals.push(toSql(patch[c]));
  }
  if (patch.role !== undefined) {
    sets.push('is_admin = ?');
    vals.push(patch.role === 'user' ? 0 : 1);
  }
  return sets.length ? { sql: sets.join(', '), vals } : null;
}
