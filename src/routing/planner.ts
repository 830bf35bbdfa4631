// One model's endpoints → an ordered list of endpoints to try, plus every dropped endpoint with its reason.
//
// Ordering rules (OpenRouter's, reference §10, where our issue is silent):
// - default: load balancing. Healthy endpoints (closed breaker, no failure in the last 30 s) are drawn
//   one by one by weighted random without replacement, weight = 1 / expected_price² (A $1 is 9x likelier
//   than C $3 to go first); endpoints that failed recently or are half-open follow, cheapest first.
// - `provider.sort` / `:floor` (price) / `:nitro` (throughput): strict deterministic ordering, no LB and
//   no health demotion (the caller asked for exactly this order; open breakers are still dropped).
// - `provider.order`: listed providers first in list order, then the rest by the active sort (price when
//   none). With `allow_fallbacks: false` only listed providers remain (or, without `order`, only the first
//   endpoint of the plan).
// - open breakers are dropped (`circuit_open`) unless that would leave nothing, in which case they stay
//   as a last resort at the end: an endpoint whose cooldown is about to expire beats a certain 503.
import type { ParsedPricing } from '../accounting/cost.js';
import { mulCount } from '../accounting/money.js';
import type { EndpointDef, ModelDef, ProviderDef } from '../catalog/types.js';
import type { ProviderPrefs } from '../protocol/chat-request.js';
import type { RequestFeatures } from './features.js';
import {
  endpointKey,
  failureSentence,
  FILTER_ORDER,
  parsePriceCaps,
  pricingOf,
  providerMatches,
  rejectEndpoint,
  type DropReason,
  type FilterContext,
} from './filters.js';
import type { HealthTracker } from './health.js';
import { oversize, SIZE_REASONS } from './oversize.js';
import { unreadable } from './unreadable.js';
import type { Variant } from './resolve.js';

/** Output tokens assumed when pricing a request for ordering: replies are usually far below max_tokens. */
export const EXPECTED_OUTPUT_TOKENS = 500;

export type SortKey = 'price' | 'throughput' | 'latency';
export type EndpointHealthState = 'ok' | 'recently_failing' | 'half_open' | 'circuit_open';

export interface PlannedEndpoint {
  endpoint: EndpointDef;
  provider: ProviderDef;
  key: string;
  expectedCostPusd: bigint;
  /** live estimate, else catalog hint, else null (tokens/s) */
  throughput: number | null;
  /** live TTFT estimate, else catalog hint, else null (ms) */
  latencyMs: number | null;
  health: EndpointHealthState;
}

export interface DroppedEndpoint {
  model: string;
  provider: string;
  endpoint_model: string;
  reason: DropReason;
  detail: string;
}

export interface FunnelStep {
  step: string;
  removed: number;
  remaining: number;
}

export interface PlanFailure {
  status: 400 | 404 | 503;
  code: string;
  message: string;
  failed_step: DropReason | null;
  /** the parameter to fix (400s) */
  param?: string;
  /** 400 for size: the largest limit on offer (the auto router names the model with the largest) */
  limit?: number;
}

export interface EndpointPlan {
  model: ModelDef;
  variant: Variant | null;
  /** "price_weighted", "sort:price", "floor", "nitro", "order", "order+sort:price" ... */
  rule: string;
  ordered: PlannedEndpoint[];
  dropped: DroppedEndpoint[];
  funnel: FunnelStep[];
  /** set when `ordered` is empty */
  failure: PlanFailure | null;
}

export interface PlanEndpointsInput {
  model: ModelDef;
  variant: Variant | null;
  features: RequestFeatures;
  prefs?: ProviderPrefs;
  providers: ReadonlyMap<string, ProviderDef>;
  availableProviders: ReadonlySet<string>;
  health?: HealthTracker;
  random?: () => number;
  now?: number;
}

/** prompt × prompt price + expected output × completion price + per-request + per-image, in pUSD. */
export function expectedCost(p: ParsedPricing, f: RequestFeatures): bigint {
  const out = Math.min(f.maxOutputTokens ?? EXPECTED_OUTPUT_TOKENS, EXPECTED_OUTPUT_TOKENS);
  return (
    mulCount(p.prompt, f.prompt.estimate) + mulCount(p.completion, out) + p.request + mulCount(p.image, f.inputImages)
  );
}

