// LangChain's OpenRouter chat model (@langchain/openrouter) against the demo gateway: invoke, stream, tools,
// reasoning, and a typed error with our message.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ChatOpenRouter, OpenRouterAuthError, OpenRouterError } from '@langchain/openrouter';
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

const chat = (model: string, apiKey = gw.adminKey) =>
  new ChatOpenRouter({ model, apiKey, baseURL: gw.url, maxRetries: 0 });

test('invoke and stream', async () => {
  const r = await chat('openai/gpt-4o-mini').invoke('hi');
  assert.equal(r.content, `Hello from ${upstream('openai/gpt-4o-mini')}. You said: hi`);
  let text = '';
  for await (const c of await chat('google/gemini-2.5-flash').stream('hi')) text += String(c.content);
  assert.equal(text, `Hello from ${upstream('google/gemini-2.5-flash')}. You said: hi`);
});

test('tools: bound tools come back as tool_calls with parsed arguments', async () => {
  const m = chat('anthropic/claude-sonnet-4.5').bindTools([
    {
      type: 'function',
      function: {
        name: 'weather',
        description: 'Weather by city',
        parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
      },
    },
  ]);
  const r = await m.invoke('weather in Paris?');
  assert.equal(r.tool_calls?.length, 1);
  assert.equal(r.tool_calls![0].name, 'weather');
  assert.deepEqual(r.tool_calls![0].args, { city: 'example' });
});

test('reasoning (through modelKwargs): the text arrives in additional_kwargs.reasoning_content, streamed once', async () => {
  const m = new ChatOpenRouter({
    model: 'anthropic/claude-sonnet-4.5',
    apiKey: gw.adminKey,
    baseURL: gw.url,
    maxRetries: 0,
    modelKwargs: { reasoning: { effort: 'high' } },
  });
  const r = await m.invoke('think');
  assert.match(String(r.content), /^Hello from claude/);
  assert.equal(r.additional_kwargs.reasoning_content, 'The user said "think". A short, direct answer is best.');
  assert.equal((sims.anthropic.requests.at(-1)!.body as { thinking?: { type: string } }).thinking?.type, 'enabled');
  let reasoning = '';
  for await (const c of await m.stream('think')) reasoning += String(c.additional_kwargs.reasoning_content ?? '');
  assert.equal(reasoning, 'The user said "think". A short, direct answer is best.');
});

test('errors: 404 and 401 are OpenRouterError / OpenRouterAuthError with our message and status', async () => {
  const nf = await chat('nope/nope')
    .invoke('hi')
    .then(
      () => null,
      (e: unknown) => e,
    );
  assert.ok(OpenRouterError.isInstance(nf), String(nf));
  assert.equal(nf.statusCode, 404);
  assert.equal(nf.code, 404);
  assert.match(nf.message, /"nope\/nope" not found/);
  assert.equal((nf.metadata as { code?: string }).code, 'model_not_found');
  const bad = await chat('openai/gpt-4o-mini', 'lr_live_notakey000000000000000000000000000')
    .invoke('hi')
    .then(
      () => null,
      (e: unknown) => e,
    );
  assert.ok(OpenRouterAuthError.isInstance(bad), String(bad));
  assert.match(bad.message, /Invalid API key/);
});
