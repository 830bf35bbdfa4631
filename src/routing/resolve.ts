// Model name resolution: `author/slug[:variant]`, renamed ids (aliases / canonical slug via Catalog.get),
// the auto router, and helpful 404s. A model whose every endpoint sits on a provider the account has not
// enabled is reported exactly like an unknown one: /v1/models does not list it, so admitting it exists
// would only confuse (and would leak the operator's catalog to keys that cannot use it).
import { isExpired, type Catalog } from '../catalog/catalog.js';
import type { ModelDef } from '../catalog/types.js';
import { RoutingError } from './errors.js';

export const VARIANTS = ['nitro', 'floor', 'free', 'thinking'] as const;
export type Variant = (typeof VARIANTS)[number];

/** Names that select the auto router. `openrouter/auto` is accepted so OpenRouter clients work unchanged. */
export const AUTO_NAMES: ReadonlySet<string> = new Set(['auto', 'arouter/auto', 'openrouter/auto']);

export type Resolved =
  { kind: 'auto'; requested: string } | { kind: 'model'; requested: string; model: ModelDef; variant: Variant | null };

export function isVariant(s: string): s is Variant {
  return (VARIANTS as readonly string[]).includes(s);
}

/** True when at least one of the model's endpoints is on a provider enabled for the account. */
export function isModelVisible(model: ModelDef, availableProviders: ReadonlySet<string>): boolean {
  return model.endpoints.some((e) => availableProviders.has(e.provider));
}

function lookup(catalog: Catalog, name: string): ModelDef | undefined {
  // ids are lower-case by convention; clients often paste display-cased names ("Meta-Llama/...")
  return catalog.get(name) ?? catalog.get(name.toLowerCase());
}

/**
 * Resolve the `model` (or one `models[]` entry) of a request.
 * Throws RoutingError 400 for an unknown variant, 404 for an unknown or invisible model.
 */
export function resolveModel(
  catalog: Catalog,
  name: string,
  availableProviders: ReadonlySet<string>,
  now: number = Date.now(),
): Resolved {
  const trimmed = name.trim();
  if (AUTO_NAMES.has(trimmed.toLowerCase())) return { kind: 'auto', requested: name };

  // A catalog id may itself contain ':' (e.g. "org/model:20b"), so the full name wins over a variant split.
  let model = lookup(catalog, trimmed);
  let variant: Variant | null = null;
  if (model === undefined) {
    const colon = trimmed.lastIndexOf(':');
    if (colon > 0) {
      const base = trimmed.slice(0, colon);
      const suffix = trimmed.slice(colon + 1).toLowerCase();
      if (AUTO_NAMES.has(base.toLowerCase())) {
        throw new RoutingError(
          400,
          'invalid_variant',
          `The auto router does not take a variant (got "${name}")`,
          'model',
        );
      }
      const baseModel = lookup(catalog, base);
      if (baseModel !== undefined) {
        if (!isVariant(suffix)) {
          throw new RoutingError(
            400,
            'invalid_variant',
            `Unknown model variant ":${suffix}" in "${name}"; supported variants: ${VARIANTS.map((v) => ':' + v).join(', ')}`,
            'model',
          );
        }
        model = baseModel;
        variant = suffix;
      }
    }
  }

  if (model === undefined || !isModelVisible(model, availableProviders)) {
    throw notFound(catalog, name, availableProviders);
  }
  if (isExpired(model, now)) throw deprecated(catalog, model, availableProviders, now);
  if (!model.endpoints.some((e) => e.unpriced !== true && availableProviders.has(e.provider)))
    throw unpriced(model, availableProviders);
  return { kind: 'model', requested: name, model, variant };
}

/**
 * A model the catalog sync found with no price: never served at a silent $0. 400 (the request cannot succeed
 * as sent) naming the model, the provider and the config that prices it.
 */
export function unpriced(model: ModelDef, availableProviders: ReadonlySet<string>): RoutingError {
  const e = model.endpoints.find((x) => availableProviders.has(x.provider)) ?? model.endpoints[0];
  return new RoutingError(
    400,
    'model_unpriced',
    `Model "${model.id}" (served by provider "${e.provider}" as "${e.model}") has no known price, so it is not served. ` +
      `An operator can price it in the config: models: [{id: "${model.id}", endpoints: [{provider: "${e.provider}", model: "${e.model}", ` +
      `pricing: {prompt, completion, ...}, context_length, max_completion_tokens, quantization: null, is_moderated: false}]}], ` +
      'or set catalog.metadata_url to a document that prices it.',
    'model',
    { provider: e.provider, provider_model: e.model },
  );
}

export function notFound(catalog: Catalog, name: string, availableProviders: ReadonlySet<string>): RoutingError {
  const suggestions = suggestModels(catalog, name, availableProviders);
  const hint = suggestions.length > 0 ? ` Did you mean: ${suggestions.join(', ')}?` : '';
  return new RoutingError(404, 'model_not_found', `Model "${name}" not found.${hint}`, 'model', {
    suggestions,
  });
}

