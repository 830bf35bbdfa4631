// Invariants of the built-in model catalog (src/catalog/data/catalog.json).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { PRICE_FIELDS, type CatalogData, type EndpointDef, type ModelDef } from '../src/catalog/types.js';

const catalog: CatalogData = JSON.parse(
  readFileSync(new URL('../src/catalog/data/catalog.json', import.meta.url), 'utf8'),
);

const PRICE_KEYS = PRICE_FIELDS;
const DECIMAL = /^\d+(\.\d{1,12})?$/;
const PARAM_VOCAB = new Set([
  'tools',
  'tool_choice',
  'parallel_tool_calls',
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
  'logit_bias',
  'verbosity',
  'prediction',
  'dimensions',
]);
const INPUT_MODALITIES = new Set(['text', 'image', 'audio', 'file']);
const OUTPUT_MODALITIES = new Set(['text', 'image', 'audio', 'embeddings']);
const QUANTIZATIONS = new Set(['int4', 'int8', 'fp4', 'fp8', 'fp16', 'bf16', 'fp32', 'unknown']);

const providerIds = new Set(catalog.providers.map((p) => p.id));
const isEmbedding = (m: ModelDef) => m.architecture.output_modalities.includes('embeddings');
const isReasoning = (m: ModelDef) => m.reasoning != null;
const paidEndpoints = (m: ModelDef) => m.endpoints.filter((e) => !e.free);
const priceKey = (e: EndpointDef) => `${e.pricing.prompt}/${e.pricing.completion}`;

test('top-level shape', () => {
  assert.ok(Array.isArray(catalog.providers));
  assert.ok(Array.isArray(catalog.models));
  assert.deepEqual(Object.keys(catalog).sort(), ['models', 'providers']);
});

test('providers: unique, well-formed, at least 10, the required ones with their base URLs', () => {
  assert.ok(catalog.providers.length >= 10, `only ${catalog.providers.length} providers`);
  assert.equal(providerIds.size, catalog.providers.length, 'duplicate provider id');
  for (const p of catalog.providers) {
    assert.match(p.id, /^[a-z0-9-]+$/, `provider id ${p.id}`);
    assert.ok(p.name.length > 0, `provider ${p.id} has no name`);
    assert.ok(['openai', 'anthropic', 'gemini'].includes(p.dialect), `provider ${p.id} dialect ${p.dialect}`);
    assert.match(p.base_url, /^https:\/\/[^\s]+[^/]$/, `provider ${p.id} base_url ${p.base_url}`);
    assert.match(p.api_key_env, /^[A-Z][A-Z0-9_]*$/, `provider ${p.id} api_key_env`);
  }
  const expected: Record<string, [string, string, string]> = {
    openai: ['openai', 'https://api.openai.com/v1', 'OPENAI_API_KEY'],
    anthropic: ['anthropic', 'https://api.anthropic.com', 'ANTHROPIC_API_KEY'],
    google: ['gemini', 'https://generativelanguage.googleapis.com/v1beta', 'GEMINI_API_KEY'],
    deepseek: ['openai', 'https://api.deepseek.com/v1', 'DEEPSEEK_API_KEY'],
    mistral: ['openai', 'https://api.mistral.ai/v1', 'MISTRAL_API_KEY'],
    groq: ['openai', 'https://api.groq.com/openai/v1', 'GROQ_API_KEY'],
    together: ['openai', 'https://api.together.xyz/v1', 'TOGETHER_API_KEY'],
    xai: ['openai', 'https://api.x.ai/v1', 'XAI_API_KEY'],
    fireworks: ['openai', 'https://api.fireworks.ai/inference/v1', 'FIREWORKS_API_KEY'],
    deepinfra: ['openai', 'https://api.deepinfra.com/v1/openai', 'DEEPINFRA_API_KEY'],
    alibaba: ['openai', 'https://dashscope-intl.aliyuncs.com/compatible-mode/v1', 'DASHSCOPE_API_KEY'],
  };
  for (const [id, [dialect, baseUrl, env]] of Object.entries(expected)) {
    const p = catalog.providers.find((x) => x.id === id);
    assert.ok(p, `missing provider ${id}`);
    assert.equal(p.dialect, dialect, `${id} dialect`);
    assert.equal(p.base_url, baseUrl, `${id} base_url`);
    assert.equal(p.api_key_env, env, `${id} api_key_env`);
  }
});

