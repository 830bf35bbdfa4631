// Shared pieces of the accounting end-to-end tests: an independent cost calculator (it does not reuse
// src/accounting, so a bug there cannot hide in both places), priced test models, and small API helpers.
import assert from 'node:assert/strict';
import type { TestGateway } from './gateway.js';

/** exact USD decimal string → picodollars (bigint), written independently of src/accounting/money.ts */
export function pusd(usd: string): bigint {
  const m = /^(\d+)(?:\.(\d{1,12}))?$/.exec(usd);
  assert.ok(m, `not a plain USD decimal: ${usd}`);
  return BigInt(m[1]) * 10n ** 12n + BigInt((m[2] ?? '').padEnd(12, '0'));
}

/** picodollars → the canonical decimal string the API uses for *_exact fields */
export function usdString(p: bigint): string {
  const whole = p / 10n ** 12n;
  const frac = (p % 10n ** 12n).toString().padStart(12, '0').replace(/0+$/, '');
  return frac ? `${whole}.${frac}` : `${whole}`;
}

export interface PriceTable {
  prompt: string;
  completion: string;
  request: string;
  image: string;
  web_search: string;
  internal_reasoning: string;
  input_cache_read: string;
  input_cache_write: string;
}

export interface Counts {
  prompt: number;
  completion: number;
  cachedRead: number;
  cacheWrite: number;
  reasoning: number;
  images: number;
}

/**
 * The documented billing rule: prompt tokens include cached read/write tokens, completion tokens include
 * reasoning tokens; cache prices of "0" mean "not published" (billed as prompt), internal_reasoning "0"
 * means billed as completion; plus the per-request fee and the per-image fee.
 */
export function expectedCost(p: PriceTable, c: Counts): bigint {
  const prompt = pusd(p.prompt);
  const completion = pusd(p.completion);
  const read = pusd(p.input_cache_read) || prompt;
  const write = pusd(p.input_cache_write) || prompt;
  const reasoning = pusd(p.internal_reasoning) || completion;
  const uncached = BigInt(c.prompt - c.cachedRead - c.cacheWrite);
  assert.ok(uncached >= 0n, 'cached tokens are part of prompt tokens');
  assert.ok(c.reasoning <= c.completion, 'reasoning tokens are part of completion tokens');
  return (
    uncached * prompt +
    BigInt(c.cachedRead) * read +
    BigInt(c.cacheWrite) * write +
    BigInt(c.completion - c.reasoning) * completion +
    BigInt(c.reasoning) * reasoning +
    pusd(p.request) +
    BigInt(c.images) * pusd(p.image)
  );
}

/** the double nearest to an exact pUSD amount (what `usage.cost` must be) */
export const usdNumber = (p: bigint): number => Number(p) / 1e12;

/** every price field non-zero and distinct, so a component billed at the wrong price changes the total */
export const ALL_PRICES: PriceTable = {
  prompt: '0.000003',
  completion: '0.000015',
  request: '0.0004',
  image: '0.0012',
  web_search: '0.01',
  internal_reasoning: '0.00002',
  input_cache_read: '0.0000003',
  input_cache_write: '0.00000375',
};

/** a config `models:` entry with one endpoint on an existing catalog provider */
export function pricedModel(
  id: string,
  provider: string,
  upstreamModel: string,
  tokenizer: string,
  opts: { pricing?: PriceTable; maxCompletion?: number; reasoning?: boolean; contextLength?: number } = {},
) {
  return {
    id,
    name: id,
    context_length: opts.contextLength ?? 200_000,
    architecture: { input_modalities: ['text', 'image'], output_modalities: ['text'], tokenizer, instruct_type: null },
    supported_parameters: [
      'max_tokens',
      'temperature',
      'stop',
      'tools',
      'tool_choice',
      ...(opts.reasoning === false ? [] : ['reasoning', 'include_reasoning']),
    ],
    reasoning:
      opts.reasoning === false
        ? null
        : {
            supported_efforts: ['low', 'medium', 'high'],
            default_effort: null,
            mandatory: false,
            supports_max_tokens: true,
          },
    endpoints: [
      {
        provider,
        model: upstreamModel,
        pricing: opts.pricing ?? ALL_PRICES,
        context_length: opts.contextLength ?? 200_000,
        max_completion_tokens: opts.maxCompletion ?? 64_000,
        quantization: null,
        is_moderated: false,
      },
    ],
  };
}

export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  prompt_tokens_details: { cached_tokens: number; cache_write_tokens: number };
  completion_tokens_details: { reasoning_tokens: number };
  cost: number;
  estimated?: boolean;
}

export interface Generation {
  id: string;
  created_at: string;
  kind: string;
  key_id: string;
  model: string | null;
  provider_name: string | null;
  provider_model: string | null;
  streamed: boolean;
  cancelled: boolean;
  status: number;
  finish_reason: string | null;
  tokens_prompt: number;
  tokens_completion: number;
  tokens_reasoning: number;
  tokens_cached: number;
  tokens_cache_write: number;
  tokens_estimated: boolean;
  total_cost: number;
  total_cost_exact: string;
}

