// Shapes of the built-in catalog (src/catalog/data/catalog.json) and of operator overrides in the config file.
// Prices are USD per token (or per request / per image / per search) as decimal strings, exactly as the
// Models API publishes them; arithmetic on them happens in src/accounting/money.ts, never on floats.

export type Dialect = 'openai' | 'anthropic' | 'gemini';
export type Modality = 'text' | 'image' | 'audio' | 'embeddings' | 'file';

export const PRICE_FIELDS = [
  'prompt',
  'completion',
  'request',
  'image',
  'web_search',
  'internal_reasoning',
  'input_cache_read',
  'input_cache_write',
] as const;
export type PriceField = (typeof PRICE_FIELDS)[number];
/**
 * Per-token prices of media tokens, OpenRouter's names: generated images (`image_output`) and audio
 * (`audio_output`; models.dev `output_audio`), and audio in the prompt (`audio`; models.dev `input_audio`).
 * Optional: absent or "0" means those tokens cost the completion (outputs) or prompt (audio input) price, which is
 * how the sources price most models (Gemini image models' `completion` is the image price).
 */
export const MEDIA_PRICE_FIELDS = ['image_output', 'audio_output', 'audio'] as const;
export type MediaPriceField = (typeof MEDIA_PRICE_FIELDS)[number];
export type Pricing = Record<PriceField, string> & Partial<Record<MediaPriceField, string>>;

export interface ProviderDef {
  /** slug used in `provider.order/only/ignore`, e.g. "openai", "together" */
  id: string;
  /** display name, e.g. "Together AI" */
  name: string;
  dialect: Dialect;
  /** OpenAI: ".../v1"; Anthropic: origin (the dialect appends /v1/messages); Gemini: ".../v1beta" */
  base_url: string;
  /** name of the environment variable holding the API key; the provider is "not configured" without it */
  api_key_env: string;
  /** a file holding the API key (config `api_key_file`; its contents reach the registry through Config) */
  api_key_file?: string;
  /** extra headers sent on every upstream request */
  headers?: Record<string, string>;
  /** a provider that needs no key (local Ollama / vLLM) */
  no_key?: boolean;
  /**
   * the provider also serves OpenAI's Responses API at `{base_url}/responses` (OpenAI itself): requests that came in
   * on /v1/responses reach it there, as the client sent them (src/providers/openai-responses/); every other request
   * uses `dialect`. Most OpenAI-compatible hosts serve Chat Completions only.
   */
  responses_api?: boolean;
}

export interface EndpointDef {
  /** ProviderDef.id */
  provider: string;
  /** model name on the provider's own API */
  model: string;
  pricing: Pricing;
  context_length: number;
  max_completion_tokens: number;
  /** int4 int8 fp4 fp8 fp16 bf16 fp32 unknown, or null when the provider does not say */
  quantization: string | null;
  is_moderated: boolean;
  /** parameters this endpoint honours; absent = the model's list */
  supported_parameters?: string[];
  /** a free-tier endpoint: only used through the `:free` variant */
  free?: boolean;
  /** catalog hint for output tokens/s until live stats exist */
  throughput_hint?: number;
  /** catalog hint for time to first token (ms) until live stats exist */
  latency_hint_ms?: number;
  /**
   * found by the runtime catalog sync with no known price: listed to admin/operator keys only and refused with
   * 400 `model_unpriced` until the operator prices it in config (never served at a silent $0)
   */
  unpriced?: boolean;
  /** where this endpoint's price came from (importer bookkeeping; not published by the Models API) */
  source?: PriceSource;
}

export interface PriceSource {
  /** file of the source database, e.g. "providers/openai/models/gpt-5.4.toml", or the curated overrides file */
  file: string;
  /** the database snapshot, e.g. "f3fc692 2026-07-02" */
  snapshot: string;
}

export interface ReasoningInfo {
  supported_efforts: string[];
  default_effort: string | null;
  /** reasoning cannot be turned off (o-series, DeepSeek R1) */
  mandatory: boolean;
  supports_max_tokens: boolean;
  /** the thinking budget range the model accepts (Gemini 2.5 Pro 128..32768, Flash 0..24576); absent = unknown */
  min_budget?: number;
  max_budget?: number;
}

export interface ModelDef {
  id: string;
  canonical_slug: string;
  /** former ids that still resolve to this model */
  aliases?: string[];
  name: string;
  created: number;
  description: string;
  context_length: number;
  architecture: {
    input_modalities: Modality[];
    output_modalities: Modality[];
    tokenizer: string;
    instruct_type: string | null;
  };
  supported_parameters: string[];
  default_parameters: Record<string, unknown> | null;
  expiration_date: string | null;
  /** 1 (best) .. 5: the auto router's first ranking key; tunable in config */
  quality_tier: number;
  reasoning?: ReasoningInfo | null;
  endpoints: EndpointDef[];
}

export interface CatalogData {
  providers: ProviderDef[];
  models: ModelDef[];
}

/** live latency / throughput percentiles of an endpoint (the Models API's endpoint stats) */
export interface Percentiles {
  p50: number;
  p75: number;
  p90: number;
  p99: number;
}
