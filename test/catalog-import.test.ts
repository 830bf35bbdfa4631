// The models.dev importer (src/catalog/modelsdev/, run by `npm run catalog:build`): a few fixture TOML files
// in the snapshot's layout (test/fixtures/catalog/models.dev) → exact model objects.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { parse } from 'smol-toml';
import { Catalog } from '../src/catalog/catalog.js';
import { importModelsDev } from '../src/catalog/modelsdev/build.js';
import { applyCurated } from '../src/catalog/modelsdev/curated.js';
import { canonicalId } from '../src/catalog/modelsdev/build.js';
import { perMillionToPerToken } from '../src/catalog/modelsdev/price.js';
import { readModelsDev, readSnapshot } from '../src/catalog/modelsdev/read.js';
import { publicEndpoint, publicModel } from '../src/catalog/view.js';
import type { ModelDef, Pricing, ProviderDef } from '../src/catalog/types.js';

const ROOT = fileURLToPath(new URL('./fixtures/catalog/models.dev', import.meta.url));
const PROVIDERS: ProviderDef[] = [
  'openai',
  'anthropic',
  'xai',
  'groq',
  'together',
  'fireworks',
  'deepinfra',
  'openrouter',
].map((id) => ({ id, name: id, dialect: 'openai', base_url: 'https://x.test/v1', api_key_env: 'X_KEY' }));

function build() {
  const snap = readSnapshot(ROOT);
  const entries = readModelsDev(ROOT, parse as (t: string) => Record<string, unknown>);
  return importModelsDev(entries, { snapshot: snap.label, snapshotDate: snap.date, providers: PROVIDERS });
}

const ZERO: Pricing = {
  prompt: '0',
  completion: '0',
  request: '0',
  image: '0',
  web_search: '0',
  internal_reasoning: '0',
  input_cache_read: '0',
  input_cache_write: '0',
};
const price = (p: Partial<Pricing>): Pricing => ({ ...ZERO, ...p });
const src = (file: string) => ({ file, snapshot: '0123456 2026-07-02' });
const model = (id: string): ModelDef => {
  const m = build().data.models.find((x) => x.id === id);
  assert.ok(m, `no ${id}`);
  return m;
};

test('prices: USD per million → USD per token, exact decimal shifts (no float arithmetic)', () => {
  assert.equal(perMillionToPerToken(2.5), '0.0000025');
  assert.equal(perMillionToPerToken(0.075), '0.000000075');
  assert.equal(perMillionToPerToken(0.0028), '0.0000000028');
  assert.equal(perMillionToPerToken(15), '0.000015');
  assert.equal(perMillionToPerToken(1_000), '0.001');
  assert.equal(perMillionToPerToken(0), '0');
  assert.equal(perMillionToPerToken('0.000001'), '0.000000000001');
  // float products would give 7.500000000000001e-8 or 2.8000000000000003e-9
  assert.notEqual(String(0.075 / 1e6), perMillionToPerToken(0.075));
  // a float artefact is not an exact literal; more than 12 decimals per token is refused, not rounded
  assert.throws(() => perMillionToPerToken(0.1 + 0.2), /significant digits/);
  assert.throws(() => perMillionToPerToken(1e-7), /more than 12 decimals/);
});

