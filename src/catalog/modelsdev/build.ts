// models.dev entries → our catalog: one model per canonical id, one endpoint per provider serving it.
// Decisions (documented in README "Catalog"):
// - an entry we cannot serve (no text in or out, speech/realtime-only, routers, unpriced) is skipped, with why;
// - a price of 0/0 outside OpenRouter's explicit `:free` listings means "unknown" in the source, never "free";
// - a deprecated entry is dropped when the model has a live one elsewhere; a model whose every source is
//   deprecated stays, with expiration_date = snapshot date + the grace period (the source gives no date).
import type { CatalogData, EndpointDef, ModelDef, ProviderDef } from '../types.js';
import {
  createdOf,
  describe,
  isEmbeddingEntry,
  modalitiesOf,
  paramsOf,
  pricingOf,
  qualityTierOf,
  reasoningOf,
  sortParams,
  tokenizerOf,
  type Toml,
} from './facts.js';
import { authorOf, authorOfName, FIRST_PARTY, idFromBase, normaliseSlug, PROVIDER_IDS } from './ids.js';
import type { SourceEntry } from './read.js';

export interface ImportOptions {
  /** "f3fc692 2026-07-02" */
  snapshot: string;
  /** YYYY-MM-DD of the snapshot */
  snapshotDate: string;
  providers: ProviderDef[];
  /** "provider:key" → canonical id, where the spelling rules get it wrong */
  ids?: Record<string, string>;
  /** "provider:key" or a canonical id → why it is not imported */
  skip?: Record<string, string>;
  deprecationGraceDays?: number;
  /** OpenRouter endpoints only on models no other provider serves (default true) */
  openrouterFillsGaps?: boolean;
}

export interface Skipped {
  entry: string;
  reason: string;
}

const MAKERS: Record<string, string> = {
  openai: 'OpenAI',
  anthropic: 'Anthropic',
  google: 'Google',
  deepseek: 'DeepSeek',
  mistralai: 'Mistral',
  'x-ai': 'xAI',
  'meta-llama': 'Meta',
  qwen: 'Qwen',
  moonshotai: 'MoonshotAI',
  'z-ai': 'Z.ai',
  minimax: 'MiniMax',
  nvidia: 'NVIDIA',
  cohere: 'Cohere',
  xiaomi: 'Xiaomi',
  ai21: 'AI21',
  bytedance: 'ByteDance',
  'bytedance-seed': 'ByteDance Seed',
};
/** the author whose own API is the natural primary endpoint */
const OWN_PROVIDER: Record<string, string> = {
  openai: 'openai',
  anthropic: 'anthropic',
  google: 'google',
  deepseek: 'deepseek',
  mistralai: 'mistral',
  'x-ai': 'xai',
  qwen: 'alibaba',
  moonshotai: 'moonshot',
};
const QUANTIZATIONS = new Set(['int4', 'int8', 'fp4', 'fp8', 'fp16', 'bf16', 'fp32']);
const ID_RE = /^[a-z0-9][a-z0-9-]*\/[a-z0-9][a-z0-9.-]*$/;
/** speech, realtime and moderation-only models: not reachable through chat completions or embeddings */
const UNSERVABLE = /whisper|orpheus|prompt-guard|realtime|-tts|transcribe|-asr-|livetranslate/;

interface Candidate {
  entry: SourceEntry;
  endpoint: EndpointDef;
  deprecated: boolean;
  embedding: boolean;
  modalities: {
    input: ModelDef['architecture']['input_modalities'];
    output: ModelDef['architecture']['output_modalities'];
  };
}

function makerOf(author: string): string {
  return (
    MAKERS[author] ??
    author
      .split('-')
      .map((w) => w[0].toUpperCase() + w.slice(1))
      .join(' ')
  );
}

