// GET /v1/health: liveness, answered from memory (load balancers poll it often). GET /v1/health/ready: readiness —
// storage answers, Redis answers (when configured), a catalog is loaded, the process is not draining — each check
// bounded, so a hung dependency makes it 503 within a second rather than hanging the probe.
import type { Route, RequestContext } from '../context.js';
import { sendJson } from '../respond.js';

const CHECK_TIMEOUT_MS = 1000;

/** "ok", or why not: the check's error, or that it took longer than CHECK_TIMEOUT_MS */
async function check(run: () => Promise<unknown>): Promise<string> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve(`no answer within ${CHECK_TIMEOUT_MS} ms`), CHECK_TIMEOUT_MS);
  });
  try {
    return await Promise.race([
      run().then(
        () => 'ok',
        (err: unknown) => `error: ${(err as Error)?.message ?? String(err)}`,
      ),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

async function ready(ctx: RequestContext): Promise<void> {
  const app = ctx.app;
  const [storage, redis] = await Promise.all([
    check(() => app.store.directoryRevision()),
    app.redis ? check(() => app.redis!.ping()) : Promise.resolve('not configured'),
  ]);
  const models = app.catalog.models.length;
  const ok = !app.draining && storage === 'ok' && (redis === 'ok' || redis === 'not configured') && models > 0;
  sendJson(ctx.res, ok ? 200 : 503, {
    status: app.draining ? 'draining' : ok ? 'ready' : 'not_ready',
    checks: { storage, redis, catalog: models > 0 ? `${models} models` : 'empty', draining: app.draining },
  });
}

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
  { method: 'GET', path: '/v1/health/ready', auth: 'none', handler: ready },
];
