// The HTTP front door on plain node:http (the fastest stack measured here; see shared notes). Matches the
// route, authenticates, runs the handler, turns errors into OpenAI-shaped JSON and writes one access-log
// line per request. Never HTML, never a stack trace.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { Socket } from 'node:net';
import type { App } from '../app.js';
import { authenticate } from '../auth/authenticate.js';
import { connectionBudget, lowFdLimitWarning, openFilesLimit } from '../lib/fd-limit.js';
import { ClientGoneError } from './body.js';
import type { AccessLogFields, AuthedContext, RequestContext, Route } from './context.js';
import { accessLogFields } from './access-log.js';
import { HttpError, sendError } from './errors.js';
import { Router } from './router.js';
import { addCommonHeader, setRequestId } from './respond.js';
import { requestHeader } from './request-headers.js';

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
  const requestTimeout = app.config.requestTimeoutMs;
  const server = createServer({
    keepAliveTimeout: 65_000,
    // node's requestTimeout bounds RECEIVING the request (headers and body; its clock stops when the body
    // has arrived), never the answer: a stream may legitimately run for minutes after it (test/probe/05)
    requestTimeout,
    headersTimeout: requestTimeout > 0 ? Math.min(30_000, requestTimeout) : 30_000,
    // how often node looks for expired requests (default 30 s, which would let a 60 s timeout run to 90 s)
    connectionsCheckingInterval: requestTimeout > 0 ? Math.min(30_000, Math.max(100, Math.floor(requestTimeout / 4))) : 30_000,
  }, (req, res) => {
    void handle(app, router, req, res);
  });
  limitConnections(server, app);
  return server;
}

/**
 * Caps client connections so that descriptors stay for upstream sockets and the database: past the cap node
 * closes new connections at once, which costs the newcomers rather than every request in flight (EMFILE).
 */
function limitConnections(server: Server, app: App): void {
  const fdLimit = openFilesLimit();
  const max = app.config.maxConnections ?? connectionBudget(fdLimit) ?? 0;
  if (max > 0) server.maxConnections = max;
  const warning = lowFdLimitWarning(fdLimit, max);
  if (warning !== null) app.log.warn(warning, { open_files_limit: fdLimit, max_connections: max || null });
  let lastDropWarning = 0;
  server.on('drop', () => {
    const now = Date.now();
    if (now - lastDropWarning < 60_000) return;
    lastDropWarning = now;
    app.log.warn('connection refused: server.max_connections reached', { max_connections: max });
  });
}

/** After an error answer the rest of an unread body is drained up to this much, then the connection closed. */
const LINGER_BYTES = 64 * 1024;
/** ... or for this long: enough for a normal client to read the answer, too short to hold a socket open. */
const LINGER_MS = 2_000;

function hasBody(req: IncomingMessage): boolean {
  const len = req.headers['content-length'];
  return (len !== undefined && len !== '0') || req.headers['transfer-encoding'] !== undefined;
}

/**
 * An error answered before the request body has arrived: the connection cannot be reused (the rest of the
 * body is still coming), so the answer says `Connection: close`, and the body is not read for ever (an
 * endless chunked body after a 413, a byte a second after a 401). Closing at once, with body bytes unread,
 * makes the kernel answer them with a reset that may reach the client before it has read the answer; so
 * our side is shut (FIN after the answer) and up to LINGER_BYTES / LINGER_MS more is read and discarded.
 */
function closeAfterAnswer(req: IncomingMessage, err: HttpError): void {
  err.headers = { ...err.headers, connection: 'close' };
  const socket = req.socket as Socket & { destroySoon?: () => void };
  // node calls destroySoon once a `Connection: close` answer is written; shut only our side instead
  socket.destroySoon = () => socket.end();
  const timer = setTimeout(() => socket.destroy(), LINGER_MS);
  timer.unref();
  socket.once('close', () => clearTimeout(timer));
  let drained = 0;
  req.on('data', (c: Buffer) => {
    drained += c.length;
    if (drained > LINGER_BYTES) socket.destroy();
  });
  req.resume();
}

/** node's request timeout destroyed the socket (it answers the 408 itself when nothing was written yet). */
function timedOut(req: IncomingMessage): boolean {
  return (req.socket as Socket & { errored?: (Error & { code?: string }) | null }).errored?.code === 'ERR_HTTP_REQUEST_TIMEOUT';
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
  try {
    const origin = requestHeader(req, 'origin');
    if (origin !== undefined && app.cors.enabled && app.cors.handle(origin, req, res)) return;
    if (app.draining) {
      throw new HttpError(503, 'Server is shutting down', 'server_error', 'shutting_down', null, { connection: 'close' });
    }
    const m = router.match(req.method ?? 'GET', pathname);
    if (m.kind === 'not_found') {
      throw new HttpError(404, `Unknown route: ${req.method} ${pathname}`, 'not_found_error', 'unknown_route');
    }
    if (m.kind === 'method_not_allowed') {
      throw new HttpError(405, `Method ${req.method} not allowed on ${pathname}; allowed: ${m.allowed.join(', ')}`,
        'invalid_request_error', 'method_not_allowed', null, { allow: m.allowed.join(', ') });
    }
    routeName = m.route.path;
    ctx.params = m.params;
    if (m.route.auth !== 'none') {
      const { key, account } = authenticate(req, app.directory, m.route.auth === 'admin');
      ctx.key = key;
      ctx.account = account;
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
      if (hasBody(req) && !req.complete) closeAfterAnswer(req, err);
      else if (!req.readableEnded) req.resume(); // a body already received but not read: keep-alive is safe
      sendError(res, err);
      return;
    }
    app.log.error('unhandled error', { id, route: routeName, error: (err as Error)?.stack ?? String(err) });
    sendError(res, new HttpError(500, 'Internal server error', 'server_error', 'internal_error'));
  } finally {
    // the handler is done: its answer is written (streams included), or the client left. Logged here rather
    // than on the response's 'close' event: one listener fewer per request.
    if (app.log.enabled('info')) app.log.logJson('info', 'request', accessLogFields(ctx, routeName, performance.now() - start));
  }
}
