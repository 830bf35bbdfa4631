// Model variants through a real listening gateway: :floor (cheapest), :nitro (fastest, re-measured from
// streams), :free (free endpoints only, own per-key limit), :thinking (reasoning on upstream, reasoning
// endpoints only).
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import type { SimSet, TestGateway } from '../helpers/gateway.js';
import {
  chat,
  chatCalls,
  generation,
  post,
  providerOf,
  sseChunks,
  startRoutingGateway,
  streamText,
  upstreamModel,
} from '../helpers/routing.js';

const LLAMA = 'meta-llama/llama-3.3-70b-instruct';

const P = (perM: number) => (perM / 1e6).toFixed(12).replace(/0+$/, '');
const price = (prompt: number, completion: number) => ({
  prompt: P(prompt),
  completion: P(completion),
  request: '0',
  image: '0',
  web_search: '0',
  internal_reasoning: '0',
  input_cache_read: '0',
  input_cache_write: '0',
});
const endpoint = (provider: string, model: string, promptPerM: number, extra: Record<string, unknown> = {}) => ({
  provider,
  model,
  pricing: price(promptPerM, promptPerM),
  context_length: 32768,
  max_completion_tokens: 4096,
  quantization: null,
  is_moderated: false,
  ...extra,
});

// a reasoning model whose cheaper endpoint does not take reasoning parameters
const MIXED = {
  id: 'test/mixed-reasoner',
  name: 'Test: mixed reasoner',
  context_length: 32768,
  architecture: { input_modalities: ['text'], output_modalities: ['text'], tokenizer: 'llama3', instruct_type: null },
  supported_parameters: ['max_tokens', 'temperature', 'reasoning', 'include_reasoning'],
  reasoning: {
    supported_efforts: ['low', 'medium', 'high'],
    default_effort: 'medium',
    mandatory: false,
    supports_max_tokens: false,
  },
  endpoints: [
    endpoint('groq', 'mixed-groq', 2),
    endpoint('fireworks', 'mixed-fireworks', 0.5, { supported_parameters: ['max_tokens', 'temperature'] }),
  ],
};

let gw: TestGateway;
let sims: SimSet;
before(async () => {
  ({ gw, sims } = await startRoutingGateway({ limits: { free_rpm: 3 }, models: [MIXED] }));
});
after(async () => {
  await gw.close();
  await sims.close();
});
beforeEach(() => sims.resetAll());

async function newKey(name: string): Promise<string> {
  const r = await post(gw, '/keys', { name });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return r.body.key as string;
}

// ---- :floor -------------------------------------------------------------------------------------------------

test(':floor always picks the cheapest endpoint (10 requests)', async () => {
  // llama-3.3-70b: deepinfra $0.13/$0.40 per M is far below groq, together and fireworks
  const seen: string[] = [];
  for (let i = 0; i < 10; i++) {
    const r = await chat(gw, { model: `${LLAMA}:floor` });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.model, LLAMA);
    seen.push(r.body.provider);
    assert.match(
      r.headers.get('x-arouter-route') ?? '',
      /^rule=floor; model=meta-llama\/llama-3\.3-70b-instruct; order=deepinfra,/,
    );
  }
  assert.deepEqual(seen, Array(10).fill('deepinfra'));
  assert.deepEqual(chatCalls(sims).map(providerOf), Array(10).fill('deepinfra'));
  // the paid cheapest, never the free endpoint
  assert.ok(chatCalls(sims).every((c) => upstreamModel(c) === 'meta-llama/Llama-3.3-70B-Instruct-Turbo'));
});

test(':floor matches provider.sort=price', async () => {
  const r = await chat(gw, { model: LLAMA, provider: { sort: 'price' } });
  assert.equal(r.body.provider, 'deepinfra');
  assert.match(r.headers.get('x-arouter-route') ?? '', /^rule=sort:price;/);
});

// ---- :nitro -------------------------------------------------------------------------------------------------

// A model no other test of this file touches: live throughput measured by earlier requests would (rightly)
// outrank the catalog hints and decide the first pick.
const SCOUT = 'meta-llama/llama-4-scout';

