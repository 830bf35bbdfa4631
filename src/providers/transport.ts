// Upstream HTTP: one undici Pool per origin (upstream-pools.ts: HTTP/2 where offered, else keep-alive HTTP/1.1),
// per-request connect / first-byte / idle timeouts, abort on client disconnect or total deadline. Network failures
// become retryable UpstreamErrors so routing can fall back.
//
// Requests go through undici's dispatcher handler interface directly (the path Pool.stream() uses), not
// Pool.request(): no Readable body stream, no async iterator, no AbortSignal listeners. The body is pushed to
// a consumer one network read at a time, which keeps the stream path synchronous from socket to client.
// SSE framing uses eventsource-parser (spec-compliant, handles events split across reads and \r\n endings).
import { createRequire } from 'node:module';
import { StringDecoder } from 'node:string_decoder';
import type { Dispatcher, errors as UndiciErrors, util as UndiciUtil } from 'undici';
import { createParser } from 'eventsource-parser';
import type { SseEvent, UpstreamError, UpstreamRequest } from './types.js';
import { AbortedByClient, ShuttingDown, type RequestAbort } from './abort.js';
import type { Logger } from '../lib/log.js';
import { UpstreamPools, type UpstreamPoolOptions } from './upstream-pools.js';
import { isUpstreamError, upstreamError, type UpstreamHeaders } from './upstream-error.js';

export { AbortedByClient, RequestAbort, ShuttingDown } from './abort.js';
export { isUpstreamError, type UpstreamHeaders } from './upstream-error.js';

// Only the pieces of undici used here: `import 'undici'` also loads fetch, WebSocket, EventSource and the
// cache stores (~10 MB more resident memory, measured). Deep paths are stable within the pinned version.
const require = createRequire(import.meta.url);
const undiciErrors = require('undici/lib/core/errors.js') as typeof UndiciErrors;
const undiciUtil = require('undici/lib/core/util.js') as typeof UndiciUtil;

export interface TransportOptions extends UpstreamPoolOptions {
  /** the most an upstream may send as one JSON answer, or as one SSE event; more fails the attempt (502) */
  maxResponseBytes: number;
}

/** error answers are read for their message only: the rest is not worth holding */
const ERROR_BODY_MAX = 64 * 1024;

/** A whole upstream answer (fetch): status, headers on demand, the body as bytes. */
export interface UpstreamReply {
  status: number;
  headers(): UpstreamHeaders;
  body: Buffer;
}

/** Receives an upstream body as it arrives (UpstreamBody.pipe). */
export interface BodyConsumer {
  /** one network read; return false to pause the upstream until UpstreamBody.resume() */
  data(chunk: Buffer): boolean;
  end(): void;
  fail(e: UpstreamError | AbortedByClient): void;
}

type Failure = UpstreamError | AbortedByClient;

/**
 * One upstream call, as undici's (legacy, un-wrapped) dispatch handler. In `buffer` mode the promise settles
 * with the whole body; in `stream` mode it settles at the response headers and the body goes to the consumer
 * attached with pipe() (reads that arrive before are kept).
 */
class UpstreamCall implements Dispatcher.DispatchHandler, UpstreamReply {
  status = 0;
  private raw: Buffer[] | null = null;
  private parsed: UpstreamHeaders | null = null;
  private chunks: Buffer[] = [];
  private consumer: BodyConsumer | null = null;
  private ended = false;
  private failure: Failure | null = null;
  private resumeFn: (() => void) | null = null;
  private abortFn: ((reason?: Error) => void) | null = null;
  private settled = false;
  private size = 0;

  constructor(
    private mode: 'buffer' | 'stream',
    private maxBytes: number,
    private abort: RequestAbort,
    private resolve: (v: UpstreamCall) => void,
    private reject: (e: Failure) => void,
  ) {}

  onConnect(abort: (reason?: Error) => void): void {
    // idempotent: true (Transport.dispatch) allows undici to re-send the calls in flight on an h2 connection that
    // got GOAWAY (in tests they failed first: the dying streams close before a new connection is up). A second
    // send of a completion would be billed twice: it fails here, before a byte goes out; routing decides on a retry
    if (this.abortFn) return abort(new Error('upstream connection lost mid-call (not sent again)'));
    this.abortFn = abort;
    this.abort.bind(abort);
  }

