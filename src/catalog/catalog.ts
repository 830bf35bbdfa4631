// The in-memory catalog: built-in data merged with operator overrides, indexed for O(1) resolution.
// Everything the hot path needs about models and providers is answered from here, never from storage.
import { readFileSync } from 'node:fs';
import type { CatalogData, EndpointDef, ModelDef, Pricing, ProviderDef } from './types.js';
import { MEDIA_PRICE_FIELDS, PRICE_FIELDS } from './types.js';

const BUILTIN_URL = new URL('./data/catalog.json', import.meta.url);

export function loadBuiltinCatalog(): CatalogData {
  // dist/ builds read the JSON from src/ (tsc does not copy data files); both layouts are handled.
  const candidates = [BUILTIN_URL, new URL('../../../src/catalog/data/catalog.json', import.meta.url)];
  for (const url of candidates) {
    try {
      return JSON.parse(readFileSync(url, 'utf8')) as CatalogData;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
  throw new Error('built-in catalog src/catalog/data/catalog.json not found');
}

/** Operator overrides from the config file: models are merged by id (endpoints replaced when given). */
export interface CatalogOverrides {
  providers?: Array<Partial<ProviderDef> & { id: string }>;
  models?: Array<Partial<ModelDef> & { id: string }>;
}

export class CatalogError extends Error {}

export class Catalog {
  readonly providers = new Map<string, ProviderDef>();
  readonly models: ModelDef[] = [];
  /** id, canonical_slug and aliases → model */
  private readonly index = new Map<string, ModelDef>();
  /** expiration instants, ascending: expiredCount is a binary search, not a walk over thousands of models */
  private readonly expiries: number[] = [];

  constructor(data: CatalogData, overrides: CatalogOverrides = {}) {
    for (const p of data.providers) this.providers.set(p.id, { ...p });
    for (const o of overrides.providers ?? []) {
      const base = this.providers.get(o.id);
      const merged = { ...(base ?? {}), ...o } as ProviderDef;
      if (!merged.name) merged.name = merged.id;
      const keyed = merged.api_key_env !== undefined || merged.api_key_file !== undefined || merged.no_key;
      if (!merged.dialect || !merged.base_url || !keyed) {
        throw new CatalogError(
          `provider "${o.id}": a new provider needs dialect, base_url and api_key_env or api_key_file (or no_key: true)`,
        );
      }
      this.providers.set(o.id, merged);
    }
    const byId = new Map<string, ModelDef>();
    for (const m of data.models) byId.set(m.id, structuredClone(m));
    for (const o of overrides.models ?? []) {
      const base = byId.get(o.id);
      if (!base) {
        byId.set(o.id, completeModel(o));
      } else {
        byId.set(o.id, { ...base, ...o, architecture: { ...base.architecture, ...(o.architecture ?? {}) } });
      }
    }
    for (const m of byId.values()) {
      this.validateModel(m);
      this.models.push(m);
    }
    for (const m of this.models) {
      const t = m.expiration_date == null ? NaN : expiryTime(m.expiration_date);
      if (Number.isFinite(t)) this.expiries.push(t);
    }
    this.expiries.sort((a, b) => a - b);
    // ids first so an alias can never shadow a live id
    for (const m of this.models) this.index.set(m.id, m);
    for (const m of this.models) {
      for (const key of [m.canonical_slug, ...(m.aliases ?? [])]) {
        const prev = this.index.get(key);
        if (prev && prev !== m) {
          if (prev.id === key) continue;
          throw new CatalogError(`model "${m.id}": alias/canonical slug "${key}" already names "${prev.id}"`);
        }
        this.index.set(key, m);
      }
    }
  }

  /** how many models have expired by `now`: part of the Models API cache key, so a list never outlives a model */
  expiredCount(now: number = Date.now()): number {
    let lo = 0;
    let hi = this.expiries.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.expiries[mid] <= now) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  get(idOrAlias: string): ModelDef | undefined {
    return this.index.get(idOrAlias);
  }

  /** every name a model answers to, for "did you mean" suggestions */
  allNames(): string[] {
    return [...this.index.keys()];
  }

  private validateModel(m: ModelDef): void {
    const where = `model "${m.id}"`;
    if (!/^[a-z0-9][a-z0-9._-]*\/[A-Za-z0-9][A-Za-z0-9._:-]*$/.test(m.id)) {
      throw new CatalogError(`${where}: id must look like author/slug`);
    }
    if (!Array.isArray(m.endpoints) || m.endpoints.length === 0) {
      throw new CatalogError(`${where}: needs at least one endpoint`);
    }
    m.endpoints.forEach((e: EndpointDef, i) => {
      if (!this.providers.has(e.provider)) {
        throw new CatalogError(`${where}.endpoints[${i}].provider: unknown provider "${e.provider}"`);
      }
      checkPricing(e.pricing, `${where}.endpoints[${i}].pricing`);
    });
  }
}

const DECIMAL = /^\d+(\.\d{1,12})?$/;

export function checkPricing(p: Pricing | undefined, where: string): void {
  if (!p || typeof p !== 'object') throw new CatalogError(`${where}: missing`);
  for (const f of PRICE_FIELDS) {
    const v = p[f];
    if (typeof v !== 'string' || !DECIMAL.test(v)) {
      throw new CatalogError(
        `${where}.${f}: must be a decimal string with at most 12 decimals, got ${JSON.stringify(v)}`,
      );
    }
  }
  // optional: absent means generated images / audio cost the completion price
  for (const f of MEDIA_PRICE_FIELDS) {
    const v = p[f];
    if (v !== undefined && (typeof v !== 'string' || !DECIMAL.test(v))) {
      throw new CatalogError(
        `${where}.${f}: must be a decimal string with at most 12 decimals, got ${JSON.stringify(v)}`,
      );
    }
  }
}

function completeModel(o: Partial<ModelDef> & { id: string }): ModelDef {
  const required: Array<keyof ModelDef> = ['name', 'context_length', 'architecture', 'endpoints'];
  for (const k of required) {
    if (o[k] === undefined) throw new CatalogError(`model "${o.id}": a new model needs "${k}"`);
  }
  return {
    canonical_slug: o.id,
    created: Math.floor(Date.now() / 1000),
    description: '',
    supported_parameters: ['max_tokens', 'temperature', 'top_p', 'stop'],
    default_parameters: null,
    expiration_date: null,
    quality_tier: 3,
    reasoning: null,
    ...o,
  } as ModelDef;
}

/**
 * A model past its `expiration_date` (an ISO date or timestamp; a date means from the start of that UTC day)
 * is no longer served: hidden from the Models API and answered with 404 `model_deprecated`, as OpenRouter does.
 */
export function isExpired(m: ModelDef, now: number = Date.now()): boolean {
  const d = m.expiration_date;
  if (d === null || d === undefined) return false;
  const t = expiryTime(d);
  return Number.isFinite(t) && t <= now;
}

function expiryTime(d: string): number {
  return Date.parse(d);
}

/** The primary (first priced paid) endpoint: what the model-level pricing and top_provider describe. */
export function primaryEndpoint(m: ModelDef): EndpointDef {
  return m.endpoints.find((e) => !e.free && !e.unpriced) ?? m.endpoints.find((e) => !e.free) ?? m.endpoints[0];
}

/** every endpoint of the model is unpriced (found by the sync, not priced yet): refused until priced in config */
export function isUnpriced(m: ModelDef): boolean {
  return m.endpoints.every((e) => e.unpriced === true);
}
