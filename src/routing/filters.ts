// Hard filters: can this endpoint serve this request at all? Each returns the first reason it cannot,
// in funnel order (account → client preferences → variant → capability → price). The order matters:
// when every endpoint is removed, the error names the step where the LAST ones fell, which is the most
// specific thing to tell the client ("no endpoint supports tool use" beats "one provider is not enabled").
import { parsePricing, type ParsedPricing } from '../accounting/cost.js';
import { parseUsd, PUSD_PER_USD } from '../accounting/money.js';
import type { EndpointDef, Modality, ModelDef, ProviderDef } from '../catalog/types.js';
import type { ProviderPrefs } from '../protocol/chat-request.js';
import { DIALECT_INPUTS } from '../providers/input-modalities.js';
import { RoutingError } from './errors.js';
import type { RequestFeatures } from './features.js';
import type { Variant } from './resolve.js';

export type DropReason =
  | 'provider_unavailable'
  | 'provider_ignored'
  | 'provider_not_in_only'
  | 'free_only'
  | 'paid_only'
  | 'quantization'
  | 'context_length'
  | 'max_tokens'
  | 'modality'
  | 'output_modality'
  | 'tools'
  | 'response_format'
  | 'reasoning'
  | 'require_parameters'
  | 'max_price'
  | 'circuit_open'
  | 'not_in_order'
  | 'fallbacks_disabled';

/** Funnel order; also the order of `routing_funnel` steps in errors. */
export const FILTER_ORDER: readonly DropReason[] = [
  'provider_unavailable',
  'provider_ignored',
  'provider_not_in_only',
  'free_only',
  'paid_only',
  'quantization',
  'modality',
  'output_modality',
  'context_length',
  'max_tokens',
  'tools',
  'response_format',
  'reasoning',
  'require_parameters',
  'max_price',
  'circuit_open',
  'not_in_order',
  'fallbacks_disabled',
];

export interface Rejection {
  reason: DropReason;
  detail: string;
}

/** Endpoint as identified in health stats: "<provider>:<model id>", ":free" appended for a free endpoint
 * (a provider often hosts a paid and a free endpoint of the same model with very different health). */
export function endpointKey(model: ModelDef, e: EndpointDef): string {
  return `${e.provider}:${model.id}${e.free === true ? ':free' : ''}`;
}

export function endpointParams(model: ModelDef, e: EndpointDef): readonly string[] {
  return e.supported_parameters ?? model.supported_parameters;
}

// Parameters that another catalog entry implies: a strict-schema endpoint also does JSON mode, the two
// reasoning spellings are the same switch, and max_completion_tokens is max_tokens under a new name.
const IMPLIED_BY: Record<string, string[]> = {
  response_format: ['structured_outputs'],
  reasoning: ['include_reasoning'],
  include_reasoning: ['reasoning'],
  max_completion_tokens: ['max_tokens'],
};

export function supportsParam(model: ModelDef, e: EndpointDef, param: string): boolean {
  const params = endpointParams(model, e);
  if (params.includes(param)) return true;
  if ((IMPLIED_BY[param] ?? []).some((p) => params.includes(p))) return true;
  // a model-level reasoning description covers endpoints that do not publish their own parameter list
  if ((param === 'reasoning' || param === 'include_reasoning') && e.supported_parameters === undefined) {
    return model.reasoning != null;
  }
  return false;
}

export function supportsReasoning(model: ModelDef, e: EndpointDef): boolean {
  return supportsParam(model, e, 'reasoning');
}

/** Parsed `provider.max_price`, in pUSD per million tokens (prompt/completion) and per unit (request/image). */
export interface PriceCaps {
  prompt: bigint | null;
  completion: bigint | null;
  request: bigint | null;
  image: bigint | null;
}

function capValue(v: number | string | undefined, field: string): bigint | null {
  if (v === undefined) return null;
  try {
    // numbers go through toFixed so 1e-7 style floats never reach the exact-decimal parser
    const text = typeof v === 'number' ? v.toFixed(12) : v.trim();
    return parseUsd(text);
  } catch {
    throw new RoutingError(
      400,
      'invalid_max_price',
      `provider.max_price.${field} must be a non-negative USD amount`,
      `provider.max_price.${field}`,
    );
  }
}

/**
 * `max_price` follows OpenRouter: prompt and completion are USD per MILLION tokens (`{prompt: 1}` allows
 * endpoints charging up to $1/M input tokens, i.e. "0.000001" per token); request and image are USD per
 * request / per image.
 */
