// The fallback loop shared by chat and embeddings: tries a plan's endpoints in order until one answers.
// Per endpoint: an open circuit breaker skips it (recorded as `circuit_open`); the total deadline stops the
// walk; a request the endpoint's wire format cannot express (InvalidRequestError, raised while building the
// upstream request) skips it without touching its health; an upstream failure is recorded, counted against
// the endpoint's health and, when `retryable` (every failure the client cannot fix: 429/529/5xx/timeouts,
// connection errors, a broken 2xx body, ARouter's key or account refused; see classifyStatus in
// providers/upstream-error.ts), falls through to the next endpoint. A refusal of the client's own request
// (400/404/413/422, answered 400) ends the walk at once. The client going away ends it too.
// A provider refusing ARouter's own key (401/403, Gemini's API_KEY_INVALID: `upstream_auth_error` in every
// dialect) is the operator's business: the provider's words (account ids, key hints) go to the log, and the
// client's error, attempt log and generation row only say which provider refused ARouter's credentials.
// Only an UpstreamError is the endpoint's fault: the transport turns every network failure and timeout into
// one, a dialect's mapError turns every error answer into one. Anything else thrown by an attempt (a builder
// or parser that choked on the request: a RangeError, a TypeError) is ARouter's or the request's problem: it
// is neither counted against the endpoint nor retried elsewhere, but rethrown (the server's logged 500) —
// before, it became a retryable 502 "upstream connection error", and three such requests opened the breaker.
import { performance } from 'node:perf_hooks';
import type { Logger } from '../lib/log.js';
import type { EndpointDef, ModelDef, ProviderDef } from '../catalog/types.js';
import { InvalidRequestError } from '../providers/errors.js';
import type { UpstreamError } from '../providers/types.js';
import { AbortedByClient, type RequestAbort } from '../providers/transport.js';
import { isUpstreamError, upstreamError } from '../providers/upstream-error.js';
import type { AttemptRecord } from '../store/types.js';
import type { HealthTracker } from './health.js';
import {
  attemptOutcome,
  type AttemptEnd,
  type AttemptOutcome,
  type AttemptStart,
  type AttemptWatch,
  type RequestWatch,
} from './observer.js';

/** What the loop needs of the gateway: endpoint health, and the log for what only the operator may read. */
export interface AttemptEnv {
  health: HealthTracker;
  log: Logger;
}

