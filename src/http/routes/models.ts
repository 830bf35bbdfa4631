// GET /v1/models (+ limit/offset paging), /v1/models/count, /v1/models/{author}/{slug} (also /v1/model/..., the path
// OpenRouter's SDK calls), /v1/models/{author}/{slug}/endpoints — answered from memory. The serialised list is
// cached per (enabled-provider set, query), so a list request costs one Map lookup. The openai SDK's
// models.retrieve(id) sends the id as one URL-encoded segment (`openai%2Fgpt-4o-mini`): /v1/models/:id answers it.
import type { AuthedContext, Route } from '../context.js';
import { badRequest, notFound } from '../errors.js';
import { sendJson } from '../respond.js';
import {
  filterModels,
  isVisible,
  parseModalities,
  parseParams,
  publicArchitecture,
  publicEndpoint,
  publicModel,
} from '../../catalog/view.js';
import type { ModelDef } from '../../catalog/types.js';
import { isExpired, type Catalog } from '../../catalog/catalog.js';
import { deprecated, providerNotConfigured } from '../../routing/resolve.js';
import { routingHttpError } from '../../pipeline/errors.js';

const MAX_CACHE = 256;

function intParam(ctx: AuthedContext, name: string, min: number): number | null {
  const raw = ctx.url.searchParams.get(name);
  if (raw === null || raw === '') return null;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw badRequest(`"${name}" must be an integer ≥ ${min}`, name);
  return n;
}

function filtered(
  ctx: AuthedContext,
  available: Set<string>,
  mod: string | null,
  par: string | null,
  now: number,
): ModelDef[] {
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
  return filterModels(ctx.app.catalog.models, available, modalities, parseParams(par), now, ctx.key.role !== 'user');
}

function listModels(ctx: AuthedContext): void {
  const { app, url } = ctx;
  const available = app.providers.availableFor(ctx.account);
  const mod = url.searchParams.get('output_modalities');
  const par = url.searchParams.get('supported_parameters');
  // without a limit the whole list (OpenRouter's SDK pages by `limit`, default 500, and stops on a short page)
  const limit = intParam(ctx, 'limit', 1);
  const offset = intParam(ctx, 'offset', 0) ?? 0;
  const now = Date.now();
  const admin = ctx.key.role !== 'user';
  // the expired count changes the key the moment a model reaches its expiration date
  const cacheKey =
    `${admin ? 'a' : 'u'}|${[...available].join(',')}|${mod ?? ''}|${par ?? ''}|${limit ?? ''}|${offset}|` +
    `${app.catalog.expiredCount(now)}`;
  let body = app.modelsCache.get(cacheKey);
  if (!body) {
    const all = filtered(ctx, available, mod, par, now);
    const end = limit === null ? all.length : Math.min(all.length, offset + limit);
    const page = offset > 0 || end < all.length ? all.slice(offset, end) : all;
    let next: string | null = null;
    if (end < all.length) {
      const q = new URLSearchParams(url.searchParams);
      q.set('offset', String(end));
      next = `/v1/models?${q}`;
    }
    // links/total_count: OpenRouter's list shape, which its SDK requires
    body =
      `{"data":[${page.map((m) => app.modelJson(m)).join(',')}],"links":{"next":${JSON.stringify(next)}},` +
      `"total_count":${all.length}}`;
    app.modelListBuilds++;
    if (app.modelsCache.size >= MAX_CACHE) app.modelsCache.clear();
    app.modelsCache.set(cacheKey, body);
  }
  sendJson(ctx.res, 200, body);
}

function countModels(ctx: AuthedContext): void {
  const available = ctx.app.providers.availableFor(ctx.account);
  const q = ctx.url.searchParams;
  const count = filtered(ctx, available, q.get('output_modalities'), q.get('supported_parameters'), Date.now()).length;
  sendJson(ctx.res, 200, { data: { count } });
}

function findVisible(ctx: AuthedContext, catalog: Catalog): ModelDef {
  const id = ctx.params.id ?? `${ctx.params.author}/${ctx.params.slug}`;
  const base = id.replace(/:(free|nitro|floor|thinking)$/, '');
  const m = catalog.get(base);
  if (!m || !isVisible(m, ctx.app.providers.availableFor(ctx.account), ctx.key.role !== 'user')) {
    const unconfigured = m ? providerNotConfigured(catalog, id, new Set(ctx.app.providers.configured.keys())) : null;
    if (unconfigured) throw routingHttpError(unconfigured);
    throw notFound(`Model ${id} not found`, 'model_not_found');
  }
  if (isExpired(m)) throw routingHttpError(deprecated(catalog, m, ctx.app.providers.availableFor(ctx.account)));
  return m;
}

function getModel(ctx: AuthedContext): void {
  sendJson(ctx.res, 200, `{"data":${ctx.app.modelJson(findVisible(ctx, ctx.app.catalog))}}`);
}

/** the openai SDK's models.retrieve(): OpenAI's Model fields at the top level, then ours */
function retrieveModel(ctx: AuthedContext): void {
  const m = findVisible(ctx, ctx.app.catalog);
  sendJson(ctx.res, 200, { ...publicModel(m), object: 'model', owned_by: m.id.split('/')[0] });
}

function getEndpoints(ctx: AuthedContext): void {
  const catalog = ctx.app.catalog;
  const m = findVisible(ctx, catalog);
  const available = ctx.app.providers.availableFor(ctx.account);
  const admin = ctx.key.role !== 'user';
  const endpoints = m.endpoints
    .filter((e) => available.has(e.provider) && (admin || !e.unpriced))
    .map((e) => publicEndpoint(m, e, catalog.providers.get(e.provider)!, ctx.app.endpointStats(e.provider, m, e)));
  sendJson(ctx.res, 200, {
    data: {
      id: m.id,
      canonical_slug: m.canonical_slug,
      name: m.name,
      created: m.created,
      description: m.description,
      architecture: publicArchitecture(m),
      endpoints,
    },
  });
}

export const modelRoutes: Route[] = [
  { method: 'GET', path: '/v1/models', auth: 'user', handler: listModels },
  { method: 'GET', path: '/v1/models/count', auth: 'user', handler: countModels },
  { method: 'GET', path: '/v1/models/:author/:slug', auth: 'user', handler: getModel },
  { method: 'GET', path: '/v1/model/:author/:slug', auth: 'user', handler: getModel },
  { method: 'GET', path: '/v1/models/:id', auth: 'user', handler: retrieveModel },
  { method: 'GET', path: '/v1/models/:author/:slug/endpoints', auth: 'user', handler: getEndpoints },
  { method: 'GET', path: '/v1/models/:id/endpoints', auth: 'user', handler: getEndpoints },
];