export function parsePriceCaps(prefs: ProviderPrefs | undefined): PriceCaps | null {
  const mp = prefs?.max_price;
  if (mp === undefined) return null;
  return {
    prompt: capValue(mp.prompt, 'prompt'),
    completion: capValue(mp.completion, 'completion'),
    request: capValue(mp.request, 'request'),
    image: capValue(mp.image, 'image'),
  };
}

const fmtPerM = (perTokenPusd: bigint): string => `$${Number(perTokenPusd * 1_000_000n) / Number(PUSD_PER_USD)}/M`;

function priceRejection(p: ParsedPricing, caps: PriceCaps): string | null {
  const perM = (x: bigint) => x * 1_000_000n;
  if (caps.prompt !== null && perM(p.prompt) > caps.prompt) {
    return `prompt price ${fmtPerM(p.prompt)} > max_price.prompt $${Number(caps.prompt) / 1e12}/M`;
  }
  if (caps.completion !== null && perM(p.completion) > caps.completion) {
    return `completion price ${fmtPerM(p.completion)} > max_price.completion $${Number(caps.completion) / 1e12}/M`;
  }
  if (caps.request !== null && p.request > caps.request) {
    return `request price $${Number(p.request) / 1e12} > max_price.request $${Number(caps.request) / 1e12}`;
  }
  if (caps.image !== null && p.image > caps.image) {
    return `image price $${Number(p.image) / 1e12} > max_price.image $${Number(caps.image) / 1e12}`;
  }
  return null;
}

// Parsing is memoised per pricing object: the catalog is immutable for the life of a request.
const parsed = new WeakMap<object, ParsedPricing>();
export function pricingOf(e: EndpointDef): ParsedPricing {
  let p = parsed.get(e.pricing);
  if (p === undefined) {
    p = parsePricing(e.pricing);
    parsed.set(e.pricing, p);
  }
  return p;
}

export function providerMatches(
  list: readonly string[] | undefined,
  provider: ProviderDef | undefined,
  id: string,
): boolean {
  if (list === undefined) return false;
  const names = [id.toLowerCase(), provider?.name.toLowerCase()];
  // "deepinfra/turbo"-style sub-slugs name the provider before the slash
  return list.some((s) => names.includes(s.toLowerCase().split('/')[0]) || names.includes(s.toLowerCase()));
}

export interface FilterContext {
  model: ModelDef;
  variant: Variant | null;
  features: RequestFeatures;
  prefs: ProviderPrefs | undefined;
  caps: PriceCaps | null;
  providers: ReadonlyMap<string, ProviderDef>;
  availableProviders: ReadonlySet<string>;
}

/** The model reads `modality` and the provider's wire format can carry it. */
export function acceptsInput(model: ModelDef, provider: ProviderDef | undefined, modality: Modality): boolean {
  if (!model.architecture.input_modalities.includes(modality)) return false;
  return provider === undefined || DIALECT_INPUTS[provider.dialect].includes(modality);
}