/** What the loop needs of a planned endpoint. */
export interface AttemptTarget {
  model: ModelDef;
  endpoint: EndpointDef;
  provider: ProviderDef;
  /** health / breaker key */
  endpointKey: string;
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

export interface AttemptSuccess<A, R> {
  attempt: A;
  attempts: AttemptRecord[];
  /** performance.now() when the answering attempt started (its own health sample starts here) */
  startedAt: number;
  value: R;
  /** the answering attempt's watcher, still open: its answer is not over (ended by whoever delivers it) */
  watch: AttemptWatch | null;
}

/**
 * The client left while an attempt was under way (`attempt`; null when it left between attempts): the ledger row
 * still names the endpoint it was waiting for and lists the attempts made.
 */
export class AbortedDuringAttempt<A> extends AbortedByClient {
  constructor(
    readonly attempt: A | null,
    readonly attempts: AttemptRecord[],
  ) {
    super();
  }
}

/**
 * Runs `attempt` for each endpoint of `plan` in order (see the file comment). `attempt` resolves with the
 * upstream status and its value, resolves null to skip the endpoint silently (not configured), or throws an
 * UpstreamError / InvalidRequestError / AbortedByClient. Throws ExecFailure or AbortedByClient, or rethrows
 * whatever else the attempt threw (see the file comment). Successes are
 * recorded in the attempt log; their health sample is the caller's (it knows latency, tokens, TTFT).
 * `watch` (the request's observer, ./observer.ts) is told of every attempt; `attempt` gets that attempt's
 * watcher (its outbound() headers go on the request it sends: see withHeaders in ./execute.ts).
 */
export async function runAttempts<A extends AttemptTarget, R>(
  env: AttemptEnv,
  plan: readonly A[],
  abort: RequestAbort,
  deadlineAt: number,
  attempt: (a: A, watch: AttemptWatch | null) => Promise<{ status: number; value: R } | null>,
  watch: RequestWatch | null = null,
): Promise<AttemptSuccess<A, R>> {
  const { health } = env;
  const attempts: AttemptRecord[] = [];
  const errors: UpstreamError[] = [];
  // soonest moment a skipped endpoint admits its probe, for Retry-After when every endpoint was skipped
  let probeInMs = Infinity;
  // the first endpoint whose dialect could not express the request; answered (400) when nothing else served
  let invalid: InvalidRequestError | null = null;
  let index = 0;
  for (const a of plan) {
    const key = a.endpointKey;
    // An open breaker is skipped even when it is the only endpoint left: failing fast (503 + Retry-After) is
    // the point of the breaker; the planner keeps such endpoints last so a half-open one can take its probe.
    if (!health.tryAcquire(key)) {
      const skipped: AttemptRecord = {
        provider: a.provider.id,
        model: a.model.id,
        endpoint: a.endpoint.model,
        status: 0,
        duration_ms: 0,
        error: 'circuit_open',
      };
      attempts.push(skipped);
      if (watch !== null) watch.attempt(attemptStart(a, index)).end(endOf('skipped', 0, 0, null, skipped));
      index++;
      probeInMs = Math.min(probeInMs, health.msUntilProbe(key));
      continue;
    }
    if (Date.now() >= deadlineAt) {
      errors.push(upstreamError.deadlineExceeded());
      break;
    }
    const t0 = performance.now();
    const aw = watch === null ? null : watch.attempt(attemptStart(a, index, t0));
    index++;
    try {
      const done = await attempt(a, aw);
      if (done === null) {
        aw?.end(endOf('skipped', 0, 0, null, null));
        continue;
      }
      record(attempts, a, done.status, t0);
      return { attempt: a, attempts, startedAt: t0, value: done.value, watch: aw };
    } catch (err) {
      if (err instanceof InvalidRequestError) {
        // nothing was sent: the endpoint's health is untouched, and another endpoint (a models[] fallback of
        // another dialect) may be able to carry the request
        health.release(key);
        invalid ??= err;
        const refused: AttemptRecord = {
          provider: a.provider.id,
          model: a.model.id,
          endpoint: a.endpoint.model,
          status: 400,
          duration_ms: 0,
          error: `invalid_request: ${err.message}`.slice(0, 300),
        };
        attempts.push(refused);
        aw?.end(endOf('skipped', 0, 0, null, refused));
        continue;
      }
      if (err instanceof AbortedByClient) {
        record(attempts, a, 499, t0, 'client_aborted', aw, 'aborted');
        throw new AbortedDuringAttempt(a, attempts);
      }
      if (!isUpstreamError(err)) {
        health.release(key);
        if (abort.reason instanceof AbortedByClient) {
          record(attempts, a, 499, t0, 'client_aborted', aw, 'aborted');
          throw new AbortedDuringAttempt(a, attempts);
        }
        aw?.end(endOf('internal', 0, performance.now() - t0, null, null));
        throw err;
      }
      const e = err.type === AUTH_ERROR ? credentialsRefused(env.log, a, err) : err;
      const outcome = abort.byShutdown ? 'aborted' : attemptOutcome(e);
      record(attempts, a, failedStatus(e), t0, e.message.slice(0, 300), aw, outcome, e);
      // our own shutdown cut the call: not the endpoint's failure, and no time is left for another
      if (abort.byShutdown) throw new ExecFailure(e, attempts);
      health.record(key, {
        ok: false,
        status: failedStatus(e),
        latencyMs: performance.now() - t0,
        ttftMs: null,
        outputTokens: 0,
        generationMs: null,
      });
      errors.push(e);
      // only a refusal of the client's own request ends the walk (classifyStatus, upstream-error.ts)
      if (!e.retryable) throw new ExecFailure(e, attempts);
      if (abort.aborted) {
        if (abort.reason instanceof AbortedByClient) throw new AbortedDuringAttempt(null, attempts);
        break;
      }
    }
  }
  if (errors.length === 0 && invalid !== null) {
    const e = upstreamError.invalidRequest(invalid.message);
    throw new ExecFailure(e, attempts, invalid);
  }
  if (errors.length === 0) {
    errors.push(
      upstreamError.noEndpoint(Number.isFinite(probeInMs) ? Math.max(1, Math.ceil(probeInMs / 1000)) : undefined),
    );
  }
  throw new ExecFailure(combineErrors(errors), attempts);
}

const AUTH_ERROR = 'upstream_auth_error';

/** Logs the provider's refusal in full (once per occurrence) and returns what the client may see of it. */
function credentialsRefused(log: Logger, a: AttemptTarget, e: UpstreamError): UpstreamError {
  log.error('provider refused ARouter credentials', {
    provider: a.provider.id,
    model: a.model.id,
    endpoint: a.endpoint.model,
    upstream_status: e.upstream_status,
    message: e.message,
    upstream_body: e.upstream_body,
  });
  return upstreamError.credentialsRefused(a.provider.name, e.upstream_status);
}

function record(
  attempts: AttemptRecord[],
  a: AttemptTarget,
  status: number,
  t0: number,
  error?: string,
  aw: AttemptWatch | null = null,
  outcome: AttemptOutcome = 'ok',
  failure: UpstreamError | null = null,
): void {
  const ms = performance.now() - t0;
  const r: AttemptRecord = {
    provider: a.provider.id,
    model: a.model.id,
    endpoint: a.endpoint.model,
    status,
    duration_ms: Math.round(ms),
    ...(error ? { error } : {}),
  };
  attempts.push(r);
  if (aw !== null) aw.end(endOf(outcome, status, ms, failure, r));
}

function attemptStart(a: AttemptTarget, index: number, at = performance.now()): AttemptStart {
  return {
    provider: a.provider.id,
    model: a.model.id,
    endpoint: a.endpoint.model,
    endpointKey: a.endpointKey,
    index,
    fallback: index > 0,
    at,
  };
}

function endOf(
  outcome: AttemptOutcome,
  status: number,
  durationMs: number,
  error: UpstreamError | null,
  record: AttemptRecord | null,
): AttemptEnd {
  return { outcome, status, durationMs, error, record };
}

/**
 * The status a failed attempt is recorded (and counted for health) with: the upstream's error status when it
 * sent one, else ARouter's own (502 for a broken body, 408 for a timeout). A 200 whose body turned out to be
 * unusable is a failure of the endpoint, never a success nor a neutral answer.
 */
export function failedStatus(e: UpstreamError): number {
  return e.upstream_status !== null && e.upstream_status >= 400 ? e.upstream_status : e.status;
}

function combineErrors(errors: UpstreamError[]): UpstreamError {
  const last = errors[errors.length - 1];
  if (errors.length > 1 && errors.every((e) => e.status === 429)) {
    const retry = Math.min(...errors.map((e) => e.retry_after_sec ?? 1));
    return {
      ...last,
      message: `All ${errors.length} endpoints are rate limited: ${last.message}`,
      retry_after_sec: retry,
    };
  }
  if (errors.length > 1) {
    return { ...last, message: `All ${errors.length} endpoints failed; last error: ${last.message}` };
  }
  return last;
}