test('model ids, canonical slugs and aliases are unique and never collide', () => {
  const ids = new Set<string>();
  for (const m of catalog.models) {
    assert.match(m.id, /^[a-z0-9-]+\/[a-z0-9][a-z0-9.-]*$/, `model id ${m.id}`);
    assert.ok(!ids.has(m.id), `duplicate model id ${m.id}`);
    ids.add(m.id);
  }
  const slugs = new Set<string>();
  for (const m of catalog.models) {
    assert.match(m.canonical_slug, /^[a-z0-9-]+\/[a-z0-9][a-z0-9.-]*$/, `canonical_slug ${m.canonical_slug}`);
    assert.equal(m.canonical_slug.split('/')[0], m.id.split('/')[0], `${m.id}: canonical slug of another author`);
    assert.ok(!slugs.has(m.canonical_slug), `duplicate canonical_slug ${m.canonical_slug}`);
    slugs.add(m.canonical_slug);
  }
  const aliases = new Set<string>();
  for (const m of catalog.models) {
    if (m.aliases === undefined) continue;
    assert.ok(Array.isArray(m.aliases) && m.aliases.length > 0, `${m.id}: empty aliases`);
    for (const a of m.aliases) {
      assert.match(a, /^[a-z0-9-]+\/[a-z0-9][a-z0-9.-]*$/, `alias ${a}`);
      assert.ok(!ids.has(a), `alias ${a} of ${m.id} collides with a model id`);
      assert.ok(!aliases.has(a), `alias ${a} is listed twice`);
      const other = catalog.models.find((x) => x !== m && x.canonical_slug === a);
      assert.equal(other, undefined, `alias ${a} of ${m.id} is another model's canonical slug`);
      aliases.add(a);
    }
  }
});

test('every model has all required fields with sane values', () => {
  const now = Date.now() / 1000;
  for (const m of catalog.models) {
    const where = m.id;
    assert.ok(typeof m.name === 'string' && m.name.length > 0, `${where}: name`);
    assert.ok(Number.isInteger(m.created), `${where}: created`);
    // 2018-01-01: the database keeps a few models of 2022 (text-embedding-ada-002)
    assert.ok(m.created > 1_514_764_800 && m.created < now + 86_400, `${where}: created ${m.created} out of range`);
    assert.ok(typeof m.description === 'string' && m.description.length >= 20, `${where}: description`);
    assert.ok(Number.isInteger(m.context_length) && m.context_length > 0, `${where}: context_length`);
    assert.ok(Number.isInteger(m.quality_tier) && m.quality_tier >= 1 && m.quality_tier <= 5, `${where}: quality_tier`);
    assert.ok(
      m.default_parameters === null || typeof m.default_parameters === 'object',
      `${where}: default_parameters`,
    );
    assert.ok(
      m.expiration_date === null || /^\d{4}-\d{2}-\d{2}$/.test(m.expiration_date),
      `${where}: expiration_date ${m.expiration_date}`,
    );
    if (m.expiration_date !== null) assert.ok(!Number.isNaN(Date.parse(m.expiration_date)), `${where}: bad date`);
    assert.ok('reasoning' in m, `${where}: reasoning field missing (use null)`);

    const a = m.architecture;
    assert.ok(a.input_modalities.length > 0 && a.output_modalities.length > 0, `${where}: modalities`);
    for (const x of a.input_modalities) assert.ok(INPUT_MODALITIES.has(x), `${where}: input modality ${x}`);
    for (const x of a.output_modalities) assert.ok(OUTPUT_MODALITIES.has(x), `${where}: output modality ${x}`);
    assert.ok(a.input_modalities.includes('text'), `${where}: no text input`);
    assert.ok(typeof a.tokenizer === 'string' && a.tokenizer.length > 0, `${where}: tokenizer`);
    assert.ok(a.instruct_type === null || typeof a.instruct_type === 'string', `${where}: instruct_type`);

    assert.equal(new Set(m.supported_parameters).size, m.supported_parameters.length, `${where}: duplicate params`);
    for (const p of m.supported_parameters) assert.ok(PARAM_VOCAB.has(p), `${where}: unknown parameter ${p}`);
    assert.ok(m.endpoints.length > 0, `${where}: no endpoints`);
  }
});