/** First hard filter that rejects `e`, or null. Circuit state is checked by the planner, not here. */
export function rejectEndpoint(ctx: FilterContext, e: EndpointDef): Rejection | null {
  const { model, features: f, prefs } = ctx;
  const provider = ctx.providers.get(e.provider);
  const pname = provider?.name ?? e.provider;
  if (!ctx.availableProviders.has(e.provider)) {
    return { reason: 'provider_unavailable', detail: `provider ${e.provider} is not enabled for this account` };
  }
  if (e.unpriced === true) {
    return {
      reason: 'provider_unavailable',
      detail: `${pname} serves ${e.model} but it has no price yet (price it in the config's models)`,
    };
  }
  if (providerMatches(prefs?.ignore, provider, e.provider)) {
    return { reason: 'provider_ignored', detail: `${pname} is in provider.ignore` };
  }
  if (prefs?.only !== undefined && !providerMatches(prefs.only, provider, e.provider)) {
    return { reason: 'provider_not_in_only', detail: `${pname} is not in provider.only` };
  }
  const free = e.free === true;
  if (ctx.variant === 'free' && !free) return { reason: 'free_only', detail: ':free uses free endpoints only' };
  if (ctx.variant !== 'free' && free)
    return { reason: 'paid_only', detail: 'free endpoints are used only through :free' };
  if (prefs?.quantizations !== undefined) {
    const q = e.quantization ?? 'unknown';
    if (!prefs.quantizations.map((x) => x.toLowerCase()).includes(q.toLowerCase())) {
      return { reason: 'quantization', detail: `quantization ${q} is not in provider.quantizations` };
    }
  }
  if (f.inputParts.length > 0) {
    const part = f.inputParts.find((p) => !acceptsInput(model, provider, p.modality));
    if (part !== undefined) {
      const byModel = model.architecture.input_modalities.includes(part.modality);
      return {
        reason: 'modality',
        detail: byModel
          ? `${pname} (${provider?.dialect ?? 'unknown'} API) cannot carry ${part.type} (${part.param})`
          : `model does not accept ${part.modality} input (${part.type} at ${part.param})`,
      };
    }
  }
  const cannot = f.outputModalities.filter((m) => !model.architecture.output_modalities.includes(m));
  if (cannot.length > 0) {
    return { reason: 'output_modality', detail: `model does not output ${cannot.join(', ')}` };
  }
  // With no max_tokens the reply needs room for at least one token.
  if (!f.prompt.fits(f.maxOutputTokens ?? 1, e.context_length)) {
    const what =
      f.maxOutputTokens === null
        ? `${f.promptTokens} prompt tokens`
        : `${f.promptTokens} prompt tokens + ${f.maxOutputTokens} max tokens`;
    return { reason: 'context_length', detail: `context length ${e.context_length} < ${what}` };
  }
  if (f.maxOutputTokens !== null && f.maxOutputTokens > e.max_completion_tokens) {
    return {
      reason: 'max_tokens',
      detail: `max tokens ${f.maxOutputTokens} > endpoint max ${e.max_completion_tokens}`,
    };
  }
  if (f.tools && !supportsParam(model, e, 'tools'))
    return { reason: 'tools', detail: 'endpoint does not support tool use' };
  if (f.responseFormat !== null) {
    const need = f.responseFormat === 'json_schema' ? 'structured_outputs' : 'response_format';
    if (!supportsParam(model, e, need)) {
      return { reason: 'response_format', detail: `endpoint does not support response_format ${f.responseFormat}` };
    }
  }
  if (f.reasoning && !supportsReasoning(model, e))
    return { reason: 'reasoning', detail: 'endpoint does not support reasoning' };
  if (prefs?.require_parameters === true) {
    const unsupported = f.parameters.filter((p) => !supportsParam(model, e, p));
    if (unsupported.length > 0) {
      return { reason: 'require_parameters', detail: `endpoint does not support ${unsupported.join(', ')}` };
    }
  }
  if (ctx.caps !== null) {
    const why = priceRejection(pricingOf(e), ctx.caps);
    if (why !== null) return { reason: 'max_price', detail: why };
  }
  return null;
}

/** Human sentence for "every endpoint fell at this step", used in 503 messages. */
export function failureSentence(reason: DropReason, modelId: string, example: string): string {
  switch (reason) {
    case 'tools':
      return `No endpoints of ${modelId} support tool use`;
    case 'response_format':
      return `No endpoints of ${modelId} support the requested response_format (${example})`;
    case 'reasoning':
      return `No endpoints of ${modelId} support reasoning`;
    case 'modality':
      return `No endpoints of ${modelId} accept this input (${example})`;
    case 'output_modality':
      return `No endpoints of ${modelId} support the requested output modalities (${example})`;
    case 'context_length':
      return `No endpoints of ${modelId} fit the request: ${example}`;
    case 'max_tokens':
      return `No endpoints of ${modelId} allow that many output tokens: ${example}`;
    case 'require_parameters':
      return `No endpoints of ${modelId} support every parameter of the request (provider.require_parameters): ${example}`;
    case 'max_price':
      return `No endpoints of ${modelId} are within provider.max_price: ${example}`;
    case 'provider_ignored':
      return `Every provider of ${modelId} is in provider.ignore`;
    case 'provider_not_in_only':
      return `No provider of ${modelId} is in provider.only`;
    case 'quantization':
      return `No endpoints of ${modelId} match provider.quantizations: ${example}`;
    case 'not_in_order':
      return `No endpoints of ${modelId} found for the request with manual order and allow_fallbacks false`;
    default:
      return `No endpoints of ${modelId} are available: ${example}`;
  }
}
