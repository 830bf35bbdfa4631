// Merge rules of the runtime catalog sync (src/catalog/sync/): pure functions, exact objects.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applySynced, recordFailure, recordListing, UNKNOWN_CONTEXT } from '../../src/catalog/sync/merge.js';
import { describe, parseMetadata, perMillionToPerToken } from '../../src/catalog/sync/metadata.js';
import { emptyState, type SyncedState } from '../../src/catalog/sync/state.js';
import { Catalog, isExpired } from '../../src/catalog/catalog.js';
import type { CatalogData, ModelDef, Pricing } from '../../src/catalog/types.js';

const price = (prompt: string, completion: string): Pricing => ({
  prompt,
  completion,
  request: '0',
  image: '0',
  web_search: '0',
  internal_reasoning: '0',
  input_cache_read: '0',
  input_cache_write: '0',
});

function model(id: string, endpoints: Array<[string, string]>, extra: Partial<ModelDef> = {}): ModelDef {
  return {
    id,
    canonical_slug: id,
    name: id,
    created: 1,
    description: '',
    context_length: 1000,
    architecture: {
      input_modalities: ['text'],
      output_modalities: ['text'],
      tokenizer: 'o200k_base',
      instruct_type: null,
    },
    supported_parameters: ['max_tokens'],
    default_parameters: null,
    expiration_date: null,
    quality_tier: 3,
    endpoints: endpoints.map(([provider, m]) => ({
      provider,
      model: m,
      pricing: price('0.000001', '0.000002'),
      context_length: 1000,
      max_completion_tokens: 100,
      quantization: null,
      is_moderated: false,
    })),
    ...extra,
  };
}

const BUILTIN: CatalogData = {
  providers: [
    { id: 'openai', name: 'OpenAI', dialect: 'openai', base_url: 'https://x/v1', api_key_env: 'OPENAI_API_KEY' },
    { id: 'together', name: 'Together', dialect: 'openai', base_url: 'https://y/v1', api_key_env: 'TOGETHER_API_KEY' },
  ],
  models: [
    model('openai/gpt-4o', [['openai', 'gpt-4o-2024-11-20']], { aliases: ['openai/gpt-4o-latest'] }),
    model('openai/gpt-4.1', [
      ['openai', 'gpt-4.1'],
      ['together', 'openai/gpt-4.1'],
    ]),
    model('meta-llama/llama-3.3-70b', [['together', 'meta-llama/Llama-3.3-70B-Instruct-Turbo']]),
  ],
};
const NAMES = new Map([
  ['openai', 'OpenAI'],
  ['together', 'Together'],
]);
const T0 = Date.parse('2026-01-01T00:00:00Z');
const DAY = 86_400_000;

function stateWith(provider: string, listed: string[], prev?: SyncedState, now = T0, grace = 14 * DAY): SyncedState {
  const s = prev ? structuredClone(prev) : emptyState();
  s.providers[provider] = recordListing(
    s.providers[provider],
    listed.map((id) => ({ id })),
    now,
    grace,
  );
  return s;
}

test('a listed name the catalog knows adds nothing; a new name becomes an unpriced model created when first seen', () => {
  const s = stateWith('openai', ['gpt-4o-2024-11-20', 'gpt-4.1', 'gpt-9']);
  const { data, report } = applySynced(BUILTIN, s, T0, NAMES);
  assert.equal(data.models.length, 4);
  const m = data.models.find((x) => x.id === 'openai/gpt-9')!;
  assert.equal(m.created, T0 / 1000);
  assert.equal(m.endpoints.length, 1);
  assert.deepEqual(
    { ...m.endpoints[0] },
    {
      provider: 'openai',
      model: 'gpt-9',
      pricing: price('0', '0'),
      context_length: UNKNOWN_CONTEXT,
      max_completion_tokens: 4096,
      quantization: null,
      is_moderated: false,
      unpriced: true,
    },
  );
  assert.deepEqual(report.providers.openai, { seen: 3, added: 1, removed: 0, repriced: 0 });
  // the built-in data is not touched
  assert.equal(BUILTIN.models.length, 3);
  // and the Catalog accepts the result
  assert.ok(new Catalog(data).get('openai/gpt-9'));
});

test('first-seen time survives later syncs; an alias or dated name of a model the provider already serves is known', () => {
  let s = stateWith('openai', ['gpt-9']);
  s = stateWith('openai', ['gpt-9', 'gpt-4o', 'gpt-4o-latest'], s, T0 + DAY);
  const { data } = applySynced(BUILTIN, s, T0 + DAY, NAMES);
  assert.equal(data.models.find((x) => x.id === 'openai/gpt-9')!.created, T0 / 1000);
  assert.equal(
    data.models.find((x) => x.id === 'openai/gpt-4o')!.endpoints.length,
    1,
    'gpt-4o is another name of the endpoint we have',
  );
  assert.equal(data.models.length, 4);
});