const NONE: PlannedEndpoint[] = [];

const byKey = (a: PlannedEndpoint, b: PlannedEndpoint): number =>
  a.key < b.key
    ? -1
    : a.key > b.key
      ? 1
      : a.endpoint.model < b.endpoint.model
        ? -1
        : a.endpoint.model > b.endpoint.model
          ? 1
          : 0;
const cmpBig = (a: bigint, b: bigint): number => (a < b ? -1 : a > b ? 1 : 0);
const byPrice = (a: PlannedEndpoint, b: PlannedEndpoint) => cmpBig(a.expectedCostPusd, b.expectedCostPusd);
// unknown throughput sorts last; unknown latency sorts last
const byThroughput = (a: PlannedEndpoint, b: PlannedEndpoint) => (b.throughput ?? -1) - (a.throughput ?? -1);
const byLatency = (a: PlannedEndpoint, b: PlannedEndpoint) =>
  (a.latencyMs ?? Infinity) - (b.latencyMs ?? Infinity) || 0;

export function comparator(sort: SortKey): (a: PlannedEndpoint, b: PlannedEndpoint) => number {
  if (sort === 'price') return (a, b) => byPrice(a, b) || byThroughput(a, b) || byKey(a, b);
  if (sort === 'throughput') return (a, b) => byThroughput(a, b) || byPrice(a, b) || byKey(a, b);
  return (a, b) => byLatency(a, b) || byPrice(a, b) || byKey(a, b);
}

/** Weighted random permutation, weight = 1/price² (price floored at 1 pUSD so free endpoints win outright). */
export function weightedOrder(items: PlannedEndpoint[], random: () => number): PlannedEndpoint[] {
  const pool = [...items].sort(byKey); // stable input order makes a seeded random reproducible
  const weights = pool.map((p) => {
    const price = Number(p.expectedCostPusd > 0n ? p.expectedCostPusd : 1n);
    return 1 / (price * price);
  });
  const out: PlannedEndpoint[] = [];
  while (pool.length > 0) {
    const total = weights.reduce((s, w) => s + w, 0);
    let r = random() * total;
    let i = 0;
    for (; i < pool.length - 1; i++) {
      r -= weights[i];
      if (r < 0) break;
    }
    out.push(pool[i]);
    pool.splice(i, 1);
    weights.splice(i, 1);
  }
  return out;
}

function healthState(health: HealthTracker | undefined, key: string, now: number): EndpointHealthState {
  if (health === undefined) return 'ok';
  const st = health.status(key, now);
  if (st === 'open') return 'circuit_open';
  if (st === 'half_open') return 'half_open';
  return health.isRecentlyFailing(key, now) ? 'recently_failing' : 'ok';
}

function effectiveSort(prefs: ProviderPrefs | undefined, variant: Variant | null): SortKey | null {
  if (prefs?.sort !== undefined) return prefs.sort;
  if (variant === 'floor') return 'price';
  if (variant === 'nitro') return 'throughput';
  return null;
}

/** "floor"/"nitro" when the variant set the sort, "sort:<key>" when provider.sort did, null for none. */
function sortRuleName(sort: SortKey | null, prefs: ProviderPrefs | undefined, variant: Variant | null): string | null {
  if (sort === null) return null;
  if (prefs?.sort === undefined && (variant === 'floor' || variant === 'nitro')) return variant;
  return `sort:${sort}`;
}