export interface Daily {
  date: string;
  requests: number;
  prompt_tokens: number;
  completion_tokens: number;
  cost: number;
  cost_exact: string;
}

export const countsOf = (u: Usage, images = 0): Counts => ({
  prompt: u.prompt_tokens,
  completion: u.completion_tokens,
  cachedRead: u.prompt_tokens_details.cached_tokens,
  cacheWrite: u.prompt_tokens_details.cache_write_tokens,
  reasoning: u.completion_tokens_details.reasoning_tokens,
  images,
});

export const rowCounts = (g: Generation, images = 0): Counts => ({
  prompt: g.tokens_prompt,
  completion: g.tokens_completion,
  cachedRead: g.tokens_cached,
  cacheWrite: g.tokens_cache_write,
  reasoning: g.tokens_reasoning,
  images,
});

export async function json<T>(res: Response | Promise<Response>, status = 200): Promise<T> {
  const r = await res;
  const text = await r.text();
  assert.equal(r.status, status, `HTTP ${r.status} (expected ${status}): ${text.slice(0, 500)}`);
  return JSON.parse(text) as T;
}

/** POST /v1/keys as the admin; returns the new key's secret and id */
export async function createKey(gw: TestGateway, body: Record<string, unknown>): Promise<{ key: string; id: string }> {
  const r = await json<{ key: string; data: { id: string } }>(gw.fetch('/keys', { method: 'POST', json: body }), 201);
  return { key: r.key, id: r.data.id };
}

export async function generation(gw: TestGateway, id: string, key?: string): Promise<Generation> {
  return (await json<{ data: Generation }>(gw.fetch(`/generation?id=${encodeURIComponent(id)}`, { key }))).data;
}

/** polls until the generation row exists (a cancelled request settles when the server notices the close) */
export async function waitForGeneration(
  gw: TestGateway,
  id: string,
  key?: string,
  timeoutMs = 10_000,
): Promise<Generation> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const res = await gw.fetch(`/generation?id=${encodeURIComponent(id)}`, { key });
    if (res.status === 200) return ((await res.json()) as { data: Generation }).data;
    await res.body?.cancel();
    if (Date.now() > until) assert.fail(`generation ${id} never appeared (last status ${res.status})`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export async function activity(
  gw: TestGateway,
  query = '',
  key?: string,
): Promise<{ data: Generation[]; daily: Daily[] }> {
  return json(gw.fetch(`/activity?limit=1000${query ? `&${query}` : ''}`, { key }));
}

export const sumExact = (rows: Array<{ total_cost_exact: string }>): bigint =>
  rows.reduce((s, g) => s + pusd(g.total_cost_exact), 0n);
export const sumDaily = (days: Daily[]): bigint => days.reduce((s, d) => s + pusd(d.cost_exact), 0n);

/** one chat request through the gateway; returns status, headers and the parsed body */
export async function chat(gw: TestGateway, body: Record<string, unknown>, key?: string) {
  const res = await gw.fetch('/chat/completions', { method: 'POST', json: body, key });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: JSON.parse(text) as Record<string, any> };
}

export interface StreamOutcome {
  status: number;
  headers: Headers;
  id: string | null;
  content: string;
  chunks: Array<Record<string, any>>;
  usage: Usage | null;
  finish: string | null;
  /** the in-band error chunk's error, or the JSON error body of a non-200 answer */
  error: {
    message: string;
    code?: number;
    type?: string;
    metadata?: { code?: string | null; error_type?: string };
  } | null;
  done: boolean;
}

/** a streamed chat request, read to the end (SSE `data:` lines) */
export async function chatStream(gw: TestGateway, body: Record<string, unknown>, key?: string): Promise<StreamOutcome> {
  const res = await gw.fetch('/chat/completions', { method: 'POST', json: { ...body, stream: true }, key });
  const out: StreamOutcome = {
    status: res.status,
    headers: res.headers,
    id: res.headers.get('x-arouter-generation-id'),
    content: '',
    chunks: [],
    usage: null,
    finish: null,
    error: null,
    done: false,
  };
  const text = await res.text();
  if (res.status !== 200) {
    out.error = (JSON.parse(text) as { error: { message: string } }).error;
    return out;
  }
  for (const line of text.split('\n')) {
    if (!line.startsWith('data: ')) continue;
    const data = line.slice(6);
    if (data === '[DONE]') {
      out.done = true;
      continue;
    }
    const c = JSON.parse(data) as Record<string, any>;
    out.chunks.push(c);
    if (c.error) out.error = c.error;
    if (c.usage) out.usage = c.usage;
    const choice = c.choices?.[0];
    if (choice?.delta?.content) out.content += choice.delta.content;
    if (choice?.finish_reason) out.finish = choice.finish_reason;
  }
  return out;
}

/**
 * Fixed per-minute rate-limit windows restart on the minute: wait until a window has at least `needMs`
 * left, so a burst of requests cannot straddle a boundary.
 */
export async function awaitFreshMinute(needMs = 15_000): Promise<void> {
  const left = 60_000 - (Date.now() % 60_000);
  if (left < needMs) await new Promise((r) => setTimeout(r, left + 50));
}