test('tokenizers follow the model families', () => {
  for (const m of catalog.models) {
    const slug = m.id.split('/')[1];
    if (m.id.startsWith('openai/text-embedding-3')) assert.equal(m.architecture.tokenizer, 'cl100k_base', m.id);
    else if (/^openai\/(gpt-4o|gpt-4\.1|gpt-5|o\d|gpt-oss)/.test(m.id)) {
      assert.equal(m.architecture.tokenizer, 'o200k_base', m.id);
    }
    if (m.id.startsWith('anthropic/')) assert.equal(m.architecture.tokenizer, 'claude', m.id);
    if (m.id.startsWith('google/'))
      assert.equal(m.architecture.tokenizer, slug.startsWith('gemma') ? 'gemma' : 'gemini', m.id);
    if (m.id.startsWith('qwen/')) assert.equal(m.architecture.tokenizer, 'qwen', m.id);
    if (m.id.startsWith('x-ai/')) assert.equal(m.architecture.tokenizer, 'grok', m.id);
    if (m.id.startsWith('meta-llama/llama-3')) assert.equal(m.architecture.tokenizer, 'llama3', m.id);
    if (m.id.startsWith('meta-llama/llama-4')) assert.equal(m.architecture.tokenizer, 'llama4', m.id);
    if (m.id.startsWith('mistralai/')) assert.equal(m.architecture.tokenizer, 'mistral', m.id);
    if (m.id.startsWith('deepseek/') && !slug.includes('distill'))
      assert.equal(m.architecture.tokenizer, 'deepseek', m.id);
  }
});

