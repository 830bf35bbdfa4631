// Executes a route plan: tries each planned endpoint in order, falling back on retryable failures
// (429/529/5xx/timeouts/connection errors, or an error event before any content) until the first content
// reaches the client or the total deadline passes. Only a refusal of the client's own request (a 4xx answer,
// e.g. a 400 bad request) returns at once; what the client cannot fix (ARouter's key refused by one provider,
// an odd upstream status: 502 non-retryable) is still worth another endpoint. Every attempt is recorded
// (endpoint, status, duration) for the generation row and the headers.
import { performance } from 'node:perf_hooks';
import type { ChatRequest } from '../http/schemas/chat-request.js';
import type { EndpointDef, ModelDef, ProviderDef } from '../catalog/types.js';
import type { BuildContext, ChatResult, DialectAdapter, ReasoningPlan, StreamEvent, UpstreamError } from '../providers/types.js';
import { DIALECTS } from '../providers/dialects.js';
import { InvalidRequestError } from '../providers/errors.js';
import type { ProviderRegistry } from '../providers/registry.js';
import { AbortedByClient, networkError, type RequestAbort, type Transport } from '../providers/transport.js';
import { StreamSession } from './stream-session.js';
import type { HealthTracker } from './health.js';
import type { AttemptRecord } from '../store/types.js';

export interface PlannedAttempt {
  model: ModelDef;
  endpoint: EndpointDef;
  provider: ProviderDef;
  reasoning: ReasoningPlan | null;
  maxTokens: number;
  maxTokensExplicit: boolean;
  /** health / breaker key */
  endpointKey: string;
}

export interface ExecEnv {
  providers: ProviderRegistry;
  transport: Transport;
  health: HealthTracker;
}

export interface Committed<A extends PlannedAttempt> {
  attempt: A;
  ctx: BuildContext;
  dialect: DialectAdapter;
  attempts: AttemptRecord[];
  /** ms from the start of this attempt to its response headers */
  startedAt: number;
}

export interface CompleteResult<A extends PlannedAttempt> extends Committed<A> {
  kind: 'complete';
  result: ChatResult;
}

export interface StreamResult<A extends PlannedAttempt> extends Committed<A> {
  kind: 'stream';
  /** events up to and including the first content, already read */
  first: StreamEvent[];
  /** the rest of the stream: pipe() it to the client (push-based, with backpressure) */
  rest: StreamSession;
  ttftMs: number;
}

/** All attempts failed (or a non-retryable error): what to answer, plus the attempt log. */
export class ExecFailure extends Error {
  constructor(
    public error: UpstreamError,
    public attempts: AttemptRecord[],
    public invalidRequest: InvalidRequestError | null = null,
  ) {
    super(error.message);
  }
}

function record(attempts: AttemptRecord[], a: PlannedAttempt, status: number, t0: number, error?: string): void {
  attempts.push({
    provider: a.provider.id,
    model: a.model.id,
    endpoint: a.endpoint.model,
    status,
    duration_ms: Math.round(performance.now() - t0),
    ...(error ? { error } : {}),
  });
}

/**
 * The status a failed attempt is recorded (and counted for health) with: the upstream's error status when it
 * sent one, else ARouter's own (502 for a broken body, 408 for a timeout). A 200 whose body turned out to be
 * unusable is a failure of the endpoint, never a success nor a neutral answer.
 */
function failedStatus(e: UpstreamError): number {
  return e.upstream_status !== null && e.upstream_status >= 400 ? e.upstream_status : e.status;
}

function combineErrors(errors: UpstreamError[]): UpstreamError {
  const last = errors[errors.length - 1];
  if (errors.length > 1 && errors.every((e) => e.status === 429)) {
    const retry = Math.min(...errors.map((e) => e.retry_after_sec ?? 1));
    return { ...last, message: `All ${errors.length} endpoints are rate limited: ${last.message}`, retry_after_sec: retry };
  }
  if (errors.length > 1) {
    return { ...last, message: `All ${errors.length} endpoints failed; last error: ${last.message}` };
  }
  return last;
}

