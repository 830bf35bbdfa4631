// Fallbacks through a real listening gateway: a scripted upstream failure on the first endpoint moves the
// request to the next one, and the response, the x-arouter-attempts header and the generation row say so.
// llama-3.3-70b with provider.order [groq, deepinfra] makes the first two attempts certain; both providers
// speak the openai dialect and are told apart by their provider-side model names.
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import type { SimSet, TestGateway } from '../helpers/gateway.js';
import {
  chat,
  chatCalls,
  generation,
  parseAttemptsHeader,
  providerOf,
  sseChunks,
  startRoutingGateway,
  streamText,
  upstreamModel,
} from '../helpers/routing.js';

const LLAMA = 'meta-llama/llama-3.3-70b-instruct';
const GROQ_LLAMA = 'llama-3.3-70b-versatile';
const DEEPINFRA_LLAMA = 'meta-llama/Llama-3.3-70B-Instruct-Turbo';
const GROQ_FIRST = { order: ['groq', 'deepinfra'] };

let gw: TestGateway;
let sims: SimSet;
let client: OpenAI;
before(async () => {
  // a high breaker threshold: this file scripts many failures on groq and is not about the breaker
  // first byte within 1.5 s: sims answer in milliseconds, a scripted 6 s stall is a timeout
  ({ gw, sims } = await startRoutingGateway({
    routing: { breaker_failures: 1000 },
    upstream: { first_byte_timeout_ms: 1500 },
  }));
  client = new OpenAI({ baseURL: gw.url, apiKey: gw.adminKey, maxRetries: 0 });
});
after(async () => {
  await gw.close();
  await sims.close();
});
beforeEach(() => sims.resetAll());

async function assertFellBack(
  res: { status: number; headers: Headers; body: any },
  first: { provider: string; status: number },
  second: { provider: string; model?: string },
): Promise<void> {
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assert.equal(res.body.provider, second.provider);
  if (second.model) assert.equal(res.body.model, second.model);
  assert.match(res.body.choices[0].message.content, /Hello/);
  assert.deepEqual(parseAttemptsHeader(res.headers.get('x-arouter-attempts')), [
    [first.provider, String(first.status)],
    [second.provider, '200'],
  ]);
  const g = await generation(gw, res.body.id);
  assert.equal(g.status, 200);
  assert.equal(g.provider_name, second.provider);
  assert.equal(g.attempts.length, 2);
  assert.equal(g.attempts[0].provider, first.provider);
  assert.equal(g.attempts[0].status, first.status);
  assert.ok(typeof g.attempts[0].error === 'string' && g.attempts[0].error.length > 0, 'the failed attempt says why');
  assert.equal(g.attempts[1].provider, second.provider);
  assert.equal(g.attempts[1].status, 200);
  assert.equal(g.attempts[1].error, undefined);
  for (const a of g.attempts)
    assert.ok(Number.isInteger(a.duration_ms) && a.duration_ms >= 0, `duration of ${a.provider}`);
}

for (const status of [500, 503, 429]) {
  test(`a scripted ${status} on the first endpoint falls back to the second provider`, async () => {
    sims.openai.script({ match: { model: GROQ_LLAMA }, status });
    const res = await chat(gw, { model: LLAMA, provider: GROQ_FIRST });
    await assertFellBack(res, { provider: 'groq', status }, { provider: 'deepinfra', model: LLAMA });
    assert.deepEqual(chatCalls(sims).map(upstreamModel), [GROQ_LLAMA, DEEPINFRA_LLAMA]);
    assert.deepEqual(chatCalls(sims).map(providerOf), ['groq', 'deepinfra']);
  });
}