  onHeaders(status: number, rawHeaders: Buffer[], resume: () => void): boolean {
    this.status = status;
    this.raw = rawHeaders;
    this.resumeFn = resume;
    if (this.mode === 'stream') this.settle(null);
    return true;
  }

  onData(chunk: Buffer): boolean {
    if (this.consumer) return this.consumer.data(chunk);
    // buffered whole (JSON answers; stream reads before pipe()): bounded, so a runaway upstream cannot take the heap
    this.size += chunk.length;
    if (this.size > this.maxBytes) {
      const e = upstreamError.tooLarge(this.maxBytes, 'an answer');
      this.chunks = [];
      if (!this.settled) this.settle(e);
      else this.failure = e;
      this.stop();
      return false;
    }
    this.chunks.push(chunk);
    return true;
  }

  onComplete(): void {
    this.abort.unbind();
    this.ended = true;
    if (this.mode === 'buffer') this.settle(null);
    else this.consumer?.end();
  }

  onError(err: Error): void {
    this.abort.unbind();
    const e = networkError(err, this.abort);
    if (!this.settled) return this.settle(e);
    this.failure = e;
    this.consumer?.fail(e);
  }

  private settle(e: Failure | null): void {
    if (this.settled) return;
    this.settled = true;
    if (e) this.reject(e);
    else this.resolve(this);
  }

  headers(): UpstreamHeaders {
    return (this.parsed ??= this.raw ? (undiciUtil.parseHeaders(this.raw) as UpstreamHeaders) : {});
  }

  private whole: Buffer | null = null;

  /** the buffered answer (fetch), joined once */
  get body(): Buffer {
    if (this.whole === null) {
      this.whole = this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks);
      this.chunks = [];
    }
    return this.whole;
  }

  pipe(consumer: BodyConsumer): void {
    this.consumer = consumer;
    const early = this.chunks;
    this.chunks = [];
    // undici already took these reads: a consumer that is full now pauses the upstream on the next one
    for (const c of early) consumer.data(c);
    if (this.failure) consumer.fail(this.failure);
    else if (this.ended) consumer.end();
  }

  resume(): void {
    this.resumeFn?.();
  }

  /** stop reading (the consumer saw enough, e.g. an in-band error): closes the upstream connection */
  cancel(): void {
    if (this.ended || this.failure) return;
    this.consumer = null;
    this.failure = upstreamError.cancelled();
    this.stop();
  }

  private stop(): void {
    this.abort.unbind();
    this.abortFn?.(new Error('cancelled'));
  }
}

/** The body of an upstream answer being streamed (Transport.open). */
export interface UpstreamBody {
  status: number;
  headers(): UpstreamHeaders;
  /** attach the consumer: reads that arrived before are replayed first, synchronously */
  pipe(consumer: BodyConsumer): void;
  /** continue after a consumer returned false */
  resume(): void;
  /** close the upstream connection; the consumer hears nothing more */
  cancel(): void;
  /** the remaining body as text, at most its first 64 KiB (error answers: the rest is dropped) */
  text(): Promise<string>;
  /** the largest SSE event the decoder may hold (upstream.max_response_bytes) */
  readonly maxEventBytes: number;
}

export class Transport {
  private pools: UpstreamPools;