/** canonical id of one entry, or null when the entry is not a model (OpenRouter routers, variants) */
export function canonicalId(
  e: SourceEntry,
  byBase: Map<string, string>,
  ids: Record<string, string> = {},
): string | null {
  const pinned = ids[`${e.provider}:${e.key}`];
  if (pinned) return pinned;
  if (e.provider === 'openrouter') {
    if (/^(openrouter|switchpoint)\/|^~/.test(e.key)) return null;
    const [id, variant] = e.key.split(':');
    if (variant !== undefined && variant !== 'free') return null;
    return id.toLowerCase();
  }
  if (e.base) return byBase.get(e.base) ?? idFromBase(e.base);
  const fp = FIRST_PARTY[e.provider];
  if (fp) return byBase.get(`${fp.dir}/${e.key}`) ?? `${fp.author}/${normaliseSlug(e.provider, e.key)}`;
  let key = e.key;
  if (e.provider === 'fireworks-ai') {
    if (!key.startsWith('accounts/fireworks/models/')) return null;
    key = key.slice('accounts/fireworks/models/'.length);
  }
  const slash = key.lastIndexOf('/');
  const name = normaliseSlug(e.provider, key.slice(slash + 1));
  const author = slash >= 0 ? authorOf(key.slice(0, slash)) : authorOfName(name);
  return author ? `${author}/${name}` : null;
}

function endpointOf(
  e: SourceEntry,
  provider: string,
  opts: ImportOptions,
  embedding: boolean,
  free: boolean,
): EndpointDef | string {
  const d = e.data;
  let pricing;
  try {
    pricing = pricingOf(d);
  } catch (err) {
    return `price: ${(err as Error).message}`;
  }
  if (!pricing) return 'no price in the source';
  if (free) for (const k of Object.keys(pricing) as Array<keyof typeof pricing>) pricing[k] = '0';
  else if (pricing.prompt === '0' || (!embedding && pricing.completion === '0')) {
    return 'priced at zero outside a :free listing (unknown price, never served at a silent $0)';
  }
  const context = Number(d.limit?.context ?? 0);
  if (!Number.isInteger(context) || context <= 0) return 'no context limit';
  const output = embedding ? 0 : Math.min(Number(d.limit?.output ?? context) || context, context);
  const q = typeof d.quantization === 'string' ? d.quantization.toLowerCase() : null;
  const ep: EndpointDef = {
    provider,
    model: e.key,
    pricing,
    context_length: context,
    max_completion_tokens: output,
    quantization: q && QUANTIZATIONS.has(q) ? q : null,
    is_moderated: provider === 'openai' || provider === 'anthropic',
    supported_parameters: paramsOf(provider, e.key, d, embedding),
    source: { file: e.priceFile, snapshot: opts.snapshot },
  };
  if (free) ep.free = true;
  return ep;
}

function pickBest(cands: Candidate[]): Candidate {
  return [...cands].sort(
    (a, b) =>
      Number(a.deprecated) - Number(b.deprecated) ||
      a.entry.key.length - b.entry.key.length ||
      a.entry.key.localeCompare(b.entry.key),
  )[0];
}

