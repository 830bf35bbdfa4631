// A 5,000-model synced catalog: loaded from the data dir at start, GET /v1/models answered from memory, the list
// built once per catalog version (counted, not timed), rebuilt once after a swap.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startGateway } from '../helpers/gateway.js';
import { emptyState, saveSyncedState } from '../../src/catalog/sync/state.js';

const N = 5_000;
const DEAD = { openai: 'http://127.0.0.1:9/v1', anthropic: 'http://127.0.0.1:9', gemini: 'http://127.0.0.1:9/v1beta' };

test(`a ${N}-model synced catalog: /v1/models is built once per catalog version`, async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'arouter-scale-'));
  const state = emptyState();
  const price = {
    prompt: '0.000001',
    completion: '0.000002',
    request: '0',
    image: '0',
    web_search: '0',
    internal_reasoning: '0',
    input_cache_read: '0',
    input_cache_write: '0',
  };
  const models: Record<string, { id: string; first_seen: number; pricing: typeof price }> = {};
  for (let i = 0; i < N; i++)
    models[`scale-model-${i}`] = { id: `scale-model-${i}`, first_seen: 1_700_000_000 + i, pricing: price };
  state.providers.openai = { last_sync: null, last_success: null, last_error: null, models, removed: {} };
  saveSyncedState(dataDir, state);
  const gw = await startGateway({ demoUpstreams: DEAD, dataDir });
  try {
    assert.ok(gw.app.catalog.models.length >= N);
    // the key directory's first poll reads back this process's own first-start account and drops the list cache
    // (an account change): let it happen before counting
    await gw.app.directory.refresh();
    const builds0 = gw.app.modelListBuilds;
    const get = async () => {
      const r = await gw.fetch('/models');
      assert.equal(r.status, 200);
      return ((await r.json()) as { data: unknown[] }).data.length;
    };
    const n1 = await get();
    assert.ok(n1 >= N, `listed ${n1}`);
    assert.equal(await get(), n1);
    assert.equal(await get(), n1);
    assert.equal(gw.app.modelListBuilds - builds0, 1, 'built once for three requests');
    // a sync swaps the catalog: the next request builds once more, then the cache serves again
    const v = gw.app.catalogVersion;
    gw.app.setCatalog(gw.app.catalogSync.build());
    assert.equal(gw.app.catalogVersion, v + 1);
    assert.equal(await get(), n1);
    assert.equal(await get(), n1);
    assert.equal(gw.app.modelListBuilds - builds0, 2);
  } finally {
    await gw.close(false);
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('a request planned before a swap keeps the catalog it planned with', async () => {
  const gw = await startGateway({ demoUpstreams: DEAD });
  try {
    const old = gw.app.catalog;
    const m = old.get('openai/gpt-4o-mini') ?? old.models[0];
    gw.app.setCatalog(gw.app.catalogSync.build());
    assert.notEqual(gw.app.catalog, old, 'a new object');
    assert.equal(old.get(m.id), m, 'the old one is untouched');
    assert.notEqual(gw.app.catalog.get(m.id), m, 'no object is shared between versions');
  } finally {
    await gw.close();
  }
});
