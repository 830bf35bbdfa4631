// The last phase of every request, run once in a finally: the reservation becomes the real cost, the endpoint's
// health gets its own sample, and the ledger gets the row (unless it was written before the answer's last bytes).
import { performance } from 'node:perf_hooks';
import type { ChatRequest } from '../protocol/chat-request.js';
import { isoTime } from '../lib/clock.js';
import {
  attemptOutcome,
  failedStatus,
  storedRoute,
  type AttemptWatch,
  type RequestWatch,
  type RoutePlan,
  type RouteAttempt,
} from '../routing/index.js';
import type { AttemptRecord, GenerationRow } from '../store/types.js';
import type { Caller, PipelineEnv } from './env.js';
import { computeFinal, type Tally } from './tally.js';
import { usageOf } from './observe.js';
import type { FinalUsage } from '../accounting/usage.js';

/** What settle() and the ledger row need of a request. */
export interface SettleState {
  gen: string;
  req: ChatRequest;
  plan: RoutePlan;
  used: RouteAttempt | null;
  attempts: AttemptRecord[];
  tally: Tally;
  status: number;
  cancelled: boolean;
  stream: boolean;
  started: number;
  attemptStarted: number | null;
  reservationId: string;
  /** cut by ARouter's own shutdown: billed for what was delivered, not held against the endpoint */
  shutdown: boolean;
  /** the endpoint a client that left was waiting for: named in the ledger, neither billed nor held against it */
  abortedAt: RouteAttempt | null;
  /** the request's observer (null: none installed), and the answering attempt's, still open */
  watch: RequestWatch | null;
  attemptWatch: AttemptWatch | null;
}

/**
 * A shared spend store (Redis) returns a promise, awaited after the ledger row is queued: the row (and its journal
 * write) comes first, so a process killed meanwhile leaves the ledger, not Redis, holding the cost.
 */
export function settle(env: PipelineEnv, caller: Caller, s: SettleState): Promise<void> | undefined {
  const a = s.used;
  const fu = a ? computeFinal(a, s.tally) : null;
  const settled = env.spend.settle(s.reservationId, fu?.cost ?? 0n);
  if (fu) env.limits.addCompletionTokens(caller.key, fu.counts.completion_tokens);
  const end = performance.now();
  if (a && !s.shutdown) {
    const ok = s.tally.delivered && !s.tally.error;
    // the endpoint's own sample starts with its own attempt
    const t0 = s.attemptStarted ?? s.started;
    const ownLatency = end - t0;
    const ownTtft = s.tally.firstTokenAt === null ? null : s.tally.firstTokenAt - t0;
    env.health.record(a.endpointKey, {
      ok: ok || s.cancelled,
      // the same rule as a failure before content: a cut 200 stream (upstream_status 200) is the endpoint's failure
      status: ok ? 200 : s.tally.error ? failedStatus(s.tally.error) : 0,
      latencyMs: ownLatency,
      ttftMs: s.stream ? ownTtft : null,
      outputTokens: fu?.counts.completion_tokens ?? 0,
      generationMs: s.stream && ownTtft !== null ? ownLatency - ownTtft : null,
    });
  }
  if (!s.tally.recorded) env.ledger.add(ledgerRow(caller, s, end));
  if (s.watch !== null) observeEnd(s, s.watch, fu, end);
  // prompts are user data: in the log only when the operator asked for them (log.prompts, off by default)
  if (env.config.logPrompts) {
    env.log.info('prompt', {
      generation_id: s.gen,
      key_id: caller.key.id,
      messages: s.req.messages,
      completion: s.tally.text.content,
      reasoning: s.tally.text.reasoning || undefined,
    });
  }
  caller.log.model = a?.model.id ?? null;
  caller.log.provider = a?.provider.id ?? null;
  return settled instanceof Promise
    ? settled.catch((err: unknown) => settleFailed(env, s.reservationId, err))
    : undefined;
}

/** the answer is out: the reservation expires, and reconcile restores the counters from the ledger */
export function settleFailed(env: PipelineEnv, reservationId: string, err: unknown): void {
  env.log.error('spend settle failed (the reservation expires; run arouter reconcile)', {
    reservation_id: reservationId,
    error: String(err),
  });
}

/** The answering attempt's end, then the request's: the same numbers as the health sample and the ledger row. */
function observeEnd(s: SettleState, watch: RequestWatch, fu: FinalUsage | null, end: number): void {
  const a = s.used;
  const aw = s.attemptWatch;
  if (aw !== null && a !== null) {
    const err = s.tally.error;
    const ok = s.tally.delivered && !err;
    const t0 = s.attemptStarted ?? s.started;
    aw.end({
      outcome: ok ? 'ok' : s.cancelled || s.shutdown ? 'aborted' : err ? attemptOutcome(err) : 'invalid',
      status: ok ? 200 : err ? failedStatus(err) : s.cancelled ? 499 : 0,
      durationMs: end - t0,
      error: err,
      record: s.attempts.length > 0 ? s.attempts[s.attempts.length - 1] : null,
    });
  }
  watch.end({
    status: s.cancelled ? 499 : s.status,
    model: (a ?? s.abortedAt)?.model.id ?? null,
    provider: (a ?? s.abortedAt)?.provider.id ?? null,
    endpoint: (a ?? s.abortedAt)?.endpoint.model ?? null,
    usage: fu === null ? null : usageOf(fu),
    costPusd: fu?.cost ?? 0n,
    latencyMs: end - s.started,
    ttftMs: s.tally.firstTokenAt === null ? null : s.tally.firstTokenAt - s.started,
    finishReason: s.cancelled ? (s.tally.finish ?? 'cancelled') : (s.tally.finish ?? (s.tally.error ? 'error' : null)),
    cancelled: s.cancelled,
    attempts: s.attempts,
    error: s.tally.error,
    generationId: s.gen,
    upstreamId: s.tally.upstreamId,
    output: s.tally.text,
  });
}

export function ledgerRow(caller: Caller, s: SettleState, end: number): GenerationRow {
  const a = s.used;
  const fu = a ? computeFinal(a, s.tally) : null;
  return {
    id: s.gen,
    account_id: caller.account.id,
    key_id: caller.key.id,
    requested_model: s.req.model ?? (s.req.models ?? [])[0] ?? '',
    model: (a ?? s.abortedAt)?.model.id ?? null,
    provider: (a ?? s.abortedAt)?.provider.id ?? null,
    endpoint: (a ?? s.abortedAt)?.endpoint.model ?? null,
    upstream_id: s.tally.upstreamId,
    attempts: s.attempts,
    prompt_tokens: fu?.counts.prompt_tokens ?? 0,
    completion_tokens: fu?.counts.completion_tokens ?? 0,
    reasoning_tokens: fu?.counts.reasoning_tokens ?? 0,
    cached_tokens: fu?.counts.cached_read_tokens ?? 0,
    cache_write_tokens: fu?.counts.cache_write_tokens ?? 0,
    tokens_estimated: fu?.estimated ?? false,
    cost_pusd: fu?.cost ?? 0n,
    // the whole request, as the client saw it (fallbacks included)
    latency_ms: end - s.started,
    ttft_ms: s.tally.firstTokenAt === null ? null : s.tally.firstTokenAt - s.started,
    finish_reason: s.cancelled ? (s.tally.finish ?? 'cancelled') : (s.tally.finish ?? (s.tally.error ? 'error' : null)),
    status: s.cancelled ? 499 : s.status,
    streamed: s.stream,
    cancelled: s.cancelled,
    route: storedRoute(s.plan.explanation),
    kind: 'chat',
    created_at: isoTime(),
  };
}
