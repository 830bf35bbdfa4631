// GET /v1/models/providers: every listed model's providers and live stats in one answer (the console's provider
// filter and throughput sort), for the same models as GET /v1/models?output_modalities=all.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startDemoGateway, type SimSet, type TestGateway } from '../helpers/gateway.js';

let gw: TestGateway;
let sims: SimSet;
before(async () => {
  ({ gw, sims } = await startDemoGateway());
});
after(async () => {
  await gw?.close();
  await sims?.close();
});

test('the same models as the full list, each with its providers', async () => {
  const list = (await (await gw.fetch('/models?output_modalities=all')).json()) as any;
  const r = await gw.fetch('/models/providers');
  assert.equal(r.status, 200);
  const body = (await r.json()) as any;
  assert.deepEqual(
    body.data.map((m: any) => m.id),
    list.data.map((m: any) => m.id),
  );
  const gpt = body.data.find((m: any) => m.id === 'openai/gpt-4o');
  assert.ok(gpt.endpoints.some((e: any) => e.provider === 'openai' && e.provider_name === 'OpenAI'));
  for (const e of gpt.endpoints) {
    assert.equal(e.circuit, 'closed');
    assert.equal(e.throughput_last_30m, null, 'no traffic yet');
  }
});

test('live stats after traffic; an account limited to one provider sees only it', async () => {
  const chat = await gw.fetch('/chat/completions', {
    method: 'POST',
    json: { model: 'openai/gpt-4o', messages: [{ role: 'user', content: 'hi' }] },
  });
  assert.equal(chat.status, 200);
  const body = (await (await gw.fetch('/models/providers')).json()) as any;
  const ep = body.data.find((m: any) => m.id === 'openai/gpt-4o').endpoints.find((e: any) => e.provider === 'openai');
  assert.equal(ep.uptime_last_30m, 100);
  assert.ok(ep.throughput_last_30m.p50 > 0);

  const acct = (await (
    await gw.fetch('/accounts', { method: 'POST', json: { name: 'only anthropic', enabled_providers: ['anthropic'] } })
  ).json()) as any;
  const made = (await (
    await gw.fetch('/keys', { method: 'POST', json: { name: 'u', account_id: acct.data.id } })
  ).json()) as any;
  const limited = (await (await gw.fetch('/models/providers', { key: made.key })).json()) as any;
  assert.ok(limited.data.length > 0);
  for (const m of limited.data) for (const e of m.endpoints) assert.equal(e.provider, 'anthropic');
  assert.equal((await gw.fetch('/models/providers', { key: null })).status, 401);
});
