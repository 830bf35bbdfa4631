// model: "auto" through a real listening gateway. A ladder of operator-defined tier-1 models, each far
// cheaper than any catalog model and each lacking one more capability than the next, makes the auto
// router's choice certain: it must take the cheapest model that can serve the request, never a cheaper
// one that lacks what the request needs.
//   auto-a  $0.01/M  text only, no tools, no structured outputs, 8k context
//   auto-b  $0.02/M  + tools
//   auto-c  $0.03/M  + image input, response_format json_object (no strict json_schema)
//   auto-d  $0.04/M  + structured outputs (json_schema)
// A prompt longer than 8k tokens fits none of them, so a catalog model with a long context must be chosen.
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import type { SimSet, TestGateway } from '../helpers/gateway.js';
import { chat, chatCalls, generation, post, upstreamModel, startRoutingGateway } from '../helpers/routing.js';

const perM = (n: number) => (n / 1e6).toFixed(12).replace(/0+$/, '');
const pricing = (n: number) => ({
  prompt: perM(n),
  completion: perM(n),
  request: '0',
  image: '0',
  web_search: '0',
  internal_reasoning: '0',
  input_cache_read: '0',
  input_cache_write: '0',
});
function ladderModel(slug: string, priceM: number, inputs: string[], params: string[]) {
  return {
    id: `test/${slug}`,
    name: `Test ${slug}`,
    context_length: 8192,
    quality_tier: 1,
    architecture: { input_modalities: inputs, output_modalities: ['text'], tokenizer: 'llama3', instruct_type: null },
    supported_parameters: ['max_tokens', 'temperature', ...params],
    endpoints: [
      {
        provider: 'groq',
        model: slug,
        pricing: pricing(priceM),
        context_length: 8192,
        max_completion_tokens: 2048,
        quantization: null,
        is_moderated: false,
      },
    ],
  };
}
const LADDER = [
  ladderModel('auto-a', 0.01, ['text'], []),
  ladderModel('auto-b', 0.02, ['text'], ['tools', 'tool_choice']),
  ladderModel('auto-c', 0.03, ['text', 'image'], ['tools', 'tool_choice', 'response_format']),
  ladderModel('auto-d', 0.04, ['text', 'image'], ['tools', 'tool_choice', 'response_format', 'structured_outputs']),
];
const LADDER_IDS = LADDER.map((m) => m.id);

const PNG =
  'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';
const TOOLS = [
  {
    type: 'function',
    function: {
      name: 'get_weather',
      description: 'Weather by city',
      parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
    },
  },
];
const IMAGE_MSG = [
  {
    role: 'user',
    content: [
      { type: 'text', text: 'What is in this image?' },
      { type: 'image_url', image_url: { url: PNG } },
    ],
  },
];
const JSON_SCHEMA = {
  type: 'json_schema',
  json_schema: {
    name: 'answer',
    strict: true,
    schema: {
      type: 'object',
      properties: { answer: { type: 'string' } },
      required: ['answer'],
      additionalProperties: false,
    },
  },
};

let gw: TestGateway;
let sims: SimSet;
/**
 * A key whose account enables groq (the ladder), openai and google only: the route lists at most 100 dropped
 * models, and with the full built-in catalog (hundreds of models) the ladder's reasons would fall past that.
 */
let key: string;
before(async () => {
  ({ gw, sims } = await startRoutingGateway({ models: LADDER }));
  const acc = await post(gw, '/accounts', { name: 'ladder', enabled_providers: ['groq', 'openai', 'google'] });
  assert.equal(acc.status, 201, JSON.stringify(acc.body));
  const k = await post(gw, '/keys', { name: 'ladder', account_id: acc.body.data.id });
  assert.equal(k.status, 201, JSON.stringify(k.body));
  key = k.body.key as string;
});
after(async () => {
  await gw.close();
  await sims.close();
});
beforeEach(() => sims.resetAll());

/** an auto request, its answer checked against the route header, the generation row and the upstream call */
async function auto(body: Record<string, unknown>): Promise<{ model: string; reasons: Map<string, string> }> {
  const r = await chat(gw, { model: 'auto', ...body }, key);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  const model = r.body.model as string;
  assert.match(
    r.headers.get('x-arouter-route') ?? '',
    new RegExp(`^rule=auto; model=${model.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')};`),
  );
  const g = await generation(gw, r.body.id);
  assert.equal(g.model, model);
  assert.equal(g.requested_model, 'auto');
  assert.equal(g.route.rule, 'auto');
  assert.equal(g.route.auto?.chosen, model);
  assert.ok((g.route.auto?.rule ?? '').length > 0, 'the auto rule says why');
  assert.equal(chatCalls(sims).length, 1);
  const reasons = new Map((g.route.auto?.dropped ?? []).map((d) => [d.model, d.reason]));
  return { model, reasons };
}