test('a name that matches a model served elsewhere becomes a new endpoint of that model, under its listed author', () => {
  const s = stateWith('together', ['meta-llama/Llama-3.3-70B-Instruct-Turbo', 'gpt-4o-2024-11-20', 'Qwen/Qwen3-Max']);
  const { data, report } = applySynced(BUILTIN, s, T0, NAMES);
  const gpt4o = data.models.find((x) => x.id === 'openai/gpt-4o')!;
  assert.deepEqual(
    gpt4o.endpoints.map((e) => `${e.provider}:${e.model}:${e.unpriced ?? false}`),
    ['openai:gpt-4o-2024-11-20:false', 'together:gpt-4o-2024-11-20:true'],
  );
  assert.ok(
    data.models.find((x) => x.id === 'qwen/qwen3-max'),
    'the listed author is kept',
  );
  assert.equal(report.providers.together.added, 2);
});

test('metadata prices a new model (USD per million → per token) and reprices a known endpoint', () => {
  const meta = parseMetadata({
    openai: {
      id: 'openai',
      models: {
        'gpt-9': {
          name: 'GPT-9',
          cost: { input: 2.5, output: 10, cache_read: 0.25 },
          limit: { context: 400000, output: 128000 },
          modalities: { input: ['text', 'image', 'pdf'], output: ['text'] },
          reasoning: true,
          tool_call: true,
          release_date: '2026-01-01',
        },
        'gpt-4.1': { cost: { input: 3, output: 12 } },
        'half-priced': { cost: { input: 1 } },
      },
    },
  });
  const s = emptyState();
  s.providers.openai = recordListing(
    undefined,
    ['gpt-9', 'gpt-4.1', 'half-priced'].map((id) => describe({ id }, 'openai', meta)),
    T0,
    DAY,
  );
  const { data, report } = applySynced(BUILTIN, s, T0, NAMES);
  const m = data.models.find((x) => x.id === 'openai/gpt-9')!;
  assert.equal(m.name, 'GPT-9');
  assert.deepEqual(m.architecture.input_modalities, ['text', 'image', 'file']);
  assert.equal(m.endpoints[0].unpriced, undefined);
  assert.deepEqual(m.endpoints[0].pricing, { ...price('0.0000025', '0.00001'), input_cache_read: '0.00000025' });
  assert.equal(m.endpoints[0].context_length, 400000);
  assert.ok(m.supported_parameters.includes('tools') && m.reasoning);
  const e41 = data.models.find((x) => x.id === 'openai/gpt-4.1')!.endpoints[0];
  assert.deepEqual(e41.pricing, price('0.000003', '0.000012'));
  assert.equal(report.providers.openai.repriced, 1);
  assert.equal(
    data.models.find((x) => x.id === 'openai/half-priced')!.endpoints[0].unpriced,
    true,
    'half a price is no price',
  );
});

test('per-million conversion is exact decimal text', () => {
  assert.equal(perMillionToPerToken(0), '0');
  assert.equal(perMillionToPerToken(0.075), '0.000000075');
  assert.equal(perMillionToPerToken(15), '0.000015');
  assert.equal(perMillionToPerToken(1_000_000), '1');
  assert.equal(perMillionToPerToken(0.0000001), '0', 'below 1e-12 per token rounds to 0');
  assert.equal(perMillionToPerToken(-1), null);
  assert.equal(perMillionToPerToken('2'), null);
});

test('a name the provider stops listing: served through the grace period, then the model expires (model_deprecated)', () => {
  let s = stateWith('openai', ['gpt-4o-2024-11-20', 'gpt-9']);
  s = stateWith('openai', ['gpt-9'], s, T0 + DAY, 14 * DAY);
  const expires = T0 + 15 * DAY;
  assert.equal(s.providers.openai.removed['gpt-4o-2024-11-20'].expires, new Date(expires).toISOString());
  const { data, report } = applySynced(BUILTIN, s, T0 + DAY, NAMES);
  const m = data.models.find((x) => x.id === 'openai/gpt-4o')!;
  assert.equal(m.expiration_date, new Date(expires).toISOString());
  assert.equal(isExpired(m, expires - 1), false);
  assert.equal(isExpired(m, expires), true);
  assert.equal(report.providers.openai.removed, 1);
  // a later sync keeps the first expiry; listing it again cancels it
  s = stateWith('openai', ['gpt-9'], s, T0 + 2 * DAY, 14 * DAY);
  assert.equal(s.providers.openai.removed['gpt-4o-2024-11-20'].expires, new Date(expires).toISOString());
  s = stateWith('openai', ['gpt-9', 'gpt-4o-2024-11-20'], s, T0 + 3 * DAY);
  assert.deepEqual(s.providers.openai.removed, {});
  assert.equal(
    applySynced(BUILTIN, s, T0 + 3 * DAY, NAMES).data.models.find((x) => x.id === 'openai/gpt-4o')!.expiration_date,
    null,
  );
});