test("the generation's route names the endpoint that served as `chosen`, pending and once written; rows store it once", async () => {
  sims.openai.script({ match: { model: GROQ_LLAMA }, status: 503 });
  const res = await chat(gw, { model: LLAMA, provider: GROQ_FIRST });
  assert.equal(res.status, 200);
  const id = res.body.id as string;
  const before = await generation(gw, id);
  assert.deepEqual(
    before.route.candidates.map((c) => c.provider).slice(0, 2),
    ['groq', 'deepinfra'],
    'the plan put groq first',
  );
  assert.equal(before.route.chosen?.provider, 'deepinfra');
  await gw.app.ledger.flush();
  assert.equal(gw.app.ledger.pending(id), undefined, 'the row is written');
  const stored = await gw.app.store.getGeneration(id);
  assert.ok(stored && typeof stored.route === 'object' && stored.route !== null);
  assert.equal('chosen' in stored.route, false, 'the stored route does not repeat a candidate');
  const after = await generation(gw, id);
  assert.deepEqual(after.route, before.route);
  assert.equal(Object.keys(after.route).join(','), 'rule,requested,variant,chosen,candidates,dropped,models');

  // nothing served: no `chosen`
  sims.openai.script({ match: { model: GROQ_LLAMA }, status: 500 });
  sims.openai.script({ match: { model: DEEPINFRA_LLAMA }, status: 500 });
  const failed = await chat(gw, { model: LLAMA, provider: { ...GROQ_FIRST, allow_fallbacks: false } });
  assert.equal(failed.status, 502);
  const gid = failed.headers.get('x-arouter-generation-id');
  assert.ok(gid, 'a failed request has a generation id too');
  const g = await generation(gw, gid);
  assert.equal(g.route.chosen, undefined);
});

test('a 529 from Anthropic falls back across models (models[]) to another dialect', async () => {
  sims.anthropic.script({ match: { model: 'claude-sonnet-4-5' }, status: 529 });
  const res = await chat(gw, { models: ['anthropic/claude-sonnet-4.5', 'openai/gpt-4o'] });
  await assertFellBack(res, { provider: 'anthropic', status: 529 }, { provider: 'openai', model: 'openai/gpt-4o' });
  assert.equal(sims.anthropic.requests.length, 1);
  assert.deepEqual(sims.openai.requests.map(upstreamModel), ['gpt-4o']);
  const g = await generation(gw, res.body.id);
  assert.equal(g.attempts[0].model, 'anthropic/claude-sonnet-4.5');
  assert.equal(g.attempts[1].model, 'openai/gpt-4o');
  assert.equal(g.model, 'openai/gpt-4o');
});

test('the same works with the official SDK: the response names the fallback provider', async () => {
  sims.openai.script({ match: { model: GROQ_LLAMA }, status: 500 });
  const { data, response } = await client.chat.completions
    .create({
      model: LLAMA,
      messages: [{ role: 'user', content: 'Say hello' }],
      provider: GROQ_FIRST,
    } as OpenAI.Chat.ChatCompletionCreateParamsNonStreaming)
    .withResponse();
  assert.equal((data as unknown as { provider: string }).provider, 'deepinfra');
  assert.equal(data.model, LLAMA);
  assert.match(response.headers.get('x-arouter-attempts') ?? '', /^groq=500\(\d+ms\), deepinfra=200\(\d+ms\)$/);
});

test('a connection dropped mid-body falls back', async () => {
  sims.openai.script({ match: { model: GROQ_LLAMA }, disconnectAfterChunks: 1 });
  const res = await chat(gw, { model: LLAMA, provider: GROQ_FIRST });
  await assertFellBack(res, { provider: 'groq', status: 502 }, { provider: 'deepinfra' });
});

test('a malformed JSON body falls back, and the failed attempt is not recorded as a success', async () => {
  sims.openai.script({ match: { model: GROQ_LLAMA }, malformedJson: true });
  const res = await chat(gw, { model: LLAMA, provider: GROQ_FIRST });
  await assertFellBack(res, { provider: 'groq', status: 502 }, { provider: 'deepinfra' });
  const g = await generation(gw, res.body.id);
  assert.match(g.attempts[0].error ?? '', /malformed JSON/);
});

