// Provider preferences, models[] fallback order, the POST /v1/route dry run and routing 404s, through a
// real listening gateway. llama-3.3-70b's paid endpoints (per M tokens, prompt/completion):
//   deepinfra $0.13/$0.40 (no logit_bias)   groq $0.59/$0.79 (no top_k, logprobs, logit_bias)
//   together  $0.88/$0.88                   fireworks $0.90/$0.90
// together and deepinfra share a provider-side model name: providers are told apart by x-sim-provider.
// These topologies are the hand-written catalog's, passed as config overrides (handWrittenModels): the rules
// under test need four differently priced endpoints, whatever the built-in catalog's data says today.
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import type { SimSet, TestGateway } from '../helpers/gateway.js';
import {
  chat,
  chatCalls,
  generation,
  handWrittenModels,
  parseAttemptsHeader,
  post,
  providerOf,
  sseChunks,
  startRoutingGateway,
  upstreamModel,
} from '../helpers/routing.js';

const LLAMA = 'meta-llama/llama-3.3-70b-instruct';

let gw: TestGateway;
let sims: SimSet;
before(async () => {
  const models = handWrittenModels([
    LLAMA,
    'meta-llama/llama-3.1-8b-instruct',
    'moonshotai/kimi-k2-0905',
    'qwen/qwen3-235b-a22b-2507',
  ]);
  ({ gw, sims } = await startRoutingGateway({ routing: { breaker_failures: 1000 }, models }));
});
after(async () => {
  await gw.close();
  await sims.close();
});
beforeEach(() => sims.resetAll());

async function providersOf(n: number, body: Record<string, unknown>, key?: string): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const r = await chat(gw, body, key);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    out.push(r.body.provider);
  }
  assert.deepEqual(chatCalls(sims).slice(-n).map(providerOf), out, 'the sims saw the same providers');
  return out;
}

const plan = (body: Record<string, unknown>, key?: string) =>
  post(gw, '/route', { messages: [{ role: 'user', content: 'Say hello' }], ...body }, key);

// ---- provider preferences -----------------------------------------------------------------------------------

test('provider.only keeps only the listed providers', async () => {
  assert.deepEqual(
    await providersOf(6, { model: LLAMA, provider: { only: ['fireworks'] } }),
    Array(6).fill('fireworks'),
  );
  const p = await plan({ model: LLAMA, provider: { only: ['Fireworks AI', 'groq'] } });
  assert.deepEqual(
    p.body.data.attempts.map((a: { provider: string }) => a.provider).sort(),
    ['fireworks', 'groq'],
    'by id or display name',
  );
});

test('provider.ignore removes providers (sort=price would pick deepinfra otherwise)', async () => {
  assert.deepEqual(await providersOf(1, { model: LLAMA, provider: { sort: 'price' } }), ['deepinfra']);
  assert.deepEqual(
    await providersOf(4, { model: LLAMA, provider: { sort: 'price', ignore: ['deepinfra'] } }),
    Array(4).fill('groq'),
  );
  const r = await chat(gw, { model: LLAMA, provider: { sort: 'price', ignore: ['deepinfra'] } });
  assert.match(r.headers.get('x-arouter-route') ?? '', /dropped=deepinfra:provider_ignored/);
});

test('provider.ignore of every provider is a 503 naming the step', async () => {
  const r = await chat(gw, { model: LLAMA, provider: { ignore: ['groq', 'together', 'fireworks', 'deepinfra'] } });
  assert.equal(r.status, 503, JSON.stringify(r.body));
  assert.match(r.body.error.message, /Every provider of meta-llama\/llama-3\.3-70b-instruct is in provider\.ignore/);
  assert.equal(chatCalls(sims).length, 0);
});

test('provider.order is tried in order, then the rest', async () => {
  const r = await chat(gw, { model: LLAMA, provider: { order: ['together', 'groq'] } });
  assert.equal(r.body.provider, 'together');
  assert.match(
    r.headers.get('x-arouter-route') ?? '',
    /^rule=order; model=[^;]+; order=together,groq,deepinfra,fireworks$/,
  );
});

