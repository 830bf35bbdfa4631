// The access log: one JSON line per request (never a prompt), written when its handler is done. Built field by
// field as JSON text: on every request an object, two spreads and a generic JSON.stringify measured several µs.
import type { ServerResponse } from 'node:http';
import type { RequestContext } from './context.js';

const q = JSON.stringify;

/** `"id":…,"method":…,"route":…,"status":…,"key_id":…,"duration_ms":…[,"generation_id",…][,"aborted":true]` */
export function accessLogFields(ctx: RequestContext, route: string, durationMs: number): string {
  const { res, log } = ctx;
  // the route is the matched pattern, or the raw path of an unknown one: client text, so quoted properly
  const status = answeredStatus(res);
  let s =
    `"id":"${ctx.id}","method":${q(ctx.req.method ?? null)},"route":${q(route)},"status":${status},` +
    `"key_id":${ctx.key === null ? 'null' : q(ctx.key.id)},"duration_ms":${Math.round(durationMs * 100) / 100}`;
  if (log.generationId !== undefined) s += `,"generation_id":${q(log.generationId)}`;
  if (log.model !== undefined) s += `,"model":${q(log.model)}`;
  if (log.provider !== undefined) s += `,"provider":${q(log.provider)}`;
  // the answer was not completed: the client left (or the handler gave up) before it ended
  if (!res.writableEnded) s += ',"aborted":true';
  return s;
}

/**
 * The status a request was answered with. Nothing answered and no status chosen (the client left first): 499,
 * nginx's "client closed request", not the default 200.
 */
export function answeredStatus(res: ServerResponse): number {
  return res.headersSent || res.statusCode !== 200 ? res.statusCode : 499;
}
