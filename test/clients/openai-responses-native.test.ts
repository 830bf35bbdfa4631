// The Responses API reaching OpenAI natively: the official openai SDK's responses.create against the demo gateway on
// OpenAI models, asserting through the simulated upstream what OpenAI really received (POST /v1/responses with the
// client's own fields, store:false, the endpoint's model id, OpenAI's own reasoning items back), that chat clients
// still go through /v1/chat/completions, and that a failing OpenAI endpoint falls back to Anthropic as before.
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import type { FunctionTool, ResponseInputItem } from 'openai/resources/responses/responses';
import { localTinyConfig, startDemoGateway, startGateway, type SimSet, type TestGateway } from '../helpers/gateway.js';
import { startSimUpstream, type RecordedRequest } from '../../src/sim/index.js';

let gw: TestGateway;
let sims: SimSet;
let client: OpenAI;

before(async () => {
  ({ gw, sims } = await startDemoGateway());
  client = new OpenAI({ apiKey: gw.adminKey, baseURL: gw.url, maxRetries: 0 });
});
after(async () => {
  await gw.close();
  await sims.close();
});
beforeEach(() => sims.resetAll());

type Obj = Record<string, unknown>;
const weather: FunctionTool = {
  type: 'function',
  name: 'get_weather',
  description: 'Weather for a city',
  parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  strict: false,
};

function upstream(): RecordedRequest[] {
  return sims.openai.requests.filter((r) => r.method === 'POST');
}
const lastBody = (): Obj => upstream().at(-1)!.body as Obj;

async function ledgerCost(respId: string): Promise<number> {
  const res = await gw.fetch(`/generation?id=gen-${respId.replace(/^resp_/, '')}`);
  assert.equal(res.status, 200);
  return ((await res.json()) as { data: { total_cost: number } }).data.total_cost;
}
const cost = (r: { usage?: unknown }) => (r.usage as { cost: number }).cost;

test('the client request reaches /v1/responses as sent: its fields, the endpoint model, store:false, no ARouter fields', async () => {
  const ask = {
    model: 'openai/gpt-4o-mini',
    instructions: 'Be brief.',
    input: [{ role: 'user' as const, content: 'name a city' }],
    metadata: { ticket: 'T-1' },
    service_tier: 'flex' as const,
    prompt_cache_key: 'pck-1',
    safety_identifier: 'user-42',
    truncation: 'auto' as const,
    max_output_tokens: 300,
    temperature: 0.5,
    text: {
      format: {
        type: 'json_schema' as const,
        name: 'city',
        schema: {
          type: 'object',
          properties: { name: { type: 'string' } },
          required: ['name'],
          additionalProperties: false,
        },
        strict: true,
      },
    },
    store: true,
  };
  const r = await client.responses.create({ ...ask, provider: { only: ['openai'] } } as typeof ask);
  assert.equal(r.status, 'completed');
  assert.equal(typeof (JSON.parse(r.output_text) as { name?: unknown }).name, 'string');
  assert.equal((r as unknown as { store: boolean }).store, false);
  const reqs = upstream();
  assert.equal(reqs.length, 1);
  assert.equal(reqs[0].path, '/v1/responses');
  const body = reqs[0].body as Obj;
  assert.equal(body.model, 'gpt-4o-mini');
  assert.equal(body.store, false);
  assert.equal(body.stream, undefined);
  for (const k of ['instructions', 'metadata', 'service_tier', 'prompt_cache_key', 'safety_identifier', 'truncation'])
    assert.deepEqual(body[k], (ask as Obj)[k], k);
  assert.deepEqual(body.text, ask.text);
  assert.equal(body.max_output_tokens, 300);
  assert.equal(body.temperature, 0.5);
  assert.deepEqual(body.input, ask.input);
  for (const k of ['provider', 'models', 'reasoning', 'include']) assert.equal(body[k], undefined, k);
  assert.equal(await ledgerCost(r.id), cost(r));
});

test('streamed and not: the same answer at the same cost, both through /v1/responses; chat stays on chat completions', async () => {
  const ask = { model: 'openai/gpt-4o-mini', input: 'hello there', max_output_tokens: 200 };
  const r = await client.responses.create(ask);
  let text = '';
  let done: OpenAI.Responses.Response | null = null;
  const types: string[] = [];
  for await (const ev of await client.responses.create({ ...ask, stream: true })) {
    types.push(ev.type);
    if (ev.type === 'response.output_text.delta') text += ev.delta;
    if (ev.type === 'response.completed') done = ev.response;
  }
  assert.equal(types[0], 'response.created');
  assert.equal(types.at(-1), 'response.completed');
  assert.ok(done);
  assert.equal(text, r.output_text);
  assert.ok(cost(r) > 0);
  assert.equal(cost(done), cost(r));
  assert.equal(await ledgerCost(done.id), cost(r));
  assert.deepEqual(
    upstream().map((q) => [q.path, (q.body as Obj).stream ?? false]),
    [
      ['/v1/responses', false],
      ['/v1/responses', true],
    ],
  );
  await client.chat.completions.create({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });
  assert.equal(upstream().at(-1)!.path, '/v1/chat/completions');
});