test('provider.order + allow_fallbacks:false never leaves the listed providers', async () => {
  sims.openai.script({ match: { model: 'accounts/fireworks/models/llama-v3p3-70b-instruct' }, status: 500 });
  const r = await chat(gw, { model: LLAMA, provider: { order: ['fireworks'], allow_fallbacks: false } });
  assert.equal(r.status, 502, JSON.stringify(r.body));
  assert.deepEqual(chatCalls(sims).map(providerOf), ['fireworks']);
  assert.deepEqual(parseAttemptsHeader(r.headers.get('x-arouter-attempts')), [['fireworks', '500']]);
  // the same failure with fallbacks allowed goes on to the next endpoint
  sims.resetAll();
  sims.openai.script({ match: { model: 'accounts/fireworks/models/llama-v3p3-70b-instruct' }, status: 500 });
  const fb = await chat(gw, { model: LLAMA, provider: { order: ['fireworks'] } });
  assert.equal(fb.status, 200);
  assert.equal(chatCalls(sims).length, 2);
  assert.equal(chatCalls(sims)[0].headers['x-sim-provider'], 'fireworks');
  assert.notEqual(fb.body.provider, 'fireworks');
});

test('allow_fallbacks:false without order keeps only the first endpoint', async () => {
  const p = await plan({ model: LLAMA, provider: { sort: 'price', allow_fallbacks: false } });
  assert.deepEqual(
    p.body.data.attempts.map((a: { provider: string }) => a.provider),
    ['deepinfra'],
  );
  const reasons = p.body.data.explanation.dropped
    .filter((d: { reason: string }) => d.reason === 'fallbacks_disabled')
    .map((d: { provider: string }) => d.provider)
    .sort();
  assert.deepEqual(reasons, ['fireworks', 'groq', 'together']);
});

test('require_parameters: top_k / logprobs / logit_bias exclude endpoints that do not list them', async () => {
  // top_k: groq does not take it, so a groq-first plan starts elsewhere. (Dry run only: the openai sim is a
  // strict OpenAI and refuses top_k, which the real Fireworks/Together accept.)
  const topK = await plan({
    model: LLAMA,
    top_k: 40,
    provider: { order: ['groq', 'fireworks'], require_parameters: true },
  });
  assert.deepEqual(
    topK.body.data.attempts.map((a: { provider: string }) => a.provider),
    ['fireworks', 'deepinfra', 'together'],
  );
  const loose = await plan({ model: LLAMA, top_k: 40, provider: { order: ['groq', 'fireworks'] } });
  assert.equal(loose.body.data.attempts[0].provider, 'groq', 'without require_parameters the order wins');
  // logprobs: groq does not list it either
  assert.deepEqual(
    await providersOf(2, {
      model: LLAMA,
      logprobs: true,
      provider: { order: ['groq', 'together'], require_parameters: true },
    }),
    ['together', 'together'],
  );
  const p = await plan({
    model: LLAMA,
    logprobs: true,
    top_k: 40,
    provider: { order: ['groq'], require_parameters: true },
  });
  const groq = p.body.data.explanation.dropped.find((d: { provider: string }) => d.provider === 'groq');
  assert.equal(groq.reason, 'require_parameters');
  assert.match(groq.detail, /top_k, logprobs/);
});

test('require_parameters with logit_bias under sort=price skips the cheapest (deepinfra) and groq', async () => {
  const body = { model: LLAMA, logit_bias: { '50256': -100 }, provider: { sort: 'price', require_parameters: true } };
  assert.deepEqual(await providersOf(3, body), ['together', 'together', 'together']);
  const p = await plan(body);
  const dropped = Object.fromEntries(
    p.body.data.explanation.dropped.map((d: { provider: string; reason: string }) => [d.provider, d.reason]),
  );
  assert.equal(dropped.deepinfra, 'require_parameters');
  assert.equal(dropped.groq, 'require_parameters');
  assert.deepEqual(
    p.body.data.attempts.map((a: { provider: string }) => a.provider),
    ['together', 'fireworks'],
  );
});

