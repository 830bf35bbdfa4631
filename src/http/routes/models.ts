// GET /v1/models, /v1/models/{author}/{slug}, /v1/models/{author}/{slug}/endpoints — answered from memory.
// The serialised list is cached per (enabled-provider set, query), so a list request costs one Map lookup.
import type { AuthedContext, Route } from '../context.js';
import { badRequest, notFound } from '../errors.js';
import { sendJson } from '../respond.js';
import {
  filterModels,
  isVisible,
  parseModalities,
  parseParams,
  publicEndpoint,
  publicModel,
} from '../../catalog/view.js';
import type { ModelDef } from '../../catalog/types.js';
import { isExpired, type Catalog } from '../../catalog/catalog.js';
import { deprecated } from '../../routing/resolve.js';
import { routingHttpError } from './chat.js';

const MAX_CACHE = 256;

function listModels(ctx: AuthedContext): void {
  const { app, url } = ctx;
  const available = app.providers.availableFor(ctx.account);
  const mod = url.searchParams.get('output_modalities');
  const par = url.searchParams.get('supported_parameters');
  const now = Date.now();
  const catalog = app.catalog;
  const admin = ctx.key.role !== 'user';
  // the expired count changes the key the moment a model reaches its expiration date
  const cacheKey = `${admin ? 'a' : 'u'}|${[...available].join(',')}|${mod ?? ''}|${par ?? ''}|${catalog.expiredCount(now)}`;
  let body = app.modelsCache.get(cacheKey);
  if (!body) {
    let modalities: Set<string> | null;
    try {
      modalities = parseModalities(mod);
    } catch (err) {
      throw badRequest(
        `Invalid output_modalities: ${(err as Error).message}`,
        'output_modalities',
        'invalid_output_modalities',
      );
    }
    const models = filterModels(catalog.models, available, modalities, parseParams(par), now, admin);
    body = `{"data":[${models.map((m) => app.modelJson(m)).join(',')}]}`;
    app.modelListBuilds++;
    if (app.modelsCache.size >= MAX_CACHE) app.modelsCache.clear();
    app.modelsCache.set(cacheKey, body);
  }
  sendJson(ctx.res, 200, body);
}

function findVisible(ctx: AuthedContext, catalog: Catalog): ModelDef {
  const id = `${ctx.params.author}/${ctx.params.slug}`;
  const base = id.replace(/:(free|nitro|floor|thinking)$/, '');
  const m = catalog.get(base);
  if (!m || !isVisible(m, ctx.app.providers.availableFor(ctx.account), ctx.key.role !== 'user')) {
    throw notFound(`Model ${id} not found`, 'model_not_found');
  }
  if (isExpired(m)) throw routingHttpError(deprecated(catalog, m, ctx.app.providers.availableFor(ctx.account)));
  return m;
}

function getModel(ctx: AuthedContext): void {
  sendJson(ctx.res, 200, `{"data":${ctx.app.modelJson(findVisible(ctx, ctx.app.catalog))}}`);
}

function getEndpoints(ctx: AuthedContext): void {
  const catalog = ctx.app.catalog;
  const m = findVisible(ctx, catalog);
  const available = ctx.app.providers.availableFor(ctx.account);
  const admin = ctx.key.role !== 'user';
  const endpoints = m.endpoints
    .filter((e) => available.has(e.provider) && (admin || !e.unpriced))
    .map((e) => publicEndpoint(m, e, catalog.providers.get(e.provider)!, ctx.app.endpointStats(e.provider, m, e)));
  const pm = publicModel(m);
  sendJson(ctx.res, 200, {
    data: {
      id: m.id,
      canonical_slug: m.canonical_slug,
      name: m.name,
      created: m.created,
      description: m.description,
      architecture: pm.architecture,
      endpoints,
    },
  });
}

export const modelRoutes: Route[] = [
  { method: 'GET', path: '/v1/models', auth: 'user', handler: listModels },
  { method: 'GET', path: '/v1/models/:author/:slug', auth: 'user', handler: getModel },
  { method: 'GET', path: '/v1/models/:author/:slug/endpoints', auth: 'user', handler: getEndpoints },
];
