// The floor for any Node gateway: a pass-through proxy with no logic at all. node:http in front,
// undici `Pool.stream()` behind, writing the upstream body straight into the client response (the fastest
// combination measured on these machines, see shared/notes/http-stack-measurements.md).
// Usage: node dist/bench/bare-proxy.js --upstream http://127.0.0.1:PORT [--port 0]
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import { Pool } from 'undici';
import { HOST, announceReady, argValue, numArg } from './common.js';

const argv = process.argv.slice(2);
const upstream = argValue(argv, 'upstream');
if (!upstream) {
  console.error('bare-proxy: --upstream URL is required');
  process.exit(2);
}
const PORT = numArg(argv, 'port', 0);
const pool = new Pool(new URL(upstream).origin, { connections: 128, keepAliveTimeout: 30_000 });

// hop-by-hop headers are not forwarded
const HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'host', 'proxy-connection', 'upgrade', 'te', 'trailer']);

function forwardHeaders(h: IncomingHttpHeaders | Record<string, string | string[] | undefined>): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const k in h) {
    const v = h[k];
    if (v !== undefined && !HOP.has(k)) out[k] = v;
  }
  return out;
}

function onRequest(req: IncomingMessage, res: ServerResponse): void {
  pool.stream(
    { path: req.url ?? '/', method: req.method as 'POST', headers: forwardHeaders(req.headers), body: req.method === 'GET' || req.method === 'HEAD' ? null : req },
    ({ statusCode, headers }) => {
      res.writeHead(statusCode, forwardHeaders(headers));
      return res;
    },
    (err) => {
      if (!err) return;
      if (!res.headersSent) {
        res.writeHead(502, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { message: `bare proxy: ${err.message}`, type: 'upstream_error' } }));
      } else res.destroy(err);
    },
  );
}

const server = createServer({ keepAliveTimeout: 65_000 }, onRequest);
server.listen(PORT, HOST, () => announceReady({ port: (server.address() as { port: number }).port }));
process.on('SIGTERM', () => process.exit(0));
process.on('SIGINT', () => process.exit(0));