test('a plain text request takes the cheapest top-tier model', async () => {
  const { model } = await auto({});
  assert.equal(model, 'test/auto-a');
  assert.equal(upstreamModel(chatCalls(sims)[0]), 'auto-a');
});

test('tools: never a model without tool support', async () => {
  const { model, reasons } = await auto({ tools: TOOLS, messages: [{ role: 'user', content: 'Weather in Paris?' }] });
  assert.equal(model, 'test/auto-b');
  assert.equal(reasons.get('test/auto-a'), 'missing_capability:tools');
  assert.ok(Array.isArray((chatCalls(sims)[0].body as { tools?: unknown[] }).tools), 'tools reach the upstream');
});

test('images: never a text-only model', async () => {
  const { model, reasons } = await auto({ messages: IMAGE_MSG });
  assert.equal(model, 'test/auto-c');
  assert.equal(reasons.get('test/auto-a'), 'missing_capability:image_input');
  assert.equal(reasons.get('test/auto-b'), 'missing_capability:image_input');
});

test('tools + images', async () => {
  const { model } = await auto({ tools: TOOLS, messages: IMAGE_MSG });
  assert.equal(model, 'test/auto-c');
});

test('json_schema: never a model without structured outputs (json_object support is not enough)', async () => {
  const { model, reasons } = await auto({ response_format: JSON_SCHEMA });
  assert.equal(model, 'test/auto-d');
  assert.equal(reasons.get('test/auto-c'), 'missing_capability:structured_outputs');
  assert.equal(reasons.get('test/auto-b'), 'missing_capability:structured_outputs');
  // json_object alone is served by the cheaper json_object-capable model
  sims.resetAll();
  const jo = await auto({
    response_format: { type: 'json_object' },
    messages: [{ role: 'user', content: 'Answer in JSON please' }],
  });
  assert.equal(jo.model, 'test/auto-c');
});

test('a long prompt: never a model whose context is too short', async () => {
  const long = 'The quick brown fox jumps over the lazy dog near the river bank. '.repeat(900); // > 8k tokens
  const { model, reasons } = await auto({ messages: [{ role: 'user', content: long }] });
  assert.ok(!LADDER_IDS.includes(model), `chose ${model}`);
  for (const id of LADDER_IDS) assert.equal(reasons.get(id), 'context_length', id);
  const info = (await (await gw.fetch(`/models/${model}`)).json()) as { data: { context_length: number } };
  assert.ok(info.data.context_length > 9000, `${model} context ${info.data.context_length}`);
});

test('every constraint at once still picks a capable model, and the SDK sees the chosen model', async () => {
  const client = new OpenAI({ baseURL: gw.url, apiKey: gw.adminKey, maxRetries: 0 });
  const r = await client.chat.completions.create({
    model: 'auto',
    tools: TOOLS as OpenAI.Chat.ChatCompletionTool[],
    response_format: JSON_SCHEMA as OpenAI.ResponseFormatJSONSchema,
    messages: IMAGE_MSG as OpenAI.Chat.ChatCompletionMessageParam[],
  });
  assert.equal(r.model, 'test/auto-d');
});

test('auto falls back to the next ranked model when the chosen one fails', async () => {
  sims.openai.script({ match: { model: 'auto-a' }, status: 500 });
  const r = await chat(gw, { model: 'auto' });
  assert.equal(r.status, 200);
  assert.equal(r.body.model, 'test/auto-b');
  const g = await generation(gw, r.body.id);
  assert.deepEqual(
    g.attempts.map((a) => [a.model, a.status]),
    [
      ['test/auto-a', 500],
      ['test/auto-b', 200],
    ],
  );
  assert.match(r.headers.get('x-arouter-route') ?? '', /fallbacks=test\/auto-b/);
});

test('audio input: only a model that accepts audio', async () => {
  const { model, reasons } = await auto({
    messages: [{ role: 'user', content: [{ type: 'input_audio', input_audio: { data: 'AAAA', format: 'wav' } }] }],
  });
  // the cheapest tier-1 model taking audio (a Gemini model in the built-in catalog)
  assert.match(model, /^google\/gemini-/);
  const info = (await (await gw.fetch(`/models/${model}`)).json()) as {
    data: { architecture: { input_modalities: string[] } };
  };
  assert.ok(info.data.architecture.input_modalities.includes('audio'), model);
  for (const id of LADDER_IDS) assert.equal(reasons.get(id), 'missing_capability:audio_input', id);
  assert.equal(reasons.get('openai/o3'), 'missing_capability:audio_input');
});

test('auto with nothing big enough is a 400 that says why, without calling any upstream', async () => {
  // too big for every model is the client's to fix (issue 12 item 7), not a 503 to retry
  const none = await chat(gw, { model: 'auto', max_tokens: 5_000_000 });
  assert.equal(none.status, 400, JSON.stringify(none.body));
  assert.equal(none.body.error.param, 'max_tokens');
  assert.match(none.body.error.message, /No model can serve this request with auto \(\d+ context_length/);
  assert.equal(chatCalls(sims).length, 0);
});