export function planEndpoints(input: PlanEndpointsInput): EndpointPlan {
  const { model, variant, features, prefs, health } = input;
  const now = input.now ?? Date.now();
  const random = input.random ?? Math.random;
  const ctx: FilterContext = {
    model,
    variant,
    features,
    prefs,
    caps: parsePriceCaps(prefs),
    providers: input.providers,
    availableProviders: input.availableProviders,
  };

  const dropped: DroppedEndpoint[] = [];
  const drop = (e: EndpointDef, reason: DropReason, detail: string) =>
    dropped.push({ model: model.id, provider: e.provider, endpoint_model: e.model, reason, detail });

  // Price-first orderings promise the cheapest by this request's cost, so they count the prompt exactly;
  // weighted load balancing is content with the estimate.
  if (effectiveSort(prefs, variant) === 'price') void features.prompt.exact;
  let survivors: PlannedEndpoint[] = [];
  for (const e of model.endpoints) {
    const rej = rejectEndpoint(ctx, e);
    if (rej !== null) {
      drop(e, rej.reason, rej.detail);
      continue;
    }
    const key = endpointKey(model, e);
    survivors.push({
      endpoint: e,
      provider: input.providers.get(e.provider) as ProviderDef,
      key,
      expectedCostPusd: expectedCost(pricingOf(e), features),
      throughput: health?.throughputEstimate(key, now) ?? e.throughput_hint ?? null,
      latencyMs: health?.latencyEstimateMs(key, now) ?? e.latency_hint_ms ?? null,
      health: healthState(health, key, now),
    });
  }

  // (allocation-light on purpose: this runs for every request, usually on one to a few endpoints)
  const open = survivors.some((s) => s.health === 'circuit_open')
    ? survivors.filter((s) => s.health === 'circuit_open')
    : NONE;
  let lastResort: PlannedEndpoint[] = NONE;
  if (open.length > 0 && open.length < survivors.length) {
    for (const s of open) drop(s.endpoint, 'circuit_open', `circuit breaker open for ${s.key}`);
    survivors = survivors.filter((s) => s.health !== 'circuit_open');
  } else if (open.length > 0) {
    lastResort = open;
    survivors = [];
  }

  const sort = effectiveSort(prefs, variant);
  const order = prefs?.order ?? [];
  // position in provider.order (unlisted providers after every listed one)
  const rank = (s: PlannedEndpoint) => {
    const i = order.findIndex((o) => providerMatches([o], s.provider, s.endpoint.provider));
    return i < 0 ? order.length : i;
  };
  let rule: string;
  let ordered: PlannedEndpoint[];
  if (sort === null && order.length === 0) {
    rule = 'price_weighted';
    if (survivors.length <= 1) {
      ordered = survivors;
    } else {
      const healthy = survivors.filter((s) => s.health === 'ok');
      const shaky = survivors.filter((s) => s.health !== 'ok').sort(comparator('price'));
      ordered = [...weightedOrder(healthy, random), ...shaky];
    }
  } else {
    const cmp = comparator(sort ?? 'price');
    const sortRule = sortRuleName(sort, prefs, variant);
    rule = order.length === 0 ? (sortRule as string) : sortRule === null ? 'order' : `order+${sortRule}`;
    ordered = [...survivors].sort((a, b) => rank(a) - rank(b) || cmp(a, b));
  }
  // every breaker open: the client's order still decides which endpoint gets the first probe
  if (lastResort.length > 0) {
    const lastCmp = comparator(sort ?? 'price');
    ordered.push(...lastResort.sort((a, b) => rank(a) - rank(b) || lastCmp(a, b)));
  }

  // allow_fallbacks:false narrows the plan: to the listed providers with `order`, else to the first endpoint
  if (prefs?.allow_fallbacks === false && ordered.length > 0) {
    if (order.length > 0) {
      const keep = ordered.filter((s) => providerMatches(order, s.provider, s.endpoint.provider));
      for (const s of ordered) {
        if (!keep.includes(s))
          drop(s.endpoint, 'not_in_order', `${s.provider.name} is not in provider.order and allow_fallbacks is false`);
      }
      ordered = keep;
    } else {
      for (const s of ordered.slice(1))
        drop(s.endpoint, 'fallbacks_disabled', 'provider.allow_fallbacks is false: only the first endpoint is tried');
      ordered = ordered.slice(0, 1);
    }
  }

  const funnel = buildFunnel(model.endpoints.length, dropped);
  return {
    model,
    variant,
    rule,
    ordered,
    dropped,
    funnel,
    failure: ordered.length > 0 ? null : explainFailure(model, variant, dropped, features, input.providers),
  };
}