async function nitroStream(): Promise<string> {
  const res = await gw.fetch('/chat/completions', {
    method: 'POST',
    json: {
      model: `${SCOUT}:nitro`,
      stream: true,
      messages: [{ role: 'user', content: 'Tell me a long story about streaming tokens' }],
    },
  });
  assert.equal(res.status, 200);
  const chunks = sseChunks(await res.text());
  assert.ok(streamText(chunks).length > 0);
  return chunks[0].provider as string;
}

test(':nitro follows measured throughput: the fast endpoint slowing down loses the first place within 5 requests', async () => {
  // Catalog hints: groq 600 tok/s, deepinfra 70 (the two endpoints of scout). Unpaced sim streams measure
  // far above any hint, so groq (the first pick) stays first while it is fast.
  assert.equal(await nitroStream(), 'groq');
  assert.equal(await nitroStream(), 'groq');
  // now groq streams at 20 tokens/s, well below every other endpoint's hint
  sims.openai.script({
    match: { model: 'meta-llama/llama-4-scout-17b-16e-instruct' },
    tokensPerSecond: 20,
    times: Infinity,
  });
  const after: string[] = [];
  for (let i = 0; i < 5 && after.at(-1) !== 'deepinfra'; i++) after.push(await nitroStream());
  assert.equal(after.at(-1), 'deepinfra', `the choice moved off groq within 5 requests (got ${after.join(', ')})`);
  assert.ok(
    after.slice(0, -1).every((p) => p === 'groq'),
    `only groq before the switch: ${after.join(', ')}`,
  );
  // and it stays on the now faster endpoint
  assert.equal(await nitroStream(), 'deepinfra');
  assert.match(chatCalls(sims).map(upstreamModel).at(-1) ?? '', /^meta-llama\/Llama-4-Scout-17B-16E-Instruct/);
  const ep = (await (await gw.fetch(`/models/${SCOUT}/endpoints`)).json()) as {
    data: { endpoints: Array<{ provider_name: string; tag?: string; throughput_last_30m: { p50: number } | null }> };
  };
  const groq = ep.data.endpoints.find((e) => /groq/i.test(e.provider_name));
  assert.ok(groq?.throughput_last_30m, 'groq has measured throughput');
});

// ---- :free --------------------------------------------------------------------------------------------------

test(':free routes only to free endpoints, and has its own per-key limit (free_rpm 3 → 4th is a 429)', async () => {
  const key = await newKey('free-user');
  for (let i = 0; i < 3; i++) {
    const r = await chat(gw, { model: `${LLAMA}:free` }, key);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.provider, 'together');
    assert.equal(r.body.model, LLAMA);
    assert.equal(r.body.usage.cost, 0);
    assert.equal(r.headers.get('x-ratelimit-limit'), '3');
    assert.equal(r.headers.get('x-ratelimit-remaining'), String(2 - i));
  }
  assert.deepEqual(chatCalls(sims).map(upstreamModel), Array(3).fill('meta-llama/Llama-3.3-70B-Instruct-Turbo-Free'));
  const fourth = await chat(gw, { model: `${LLAMA}:free` }, key);
  assert.equal(fourth.status, 429, JSON.stringify(fourth.body));
  assert.equal(fourth.body.error.metadata.code, 'rate_limit_exceeded');
  assert.match(fourth.body.error.message, /:free/);
  const retry = Number(fourth.headers.get('retry-after'));
  assert.ok(retry >= 1 && retry <= 60, `Retry-After ${retry}`);
  assert.equal(fourth.headers.get('x-ratelimit-limit'), '3');
  assert.equal(fourth.headers.get('x-ratelimit-remaining'), '0');
  assert.match(fourth.headers.get('x-ratelimit-reset') ?? '', /^\d+$/);
  assert.equal(chatCalls(sims).length, 3, 'the limited request never reached an upstream');
  // the free limit is per key and only for :free: paid requests of the same key still pass
  const paid = await chat(gw, { model: LLAMA }, key);
  assert.equal(paid.status, 200);
  const other = await chat(gw, { model: `${LLAMA}:free` }, await newKey('free-user-2'));
  assert.equal(other.status, 200);
});

