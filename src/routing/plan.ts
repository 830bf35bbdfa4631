// The full route plan of a chat request: `model` (or the auto router's pick and its fallbacks), then each
// `models[]` entry in order, each model's endpoints in planned order, deduplicated. The executor walks
// `attempts` top to bottom; before each attempt it must call `health.tryAcquire(attempt.endpointKey)`
// (skip when false: breaker open / probe taken) and afterwards `health.record(attempt.endpointKey, ...)`.
//
// Every name is resolved before anything is planned, so a typo anywhere in `models[]` is a 400/404 up
// front rather than a surprise when the primary model happens to fail.
import { worstCaseCost, type ParsedPricing } from '../accounting/cost.js';
import type { Catalog } from '../catalog/catalog.js';
import type { EndpointDef, ModelDef, ProviderDef } from '../catalog/types.js';
import type { ChatRequest } from '../protocol/chat-request.js';
import type { ReasoningPlan } from '../providers/types.js';
import { chooseAutoModel, type AutoExplanation } from './auto.js';
import { RoutingError } from './errors.js';
import { usd, type ExplainedEndpoint, type ExplainedModel, type RouteExplanation } from './explain.js';
import { featureCache, type PromptTokens } from './features.js';
import { pricingOf } from './filters.js';
import type { HealthTracker } from './health.js';
import { planEndpoints, type DroppedEndpoint, type EndpointPlan, type PlannedEndpoint } from './planner.js';
import { reasoningPlan } from './reasoning.js';
import { resolveModel, type Resolved, type Variant } from './resolve.js';

export interface RouteAttempt {
  model: ModelDef;
  endpoint: EndpointDef;
  provider: ProviderDef;
  variant: Variant | null;
  reasoning: ReasoningPlan | null;
  expectedCostPusd: bigint;
  /** worst case with the exact prompt count (counts the prompt on first read) */
  readonly worstCasePusd: bigint;
  /** worst case with the prompt's cheap upper bound: ≥ worstCasePusd, free to compute */
  worstCaseBoundPusd: bigint;
  maxTokens: number;
  maxTokensExplicit: boolean;
  /** health / breaker key, "<provider>:<model id>[:free]" */
  endpointKey: string;
  /** this model's tokenizer's view of the prompt: bound now, exact on demand */
  prompt: PromptTokens;
  /** exact local count with this model's tokenizer (counts on first read) */
  readonly promptTokens: number;
  inputImages: number;
}

export interface RoutePlan {
  attempts: RouteAttempt[];
  explanation: RouteExplanation;
}

export interface BuildRoutePlanInput {
  catalog: Catalog;
  req: ChatRequest;
  availableProviders: ReadonlySet<string>;
  health: HealthTracker;
  /** quality tier overrides for the auto router */
  autoTiers?: Record<string, number>;
  random?: () => number;
  now?: number;
  /** model-level fallbacks the auto router adds after its pick */
  autoFallbacks?: number;
}

interface ModelEntry {
  requested: string;
  plans: Array<{ plan: EndpointPlan; reasoning: ReasoningPlan | null }>;
  failure: RoutingError | null;
  auto?: AutoExplanation;
}

const MAX_DROPPED_IN_ERROR = 200;