test('provider.max_price (USD per million tokens) keeps only endpoints within it', async () => {
  assert.deepEqual(
    await providersOf(5, { model: LLAMA, provider: { max_price: { prompt: 0.5, completion: 0.5 } } }),
    Array(5).fill('deepinfra'),
  );
  const p = await plan({ model: LLAMA, provider: { max_price: { prompt: 0.6 } } });
  assert.deepEqual(p.body.data.attempts.map((a: { provider: string }) => a.provider).sort(), ['deepinfra', 'groq']);
  const none = await chat(gw, { model: LLAMA, provider: { max_price: { prompt: 0.01 } } });
  assert.equal(none.status, 503, JSON.stringify(none.body));
  assert.match(none.body.error.message, /within provider\.max_price/);
  assert.equal(none.body.error.metadata.failed_routing_step, 'max_price');
});

test('provider.sort: price, throughput and latency are deterministic', async () => {
  assert.deepEqual(await providersOf(3, { model: LLAMA, provider: { sort: 'price' } }), Array(3).fill('deepinfra'));
  // llama-3.1-8b: cerebras 2200 tok/s hint, far above groq (750); untouched by other tests in this file
  assert.deepEqual(
    await providersOf(3, { model: 'meta-llama/llama-3.1-8b-instruct', provider: { sort: 'throughput' } }),
    Array(3).fill('cerebras'),
  );
  // kimi-k2: groq 400 ms TTFT hint, the rest 600+ ms
  assert.deepEqual(
    await providersOf(3, { model: 'moonshotai/kimi-k2-0905', provider: { sort: 'latency' } }),
    Array(3).fill('groq'),
  );
  const r = await chat(gw, { model: 'moonshotai/kimi-k2-0905', provider: { sort: 'latency' } });
  assert.match(r.headers.get('x-arouter-route') ?? '', /^rule=sort:latency;/);
});

test('provider.sort=latency follows measured time to first token (streams)', async () => {
  // qwen3-235b-2507 TTFT hints: cerebras 300 ms, deepinfra/together 800, alibaba 900; untouched elsewhere here
  const model = 'qwen/qwen3-235b-a22b-2507';
  const first = async () => {
    const res = await gw.fetch('/chat/completions', {
      method: 'POST',
      json: {
        model,
        stream: true,
        provider: { sort: 'latency' },
        messages: [{ role: 'user', content: 'Tell me about latency' }],
      },
    });
    assert.equal(res.status, 200);
    return sseChunks(await res.text())[0].provider as string;
  };
  assert.equal(await first(), 'cerebras');
  // cerebras now takes 2.5 s to its first token: far above every other endpoint's hint
  sims.openai.script({ match: { model: 'qwen-3-235b-a22b-instruct-2507' }, ttftMs: 2500, times: Infinity });
  const seen: string[] = [];
  for (let i = 0; i < 4 && seen.at(-1) !== 'deepinfra'; i++) seen.push(await first());
  // deepinfra and together tie on the 800 ms hint; price breaks the tie
  assert.equal(seen.at(-1), 'deepinfra', seen.join(', '));
  assert.ok(seen.length <= 3, `switched within 3 requests: ${seen.join(', ')}`);
});

test('without preferences, requests are balanced by price and never reach a free endpoint', async () => {
  const seen = await providersOf(40, { model: LLAMA });
  assert.ok(seen.every((p) => ['deepinfra', 'groq', 'together', 'fireworks'].includes(p)));
  // 1/price² weights: deepinfra ($0.00020 expected vs $0.00040-0.00046) goes first ~61% of the time: expect
  // ~24 of 40; fewer than 12 has a probability below 1e-4. Balancing means the others get some too.
  assert.ok(seen.filter((p) => p === 'deepinfra').length >= 12, seen.join(','));
  assert.ok(new Set(seen).size >= 2, seen.join(','));
  assert.ok(chatCalls(sims).every((c) => !upstreamModel(c).endsWith('-Free')));
});

// ---- models[] -----------------------------------------------------------------------------------------------

