// Merge rules of the runtime catalog sync, pure (no I/O, `now` passed in): built-in catalog ← synced state,
// then the Catalog constructor applies config overrides on top (config always wins).
//
// - A name a provider lists that matches one of its endpoints: known; the metadata document's price, when it
//   has one, replaces the input/output/cache prices (prices change; the document is the fresher source).
// - A name that matches a model id, alias, `<author>/<name>` or another provider's endpoint model name: a new
//   endpoint of that model. Otherwise a new model `<author>/<name>` (the provider's usual author), `created` =
//   when first seen. Without a price from the metadata document it is `unpriced` (see types.ts EndpointDef).
// - A name the provider listed before and no longer lists: served until its grace period ends. When every
//   endpoint of a model is gone that way the model gets `expiration_date` (then 404 `model_deprecated`); an
//   endpoint gone while others remain is dropped once its grace ended.
// - A built-in endpoint the provider never listed is left alone: list APIs omit models they serve (aliases,
//   snapshots, fine-tunes), and a missing list entry is weaker evidence than an answered request.
import type { CatalogOverrides } from '../catalog.js';
import type { CatalogData, EndpointDef, ModelDef, Pricing } from '../types.js';
import { PRICE_FIELDS } from '../types.js';
import {
  emptyProviderState,
  type ListedModel,
  type ProviderSyncState,
  type SeenModel,
  type SyncedState,
} from './state.js';

/** Context and output limits assumed for a model nobody described (the metadata document or config can say). */
export const UNKNOWN_CONTEXT = 32_768;
export const UNKNOWN_MAX_OUTPUT = 4_096;

/** id → display name of every provider the merged catalog will have: built-in, then config */
export function providerNames(builtin: CatalogData, overrides: CatalogOverrides): Map<string, string> {
  const names = new Map<string, string>();
  for (const p of builtin.providers) names.set(p.id, p.name);
  for (const p of overrides.providers ?? []) names.set(p.id, p.name ?? names.get(p.id) ?? p.id);
  return names;
}

/** One provider's successful list call folded into its state: first-seen times kept, vanished names given a grace. */
export function recordListing(
  prev: ProviderSyncState | undefined,
  listed: ListedModel[],
  now: number,
  graceMs: number,
): ProviderSyncState {
  const base = prev ?? emptyProviderState();
  const iso = new Date(now).toISOString();
  const models: Record<string, SeenModel> = {};
  for (const l of listed) {
    const first = base.models[l.id]?.first_seen ?? base.removed[l.id]?.model.first_seen ?? Math.floor(now / 1000);
    // what the metadata document said last time stays when it is unreachable now
    models[l.id] = { ...(base.models[l.id] ?? base.removed[l.id]?.model ?? {}), ...l, first_seen: first };
  }
  const removed: ProviderSyncState['removed'] = {};
  for (const [name, r] of Object.entries(base.removed)) if (!models[name]) removed[name] = r;
  for (const [name, m] of Object.entries(base.models)) {
    if (!models[name] && !removed[name]) removed[name] = { expires: new Date(now + graceMs).toISOString(), model: m };
  }
  return { last_sync: iso, last_success: iso, last_error: null, models, removed };
}

/** A failed list call: the provider keeps what it listed last time, the error is recorded. */
export function recordFailure(prev: ProviderSyncState | undefined, error: string, now: number): ProviderSyncState {
  const base = prev ?? emptyProviderState();
  return { ...base, last_sync: new Date(now).toISOString(), last_error: error };
}

export interface MergeReport {
  /** per provider: listed names the catalog did not know (new endpoints or models), and names it stopped listing */
  providers: Record<string, { seen: number; added: number; removed: number; repriced: number }>;
}

type Hit = { model: ModelDef; endpoint: EndpointDef };

const SLUG_BAD = /[^A-Za-z0-9._:-]+/g;
/** the Catalog's own id rule: a name that cannot become one is skipped rather than failing the whole build */
const VALID_ID = /^[a-z0-9][a-z0-9._-]*\/[A-Za-z0-9][A-Za-z0-9._:-]*$/;

/** spelling-insensitive model name: "claude-sonnet-4.5" = "claude-sonnet-4-5" = "claude-sonnet-4-5-20250929" */
function norm(name: string): string {
  const slug = name
    .slice(name.lastIndexOf('/') + 1)
    .toLowerCase()
    .replace(/[._\s]+/g, '-');
  return slug.replace(/-(\d{8}|\d{4}-\d{2}-\d{2})$/, '').replace(/-latest$/, '');
}

