// The route explanation: a JSON-serialisable account of why this plan (money as decimal USD strings,
// never bigint) and a one-line summary for the `x-arouter-route` response header. The header is what an
// operator sees in a curl -i, so it leads with the rule and the provider order and lists only drops that
// a client could act on (not "provider not enabled" / "free endpoint" noise).
import { formatUsd } from '../accounting/money.js';
import type { AutoExplanation } from './auto.js';
import type { DroppedEndpoint, EndpointHealthState, FunnelStep } from './planner.js';
import type { Variant } from './resolve.js';

export interface ExplainedEndpoint {
  model: string;
  provider: string;
  endpoint_model: string;
  expected_usd: string;
  /** upper bound of the worst case (prompt counted by its byte bound; the reservation's first try) */
  worst_case_bound_usd: string;
  throughput: number | null;
  latency_ms: number | null;
  health: EndpointHealthState;
}

export interface ExplainedModel {
  requested: string;
  model: string | null;
  variant: Variant | null;
  rule: string | null;
  candidates: number;
  funnel: FunnelStep[];
  /** why this model contributed no attempt, null when it did */
  failure: string | null;
}

export interface RouteExplanation {
  /** the deciding rule of the first attempt: "auto", "price_weighted", "floor", "nitro", "sort:latency", "order" ... */
  rule: string;
  /** `model` then `models[]` as the client sent them */
  requested: string;
  variant: Variant | null;
  chosen?: ExplainedEndpoint;
  /** every attempt, in the order they will be tried */
  candidates: ExplainedEndpoint[];
  dropped: DroppedEndpoint[];
  models: ExplainedModel[];
  auto?: AutoExplanation;
}

export const usd = (pusd: bigint): string => formatUsd(pusd);

const HEADER_MAX = 512;
const QUIET_REASONS = new Set(['provider_unavailable', 'paid_only', 'free_only']);

const NOT_PLAIN = /[^\x20-\x3a\x3c-\x7e]/;

function ascii(s: string): string {
  // header values must be visible ASCII and ';' separates our parts; ids are plain, client-supplied names may
  // not be (one test for the usual plain case, the replacements only when needed)
  return NOT_PLAIN.test(s) ? s.replace(/[^\x20-\x7e]/g, '?').replace(/;/g, ',') : s;
}

/** `list` plus `s` unless already there (summaries hold a handful of names: a scan beats a Set) */
function addOnce(list: string[], s: string): void {
  if (!list.includes(s)) list.push(s);
}

/** `rule=floor; model=meta-llama/llama-3.3-70b-instruct; order=deepinfra,together,groq; dropped=fireworks:max_price` */
export function summarizeRoute(e: RouteExplanation): string {
  let line = `rule=${ascii(e.rule)}`;
  const chosenModel = e.chosen?.model ?? e.candidates[0]?.model ?? null;
  if (chosenModel !== null) {
    const order: string[] = [];
    const fallbacks: string[] = [];
    for (const c of e.candidates) {
      if (c.model === chosenModel) addOnce(order, ascii(c.provider));
      else addOnce(fallbacks, ascii(c.model));
    }
    line += `; model=${ascii(chosenModel)}; order=${order.join(',')}`;
    if (fallbacks.length > 0) line += `; fallbacks=${fallbacks.join(',')}`;
  } else {
    line += `; requested=${ascii(e.requested)}`;
  }
  const drops: string[] = [];
  for (const d of e.dropped) {
    if (!QUIET_REASONS.has(d.reason) && (chosenModel === null || d.model === chosenModel)) addOnce(drops, `${ascii(d.provider)}:${d.reason}`);
  }
  if (drops.length > 0) line += `; dropped=${drops.join(',')}`;
  return line.length <= HEADER_MAX ? line : line.slice(0, HEADER_MAX - 3) + '...';
}

/** What a generation row keeps of the plan's explanation: everything but `chosen`, which would repeat a
 *  candidate (about a third of the bytes of a one-endpoint plan, on every row). The row's own
 *  model/provider/endpoint say which candidate served; routeOfGeneration puts `chosen` back from them. */
export type StoredRoute = Omit<RouteExplanation, 'chosen'>;

export function storedRoute(e: RouteExplanation): StoredRoute {
  return { rule: e.rule, requested: e.requested, variant: e.variant, candidates: e.candidates, dropped: e.dropped, models: e.models, auto: e.auto };
}

/**
 * A generation's route as the API shows it: `chosen` is the candidate that actually answered (after a
 * fallback, not the plan's first), absent when none did. Rows written before routes were stored compactly
 * carry the plan's `chosen`; it is replaced the same way.
 */
export function routeOfGeneration(route: unknown, served: { model: string | null; provider: string | null; endpoint: string | null }): unknown {
  if (typeof route !== 'object' || route === null || !Array.isArray((route as StoredRoute).candidates)) return route;
  const r = route as StoredRoute & { chosen?: ExplainedEndpoint };
  const chosen =
    served.provider === null ? undefined
    : r.candidates.find((c) => c.provider === served.provider && c.endpoint_model === served.endpoint && c.model === served.model);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(r)) {
    if (k === 'chosen') continue;
    if (k === 'candidates' && chosen !== undefined) out.chosen = chosen;
    out[k] = v;
  }
  return out;
}