test('one model, one endpoint per provider: groq, together, fireworks and deepinfra (a symlink) merge', () => {
  const m = model('openai/gpt-oss-120b');
  const shared = { context_length: 131072, quantization: null, is_moderated: false };
  assert.deepEqual(m, {
    id: 'openai/gpt-oss-120b',
    canonical_slug: 'openai/gpt-oss-120b',
    name: 'OpenAI: GPT OSS 120B',
    created: 1754352000, // 2025-08-05 from the provider-agnostic models/openai/gpt-oss-120b.toml
    description:
      "GPT OSS 120B: OpenAI's open-weight reasoning model of August 2025, with a 131K-token context and tool calling; served here by 4 providers.",
    context_length: 131072,
    architecture: {
      input_modalities: ['text'],
      output_modalities: ['text'],
      tokenizer: 'o200k_base',
      instruct_type: null,
    },
    supported_parameters: [
      'tools',
      'tool_choice',
      'max_tokens',
      'temperature',
      'top_p',
      'top_k',
      'reasoning',
      'include_reasoning',
      'structured_outputs',
      'response_format',
      'stop',
      'frequency_penalty',
      'presence_penalty',
      'seed',
      'logprobs',
      'top_logprobs',
    ],
    default_parameters: null,
    expiration_date: null,
    quality_tier: 4,
    reasoning: {
      supported_efforts: ['low', 'medium', 'high'],
      default_effort: 'medium',
      mandatory: true,
      supports_max_tokens: false,
    },
    endpoints: [
      {
        provider: 'groq',
        model: 'openai/gpt-oss-120b',
        ...shared,
        max_completion_tokens: 65536,
        pricing: price({ prompt: '0.00000015', completion: '0.0000006', input_cache_read: '0.000000075' }),
        // structured_output comes from the base the groq file names; groq takes no top_k/logprobs
        supported_parameters: [
          'tools',
          'tool_choice',
          'max_tokens',
          'temperature',
          'top_p',
          'reasoning',
          'include_reasoning',
          'structured_outputs',
          'response_format',
          'stop',
          'frequency_penalty',
          'presence_penalty',
          'seed',
        ],
        source: src('providers/groq/models/openai/gpt-oss-120b.toml'),
      },
      {
        provider: 'together',
        model: 'openai/gpt-oss-120b',
        ...shared,
        max_completion_tokens: 131072,
        pricing: price({ prompt: '0.00000015', completion: '0.0000006' }),
        supported_parameters: [
          'tools',
          'tool_choice',
          'max_tokens',
          'temperature',
          'top_p',
          'top_k',
          'reasoning',
          'include_reasoning',
          'stop',
          'frequency_penalty',
          'presence_penalty',
          'seed',
          'logprobs',
          'top_logprobs',
        ],
        source: src('providers/togetherai/models/openai/gpt-oss-120b.toml'),
      },
      {
        provider: 'fireworks',
        model: 'accounts/fireworks/models/gpt-oss-120b',
        ...shared,
        max_completion_tokens: 131072,
        pricing: price({ prompt: '0.0000000028', completion: '0.001' }),
        // (the model's own list: an endpoint that honours every parameter does not repeat it)
        source: src('providers/fireworks-ai/models/accounts/fireworks/models/gpt-oss-120b.toml'),
      },
      {
        provider: 'deepinfra',
        model: 'openai/gpt-oss-120b',
        ...shared,
        max_completion_tokens: 131072,
        pricing: price({ prompt: '0.00000015', completion: '0.0000006' }),
        supported_parameters: [
          'tools',
          'tool_choice',
          'max_tokens',
          'temperature',
          'top_p',
          'top_k',
          'reasoning',
          'include_reasoning',
          'stop',
          'frequency_penalty',
          'presence_penalty',
          'seed',
          'logprobs',
          'top_logprobs',
        ],
        source: src('providers/deepinfra/models/openai/gpt-oss-120b.toml'),
      },
    ],
  });
});