export async function executeChat<A extends PlannedAttempt>(
  env: ExecEnv,
  req: ChatRequest,
  plan: A[],
  stream: boolean,
  abort: RequestAbort,
  deadlineAt: number,
): Promise<CompleteResult<A> | StreamResult<A>> {
  const attempts: AttemptRecord[] = [];
  const errors: UpstreamError[] = [];
  // soonest moment a skipped endpoint admits its probe, for Retry-After when every endpoint was skipped
  let probeInMs = Infinity;
  // the first endpoint whose dialect could not express the request; answered (400) when nothing else served
  let invalid: InvalidRequestError | null = null;
  for (let i = 0; i < plan.length; i++) {
    const a = plan[i];
    const key = a.endpointKey;
    // An open breaker is skipped even when it is the only endpoint left: failing fast (503 + Retry-After) is
    // the point of the breaker; the planner keeps such endpoints last so a half-open one can take its probe.
    if (!env.health.tryAcquire(key)) {
      attempts.push({ provider: a.provider.id, model: a.model.id, endpoint: a.endpoint.model, status: 0, duration_ms: 0, error: 'circuit_open' });
      probeInMs = Math.min(probeInMs, env.health.msUntilProbe(key));
      continue;
    }
    if (Date.now() >= deadlineAt) {
      errors.push({ status: 408, retryable: true, type: 'timeout', code: 'deadline_exceeded', message: 'Total deadline exceeded before trying every endpoint', upstream_status: null });
      break;
    }
    const configured = env.providers.get(a.provider.id);
    if (!configured) continue;
    const dialect = DIALECTS[configured.def.dialect];
    const ctx: BuildContext = {
      target: { provider: configured.def, endpoint: a.endpoint, model: a.model, apiKey: configured.apiKey },
      stream,
      reasoning: a.reasoning,
      maxTokens: a.maxTokens,
      maxTokensExplicit: a.maxTokensExplicit,
    };
    const t0 = performance.now();
    let upstreamReq;
    try {
      upstreamReq = dialect.buildChatRequest(req, ctx);
    } catch (err) {
      if (err instanceof InvalidRequestError) {
        // This endpoint's wire format cannot carry the request (e.g. audio input to Anthropic); another
        // endpoint in the plan (a models[] fallback of another dialect) may, so it is skipped, not fatal.
        // The endpoint's health is untouched: nothing was sent.
        invalid ??= err;
        attempts.push({ provider: a.provider.id, model: a.model.id, endpoint: a.endpoint.model, status: 400, duration_ms: 0, error: `invalid_request: ${err.message}`.slice(0, 300) });
        continue;
      }
      throw err;
    }
    try {
      if (!stream) {
        const res = await env.transport.fetch(upstreamReq, abort);
        if (res.status >= 400) throw dialect.mapError(res.status, res.body.toString('utf8'), res.headers(), a.provider.name);
        let body: unknown;
        try {
          body = JSON.parse(res.body.toString('utf8'));
        } catch {
          throw { status: 502, retryable: true, type: 'upstream_error', code: 'upstream_invalid_response', message: `${a.provider.name} returned a malformed JSON body`, upstream_status: res.status } satisfies UpstreamError;
        }
        const result = dialect.parseChatResponse(body, ctx);
        record(attempts, a, res.status, t0);
        return { kind: 'complete', attempt: a, ctx, dialect, attempts, startedAt: t0, result };
      }
      const res = await env.transport.open(upstreamReq, abort);
      if (res.status >= 400) {
        const text = await res.text();
        throw dialect.mapError(res.status, text, res.headers(), a.provider.name);
      }
      const session = new StreamSession(res, dialect.createStreamTranslator(ctx), a.provider.name);
      // an error before the first content is still a fallback-able failure of this endpoint
      await session.start();
      const ttftMs = performance.now() - t0;
      record(attempts, a, res.status, t0);
      return { kind: 'stream', attempt: a, ctx, dialect, attempts, startedAt: t0, first: session.first, rest: session, ttftMs };
    } catch (err) {
      const e = networkError(err, abort);
      if (e instanceof AbortedByClient) throw e;
      record(attempts, a, failedStatus(e), t0, e.message.slice(0, 300));
      env.health.record(key, { ok: false, status: failedStatus(e), latencyMs: performance.now() - t0, ttftMs: null, outputTokens: 0, generationMs: null });
      errors.push(e);
      // a broken 2xx answer (malformed body, error event before content) is a 502 here: it falls back too
      if (!e.retryable && e.status < 500) throw new ExecFailure(e, attempts);
      if (abort.aborted) {
        if (abort.reason instanceof AbortedByClient) throw abort.reason;
        break;
      }
    }
  }
  if (errors.length === 0 && invalid !== null) {
    const e: UpstreamError = { status: 400, retryable: false, type: 'invalid_request_error', code: 'invalid_request', message: invalid.message, upstream_status: null };
    throw new ExecFailure(e, attempts, invalid);
  }
  if (errors.length === 0) {
    errors.push({
      status: 503, retryable: true, type: 'service_unavailable_error', code: 'no_endpoint_available',
      message: 'No endpoint could be tried: every circuit breaker is open', upstream_status: null,
      ...(Number.isFinite(probeInMs) ? { retry_after_sec: Math.max(1, Math.ceil(probeInMs / 1000)) } : {}),
    });
  }
  throw new ExecFailure(combineErrors(errors), attempts);
}
