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
