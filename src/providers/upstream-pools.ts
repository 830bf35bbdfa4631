// The connections to upstream origins: one undici Pool per origin, and per connection the protocol ALPN chose.
//
// HTTP/2 (upstream.http2, https origins that offer it): LLM streams last tens of seconds, so over HTTP/1.1
// every stream in flight holds a connection; over h2 up to H2_STREAMS share one. undici's h2 client takes the
// transport's legacy handler as is (pause by onData returning false, resume, abort = RST_STREAM); three of its
// behaviours are corrected here: the pipelining limit that kept h2 at one stream per connection, trailers that
// cut a paused body short, and a graceful GOAWAY that killed the streams in flight (transport.test.ts, probe 12).
import type { EventEmitter } from 'node:events';
import { createRequire } from 'node:module';
import type { Socket } from 'node:net';
import { createSecureContext, rootCertificates } from 'node:tls';
import type {
  Client as UndiciClient,
  Dispatcher,
  Pool as UndiciPool,
  buildConnector as UndiciBuildConnector,
} from 'undici';
import type { Logger } from '../lib/log.js';

// deep paths, as in transport.ts: `import 'undici'` loads far more than the pool (fetch, WebSocket, caches)
const require = createRequire(import.meta.url);
const Pool = require('undici/lib/dispatcher/pool.js') as typeof UndiciPool;
const Client = require('undici/lib/dispatcher/client.js') as typeof UndiciClient;
const buildConnector = require('undici/lib/core/connect.js') as typeof UndiciBuildConnector;
const { kHTTP2Session } = require('undici/lib/core/symbols.js') as { kHTTP2Session: symbol };
/** the pool's mark on a client it must not hand requests to until the client says 'drain' */
const { kNeedDrain: kPoolSkips } = require('undici/lib/dispatcher/pool-base.js') as { kNeedDrain: symbol };

/**
 * Streams one h2 connection carries before the pool opens another: the usual server limit (RFC 9113 advises at
 * least 100; Google and nginx use 100 and 128), lowered to what the server announces. More on one TCP connection
 * would put more streams behind one lost packet.
 */
const H2_STREAMS = 100;
/** at most one queue warning per origin in this long */
const QUEUE_WARN_MS = 10_000;

export interface UpstreamPoolOptions {
  connectTimeoutMs: number;
  firstByteTimeoutMs: number;
  idleTimeoutMs: number;
  /** null: unbounded (one connection per HTTP/1.1 stream, one per H2_STREAMS over h2) */
  connectionsPerOrigin: number | null;
  keepAliveMs: number;
  /** offer HTTP/2 by ALPN to https origins (default true); plain http origins always speak HTTP/1.1 */
  http2?: boolean;
  /** CA certificates (PEM) trusted for https upstreams besides Node's bundled roots (upstream.ca_file) */
  ca?: string | Buffer | null;
}

type H2Session = EventEmitter & { request: (...args: unknown[]) => EventEmitter };

/**
 * Calls `ready` with the h2 session undici makes for this socket, before the first stream goes out (undici
 * writes the queued requests inside the connect callback, so a hook after it would miss them).
 */
function onH2Session(socket: object, ready: (session: H2Session) => void): void {
  let session: H2Session | undefined;
  Object.defineProperty(socket, kHTTP2Session, {
    configurable: true,
    get: () => session,
    set: (s: H2Session | undefined) => {
      if (s && s !== session) ready(s);
      session = s;
    },
  });
}

/**
 * A GOAWAY without error (a server rotating connections or shutting down) lets the streams in flight finish:
 * undici 7.30.2 destroys the socket at once, which cut every stream on the connection short (tens of seconds of
 * generation lost per stream). Here the connection takes no new stream (pipelining -1: undici's `|| 1` default
 * does not apply, so it counts as full; the pool opens another), Node's session closes once its streams are
 * done and the peer closed the socket, then the client is back in the pool and connects afresh. A GOAWAY with
 * an error code stays undici's (the streams in flight fail, retryable).
 */
function graceful(session: H2Session, client: UndiciClient): void {
  const undici = session.listeners('goaway') as Array<(...args: unknown[]) => void>;
  session.removeAllListeners('goaway');
  session.on('goaway', function (this: H2Session, code: number, ...rest: unknown[]) {
    if (code !== 0) for (const f of undici) f.call(this, code, ...rest);
    else {
      client.pipelining = -1;
      // the pool learns a client is full only when a request it handed over is refused, and that request would
      // then wait in this client until the peer closes the socket (in tests, sometimes never)
      (client as unknown as Record<symbol, boolean>)[kPoolSkips] = true;
    }
  });
  session.once('close', () => {
    if (client.pipelining === -1) client.pipelining = 1;
  });
}

type H2Stream = EventEmitter & {
  pause(): H2Stream;
  resume(): H2Stream;
  isPaused(): boolean;
  setTimeout(ms: number): H2Stream;
};

/**
 * Two corrections to undici 7.30.2's h2 streams, so they behave as its HTTP/1.1 ones:
 * - it completes the call when the trailers frame arrives and drops the stream's 'data' listeners: body bytes
 *   still buffered in a paused stream (onData returned false) were lost and the body looked complete. The
 *   'trailers' event is held back until 'end', which comes after the last byte was read.
 * - its idle (body) timer kept running while the stream was paused for a slow client, failing the call after
 *   upstream.idle_timeout_ms; over HTTP/1.1 a paused body does not time out (the total deadline still applies).
 */
