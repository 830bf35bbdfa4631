// The auto router ("model": "auto"): a transparent, deterministic choice instead of a black-box classifier.
// 1. capability: the model must be able to serve THIS request - text output, not deprecated, and at least
//    one endpoint passing every hard filter of the endpoint planner (tools, image input, structured output,
//    reasoning, context length, max_tokens, provider preferences, max_price). Reusing the planner means auto
//    can never pick a model the plan would then reject.
// 2. ranking: quality tier (config override, else model.quality_tier; 1 is best), then the cheapest
//    endpoint's expected price for this request, then id - so the same request always ranks the same way.
// The next few ranked models become model-level fallbacks.
import { toNumberUsd } from '../accounting/money.js';
import { isExpired, type Catalog } from '../catalog/catalog.js';
import type { ModelDef, ProviderDef } from '../catalog/types.js';
import type { ChatRequest } from '../protocol/chat-request.js';
import { RoutingError } from './errors.js';
import { featureCache, type FeaturesFor, type RequestFeatures } from './features.js';
import type { HealthTracker } from './health.js';
import { planEndpoints, type EndpointPlan, type PlanFailure } from './planner.js';
import { isModelVisible } from './resolve.js';

export const DEFAULT_AUTO_FALLBACKS = 3;

export interface AutoInput {
  catalog: Catalog;
  req: ChatRequest;
  availableProviders: ReadonlySet<string>;
  health?: HealthTracker;
  /** operator overrides of quality tiers: { "openai/gpt-5": 1 } */
  tiers?: Record<string, number>;
  random?: () => number;
  now?: number;
  /** how many next-best models to return as fallbacks */
  maxFallbacks?: number;
  /** shared per-tokenizer feature cache (plan.ts passes its own) */
  features?: FeaturesFor;
}

export interface AutoDropped {
  model: string;
  reason: string;
  detail: string;
}

export interface AutoExplanation {
  rule: string;
  chosen: string;
  /** chosen first, then the fallbacks, with their ranking keys */
  ranking: Array<{ model: string; tier: number; tier_source: 'config' | 'catalog'; expected_usd: string }>;
  considered: number;
  capable: number;
  /** why each non-capable model was left out (at most MAX_LISTED; see dropped_total) */
  dropped: AutoDropped[];
  dropped_total: number;
}

export interface AutoChoice {
  model: ModelDef;
  fallbacks: ModelDef[];
  /** endpoint plans of `model` then `fallbacks`, already computed during ranking */
  plans: EndpointPlan[];
  explanation: AutoExplanation;
}

const MAX_LISTED = 100;

interface Ranked {
  model: ModelDef;
  tier: number;
  fromConfig: boolean;
  cost: bigint;
  plan: EndpointPlan;
}

/** Planner drop steps as auto capability reasons, so the explanation reads as "what the model lacks". */
function capabilityReason(plan: EndpointPlan, f: RequestFeatures): string {
  const step = plan.failure?.failed_step ?? 'no_endpoint';
  switch (step) {
    case 'tools':
      return 'missing_capability:tools';
    case 'response_format':
      return f.responseFormat === 'json_schema'
        ? 'missing_capability:structured_outputs'
        : 'missing_capability:response_format';
    case 'reasoning':
      return 'missing_capability:reasoning';
    case 'modality': {
      // the part the planner's 400 names (model or dialect lacking it), else the first the model lacks
      const named = f.inputParts.find((p) => p.param === plan.failure?.param);
      const missing = f.inputModalities.filter((m) => !plan.model.architecture.input_modalities.includes(m));
      return `missing_capability:${named?.modality ?? missing[0] ?? 'image'}_input`;
    }
    case 'output_modality': {
      const missing = f.outputModalities.filter((m) => !plan.model.architecture.output_modalities.includes(m));
      return `missing_capability:${missing[0] ?? 'image'}_output`;
    }
    default:
      return step;
  }
}

/** "$0.0031": two significant digits, never exponent notation. */
export function formatUsdShort(pusd: bigint): string {
  const usd = toNumberUsd(pusd);
  if (usd === 0) return '$0';
  const decimals = Math.min(12, Math.max(2, 1 - Math.floor(Math.log10(usd))));
  return `$${usd.toFixed(decimals)}`;
}

function ruleText(ranked: Ranked[]): string {
  const best = ranked[0];
  const tier = `quality_tier ${best.tier}${best.fromConfig ? ' (config)' : ''}`;
  const price = `${formatUsdShort(best.cost)} expected`;
  if (ranked.length === 1) return `${tier}, only capable model: ${price}`;
  const sameTier = ranked.filter((r) => r.tier === best.tier);
  if (sameTier.length === 1) return `${tier}, best available tier: ${price}`;
  if (sameTier[1].cost === best.cost) return `${tier}, then cheapest: ${price}, then id`;
  return `${tier}, then cheapest: ${price}`;
}

