// The route explanation: a JSON-serialisable account of why this plan (money as decimal USD strings,
// never bigint) and a one-line summary for the `x-arouter-route` response header. The header is what an
// operator sees in a curl -i, so it leads with the rule and the provider order and lists only drops that
// a client could act on (not "provider not enabled" / "free endpoint" noise).
import { formatUsd } from '../accounting/money.js';
import type { AutoExplanation } from './auto.js';
import { buildFunnel, type DroppedEndpoint, type EndpointHealthState, type FunnelStep } from './planner.js';
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
    if (!QUIET_REASONS.has(d.reason) && (chosenModel === null || d.model === chosenModel))
      addOnce(drops, `${ascii(d.provider)}:${d.reason}`);
  }
  if (drops.length > 0) line += `; dropped=${drops.join(',')}`;
  return line.length <= HEADER_MAX ? line : line.slice(0, HEADER_MAX - 3) + '...';
}

/**
 * What a generation row keeps of the plan's explanation, on every row, so only what cannot be derived:
 * - not `chosen`, which repeats a candidate: the row's own model/provider/endpoint say which one served;
 * - not `models` when the plan had one model and its entry is what the rest implies (impliedModel): the usual
 *   case, and ~40 % of a one-endpoint plan's bytes.
 * routeOfGeneration puts both back, so the API shows the explanation as POST /v1/route gives it.
 */
export type StoredRoute = Omit<RouteExplanation, 'chosen' | 'models'> & { models?: ExplainedModel[] };

export function storedRoute(e: RouteExplanation): StoredRoute {
  const implied = e.auto === undefined && e.models.length === 1 && sameModel(e.models[0], impliedModel(e));
  return {
    rule: e.rule,
    requested: e.requested,
    variant: e.variant,
    candidates: e.candidates,
    dropped: e.dropped,
    models: implied ? undefined : e.models,
    auto: e.auto,
  };
}

/** The models entry a plan of one model (not auto) has: its requested name, rule, candidates and funnel. */
function impliedModel(
  r: Pick<RouteExplanation, 'rule' | 'requested' | 'variant' | 'candidates' | 'dropped'>,
): ExplainedModel | null {
  if (r.candidates.length === 0) return null;
  return {
    requested: r.requested,
    model: r.candidates[0].model,
    variant: r.variant,
    rule: r.rule,
    candidates: r.candidates.length,
    // every endpoint of the model was either planned or dropped
    funnel: buildFunnel(r.candidates.length + r.dropped.length, r.dropped),
    failure: null,
  };
}

function sameModel(a: ExplainedModel, b: ExplainedModel | null): boolean {
  if (b === null) return false;
  if (a.requested !== b.requested || a.model !== b.model || a.variant !== b.variant || a.rule !== b.rule) return false;
  if (a.candidates !== b.candidates || a.failure !== b.failure || a.funnel.length !== b.funnel.length) return false;
  for (let i = 0; i < a.funnel.length; i++) {
    const x = a.funnel[i];
    const y = b.funnel[i];
    if (x.step !== y.step || x.removed !== y.removed || x.remaining !== y.remaining) return false;
  }
  return true;
}

/**
 * A generation's route as the API shows it: `chosen` is the candidate that actually answered (after a
 * fallback, not the plan's first), absent when none did; `models`, when the row left it out, is the one
 * the rest implies. Rows written before routes were stored compactly carry the plan's `chosen` and their
 * `models`; the first is replaced, the second kept.
 */
export function routeOfGeneration(
  route: unknown,
  served: { model: string | null; provider: string | null; endpoint: string | null },
): unknown {
  if (typeof route !== 'object' || route === null || !Array.isArray((route as StoredRoute).candidates)) return route;
  const r = route as StoredRoute & { chosen?: ExplainedEndpoint };
  const chosen =
    served.provider === null
      ? undefined
      : r.candidates.find(
          (c) => c.provider === served.provider && c.endpoint_model === served.endpoint && c.model === served.model,
        );
  const implied = r.models === undefined && Array.isArray(r.dropped) ? impliedModel(r) : null;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(r)) {
    // `chosen` is the served one; undefined fields are absent (as they are in a row read back from storage)
    if (k === 'chosen' || v === undefined) continue;
    if (k === 'candidates' && chosen !== undefined) out.chosen = chosen;
    out[k] = v;
    // the plan's order: …, dropped, models, auto
    if (k === 'dropped' && implied !== null) out.models = [implied];
  }
  return out;
}