test('every endpoint is well-formed: provider exists, 8 decimal prices, limits within context', () => {
  for (const m of catalog.models) {
    for (const e of m.endpoints) {
      const where = `${m.id} @ ${e.provider}${e.free ? ' (free)' : ''}`;
      assert.ok(providerIds.has(e.provider), `${where}: unknown provider`);
      assert.ok(typeof e.model === 'string' && e.model.length > 0, `${where}: model`);
      // the 8 fields always; image_output / audio_output / audio only where the source has such a price
      const optional = new Set(['image_output', 'audio_output', 'audio']);
      const keys = Object.keys(e.pricing).filter((k) => !optional.has(k));
      assert.deepEqual(keys.sort(), [...PRICE_KEYS].sort(), `${where}: price fields`);
      for (const k of Object.keys(e.pricing).filter((x) => optional.has(x)))
        assert.match(e.pricing[k as 'audio_output'] as string, DECIMAL, `${where}: ${k}`);
      for (const k of PRICE_KEYS) {
        const v = e.pricing[k];
        assert.equal(typeof v, 'string', `${where}: ${k} is not a string`);
        assert.match(v, DECIMAL, `${where}: ${k}=${v}`);
      }
      assert.ok(Number.isInteger(e.context_length) && e.context_length > 0, `${where}: context_length`);
      assert.ok(
        Number.isInteger(e.max_completion_tokens) && e.max_completion_tokens >= 0,
        `${where}: max_completion_tokens`,
      );
      assert.ok(e.max_completion_tokens <= e.context_length, `${where}: max_completion_tokens > context_length`);
      assert.ok(e.context_length <= m.context_length, `${where}: endpoint context exceeds the model's`);
      assert.ok(
        e.quantization === null || QUANTIZATIONS.has(e.quantization),
        `${where}: quantization ${e.quantization}`,
      );
      assert.equal(typeof e.is_moderated, 'boolean', `${where}: is_moderated`);
      if (e.provider === 'openai' || e.provider === 'anthropic')
        assert.equal(e.is_moderated, true, `${where}: moderation`);
      if (e.supported_parameters !== undefined) {
        for (const p of e.supported_parameters) {
          assert.ok(m.supported_parameters.includes(p), `${where}: endpoint parameter ${p} not in the model's list`);
        }
      }
      if (e.throughput_hint !== undefined) assert.ok(e.throughput_hint > 0, `${where}: throughput_hint`);
      if (e.latency_hint_ms !== undefined) assert.ok(e.latency_hint_ms > 0, `${where}: latency_hint_ms`);
      if (!e.free && !isEmbedding(m)) {
        assert.notEqual(e.pricing.prompt, '0', `${where}: paid endpoint with a zero prompt price`);
        assert.notEqual(e.pricing.completion, '0', `${where}: paid endpoint with a zero completion price`);
      }
    }
    // the primary endpoint is the author's own API when the catalog has it
    const own: Record<string, string> = {
      anthropic: 'anthropic',
      google: 'google',
      mistralai: 'mistral',
      'x-ai': 'xai',
    };
    const author = m.id.split('/')[0];
    own.openai = 'openai';
    own.deepseek = 'deepseek';
    own.qwen = 'alibaba';
    own.moonshotai = 'moonshot';
    if (own[author] && m.endpoints.some((e) => e.provider === own[author])) {
      assert.equal(m.endpoints[0].provider, own[author], `${m.id}: primary endpoint`);
    }
    assert.ok(!m.endpoints[0].free, `${m.id}: primary endpoint is free`);
  }
});

test('free endpoints are priced at zero and sit beside a paid endpoint', () => {
  const withFree = catalog.models.filter((m) => m.endpoints.some((e) => e.free));
  assert.ok(withFree.length >= 4, `only ${withFree.length} models with a free endpoint`);
  for (const m of withFree) {
    for (const e of m.endpoints.filter((x) => x.free)) {
      assert.equal(e.free, true);
      for (const k of PRICE_KEYS) assert.equal(e.pricing[k], '0', `${m.id} @ ${e.provider} (free): ${k}`);
    }
    assert.ok(paidEndpoints(m).length > 0, `${m.id}: only free endpoints`);
  }
});

test('embedding models', () => {
  const emb = catalog.models.filter(isEmbedding);
  assert.ok(emb.length >= 3, `only ${emb.length} embedding models`);
  const authors = new Set(emb.map((m) => m.id.split('/')[0]));
  for (const a of ['openai', 'google', 'mistralai']) assert.ok(authors.has(a), `no ${a} embedding model`);
  for (const m of emb) {
    assert.deepEqual(m.architecture.output_modalities, ['embeddings'], m.id);
    assert.deepEqual(m.architecture.input_modalities, ['text'], m.id);
    assert.ok(
      m.supported_parameters.length === 0 ||
        (m.supported_parameters.length === 1 && m.supported_parameters[0] === 'dimensions'),
      `${m.id}: embedding parameters`,
    );
    assert.equal(m.reasoning ?? null, null, m.id);
    assert.equal(m.quality_tier, 3, m.id);
    for (const e of m.endpoints) {
      assert.equal(e.pricing.completion, '0', `${m.id}: completion price`);
      assert.equal(e.max_completion_tokens, 0, `${m.id}: max_completion_tokens`);
    }
  }
  for (const m of catalog.models.filter((x) => !isEmbedding(x))) {
    assert.ok(!m.supported_parameters.includes('dimensions'), `${m.id}: dimensions on a chat model`);
  }
});