/**
 * A catalog model none of whose providers is configured on this server (no API key): the 404 says so and names
 * the variable that enables it, instead of a bare "not found" that sent new users hunting for typos. Null for
 * any other model, including one on a configured provider the account has not enabled (reported as unknown).
 */
export function providerNotConfigured(
  catalog: Catalog,
  name: string,
  configured: ReadonlySet<string>,
): RoutingError | null {
  const t = name.trim();
  const colon = t.lastIndexOf(':');
  const m = lookup(catalog, t) ?? (colon > 0 ? lookup(catalog, t.slice(0, colon)) : undefined);
  if (!m || m.endpoints.some((e) => configured.has(e.provider))) return null;
  const defs = [...new Set(m.endpoints.map((e) => e.provider))]
    .map((id) => catalog.providers.get(id))
    .filter((p) => p !== undefined);
  if (defs.length === 0) return null;
  const one = defs.length === 1;
  return new RoutingError(
    404,
    'model_not_found',
    `Model "${name}" is not available: ${one ? 'its provider' : 'its providers'} ${defs.map((p) => p.name).join(', ')} ` +
      `${one ? 'is' : 'are'} not configured on this server. Set ${defs.map((p) => p.api_key_env).join(' or ')} to enable it.`,
    'model',
    { suggestions: [], providers_not_configured: defs.map((p) => ({ provider: p.id, env: p.api_key_env })) },
  );
}

export function deprecated(
  catalog: Catalog,
  model: ModelDef,
  availableProviders: ReadonlySet<string>,
  now = Date.now(),
): RoutingError {
  const suggestions = suggestModels(catalog, model.id, availableProviders, now);
  const hint = suggestions.length > 0 ? ` Consider: ${suggestions.join(', ')}.` : '';
  return new RoutingError(
    404,
    'model_deprecated',
    `Model "${model.id}" was deprecated on ${model.expiration_date} and is no longer available.${hint}`,
    'model',
    {
      expiration_date: model.expiration_date,
      suggestions,
    },
  );
}

// ---- "did you mean" ---------------------------------------------------------------------------------------

function levenshtein(a: string, b: string): number {
  if (a === b) return 0;
  if (a.length === 0) return b.length;
  if (b.length === 0) return a.length;
  let prev = new Array<number>(b.length + 1);
  let cur = new Array<number>(b.length + 1);
  for (let j = 0; j <= b.length; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    cur[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const sub = prev[j - 1] + (a.charCodeAt(i - 1) === b.charCodeAt(j - 1) ? 0 : 1);
      cur[j] = Math.min(sub, prev[j] + 1, cur[j - 1] + 1);
    }
    [prev, cur] = [cur, prev];
  }
  return prev[b.length];
}

function tokens(s: string): string[] {
  return s.split(/[^a-z0-9]+/).filter((t) => t.length > 0);
}

const slugOf = (s: string): string => (s.includes('/') ? s.slice(s.indexOf('/') + 1) : s);

/**
 * 0..1 similarity mixing edit distance (typos: "gtp-4o") with shared name tokens (partial names:
 * "llama 3.3 70b"). The slug is compared on its own too, so a name missing its author still matches.
 */
export function similarity(query: string, id: string): number {
  const q = query.toLowerCase().replace(/:[a-z]+$/, '');
  const m = id.toLowerCase();
  const full = 1 - levenshtein(q, m) / Math.max(q.length, m.length);
  const qs = slugOf(q);
  const ms = slugOf(m);
  const slug = 1 - levenshtein(qs, ms) / Math.max(qs.length, ms.length, 1);
  const qt = new Set(tokens(q));
  const mt = new Set(tokens(m));
  let shared = 0;
  for (const t of qt) if (mt.has(t)) shared++;
  // shared / union-ish: rewards covering the query without rewarding very long ids that contain everything
  const overlap = qt.size === 0 ? 0 : shared / Math.max(qt.size, mt.size * 0.75);
  return 0.6 * Math.max(full, slug) + 0.4 * Math.min(1, overlap);
}

/** The closest visible model ids to `name` (best first), at most `limit`, only reasonably close ones. */
export function suggestModels(
  catalog: Catalog,
  name: string,
  availableProviders: ReadonlySet<string>,
  now = Date.now(),
  limit = 3,
): string[] {
  const scored = catalog.models
    .filter((m) => isModelVisible(m, availableProviders) && !isExpired(m, now) && m.id !== name)
    .map((m) => {
      // an old alias the client remembered should pull its model up too
      const names = [m.id, ...(m.aliases ?? [])];
      return { id: m.id, score: Math.max(...names.map((n) => similarity(name, n))) };
    })
    .filter((s) => s.score >= 0.45)
    .sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : 1));
  return scored.slice(0, limit).map((s) => s.id);
}