test('first-party models: modalities (pdf → file, video dropped), flags → parameters, embeddings', () => {
  const gpt41 = model('openai/gpt-4.1');
  assert.deepEqual(gpt41.architecture, {
    input_modalities: ['text', 'image', 'file'],
    output_modalities: ['text'],
    tokenizer: 'o200k_base',
    instruct_type: null,
  });
  assert.deepEqual(gpt41.supported_parameters, [
    'tools',
    'tool_choice',
    'parallel_tool_calls',
    'max_tokens',
    'temperature',
    'top_p',
    'structured_outputs',
    'response_format',
    'stop',
    'frequency_penalty',
    'presence_penalty',
    'seed',
    'logprobs',
    'top_logprobs',
    'logit_bias',
  ]);
  assert.deepEqual(gpt41.endpoints, [
    {
      provider: 'openai',
      model: 'gpt-4.1',
      context_length: 1047576,
      max_completion_tokens: 32768,
      quantization: null,
      is_moderated: true,
      pricing: price({ prompt: '0.000002', completion: '0.000008', input_cache_read: '0.0000005' }),
      source: src('providers/openai/models/gpt-4.1.toml'),
    },
  ]);
  assert.equal(gpt41.quality_tier, 2);

  assert.deepEqual(model('openai/text-embedding-3-small'), {
    id: 'openai/text-embedding-3-small',
    canonical_slug: 'openai/text-embedding-3-small',
    name: 'OpenAI: text-embedding-3-small',
    created: 1706140800,
    description:
      "text-embedding-3-small: OpenAI's text embedding model of January 2024, with a 8K-token context; served here by one provider.",
    context_length: 8191,
    architecture: {
      input_modalities: ['text'],
      output_modalities: ['embeddings'],
      tokenizer: 'cl100k_base',
      instruct_type: null,
    },
    supported_parameters: ['dimensions'],
    default_parameters: null,
    expiration_date: null,
    quality_tier: 3,
    reasoning: null,
    endpoints: [
      {
        provider: 'openai',
        model: 'text-embedding-3-small',
        context_length: 8191,
        max_completion_tokens: 0,
        quantization: null,
        is_moderated: true,
        pricing: price({ prompt: '0.00000002' }),
        source: src('providers/openai/models/text-embedding-3-small.toml'),
      },
    ],
  });
});

test('Anthropic: dated file → OpenRouter-style id, budget reasoning is optional, deprecated-only expires after the grace', () => {
  const s = model('anthropic/claude-sonnet-4.5');
  assert.equal(s.endpoints[0].model, 'claude-sonnet-4-5-20250929');
  assert.deepEqual(s.reasoning, {
    supported_efforts: [],
    default_effort: null,
    mandatory: false,
    supports_max_tokens: true,
    min_budget: 1024,
  });
  assert.deepEqual(
    s.endpoints[0].pricing,
    price({
      prompt: '0.000003',
      completion: '0.000015',
      input_cache_read: '0.0000003',
      input_cache_write: '0.00000375',
    }),
  );
  const opus = model('anthropic/claude-3-opus');
  assert.equal(opus.expiration_date, '2027-01-01'); // status = "deprecated", snapshot 2026-07-02 + 183 days
  assert.equal(s.expiration_date, null);
});

test('skipped, with the reason: image-only output, unpriced entries, OpenRouter routers, unlisted providers', () => {
  const { data, skipped } = build();
  assert.deepEqual(skipped, [
    { entry: 'openai:gpt-image-1', reason: 'generates image only (no chat text output)' },
    { entry: 'xai:grok-4.3', reason: 'no price in the source' },
    { entry: 'openrouter:openrouter/auto', reason: 'a router or variant listing, not a model' },
    // OpenRouter fills the gaps: a model a direct provider serves gets no OpenRouter endpoint
    {
      entry: 'openrouter:openai/gpt-oss-120b:free',
      reason: 'served by a direct provider (OpenRouter fills gaps only)',
    },
  ]);
  // cohere is not one of our providers: its files are never read
  assert.ok(!data.models.some((m) => m.id.startsWith('cohere/')));
  assert.deepEqual(
    data.models.map((m) => m.id),
    [
      'anthropic/claude-3-opus',
      'anthropic/claude-sonnet-4.5',
      'nvidia/nemotron-nano-9b-v2',
      'openai/gpt-4.1',
      'openai/gpt-oss-120b',
      'openai/text-embedding-3-small',
    ],
  );
  // a model only OpenRouter serves: its paid listing and its `:free` listing, one model with two endpoints
  const nano = data.models.find((m) => m.id === 'nvidia/nemotron-nano-9b-v2')!;
  assert.deepEqual(
    nano.endpoints.map((e) => [e.provider, e.model, e.free === true, e.pricing.prompt]),
    [
      ['openrouter', 'nvidia/nemotron-nano-9b-v2', false, '0.00000004'],
      ['openrouter', 'nvidia/nemotron-nano-9b-v2:free', true, '0'],
    ],
  );
});

