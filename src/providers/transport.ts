// Upstream HTTP: one undici Pool per origin (keep-alive, bounded connections), per-request connect /
// first-byte / idle timeouts, and abort on client disconnect. Network failures become retryable
// UpstreamErrors so routing can fall back. SSE framing uses eventsource-parser (spec-compliant, handles
// events split across reads and \r\n line endings).
import { Pool, errors as undiciErrors } from 'undici';
import { createParser } from 'eventsource-parser';
import type { SseEvent, UpstreamError, UpstreamRequest } from './types.js';

export interface TransportOptions {
  connectTimeoutMs: number;
  firstByteTimeoutMs: number;
  idleTimeoutMs: number;
  connectionsPerOrigin: number;
  keepAliveMs: number;
}

export interface UpstreamResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: AsyncIterable<Buffer> & { destroy?(err?: Error): unknown };
}

export class Transport {
  private pools = new Map<string, Pool>();
  constructor(private opts: TransportOptions) {}

  private pool(origin: string): Pool {
    let p = this.pools.get(origin);
    if (!p) {
      p = new Pool(origin, {
        connections: this.opts.connectionsPerOrigin,
        keepAliveTimeout: this.opts.keepAliveMs,
        connect: { timeout: this.opts.connectTimeoutMs },
        headersTimeout: this.opts.firstByteTimeoutMs,
        bodyTimeout: this.opts.idleTimeoutMs,
      });
      this.pools.set(origin, p);
    }
    return p;
  }

  /** upstream URLs repeat (one per model endpoint): parse each once */
  private urls = new Map<string, { origin: string; path: string }>();

  private target(raw: string): { origin: string; path: string } {
    let t = this.urls.get(raw);
    if (!t) {
      const u = new URL(raw);
      t = { origin: u.origin, path: u.pathname + u.search };
      if (this.urls.size > 10_000) this.urls.clear();
      this.urls.set(raw, t);
    }
    return t;
  }

  /** Sends the request; resolves once the upstream's status and headers arrived. Throws UpstreamError. */
  async send(req: UpstreamRequest, signal: AbortSignal): Promise<UpstreamResponse> {
    const url = this.target(req.url);
    try {
      const res = await this.pool(url.origin).request({
        path: url.path,
        method: req.method,
        headers: req.method === 'GET' ? req.headers : { ...req.headers, 'content-type': 'application/json' },
        body: req.method === 'GET' ? undefined : req.body,
        signal,
      });
      return { status: res.statusCode, headers: res.headers as UpstreamResponse['headers'], body: res.body };
    } catch (err) {
      throw networkError(err, signal);
    }
  }

  async close(): Promise<void> {
    await Promise.all([...this.pools.values()].map((p) => p.close().catch(() => undefined)));
    this.pools.clear();
  }
}

export async function readText(body: AsyncIterable<Buffer>, signal: AbortSignal): Promise<string> {
  const chunks: Buffer[] = [];
  try {
    for await (const c of body) chunks.push(c);
  } catch (err) {
    throw networkError(err, signal);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * Incremental SSE decoding of an upstream body: feed each network read, get the complete events it
 * finished. Synchronous on purpose: the stream path does one await per network read, not one per event.
 */
export class SseDecoder {
  private queue: SseEvent[] = [];
  private parser = createParser({
    onEvent: (e) => this.queue.push(e.event ? { event: e.event, data: e.data } : { data: e.data }),
  });
  private text = new TextDecoder();

  feed(chunk: Buffer): SseEvent[] {
    this.parser.feed(this.text.decode(chunk, { stream: true }));
    return this.drain();
  }

  /** the body ended: flush a final event that lacked its blank line */
  end(): SseEvent[] {
    this.parser.feed(this.text.decode() + '\n\n');
    return this.drain();
  }

  private drain(): SseEvent[] {
    if (this.queue.length === 0) return [];
    const out = this.queue;
    this.queue = [];
    return out;
  }
}

export class AbortedByClient extends Error {
  constructor() {
    super('client disconnected');
  }
}

export function networkError(err: unknown, signal?: AbortSignal): UpstreamError | AbortedByClient {
  if (isUpstreamError(err) || err instanceof AbortedByClient) return err;
  const reason = signal?.aborted ? signal.reason : undefined;
  if (reason instanceof AbortedByClient) return reason;
  const e = err as { code?: string; name?: string; message?: string };
  const timeout =
    err instanceof undiciErrors.HeadersTimeoutError ||
    err instanceof undiciErrors.BodyTimeoutError ||
    err instanceof undiciErrors.ConnectTimeoutError ||
    (reason as Error | undefined)?.name === 'TimeoutError' ||
    e.name === 'TimeoutError';
  if (timeout) {
    const what =
      err instanceof undiciErrors.ConnectTimeoutError ? 'connecting'
      : err instanceof undiciErrors.HeadersTimeoutError ? 'waiting for the first byte'
      : err instanceof undiciErrors.BodyTimeoutError ? 'waiting for more data (idle)'
      : 'within the total deadline';
    return { status: 408, retryable: true, type: 'timeout', code: 'upstream_timeout', message: `Upstream timed out ${what}`, upstream_status: null };
  }
  return {
    status: 502, retryable: true, type: 'upstream_error', code: 'upstream_connection_error',
    message: `Upstream connection failed: ${e.code ?? e.name ?? 'error'}${e.message ? ` (${e.message})` : ''}`, upstream_status: null,
  };
}

export function isUpstreamError(x: unknown): x is UpstreamError {
  return typeof x === 'object' && x !== null && 'retryable' in x && 'status' in x && 'upstream_status' in x;
}

/**
 * One AbortController per request for both ways an upstream call must stop: the client went away
 * (reason AbortedByClient) or the total deadline passed (reason named TimeoutError, which networkError()
 * maps to a retryable 408). A plain timer instead of AbortSignal.timeout()+any(): those allocate signals
 * kept alive by weak refs until finalisation, measured at ~35 µs of CPU per request in the bench.
 */
export class RequestAbort {
  private controller = new AbortController();
  private timer: NodeJS.Timeout;
  private onClose = () => {
    if (!this.res.writableFinished) this.controller.abort(new AbortedByClient());
  };

  constructor(
    private res: import('node:http').ServerResponse,
    deadlineMs: number,
  ) {
    this.timer = setTimeout(() => {
      const e = new Error(`total deadline of ${deadlineMs} ms exceeded`);
      e.name = 'TimeoutError';
      this.controller.abort(e);
    }, deadlineMs);
    res.once('close', this.onClose);
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** the client disconnected before the answer was complete */
  get byClient(): boolean {
    return this.controller.signal.aborted && this.controller.signal.reason instanceof AbortedByClient;
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.res.off('close', this.onClose);
  }
}
