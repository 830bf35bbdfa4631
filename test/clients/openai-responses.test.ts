// The official openai SDK's Responses API (responses.create, streamed and not, responses.stream) against the demo
// gateway's /v1/responses, for an OpenAI, an Anthropic and a Gemini model: text, a function tool round trip,
// reasoning carried between turns, usage and a cost the ledger agrees with, and errors as the SDK's classes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import type { FunctionTool, ResponseInputItem } from 'openai/resources/responses/responses';
import { startDemoGateway, type SimSet, type TestGateway } from '../helpers/gateway.js';

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

const MODELS = ['openai/gpt-4o-mini', 'anthropic/claude-sonnet-4.5', 'google/gemini-2.5-flash'];
const weather: FunctionTool = {
  type: 'function',
  name: 'get_weather',
  description: 'Weather for a city',
  parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  strict: false,
};

async function ledger(respId: string): Promise<{ total_cost: number; streamed: boolean }> {
  const gen = `gen-${respId.replace(/^resp_/, '')}`;
  const res = await gw.fetch(`/generation?id=${encodeURIComponent(gen)}`);
  assert.equal(res.status, 200, `generation ${gen}`);
  return ((await res.json()) as { data: { total_cost: number; streamed: boolean } }).data;
}

const cost = (r: { usage?: unknown }) => (r.usage as { cost: number }).cost;

for (const model of MODELS) {
  test(`responses.create answers for ${model}, streamed and not, at the same cost the ledger records`, async () => {
    const ask = { model, instructions: 'Be brief.', input: 'hello there', max_output_tokens: 200 };
    const r = await client.responses.create(ask);
    assert.equal(r.object, 'response');
    assert.equal(r.status, 'completed');
    assert.equal(r.model, model);
    assert.ok(r.output_text.length > 0);
    assert.ok(r.usage && r.usage.input_tokens > 0 && r.usage.output_tokens > 0);
    assert.equal((await ledger(r.id)).total_cost, cost(r));

    const types: string[] = [];
    const stream = await client.responses.create({ ...ask, stream: true });
    let done: OpenAI.Responses.Response | null = null;
    let text = '';
    for await (const ev of stream) {
      types.push(ev.type);
      if (ev.type === 'response.output_text.delta') text += ev.delta;
      if (ev.type === 'response.completed') done = ev.response;
    }
    assert.equal(types[0], 'response.created');
    assert.equal(types.at(-1), 'response.completed');
    assert.ok(types.includes('response.output_item.added') && types.includes('response.output_text.done'));
    assert.ok(done);
    assert.equal(text, r.output_text);
    assert.equal(cost(done), cost(r));
    const row = await ledger(done.id);
    assert.equal(row.streamed, true);
    assert.equal(row.total_cost, cost(r));
  });

  test(`a function tool round trip through responses.stream for ${model}`, async () => {
    const input: ResponseInputItem[] = [{ role: 'user', content: 'weather in Paris?' }];
    // asking for reasoning routes to endpoints that reason: gpt-4o-mini has none
    const reasoning = model === 'openai/gpt-4o-mini' ? {} : { reasoning: { effort: 'low' as const } };
    const first = await client.responses.stream({ model, input, tools: [weather], ...reasoning }).finalResponse();
    const call = first.output.find((o) => o.type === 'function_call');
    assert.ok(call && call.type === 'function_call', JSON.stringify(first.output));
    assert.equal(call.name, 'get_weather');
    assert.equal(typeof (JSON.parse(call.arguments) as { city?: unknown }).city, 'string');
    // the whole output goes back (reasoning items carry the provider's signatures), then the tool's answer
    const second = await client.responses.create({
      model,
      tools: [weather],
      ...reasoning,
      input: [
        ...input,
        ...(first.output as ResponseInputItem[]),
        { type: 'function_call_output', call_id: call.call_id, output: 'sunny, 21C' },
      ],
    });
    assert.equal(second.status, 'completed');
    assert.match(second.output_text, /sunny, 21C/);
  });
}

test('json_schema text format, store:false, and the refusals ARouter states', async () => {
  const r = await client.responses.create({
    model: 'openai/gpt-4o-mini',
    input: 'a city',
    store: false,
    text: {
      format: {
        type: 'json_schema',
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
  });
  assert.equal(typeof (JSON.parse(r.output_text) as { name?: unknown }).name, 'string');
  await assert.rejects(
    client.responses.create({ model: 'openai/gpt-4o-mini', input: 'more', previous_response_id: r.id }),
    (e: unknown) => e instanceof OpenAI.BadRequestError && e.param === 'previous_response_id',
  );
  await assert.rejects(
    client.responses.create({ model: 'no/such-model', input: 'hi' }),
    (e: unknown) => e instanceof OpenAI.NotFoundError && /no\/such-model/.test(e.message),
  );
  const bad = new OpenAI({ apiKey: 'lr_live_wrong', baseURL: gw.url, maxRetries: 0 });
  await assert.rejects(bad.responses.create({ model: MODELS[0], input: 'hi' }), OpenAI.AuthenticationError);
});