test('canonical ids: base_model joins OpenRouter ids, spelling rules, explicit pins win', () => {
  const byBase = new Map([['meta/llama-3.3-70b-instruct', 'meta-llama/llama-3.3-70b-instruct']]);
  const e = (provider: string, key: string, base: string | null = null) => ({
    provider,
    key,
    file: '',
    priceFile: '',
    data: {},
    base,
  });
  assert.equal(
    canonicalId(e('deepinfra', 'x/y', 'meta/llama-3.3-70b-instruct'), byBase),
    'meta-llama/llama-3.3-70b-instruct',
  );
  assert.equal(canonicalId(e('fireworks-ai', 'accounts/fireworks/models/kimi-k2p6'), byBase), 'moonshotai/kimi-k2.6');
  assert.equal(canonicalId(e('fireworks-ai', 'accounts/fireworks/routers/kimi-k2p6-fast'), byBase), null);
  assert.equal(canonicalId(e('togetherai', 'zai-org/GLM-5.1'), byBase), 'z-ai/glm-5.1');
  assert.equal(
    canonicalId(e('togetherai', 'meta-llama/Llama-3.3-70B-Instruct-Turbo'), byBase),
    'meta-llama/llama-3.3-70b-instruct',
  );
  assert.equal(canonicalId(e('anthropic', 'claude-opus-4-0'), byBase), 'anthropic/claude-opus-4');
  assert.equal(canonicalId(e('anthropic', 'claude-3-5-sonnet-20241022'), byBase), 'anthropic/claude-3.5-sonnet');
  assert.equal(canonicalId(e('mistral', 'codestral-latest'), byBase), 'mistralai/codestral');
  assert.equal(canonicalId(e('alibaba', 'qwen2-5-72b-instruct'), byBase), 'qwen/qwen-2.5-72b-instruct');
  assert.equal(canonicalId(e('cerebras', 'zai-glm-4.7'), byBase), 'z-ai/glm-4.7');
  assert.equal(canonicalId(e('openrouter', 'openai/gpt-oss-120b:free'), byBase), 'openai/gpt-oss-120b');
  assert.equal(canonicalId(e('openrouter', 'qwen/qwen-plus:thinking'), byBase), null);
  assert.equal(
    canonicalId(e('groq', 'llama-3.3-70b-versatile'), byBase, {
      'groq:llama-3.3-70b-versatile': 'meta-llama/llama-3.3-70b-instruct',
    }),
    'meta-llama/llama-3.3-70b-instruct',
  );
});

test('curated facts: aliases resolve, free tiers and hints are added; the price source never reaches the public view', () => {
  const { data } = build();
  const problems = applyCurated(data, {
    'openai/gpt-4.1': {
      aliases: ['openai/gpt-4.1-2025-04-14'],
      quality_tier: 1,
      hints: { openai: { throughput_hint: 80 } },
    },
    'openai/gpt-oss-120b': {
      free_endpoints: [
        {
          provider: 'groq',
          model: 'openai/gpt-oss-120b',
          context_length: 65536,
          max_completion_tokens: 8192,
          quantization: null,
          is_moderated: false,
        },
      ],
    },
    'acme/gone': { quality_tier: 2 },
  });
  assert.deepEqual(problems, ['curated model "acme/gone" is not in the imported catalog']);
  const catalog = new Catalog(data);
  const m = catalog.get('openai/gpt-4.1-2025-04-14');
  assert.equal(m?.id, 'openai/gpt-4.1');
  assert.equal(m.quality_tier, 1);
  assert.equal(m.endpoints[0].throughput_hint, 80);
  const free = catalog.get('openai/gpt-oss-120b')!.endpoints.filter((e) => e.free);
  assert.deepEqual(
    free.map((e) => e.provider),
    ['groq'],
  );
  assert.deepEqual(free[0].source, { file: 'scripts/catalog-overrides.json', snapshot: 'curated' });
  const stats = {
    status: 0,
    uptime_last_5m: null,
    uptime_last_30m: null,
    uptime_last_1d: null,
    latency_last_30m: null,
    throughput_last_30m: null,
    circuit: 'closed' as const,
  };
  const pub = JSON.stringify([
    publicModel(m),
    publicEndpoint(m, m.endpoints[0], catalog.providers.get('openai')!, stats),
  ]);
  assert.ok(!pub.includes('source') && !pub.includes('snapshot'), pub);
});
