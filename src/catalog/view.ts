// The public Models API shapes (../shared/spec/models-api.md): field order and presence exactly as the
// contract's example. Model objects are serialised once per catalog and reused for every list request.
import { isExpired, isUnpriced, primaryEndpoint } from './catalog.js';
import type { EndpointDef, ModelDef, Percentiles, Pricing, ProviderDef } from './types.js';
import { MEDIA_PRICE_FIELDS, PRICE_FIELDS } from './types.js';

export const OUTPUT_MODALITIES = ['text', 'image', 'audio', 'embeddings'] as const;

function pricingOf(p: Pricing): Pricing {
  const out = {} as Pricing;
  for (const f of PRICE_FIELDS) out[f] = p[f];
  // OpenRouter's extra price fields, published only where the model has such a price
  for (const f of MEDIA_PRICE_FIELDS) if (p[f] !== undefined && p[f] !== '0') out[f] = p[f];
  return out;
}

/** OpenRouter's one-string summary of the modalities, e.g. `text+image->text` */
function modality(m: ModelDef): string {
  return `${m.architecture.input_modalities.join('+')}->${m.architecture.output_modalities.join('+')}`;
}

export function publicArchitecture(m: ModelDef) {
  return {
    modality: modality(m),
    input_modalities: m.architecture.input_modalities,
    output_modalities: m.architecture.output_modalities,
    tokenizer: m.architecture.tokenizer,
    instruct_type: m.architecture.instruct_type ?? null,
  };
}

// `links`, `supported_voices` and `architecture.modality` are required by OpenRouter's SDK (its Model schema):
// without them every list and detail answer failed its validation.
export function publicModel(m: ModelDef) {
  const top = primaryEndpoint(m);
  return {
    id: m.id,
    canonical_slug: m.canonical_slug,
    name: m.name,
    created: m.created,
    description: m.description,
    context_length: m.context_length,
    architecture: publicArchitecture(m),
    pricing: pricingOf(top.pricing),
    top_provider: {
      context_length: top.context_length,
      max_completion_tokens: top.max_completion_tokens,
      is_moderated: top.is_moderated,
    },
    supported_parameters: m.supported_parameters,
    per_request_limits: null,
    default_parameters: m.default_parameters ?? null,
    expiration_date: m.expiration_date ?? null,
    supported_voices: null,
    links: { details: `/v1/models/${m.id}/endpoints` },
    // only admin/operator keys are shown such a model (filterModels): the marker says why it is refused
    ...(isUnpriced(m) ? { unpriced: true } : {}),
  };
}

export interface EndpointLiveStats {
  status: number;
  uptime_last_5m: number | null;
  uptime_last_30m: number | null;
  uptime_last_1d: number | null;
  latency_last_30m: Percentiles | null;
  throughput_last_30m: Percentiles | null;
  circuit: 'closed' | 'open' | 'half_open';
}

export function publicEndpoint(m: ModelDef, e: EndpointDef, p: ProviderDef, stats: EndpointLiveStats) {
  const params = e.supported_parameters ?? m.supported_parameters;
  const toolChoice = params.includes('tool_choice');
  return {
    // model names carry their author ("OpenAI: GPT-5"): the endpoint is "Azure: GPT-5", not "Azure: OpenAI: GPT-5"
    name: `${p.name}: ${m.name.replace(/^[^:]*: /, '')}`,
    model_id: m.id,
    model_name: m.name,
    provider_name: p.name,
    tag: e.free ? `${p.id}/free` : p.id,
    provider_model: e.model,
    context_length: e.context_length,
    max_completion_tokens: e.max_completion_tokens,
    max_prompt_tokens: e.context_length,
    quantization: e.quantization ?? null,
    is_moderated: e.is_moderated,
    is_free: e.free === true,
    pricing: pricingOf(e.pricing),
    supported_parameters: params,
    // providers that cache repeated prompt prefixes by themselves; Anthropic caches only at cache_control marks
    supports_implicit_caching: p.dialect !== 'anthropic' && Number(e.pricing.input_cache_read) > 0,
    supports_tool_choice: { auto: toolChoice, none: toolChoice, required: toolChoice, function: toolChoice },
    ...(e.unpriced ? { unpriced: true } : {}),
    ...stats,
  };
}

/** Parses the `output_modalities` query value; returns null for `all`, throws a message for unknown values. */
export function parseModalities(raw: string | null): Set<string> | null {
  if (raw === null || raw.trim() === '') return new Set(['text']);
  const parts = raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (parts.length === 0) return new Set(['text']);
  if (parts.includes('all')) {
    if (parts.length > 1) throw new Error('"all" cannot be combined with other modalities');
    return null;
  }
  const bad = parts.filter((p) => !(OUTPUT_MODALITIES as readonly string[]).includes(p));
  if (bad.length) {
    throw new Error(
      `unknown output modality ${bad.map((b) => `"${b}"`).join(', ')}; expected a comma list of ${OUTPUT_MODALITIES.join(', ')} or "all"`,
    );
  }
  return new Set(parts);
}

export function parseParams(raw: string | null): string[] {
  if (!raw) return [];
  return raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/**
 * A model is visible when at least one of its endpoints is on an available provider and priced; with
 * `withUnpriced` (admin and operator keys) unpriced endpoints count too, so the operator sees what to price.
 */
export function isVisible(m: ModelDef, available: Set<string>, withUnpriced = false): boolean {
  return m.endpoints.some((e) => available.has(e.provider) && (withUnpriced || e.unpriced !== true));
}

export function filterModels(
  models: ModelDef[],
  available: Set<string>,
  modalities: Set<string> | null,
  params: string[],
  now: number = Date.now(),
  withUnpriced = false,
): ModelDef[] {
  return models.filter(
    (m) =>
      isVisible(m, available, withUnpriced) &&
      !isExpired(m, now) &&
      (modalities === null || m.architecture.output_modalities.some((o) => modalities.has(o))) &&
      params.every((p) => m.supported_parameters.includes(p)),
  );
}
