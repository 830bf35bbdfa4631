// A generation row as the parameters of its INSERT, in column order (plain values: they cross to the writer
// thread and are what the ledger journal stores). Built once per row, when the ledger accepts it.
import type { GenerationRow } from './types.js';

/** what the per-day totals (spend_daily, activity_daily) read of a row */
export type Totalled = Pick<
  GenerationRow,
  | 'account_id'
  | 'key_id'
  | 'created_at'
  | 'model'
  | 'provider'
  | 'prompt_tokens'
  | 'completion_tokens'
  | 'reasoning_tokens'
  | 'cached_tokens'
  | 'cost_pusd'
>;

/** the totalled fields of a row given as its INSERT parameters (the journal's replay) */
export function totalledOf(p: unknown[]): Totalled {
  return {
    account_id: p[P_ACCOUNT] as string,
    key_id: p[P_KEY] as string,
    created_at: p[P_CREATED] as string,
    model: p[P_MODEL] as string | null,
    provider: p[P_PROVIDER] as string | null,
    prompt_tokens: p[P_PROMPT] as number,
    completion_tokens: p[P_COMPLETION] as number,
    reasoning_tokens: p[P_REASONING] as number,
    cached_tokens: p[P_CACHED] as number,
    cost_pusd: p[P_COST] as bigint,
  };
}

/** positions the journal's replay reads back (key, account and day of the spend it adds) */
export const P_ID = 0;
export const P_ACCOUNT = 1;
export const P_KEY = 2;
export const P_MODEL = 4;
export const P_PROVIDER = 5;
export const P_PROMPT = 9;
export const P_COMPLETION = 10;
export const P_REASONING = 11;
export const P_CACHED = 12;
export const P_COST = 15;
export const P_CREATED = 24;
export const PARAM_COUNT = 25;

export const INSERT_GENERATION = `INSERT INTO generations (id, account_id, key_id, requested_model, model, provider, endpoint,
  upstream_id, attempts, prompt_tokens, completion_tokens, reasoning_tokens, cached_tokens, cache_write_tokens,
  tokens_estimated, cost_pusd, latency_ms, ttft_ms, finish_reason, status, streamed, cancelled, route, kind, created_at)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;

export function generationParams(g: GenerationRow): unknown[] {
  return [
    g.id,
    g.account_id,
    g.key_id,
    g.requested_model,
    g.model,
    g.provider,
    g.endpoint,
    g.upstream_id,
    JSON.stringify(g.attempts),
    g.prompt_tokens,
    g.completion_tokens,
    g.reasoning_tokens,
    g.cached_tokens,
    g.cache_write_tokens,
    g.tokens_estimated ? 1 : 0,
    g.cost_pusd,
    Math.round(g.latency_ms),
    g.ttft_ms === null ? null : Math.round(g.ttft_ms),
    g.finish_reason,
    g.status,
    g.streamed ? 1 : 0,
    g.cancelled ? 1 : 0,
    g.route === null || g.route === undefined ? null : JSON.stringify(g.route),
    g.kind,
    g.created_at,
  ];
}

/** One JSON line; the cost (a bigint, which JSON cannot hold) as a decimal string. */
export function paramsLine(p: unknown[]): string {
  const cost = p[P_COST];
  p[P_COST] = String(cost);
  try {
    return JSON.stringify(p) + '\n';
  } finally {
    p[P_COST] = cost;
  }
}

/** The parameters a journal line holds, or null when it is not a whole line (a write cut by a crash). */
export function paramsFromLine(line: string): unknown[] | null {
  let p: unknown;
  try {
    p = JSON.parse(line);
  } catch {
    return null;
  }
  if (!Array.isArray(p) || p.length !== PARAM_COUNT || typeof p[P_ID] !== 'string' || typeof p[P_COST] !== 'string')
    return null;
  if (!/^-?\d+$/.test(p[P_COST] as string) || typeof p[P_CREATED] !== 'string') return null;
  p[P_COST] = BigInt(p[P_COST] as string);
  return p;
}