  constructor(
    private opts: TransportOptions,
    log: Logger | null = null,
  ) {
    this.pools = new UpstreamPools(opts, log);
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

  private dispatch(req: UpstreamRequest, abort: RequestAbort, mode: 'buffer' | 'stream'): Promise<UpstreamCall> {
    return new Promise<UpstreamCall>((resolve, reject) => {
      const call = new UpstreamCall(mode, this.opts.maxResponseBytes, abort, resolve, reject);
      let url;
      try {
        url = this.target(req.url);
      } catch (err) {
        return call.onError(err as Error);
      }
      const o = this.pools.get(url.origin);
      const free = o.pool.dispatch(
        {
          path: url.path,
          method: req.method,
          // the dialects' request builders set content-type (UpstreamRequest.headers)
          headers: req.headers,
          body: req.method === 'GET' ? undefined : req.body,
          // lets h2 multiplex POSTs (undici runs a non-idempotent request alone on a connection, for fear of
          // re-sending it); a re-send is refused in UpstreamCall.onConnect instead. No effect on HTTP/1.1,
          // which runs one request per connection here (pipelining 1)
          idempotent: true,
        },
        call,
      );
      if (!free) this.pools.saturated(url.origin, o);
    });
  }

  /** Sends the request and reads the whole answer. Rejects with an UpstreamError or AbortedByClient. */
  fetch(req: UpstreamRequest, abort: RequestAbort): Promise<UpstreamReply> {
    return this.dispatch(req, abort, 'buffer');
  }

  /** Sends the request; resolves once the upstream's status and headers arrived, the body still to come. */
  async open(req: UpstreamRequest, abort: RequestAbort): Promise<UpstreamBody> {
    const call = await this.dispatch(req, abort, 'stream');
    return {
      status: call.status,
      headers: () => call.headers(),
      pipe: (c) => call.pipe(c),
      resume: () => call.resume(),
      cancel: () => call.cancel(),
      maxEventBytes: this.opts.maxResponseBytes,
      text: () =>
        new Promise<string>((resolve, reject) => {
          const parts: Buffer[] = [];
          let size = 0;
          const done = () => resolve(Buffer.concat(parts).toString('utf8'));
          call.pipe({
            data: (c) => {
              if (size < ERROR_BODY_MAX) parts.push(c.subarray(0, ERROR_BODY_MAX - size));
              size += c.length;
              if (size < ERROR_BODY_MAX) return true;
              call.cancel();
              done();
              return false;
            },
            end: done,
            fail: reject,
          });
        }),
    };
  }

  /** closes the pools of the origins `keep` refuses, once their calls are done (UpstreamPools.retain) */
  retain(keep: (origin: string) => boolean): string[] {
    return this.pools.retain(keep);
  }

  async close(): Promise<void> {
    await this.pools.close();
  }
}

/**
 * Incremental SSE decoding of an upstream body: feed each network read, get the complete events it
 * finished. Synchronous on purpose: the stream path does no await per event.
 */
export class SseDecoder {
  private queue: SseEvent[] = [];
  /** bytes fed since an event last completed: an event that never ends must not grow without bound */
  private open = 0;
  constructor(private maxEventBytes = Infinity) {}

  private parser = createParser({
    onEvent: (e) => this.queue.push(e.event ? { event: e.event, data: e.data } : { data: e.data }),
  });
  // StringDecoder keeps a multi-byte character split across reads, like TextDecoder's stream mode, at a third
  // of its cost per read (0.17 vs 0.47 µs for a 170-byte chunk: no ICU converter)
  private text = new StringDecoder('utf8');

  feed(chunk: Buffer): SseEvent[] {
    this.parser.feed(this.text.write(chunk));
    if (this.queue.length > 0) this.open = 0;
    else if ((this.open += chunk.length) > this.maxEventBytes)
      throw upstreamError.tooLarge(this.maxEventBytes, 'a stream event');
    return this.drain();
  }

  /** the body ended: flush a final event that lacked its blank line */
  end(): SseEvent[] {
    this.parser.feed(this.text.end() + '\n\n');
    return this.drain();
  }

  private drain(): SseEvent[] {
    if (this.queue.length === 0) return [];
    const out = this.queue;
    this.queue = [];
    return out;
  }
}

export function networkError(err: unknown, abort?: { reason: Error | null } | null): UpstreamError | AbortedByClient {
  if (isUpstreamError(err) || err instanceof AbortedByClient) return err;
  const reason = abort?.reason ?? undefined;
  if (reason instanceof AbortedByClient) return reason;
  if (reason instanceof ShuttingDown) return upstreamError.shuttingDown();
  const e = err as { code?: string; name?: string; message?: string };
  const timeout =
    err instanceof undiciErrors.HeadersTimeoutError ||
    err instanceof undiciErrors.BodyTimeoutError ||
    err instanceof undiciErrors.ConnectTimeoutError ||
    reason?.name === 'TimeoutError' ||
    e.name === 'TimeoutError';
  if (timeout) {
    const what =
      err instanceof undiciErrors.ConnectTimeoutError
        ? 'connecting'
        : err instanceof undiciErrors.HeadersTimeoutError
          ? 'waiting for the first byte'
          : err instanceof undiciErrors.BodyTimeoutError
            ? 'waiting for more data (idle)'
            : 'within the total deadline';
    return upstreamError.timeout(what);
  }
  return upstreamError.network(`${e.code ?? e.name ?? 'error'}${e.message ? ` (${e.message})` : ''}`);
}
