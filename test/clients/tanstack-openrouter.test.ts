// TanStack AI with its OpenRouter adapter (@tanstack/ai-openrouter, which drives its own copy of @openrouter/sdk)
// against the demo gateway: a streamed chat, a non-stream one, tools, reasoning, and an error with our message.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { chat, toolDefinition } from '@tanstack/ai';
import { createOpenRouterText } from '@tanstack/ai-openrouter';
import { startDemoGateway, type SimSet, type TestGateway } from '../helpers/gateway.js';

let gw: TestGateway;
let sims: SimSet;
before(async () => {
  ({ gw, sims } = await startDemoGateway());
});
after(async () => {
  await gw.close();
  await sims.close();
});

// the upstream model name the simulators answer with (the catalog's, so the test follows catalog updates)
const upstream = (id: string) => gw.app.catalog.get(id)!.endpoints[0].model;

// the adapter types `model` as OpenRouter's own model list; ours are the same ids
type Model = Parameters<typeof createOpenRouterText>[0];
const adapter = (model: string) => createOpenRouterText(model as Model, gw.adminKey, { serverURL: gw.url });

interface Ev {
  type: string;
  delta?: string;
  message?: string;
  toolName?: string;
  rawEvent?: { code?: number; metadata?: { code?: string } };
}

async function events(model: string, content: string, extra: Record<string, unknown> = {}): Promise<Ev[]> {
  const out: Ev[] = [];
  const stream = chat({
    adapter: adapter(model),
    messages: [{ role: 'user', content }],
    ...extra,
  }) as AsyncIterable<Ev>;
  for await (const e of stream) out.push(e);
  return out;
}

const joined = (evs: Ev[], type: string) =>
  evs
    .filter((e) => e.type === type)
    .map((e) => e.delta)
    .join('');

test('streamed chat: text events, the run finishes', async () => {
  const evs = await events('openai/gpt-4o-mini', 'hi');
  assert.equal(joined(evs, 'TEXT_MESSAGE_CONTENT'), `Hello from ${upstream('openai/gpt-4o-mini')}. You said: hi`);
  assert.equal(evs.at(-1)?.type, 'RUN_FINISHED');
  assert.ok(!evs.some((e) => e.type === 'RUN_ERROR'));
});

test('non-stream chat returns the text', async () => {
  const text = await chat({
    adapter: adapter('google/gemini-2.5-flash'),
    messages: [{ role: 'user', content: 'hi' }],
    stream: false,
  });
  assert.equal(text, `Hello from ${upstream('google/gemini-2.5-flash')}. You said: hi`);
});

test('tools: the call is announced with its name', async () => {
  const weather = toolDefinition({
    name: 'weather',
    description: 'Weather by city',
    inputSchema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  });
  const evs = await events('anthropic/claude-sonnet-4.5', 'weather in Paris?', { tools: [weather] });
  assert.ok(
    evs.some((e) => e.type === 'TOOL_CALL_START' && e.toolName === 'weather'),
    evs.map((e) => e.type).join(','),
  );
});

for (const model of ['openai/o4-mini', 'anthropic/claude-sonnet-4.5', 'google/gemini-2.5-flash']) {
  test(`reasoning arrives once: ${model}`, async () => {
    const evs = await events(model, 'think', { modelOptions: { reasoning: { effort: 'high' } } });
    assert.equal(joined(evs, 'REASONING_MESSAGE_CONTENT'), 'The user said "think". A short, direct answer is best.');
    assert.match(joined(evs, 'TEXT_MESSAGE_CONTENT'), /^Hello from /);
  });
}

test('an error is a RUN_ERROR with our message (its SDK validated the body: code is the status)', async () => {
  const evs = await events('nope/nope', 'hi');
  const err = evs.find((e) => e.type === 'RUN_ERROR');
  assert.ok(err, evs.map((e) => e.type).join(','));
  assert.match(err.message ?? '', /"nope\/nope" not found/);
  assert.equal(err.rawEvent?.code, 404);
  assert.equal(err.rawEvent?.metadata?.code, 'model_not_found');
});
