// The least any router must do with a chat completion, and nothing more: read the whole request and parse it
// (a router must learn the model), serialise it again for the upstream with the upstream's model name, parse
// the upstream's answer (it must learn the usage) and serialise it again with the public model name; for a
// stream, the same per SSE event. No auth, routing, limits, accounting, ledger or log. Beside the bare proxy
// (moving bytes) it shows what understanding them costs on the same machine, before any product logic:
// ARouter's distance from the bare proxy splits into this part and its own.
// Same undici Pool and dispatcher-handler path as ARouter's transport. SSE events are split on "\n\n", which
// is what the bench upstream sends (a general router needs a full SSE parser: more work, not less).
// Usage: node dist/bench/json-proxy.js --upstream http://127.0.0.1:PORT/v1 [--upstream-model echo] [--port 0]
import type { IncomingMessage, ServerResponse } from 'node:http';
import { StringDecoder } from 'node:string_decoder';
import { Pool, type Dispatcher } from 'undici';
import { argValue, numArg } from './common.js';
import { abortWhenClientLeaves, failAnswer, readBody, serve } from './proxy-kit.js';

const argv = process.argv.slice(2);
const upstream = argValue(argv, 'upstream');
if (!upstream) {
  console.error('json-proxy: --upstream URL is required');
  process.exit(2);
}
const UPSTREAM_MODEL = argValue(argv, 'upstream-model') ?? 'echo';
const PORT = numArg(argv, 'port', 0);
const upstreamUrl = new URL(upstream);
const CHAT_PATH = `${upstreamUrl.pathname.replace(/\/$/, '')}/chat/completions`;
const pool = new Pool(upstreamUrl.origin, { connections: 128, keepAliveTimeout: 30_000 });
const UPSTREAM_HEADERS = { 'content-type': 'application/json' };
const SSE_HEADERS = { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' };

/** One upstream call relayed to the client: the answer parsed and re-serialised, whole or per SSE event. */
class Relay implements Dispatcher.DispatchHandler {
  private status = 0;
  private parts: Buffer[] = [];
  private text = new StringDecoder('utf8');
  private pending = '';
  private resume: (() => void) | null = null;

  constructor(
    private res: ServerResponse,
    private model: string,
    private stream: boolean,
  ) {}

  onConnect(abort: (err?: Error) => void): void {
    abortWhenClientLeaves(this.res, abort);
  }

  onHeaders(status: number, _raw: Buffer[], resume: () => void): boolean {
    this.status = status;
    this.resume = resume;
    if (this.stream && status === 200) this.res.writeHead(200, SSE_HEADERS);
    return true;
  }

  onData(chunk: Buffer): boolean {
    if (!this.stream || this.status !== 200) {
      this.parts.push(chunk);
      return true;
    }
    this.pending += this.text.write(chunk);
    let out = '';
    let end: number;
    while ((end = this.pending.indexOf('\n\n')) !== -1) {
      out += this.event(this.pending.slice(0, end));
      this.pending = this.pending.slice(end + 2);
    }
    if (out === '' || this.res.write(out)) return true;
    // a slow client pauses the upstream, as the bare proxy's Pool.stream() does
    this.res.once('drain', this.resume!);
    return false;
  }

  private event(ev: string): string {
    if (!ev.startsWith('data: ') || ev === 'data: [DONE]') return `${ev}\n\n`;
    const chunk = JSON.parse(ev.slice(6)) as { model?: string };
    chunk.model = this.model;
    return `data: ${JSON.stringify(chunk)}\n\n`;
  }

  onComplete(): void {
    if (this.stream && this.status === 200) {
      this.res.end();
      return;
    }
    const raw = Buffer.concat(this.parts).toString('utf8');
    let text = raw;
    try {
      const answer = JSON.parse(raw) as { model?: string };
      if (this.status === 200) answer.model = this.model;
      text = JSON.stringify(answer);
    } catch {
      // not JSON (an upstream error page): passed on as it came
    }
    this.res.writeHead(this.status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    this.res.end(text);
  }

  onError(err: Error): void {
    failAnswer(this.res, 502, `json proxy: ${err.message}`);
  }
}

serve(PORT, (req: IncomingMessage, res: ServerResponse) => {
  readBody(req, (raw) => {
    let body: { model?: unknown; stream?: unknown };
    try {
      body = JSON.parse(raw === null ? '' : raw.toString('utf8')) as typeof body;
    } catch {
      failAnswer(res, 400, 'json proxy: the request body is not JSON');
      return;
    }
    const model = typeof body.model === 'string' ? body.model : '';
    body.model = UPSTREAM_MODEL;
    const relay = new Relay(res, model, body.stream === true);
    pool.dispatch({ path: CHAT_PATH, method: 'POST', headers: UPSTREAM_HEADERS, body: JSON.stringify(body) }, relay);
  });
});