export function buildRoutePlan(input: BuildRoutePlanInput): RoutePlan {
  const { catalog, req, availableProviders, health } = input;
  const now = input.now ?? Date.now();
  const random = input.random ?? Math.random;
  // `model` then `models[]` (the usual request names one model: no spreads or Set for it)
  let names: string[];
  if (req.models === undefined || req.models.length === 0) names = req.model !== undefined ? [req.model] : [];
  else names = req.model !== undefined ? [req.model, ...req.models] : req.models;
  if (names.length === 0) {
    throw new RoutingError(400, 'missing_model', 'The request needs a "model" (or a "models" list)', 'model');
  }
  const unique = names.length === 1 ? names : [...new Set(names)];
  const resolved: Resolved[] = unique.map((n) => resolveModel(catalog, n, availableProviders, now));
  const featuresFor = featureCache(req);

  const entries: ModelEntry[] = resolved.map((r): ModelEntry => {
    if (r.kind === 'auto') {
      try {
        const choice = chooseAutoModel({
          catalog,
          req,
          availableProviders,
          health,
          tiers: input.autoTiers,
          random,
          now,
          maxFallbacks: input.autoFallbacks,
          features: featuresFor,
        });
        return {
          requested: r.requested,
          plans: choice.plans.map((plan) => ({ plan, reasoning: reasoningPlan(req, null, plan.model) })),
          failure: null,
          auto: choice.explanation,
        };
      } catch (err) {
        if (err instanceof RoutingError && err.status !== 400)
          return { requested: r.requested, plans: [], failure: err };
        throw err;
      }
    }
    // validates reasoning/reasoning_effort consistency (400) before anything is planned
    const reasoning = reasoningPlan(req, r.variant, r.model);
    // a plain literal, not `{...common, …}`: that spread measured ~3 µs per request (a slow object-clone path)
    const plan = planEndpoints({
      prefs: req.provider,
      providers: catalog.providers,
      availableProviders,
      health,
      random,
      now,
      model: r.model,
      variant: r.variant,
      features: featuresFor(r.model.architecture.tokenizer, r.variant),
    });
    const failure =
      plan.failure === null
        ? null
        : new RoutingError(
            plan.failure.status,
            plan.failure.code,
            plan.failure.message,
            plan.failure.param ?? 'model',
            {
              failed_routing_step: plan.failure.failed_step,
              routing_funnel: plan.funnel,
            },
          );
    return { requested: r.requested, plans: [{ plan, reasoning }], failure };
  });

  const attempts: RouteAttempt[] = [];
  const candidates: ExplainedEndpoint[] = [];
  const dropped: DroppedEndpoint[] = [];
  const models: ExplainedModel[] = [];
  // the same endpoint reached twice (e.g. "m" and "m:nitro") is only worth trying once; one plan has no repeats
  const seen = entries.length > 1 || entries[0].plans.length > 1 ? new Set<string>() : null;
  for (const entry of entries) {
    if (entry.plans.length === 0) {
      models.push({
        requested: entry.requested,
        model: null,
        variant: null,
        rule: null,
        candidates: 0,
        funnel: [],
        failure: entry.failure?.message ?? null,
      });
    }
    for (const { plan, reasoning } of entry.plans) {
      const f = featuresFor(plan.model.architecture.tokenizer, plan.variant);
      dropped.push(...plan.dropped);
      models.push({
        requested: entry.requested,
        model: plan.model.id,
        variant: plan.variant,
        rule: entry.auto !== undefined ? `auto/${plan.rule}` : plan.rule,
        candidates: plan.ordered.length,
        funnel: plan.funnel,
        failure: plan.failure?.message ?? null,
      });
      for (const p of plan.ordered) {
        if (seen !== null) {
          const dedupe = `${p.key}|${p.endpoint.model}|${plan.variant ?? ''}`;
          if (seen.has(dedupe)) continue;
          seen.add(dedupe);
        }
        const a = attemptFor(plan, p, reasoning, f.prompt, f.inputImages, f.maxOutputTokens);
        attempts.push(a);
        candidates.push(explained(a, p));
      }
    }
  }

  const first = entries[0];
  const explanation: RouteExplanation = {
    rule: attempts.length === 0 ? 'none' : ruleOf(entries, attempts[0]),
    requested: names.join(', '),
    variant: resolved[0].kind === 'model' ? resolved[0].variant : null,
    chosen: candidates[0],
    candidates,
    dropped,
    models,
  };
  if (first.auto !== undefined) explanation.auto = first.auto;
  if (explanation.chosen === undefined) delete explanation.chosen;

  if (attempts.length === 0) throw noRoute(entries, explanation);
  return { attempts, explanation };
}

function ruleOf(entries: ModelEntry[], a: RouteAttempt): string {
  for (const e of entries) {
    const hit = e.plans.find((p) => p.plan.model === a.model && p.plan.variant === a.variant);
    if (hit !== undefined) return e.auto !== undefined ? 'auto' : hit.plan.rule;
  }
  return 'none';
}

