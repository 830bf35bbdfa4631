// GET /v1/models/providers: every listed model's providers with their live stats, in one answer — what the web
// console's model list filters by provider and sorts by throughput with (README "Console"); per model it is
// GET /v1/models/{id}/endpoints, which the console would otherwise call once per model (hundreds of requests).
// The same models as GET /v1/models?output_modalities=all for this key. Built per request from memory: the live
// stats change by the second, and only the console asks, once per visit.
import type { AuthedContext, Route } from '../context.js';
import { sendJson } from '../respond.js';
import { filterModels } from '../../catalog/view.js';

function modelProviders(ctx: AuthedContext): void {
  const { app } = ctx;
  const catalog = app.catalog;
  const available = app.providers.availableFor(ctx.account);
  const admin = ctx.key.role !== 'user';
  const data = filterModels(catalog.models, available, null, [], Date.now(), admin).map((m) => ({
    id: m.id,
    endpoints: m.endpoints
      .filter((e) => available.has(e.provider) && (admin || !e.unpriced))
      .map((e) => {
        const s = app.endpointStats(e.provider, m, e);
        return {
          provider: e.provider,
          provider_name: catalog.providers.get(e.provider)?.name ?? e.provider,
          is_free: e.free === true,
          status: s.status,
          uptime_last_30m: s.uptime_last_30m,
          latency_last_30m: s.latency_last_30m,
          throughput_last_30m: s.throughput_last_30m,
          circuit: s.circuit,
        };
      }),
  }));
  sendJson(ctx.res, 200, { data });
}

export const modelProviderRoutes: Route[] = [
  { method: 'GET', path: '/v1/models/providers', auth: 'user', handler: modelProviders },
];
