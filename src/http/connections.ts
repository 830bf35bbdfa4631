// The client connection's lifetime: how long a client may take to send its request, how many connections
// fit in the file-descriptor limit, and how a connection ends after an error answered mid-body. A client
// sending its body a byte a second, or an endless body after a refusal, held its socket for ever (issue 12).
import type { IncomingMessage, Server, ServerOptions, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { connectionBudget, lowFdLimitWarning, openFilesLimit } from '../lib/fd-limit.js';
import type { Logger } from '../lib/log.js';

/**
 * node's requestTimeout bounds RECEIVING the request (headers and body: its clock stops once the body has
 * arrived), never the answer: a stream may run for minutes after it (test/probe/05 checks both).
 */
export function requestTimeouts(
  ms: number,
): Pick<ServerOptions, 'requestTimeout' | 'headersTimeout' | 'connectionsCheckingInterval'> {
  if (ms <= 0) return { requestTimeout: 0, headersTimeout: 30_000 };
  return {
    requestTimeout: ms,
    headersTimeout: Math.min(30_000, ms),
    // how often node looks for expired requests: its default, every 30 s, would let a 60 s timeout run to 90 s
    connectionsCheckingInterval: Math.min(30_000, Math.max(100, Math.floor(ms / 4))),
  };
}

/**
 * Caps client connections so that descriptors stay for upstream sockets and the database: past the cap node
 * closes new connections at once, which costs the newcomers rather than every request in flight (EMFILE).
 */
export function limitConnections(server: Server, configured: number | null, log: Logger): void {
  const fdLimit = openFilesLimit();
  const max = configured ?? connectionBudget(fdLimit) ?? 0;
  if (max > 0) server.maxConnections = max;
  const warning = lowFdLimitWarning(fdLimit, max);
  if (warning !== null) log.warn(warning, { open_files_limit: fdLimit, max_connections: max || null });
  let lastDropWarning = 0;
  server.on('drop', () => {
    const now = Date.now();
    if (now - lastDropWarning < 60_000) return;
    lastDropWarning = now;
    log.warn('connection refused: server.max_connections reached', { max_connections: max });
  });
}

/** After an error answer the rest of an unread body is drained up to this much, then the connection closed. */
const LINGER_BYTES = 64 * 1024;
/** ... or for this long: enough for a normal client to read the answer, too short to hold a socket open. */
const LINGER_MS = 2_000;

export function hasBody(req: IncomingMessage): boolean {
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
export function closeAfterAnswer(req: IncomingMessage, res: ServerResponse): void {
  res.setHeader('connection', 'close');
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
export function timedOut(req: IncomingMessage): boolean {
  return (
    (req.socket as Socket & { errored?: (Error & { code?: string }) | null }).errored?.code ===
    'ERR_HTTP_REQUEST_TIMEOUT'
  );
}
