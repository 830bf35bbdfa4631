// POST /v1/admin/reload (operator keys): re-reads the config file and the environment and applies them to new
// requests (src/reload.ts), answering what changed and what needs a restart; a config that fails is refused
// with a 400 naming the field, and the running config stays. SIGHUP does the same.
import type { AuthedContext, Route } from '../context.js';
import { HttpError } from '../errors.js';
import { sendJson } from '../respond.js';
import { ConfigError, configErrorField, NoConfigSource } from '../../config/load.js';
import { CatalogError } from '../../catalog/catalog.js';

async function reload(ctx: AuthedContext): Promise<void> {
  // the body, if any, means nothing: drained so the connection stays usable
  ctx.req.resume();
  let report;
  try {
    report = ctx.app.reloadFromSource('admin endpoint');
  } catch (err) {
    if (err instanceof ConfigError || err instanceof CatalogError) {
      throw new HttpError(
        400,
        `Config refused, the running config stays: ${err.message}`,
        'invalid_request_error',
        'invalid_config',
        configErrorField(err),
      );
    }
    if (err instanceof NoConfigSource) {
      throw new HttpError(409, err.message, 'invalid_request_error', 'nothing_to_reload');
    }
    throw err;
  }
  sendJson(ctx.res, 200, { reloaded: true, ...report });
}

export const adminRoutes: Route[] = [{ method: 'POST', path: '/v1/admin/reload', auth: 'operator', handler: reload }];
