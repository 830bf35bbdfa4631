// The official Anthropic SDK (@anthropic-ai/sdk) against the demo gateway's /v1/messages, for an Anthropic, an
// OpenAI and a Gemini model: plain answers, a tool round trip, thinking (streamed, with signatures round-tripped
// on the next turn), usage and cost that match the ledger, count_tokens, and errors as the SDK's typed classes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import Anthropic from '@anthropic-ai/sdk';
import { startDemoGateway, type SimSet, type TestGateway } from '../helpers/gateway.js';

let gw: TestGateway;
let sims: SimSet;
let client: Anthropic;

before(async () => {
  ({ gw, sims } = await startDemoGateway());
  client = new Anthropic({ apiKey: gw.adminKey, baseURL: gw.url.replace(/\/v1$/, ''), maxRetries: 0 });
});
after(async () => {
  await gw.close();
  await sims.close();
});

const MODELS = ['anthropic/claude-sonnet-4.5', 'openai/gpt-4o-mini', 'google/gemini-2.5-flash'];
const weather: Anthropic.Tool = {
  name: 'get_weather',
  description: 'Weather for a city',
  input_schema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
};

async function ledgerCost(msgId: string): Promise<number> {
  const gen = msgId.replace(/^msg_/, '');
  const res = await gw.fetch(`/generation?id=${encodeURIComponent(gen)}`);
  assert.equal(res.status, 200, `generation ${gen}`);
  const body = (await res.json()) as { data: { total_cost: number } };
  return body.data.total_cost;
}

for (const model of MODELS) {
  test(`messages.create answers for ${model}, with usage and a cost the ledger agrees with`, async () => {
    const msg = await client.messages.create({
      model,
      max_tokens: 200,
      system: 'Be brief.',
      messages: [{ role: 'user', content: 'hello there' }],
    });
    assert.equal(msg.type, 'message');
    assert.equal(msg.role, 'assistant');
    assert.equal(msg.model, model);
    assert.equal(msg.stop_reason, 'end_turn');
    const text = msg.content.find((b) => b.type === 'text');
    assert.ok(text && text.type === 'text' && text.text.length > 0);
    assert.ok(msg.usage.input_tokens > 0 && msg.usage.output_tokens > 0);
    const cost = (msg.usage as unknown as { cost: number }).cost;
    assert.ok(cost > 0);
    assert.equal(await ledgerCost(msg.id), cost);
  });

  test(`a tool round trip through messages.stream for ${model}`, async () => {
    const first = await client.messages
      .stream({
        model,
        max_tokens: 300,
        tools: [weather],
        messages: [{ role: 'user', content: 'weather in Paris?' }],
      })
      .finalMessage();
    assert.equal(first.stop_reason, 'tool_use');
    const call = first.content.find((b) => b.type === 'tool_use');
    assert.ok(call && call.type === 'tool_use');
    assert.equal(call.name, 'get_weather');
    assert.equal(typeof (call.input as { city?: unknown }).city, 'string');
    const second = await client.messages.create({
      model,
      max_tokens: 300,
      tools: [weather],
      messages: [
        { role: 'user', content: 'weather in Paris?' },
        { role: 'assistant', content: first.content },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: call.id, content: 'sunny, 21C' }] },
      ],
    });
    assert.equal(second.stop_reason, 'end_turn');
    const text = second.content.find((b) => b.type === 'text');
    assert.ok(text && text.type === 'text' && text.text.includes('sunny, 21C'), JSON.stringify(second.content));
  });
}

test('thinking streams as thinking blocks with a signature, and the next turn sends them back accepted', async () => {
  const model = 'anthropic/claude-sonnet-4.5';
  const events: string[] = [];
  const stream = client.messages.stream({
    model,
    max_tokens: 2000,
    thinking: { type: 'enabled', budget_tokens: 1024 },
    tools: [weather],
    messages: [{ role: 'user', content: 'weather in Oslo?' }],
  });
  stream.on('streamEvent', (e) => events.push(e.type));
  const first = await stream.finalMessage();
  assert.equal(events[0], 'message_start');
  assert.equal(events.at(-1), 'message_stop');
  assert.ok(events.includes('content_block_delta') && events.includes('message_delta'));
  const thinking = first.content.find((b) => b.type === 'thinking');
  assert.ok(thinking && thinking.type === 'thinking' && thinking.thinking.length > 0 && thinking.signature.length > 0);
  const call = first.content.find((b) => b.type === 'tool_use');
  assert.ok(call && call.type === 'tool_use');
  // the simulated Anthropic upstream refuses a thinking block whose signature does not match its text
  const second = await client.messages.create({
    model,
    max_tokens: 2000,
    thinking: { type: 'enabled', budget_tokens: 1024 },
    tools: [weather],
    messages: [
      { role: 'user', content: 'weather in Oslo?' },
      { role: 'assistant', content: first.content },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: call.id, content: 'snow' }] },
    ],
  });
  assert.equal(second.stop_reason, 'end_turn');
});

test('streamed and non-streamed cost of the same answer are equal', async () => {
  const ask = {
    model: 'openai/gpt-4o-mini',
    max_tokens: 100,
    messages: [{ role: 'user' as const, content: 'same question' }],
  };
  const a = await client.messages.create(ask);
  const stream = client.messages.stream(ask);
  let streamedCost: number | undefined;
  stream.on('streamEvent', (e) => {
    if (e.type === 'message_delta') streamedCost = (e.usage as unknown as { cost?: number }).cost;
  });
  const b = await stream.finalMessage();
  const cost = (a.usage as unknown as { cost: number }).cost;
  assert.ok(cost > 0);
  assert.equal(streamedCost, cost);
  assert.equal(a.usage.output_tokens, b.usage.output_tokens);
  assert.equal(await ledgerCost(b.id), await ledgerCost(a.id));
});

test('count_tokens, Anthropic model names, and errors as the SDK typed classes in Anthropic shape', async () => {
  const n = await client.messages.countTokens({
    model: 'claude-sonnet-4-5-20250929',
    messages: [{ role: 'user', content: 'count these words please' }],
  });
  assert.ok(n.input_tokens > 3 && n.input_tokens < 40, String(n.input_tokens));
  const byNativeName = await client.messages.create({
    model: 'claude-sonnet-4-5-20250929',
    max_tokens: 50,
    messages: [{ role: 'user', content: 'hi' }],
  });
  assert.equal(byNativeName.model, 'anthropic/claude-sonnet-4.5');

  await assert.rejects(
    client.messages.create({ model: 'no/such-model', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] }),
    (e: unknown) => e instanceof Anthropic.NotFoundError && /no\/such-model/.test(e.message),
  );
  const bad = new Anthropic({ apiKey: 'lr_live_wrong', baseURL: gw.url.replace(/\/v1$/, ''), maxRetries: 0 });
  await assert.rejects(
    bad.messages.create({ model: MODELS[0], max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] }),
    (e: unknown) => e instanceof Anthropic.AuthenticationError,
  );
  const raw = await fetch(`${gw.url}/messages`, {
    method: 'POST',
    headers: { 'x-api-key': gw.adminKey, 'content-type': 'application/json', 'anthropic-version': '2023-06-01' },
    body: JSON.stringify({ model: MODELS[0], messages: [{ role: 'user', content: 'hi' }] }),
  });
  assert.equal(raw.status, 400);
  const body = (await raw.json()) as { type: string; error: { type: string; message: string } };
  assert.equal(body.type, 'error');
  assert.equal(body.error.type, 'invalid_request_error');
  assert.match(body.error.message, /max_tokens/);
});
