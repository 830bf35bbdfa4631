// The observer seam: how a request's life is told to whoever watches it (Prometheus metrics, OpenTelemetry
// traces) without the pipeline knowing either. It sits in routing because the attempt loop (./attempts.ts) reports
// each upstream attempt; the pipeline reports the request's start, first token and end.
//
// Cost when nothing watches: `env.observer` is null and every report is one null check (`watch?.…`), no object
// is built. When something watches, `request()` runs once per request and returns that request's RequestWatch (the
// per-request context: a tracer keeps its span there); `attempt()` returns the attempt's AttemptWatch (a tracer's
// child span). Several observers are combined once, at startup (combineObservers), not per event.
//
// Every fact reported here already existed in the pipeline (the attempt log, the tally, the ledger row's numbers):
// they are handed over, not recomputed. Times are performance.now() milliseconds.
import type { IncomingMessage } from 'node:http';
import type { ChatRequest, EmbeddingsRequest } from '../protocol/chat-request.js';
import type { UpstreamError, UpstreamRequest } from '../providers/types.js';
import type { AttemptRecord } from '../store/types.js';

/** The inbound API a request came through (the route that ran the pipeline). */
export type InboundApi = 'chat' | 'messages' | 'responses' | 'embeddings';

export interface RequestStart {
  api: InboundApi;
  /** the matched route pattern, e.g. /v1/chat/completions */
  route: string;
  /** the model name as the client sent it (client text: map it to a bounded set before using it as a label) */
  requestedModel: string;
  stream: boolean;
  /** the canonical request (a tracer reads max_tokens, temperature, top_p; the messages only when asked to) */
  request: ChatRequest | EmbeddingsRequest;
  /**
   * The client's HTTP request (a tracer reads `traceparent` from it). Read a header with requestHeader() of
   * src/lib/request-headers.ts: `incoming.headers` makes node build the whole headers object (~3 µs a request,
   * which the hot path otherwise never pays). Never log or label headers whole.
   */
  incoming: IncomingMessage;
  /** performance.now() when the pipeline took the request */
  at: number;
}

/** One upstream attempt about to be made (or skipped: see AttemptEnd.outcome `circuit_open`). */
export interface AttemptStart {
  /** catalog ids */
  provider: string;
  model: string;
  /** the provider's own model name for this endpoint */
  endpoint: string;
  /** health / breaker key of the endpoint */
  endpointKey: string;
  /** 0 for the first endpoint tried, then 1, 2, … */
  index: number;
  /** an earlier endpoint of this request failed (or was skipped) before this one */
  fallback: boolean;
  at: number;
}

/**
 * How an attempt ended. `http`: the upstream answered an error status (`status`); `timeout` / `network`: the
 * transport's (connect, first byte, idle, total deadline / refused, reset, TLS, DNS); `invalid`: a 2xx body or
 * stream ARouter could not use; `aborted`: the client left, or ARouter's shutdown cut it; `skipped`: not sent
 * (the circuit breaker was open, the endpoint's dialect cannot express the request, the provider is not
 * configured); `internal`: ARouter's own code threw (a bug: the server's logged 500).
 */
export type AttemptOutcome = 'ok' | 'http' | 'timeout' | 'network' | 'invalid' | 'aborted' | 'skipped' | 'internal';

export interface AttemptEnd {
  outcome: AttemptOutcome;
  /** as in the attempt log: the upstream status (200 for ok), 408 timeout, 502 network/invalid, 499 aborted, 0 skipped */
  status: number;
  durationMs: number;
  /** the failure, when there was one */
  error: UpstreamError | null;
  /** the attempt log entry (its `error` says `circuit_open` for a skipped open breaker); null: not logged */
  record: AttemptRecord | null;
}

/** Final token counts of the answer (what the client was shown and billed for). */
export interface RequestUsage {
  input: number;
  output: number;
  reasoning: number;
  cachedRead: number;
  cacheWrite: number;
  /** counted locally: the upstream reported none */
  estimated: boolean;
}