function slugify(s: string): string {
  return (
    s
      .replace(SLUG_BAD, '-')
      .replace(/^[^A-Za-z0-9]+/, '')
      .toLowerCase() || 'model'
  );
}

/** The author most of a provider's models are filed under (openai → openai, google → google); else its id. */
function usualAuthors(models: ModelDef[]): Map<string, string> {
  const counts = new Map<string, Map<string, number>>();
  for (const m of models) {
    const author = m.id.slice(0, m.id.indexOf('/'));
    for (const e of m.endpoints) {
      let c = counts.get(e.provider);
      if (!c) counts.set(e.provider, (c = new Map()));
      c.set(author, (c.get(author) ?? 0) + 1);
    }
  }
  const out = new Map<string, string>();
  for (const [p, c] of counts) out.set(p, [...c].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0][0]);
  return out;
}

function endpointFrom(provider: string, seen: SeenModel, model: ModelDef | null): EndpointDef {
  const top = model?.endpoints.find((e) => !e.free) ?? model?.endpoints[0];
  const e: EndpointDef = {
    provider,
    model: seen.id,
    pricing: seen.pricing ?? zeroPricing(),
    context_length: seen.context_length ?? top?.context_length ?? model?.context_length ?? UNKNOWN_CONTEXT,
    max_completion_tokens: seen.max_completion_tokens ?? top?.max_completion_tokens ?? UNKNOWN_MAX_OUTPUT,
    quantization: null,
    is_moderated: false,
  };
  if (!seen.pricing) e.unpriced = true;
  return e;
}

export function zeroPricing(): Pricing {
  const p = {} as Pricing;
  for (const f of PRICE_FIELDS) p[f] = '0';
  return p;
}

function newModel(id: string, providerName: string, seen: SeenModel, endpoint: EndpointDef): ModelDef {
  const embeddings = /embed/i.test(seen.id);
  const params = ['max_tokens', 'temperature', 'top_p', 'stop'];
  if (seen.tool_call) params.push('tools', 'tool_choice');
  if (seen.reasoning) params.push('reasoning', 'include_reasoning');
  const day = new Date(seen.first_seen * 1000).toISOString().slice(0, 10);
  return {
    id,
    canonical_slug: id,
    name: seen.name ?? seen.id,
    created: seen.first_seen,
    description: `Listed by ${providerName} since ${day}; added by the catalog sync.`,
    context_length: endpoint.context_length,
    architecture: {
      input_modalities: seen.input_modalities ?? ['text'],
      output_modalities: seen.output_modalities ?? [embeddings ? 'embeddings' : 'text'],
      tokenizer: 'other',
      instruct_type: null,
    },
    supported_parameters: params,
    default_parameters: null,
    expiration_date: null,
    quality_tier: 3,
    // unknown (undefined) rather than "does not reason" (null): the dialects then send what the client asked
    ...(seen.reasoning === undefined
      ? {}
      : {
          reasoning: seen.reasoning
            ? {
                supported_efforts: ['low', 'medium', 'high'],
                default_effort: null,
                mandatory: false,
                supports_max_tokens: false,
              }
            : null,
        }),
    endpoints: [endpoint],
  };
}

/**
 * Built-in data with the synced state applied. `providerNames` are the providers the merged catalog will have
 * (built-in and config): state for any other provider is ignored.
 */
