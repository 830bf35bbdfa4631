// A small hand-made catalog for routing tests (the real catalog data changes independently).
import { Catalog } from '../../src/catalog/catalog.js';
import type { EndpointDef, ModelDef, Pricing, ProviderDef } from '../../src/catalog/types.js';
import type { ChatRequest } from '../../src/protocol/chat-request.js';

/** Deterministic PRNG (mulberry32) so weighted-random tests are reproducible. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** USD per million tokens → the catalog's USD-per-token decimal string. */
export function perM(usdPerMillion: number): string {
  if (usdPerMillion === 0) return '0';
  return (usdPerMillion / 1e6).toFixed(12).replace(/0+$/, '').replace(/\.$/, '');
}

export function pricing(promptPerM: number, completionPerM = promptPerM, extra: Partial<Pricing> = {}): Pricing {
  return {
    prompt: perM(promptPerM),
    completion: perM(completionPerM),
    request: '0',
    image: '0',
    web_search: '0',
    internal_reasoning: '0',
    input_cache_read: '0',
    input_cache_write: '0',
    ...extra,
  };
}

export function provider(id: string): ProviderDef {
  return {
    id,
    name: id.toUpperCase(),
    dialect: 'openai',
    base_url: `https://${id}.example/v1`,
    api_key_env: `${id.toUpperCase()}_KEY`,
  };
}

export function ep(providerId: string, promptPerM: number, over: Partial<EndpointDef> = {}): EndpointDef {
  return {
    provider: providerId,
    model: `${providerId}-model`,
    pricing: pricing(promptPerM),
    context_length: 131072,
    max_completion_tokens: 16384,
    quantization: null,
    is_moderated: false,
    ...over,
  };
}

export const FULL_PARAMS = [
  'tools',
  'tool_choice',
  'max_tokens',
  'temperature',
  'top_p',
  'stop',
  'seed',
  'response_format',
  'structured_outputs',
];

export function model(id: string, endpoints: EndpointDef[], over: Partial<ModelDef> = {}): ModelDef {
  return {
    id,
    canonical_slug: id,
    name: id,
    created: 1_700_000_000,
    description: '',
    context_length: 131072,
    architecture: {
      input_modalities: ['text'],
      output_modalities: ['text'],
      tokenizer: 'o200k_base',
      instruct_type: null,
    },
    supported_parameters: FULL_PARAMS,
    default_parameters: null,
    expiration_date: null,
    quality_tier: 3,
    reasoning: null,
    endpoints,
    ...over,
  };
}

export const PROVIDERS = ['alpha', 'beta', 'gamma', 'delta', 'hidden'];
export const AVAILABLE: ReadonlySet<string> = new Set(['alpha', 'beta', 'gamma', 'delta']);

export const REASONING_INFO = {
  supported_efforts: ['low', 'medium', 'high'],
  default_effort: 'medium',
  mandatory: false,
  supports_max_tokens: true,
};

/**
 * meta-llama/llama-3.3-70b-instruct: alpha $1/M, beta $2/M (no tools), gamma $3/M (small context, fp8),
 *   plus a free alpha endpoint.
 * acme/reasoner: reasoning on alpha, not on beta (beta lists its own parameters without reasoning).
 * acme/vision: image input. acme/secret: only on a hidden provider. acme/embed: embeddings only.
 */
export function testCatalog(extraModels: ModelDef[] = []): Catalog {
  const models: ModelDef[] = [
    model(
      'meta-llama/llama-3.3-70b-instruct',
      [
        ep('alpha', 1, { throughput_hint: 50, latency_hint_ms: 300 }),
        ep('beta', 2, {
          supported_parameters: ['max_tokens', 'temperature', 'top_p'],
          throughput_hint: 100,
          latency_hint_ms: 200,
          max_completion_tokens: 32768,
        }),
        ep('gamma', 3, {
          context_length: 32768,
          max_completion_tokens: 4096,
          quantization: 'fp8',
          throughput_hint: 200,
          latency_hint_ms: 900,
        }),
        ep('alpha', 0, { model: 'alpha-free', free: true, context_length: 8192, max_completion_tokens: 2048 }),
      ],
      { aliases: ['meta-llama/llama-3.3-70b'], canonical_slug: 'meta-llama/llama-3.3-70b-instruct-2024-12' },
    ),
    model('meta-llama/llama-3.1-8b-instruct', [ep('alpha', 0.1), ep('delta', 0.05)], { quality_tier: 4 }),
    model(
      'acme/reasoner',
      [ep('alpha', 5), ep('beta', 4, { supported_parameters: ['max_tokens', 'temperature', 'tools'] })],
      {
        reasoning: REASONING_INFO,
        supported_parameters: [...FULL_PARAMS, 'reasoning', 'include_reasoning'],
        quality_tier: 2,
      },
    ),
    model('acme/vision', [ep('alpha', 10)], {
      architecture: {
        input_modalities: ['text', 'image'],
        output_modalities: ['text'],
        tokenizer: 'o200k_base',
        instruct_type: null,
      },
      quality_tier: 1,
    }),
    model('acme/secret', [ep('hidden', 1)]),
    model('acme/embed', [ep('alpha', 0.02)], {
      architecture: {
        input_modalities: ['text'],
        output_modalities: ['embeddings'],
        tokenizer: 'o200k_base',
        instruct_type: null,
      },
      quality_tier: 1,
    }),
    ...extraModels,
  ];
  return new Catalog({ providers: PROVIDERS.map(provider), models });
}

export function chat(over: Partial<ChatRequest> = {}): ChatRequest {
  return { model: 'meta-llama/llama-3.3-70b-instruct', messages: [{ role: 'user', content: 'Hello there' }], ...over };
}

export const WEATHER_TOOL = {
  type: 'function' as const,
  function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } },
};

/** A user message of roughly n tokens (o200k: " word" is one token). */
export function longText(n: number): string {
  return 'word '.repeat(n);
}
