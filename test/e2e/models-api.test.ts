// The Models API and key lifecycle through a real listening gateway, with the official openai SDK.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { startGateway, type TestGateway } from '../helpers/gateway.js';
import { isExpired, loadBuiltinCatalog } from '../../src/catalog/catalog.js';

const ENV = {
  OPENAI_API_KEY: 'sk-test',
  ANTHROPIC_API_KEY: 'sk-ant-test',
  GEMINI_API_KEY: 'g-test',
  GROQ_API_KEY: 'gsk-test',
};
const CONFIGURED = new Set(['openai', 'anthropic', 'google', 'groq']);
const catalog = loadBuiltinCatalog();

function expected(filter: (m: (typeof catalog.models)[number]) => boolean, providers = CONFIGURED): string[] {
  return catalog.models
    .filter((m) => m.endpoints.some((e) => providers.has(e.provider)) && !isExpired(m))
    .filter(filter)
    .map((m) => m.id)
    .sort();
}

let gw: TestGateway;
before(async () => {
  gw = await startGateway({ env: ENV });
});
after(async () => {
  await gw.close();
});

async function ids(query: string, key?: string): Promise<string[]> {
  const res = await gw.fetch(`/models${query}`, { key });
  assert.equal(res.status, 200, await res.clone().text());
  const body = (await res.json()) as { data: Array<{ id: string }> };
  return body.data.map((m) => m.id).sort();
}

test('openai SDK models.list() sees exactly the default (text) list of configured providers', async () => {
  const client = new OpenAI({ baseURL: gw.url, apiKey: gw.adminKey });
  const seen: string[] = [];
  for await (const m of client.models.list()) seen.push(m.id);
  const want = expected((m) => m.architecture.output_modalities.includes('text'));
  assert.ok(want.length > 10);
  assert.deepEqual(seen.sort(), want);
  // a provider without a key is not configured: its exclusive models are absent
  assert.ok(!seen.includes('x-ai/grok-4'));
});

test('output_modalities filter: single, comma list (ANY), all, default text, unknown → 400', async () => {
  const has = (mods: string[]) => (m: (typeof catalog.models)[number]) =>
    m.architecture.output_modalities.some((o) => mods.includes(o));
  assert.deepEqual(await ids('?output_modalities=image'), expected(has(['image'])));
  assert.ok((await ids('?output_modalities=image')).includes('google/gemini-2.5-flash-image'));
  assert.deepEqual(await ids('?output_modalities=audio'), expected(has(['audio'])));
  assert.deepEqual(await ids('?output_modalities=embeddings'), expected(has(['embeddings'])));
  assert.ok((await ids('?output_modalities=embeddings')).includes('openai/text-embedding-3-small'));
  assert.deepEqual(await ids('?output_modalities=text,image'), expected(has(['text', 'image'])));
  assert.deepEqual(
    await ids('?output_modalities=all'),
    expected(() => true),
  );
  assert.deepEqual(await ids(''), expected(has(['text'])));
  assert.ok(!(await ids('')).includes('openai/text-embedding-3-small'));
  const bad = await gw.fetch('/models?output_modalities=text,video');
  assert.equal(bad.status, 400);
  const err = (await bad.json()) as { error: { message: string; type: string; param: string } };
  assert.equal(err.error.type, 'invalid_request_error');
  assert.equal(err.error.param, 'output_modalities');
  assert.match(err.error.message, /video/);
});

test('supported_parameters filter requires ALL listed parameters, combined with modalities', async () => {
  const sp = (ps: string[]) => (m: (typeof catalog.models)[number]) =>
    ps.every((p) => m.supported_parameters.includes(p));
  const text = (m: (typeof catalog.models)[number]) => m.architecture.output_modalities.includes('text');
  assert.deepEqual(
    await ids('?supported_parameters=tools'),
    expected((m) => text(m) && sp(['tools'])(m)),
  );
  const both = await ids('?supported_parameters=tools,structured_outputs');
  assert.deepEqual(
    both,
    expected((m) => text(m) && sp(['tools', 'structured_outputs'])(m)),
  );
  assert.ok(both.length < (await ids('?supported_parameters=tools')).length || both.length > 0);
  assert.deepEqual(await ids('?output_modalities=all&supported_parameters=reasoning'), expected(sp(['reasoning'])));
  assert.deepEqual(await ids('?supported_parameters=no_such_param'), []);
});

