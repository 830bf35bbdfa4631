import type { Route, RequestContext } from '../context.js';
import { sendJson } from '../respond.js';

export const healthRoutes: Route[] = [
  {
    method: 'GET',
    path: '/v1/health',
    auth: 'none',
    handler: (ctx: RequestContext) =>
      sendJson(ctx.res, ctx.app.draining ? 503 : 200, {
        status: ctx.app.draining ? 'draining' : 'ok',
        models: ctx.app.catalog.models.length,
        providers_configured: ctx.app.providers.configured.size,
      }),
  },
];