test('reasoning metadata matches supported parameters', () => {
  for (const m of catalog.models) {
    const r = m.reasoning;
    if (r == null) {
      assert.ok(!m.supported_parameters.includes('reasoning'), `${m.id}: lists reasoning without reasoning info`);
      continue;
    }
    assert.ok(m.supported_parameters.includes('reasoning'), `${m.id}: reasoning model without "reasoning"`);
    assert.ok(
      m.supported_parameters.includes('include_reasoning'),
      `${m.id}: reasoning model without "include_reasoning"`,
    );
    assert.ok(Array.isArray(r.supported_efforts), `${m.id}: supported_efforts`);
    for (const x of r.supported_efforts)
      assert.ok(['minimal', 'low', 'medium', 'high'].includes(x), `${m.id}: effort ${x}`);
    assert.ok(r.default_effort === null || r.supported_efforts.includes(r.default_effort), `${m.id}: default_effort`);
    assert.equal(typeof r.mandatory, 'boolean', `${m.id}: mandatory`);
    assert.equal(typeof r.supports_max_tokens, 'boolean', `${m.id}: supports_max_tokens`);
    for (const e of m.endpoints) {
      if (e.supported_parameters !== undefined) {
        assert.ok(e.supported_parameters.includes('reasoning'), `${m.id} @ ${e.provider}: drops reasoning`);
      }
    }
  }
  const byId = (id: string) => catalog.models.find((m) => m.id === id);
  for (const id of ['openai/o3', 'openai/o4-mini', 'openai/gpt-5', 'openai/gpt-5-mini', 'deepseek/deepseek-r1-0528']) {
    assert.equal(byId(id)?.reasoning?.mandatory, true, `${id} reasoning must be mandatory`);
  }
  for (const id of ['anthropic/claude-sonnet-4.5', 'google/gemini-2.5-flash']) {
    assert.equal(byId(id)?.reasoning?.mandatory, false, `${id} reasoning must be optional`);
  }
  // o-series and GPT-5 fix their sampling parameters; Anthropic has no penalties or seed
  // (on OpenAI's own API; the gpt-5*-chat snapshots do not reason and take a temperature)
  const ownReasoning = (x: ModelDef) =>
    x.endpoints[0].provider === 'openai' && x.reasoning != null && !/-chat$/.test(x.id);
  for (const m of catalog.models.filter((x) => /^openai\/(o\d|gpt-5)/.test(x.id) && ownReasoning(x))) {
    assert.ok(!m.supported_parameters.includes('temperature'), `${m.id}: temperature`);
    assert.ok(!m.supported_parameters.includes('top_p'), `${m.id}: top_p`);
  }
  for (const m of catalog.models.filter((x) => x.id.startsWith('anthropic/'))) {
    for (const p of ['frequency_penalty', 'presence_penalty', 'seed']) {
      assert.ok(!m.supported_parameters.includes(p), `${m.id}: ${p}`);
    }
  }
  for (const m of catalog.models.filter((x) => x.id.startsWith('google/gemini-2.5-') && !isEmbedding(x))) {
    assert.ok(
      m.supported_parameters.includes('top_k') && m.supported_parameters.includes('seed'),
      `${m.id}: top_k/seed`,
    );
  }
});

