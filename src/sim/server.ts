// Shared plumbing of the simulated upstreams: node:http server, request recording, per-request scripting
// (errors, latency, pacing, malformed bodies, disconnects), SSE/stream writing, and the /__sim/* control
// endpoints other processes use (POST /__sim/script, POST /__sim/reset, GET /__sim/requests).
import http, { type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PromptCache } from './content.js';
import { SimModels, type ReleaseInfo } from './models.js';

export type SimDialect = 'openai' | 'anthropic' | 'gemini';

export interface SimRule {
  /** which requests the rule applies to; model = the request's model (Gemini: from the URL), path = substring of the URL path */
  match?: { model?: string; path?: string };
  /** how many matching requests consume it (default 1; Infinity = sticky) */
  times?: number;
  /** answer with this HTTP status and the dialect's real error body (429 adds retry-after, 529 = Anthropic overloaded) */
  status?: number;
  /** overrides the default message of a scripted error */
  message?: string;
  /** retry-after seconds sent with 429/503/529 (default 1) */
  retryAfterSec?: number;
  /** delay before the response headers */
  latencyMs?: number;
  /** streams: delay before the first content chunk */
  ttftMs?: number;
  /** streams: pace of content chunks */
  tokensPerSecond?: number;
  /** a 200 with a truncated JSON body, or (streams) one truncated SSE data line */
  malformedJson?: boolean;
  /** destroy the socket after this many stream events (non-stream: after half the body) */
  disconnectAfterChunks?: number;
  /** streams: end the body cleanly (no error, no [DONE] / closing `]`) after this many events */
  endAfterChunks?: number;
  /** the upstream reports no usage */
  omitUsage?: boolean;
  /** override the reply text */
  reply?: string;
  /** answer with these tool calls */
  toolCalls?: Array<{ name: string; arguments: Record<string, unknown> }>;
  /** streams: an in-stream error event after a few chunks (Anthropic `event: error` overloaded_error) */
  errorEventMidStream?: boolean;
}

export interface RecordedRequest {
  method: string;
  /** URL path without the query */
  path: string;
  query: Record<string, string>;
  headers: IncomingHttpHeaders;
  /** parsed JSON body; the raw text when it is not JSON; undefined when empty */
  body: unknown;
  receivedAt: number;
}

/** One stream event: `event` name (Anthropic), JSON `data`, and the content tokens it carries (for pacing). */
export interface StreamFrame {
  event?: string;
  data: string;
  tokens?: number;
}

export interface ServerOptions {
  apiKey?: string;
  models?: string[];
}

export interface SimContext {
  req: IncomingMessage;
  res: ServerResponse;
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  rawBody: string;
  /** parsed JSON body (undefined when empty or not JSON) */
  body: unknown;
  /** the body was present but not valid JSON */
  badJson: boolean;
  rule: SimRule | null;
  opts: ServerOptions;
  /** the models this upstream serves and lists now (released / withdrawn at run time) */
  models: SimModels;
  cache: PromptCache;
  /** per-server sequence number of this request (for unique ids) */
  seq: number;
  /** extra headers sent with every response of this request */
  headersOut: Record<string, string>;
  sendJson(status: number, body: unknown, headers?: Record<string, string>, pretty?: boolean): void;
  stream(frames: StreamFrame[], format: StreamFormat): Promise<void>;
}

export interface StreamFormat {
  contentType: string;
  /** serialized event i (data possibly corrupted) */
  encode(frame: StreamFrame, index: number): string;
  /** written after the last event (e.g. `]` for Gemini's JSON-array stream) */
  trailer?: string;
}

export interface DialectHandler {
  /** model named by a request, for rule matching */
  modelOf(path: string, body: unknown): string | undefined;
  /** the real error response of this provider for a scripted status */
  scriptedError(
    ctx: SimContext,
    status: number,
    rule: SimRule,
  ): { status: number; body: unknown; headers?: Record<string, string> };
  handle(ctx: SimContext): Promise<void>;
}

type LiveRule = SimRule & { left: number };

export function normalizeRule(raw: unknown): SimRule {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new Error('rule must be an object');
  const r = { ...(raw as SimRule) };
  const t = (raw as { times?: unknown }).times;
  if (t === 'Infinity' || t === -1 || t === null) r.times = Infinity;
  else if (t !== undefined && (typeof t !== 'number' || !(t > 0)))
    throw new Error('times must be a positive number, -1 or "Infinity"');
  return r;
}

export class SimServer {
  readonly requests: RecordedRequest[] = [];
  private rules: LiveRule[] = [];
  private readonly server: http.Server;
  private readonly cache = new PromptCache();
  readonly models: SimModels;
  private readonly timers = new Set<{ t: NodeJS.Timeout; resolve: () => void }>();
  private seq = 0;
  private closed = false;

