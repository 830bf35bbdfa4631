// The floor for any Node gateway: a pass-through proxy with no logic at all, as fast as we can write one.
// node:http in front; undici's Pool behind, driven through its dispatcher-handler interface (the path
// Pool.stream() takes, without its Writable). Bytes are never parsed: the request body is collected (chat
// requests are small) and sent as one buffer; headers are forwarded from the raw lists minus hop-by-hop ones;
// an answer with a content-length is relayed in one write, anything else (SSE) chunk by chunk as it arrives.
// Measured against the first version (Pool.stream() with the client request piped in as the upstream body and
// the upstream body piped out): that one was slower than a proxy that parses and re-serialises the JSON
// (bench/json-proxy.ts), so it was not the floor.
// Usage: node dist/bench/bare-proxy.js --upstream http://127.0.0.1:PORT [--port 0]
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Pool, type Dispatcher } from 'undici';
import { argValue, numArg } from './common.js';
import { abortWhenClientLeaves, failAnswer, readBody, serve } from './proxy-kit.js';

const argv = process.argv.slice(2);
const upstream = argValue(argv, 'upstream');
if (!upstream) {
  console.error('bare-proxy: --upstream URL is required');
  process.exit(2);
}
const PORT = numArg(argv, 'port', 0);
const pool = new Pool(new URL(upstream).origin, { connections: 128, keepAliveTimeout: 30_000 });

// hop-by-hop headers are not forwarded; content-length is re-computed for the re-framed body
const HOP = new Set([
  'connection',
  'keep-alive',
  'transfer-encoding',
  'host',
  'proxy-connection',
  'upgrade',
  'te',
  'trailer',
  'content-length',
]);

function requestHeaders(raw: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < raw.length; i += 2) if (!HOP.has(raw[i]!.toLowerCase())) out.push(raw[i]!, raw[i + 1]!);
  return out;
}

class Relay implements Dispatcher.DispatchHandler {
  private status = 0;
  private headers: string[] = [];
  /** the answer has a length: relayed in one write when complete */
  private whole = false;
  private parts: Buffer[] = [];
  private resume: (() => void) | null = null;

  constructor(private res: ServerResponse) {}

  onConnect(abort: (err?: Error) => void): void {
    abortWhenClientLeaves(this.res, abort);
  }

  onHeaders(status: number, raw: Buffer[], resume: () => void): boolean {
    this.status = status;
    this.resume = resume;
    for (let i = 0; i < raw.length; i += 2) {
      const name = raw[i]!.toString('latin1');
      const lower = name.toLowerCase();
      if (lower === 'content-length') this.whole = true;
      if (!HOP.has(lower)) this.headers.push(name, raw[i + 1]!.toString('latin1'));
    }
    return true;
  }

  onData(chunk: Buffer): boolean {
    if (this.whole) {
      this.parts.push(chunk);
      return true;
    }
    if (!this.res.headersSent) this.res.writeHead(this.status, this.headers);
    if (this.res.write(chunk)) return true;
    this.res.once('drain', this.resume!);
    return false;
  }

  onComplete(): void {
    if (!this.whole) {
      if (!this.res.headersSent) this.res.writeHead(this.status, this.headers);
      this.res.end();
      return;
    }
    const body = this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts);
    this.headers.push('content-length', String(body.length));
    this.res.writeHead(this.status, this.headers);
    this.res.end(body);
  }

  onError(err: Error): void {
    failAnswer(this.res, 502, `bare proxy: ${err.message}`);
  }
}

serve(PORT, (req: IncomingMessage, res: ServerResponse) => {
  readBody(req, (body) => {
    pool.dispatch(
      {
        path: req.url ?? '/',
        method: req.method as Dispatcher.HttpMethod,
        headers: requestHeaders(req.rawHeaders),
        body,
      },
      new Relay(res),
    );
  });
});