test('counted requirements', () => {
  const models = catalog.models;
  assert.ok(models.length >= 45, `only ${models.length} models`);
  const authors = new Set(models.map((m) => m.id.split('/')[0]));
  assert.ok(authors.size >= 9, `only ${authors.size} authors`);

  const imageOut = models.filter((m) => m.architecture.output_modalities.includes('image'));
  assert.ok(imageOut.length >= 1, 'no image-output model');
  const audioOut = models.filter((m) => m.architecture.output_modalities.includes('audio'));
  assert.ok(audioOut.length >= 1, 'no audio-output model');

  const multi = models.filter((m) => {
    const paid = paidEndpoints(m);
    return new Set(paid.map((e) => e.provider)).size >= 2 && new Set(paid.map(priceKey)).size >= 2;
  });
  assert.ok(multi.length >= 8, `only ${multi.length} models served by 2+ providers at different prices`);

  // deprecated in the source: listed with an expiration date, not all of the catalog
  const expiring = models.filter((m) => m.expiration_date !== null);
  assert.ok(
    expiring.length >= 1 && expiring.length <= models.length / 10,
    `${expiring.length} models with an expiration_date`,
  );

  const aliased = models.filter((m) => (m.aliases?.length ?? 0) > 0);
  assert.ok(aliased.length >= 1, 'no renamed model with an alias');

  const reasoning = models.filter(isReasoning);
  assert.ok(reasoning.length >= 5, `only ${reasoning.length} reasoning models`);

  for (const id of [
    'openai/gpt-4o',
    'openai/gpt-4o-mini',
    'openai/gpt-4.1',
    'openai/gpt-4.1-mini',
    'openai/gpt-5',
    'openai/o3',
    'openai/o4-mini',
    'openai/gpt-4o-audio-preview',
    'openai/text-embedding-3-small',
    'openai/text-embedding-3-large',
    'openai/gpt-oss-120b',
    'google/gemini-2.5-pro',
    'google/gemini-2.5-flash',
    'google/gemini-2.5-flash-lite',
    'google/gemini-2.5-flash-image',
    'google/gemini-embedding-001',
    'mistralai/mistral-large',
    'mistralai/mistral-embed',
    'meta-llama/llama-3.3-70b-instruct',
    'meta-llama/llama-3.1-8b-instruct',
    'meta-llama/llama-4-maverick',
    'meta-llama/llama-4-scout',
    'qwen/qwen3-235b-a22b',
    'qwen/qwen-2.5-72b-instruct',
    'x-ai/grok-4',
    'x-ai/grok-3-mini',
    'x-ai/grok-code-fast-1',
  ]) {
    assert.ok(
      models.some((m) => m.id === id || m.aliases?.includes(id)),
      `missing ${id}`,
    );
  }
  const img = models.find((m) => m.id === 'google/gemini-2.5-flash-image');
  assert.deepEqual([...(img?.architecture.output_modalities ?? [])].sort(), ['image', 'text']);
  const audio = models.find((m) => m.aliases?.includes('openai/gpt-4o-audio-preview'));
  assert.ok(audio?.architecture.output_modalities.includes('audio'));
  assert.ok(
    (models.find((m) => m.id === 'openai/gpt-oss-120b')?.endpoints.length ?? 0) >= 3,
    'gpt-oss-120b should be served by several providers',
  );
});

test('prompt caching prices follow the provider schemes', () => {
  const approx = (a: string, b: string, ratio: number) => Math.abs(Number(a) - Number(b) * ratio) < 1e-12;
  for (const m of catalog.models) {
    for (const e of paidEndpoints(m)) {
      const p = e.pricing;
      if (e.provider === 'anthropic' && m.expiration_date === null) {
        assert.ok(approx(p.input_cache_write, p.prompt, 1.25), `${m.id}: Anthropic cache write should be 1.25x`);
        assert.ok(approx(p.input_cache_read, p.prompt, 0.1), `${m.id}: Anthropic cache read should be 0.1x`);
      }
      if (p.input_cache_read !== '0') {
        // some OpenRouter hosts list cache reads at the prompt price (no discount), never above it
        assert.ok(Number(p.input_cache_read) <= Number(p.prompt), `${m.id} @ ${e.provider}: cache read dearer`);
      }
    }
  }
});