function adaptStream(stream: H2Stream, idleMs: number): H2Stream {
  const emit = stream.emit;
  let trailers: unknown[] | null = null;
  stream.emit = function (this: EventEmitter, event: string | symbol, ...args: unknown[]) {
    if (event === 'trailers') {
      trailers = [event, ...args];
      return true;
    }
    if (event === 'end' && trailers) {
      const t = trailers;
      trailers = null;
      emit.apply(this, t as never);
    }
    return emit.call(this, event, ...args);
  };
  const pause = stream.pause;
  const resume = stream.resume;
  stream.pause = function (this: H2Stream) {
    this.setTimeout(0);
    return pause.call(this);
  };
  stream.resume = function (this: H2Stream) {
    // undici calls resume() only once the answer started, when the idle timer is the one that runs
    if (this.isPaused()) this.setTimeout(idleMs);
    return resume.call(this);
  };
  return stream;
}

/** what the transport learned about one origin */
export interface OriginState {
  pool: UndiciPool;
  /** the last connection negotiated h2: new connections start ready to multiplex */
  h2: boolean;
  /** when requests waiting for a connection were last logged */
  warnedAt: number;
}

export class UpstreamPools {
  private origins = new Map<string, OriginState>();
  private connector: UndiciBuildConnector.connector;

  constructor(
    private opts: UpstreamPoolOptions,
    private log: Logger | null = null,
  ) {
    this.connector = buildConnector({
      // one context for every connection: `ca` given to tls.connect would parse the ~140 roots at each connect
      ...(opts.ca ? { secureContext: createSecureContext({ ca: [...rootCertificates, opts.ca] }) } : null),
      allowH2: opts.http2 ?? true,
      timeout: opts.connectTimeoutMs,
    });
  }

  /** the pool of one origin, made on first use */
  get(origin: string): OriginState {
    let o = this.origins.get(origin);
    if (!o) {
      const state = { h2: false, warnedAt: 0 } as OriginState;
      state.pool = new Pool(origin, {
        connections: this.opts.connectionsPerOrigin,
        keepAliveTimeout: this.opts.keepAliveMs,
        headersTimeout: this.opts.firstByteTimeoutMs,
        bodyTimeout: this.opts.idleTimeoutMs,
        factory: (url, options) => this.client(state, url, options),
      });
      this.origins.set(origin, (o = state));
    }
    return o;
  }

  /**
   * One connection of a pool. undici's Client runs one request at a time unless `pipelining` says more, and
   * h2 multiplexes only up to that number: it is set per connection from the protocol ALPN chose (HTTP/1.1
   * stays at 1: pipelining a long stream would block those behind it).
   */
  private client(state: OriginState, url: string | URL, options: UndiciPool.Options): Dispatcher {
    const client: UndiciClient = new Client(url, {
      ...(options as UndiciClient.Options),
      pipelining: state.h2 ? H2_STREAMS : 1,
      connect: (o, cb) =>
        this.connector(o, (err, socket) => {
          if (err || !socket) return cb(err, socket);
          const h2 = (socket as Socket & { alpnProtocol?: string | false }).alpnProtocol === 'h2';
          state.h2 = h2;
          client.pipelining = h2 ? H2_STREAMS : 1;
          if (h2)
            onH2Session(socket, (session) => {
              // follow a server that allows fewer streams
              session.on('remoteSettings', (s: { maxConcurrentStreams?: number }) => {
                if (client.pipelining === -1) return; // after a GOAWAY
                client.pipelining = Math.max(1, Math.min(H2_STREAMS, s.maxConcurrentStreams ?? H2_STREAMS));
              });
              graceful(session, client);
              const request = session.request;
              const idleMs = this.opts.idleTimeoutMs;
              session.request = function (this: H2Session, ...args: unknown[]) {
                return adaptStream(request.apply(this, args as never) as H2Stream, idleMs);
              } as H2Session['request'];
            });
          cb(null, socket);
        }),
    });
    return client;
  }

  /**
   * A dispatch found the pool full: if requests wait for a connection, say so (at most every QUEUE_WARN_MS per
   * origin), the operator may raise the cap. Only on that path: a dispatch with a free connection costs nothing.
   */
  saturated(origin: string, o: OriginState): void {
    const now = Date.now();
    if (!this.log || now - o.warnedAt < QUEUE_WARN_MS) return;
    const s = o.pool.stats;
    if (s.queued === 0) return;
    o.warnedAt = now;
    this.log.warn('upstream requests are waiting for a connection', {
      origin,
      waiting: s.queued,
      running: s.running,
      connections: s.connected,
      http2: o.h2,
      limit: this.opts.connectionsPerOrigin,
      hint: 'raise upstream.connections_per_origin',
    });
  }

  /**
   * Closes the pools of origins `keep` refuses (a reload removed every provider there): undici's close lets the
   * calls they still run finish first. A later call to such an origin opens a new pool.
   */
  retain(keep: (origin: string) => boolean): string[] {
    const gone: string[] = [];
    for (const [origin, o] of this.origins) {
      if (keep(origin)) continue;
      this.origins.delete(origin);
      void o.pool.close().catch(() => undefined);
      gone.push(origin);
    }
    return gone;
  }

  async close(): Promise<void> {
    await Promise.all([...this.origins.values()].map((o) => o.pool.close().catch(() => undefined)));
    this.origins.clear();
  }
}
