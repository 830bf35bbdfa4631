// Runtime catalog sync end to end: a simulated provider releases a model, POST /v1/catalog/sync, and the model
// is listed (priced from a metadata document) and answers chat, without a restart. A provider whose list call
// fails keeps its models; a model a provider stops listing expires after the grace and answers model_deprecated.
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startGateway, startSims, type SimSet, type TestGateway } from '../helpers/gateway.js';

const GRACE_MS = 1_500;
let sims: SimSet;
let gw: TestGateway;
let userKey: string;
const dataDir = mkdtempSync(join(tmpdir(), 'arouter-sync-'));

function config() {
  return {
    catalog: {
      sync_interval: 0,
      metadata_url: `${sims.openai.url.replace(/\/v1$/, '')}/__sim/metadata`,
      removal_grace_days: GRACE_MS / 86_400_000,
    },
  };
}

before(async () => {
  sims = await startSims();
  gw = await startGateway({ demoUpstreams: sims.urls, config: config(), dataDir });
  const r = await gw.fetch('/keys', { method: 'POST', json: { name: 'user' } });
  userKey = ((await r.json()) as { key: string }).key;
});
after(async () => {
  await gw.close();
  await sims.close();
  rmSync(dataDir, { recursive: true, force: true });
});
beforeEach(() => sims.resetAll());

async function sync(g = gw) {
  const r = await g.fetch('/catalog/sync', { method: 'POST' });
  assert.equal(r.status, 200, await r.clone().text());
  return ((await r.json()) as { data: { providers: Array<Record<string, unknown>>; catalog: { version: number } } })
    .data;
}

async function listIds(key?: string): Promise<Map<string, Record<string, unknown>>> {
  const r = await gw.fetch('/models?output_modalities=all', { key });
  assert.equal(r.status, 200);
  const body = (await r.json()) as { data: Array<Record<string, unknown>> };
  return new Map(body.data.map((m) => [m.id as string, m]));
}

function chat(model: string, key?: string) {
  return gw.fetch('/chat/completions', {
    method: 'POST',
    key,
    json: { model, messages: [{ role: 'user', content: 'hi' }] },
  });
}

test('a model released upstream is listed with its price and answers chat after a sync, without a restart', async () => {
  const before = gw.app.catalogVersion;
  assert.equal((await chat('openai/gpt-sim-9')).status, 404);
  sims.openai.release({
    id: 'gpt-sim-9',
    name: 'GPT Sim 9',
    cost: { input: 2, output: 8 },
    limit: { context: 200_000, output: 32_000 },
  });
  const t0 = Math.floor(Date.now() / 1000);
  const status = await sync();
  assert.ok(status.catalog.version > before);
  const openai = status.providers.find((p) => p.id === 'openai')!;
  assert.equal(openai.last_error, null);
  assert.ok((openai.models_added as number) >= 1);
  const m = (await listIds(userKey)).get('openai/gpt-sim-9');
  assert.ok(m, 'listed to a user key');
  assert.deepEqual((m.pricing as Record<string, string>).prompt, '0.000002');
  assert.deepEqual((m.pricing as Record<string, string>).completion, '0.000008');
  assert.equal(m.context_length, 200_000);
  assert.ok((m.created as number) >= t0 - 1);
  const r = await chat('openai/gpt-sim-9', userKey);
  assert.equal(r.status, 200, await r.clone().text());
  const body = (await r.json()) as { model: string; usage: { cost: number } };
  assert.equal(body.model, 'openai/gpt-sim-9');
  assert.ok(body.usage.cost > 0, 'billed at the synced price');
  assert.ok(
    sims.openai.requests.some((q) => q.method === 'GET' && q.path === '/v1/models'),
    'the sync asked the provider',
  );
});

