// The runtime catalog sync, for operators: POST /v1/catalog/sync runs one now (and answers when it is done,
// with the status), GET /v1/catalog/status says per provider when it last synced, what it listed, what was
// added and removed, and its last error. Operator only: it names every configured provider and upstream.
import type { AuthedContext, Route } from '../context.js';
import { sendJson } from '../respond.js';
import type { App } from '../../app.js';

export function catalogStatus(app: App) {
  const catalog = app.catalog;
  return {
    catalog: {
      version: app.catalogVersion,
      models: catalog.models.length,
      unpriced_models: catalog.models.filter((m) => m.endpoints.every((e) => e.unpriced === true)).length,
    },
    ...app.catalogSync.status(),
  };
}

async function sync(ctx: AuthedContext): Promise<void> {
  await ctx.app.catalogSync.syncNow();
  sendJson(ctx.res, 200, { data: catalogStatus(ctx.app) });
}

export const catalogRoutes: Route[] = [
  { method: 'POST', path: '/v1/catalog/sync', auth: 'operator', handler: sync },
  {
    method: 'GET',
    path: '/v1/catalog/status',
    auth: 'operator',
    handler: (ctx: AuthedContext) => sendJson(ctx.res, 200, { data: catalogStatus(ctx.app) }),
  },
];
