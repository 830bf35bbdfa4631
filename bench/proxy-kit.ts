// What the bench's two proxies (bare-proxy.ts, json-proxy.ts) do alike, so they differ only in what they do
// with the bytes: read the small request body whole, answer a failure as JSON, stop the upstream call when
// the client leaves, listen and exit on a signal.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { HOST, announceReady } from './common.js';

/** the request body as one buffer (null when there is none); chat requests are small */
export function readBody(req: IncomingMessage, done: (body: Buffer | null) => void): void {
  const parts: Buffer[] = [];
  req.on('data', (c: Buffer) => parts.push(c));
  req.on('end', () => done(parts.length === 0 ? null : parts.length === 1 ? parts[0]! : Buffer.concat(parts)));
}

/** an OpenAI-shaped error answer, or a cut connection once the answer has begun */
export function failAnswer(res: ServerResponse, status: number, message: string): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const text = JSON.stringify({ error: { message, type: 'upstream_error' } });
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** for a dispatch handler's onConnect: a client that leaves stops the upstream call (no leaked connections) */
export function abortWhenClientLeaves(res: ServerResponse, abort: (err?: Error) => void): void {
  res.once('close', () => {
    if (!res.writableFinished) abort();
  });
}

export function serve(port: number, onRequest: (req: IncomingMessage, res: ServerResponse) => void): void {
  const server = createServer({ keepAliveTimeout: 65_000 }, onRequest);
  server.listen(port, HOST, () => announceReady({ port: (server.address() as { port: number }).port }));
  process.on('SIGTERM', () => process.exit(0));
  process.on('SIGINT', () => process.exit(0));
}