test('a non-retryable 400 from the upstream returns at once as a 400 with the provider message, no fallback', async () => {
  sims.openai.script({
    match: { model: GROQ_LLAMA },
    status: 400,
    message: "'top_q' is not a known parameter (groq says)",
  });
  const res = await chat(gw, { model: LLAMA, provider: GROQ_FIRST });
  assert.equal(res.status, 400, JSON.stringify(res.body));
  assert.match(res.body.error.message, /'top_q' is not a known parameter \(groq says\)/);
  assert.deepEqual(chatCalls(sims).map(providerOf), ['groq'], 'deepinfra is never asked');
  assert.deepEqual(parseAttemptsHeader(res.headers.get('x-arouter-attempts')), [['groq', '400']]);
  const id = res.headers.get('x-arouter-generation-id');
  assert.ok(id);
  const g = await generation(gw, id);
  assert.equal(g.status, 400);
  assert.equal(g.attempts.length, 1);
  assert.equal(g.attempts[0].status, 400);
});

for (const status of [401, 403]) {
  test(`an upstream refusing ARouter's own key (${status}) falls back: the client cannot fix it, another provider can`, async () => {
    sims.openai.script({ match: { model: GROQ_LLAMA }, status });
    const res = await chat(gw, { model: LLAMA, provider: GROQ_FIRST });
    await assertFellBack(res, { provider: 'groq', status }, { provider: 'deepinfra' });
  });
}

test('every endpoint failing: the last error is returned with all attempts', async () => {
  sims.openai.script({ match: { model: GROQ_LLAMA }, status: 500 });
  sims.openai.script({ match: { model: DEEPINFRA_LLAMA }, status: 503 });
  const res = await chat(gw, { model: LLAMA, provider: { ...GROQ_FIRST, allow_fallbacks: false } });
  // the last upstream's 503 is a 502 from the gateway (the upstream is down, not ARouter)
  assert.equal(res.status, 502, JSON.stringify(res.body));
  assert.match(res.body.error.message, /All 2 endpoints failed; last error: DeepInfra: /);
  assert.equal(res.body.error.metadata.upstream_status, 503);
  assert.equal(res.body.error.metadata.attempts.length, 2);
  assert.deepEqual(parseAttemptsHeader(res.headers.get('x-arouter-attempts')), [
    ['groq', '500'],
    ['deepinfra', '503'],
  ]);
});

test('every endpoint rate limited: a 429 with the smallest Retry-After', async () => {
  sims.openai.script({ match: { model: GROQ_LLAMA }, status: 429, retryAfterSec: 7 });
  sims.openai.script({ match: { model: DEEPINFRA_LLAMA }, status: 429, retryAfterSec: 3 });
  const res = await chat(gw, { model: LLAMA, provider: { ...GROQ_FIRST, allow_fallbacks: false } });
  assert.equal(res.status, 429, JSON.stringify(res.body));
  assert.equal(res.headers.get('retry-after'), '3');
  assert.match(res.body.error.message, /All 2 endpoints are rate limited/);
  assert.deepEqual(parseAttemptsHeader(res.headers.get('x-arouter-attempts')), [
    ['groq', '429'],
    ['deepinfra', '429'],
  ]);
});

test('an upstream that does not answer within the first-byte timeout is abandoned for the next endpoint', async () => {
  sims.openai.script({ match: { model: GROQ_LLAMA }, latencyMs: 6000 });
  const res = await chat(gw, { model: LLAMA, provider: GROQ_FIRST });
  await assertFellBack(res, { provider: 'groq', status: 408 }, { provider: 'deepinfra' });
  const g = await generation(gw, res.body.id);
  assert.match(g.attempts[0].error ?? '', /timed out/);
  assert.ok(g.attempts[0].duration_ms >= 1400, `waited for the timeout (${g.attempts[0].duration_ms} ms)`);
});

// ---- streaming ---------------------------------------------------------------------------------------------

async function streamChat(body: Record<string, unknown>): Promise<{ status: number; headers: Headers; chunks: any[] }> {
  const res = await gw.fetch('/chat/completions', {
    method: 'POST',
    json: {
      messages: [{ role: 'user', content: 'Tell me about streaming' }],
      stream: true,
      stream_options: { include_usage: true },
      ...body,
    },
  });
  return { status: res.status, headers: res.headers, chunks: sseChunks(await res.text()) };
}