for (const stream of [false, true]) {
  test(`a reasoning function-tool round trip on o4-mini (${stream ? 'streamed' : 'JSON'}): OpenAI gets its own reasoning item back`, async () => {
    const input: ResponseInputItem[] = [{ role: 'user', content: 'weather in Paris?' }];
    const ask = {
      model: 'openai/o4-mini',
      tools: [weather],
      reasoning: { effort: 'low' as const, summary: 'auto' as const },
    };
    const first = stream
      ? await client.responses.stream({ ...ask, input }).finalResponse()
      : await client.responses.create({ ...ask, input });
    const sent = lastBody();
    assert.deepEqual(sent.reasoning, { effort: 'low', summary: 'auto' });
    assert.deepEqual(sent.include, ['reasoning.encrypted_content']);
    assert.deepEqual(sent.tools, [weather]);
    const reasoning = first.output.find((o) => o.type === 'reasoning');
    assert.ok(reasoning && reasoning.type === 'reasoning', JSON.stringify(first.output));
    assert.match(reasoning.encrypted_content ?? '', /^arouter\.v1\./);
    assert.ok(reasoning.summary.length > 0);
    const call = first.output.find((o) => o.type === 'function_call');
    assert.ok(call && call.type === 'function_call');
    assert.equal(first.usage!.output_tokens_details.reasoning_tokens > 0, true);

    const second = await client.responses.create({
      ...ask,
      input: [
        ...input,
        ...(first.output as ResponseInputItem[]),
        { type: 'function_call_output', call_id: call.call_id, output: 'sunny, 21C' },
      ],
    });
    assert.equal(second.status, 'completed');
    assert.match(second.output_text, /sunny, 21C/);
    // the sim verifies its own encrypted_content (a 400 otherwise); ARouter's carry never reaches OpenAI
    const items = lastBody().input as Obj[];
    const rs = items.find((i) => i.type === 'reasoning')!;
    assert.match(String(rs.id), /^rs_/);
    assert.match(String(rs.encrypted_content), /^gAAAAB/);
    assert.ok(!JSON.stringify(items).includes('arouter.v1.'));
    assert.deepEqual(
      items.map((i) => i.type ?? 'message'),
      ['message', 'reasoning', 'function_call', 'function_call_output'],
    );
  });
}

test('custom tools reach OpenAI as custom tools; hosted tools stay dropped and named in the header', async () => {
  const tools = [
    { type: 'custom' as const, name: 'apply_patch', description: 'Apply a patch' },
    { type: 'web_search' as const },
  ];
  const res = await gw.fetch('/responses', {
    method: 'POST',
    body: JSON.stringify({ model: 'openai/gpt-4o-mini', input: 'patch it', tools }),
  });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('x-arouter-ignored-tools'), 'web_search');
  const r = (await res.json()) as { output: Obj[] };
  assert.deepEqual(lastBody().tools, [tools[0]]);
  const call = r.output.find((o) => o.type === 'custom_tool_call');
  assert.ok(call, JSON.stringify(r.output));
  assert.equal(call.name, 'apply_patch');
  assert.equal(call.input, 'example');
});

test('a failing OpenAI endpoint falls back to Anthropic (JSON and stream), which gets the canonical request as today', async () => {
  for (const stream of [false, true]) {
    sims.resetAll();
    sims.openai.script({ status: 500, match: { path: '/v1/responses' } });
    const ask = { models: ['openai/gpt-4o-mini', 'anthropic/claude-sonnet-4.5'], input: 'hello', stream };
    const res = await gw.fetch('/responses', { method: 'POST', body: JSON.stringify(ask) });
    assert.equal(res.status, 200);
    const text = await res.text();
    assert.match(text, /anthropic\/claude-sonnet-4\.5/);
    assert.equal(upstream().length, 1);
    assert.equal(upstream()[0].path, '/v1/responses');
    const a = sims.anthropic.requests.filter((q) => q.method === 'POST');
    assert.equal(a.length, 1);
    assert.equal(a[0].path, '/v1/messages');
    assert.deepEqual((a[0].body as { messages: unknown }).messages, [
      { role: 'user', content: [{ type: 'text', text: 'hello' }] },
    ]);
  }
});

test('routing still decides what the model takes: no reasoning for a model without it, no temperature for o4-mini', async () => {
  await client.responses.create({ model: 'openai/gpt-4o-mini', input: 'hi', reasoning: { effort: 'high' } });
  assert.equal(lastBody().reasoning, undefined);
  assert.equal(lastBody().include, undefined);
  await client.responses.create({ model: 'openai/o4-mini', input: 'hi', temperature: 0.2, top_p: 0.5 });
  assert.equal(lastBody().temperature, undefined);
  assert.equal(lastBody().top_p, undefined);
  assert.deepEqual(lastBody().include, ['reasoning.encrypted_content']);
});

test("an operator's provider speaks the Responses API when its entry says so (data, not a name)", async () => {
  const sim = await startSimUpstream({ dialect: 'openai' });
  sim.release('tiny-1');
  try {
    for (const flag of [true, false]) {
      const cfg = localTinyConfig(sim.url);
      cfg.providers = cfg.providers.map((p) => ({ ...(p as Obj), ...(flag ? { responses_api: true } : {}) }));
      const local = await startGateway({ env: { LOCAL_KEY: 'sk-local' }, config: cfg });
      try {
        sim.reset();
        sim.release('tiny-1');
        const res = await local.fetch('/responses', { method: 'POST', json: { model: 'local/tiny', input: 'hi' } });
        assert.equal(res.status, 200, await res.clone().text());
        assert.equal(sim.requests.at(-1)!.path, flag ? '/v1/responses' : '/v1/chat/completions');
      } finally {
        await local.close();
      }
    }
  } finally {
    await sim.close();
  }
});
