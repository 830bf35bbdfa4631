// Admission (rate limits) and the worst-case reservation, the phases between planning and the first upstream
// call. Both refuse with the client error that names the limit; neither reads storage (all in memory).
import type { HttpError } from '../protocol/errors.js';
import type { RoutePlan, RouteAttempt } from '../routing/index.js';
import type { Caller, PipelineEnv } from './env.js';
import { insufficientQuota } from './errors.js';

export interface Admitted {
  /** rate-limit headers for the answer */
  headers: Record<string, string>;
  reservationId: string;
}

/**
 * Rate limits for a planned chat request, then the reservation of its worst-case cost. A promise only when the
 * limits are shared through Redis: the embedded default stays synchronous (no await on its hot path).
 */
export function admitChat(env: PipelineEnv, caller: Caller, plan: RoutePlan): Admitted | Promise<Admitted> {
  const first = plan.attempts[0];
  const admission = env.limits.admit(
    caller.key,
    plan.attempts.some((a) => a.variant === 'free'),
    () => first.promptTokens,
  );
  if (admission instanceof Promise) return admission.then((a) => reserveChat(env, caller, plan, a.headers));
  return reserveChat(env, caller, plan, admission.headers);
}

function reserveChat(env: PipelineEnv, caller: Caller, plan: RoutePlan, headers: Record<string, string>): Admitted {
  // Reserve on the prompt's cheap upper bound; only when that does not fit, count exactly and try again,
  // so the admit/refuse decision is the one an exact count gives without tokenizing every prompt.
  const maxWorst = (pick: (a: RouteAttempt) => bigint) =>
    plan.attempts.reduce((m, a) => (pick(a) > m ? pick(a) : m), 0n);
  return reserve(
    env,
    caller,
    headers,
    maxWorst((a) => a.worstCaseBoundPusd),
    () => maxWorst((a) => a.worstCasePusd),
    'prompt plus max output tokens',
    'Lower max_tokens, raise the limit, or add credits.',
  );
}

/**
 * Reserves `bound` (a cheap upper bound of the worst case); when that does not fit and an exact worst case is
 * given, tries that. A refusal is the 402 naming what the request may cost and what is left.
 */
export function reserve(
  env: PipelineEnv,
  caller: Caller,
  headers: Record<string, string>,
  bound: bigint,
  exact: (() => bigint) | null,
  basis: string,
  advice: string,
): Admitted {
  let worst = bound;
  let r = env.spend.reserve(caller.account, caller.key, worst);
  if (!r.ok && exact) {
    worst = exact();
    r = env.spend.reserve(caller.account, caller.key, worst);
  }
  if (!r.ok) throw insufficientQuota(r, worst, basis, advice, headers) satisfies HttpError;
  return { headers, reservationId: r.reservationId };
}