export function chooseAutoModel(input: AutoInput): AutoChoice {
  const { catalog, req, availableProviders, health } = input;
  const now = input.now ?? Date.now();
  const featuresFor = input.features ?? featureCache(req);
  const providers: ReadonlyMap<string, ProviderDef> = catalog.providers;
  const dropped: AutoDropped[] = [];
  const ranked: Ranked[] = [];
  // plans that failed only for the request's own size (400s), and whether any failed for another reason
  const tooBig: PlanFailure[] = [];
  // plans that failed because the model cannot read a part of the request (400s naming the part)
  const unreadable: PlanFailure[] = [];
  let fits = false;

  for (const m of catalog.models) {
    if (!isModelVisible(m, availableProviders)) {
      dropped.push({
        model: m.id,
        reason: 'provider_unavailable',
        detail: 'no endpoint on a provider enabled for this account',
      });
      continue;
    }
    if (isExpired(m, now)) {
      dropped.push({ model: m.id, reason: 'deprecated', detail: `expired on ${m.expiration_date}` });
      continue;
    }
    // embedding-only and image-only models cannot answer a chat
    if (!m.architecture.output_modalities.includes('text')) {
      dropped.push({
        model: m.id,
        reason: 'missing_capability:text_output',
        detail: `outputs ${m.architecture.output_modalities.join(', ')}`,
      });
      continue;
    }
    const features = featuresFor(m.architecture.tokenizer);
    const plan = planEndpoints({
      model: m,
      variant: null,
      features,
      prefs: req.provider,
      providers,
      availableProviders,
      health,
      random: input.random,
      now,
    });
    if (plan.failure !== null) {
      dropped.push({ model: m.id, reason: capabilityReason(plan, features), detail: plan.failure.message });
      if (plan.failure.status === 400 && plan.failure.failed_step === 'modality') unreadable.push(plan.failure);
      else if (plan.failure.status === 400) tooBig.push(plan.failure);
      else fits = true;
      continue;
    }
    const fromConfig = input.tiers?.[m.id] !== undefined;
    const cost = plan.ordered.reduce(
      (min, p) => (p.expectedCostPusd < min ? p.expectedCostPusd : min),
      plan.ordered[0].expectedCostPusd,
    );
    ranked.push({
      model: m,
      tier: fromConfig ? (input.tiers as Record<string, number>)[m.id] : m.quality_tier,
      fromConfig,
      cost,
      plan,
    });
  }

  ranked.sort(
    (a, b) => a.tier - b.tier || (a.cost < b.cost ? -1 : a.cost > b.cost ? 1 : 0) || (a.model.id < b.model.id ? -1 : 1),
  );

  if (ranked.length === 0) {
    const visible = dropped.filter((d) => d.reason !== 'provider_unavailable');
    if (visible.length === 0) {
      throw new RoutingError(404, 'model_not_found', 'No models are available for this account', 'model');
    }
    const counts = new Map<string, number>();
    for (const d of visible) counts.set(d.reason, (counts.get(d.reason) ?? 0) + 1);
    const summary = [...counts]
      .sort((a, b) => b[1] - a[1])
      .map(([r, n]) => `${n} ${r}`)
      .join(', ');
    if (unreadable.length > 0 && tooBig.length === 0 && !fits) {
      // no chat model reads some part: the first model's 400 names it
      const first = unreadable[0];
      throw new RoutingError(
        400,
        first.code,
        `No model can read this request with auto (${summary}); e.g. ${first.message}`,
        first.param ?? 'messages',
        { auto: { dropped: visible.slice(0, MAX_LISTED), dropped_total: visible.length } },
      );
    }
    if (tooBig.length > 0 && !fits) {
      // too big for every chat model: the client's 400, naming the model with the most room (oversize.ts)
      const best = tooBig.reduce((a, b) => ((b.limit ?? 0) > (a.limit ?? 0) ? b : a));
      throw new RoutingError(
        400,
        best.code,
        `No model can serve this request with auto (${summary}); the largest: ${best.message}`,
        best.param ?? 'model',
        {
          auto: { dropped: visible.slice(0, MAX_LISTED), dropped_total: visible.length },
        },
      );
    }
    throw new RoutingError(
      503,
      'no_model_available',
      `No model can serve this request with auto (${summary})`,
      'model',
      {
        auto: { dropped: visible.slice(0, MAX_LISTED), dropped_total: visible.length },
      },
    );
  }

  const n = Math.max(0, input.maxFallbacks ?? DEFAULT_AUTO_FALLBACKS);
  const picked = ranked.slice(0, 1 + n);
  // with the imported catalog (hundreds of models) most drops are models of providers the account lacks: the
  // MAX_LISTED listed first are the ones that say what the request needed
  const listed = dropped.filter((d) => d.reason !== 'provider_unavailable');
  if (listed.length < MAX_LISTED) {
    for (const d of dropped) if (d.reason === 'provider_unavailable' && listed.push(d) >= MAX_LISTED) break;
  }
  return {
    model: picked[0].model,
    fallbacks: picked.slice(1).map((r) => r.model),
    plans: picked.map((r) => r.plan),
    explanation: {
      rule: ruleText(ranked),
      chosen: picked[0].model.id,
      ranking: picked.map((r) => ({
        model: r.model.id,
        tier: r.tier,
        tier_source: r.fromConfig ? 'config' : 'catalog',
        expected_usd: formatUsdShort(r.cost),
      })),
      considered: catalog.models.length,
      capable: ranked.length,
      dropped: listed.slice(0, MAX_LISTED),
      dropped_total: dropped.length,
    },
  };
}
