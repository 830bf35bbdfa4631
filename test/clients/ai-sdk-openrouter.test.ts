// The AI SDK (`ai`) with OpenRouter's provider (@openrouter/ai-sdk-provider) against the demo gateway: text,
// stream, tools, reasoning (each piece once, streamed or not, for all three dialects), and errors with our message.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createOpenRouter, type OpenRouterProvider } from '@openrouter/ai-sdk-provider';
import { APICallError, generateText, jsonSchema, streamText, tool } from 'ai';
import { startDemoGateway, type SimSet, type TestGateway } from '../helpers/gateway.js';

let gw: TestGateway;
let sims: SimSet;
let or: OpenRouterProvider;
before(async () => {
  ({ gw, sims } = await startDemoGateway());
  or = createOpenRouter({ apiKey: gw.adminKey, baseURL: gw.url });
});
after(async () => {
  await gw.close();
  await sims.close();
});

// the upstream model name the simulators answer with (the catalog's, so the test follows catalog updates)
const upstream = (id: string) => gw.app.catalog.get(id)!.endpoints[0].model;

// the simulators' fixed reasoning text (src/sim README "Deterministic answers")
const THOUGHT = 'The user said "think". A short, direct answer is best.';

test('generateText and streamText', async () => {
  const r = await generateText({ model: or('openai/gpt-4o-mini'), prompt: 'hi' });
  assert.equal(r.text, `Hello from ${upstream('openai/gpt-4o-mini')}. You said: hi`);
  assert.equal(r.finishReason, 'stop');
  assert.ok((r.usage.inputTokens ?? 0) > 0);
  const s = streamText({ model: or('openai/gpt-4o-mini'), prompt: 'hi' });
  let text = '';
  for await (const t of s.textStream) text += t;
  assert.equal(text, r.text);
});

test('tools: the call comes back typed with its arguments', async () => {
  const weather = tool({
    description: 'Weather by city',
    inputSchema: jsonSchema<{ city: string }>({
      type: 'object',
      properties: { city: { type: 'string' } },
      required: ['city'],
    }),
  });
  const r = await generateText({
    model: or('anthropic/claude-sonnet-4.5'),
    prompt: 'weather in Paris?',
    tools: { weather },
  });
  assert.equal(r.toolCalls.length, 1);
  assert.equal(r.toolCalls[0].toolName, 'weather');
  assert.deepEqual(r.toolCalls[0].input, { city: 'example' });
});

for (const model of ['openai/o4-mini', 'anthropic/claude-sonnet-4.5', 'google/gemini-2.5-flash']) {
  test(`reasoning once, not twice: ${model}`, async () => {
    const providerOptions = { openrouter: { reasoning: { effort: 'high' as const } } };
    const r = await generateText({ model: or(model), prompt: 'think', providerOptions });
    assert.equal(r.reasoningText, THOUGHT);
    const s = streamText({ model: or(model), prompt: 'think', providerOptions });
    let reasoning = '';
    let text = '';
    for await (const p of s.fullStream) {
      if (p.type === 'reasoning-delta') reasoning += p.text;
      if (p.type === 'text-delta') text += p.text;
      if (p.type === 'error') throw p.error;
    }
    assert.equal(reasoning, THOUGHT);
    assert.match(text, /^Hello from /);
  });
}

test('a streamed Anthropic reasoning, echoed back by the provider, replays as one signed thinking block', async () => {
  const providerOptions = { openrouter: { reasoning: { effort: 'high' as const } } };
  const first = streamText({ model: or('anthropic/claude-sonnet-4.5'), prompt: 'think', providerOptions });
  await first.consumeStream();
  sims.resetAll();
  const messages = [
    { role: 'user' as const, content: 'think' },
    ...(await first.response).messages,
    { role: 'user' as const, content: 'again' },
  ];
  await generateText({ model: or('anthropic/claude-sonnet-4.5'), messages, providerOptions });
  const sent = sims.anthropic.requests[0].body as {
    messages: Array<{ role: string; content: Array<Record<string, unknown>> }>;
  };
  const thinking = sent.messages[1].content.filter((b) => b.type === 'thinking');
  assert.equal(thinking.length, 1);
  assert.equal(thinking[0].thinking, THOUGHT);
  assert.ok(typeof thinking[0].signature === 'string' && thinking[0].signature !== '');
});

test('errors: our message and status in APICallError; a failing stream reports the in-band error', async () => {
  const err = await generateText({ model: or('nope/nope'), prompt: 'hi', maxRetries: 0 }).then(
    () => null,
    (e: unknown) => e,
  );
  assert.ok(APICallError.isInstance(err), String(err));
  assert.equal(err.statusCode, 404);
  assert.match(err.message, /"nope\/nope" not found/);

  sims.openai.script({ match: { model: upstream('openai/gpt-4o-mini') }, errorEventMidStream: true });
  const s = streamText({ model: or('openai/gpt-4o-mini'), prompt: 'hi', maxRetries: 0, onError: () => {} });
  const seen: string[] = [];
  for await (const p of s.fullStream) {
    if (p.type === 'error') seen.push(String((p.error as Error).message));
    if (p.type === 'finish') seen.push(`finish:${p.finishReason}`);
  }
  assert.equal(seen.length, 2, seen.join(' | '));
  assert.match(seen[0], /OpenAI/);
  assert.equal(seen[1], 'finish:error');
});
