// GET /v1/providers: the catalog's providers (OpenRouter's GET /api/v1/providers: `name`, `slug` and its policy
// fields, which ARouter does not know: null), with what the console's provider pickers need: the dialect, whether
// this deployment can call it (`configured`: a key in the environment, none needed, or demo mode's simulated
// upstreams), whether the caller's account may (`enabled`), and how many models and endpoints it serves. The
// name of the environment variable that configures it is shown to operator keys only. Any key; from memory.
import type { AuthedContext, Route } from '../context.js';
import { sendJson } from '../respond.js';
import { isExpired } from '../../catalog/catalog.js';

function listProviders(ctx: AuthedContext): void {
  const { catalog, providers } = ctx.app;
  const available = providers.availableFor(ctx.account);
  const operator = ctx.key.role === 'operator';
  // endpoints without a price are the operator's to see (as in the models list): users and admins count priced ones
  const withUnpriced = ctx.key.role !== 'user';
  const now = Date.now();
  const counts = new Map<string, { models: number; endpoints: number }>();
  for (const m of catalog.models) {
    if (isExpired(m, now)) continue;
    const seen = new Set<string>();
    for (const e of m.endpoints) {
      if (e.unpriced === true && !withUnpriced) continue;
      const c = counts.get(e.provider) ?? { models: 0, endpoints: 0 };
      c.endpoints++;
      if (!seen.has(e.provider)) c.models++;
      seen.add(e.provider);
      counts.set(e.provider, c);
    }
  }
  const data = [...catalog.providers.values()]
    .sort((a, b) => a.name.localeCompare(b.name, 'en') || (a.id < b.id ? -1 : 1))
    .map((p) => ({
      id: p.id,
      slug: p.id,
      name: p.name,
      dialect: p.dialect,
      configured: providers.configured.has(p.id),
      simulated: providers.simulated,
      enabled: available.has(p.id),
      models: counts.get(p.id)?.models ?? 0,
      endpoints: counts.get(p.id)?.endpoints ?? 0,
      ...(operator ? { api_key_env: p.no_key ? null : p.api_key_env || null } : {}),
      privacy_policy_url: null,
      terms_of_service_url: null,
      status_page_url: null,
      headquarters: null,
      datacenters: null,
    }));
  sendJson(ctx.res, 200, { data });
}

export const providerRoutes: Route[] = [{ method: 'GET', path: '/v1/providers', auth: 'user', handler: listProviders }];