  constructor(
    private readonly handler: DialectHandler,
    private readonly opts: ServerOptions,
    private readonly dialect: SimDialect = 'openai',
  ) {
    this.models = new SimModels(opts.models);
    this.server = http.createServer((req, res) => {
      this.onRequest(req, res).catch((err: unknown) => {
        if (!res.headersSent) {
          res.writeHead(500, { 'content-type': 'text/plain' });
          res.end(`sim internal error: ${String(err instanceof Error ? err.stack : err)}`);
        } else res.destroy();
      });
    });
  }

  async listen(port: number, host: string): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => resolve());
    });
    return (this.server.address() as AddressInfo).port;
  }

  script(rule: SimRule): void {
    const r = normalizeRule(rule);
    this.rules.push({ ...r, left: r.times ?? 1 });
  }

  reset(): void {
    this.rules = [];
    this.requests.length = 0;
    this.cache.clear();
    this.models.reset();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const tm of this.timers) {
      clearTimeout(tm.t);
      tm.resolve();
    }
    this.timers.clear();
    const done = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    await done;
  }

  /** setTimeout that close() cancels (resolves early) so tests never hang on a scripted delay. */
  sleep(ms: number): Promise<void> {
    if (!(ms > 0) || this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      const entry = {
        t: setTimeout(() => {
          this.timers.delete(entry);
          resolve();
        }, ms),
        resolve,
      };
      this.timers.add(entry);
    });
  }

  private takeRule(path: string, body: unknown): LiveRule | null {
    const model = this.handler.modelOf(path, body);
    const i = this.rules.findIndex((r) => {
      if (r.match?.path !== undefined && !path.includes(r.match.path)) return false;
      if (r.match?.model !== undefined && r.match.model !== model && `models/${r.match.model}` !== model) return false;
      return true;
    });
    if (i < 0) return null;
    const r = this.rules[i];
    r.left -= 1;
    if (r.left <= 0) this.rules.splice(i, 1);
    return r;
  }

  private async onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://sim.local');
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const rawBody = Buffer.concat(chunks).toString('utf8');
    let body: unknown;
    let badJson = false;
    if (rawBody.length) {
      try {
        body = JSON.parse(rawBody);
      } catch {
        badJson = true;
      }
    }

    if (url.pathname.startsWith('/__sim/')) return this.control(req.method ?? 'GET', url.pathname, body, badJson, res);

    this.requests.push({
      method: req.method ?? 'GET',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: req.headers,
      body: badJson ? rawBody : body,
      receivedAt: Date.now(),
    });
    const rule = this.takeRule(url.pathname, body);
    const ctx = this.context(req, res, url, rawBody, body, badJson, rule);
    if (rule?.latencyMs) await this.sleep(rule.latencyMs);
    if (res.destroyed) return;
    if (rule?.status !== undefined) {
      const e = this.handler.scriptedError(ctx, rule.status, rule);
      res.writeHead(e.status, { 'content-type': 'application/json', ...ctx.headersOut, ...(e.headers ?? {}) });
      res.end(JSON.stringify(e.body));
      return;
    }
    await this.handler.handle(ctx);
  }

  private context(
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    rawBody: string,
    body: unknown,
    badJson: boolean,
    rule: LiveRule | null,
  ): SimContext {
    const self = this;
    const ctx: SimContext = {
      req,
      res,
      rawBody,
      body,
      badJson,
      rule,
      method: req.method ?? 'GET',
      path: url.pathname,
      query: url.searchParams,
      headers: req.headers,
      opts: this.opts,
      models: this.models,
      cache: this.cache,
      seq: ++this.seq,
      headersOut: {},
      sendJson(status, payload, headers = {}, pretty = false) {
        let text = pretty ? JSON.stringify(payload, null, 2) : JSON.stringify(payload);
        const ok = status >= 200 && status < 300;
        if (ok && rule?.malformedJson) text = text.slice(0, Math.max(1, Math.floor(text.length / 2)));
        res.writeHead(status, { 'content-type': 'application/json', ...ctx.headersOut, ...headers });
        if (ok && rule?.disconnectAfterChunks !== undefined) {
          res.write(text.slice(0, Math.floor(text.length / 2)), () => res.socket?.destroy());
          return;
        }
        res.end(text);
      },
      stream: (frames, format) => self.writeStream(ctx, frames, format),
    };
    return ctx;
  }

  private async writeStream(ctx: SimContext, frames: StreamFrame[], format: StreamFormat): Promise<void> {
    const { res, rule } = ctx;
    res.writeHead(200, {
      'content-type': format.contentType,
      'cache-control': 'no-cache',
      connection: 'keep-alive',
      ...ctx.headersOut,
    });
    res.flushHeaders();
    if (rule?.disconnectAfterChunks === 0) {
      res.socket?.destroy();
      return;
    }
    if (rule?.endAfterChunks === 0) {
      res.end();
      return;
    }
    const corruptAt = rule?.malformedJson
      ? Math.max(
          0,
          frames.findIndex((f) => (f.tokens ?? 0) > 0),
        )
      : -1;
    let contentSeen = false;
    let written = 0;
    for (let i = 0; i < frames.length; i++) {
      const f = frames[i];
      if ((f.tokens ?? 0) > 0) {
        if (!contentSeen) {
          contentSeen = true;
          if (rule?.ttftMs) await this.sleep(rule.ttftMs);
        } else if (rule?.tokensPerSecond) await this.sleep(((f.tokens ?? 0) / rule.tokensPerSecond) * 1000);
      }
      if (res.destroyed || this.closed) return;
      const frame = i === corruptAt ? { ...f, data: f.data.slice(0, Math.max(1, Math.floor(f.data.length / 2))) } : f;
      await new Promise<void>((resolve) => res.write(format.encode(frame, i), () => resolve()));
      written++;
      if (rule?.disconnectAfterChunks !== undefined && written >= rule.disconnectAfterChunks) {
        res.socket?.destroy();
        return;
      }
      if (rule?.endAfterChunks !== undefined && written >= rule.endAfterChunks) {
        res.end();
        return;
      }
    }
    res.end(format.trailer ?? '');
  }

  private control(method: string, path: string, body: unknown, badJson: boolean, res: ServerResponse): void {
    const reply = (status: number, payload: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(payload));
    };
    if (method === 'POST' && path === '/__sim/script') {
      if (badJson) return reply(400, { error: 'body must be a JSON rule' });
      try {
        const rules = Array.isArray(body) ? body : [body];
        for (const r of rules) this.script(normalizeRule(r));
        return reply(200, { ok: true, rules: this.rules.length });
      } catch (e) {
        return reply(400, { error: (e as Error).message });
      }
    }
    if (method === 'POST' && path === '/__sim/reset') {
      this.reset();
      return reply(200, { ok: true });
    }
    if (method === 'GET' && path === '/__sim/requests') return reply(200, this.requests);
    if (method === 'POST' && path === '/__sim/models') {
      try {
        if (badJson || typeof body !== 'object' || body === null)
          throw new Error('body must be {"id": ..., "cost"?: {input, output}}');
        const b = body as ReleaseInfo & { page_size?: number };
        if (b.id === undefined && typeof b.page_size !== 'number')
          throw new Error('body must be {"id": ...} or {"page_size": n}');
        if (typeof b.page_size === 'number') this.models.pageCap = b.page_size;
        if (b.id !== undefined) this.models.release(b);
        return reply(200, { ok: true });
      } catch (e) {
        return reply(400, { error: (e as Error).message });
      }
    }
    if (method === 'DELETE' && path.startsWith('/__sim/models/')) {
      this.models.withdraw(decodeURIComponent(path.slice('/__sim/models/'.length)));
      return reply(200, { ok: true });
    }
    if (method === 'GET' && path === '/__sim/metadata') return reply(200, this.models.metadata(this.dialect));
    if (method === 'GET' && path === '/__sim/rules')
      return reply(
        200,
        this.rules.map((r) => ({
          ...r,
          times: r.times === Infinity ? 'Infinity' : r.times,
          left: r.left === Infinity ? 'Infinity' : r.left,
        })),
      );
    reply(404, { error: `unknown control endpoint ${method} ${path}` });
  }
}

/** `retry-after` for scripted throttling statuses. */
export function retryHeaders(status: number, rule: SimRule): Record<string, string> {
  return status === 429 || status === 503 || status === 529 ? { 'retry-after': String(rule.retryAfterSec ?? 1) } : {};
}

/** Cuts a stream for `errorEventMidStream`: keeps the events up to the second content event, then `errorFrame`. */
export function cutWithError(frames: StreamFrame[], errorFrame: StreamFrame): StreamFrame[] {
  let content = 0;
  for (let i = 0; i < frames.length; i++) {
    if ((frames[i].tokens ?? 0) > 0 && ++content === 2) return [...frames.slice(0, i + 1), errorFrame];
  }
  return [...frames.slice(0, Math.max(1, frames.length - 1)), errorFrame];
}

export const randomId = (len = 24): string => {
  const a = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  let s = '';
  for (let i = 0; i < len; i++) s += a[Math.floor(Math.random() * a.length)];
  return s;
};
