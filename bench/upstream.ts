// The simulated OpenAI-dialect upstream: as fast as node:http allows, no logic.
// POST .../chat/completions answers a fixed ~250-byte chat.completion (with usage); with "stream":true it
// sends N chunks, one every I ms (the first one also after I ms), then a usage chunk and `data: [DONE]`.
// Usage: node dist/bench/upstream.js [--chunks 20] [--interval-ms 5] [--port 0]
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { HOST, announceReady, numArg } from './common.js';

const argv = process.argv.slice(2);
const CHUNKS = Math.max(1, Math.floor(numArg(argv, 'chunks', 20)));
const INTERVAL = numArg(argv, 'interval-ms', 5);
const PORT = numArg(argv, 'port', 0);

const CREATED = 1_700_000_000;
const COMPLETION = Buffer.from(
  JSON.stringify({
    id: 'chatcmpl-bench',
    object: 'chat.completion',
    created: CREATED,
    model: 'echo',
    choices: [
      { index: 0, message: { role: 'assistant', content: 'Hello! How can I help you today?' }, finish_reason: 'stop' },
    ],
    usage: { prompt_tokens: 8, completion_tokens: 9, total_tokens: 17 },
  }),
);
const JSON_HEADERS = { 'content-type': 'application/json', 'content-length': String(COMPLETION.length) };

const chunk = (delta: object, finish: string | null) =>
  `data: ${JSON.stringify({ id: 'chatcmpl-bench', object: 'chat.completion.chunk', created: CREATED, model: 'echo', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
// pre-serialised SSE frames: the upstream must cost the same for every target
const FRAMES: string[] = [];
for (let i = 0; i < CHUNKS; i++) {
  const delta = i === 0 ? { role: 'assistant', content: 'tok0' } : { content: ` tok${i}` };
  FRAMES.push(chunk(delta, i === CHUNKS - 1 ? 'stop' : null));
}
const TAIL =
  `data: ${JSON.stringify({ id: 'chatcmpl-bench', object: 'chat.completion.chunk', created: CREATED, model: 'echo', choices: [], usage: { prompt_tokens: 8, completion_tokens: CHUNKS, total_tokens: 8 + CHUNKS } })}\n\n` +
  'data: [DONE]\n\n';
const SSE_HEADERS = { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' };

function stream(res: ServerResponse): void {
  res.writeHead(200, SSE_HEADERS);
  res.flushHeaders();
  let i = 0;
  let timer: NodeJS.Timeout | null = null;
  const tick = () => {
    timer = null;
    if (res.destroyed) return;
    res.write(FRAMES[i++]);
    if (i < CHUNKS) timer = setTimeout(tick, INTERVAL);
    else res.end(TAIL);
  };
  timer = setTimeout(tick, INTERVAL);
  res.once('close', () => {
    if (timer) clearTimeout(timer);
  });
}

function notFound(res: ServerResponse): void {
  res.writeHead(404, { 'content-type': 'application/json' });
  res.end('{"error":{"message":"not found","type":"invalid_request_error"}}');
}

function onRequest(req: IncomingMessage, res: ServerResponse): void {
  if (req.method !== 'POST' || !req.url?.endsWith('/chat/completions')) {
    req.resume();
    notFound(res);
    return;
  }
  const parts: Buffer[] = [];
  req.on('data', (c: Buffer) => parts.push(c));
  req.on('end', () => {
    let isStream = false;
    try {
      const body = JSON.parse(
        parts.length === 1 ? parts[0].toString('utf8') : Buffer.concat(parts).toString('utf8'),
      ) as { stream?: unknown };
      isStream = body.stream === true;
    } catch {
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end('{"error":{"message":"invalid JSON","type":"invalid_request_error"}}');
      return;
    }
    if (isStream) stream(res);
    else {
      res.writeHead(200, JSON_HEADERS);
      res.end(COMPLETION);
    }
  });
}

const server = createServer({ keepAliveTimeout: 65_000 }, onRequest);
server.listen(PORT, HOST, () => announceReady({ port: (server.address() as { port: number }).port }));
process.on('SIGTERM', () => process.exit(0));
process.on('SIGINT', () => process.exit(0));