test('models[] fallback order: each model in turn, across dialects', async () => {
  sims.openai.script({ match: { model: 'gpt-4o' }, status: 500 });
  sims.anthropic.script({ match: { model: 'claude-haiku-4-5' }, status: 529 });
  const r = await chat(gw, { models: ['openai/gpt-4o', 'anthropic/claude-haiku-4.5', 'google/gemini-2.5-flash'] });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.model, 'google/gemini-2.5-flash');
  assert.equal(r.body.provider, 'google');
  const g = await generation(gw, r.body.id);
  assert.deepEqual(
    g.attempts.map((a) => [a.model, a.status]),
    [
      ['openai/gpt-4o', 500],
      ['anthropic/claude-haiku-4.5', 529],
      ['google/gemini-2.5-flash', 200],
    ],
  );
  assert.equal(g.requested_model, 'openai/gpt-4o');
});

test('model + models[]: model first, then the list; the first healthy model answers', async () => {
  const r = await chat(gw, { model: 'anthropic/claude-haiku-4.5', models: ['openai/gpt-4o'] });
  assert.equal(r.body.model, 'anthropic/claude-haiku-4.5');
  assert.match(
    r.headers.get('x-arouter-route') ?? '',
    /model=anthropic\/claude-haiku-4\.5; order=anthropic; fallbacks=openai\/gpt-4o/,
  );
  assert.equal(sims.openai.requests.length, 0);
});

test('a deprecated model (past its expiration_date) is a 404 model_deprecated, also inside models[]', async () => {
  // the built-in catalog retires anthropic/claude-3.5-haiku on 2026-02-19
  const r = await chat(gw, { models: ['openai/gpt-4o', 'anthropic/claude-3.5-haiku'] });
  assert.equal(r.status, 404, JSON.stringify(r.body));
  assert.equal(r.body.error.metadata.code, 'model_deprecated');
  assert.match(r.body.error.message, /claude-3\.5-haiku.*2026-02-19/);
  assert.equal(chatCalls(sims).length, 0);
});

test('a typo anywhere in models[] is a 404 before any upstream call', async () => {
  const r = await chat(gw, { models: ['openai/gpt-4o', 'anthropic/claude-haiku-4.55'] });
  assert.equal(r.status, 404, JSON.stringify(r.body));
  assert.match(r.body.error.message, /claude-haiku-4\.55/);
  assert.equal(chatCalls(sims).length, 0);
});

// ---- POST /v1/route -----------------------------------------------------------------------------------------

test('POST /v1/route returns the plan without calling any upstream', async () => {
  const p = await plan({
    model: LLAMA,
    models: ['openai/gpt-4o'],
    provider: { sort: 'price', ignore: ['groq'] },
    max_tokens: 100,
  });
  assert.equal(p.status, 200, JSON.stringify(p.body));
  const d = p.body.data;
  assert.deepEqual(
    d.attempts.map((a: { provider: string; model: string }) => `${a.model}@${a.provider}`),
    [`${LLAMA}@deepinfra`, `${LLAMA}@together`, `${LLAMA}@fireworks`, 'openai/gpt-4o@openai'],
  );
  assert.deepEqual(
    d.attempts.map((a: { order: number }) => a.order),
    [1, 2, 3, 4],
  );
  assert.ok(
    d.attempts.every((a: { max_tokens: number; circuit: string }) => a.max_tokens === 100 && a.circuit === 'closed'),
  );
  // expected cost range: min ≤ max ≤ worst case, as decimal strings
  const range = d.expected_cost_range;
  assert.ok(
    Number(range.min) > 0 && Number(range.min) <= Number(range.max) && Number(range.max) <= Number(range.worst_case),
    JSON.stringify(range),
  );
  assert.equal(range.min, d.attempts[0].expected_cost, 'deepinfra is the cheapest');
  // kept and dropped, with reasons
  assert.equal(d.explanation.rule, 'sort:price');
  const drops = Object.fromEntries(
    d.explanation.dropped.map((x: { provider: string; endpoint_model: string; reason: string }) => [
      `${x.provider}:${x.endpoint_model}`,
      x.reason,
    ]),
  );
  assert.equal(drops['groq:llama-3.3-70b-versatile'], 'provider_ignored');
  assert.equal(drops['together:meta-llama/Llama-3.3-70B-Instruct-Turbo-Free'], 'paid_only');
  assert.equal(d.explanation.candidates.length, 4);
  assert.match(
    d.summary,
    /^rule=sort:price; model=meta-llama\/llama-3\.3-70b-instruct; order=deepinfra,together,fireworks; fallbacks=openai\/gpt-4o; dropped=groq:provider_ignored$/,
  );
  assert.equal(chatCalls(sims).length, 0, 'no upstream call');
  assert.equal(sims.openai.requests.length + sims.anthropic.requests.length + sims.gemini.requests.length, 0);
});