export function importModelsDev(
  entries: SourceEntry[],
  opts: ImportOptions,
): { data: CatalogData; skipped: Skipped[] } {
  const skipped: Skipped[] = [];
  const skip = opts.skip ?? {};
  const byBase = new Map<string, string>();
  for (const e of entries) {
    if (e.provider === 'openrouter' && e.base && !e.key.includes(':')) byBase.set(e.base, e.key.toLowerCase());
  }
  const providerOrder = opts.providers.map((p) => p.id);
  const groups = new Map<string, Candidate[]>();
  for (const e of entries) {
    const name = `${e.provider}:${e.key}`;
    const provider = PROVIDER_IDS[e.provider];
    if (!provider) continue;
    const why = (reason: string) => skipped.push({ entry: name, reason });
    if (skip[name]) {
      why(skip[name]);
      continue;
    }
    const id = canonicalId(e, byBase, opts.ids);
    if (!id) {
      why('a router or variant listing, not a model');
      continue;
    }
    if (skip[id]) {
      why(skip[id]);
      continue;
    }
    if (!ID_RE.test(id)) {
      why(`no canonical author/slug id (got "${id}")`);
      continue;
    }
    if (UNSERVABLE.test(e.key.toLowerCase())) {
      why('speech, realtime or guard model: no chat or embeddings API');
      continue;
    }
    const embedding = isEmbeddingEntry(e.key, e.data);
    const modalities = modalitiesOf(e.key, e.data);
    if (typeof modalities === 'string') {
      why(modalities);
      continue;
    }
    const free = e.provider === 'openrouter' && e.key.endsWith(':free');
    const endpoint = endpointOf(e, provider, opts, embedding, free);
    if (typeof endpoint === 'string') {
      why(endpoint);
      continue;
    }
    const c: Candidate = { entry: e, endpoint, deprecated: e.data.status === 'deprecated', embedding, modalities };
    const list = groups.get(id) ?? [];
    list.push(c);
    groups.set(id, list);
  }

  const models: ModelDef[] = [];
  for (const [id, all] of [...groups].sort(([a], [b]) => a.localeCompare(b))) {
    const author = id.split('/')[0];
    const live = all.filter((c) => !c.deprecated && !c.endpoint.free);
    const pool = live.length ? all.filter((c) => !c.deprecated) : all;
    // one endpoint per (provider, free): the live, shortest-named file (an alias over a dated snapshot)
    const slots = new Map<string, Candidate[]>();
    for (const c of pool) {
      const k = `${c.endpoint.provider}${c.endpoint.free ? ':free' : ''}`;
      slots.set(k, [...(slots.get(k) ?? []), c]);
    }
    let chosen = [...slots.values()].map(pickBest);
    // OpenRouter is the catch-all upstream: it reaches the models no direct provider of ours serves. A model
    // served directly is not duplicated through it (same maker price passed through, one more hop and failure
    // domain, and it would tie with the maker's own endpoint in price-first routing); an operator who wants it
    // as a fallback adds the endpoint in config.
    if (
      opts.openrouterFillsGaps !== false &&
      chosen.some((c) => c.endpoint.provider !== 'openrouter' && !c.endpoint.free)
    ) {
      for (const c of chosen.filter((x) => x.endpoint.provider === 'openrouter')) {
        skipped.push({
          entry: `${c.entry.provider}:${c.entry.key}`,
          reason: 'served by a direct provider (OpenRouter fills gaps only)',
        });
      }
      chosen = chosen.filter((x) => x.endpoint.provider !== 'openrouter');
    }
    const rank = (c: Candidate) =>
      (c.endpoint.free ? 1000 : 0) +
      (OWN_PROVIDER[author] === c.endpoint.provider ? -1 : providerOrder.indexOf(c.endpoint.provider));
    chosen.sort((a, b) => rank(a) - rank(b));
    if (!chosen.some((c) => !c.endpoint.free)) {
      for (const c of chosen) {
        skipped.push({ entry: `${c.entry.provider}:${c.entry.key}`, reason: 'only free listings, no paid endpoint' });
      }
      continue;
    }
    const primary = chosen[0];
    const d: Toml = primary.entry.data;
    const reasoning = primary.embedding ? null : reasoningOf(d);
    // a reasoning request must never land where the model cannot think: such endpoints are left out
    const served = reasoning
      ? chosen.filter((c) => {
          if (c === primary || c.entry.data.reasoning === true) return true;
          skipped.push({
            entry: `${c.entry.provider}:${c.entry.key}`,
            reason: 'does not flag the reasoning its model has',
          });
          return false;
        })
      : chosen;
    const endpoints = served.map((c) => c.endpoint);
    if (!reasoning) {
      for (const ep of endpoints) {
        ep.supported_parameters = ep.supported_parameters!.filter(
          (p) => p !== 'reasoning' && p !== 'include_reasoning',
        );
      }
    }
    const params = sortParams(endpoints.flatMap((ep) => ep.supported_parameters ?? []));
    for (const ep of endpoints) {
      if (ep.supported_parameters!.join() === params.join()) delete ep.supported_parameters;
    }
    const created = createdOf(d.release_date) ?? createdOf(opts.snapshotDate)!;
    const context = Math.max(...endpoints.map((ep) => ep.context_length));
    const allDeprecated = served.every((c) => c.deprecated);
    const name = String(d.name ?? id.split('/')[1]).trim();
    models.push({
      id,
      canonical_slug: id,
      name: `${makerOf(author)}: ${name}`,
      created,
      description: describe({
        maker: makerOf(author),
        name,
        created,
        context,
        input: primary.modalities.input,
        output: primary.modalities.output,
        reasoning,
        tools: d.tool_call === true,
        openWeights: d.open_weights === true,
        providers: new Set(endpoints.map((ep) => ep.provider)).size,
      }),
      context_length: context,
      architecture: {
        input_modalities: primary.modalities.input,
        output_modalities: primary.modalities.output,
        tokenizer: tokenizerOf(id),
        instruct_type: null,
      },
      supported_parameters: params,
      default_parameters: null,
      expiration_date: allDeprecated ? addDays(opts.snapshotDate, opts.deprecationGraceDays ?? 183) : null,
      quality_tier: qualityTierOf(primary.endpoint.pricing.completion, primary.embedding),
      reasoning,
      endpoints,
    });
  }
  return { data: { providers: opts.providers, models }, skipped };
}

function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}
