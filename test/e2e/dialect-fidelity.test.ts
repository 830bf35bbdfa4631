// Issue 15 item 7 through the gateway: requests the official specs' checks found wrong reach each dialect's
// simulated upstream (which refuses what the real one refuses) in a shape it accepts, driven by the openai SDK.
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { startDemoGateway, type SimSet, type TestGateway } from '../helpers/gateway.js';

let gw: TestGateway;
let sims: SimSet;
let client: OpenAI;
before(async () => {
  ({ gw, sims } = await startDemoGateway());
  client = new OpenAI({ baseURL: gw.url, apiKey: gw.adminKey, maxRetries: 0 });
});
after(async () => {
  await gw.close();
  await sims.close();
});
beforeEach(() => sims.resetAll());

type Body = Record<string, any>;
const fn = (name: string) => ({
  type: 'function' as const,
  function: { name, description: name, parameters: { type: 'object', properties: { city: { type: 'string' } } } },
});
const JPG = 'data:image/jpg;base64,/9j/4AAQSkZJRgABAQ==';

// everything the independent check flagged, in one request
const REQUEST = {
  messages: [
    {
      role: 'user',
      content: [
        { type: 'text', text: 'Weather in Paris?' },
        { type: 'image_url', image_url: { url: JPG } },
      ],
    },
  ],
  temperature: 0.3,
  top_p: 0.9,
  presence_penalty: 0.5,
  frequency_penalty: 0.25,
  logit_bias: { '50256': -100 },
  service_tier: 'flex',
  prompt_cache_key: 'tenant-42',
  safety_identifier: 'user-hash-1',
  store: false,
  metadata: { run: 'nightly' },
  tools: [fn('get_weather'), fn('get_time')],
  tool_choice: {
    type: 'allowed_tools',
    allowed_tools: { mode: 'required', tools: [{ type: 'function', function: { name: 'get_weather' } }] },
  },
};

const create = (model: string, extra: Body = {}) =>
  client.chat.completions.create({
    model,
    ...REQUEST,
    ...extra,
  } as unknown as OpenAI.Chat.Completions.ChatCompletionCreateParamsNonStreaming);

test('openai: OpenAI options, logit_bias and allowed_tools reach OpenAI as sent; system_fingerprint is a string', async () => {
  const r = await create('openai/gpt-4o');
  assert.equal(r.choices[0].finish_reason, 'tool_calls');
  assert.equal(
    r.choices[0].message.tool_calls?.[0].type === 'function' && r.choices[0].message.tool_calls[0].function.name,
    'get_weather',
  );
  assert.equal(typeof r.system_fingerprint, 'string');
  const body = sims.openai.requests[0].body as Body;
  for (const k of ['service_tier', 'prompt_cache_key', 'safety_identifier', 'store', 'metadata', 'logit_bias'])
    assert.deepEqual(body[k], (REQUEST as Body)[k], k);
  assert.deepEqual(body.tool_choice, REQUEST.tool_choice);
});

test('anthropic: temperature without top_p, allowed tools only, max_tokens 8192 by default', async () => {
  const r = await create('anthropic/claude-sonnet-4.5');
  assert.equal(r.choices[0].finish_reason, 'tool_calls');
  const body = sims.anthropic.requests[0].body as Body;
  assert.equal(body.temperature, 0.3);
  assert.equal('top_p' in body, false);
  assert.equal(body.max_tokens, 8192);
  assert.deepEqual(
    body.tools.map((t: Body) => t.name),
    ['get_weather'],
  );
  assert.deepEqual(body.tool_choice, { type: 'any' });
  for (const k of ['service_tier', 'prompt_cache_key', 'logit_bias', 'store']) assert.equal(k in body, false, k);
});

test('gemini: no penalties for 2.5, image/jpeg, allowed tools only, thinking budget in Pro’s range', async () => {
  const r = await create('google/gemini-2.5-pro', { reasoning: { max_tokens: 50 } });
  assert.equal(r.choices[0].finish_reason, 'tool_calls');
  const body = sims.gemini.requests[0].body as Body;
  const gc = body.generationConfig;
  assert.equal('presencePenalty' in gc || 'frequencyPenalty' in gc, false);
  assert.equal(gc.thinkingConfig.thinkingBudget, 128);
  assert.equal(body.contents[0].parts[1].inlineData.mimeType, 'image/jpeg');
  assert.deepEqual(
    body.tools[0].functionDeclarations.map((d: Body) => d.name),
    ['get_weather'],
  );
  assert.deepEqual(body.toolConfig, { functionCallingConfig: { mode: 'ANY' } });
});