test('POST /v1/route answers routing errors like the chat route, still without upstream calls', async () => {
  const unknown = await plan({ model: 'meta-llama/llama-3.3-70b-instruc' });
  assert.equal(unknown.status, 404);
  const free = await plan({ model: 'openai/gpt-4o:free' });
  assert.equal(free.status, 404);
  const auto = await plan({
    model: 'auto',
    tools: [{ type: 'function', function: { name: 'f', parameters: { type: 'object', properties: {} } } }],
  });
  assert.equal(auto.status, 200);
  assert.equal(auto.body.data.explanation.rule, 'auto');
  assert.equal(chatCalls(sims).length, 0);
});

// ---- 404s ---------------------------------------------------------------------------------------------------

test('an unknown model is a 404 naming the closest ids', async () => {
  const r = await chat(gw, { model: 'meta-llama/llama-3.3-70b-instruc' });
  assert.equal(r.status, 404, JSON.stringify(r.body));
  assert.equal(r.body.error.metadata.code, 'model_not_found');
  assert.equal(r.body.error.metadata.suggestions[0], LLAMA);
  assert.match(r.body.error.message, /Did you mean: meta-llama\/llama-3\.3-70b-instruct/);
  const noAuthor = await chat(gw, { model: 'gpt-4o-mini' });
  assert.equal(noAuthor.status, 404);
  assert.ok(
    noAuthor.body.error.metadata.suggestions.includes('openai/gpt-4o-mini'),
    JSON.stringify(noAuthor.body.error.metadata),
  );
  const nothingClose = await chat(gw, { model: 'zzzz/qqqq-xxxx' });
  assert.equal(nothingClose.status, 404);
  assert.deepEqual(nothingClose.body.error.metadata.suggestions, []);
  assert.equal(chatCalls(sims).length, 0);
});

test('a model whose providers are disabled on the account is a 404, and is never suggested', async () => {
  const acc = await post(gw, '/accounts', { name: 'groq-and-openai-only', enabled_providers: ['groq', 'openai'] });
  assert.equal(acc.status, 201, JSON.stringify(acc.body));
  const k = await post(gw, '/keys', { name: 'restricted', account_id: acc.body.data.id });
  assert.equal(k.status, 201, JSON.stringify(k.body));
  const key = k.body.key as string;

  const claude = await chat(gw, { model: 'anthropic/claude-sonnet-4.5' }, key);
  assert.equal(claude.status, 404, JSON.stringify(claude.body));
  assert.equal(claude.body.error.metadata.code, 'model_not_found');
  const typo = await chat(gw, { model: 'anthropic/claude-sonnet-4.55' }, key);
  assert.equal(typo.status, 404);
  assert.ok(
    !typo.body.error.metadata.suggestions.some((s: string) => s.startsWith('anthropic/')),
    JSON.stringify(typo.body.error.metadata),
  );
  // a model served by neither provider of this account → 404 too (deepseek-r1-0528: deepinfra)
  const r1 = await chat(gw, { model: 'deepseek/deepseek-r1-0528' }, key);
  assert.equal(r1.status, 404);
  assert.equal(chatCalls(sims).length, 0);

  // a shared model only uses the enabled providers, whatever the preferences say
  assert.deepEqual(await providersOf(4, { model: LLAMA, provider: { sort: 'price' } }, key), Array(4).fill('groq'));
  const only = await chat(gw, { model: LLAMA, provider: { only: ['fireworks'] } }, key);
  assert.equal(only.status, 503, JSON.stringify(only.body));
  // and auto only considers enabled providers
  const auto = await chat(gw, { model: 'auto' }, key);
  assert.equal(auto.status, 200);
  assert.ok(['groq', 'openai'].includes(auto.body.provider), auto.body.provider);
});