function attemptFor(
  plan: EndpointPlan,
  p: PlannedEndpoint,
  reasoning: ReasoningPlan | null,
  prompt: PromptTokens,
  inputImages: number,
  requestedMax: number | null,
): RouteAttempt {
  const e = p.endpoint;
  // Without a client max, use the endpoint's max but never more than the context has room for: OpenAI-style
  // servers reject prompt + max_tokens > context, and the reservation should not exceed what can be billed.
  const maxTokens =
    requestedMax ??
    (prompt.fits(e.max_completion_tokens, e.context_length)
      ? e.max_completion_tokens
      : Math.max(1, Math.min(e.max_completion_tokens, e.context_length - prompt.exact)));
  return new PlannedRouteAttempt(plan, p, reasoning, prompt, inputImages, maxTokens, requestedMax !== null);
}

/** A class rather than an object literal with getters: built for every planned endpoint of every request. */
class PlannedRouteAttempt implements RouteAttempt {
  readonly model: ModelDef;
  readonly endpoint: EndpointDef;
  readonly provider: ProviderDef;
  readonly variant: Variant | null;
  readonly expectedCostPusd: bigint;
  readonly endpointKey: string;
  readonly worstCaseBoundPusd: bigint;
  private exactWorst: bigint | null = null;
  private readonly pricing: ParsedPricing;

  constructor(
    plan: EndpointPlan,
    p: PlannedEndpoint,
    readonly reasoning: ReasoningPlan | null,
    readonly prompt: PromptTokens,
    readonly inputImages: number,
    readonly maxTokens: number,
    readonly maxTokensExplicit: boolean,
  ) {
    this.model = plan.model;
    this.endpoint = p.endpoint;
    this.provider = p.provider;
    this.variant = plan.variant;
    this.expectedCostPusd = p.expectedCostPusd;
    this.endpointKey = p.key;
    this.pricing = pricingOf(p.endpoint);
    this.worstCaseBoundPusd = this.worst(prompt.bound);
  }

  private worst(promptTokens: number): bigint {
    return worstCaseCost(this.pricing, {
      promptTokens,
      maxOutputTokens: this.maxTokens,
      inputImages: this.inputImages,
    });
  }

  get worstCasePusd(): bigint {
    return (this.exactWorst ??= this.worst(this.prompt.exact));
  }

  get promptTokens(): number {
    return this.prompt.exact;
  }
}

function explained(a: RouteAttempt, p: PlannedEndpoint): ExplainedEndpoint {
  return {
    model: a.model.id,
    provider: a.provider.id,
    endpoint_model: a.endpoint.model,
    expected_usd: usd(a.expectedCostPusd),
    worst_case_bound_usd: usd(a.worstCaseBoundPusd),
    throughput: p.throughput,
    latency_ms: p.latencyMs,
    health: p.health,
  };
}

/**
 * The primary model's failure decides the message; the rest is in metadata. The status is the primary's too,
 * except that a request too big for the primary (400) is not the client's fault alone when a fallback model
 * failed for another reason (health, preferences): that one's status and code then.
 */
function noRoute(entries: ModelEntry[], explanation: RouteExplanation): RoutingError {
  const failures = entries.map((e) => e.failure).filter((f): f is RoutingError => f !== null);
  const first =
    failures[0] ?? new RoutingError(503, 'no_endpoint_available', 'No endpoint available for the request', 'model');
  const primary = first.status === 400 ? (failures.find((f) => f.status !== 400) ?? first) : first;
  const others = entries.slice(1).filter((e) => e.failure !== null);
  const message =
    others.length === 0
      ? first.message
      : `${first.message}; fallback models: ${others.map((e) => `${e.requested}: ${e.failure?.message}`).join('; ')}`;
  return new RoutingError(primary.status, primary.code, message, primary.param, {
    ...(primary.metadata ?? {}),
    dropped: explanation.dropped.slice(0, MAX_DROPPED_IN_ERROR),
    models: explanation.models,
  });
}
