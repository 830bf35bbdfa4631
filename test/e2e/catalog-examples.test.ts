// Issue 13 item 1 through a real listening gateway (demo upstreams): the Models page's own example ids answer
// 200 with the right model, the full list spans hundreds of models on every imported provider, each price is
// traceable to its source file in the committed catalog, and every id the hand-written catalog answered to
// still resolves (the id itself, an alias of its successor, or a retired model's 404 model_deprecated).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startDemoGateway, type SimSet, type TestGateway } from '../helpers/gateway.js';
import { loadBuiltinCatalog } from '../../src/catalog/catalog.js';

const catalog = loadBuiltinCatalog();
const handWritten = JSON.parse(
  readFileSync(new URL('../fixtures/catalog/hand-written-models.json', import.meta.url), 'utf8'),
) as Array<{ id: string }>;

let gw: TestGateway;
let sims: SimSet;
before(async () => {
  ({ gw, sims } = await startDemoGateway());
});
after(async () => {
  await gw.close();
  await sims.close();
});

async function chat(model: string) {
  const res = await gw.fetch('/chat/completions', {
    method: 'POST',
    json: { model, max_tokens: 20, messages: [{ role: 'user', content: 'Say hello' }] },
  });
  return { status: res.status, body: (await res.json()) as any };
}

test("the Models page's example ids answer 200 with the right model", async () => {
  for (const [asked, model] of [
    ['openai/gpt-5.4', 'openai/gpt-5.4'],
    ['openai/gpt-5.4:nitro', 'openai/gpt-5.4'],
    ['openai/gpt-5.4:floor', 'openai/gpt-5.4'],
    ['deepseek/deepseek-r1:thinking', 'deepseek/deepseek-r1'],
  ]) {
    const r = await chat(asked);
    assert.equal(r.status, 200, `${asked}: ${JSON.stringify(r.body)}`);
    assert.equal(r.body.model, model, asked);
  }
  const info = await gw.fetch('/models/openai/gpt-5.4');
  assert.equal(info.status, 200);
  const m = ((await info.json()) as any).data;
  assert.equal(m.pricing.prompt, '0.0000025'); // $2.50 per million in providers/openai/models/gpt-5.4.toml
  assert.equal(m.pricing.completion, '0.000015');
});

test('GET /v1/models?output_modalities=all: hundreds of models over every imported provider, no internal fields', async () => {
  const res = await gw.fetch('/models?output_modalities=all');
  assert.equal(res.status, 200);
  const text = await res.text();
  const body = JSON.parse(text) as { data: Array<{ id: string }> };
  assert.ok(body.data.length >= 300, `${body.data.length} models`);
  assert.ok(!text.includes('"source"') && !text.includes('snapshot'), 'price sources stay internal');
  const listed = new Set(body.data.map((m) => m.id));
  const providers = new Set(
    catalog.models.filter((m) => listed.has(m.id)).flatMap((m) => m.endpoints.map((e) => e.provider)),
  );
  assert.ok(providers.size >= 14, [...providers].join(', '));
});

test('every price of the built-in catalog names its source file and snapshot', () => {
  for (const m of catalog.models) {
    for (const e of m.endpoints) {
      const where = `${m.id} @ ${e.provider}`;
      assert.ok(e.source, `${where}: no source`);
      if (e.source.snapshot === 'curated') assert.equal(e.source.file, 'scripts/catalog-overrides.json', where);
      else {
        assert.match(e.source.file, /^(providers\/[^/]+\/models\/|models\/).+\.toml$/, where);
        assert.match(e.source.snapshot, /^[0-9a-f]{7} \d{4}-\d{2}-\d{2}$/, where);
      }
    }
  }
});

test('every id of the hand-written catalog still resolves', async () => {
  for (const { id } of handWritten) {
    const res = await gw.fetch(`/models/${id}`);
    if (res.status === 200) continue;
    // a retired model: kept past its expiration date so that chat says why
    const r = await chat(id);
    assert.equal(r.status, 404, id);
    assert.equal(r.body.error.metadata.code, 'model_deprecated', `${id}: ${JSON.stringify(r.body)}`);
  }
});