test('model objects carry every contract field, in order, with null where allowed', async () => {
  const res = await gw.fetch('/models/openai/gpt-4o');
  assert.equal(res.status, 200);
  const { data } = (await res.json()) as { data: Record<string, unknown> };
  assert.deepEqual(Object.keys(data), [
    'id',
    'canonical_slug',
    'name',
    'created',
    'description',
    'context_length',
    'architecture',
    'pricing',
    'top_provider',
    'supported_parameters',
    'per_request_limits',
    'default_parameters',
    'expiration_date',
    'supported_voices',
    'links',
  ]);
  assert.deepEqual(Object.keys(data.architecture as object), [
    'modality',
    'input_modalities',
    'output_modalities',
    'tokenizer',
    'instruct_type',
  ]);
  assert.equal((data.architecture as { modality: string }).modality, 'text+image+file->text');
  assert.deepEqual(data.links, { details: '/v1/models/openai/gpt-4o/endpoints' });
  assert.deepEqual(Object.keys(data.pricing as object), [
    'prompt',
    'completion',
    'request',
    'image',
    'web_search',
    'internal_reasoning',
    'input_cache_read',
    'input_cache_write',
  ]);
  for (const v of Object.values(data.pricing as Record<string, unknown>)) assert.match(String(v), /^\d+(\.\d+)?$/);
  assert.deepEqual(Object.keys(data.top_provider as object), [
    'context_length',
    'max_completion_tokens',
    'is_moderated',
  ]);
  assert.equal(data.per_request_limits, null);
});

test('a renamed model keeps resolving by its old id; endpoints list per-provider facts and live stats fields', async () => {
  const renamed = catalog.models.find((m) => (m.aliases ?? []).length > 0)!;
  const [author, slug] = renamed.aliases![0].split('/');
  const res = await gw.fetch(`/models/${author}/${slug}`);
  assert.equal(res.status, 200);
  const { data } = (await res.json()) as { data: { id: string; canonical_slug: string } };
  assert.equal(data.id, renamed.id);
  assert.equal(data.canonical_slug, renamed.canonical_slug);

  const ep = await gw.fetch('/models/meta-llama/llama-3.3-70b-instruct/endpoints');
  assert.equal(ep.status, 200);
  const body = (await ep.json()) as { data: { id: string; endpoints: Array<Record<string, unknown>> } };
  assert.equal(body.data.id, 'meta-llama/llama-3.3-70b-instruct');
  assert.ok(body.data.endpoints.length >= 1);
  for (const e of body.data.endpoints) {
    assert.ok(CONFIGURED.has(String(e.tag).split('/')[0]), `only configured providers: ${e.tag}`);
    for (const k of [
      'provider_name',
      'pricing',
      'context_length',
      'quantization',
      'uptime_last_30m',
      'latency_last_30m',
      'throughput_last_30m',
    ]) {
      assert.ok(k in e, `endpoint has ${k}`);
    }
  }
  assert.equal((await gw.fetch('/models/nobody/nothing')).status, 404);
  assert.equal((await gw.fetch('/models/x-ai/grok-4')).status, 404, 'unconfigured provider: hidden');
});

test('a model past its expiration_date leaves the list; asking for it is a 404 model_deprecated', async () => {
  const all = await ids('?output_modalities=all');
  assert.ok(!all.includes('anthropic/claude-3.5-haiku'), 'retired on 2026-02-19 in the built-in catalog');
  assert.ok(all.includes('anthropic/claude-haiku-4.5'));
  const res = await gw.fetch('/models/anthropic/claude-3.5-haiku');
  assert.equal(res.status, 404);
  const body = (await res.json()) as { error: { metadata: { code: string }; message: string } };
  assert.equal(body.error.metadata.code, 'model_deprecated');
  assert.match(body.error.message, /2026-02-19/);
});

test('key lifecycle: create → use → /v1/key → revoke → 401; user keys get 403 on admin routes', async () => {
  const created = await gw.fetch('/keys', {
    method: 'POST',
    json: { name: 'ci', limit: 5, limit_reset: 'monthly', rate_limit: { requests_per_minute: 100 } },
  });
  assert.equal(created.status, 201);
  const { key, data } = (await created.json()) as { key: string; data: { id: string; label: string } };
  assert.match(key, /^lr_live_[0-9A-Za-z]{32,}$/);
  assert.ok(!data.label.includes(key.slice(12, -3)), 'label does not reveal the key');

  const me = await gw.fetch('/key', { key });
  assert.equal(me.status, 200);
  const info = (await me.json()) as { data: Record<string, unknown> };
  assert.equal(info.data.label, data.label);
  assert.equal(info.data.limit, 5);
  assert.equal(info.data.limit_remaining, 5);
  assert.equal(info.data.usage, 0);
  assert.deepEqual(info.data.rate_limit, {
    requests_per_minute: 100,
    tokens_per_minute: null,
    requests: 100,
    interval: '1m',
    note: 'requests_per_minute and tokens_per_minute are the limits (null: none)',
  });

  assert.equal((await gw.fetch('/models', { key })).status, 200);
  const forbidden = await gw.fetch('/keys', { key });
  assert.equal(forbidden.status, 403);
  assert.equal(((await forbidden.json()) as { error: { type: string } }).error.type, 'permission_error');

  const list = (await (await gw.fetch('/keys')).json()) as { data: Array<{ id: string }> };
  assert.ok(list.data.some((k) => k.id === data.id));

  const patched = await gw.fetch(`/keys/${data.id}`, { method: 'PATCH', json: { name: 'ci-2', limit: null } });
  assert.equal(patched.status, 200);
  assert.equal(((await patched.json()) as { data: { limit: null; name: string } }).data.name, 'ci-2');

  assert.equal((await gw.fetch(`/keys/${data.id}`, { method: 'DELETE' })).status, 200);
  const revoked = await gw.fetch('/models', { key });
  assert.equal(revoked.status, 401);
  assert.equal(
    ((await revoked.json()) as { error: { metadata: { code: string } } }).error.metadata.code,
    'revoked_api_key',
  );
});