export function applySynced(
  builtin: CatalogData,
  state: SyncedState,
  now: number,
  providerNames: Map<string, string>,
): { data: CatalogData; report: MergeReport } {
  const models = builtin.models.map((m) => structuredClone(m));
  const byName = new Map<string, ModelDef>();
  const byEndpoint = new Map<string, Hit[]>();
  const byUpstreamName = new Map<string, ModelDef>();
  const byNorm = new Map<string, ModelDef>();
  const index = (m: ModelDef) => {
    for (const k of [m.id, m.canonical_slug, ...(m.aliases ?? [])]) {
      if (!byName.has(k)) byName.set(k, m);
      if (!byNorm.has(norm(k))) byNorm.set(norm(k), m);
    }
    for (const e of m.endpoints) {
      const key = `${e.provider}\0${e.model}`;
      const hits = byEndpoint.get(key);
      if (hits) hits.push({ model: m, endpoint: e });
      else byEndpoint.set(key, [{ model: m, endpoint: e }]);
      if (!byUpstreamName.has(e.model)) byUpstreamName.set(e.model, m);
      if (!byNorm.has(norm(e.model))) byNorm.set(norm(e.model), m);
    }
  };
  for (const m of models) index(m);
  const authors = usualAuthors(models);
  const report: MergeReport = { providers: {} };
  /** endpoint → when it stops being served */
  const gone = new Map<EndpointDef, number>();

  for (const [provider, ps] of Object.entries(state.providers)) {
    if (!providerNames.has(provider)) continue;
    const r = { seen: Object.keys(ps.models).length, added: 0, removed: Object.keys(ps.removed).length, repriced: 0 };
    report.providers[provider] = r;
    const entries: Array<[SeenModel, number | null]> = [
      ...Object.values(ps.models).map((m): [SeenModel, null] => [m, null]),
      ...Object.values(ps.removed).map((x): [SeenModel, number] => [x.model, Date.parse(x.expires)]),
    ];
    for (const [seen, expires] of entries) {
      let hits = byEndpoint.get(`${provider}\0${seen.id}`);
      if (hits) {
        if (seen.pricing) {
          for (const h of hits) if (!h.endpoint.free && reprice(h.endpoint, seen.pricing)) r.repriced++;
        }
      } else {
        const author = authors.get(provider) ?? provider;
        const lower = seen.id.toLowerCase();
        const target =
          byName.get(seen.id) ??
          byName.get(lower) ??
          byName.get(`${author}/${lower}`) ??
          byUpstreamName.get(seen.id) ??
          byNorm.get(norm(seen.id)) ??
          null;
        // another name of a model this provider already serves for us (an alias, a dated snapshot): known, and
        // its disappearance says nothing about the endpoint we route to
        if (target?.endpoints.some((e) => e.provider === provider)) continue;
        const endpoint = endpointFrom(provider, seen, target);
        if (target) {
          target.endpoints.push(endpoint);
        } else {
          const parts = lower.split('/');
          const id =
            parts.length > 1
              ? `${slugify(parts[0]).replace(/:/g, '-')}/${slugify(parts.slice(1).join('-'))}`
              : `${author}/${slugify(seen.id)}`;
          if (!VALID_ID.test(id)) continue;
          const m = newModel(id, providerNames.get(provider) ?? provider, seen, endpoint);
          models.push(m);
          index(m);
        }
        const key = `${provider}\0${seen.id}`;
        hits = [{ model: target ?? models[models.length - 1], endpoint }];
        byEndpoint.set(key, hits);
        if (expires === null) r.added++;
      }
      if (expires !== null) for (const h of hits) gone.set(h.endpoint, expires);
    }
  }

  if (gone.size > 0) {
    for (const m of models) {
      const ends = m.endpoints.map((e) => gone.get(e));
      if (ends.every((t) => t !== undefined)) {
        const last = Math.max(...(ends as number[]));
        const prev = m.expiration_date ? Date.parse(m.expiration_date) : NaN;
        if (!(prev <= last)) m.expiration_date = new Date(last).toISOString();
      } else if (ends.some((t) => t !== undefined && t <= now)) {
        m.endpoints = m.endpoints.filter((e) => !((gone.get(e) ?? Infinity) <= now));
      }
    }
  }
  return { data: { providers: builtin.providers, models }, report };
}

/** the document's input/output/cache prices over the endpoint's; true when one changed */
function reprice(e: EndpointDef, p: Pricing): boolean {
  let changed = false;
  const fields = [
    'prompt',
    'completion',
    'input_cache_read',
    'input_cache_write',
    'internal_reasoning',
    'audio_output',
    'audio',
  ] as const;
  for (const f of fields) {
    // "0" in the document for a cache price means "not published", not "free" (as in cost.ts): keep ours
    if (f !== 'prompt' && f !== 'completion' && (p[f] === '0' || p[f] === undefined)) continue;
    if (e.pricing[f] !== p[f]) {
      e.pricing = { ...e.pricing, [f]: p[f] };
      changed = true;
    }
  }
  if (e.unpriced) {
    delete e.unpriced;
    changed = true;
  }
  return changed;
}