test('a model without a known price is listed only to operator/admin keys, marked, and refused with model_unpriced', async () => {
  sims.anthropic.listPageSize(2);
  sims.anthropic.release('claude-sim-unpriced');
  await sync();
  const pages = sims.anthropic.requests.filter((q) => q.path === '/v1/models');
  assert.ok(pages.length >= 3, `paged through the list (${pages.length} pages)`);
  assert.ok(
    pages.some((q) => q.query.after_id),
    'followed after_id',
  );
  assert.equal((await listIds(userKey)).has('anthropic/claude-sim-unpriced'), false);
  const admin = (await listIds()).get('anthropic/claude-sim-unpriced');
  assert.ok(admin, 'listed to the operator');
  assert.equal(admin.unpriced, true);
  const r = await chat('anthropic/claude-sim-unpriced', userKey);
  assert.equal(r.status, 400);
  const e = ((await r.json()) as { error: { metadata: { code: string }; message: string } }).error;
  assert.equal(e.metadata.code, 'model_unpriced');
  assert.match(e.message, /provider "anthropic"/);
  assert.match(e.message, /models: \[\{id: "anthropic\/claude-sim-unpriced"/);
  assert.equal(sims.anthropic.requests.filter((q) => q.path === '/v1/messages').length, 0, 'never sent upstream');
});

test('a provider whose list call fails keeps its models and its status shows the error', async () => {
  sims.gemini.listPageSize(3);
  sims.gemini.release('gemini-sim-x');
  await sync();
  assert.ok(
    sims.gemini.requests.some((q) => q.query.pageToken),
    'followed nextPageToken',
  );
  assert.ok((await listIds()).has('google/gemini-sim-x'));
  sims.gemini.script({ match: { path: '/v1beta/models' }, status: 500, times: 1 });
  const status = await sync();
  const google = status.providers.find((p) => p.id === 'google')!;
  assert.match(String(google.last_error), /HTTP 500/);
  assert.ok((await listIds()).has('google/gemini-sim-x'), 'kept');
  const st = await gw.fetch('/catalog/status');
  assert.equal(st.status, 200);
  const g2 = ((await st.json()) as { data: { providers: Array<Record<string, unknown>> } }).data.providers.find(
    (p) => p.id === 'google',
  )!;
  assert.match(String(g2.last_error), /HTTP 500/);
  assert.ok(g2.last_success);
});

test('catalog routes are operator only', async () => {
  assert.equal((await gw.fetch('/catalog/status', { key: userKey })).status, 403);
  assert.equal((await gw.fetch('/catalog/sync', { method: 'POST', key: userKey })).status, 403);
});

test('a model the provider stops listing gets an expiration_date and, past it, answers model_deprecated', async () => {
  sims.openai.release({ id: 'gpt-sim-old', cost: { input: 1, output: 1 } });
  await sync();
  assert.equal((await chat('openai/gpt-sim-old', userKey)).status, 200);
  sims.openai.withdraw('gpt-sim-old');
  await sync();
  const one = await gw.fetch('/models/openai/gpt-sim-old', { key: userKey });
  assert.equal(one.status, 200);
  const exp = ((await one.json()) as { data: { expiration_date: string | null } }).data.expiration_date;
  assert.ok(exp, 'has an expiration date');
  const wait = Date.parse(exp) - Date.now();
  if (wait > 0) await new Promise((r) => setTimeout(r, wait + 20));
  const r = await chat('openai/gpt-sim-old', userKey);
  assert.equal(r.status, 404);
  const e = ((await r.json()) as { error: { metadata: { code: string; suggestions?: string[] } } }).error;
  assert.equal(e.metadata.code, 'model_deprecated');
  assert.equal((await listIds(userKey)).has('openai/gpt-sim-old'), false);
});

test('the synced state is saved in the data dir and served by a restart that cannot reach any provider', async () => {
  sims.openai.release({ id: 'gpt-sim-kept', cost: { input: 2, output: 8 } });
  await sync();
  assert.ok(existsSync(join(dataDir, 'catalog-synced.json')));
  const offline = await startGateway({
    config: { catalog: { sync_interval: 0 } },
    env: { OPENAI_API_KEY: 'sk-x' },
    dataDir,
  });
  try {
    // OPENAI_API_KEY makes openai "configured" with its real base URL: no sync runs (interval 0), none is needed
    const r = await offline.fetch('/models/openai/gpt-sim-kept');
    assert.equal(r.status, 200);
    assert.equal(((await r.json()) as { data: { pricing: { prompt: string } } }).data.pricing.prompt, '0.000002');
  } finally {
    await offline.close(false);
  }
});
