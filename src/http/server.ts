// The HTTP front door on plain node:http (the fastest stack measured here; see shared notes). Matches the
// route, authenticates, runs the handler, turns errors into OpenAI-shaped JSON and writes one access-log
// line per request. Never HTML, never a stack trace.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { App } from '../app.js';
import { identify, requireRole } from './authenticate.js';
import { ClientGoneError } from './body.js';
import { closeAfterAnswer, hasBody, limitConnections, requestTimeouts, timedOut } from './connections.js';
import type { AccessLogFields, AuthedContext, RequestContext, Route } from './context.js';
import { accessLogFields, answeredStatus } from './access-log.js';
import { HttpError, sendError } from './errors.js';
import { Router } from './router.js';
import { addCommonHeader, setRequestId } from './respond.js';
import { requestHeader } from '../lib/request-headers.js';

export function buildRouter(routes: Route[]): Router {
  const r = new Router();
  for (const route of routes) r.add(route);
  return r;
}

let seq = 0;
const idPrefix = randomBytes(4).toString('hex');
const requestId = () => `req_${idPrefix}${(++seq).toString(36)}`;

/** A class rather than an object literal with a getter (V8 builds those ~50× slower): one per request. */
class Context implements RequestContext {
  params: Record<string, string> = {};
  key: RequestContext['key'] = null;
  account: RequestContext['account'] = null;
  log: AccessLogFields = {};
  private parsedUrl: URL | null = null;

  constructor(
    readonly app: App,
    readonly req: IncomingMessage,
    readonly res: ServerResponse,
    readonly id: string,
    readonly start: number,
    private readonly rawUrl: string,
  ) {}

  /** the WHATWG URL (~2 µs) only for handlers that read the query */
  get url(): URL {
    return (this.parsedUrl ??= new URL(this.rawUrl, 'http://localhost'));
  }
}

export function createHttpServer(app: App, router: Router): Server {
  const server = createServer(
    { keepAliveTimeout: 65_000, ...requestTimeouts(app.config.requestTimeoutMs) },
    (req, res) => {
      void handle(app, router, req, res);
    },
  );
  limitConnections(server, app.config.maxConnections, app.log);
  return server;
}

async function handle(app: App, router: Router, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const start = performance.now();
  const id = requestId();
  setRequestId(res, id);
  const raw = req.url ?? '/';
  const q = raw.indexOf('?');
  // the path is all routing needs; a WHATWG URL (~2 µs) is parsed only by handlers that read the query
  const pathname = q < 0 ? raw : raw.slice(0, q);
  const ctx: RequestContext = new Context(app, req, res, id, start, raw);
  let routeName = pathname;
  let matched = false;
  let errorBody: Route['errorBody'];
  app.inFlight.begin();
  try {
    const origin = requestHeader(req, 'origin');
    if (origin !== undefined && app.cors.enabled && app.cors.handle(origin, req, res)) return;
    if (app.draining) {
      throw new HttpError(503, 'Server is shutting down', 'server_error', 'shutting_down', null, {
        connection: 'close',
      });
    }
    const m = router.match(req.method ?? 'GET', pathname);
    if (m.kind === 'not_found') {
      throw new HttpError(404, `Unknown route: ${req.method} ${pathname}`, 'not_found_error', 'unknown_route');
    }
    if (m.kind === 'method_not_allowed') {
      throw new HttpError(
        405,
        `Method ${req.method} not allowed on ${pathname}; allowed: ${m.allowed.join(', ')}`,
        'invalid_request_error',
        'method_not_allowed',
        null,
        { allow: m.allowed.join(', ') },
      );
    }
    routeName = m.route.path;
    matched = true;
    errorBody = m.route.errorBody;
    ctx.params = m.params;
    if (m.route.auth !== 'none') {
      // a cached key is identified synchronously: awaited only when storage had to be read (a cold key)
      const found = identify(req, app.directory);
      const { key, account } = found instanceof Promise ? await found : found;
      // known before the role check, so a 403's access-log line names the key that was refused
      ctx.key = key;
      ctx.account = account;
      requireRole(key, m.route.auth);
      const rl = app.limits.peekHeaders(key);
      for (const name in rl) addCommonHeader(res, name, rl[name]);
    }
    await (m.route.handler as (c: AuthedContext) => Promise<void> | void)(ctx as AuthedContext);
  } catch (err) {
    if (err instanceof ClientGoneError) {
      // the client left mid-upload (or was too slow): an ordinary outcome, and nobody is left to answer.
      // 499 is nginx's "client closed request"; the access log below is the only trace.
      res.statusCode = timedOut(req) ? 408 : 499;
      return;
    }
    if (err instanceof HttpError) {
      if (hasBody(req) && !req.complete) closeAfterAnswer(req, res);
      else if (!req.readableEnded) req.resume(); // a body already received but not read: keep-alive is safe
      sendError(res, err, errorBody);
      return;
    }
    app.log.error('unhandled error', { id, route: routeName, error: (err as Error)?.stack ?? String(err) });
    sendError(res, new HttpError(500, 'Internal server error', 'server_error', 'internal_error'), errorBody);
  } finally {
    // the handler is done: its answer is written (streams included), or the client left. Logged here rather
    // than on the response's 'close' event: one listener fewer per request.
    if (app.log.enabled('info'))
      app.log.logJson('info', 'request', accessLogFields(ctx, routeName, performance.now() - start));
    // an unmatched path is client text: one label value for all of them
    if (app.metrics !== null) app.metrics.httpRequest(matched ? routeName : 'unmatched', answeredStatus(res));
    app.inFlight.end();
  }
}