for (const [name, rule] of [
  ['a 500', { status: 500 }],
  ['a drop before the first token', { disconnectAfterChunks: 1 }],
  ['a malformed first content line', { malformedJson: true }],
] as const) {
  test(`stream: ${name} falls back silently and the stream then works`, async () => {
    sims.openai.script({ match: { model: GROQ_LLAMA }, ...rule });
    const s = await streamChat({ model: LLAMA, provider: GROQ_FIRST });
    assert.equal(s.status, 200);
    assert.ok(s.chunks.length > 2);
    assert.ok(
      s.chunks.every((c) => c.error === undefined),
      'no error chunk reaches the client',
    );
    assert.ok(
      s.chunks.every((c) => c.provider === 'deepinfra' && c.model === LLAMA),
      'every chunk names the fallback provider',
    );
    assert.match(streamText(s.chunks), /^Hello from meta-llama\/Llama-3\.3-70B-Instruct-Turbo/);
    const finish = s.chunks.map((c) => c.choices?.[0]?.finish_reason).filter(Boolean);
    assert.deepEqual(finish, ['stop']);
    assert.ok(s.chunks.at(-1).usage.completion_tokens > 0);
    assert.deepEqual(
      parseAttemptsHeader(s.headers.get('x-arouter-attempts')).map((a) => a[0]),
      ['groq', 'deepinfra'],
    );
    const g = await generation(gw, s.chunks[0].id);
    assert.equal(g.streamed, true);
    assert.equal(g.provider_name, 'deepinfra');
    assert.deepEqual(
      g.attempts.map((a) => [a.provider, a.status >= 400 || a.status === 0 ? 'failed' : 'ok']),
      [
        ['groq', 'failed'],
        ['deepinfra', 'ok'],
      ],
    );
  });
}

test('stream with the SDK: a 529 on Anthropic before the first token falls back to the next model', async () => {
  sims.anthropic.script({ match: { model: 'claude-sonnet-4-5' }, status: 529 });
  const stream = await client.chat.completions.create({
    model: 'anthropic/claude-sonnet-4.5',
    models: ['google/gemini-2.5-flash'],
    stream: true,
    messages: [{ role: 'user', content: 'Tell me about streaming' }],
  } as OpenAI.Chat.ChatCompletionCreateParamsStreaming);
  let text = '';
  const providers = new Set<string>();
  for await (const c of stream) {
    text += c.choices[0]?.delta?.content ?? '';
    providers.add((c as unknown as { provider: string }).provider);
  }
  assert.ok(text.length > 0);
  assert.deepEqual([...providers], ['google']);
  assert.equal(sims.anthropic.requests.length, 1);
  assert.equal(sims.gemini.requests.length, 1);
});

test("a request one dialect cannot express skips that endpoint for the next model's; alone it is a 400", async () => {
  // tool-call arguments that are not a JSON object: Anthropic's wire format needs an object, OpenAI's a string
  const messages = [
    { role: 'user', content: 'weather?' },
    {
      role: 'assistant',
      content: null,
      tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: 'not json' } }],
    },
    { role: 'tool', tool_call_id: 'call_1', content: 'sunny' },
  ];
  const res = await chat(gw, { models: ['anthropic/claude-haiku-4.5', 'openai/gpt-4o'], messages });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assert.equal(res.body.model, 'openai/gpt-4o');
  assert.deepEqual(parseAttemptsHeader(res.headers.get('x-arouter-attempts')), [
    ['anthropic', '400'],
    ['openai', '200'],
  ]);
  assert.equal(sims.anthropic.requests.length, 0, 'nothing was sent to the endpoint that cannot take it');
  const g = await generation(gw, res.body.id);
  assert.match(g.attempts[0].error ?? '', /invalid_request: .*JSON/);

  const alone = await chat(gw, { model: 'anthropic/claude-haiku-4.5', messages });
  assert.equal(alone.status, 400, JSON.stringify(alone.body));
  assert.equal(alone.body.error.type, 'invalid_request_error');
  assert.match(alone.body.error.message, /JSON/);
});