test('account provider enablement hides and shows models', async () => {
  const acct = await gw.fetch('/accounts', {
    method: 'POST',
    json: { name: 'team', enabled_providers: ['anthropic'] },
  });
  assert.equal(acct.status, 201);
  const { data: account } = (await acct.json()) as { data: { id: string } };
  const k = await gw.fetch('/keys', { method: 'POST', json: { name: 'team-key', account_id: account.id } });
  const { key } = (await k.json()) as { key: string };

  assert.deepEqual(
    await ids('?output_modalities=all', key),
    expected(() => true, new Set(['anthropic'])),
  );
  assert.equal((await gw.fetch('/models/openai/gpt-4o', { key })).status, 404);

  const upd = await gw.fetch(`/accounts/${account.id}`, {
    method: 'PATCH',
    json: { enabled_providers: ['anthropic', 'openai'] },
  });
  assert.equal(upd.status, 200);
  assert.deepEqual(
    await ids('?output_modalities=all', key),
    expected(() => true, new Set(['anthropic', 'openai'])),
  );
  assert.equal((await gw.fetch('/models/openai/gpt-4o', { key })).status, 200);

  const bad = await gw.fetch(`/accounts/${account.id}`, { method: 'PATCH', json: { enabled_providers: ['nope'] } });
  assert.equal(bad.status, 400);
});

test('errors are OpenAI-shaped JSON: 401 missing/invalid, 400 bad JSON, 404 unknown route, 405', async () => {
  const missing = await gw.fetch('/models', { key: null });
  assert.equal(missing.status, 401);
  assert.match(missing.headers.get('content-type') ?? '', /application\/json/);
  const m = (await missing.json()) as { error: Record<string, unknown> };
  assert.deepEqual(Object.keys(m.error).sort(), ['code', 'message', 'metadata', 'param', 'type']);
  // OpenRouter's shape (its SDKs validate an integer code): the HTTP status; our string code in metadata
  assert.equal(m.error.code, 401);
  assert.equal((m.error.metadata as { code: string }).code, 'missing_api_key');
  assert.equal((await gw.fetch('/models', { key: 'lr_live_nottherightkey00000000000000000000' })).status, 401);

  const badJson = await gw.fetch('/keys', {
    method: 'POST',
    body: '{"name":',
    headers: { 'content-type': 'application/json' },
  });
  assert.equal(badJson.status, 400);
  assert.equal(
    ((await badJson.json()) as { error: { metadata: { code: string } } }).error.metadata.code,
    'invalid_json',
  );

  const unknown = await gw.fetch('/nope');
  assert.equal(unknown.status, 404);
  assert.equal(((await unknown.json()) as { error: { type: string } }).error.type, 'not_found_error');
  assert.equal((await gw.fetch('/models', { method: 'DELETE' })).status, 405);

  const health = await fetch(gw.url + '/health');
  assert.equal(health.status, 200);
  assert.equal(((await health.json()) as { status: string }).status, 'ok');
});

test('every authenticated response of a rate-limited key carries X-RateLimit-* headers; reads do not consume', async () => {
  const { key } = (await (
    await gw.fetch('/keys', { method: 'POST', json: { name: 'rl', rate_limit: { requests_per_minute: 100 } } })
  ).json()) as { key: string };
  for (const path of ['/models', '/key', '/models/openai/gpt-4o']) {
    const r = await gw.fetch(path, { key });
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('x-ratelimit-limit'), '100');
    assert.equal(r.headers.get('x-ratelimit-remaining'), '100');
    assert.ok(Number(r.headers.get('x-ratelimit-reset')) > Date.now() - 1000);
  }
  const bad = await gw.fetch('/models?output_modalities=video', { key });
  assert.equal(bad.status, 400);
  assert.equal(bad.headers.get('x-ratelimit-limit'), '100');
  // a key without a limit gets none
  assert.equal((await gw.fetch('/models')).headers.get('x-ratelimit-limit'), null);
});
