// GET /metrics: Prometheus text (README "Operations"), on the main port to an operator key only: it tells the
// whole server's traffic and spend by model and provider, every account's included. `metrics.listen` serves the
// same text without a key on an address of its own (src/telemetry/listener.ts).
import type { AuthedContext, Route } from '../context.js';
import { HttpError } from '../errors.js';
import { withCommonHeaders } from '../respond.js';

async function metrics(ctx: AuthedContext): Promise<void> {
  const m = ctx.app.metrics;
  if (m === null)
    throw new HttpError(
      404,
      'Metrics are off on this server (metrics.enabled: false)',
      'not_found_error',
      'metrics_disabled',
    );
  let text: string;
  try {
    text = await m.scrape();
  } catch (err) {
    throw new HttpError(
      503,
      `Metrics unavailable: ${(err as Error).message}`,
      'service_unavailable',
      'metrics_unavailable',
    );
  }
  ctx.res.writeHead(
    200,
    withCommonHeaders(ctx.res, { 'content-type': m.contentType, 'content-length': Buffer.byteLength(text) }),
  );
  ctx.res.end(text);
}

export const metricsRoutes: Route[] = [{ method: 'GET', path: '/metrics', auth: 'operator', handler: metrics }];