export function buildFunnel(initial: number, dropped: DroppedEndpoint[]): FunnelStep[] {
  const steps: FunnelStep[] = [{ step: 'initial', removed: 0, remaining: initial }];
  if (dropped.length === 0) return steps;
  let remaining = initial;
  for (const reason of FILTER_ORDER) {
    let removed = 0;
    for (const d of dropped) if (d.reason === reason) removed++;
    if (removed === 0) continue;
    remaining -= removed;
    steps.push({ step: reason, removed, remaining });
  }
  return steps;
}

function explainFailure(
  model: ModelDef,
  variant: Variant | null,
  dropped: DroppedEndpoint[],
  features: RequestFeatures,
  providers: ReadonlyMap<string, ProviderDef>,
): PlanFailure {
  const reachable = dropped.filter((d) => d.reason !== 'provider_unavailable');
  if (reachable.length === 0) {
    // resolution already hides such models; kept for callers that plan a model directly
    return {
      status: 404,
      code: 'model_not_found',
      message: `Model "${model.id}" not found.`,
      failed_step: 'provider_unavailable',
    };
  }
  // A variant the model does not have at all is "not found" (404), like an unknown model.
  if (variant === 'free' && reachable.every((d) => d.reason === 'free_only')) {
    return {
      status: 404,
      code: 'free_variant_unavailable',
      message: `Model ${model.id} has no free endpoints (${model.id}:free does not exist)`,
      failed_step: 'free_only',
    };
  }
  if (variant === 'thinking' && reachable.every((d) => d.reason === 'reasoning' || d.reason === 'paid_only')) {
    return {
      status: 404,
      code: 'variant_unavailable',
      message: `Model ${model.id} does not support reasoning (${model.id}:thinking does not exist)`,
      failed_step: 'reasoning',
    };
  }
  // output modalities are the model's, not an endpoint's: a model that cannot make the image or audio asked
  // for is "not found" for this request, as OpenRouter answers ("No endpoints found that support the
  // requested output modalities"), naming the client's field
  if (reachable.every((d) => d.reason === 'output_modality' || d.reason === 'paid_only' || d.reason === 'free_only')) {
    const out = reachable.find((d) => d.reason === 'output_modality');
    if (out !== undefined) {
      return {
        status: 404,
        code: 'unsupported_output_modality',
        message: `No endpoints found that support the requested output modalities: ${features.outputModalities.join(', ')} (${model.id} outputs ${model.architecture.output_modalities.join(', ')})`,
        failed_step: 'output_modality',
        param: 'modalities',
      };
    }
  }
  // every candidate of this variant fell for the request's own size (free/paid endpoints of the other
  // variant were never candidates): the client's 400, see oversize.ts
  const candidates = reachable.filter((d) => d.reason !== 'paid_only' && d.reason !== 'free_only');
  if (candidates.length > 0 && candidates.every((d) => SIZE_REASONS.has(d.reason))) {
    const endpoints = model.endpoints.filter((e) =>
      candidates.some((d) => d.provider === e.provider && d.endpoint_model === e.model),
    );
    const o = oversize(features, endpoints, model.id);
    return {
      status: 400,
      code: o.code,
      message: o.message,
      failed_step: candidates[candidates.length - 1].reason,
      param: o.param,
      limit: o.limit,
    };
  }
  // every candidate fell for a part it cannot read: the client's 400 naming the part, see unreadable.ts
  if (candidates.length > 0 && candidates.every((d) => d.reason === 'modality')) {
    const endpoints = model.endpoints.filter((e) =>
      candidates.some((d) => d.provider === e.provider && d.endpoint_model === e.model),
    );
    const u = unreadable(features, model, endpoints, providers);
    return { status: 400, code: u.code, message: u.message, failed_step: 'modality', param: u.param };
  }
  // the step where the last endpoints fell is the one to name
  let last: DroppedEndpoint = reachable[0];
  for (const d of reachable) if (FILTER_ORDER.indexOf(d.reason) > FILTER_ORDER.indexOf(last.reason)) last = d;
  if (last.reason === 'paid_only') {
    return {
      status: 404,
      code: 'model_not_found',
      message: `Model "${model.id}" only has free endpoints; use ${model.id}:free`,
      failed_step: 'paid_only',
    };
  }
  return {
    status: 503,
    code: 'no_endpoint_available',
    message: failureSentence(last.reason, model.id, last.detail),
    failed_step: last.reason,
  };
}