export interface RequestEnd {
  /** the status the client got (499: it left); what the ledger row says */
  status: number;
  /** catalog ids of what answered; null when nothing did */
  model: string | null;
  provider: string | null;
  endpoint: string | null;
  usage: RequestUsage | null;
  /** what the caller is billed, in pico-USD as in the ledger (USD = costPusd / 1e12; micro-USD = / 1e6) */
  costPusd: bigint;
  /** whole request as the client saw it, fallbacks included */
  latencyMs: number;
  /** from the request's start to the first content sent (streams), else null */
  ttftMs: number | null;
  finishReason: string | null;
  cancelled: boolean;
  attempts: readonly AttemptRecord[];
  /** the error the client got, when it got one from upstream (an ARouter-side 4xx before routing: null) */
  error: UpstreamError | null;
  /** the generation id the client got (null: refused before one was made) and the upstream's own answer id */
  generationId: string | null;
  upstreamId: string | null;
  /** the text delivered (chat; null for embeddings and refusals): a tracer records it only when asked to */
  output: { content: string; reasoning: string } | null;
}

/**
 * One upstream attempt's watcher: a tracer's child span. A failed or skipped attempt ends in the attempt loop; the
 * attempt that answered ends when its answer does (a stream: at its last event, with a mid-stream failure as
 * its outcome), just before the request ends.
 */
export interface AttemptWatch {
  /**
   * The outbound request is about to be sent to `url`: headers to add to it (a tracer's `traceparent`), or
   * null. Not called for skipped attempts. (Returned, not written into the request: some dialects share one
   * prepared headers object between requests.)
   */
  outbound(url: string): Record<string, string> | null;
  end(e: AttemptEnd): void;
}

/** One request's watcher (its per-request context). Attempts come one at a time, in order. */
export interface RequestWatch {
  attempt(a: AttemptStart): AttemptWatch;
  /** the first content reached the client (streams only); `at` is performance.now() */
  firstToken(at: number): void;
  /** exactly once per request that started */
  end(e: RequestEnd): void;
}

export interface RequestObserver {
  /** A request entered the pipeline: returns its watcher (called once per request). */
  request(s: RequestStart): RequestWatch;
}

/** Builds the one observer the pipeline calls: null for none, the observer itself for one, a fan-out for more. */
export function combineObservers(list: readonly RequestObserver[]): RequestObserver | null {
  if (list.length === 0) return null;
  if (list.length === 1) return list[0];
  const all = [...list];
  return { request: (s) => new FanOutRequest(all.map((o) => o.request(s))) };
}

class FanOutRequest implements RequestWatch {
  constructor(private readonly watches: RequestWatch[]) {}
  attempt(a: AttemptStart): AttemptWatch {
    return new FanOutAttempt(this.watches.map((w) => w.attempt(a)));
  }
  firstToken(at: number): void {
    for (const w of this.watches) w.firstToken(at);
  }
  end(e: RequestEnd): void {
    for (const w of this.watches) w.end(e);
  }
}

class FanOutAttempt implements AttemptWatch {
  constructor(private readonly watches: AttemptWatch[]) {}
  outbound(url: string): Record<string, string> | null {
    let out: Record<string, string> | null = null;
    for (const w of this.watches) {
      const h = w.outbound(url);
      if (h !== null) out = out === null ? h : Object.assign(out, h);
    }
    return out;
  }
  end(e: AttemptEnd): void {
    for (const w of this.watches) w.end(e);
  }
}

/** How a failed attempt's UpstreamError is classed (codes from providers/upstream-error.ts). */
export function attemptOutcome(e: UpstreamError): AttemptOutcome {
  if (e.code === 'upstream_timeout' || e.code === 'deadline_exceeded') return 'timeout';
  if (e.code === 'upstream_connection_error') return 'network';
  if (e.upstream_status !== null && e.upstream_status >= 400) return 'http';
  if (e.code === 'server_shutting_down' || e.code === 'cancelled') return 'aborted';
  return 'invalid';
}

/** The observer's headers for an attempt's outbound request (a copy: dialects may share one headers object). */
export function withHeaders(r: UpstreamRequest, aw: AttemptWatch | null): UpstreamRequest {
  const extra = aw === null ? null : aw.outbound(r.url);
  return extra === null ? r : { ...r, headers: { ...r.headers, ...extra } };
}