test('an endpoint gone while the model has others is dropped after its grace; the model does not expire', () => {
  let s = stateWith('together', ['openai/gpt-4.1']);
  s = stateWith('together', [], s, T0 + DAY, DAY);
  const during = applySynced(BUILTIN, s, T0 + DAY, NAMES).data.models.find((x) => x.id === 'openai/gpt-4.1')!;
  assert.equal(during.endpoints.length, 2);
  const after = applySynced(BUILTIN, s, T0 + 2 * DAY, NAMES).data.models.find((x) => x.id === 'openai/gpt-4.1')!;
  assert.deepEqual(
    after.endpoints.map((e) => e.provider),
    ['openai'],
  );
  assert.equal(after.expiration_date, null);
});

test('a model the sync added and the provider then dropped expires too', () => {
  let s = stateWith('openai', ['gpt-9']);
  s = stateWith('openai', [], s, T0 + DAY, DAY);
  const m = applySynced(BUILTIN, s, T0 + DAY, NAMES).data.models.find((x) => x.id === 'openai/gpt-9')!;
  assert.equal(m.expiration_date, new Date(T0 + 2 * DAY).toISOString());
});

test('a built-in endpoint the provider never listed is left alone', () => {
  const s = stateWith('openai', ['gpt-9']);
  const { data } = applySynced(BUILTIN, s, T0 + 100 * DAY, NAMES);
  assert.equal(data.models.find((x) => x.id === 'openai/gpt-4o')!.expiration_date, null);
});

test('a failed list call keeps the previous models and records the error', () => {
  const s = stateWith('openai', ['gpt-9']);
  s.providers.openai = recordFailure(s.providers.openai, 'openai: HTTP 500: boom', T0 + DAY);
  assert.equal(s.providers.openai.last_error, 'openai: HTTP 500: boom');
  assert.equal(s.providers.openai.last_success, new Date(T0).toISOString());
  assert.ok(applySynced(BUILTIN, s, T0 + DAY, NAMES).data.models.some((x) => x.id === 'openai/gpt-9'));
  // the next success clears the error
  s.providers.openai = recordListing(s.providers.openai, [{ id: 'gpt-9' }], T0 + 2 * DAY, DAY);
  assert.equal(s.providers.openai.last_error, null);
});

test('config overrides win over synced data: pricing an unpriced model in config serves it', () => {
  const s = stateWith('openai', ['gpt-9']);
  const { data } = applySynced(BUILTIN, s, T0, NAMES);
  const c = new Catalog(data, {
    models: [
      {
        id: 'openai/gpt-9',
        endpoints: [
          {
            provider: 'openai',
            model: 'gpt-9',
            pricing: price('0.000004', '0.000008'),
            context_length: 200000,
            max_completion_tokens: 8000,
            quantization: null,
            is_moderated: false,
          },
        ],
      },
    ],
  });
  const m = c.get('openai/gpt-9')!;
  assert.equal(m.endpoints[0].unpriced, undefined);
  assert.equal(m.endpoints[0].pricing.prompt, '0.000004');
  assert.equal(m.created, T0 / 1000, 'the synced first-seen time is kept');
});

test('state for a provider the catalog does not have is ignored', () => {
  const s = stateWith('gone-provider', ['x']);
  assert.equal(applySynced(BUILTIN, s, T0, NAMES).data.models.length, 3);
});

test('odd upstream names become valid ids, and a name that cannot is skipped without failing the build', () => {
  const s = stateWith('together', ['accounts/fireworks/models/llama-v3', 'Org:x/Some Model', '---']);
  const { data } = applySynced(BUILTIN, s, T0, NAMES);
  const ids = data.models.map((m) => m.id).slice(3);
  assert.deepEqual(ids, ['accounts/fireworks-models-llama-v3', 'org-x/some-model', 'meta-llama/model']);
  assert.ok(new Catalog(data));
});
