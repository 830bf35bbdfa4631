// GET /v1/generation?id= (the key that made it; admin: its account; operator: any) and GET /v1/activity (the
// key's rows, an admin key's whole account, an operator's any account), with date/model/provider filters and
// daily totals; the listing also filters by `status` (ok / error / a code) and `streamed`. Activity pages by
// `cursor` (opaque: base64url of the last row's `created_at|id`, answered as `next_cursor`);
// `offset` is kept for compatibility, bounded so a page never walks more than MAX_OFFSET skipped rows.
import type { AuthedContext, Route } from '../context.js';
import { badRequest, notFound } from '../errors.js';
import { sendJson } from '../respond.js';
import { formatUsd, toNumberUsd } from '../../accounting/money.js';
import type { ActivityFilter, GenerationRow } from '../../store/types.js';
import { routeOfGeneration } from '../../routing/index.js';
import { canManageAccount } from '../../auth/roles.js';
import { activityScope } from '../activity-filter.js';

export function generationJson(g: GenerationRow) {
  return {
    id: g.id,
    created_at: g.created_at,
    kind: g.kind,
    key_id: g.key_id,
    requested_model: g.requested_model,
    model: g.model,
    provider_name: g.provider,
    provider_model: g.endpoint,
    upstream_id: g.upstream_id,
    streamed: g.streamed,
    cancelled: g.cancelled,
    status: g.status,
    finish_reason: g.finish_reason,
    latency: Math.round(g.latency_ms),
    time_to_first_token: g.ttft_ms === null ? null : Math.round(g.ttft_ms),
    tokens_prompt: g.prompt_tokens,
    tokens_completion: g.completion_tokens,
    tokens_reasoning: g.reasoning_tokens,
    tokens_cached: g.cached_tokens,
    tokens_cache_write: g.cache_write_tokens,
    tokens_estimated: g.tokens_estimated,
    total_cost: toNumberUsd(g.cost_pusd),
    total_cost_exact: formatUsd(g.cost_pusd),
    attempts: g.attempts,
    route: routeOfGeneration(g.route, { model: g.model, provider: g.provider, endpoint: g.endpoint }),
  };
}

/**
 * The fields OpenRouter's generation object has beyond ours, which its SDK requires (each one missing failed the
 * lookup's validation): what we know (native token counts are the provider's own, the attempts are its
 * provider_responses, the cost is its `usage`), null for what ARouter has no notion of. `model` is never null there:
 * a request no model answered shows the one asked for.
 */
function openRouterGenerationFields(g: GenerationRow) {
  return {
    model: g.model ?? g.requested_model,
    api_type: g.kind === 'embeddings' ? 'embeddings' : 'completions',
    usage: toNumberUsd(g.cost_pusd),
    upstream_inference_cost: null,
    cache_discount: null,
    is_byok: false,
    native_finish_reason: null,
    native_tokens_prompt: g.prompt_tokens,
    native_tokens_completion: g.completion_tokens,
    native_tokens_reasoning: g.reasoning_tokens,
    native_tokens_cached: g.cached_tokens,
    native_tokens_completion_images: null,
    num_media_prompt: null,
    num_media_completion: null,
    num_input_audio_prompt: null,
    num_search_results: null,
    num_fetches: null,
    generation_time: null,
    moderation_latency: null,
    provider_responses: g.attempts.map((a) => ({
      provider_name: a.provider,
      status: a.status,
      latency: a.duration_ms,
    })),
    origin: '',
    app_id: null,
    http_referer: null,
    user_agent: null,
    external_user: null,
    preset_id: null,
    router: null,
    service_tier: null,
    web_search_engine: null,
    data_region: 'global',
    workspace_id: g.account_id,
  };
}

async function getGeneration(ctx: AuthedContext): Promise<void> {
  const id = ctx.url.searchParams.get('id');
  if (!id) throw badRequest('Missing query parameter "id"', 'id');
  const row = ctx.app.ledger.pending(id) ?? (await ctx.app.store.getGeneration(id));
  const mine =
    row && (row.key_id === ctx.key.id || (ctx.key.role !== 'user' && canManageAccount(ctx.key, row.account_id)));
  if (!row || !mine) throw notFound(`Generation ${id} not found`, 'generation_not_found');
  sendJson(ctx.res, 200, { data: { ...generationJson(row), ...openRouterGenerationFields(row) } });
}

const DATE = /^\d{4}-\d{2}-\d{2}(T[\d:.]+Z?)?$/;