test(':free on a model without free endpoints is a 404', async () => {
  const r = await chat(gw, { model: 'openai/gpt-4o:free' });
  assert.equal(r.status, 404, JSON.stringify(r.body));
  assert.match(r.body.error.message, /openai\/gpt-4o has no free endpoints/);
  assert.equal(chatCalls(sims).length, 0);
});

// ---- :thinking ----------------------------------------------------------------------------------------------

test(':thinking enables reasoning upstream: Anthropic thinking', async () => {
  const r = await chat(gw, { model: 'anthropic/claude-sonnet-4.5:thinking', max_tokens: 4000 });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  const body = sims.anthropic.requests[0].body as { thinking?: { type: string; budget_tokens: number } };
  assert.equal(body.thinking?.type, 'enabled');
  assert.ok((body.thinking?.budget_tokens ?? 0) >= 1024);
  assert.ok(typeof r.body.choices[0].message.reasoning === 'string' && r.body.choices[0].message.reasoning.length > 0);
});

test(':thinking enables reasoning upstream: Gemini thinkingConfig', async () => {
  const r = await chat(gw, { model: 'google/gemini-2.5-flash:thinking' });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  const body = sims.gemini.requests[0].body as {
    generationConfig?: { thinkingConfig?: { includeThoughts?: boolean; thinkingBudget?: number } };
  };
  const tc = body.generationConfig?.thinkingConfig;
  assert.ok(tc, 'thinkingConfig sent');
  assert.notEqual(tc.thinkingBudget, 0, 'thinking not switched off');
});

test(':thinking enables reasoning upstream: OpenAI-style reasoning_effort', async () => {
  const r = await chat(gw, { model: 'openai/o4-mini:thinking' });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal((sims.openai.requests[0].body as { reasoning_effort?: string }).reasoning_effort, 'medium');
  // without the variant nothing reasoning-related is sent
  sims.resetAll();
  await chat(gw, { model: 'openai/o4-mini' });
  assert.equal((sims.openai.requests[0].body as { reasoning_effort?: string }).reasoning_effort, undefined);
});

test(':thinking uses only reasoning-capable endpoints', async () => {
  // without :thinking the cheaper, non-reasoning fireworks endpoint is the floor pick
  const floor = await chat(gw, { model: 'test/mixed-reasoner:floor' });
  assert.equal(floor.body.provider, 'fireworks');
  const plan = await post(gw, '/route', {
    model: 'test/mixed-reasoner:thinking',
    messages: [{ role: 'user', content: 'hi' }],
  });
  assert.equal(plan.status, 200);
  assert.deepEqual(
    plan.body.data.attempts.map((a: { provider: string }) => a.provider),
    ['groq'],
  );
  const dropped = plan.body.data.explanation.dropped.find((d: { provider: string }) => d.provider === 'fireworks');
  assert.equal(dropped?.reason, 'reasoning');
  sims.resetAll();
  for (let i = 0; i < 5; i++) {
    const r = await chat(gw, { model: 'test/mixed-reasoner:thinking' });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.provider, 'groq');
  }
  assert.deepEqual(chatCalls(sims).map(upstreamModel), Array(5).fill('mixed-groq'));
  assert.ok(chatCalls(sims).every((c) => (c.body as { reasoning_effort?: string }).reasoning_effort === 'medium'));
});

test(':thinking on a model that cannot reason is a 404', async () => {
  const r = await chat(gw, { model: `${LLAMA}:thinking` });
  assert.equal(r.status, 404, JSON.stringify(r.body));
  assert.match(r.body.error.message, /does not support reasoning/);
  assert.equal(chatCalls(sims).length, 0);
});

test('an unknown variant is a 400', async () => {
  const r = await chat(gw, { model: `${LLAMA}:turbo` });
  assert.equal(r.status, 400);
  assert.match(r.body.error.message, /Unknown model variant ":turbo"/);
});

test('the generation row records the variant route', async () => {
  const r = await chat(gw, { model: `${LLAMA}:floor` });
  const g = await generation(gw, r.body.id);
  assert.equal(g.route.rule, 'floor');
  assert.equal(g.route.requested, `${LLAMA}:floor`);
  assert.equal(g.route.candidates[0].provider, 'deepinfra');
});
