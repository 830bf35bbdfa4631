// The simulators' model lists: each dialect's list format with paging, models released and withdrawn at run
// time (in process and over HTTP), and the models.dev-format metadata document.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startSimUpstream } from '../../src/sim/index.js';
import { ANTHROPIC_DEFAULT_MODELS } from '../../src/sim/anthropic.js';
import { GEMINI_DEFAULT_MODELS } from '../../src/sim/gemini.js';
import { http } from './helpers.js';

const A_HEADERS = { 'x-api-key': 'k', 'anthropic-version': '2023-06-01' };

test('anthropic: limit / after_id pages with has_more, first_id, last_id', async () => {
  const sim = await startSimUpstream({ dialect: 'anthropic' });
  try {
    const ids: string[] = [];
    let after: string | null = null;
    for (let i = 0; i < 10; i++) {
      const r = await http(`${sim.url}/v1/models?limit=2${after ? `&after_id=${after}` : ''}`, { headers: A_HEADERS });
      assert.equal(r.status, 200);
      assert.ok(r.json.data.length <= 2);
      assert.equal(r.json.first_id, r.json.data[0].id);
      assert.equal(r.json.last_id, r.json.data[r.json.data.length - 1].id);
      ids.push(...r.json.data.map((m: { id: string }) => m.id));
      if (!r.json.has_more) break;
      after = r.json.last_id;
    }
    assert.deepEqual(ids, ANTHROPIC_DEFAULT_MODELS);
    assert.equal((await http(`${sim.url}/v1/models?limit=0`, { headers: A_HEADERS })).status, 400);
  } finally {
    await sim.close();
  }
});

test('gemini: pageSize / pageToken pages with nextPageToken', async () => {
  const sim = await startSimUpstream({ dialect: 'gemini' });
  try {
    const names: string[] = [];
    let token: string | null = null;
    for (let i = 0; i < 10; i++) {
      const r = await http(`${sim.url}/models?pageSize=4${token ? `&pageToken=${token}` : ''}`, {
        headers: { 'x-goog-api-key': 'k' },
      });
      assert.equal(r.status, 200);
      names.push(...r.json.models.map((m: { name: string }) => m.name));
      token = r.json.nextPageToken ?? null;
      if (!token) break;
    }
    assert.deepEqual(
      names,
      GEMINI_DEFAULT_MODELS.map((m) => `models/${m}`),
    );
  } finally {
    await sim.close();
  }
});

test('release and withdraw a model, in process and over HTTP; the metadata document prices released models', async () => {
  const sim = await startSimUpstream({ dialect: 'openai', models: ['gpt-4o'] });
  const origin = sim.url.replace(/\/v1$/, '');
  const auth = { authorization: 'Bearer k' };
  const list = async () =>
    (await http(`${sim.url}/models`, { headers: auth })).json.data.map((m: { id: string }) => m.id);
  const chat = (model: string) =>
    http(`${sim.url}/chat/completions`, {
      headers: auth,
      body: { model, messages: [{ role: 'user', content: 'hi' }] },
    });
  try {
    assert.equal((await chat('gpt-new')).status, 404);
    sim.release('gpt-new');
    assert.deepEqual(await list(), ['gpt-4o', 'gpt-new']);
    assert.equal((await chat('gpt-new')).status, 200);
    assert.equal(
      (await http(`${origin}/__sim/models`, { body: { id: 'gpt-priced', cost: { input: 1.5, output: 6 } } })).status,
      200,
    );
    assert.deepEqual(await list(), ['gpt-4o', 'gpt-new', 'gpt-priced']);
    const meta = (await http(`${origin}/__sim/metadata`)).json;
    assert.deepEqual(Object.keys(meta.openai.models), ['gpt-priced']);
    assert.deepEqual(meta.openai.models['gpt-priced'].cost, { input: 1.5, output: 6 });
    assert.equal((await http(`${origin}/__sim/models/gpt-4o`, { method: 'DELETE' })).status, 200);
    assert.deepEqual(await list(), ['gpt-new', 'gpt-priced']);
    assert.equal((await chat('gpt-4o')).status, 404);
    assert.equal((await http(`${origin}/__sim/models`, { body: { name: 'no id' } })).status, 400);
    assert.equal((await http(`${origin}/__sim/models`, { body: 'x' })).status, 400);
    sim.reset();
    assert.deepEqual(await list(), ['gpt-4o']);
  } finally {
    await sim.close();
  }
});