// OFFSET walks every skipped row: at 300k rows of one key offset 150,000 took 320 ms, 10,000 takes 17 ms (measured)
const MAX_OFFSET = 10_000;

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

export const encodeCursor = (g: Pick<GenerationRow, 'created_at' | 'id'>): string =>
  Buffer.from(`${g.created_at}|${g.id}`).toString('base64url');

function decodeCursor(cursor: string): NonNullable<ActivityFilter['after']> {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const bar = text.indexOf('|');
  const created_at = text.slice(0, bar);
  const id = text.slice(bar + 1);
  if (bar < 0 || !ISO.test(created_at) || id === '') {
    throw badRequest('"cursor" is not a cursor this API gave: pass the "next_cursor" of the previous page', 'cursor');
  }
  return { created_at, id };
}

/** `status`: ok (below 400), error (400 and above, cancelled requests' 499 too) or one HTTP status */
function statusFilter(v: string | null): ActivityFilter['status'] {
  if (v === null || v === '') return undefined;
  if (v === 'ok' || v === 'error') return v;
  if (/^[1-5]\d\d$/.test(v)) return Number(v);
  throw badRequest('"status" must be ok, error or an HTTP status (e.g. 429)', 'status');
}

function streamedFilter(v: string | null): boolean | undefined {
  if (v === null || v === '') return undefined;
  if (v === 'true' || v === 'false') return v === 'true';
  throw badRequest('"streamed" must be true or false', 'streamed');
}

async function activity(ctx: AuthedContext): Promise<void> {
  const q = ctx.url.searchParams;
  const f = activityScope(ctx);
  for (const [param, field] of [
    ['from', 'from'],
    ['to', 'to'],
  ] as const) {
    const v = q.get(param);
    if (!v) continue;
    if (!DATE.test(v) || Number.isNaN(Date.parse(v)))
      throw badRequest(`"${param}" must be an ISO date (YYYY-MM-DD) or date-time`, param);
    // every API timestamp is UTC: a date-time without "Z" is too (Date would read it in the server's zone)
    const iso = v.length > 10 && !v.endsWith('Z') ? `${v}Z` : v;
    // a bare date for `to` means the whole day is included
    f[field] =
      param === 'to' && v.length === 10
        ? new Date(Date.parse(v) + 86_400_000).toISOString()
        : new Date(iso).toISOString();
  }
  const limit = Number(q.get('limit') ?? 100);
  const offset = Number(q.get('offset') ?? 0);
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw badRequest('"limit" must be 1..1000', 'limit');
  if (!Number.isInteger(offset) || offset < 0) throw badRequest('"offset" must be ≥ 0', 'offset');
  if (offset > MAX_OFFSET) {
    throw badRequest(
      `"offset" must be ≤ ${MAX_OFFSET}: page deeper with "cursor" (the "next_cursor" of the previous page)`,
      'offset',
    );
  }
  const cursor = q.get('cursor');
  if (cursor !== null && offset > 0)
    throw badRequest('"offset" and "cursor" cannot be combined: use "cursor"', 'offset');
  const after = cursor ? decodeCursor(cursor) : undefined;
  // the listing's own filters: the daily totals (per-day rollups) have no status
  const rowsOf: ActivityFilter = {
    ...f,
    status: statusFilter(q.get('status')),
    streamed: streamedFilter(q.get('streamed')),
  };
  // the ledger is written in batches: flush so the listing includes requests that just finished
  await ctx.app.ledger.flush();
  // one row more than the page tells whether there is a next one
  const [rows, days] = await Promise.all([
    ctx.app.store.listGenerations({ ...rowsOf, limit: limit + 1, offset, after }),
    ctx.app.store.dailyTotals(f),
  ]);
  const page = rows.slice(0, limit);
  sendJson(ctx.res, 200, {
    data: page.map(generationJson),
    next_cursor: rows.length > limit ? encodeCursor(page[page.length - 1]!) : null,
    daily: days.map((d) => ({
      date: d.date,
      requests: d.requests,
      prompt_tokens: d.prompt_tokens,
      completion_tokens: d.completion_tokens,
      cost: toNumberUsd(d.cost_pusd),
      cost_exact: formatUsd(d.cost_pusd),
    })),
  });
}

export const ledgerRoutes: Route[] = [
  { method: 'GET', path: '/v1/generation', auth: 'user', handler: getGeneration },
  { method: 'GET', path: '/v1/activity', auth: 'user', handler: activity },
];
