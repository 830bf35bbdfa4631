// The pipeline's side of the observer seam (src/routing/observer.ts): the request's start and its end, built from
// the facts the pipeline already holds (the settle state, the ledger row's numbers). Every function here runs only
// when an observer is installed.
import { performance } from 'node:perf_hooks';
import { HttpError } from '../protocol/errors.js';
import type { FinalUsage } from '../accounting/usage.js';
import type { UpstreamError } from '../protocol/chat-result.js';
import type { ChatRequest, EmbeddingsRequest } from '../protocol/chat-request.js';
import type { AttemptRecord, GenerationRow } from '../store/types.js';
import type { AttemptWatch, InboundApi, RequestObserver, RequestUsage, RequestWatch } from '../routing/index.js';
import type { Caller } from './env.js';

const ROUTES: Record<InboundApi, string> = {
  chat: '/v1/chat/completions',
  messages: '/v1/messages',
  responses: '/v1/responses',
  embeddings: '/v1/embeddings',
};

/** The request's watcher, or null when nothing observes (the one check the hot path pays). */
export function watchRequest(
  observer: RequestObserver | null,
  caller: Caller,
  api: InboundApi,
  requestedModel: string,
  stream: boolean,
  request: ChatRequest | EmbeddingsRequest,
): RequestWatch | null {
  if (observer === null) return null;
  return observer.request({
    api,
    route: ROUTES[api],
    requestedModel,
    stream,
    incoming: caller.res.req,
    request,
    at: performance.now(),
  });
}

/** The request ended before any upstream was tried (unknown model, a limit, no credits): the client's error. */
export function endRefused(watch: RequestWatch, err: unknown, arrived: number): void {
  watch.end({
    status: err instanceof HttpError ? err.status : 500,
    model: null,
    provider: null,
    endpoint: null,
    usage: null,
    costPusd: 0n,
    latencyMs: performance.now() - arrived,
    ttftMs: null,
    finishReason: 'error',
    cancelled: false,
    attempts: [],
    error: null,
    generationId: null,
    upstreamId: null,
    output: null,
  });
}

export function usageOf(fu: FinalUsage): RequestUsage {
  const c = fu.counts;
  return {
    input: c.prompt_tokens,
    output: c.completion_tokens,
    reasoning: c.reasoning_tokens,
    cachedRead: c.cached_read_tokens,
    cacheWrite: c.cache_write_tokens,
    estimated: fu.estimated,
  };
}

/** An answer delivered whole by the attempt that made it (embeddings): that attempt's end. */
export function endAnswered(aw: AttemptWatch, attempts: AttemptRecord[], startedAt: number): void {
  const record = attempts[attempts.length - 1];
  aw.end({ outcome: 'ok', status: record.status, durationMs: performance.now() - startedAt, error: null, record });
}

/** The request's end, told in its ledger row's numbers. */
export function endFromRow(watch: RequestWatch, r: GenerationRow, error: UpstreamError | null): void {
  watch.end({
    status: r.status,
    model: r.model,
    provider: r.provider,
    endpoint: r.endpoint,
    usage:
      r.model === null
        ? null
        : {
            input: r.prompt_tokens,
            output: r.completion_tokens,
            reasoning: r.reasoning_tokens,
            cachedRead: r.cached_tokens,
            cacheWrite: r.cache_write_tokens,
            estimated: r.tokens_estimated,
          },
    costPusd: r.cost_pusd,
    latencyMs: r.latency_ms,
    ttftMs: r.ttft_ms,
    finishReason: r.finish_reason,
    cancelled: r.cancelled,
    attempts: r.attempts,
    error,
    generationId: r.id,
    upstreamId: r.upstream_id,
    output: null,
  });
}
