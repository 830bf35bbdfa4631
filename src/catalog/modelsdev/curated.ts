// Curated facts the database does not have, applied over the imported catalog: the names models used to
// answer to (aliases, canonical slugs), routing hints measured or estimated by hand (throughput, latency),
// the auto router's quality tiers, providers' free tiers, default sampling parameters. Kept in
// scripts/catalog-overrides.json so that every hand-typed fact is in one reviewed place.
import type { CatalogData, EndpointDef, ModelDef } from '../types.js';
import { sortParams } from './facts.js';

export interface CuratedModel {
  canonical_slug?: string;
  aliases?: string[];
  quality_tier?: number;
  default_parameters?: Record<string, unknown> | null;
  /** parameters the maker documents that the database does not flag (e.g. Anthropic's structured outputs) */
  add_parameters?: string[];
  /** per provider id: hints for the paid endpoint */
  hints?: Record<string, { throughput_hint?: number; latency_hint_ms?: number }>;
  /** free-tier endpoints (reached only through the `:free` variant) */
  free_endpoints?: Array<Omit<EndpointDef, 'pricing' | 'free' | 'source'>>;
}

export const CURATED_FILE = 'scripts/catalog-overrides.json';

/** applies curated facts in place; returns the problems (a curated id the import no longer has, …) */
export function applyCurated(data: CatalogData, curated: Record<string, CuratedModel>): string[] {
  const problems: string[] = [];
  const byId = new Map<string, ModelDef>(data.models.map((m) => [m.id, m]));
  for (const [id, c] of Object.entries(curated)) {
    const m = byId.get(id);
    if (!m) {
      problems.push(`curated model "${id}" is not in the imported catalog`);
      continue;
    }
    if (c.canonical_slug) m.canonical_slug = c.canonical_slug;
    if (c.aliases?.length) m.aliases = [...new Set([...(m.aliases ?? []), ...c.aliases])];
    if (c.quality_tier !== undefined) m.quality_tier = c.quality_tier;
    if (c.default_parameters !== undefined) m.default_parameters = c.default_parameters;
    if (c.add_parameters?.length) {
      m.supported_parameters = sortParams([...m.supported_parameters, ...c.add_parameters]);
      for (const e of m.endpoints) {
        if (e.supported_parameters)
          e.supported_parameters = sortParams([...e.supported_parameters, ...c.add_parameters]);
      }
    }
    for (const [provider, h] of Object.entries(c.hints ?? {})) {
      const ep = m.endpoints.find((e) => e.provider === provider && !e.free);
      if (!ep) {
        problems.push(`curated hints for "${id}" @ ${provider}: no such endpoint`);
        continue;
      }
      Object.assign(ep, h);
    }
    for (const f of c.free_endpoints ?? []) {
      if (m.endpoints.some((e) => e.free && e.provider === f.provider)) continue;
      const pricing = {
        prompt: '0',
        completion: '0',
        request: '0',
        image: '0',
        web_search: '0',
        internal_reasoning: '0',
        input_cache_read: '0',
        input_cache_write: '0',
      };
      const ep: EndpointDef = { ...f, pricing, free: true, source: { file: CURATED_FILE, snapshot: 'curated' } };
      if (ep.supported_parameters) {
        ep.supported_parameters = ep.supported_parameters.filter((p) => m.supported_parameters.includes(p));
      }
      if (ep.context_length > m.context_length) ep.context_length = m.context_length;
      if (ep.max_completion_tokens > ep.context_length) ep.max_completion_tokens = ep.context_length;
      m.endpoints.push(ep);
    }
  }
  return problems;
}

/**
 * Retired models: gone from every provider's list in the database but still named by clients. They stay in
 * the catalog past their expiration_date so that asking for one answers 404 `model_deprecated` (naming the
 * date) instead of an unexplained `model_not_found`. Returns the problems (an id the import serves again).
 */
export function addRetired(data: CatalogData, retired: ModelDef[]): string[] {
  const problems: string[] = [];
  const ids = new Set(data.models.map((m) => m.id));
  for (const r of retired) {
    if (ids.has(r.id)) {
      problems.push(`retired model "${r.id}" is served again by the database: remove it from the overrides`);
      continue;
    }
    if (!r.expiration_date) {
      problems.push(`retired model "${r.id}" needs an expiration_date`);
      continue;
    }
    const endpoints = r.endpoints.map((e) => ({ ...e, source: { file: CURATED_FILE, snapshot: 'curated' } }));
    data.models.push({ ...r, endpoints });
  }
  return problems;
}
