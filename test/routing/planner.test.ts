import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ChatRequest } from '../../src/protocol/chat-request.js';
import { RoutingError } from '../../src/routing/errors.js';
import { extractFeatures } from '../../src/routing/features.js';
import { HealthTracker } from '../../src/routing/health.js';
import { planEndpoints, type EndpointPlan } from '../../src/routing/planner.js';
import { resolveModel } from '../../src/routing/resolve.js';
import { AVAILABLE, chat, ep, longText, model, REASONING_INFO, seeded, testCatalog, WEATHER_TOOL } from './fixtures.js';

const catalog = testCatalog([
  model('acme/trio', [ep('alpha', 1), ep('beta', 2), ep('gamma', 3)]),
  model('acme/twins', [
    ep('alpha', 1, { throughput_hint: 10 }),
    ep('beta', 1, { throughput_hint: 90 }),
    ep('gamma', 2, { throughput_hint: 500 }),
  ]),
]);
const NOW = 1_000_000_000;

function plan(
  req: ChatRequest,
  opts: { health?: HealthTracker; random?: () => number; available?: ReadonlySet<string>; now?: number } = {},
): EndpointPlan {
  const available = opts.available ?? AVAILABLE;
  const r = resolveModel(catalog, req.model as string, available);
  if (r.kind !== 'model') throw new Error('auto not expected');
  return planEndpoints({
    model: r.model,
    variant: r.variant,
    features: extractFeatures(req, r.model.architecture.tokenizer, r.variant),
    prefs: req.provider,
    providers: catalog.providers,
    availableProviders: available,
    health: opts.health,
    random: opts.random ?? seeded(1),
    now: opts.now ?? NOW,
  });
}

const providersOf = (p: EndpointPlan) => p.ordered.map((o) => o.endpoint.provider);
const reasonOf = (p: EndpointPlan, provider: string) =>
  p.dropped.filter((d) => d.provider === provider && d.reason !== 'paid_only').map((d) => d.reason);

test('free endpoints are only used through :free; paid ones never through :free', () => {
  const p = plan(chat());
  assert.deepEqual(providersOf(p).sort(), ['alpha', 'beta', 'gamma']);
  assert.ok(p.dropped.some((d) => d.endpoint_model === 'alpha-free' && d.reason === 'paid_only'));
  const f = plan(chat({ model: 'meta-llama/llama-3.3-70b-instruct:free' }));
  assert.deepEqual(
    f.ordered.map((o) => o.endpoint.model),
    ['alpha-free'],
  );
  assert.equal(f.dropped.filter((d) => d.reason === 'free_only').length, 3);
});

test(':free on a model without free endpoints is a 404 naming the model', () => {
  const p = plan(chat({ model: 'acme/trio:free' }));
  assert.equal(p.ordered.length, 0);
  assert.equal(p.failure?.status, 404);
  assert.equal(p.failure?.code, 'free_variant_unavailable');
  assert.match(p.failure?.message ?? '', /acme\/trio/);
});

test('context_length: prompt + max tokens must fit; without max tokens one output token must fit', () => {
  const p = plan(chat({ messages: [{ role: 'user', content: longText(40_000) }] }));
  assert.deepEqual(reasonOf(p, 'gamma'), ['context_length']);
  assert.match(p.dropped.find((d) => d.provider === 'gamma')?.detail ?? '', /context length 32768 < \d+ prompt tokens/);
  assert.deepEqual(providersOf(p).sort(), ['alpha', 'beta']);
  const q = plan(chat({ max_tokens: 32_760 }));
  assert.deepEqual(reasonOf(q, 'gamma'), ['context_length']);
});

test('max_tokens above the endpoint maximum drops the endpoint', () => {
  const p = plan(chat({ max_tokens: 20_000 }));
  assert.deepEqual(providersOf(p), ['beta']);
  assert.deepEqual(reasonOf(p, 'alpha'), ['max_tokens']);
  assert.deepEqual(reasonOf(p, 'gamma'), ['max_tokens']);
});

test('modality: images need image input; all dropped → 400 naming the part', () => {
  const req = chat({
    messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'https://x.example/i.png' } }] }],
  });
  const p = plan(req);
  assert.equal(p.ordered.length, 0);
  assert.deepEqual([...new Set(p.dropped.filter((d) => d.reason !== 'paid_only').map((d) => d.reason))], ['modality']);
  assert.equal(p.failure?.status, 400);
  assert.equal(p.failure?.param, 'messages[0].content[0]');
  assert.equal(
    p.failure?.message,
    'meta-llama/llama-3.3-70b-instruct cannot read image_url (its input modalities: text)',
  );
  assert.equal(plan({ ...req, model: 'acme/vision' }).ordered.length, 1);
});

test('tools, response_format and reasoning are hard filters when used', () => {
  const tools = plan(chat({ tools: [WEATHER_TOOL] }));
  assert.deepEqual(reasonOf(tools, 'beta'), ['tools']);
  assert.ok(!providersOf(tools).includes('beta'));

  const schema = plan(chat({ response_format: { type: 'json_schema', json_schema: { name: 'x', schema: {} } } }));
  assert.deepEqual(reasonOf(schema, 'beta'), ['response_format']);

  const r = plan(chat({ model: 'acme/reasoner', reasoning: { effort: 'high' } }));
  assert.deepEqual(providersOf(r), ['alpha']);
  assert.deepEqual(reasonOf(r, 'beta'), ['reasoning']);

  const none = plan(chat({ reasoning: { effort: 'high' } }));
  assert.equal(none.failure?.status, 503);
  assert.match(none.failure?.message ?? '', /No endpoints of meta-llama\/llama-3.3-70b-instruct support reasoning/);
});

test('all endpoints lacking tools → 503 "support tool use"', () => {
  const cat = testCatalog([
    model('acme/notools', [ep('alpha', 1), ep('beta', 1)], { supported_parameters: ['max_tokens'] }),
  ]);
  const m = cat.get('acme/notools')!;
  const p = planEndpoints({
    model: m,
    variant: null,
    features: extractFeatures(chat({ tools: [WEATHER_TOOL] }), 'o200k_base'),
    providers: cat.providers,
    availableProviders: AVAILABLE,
  });
  assert.equal(p.failure?.status, 503);
  assert.equal(p.failure?.message, 'No endpoints of acme/notools support tool use');
  assert.deepEqual(
    p.funnel.map((s) => [s.step, s.remaining]),
    [
      ['initial', 2],
      ['tools', 0],
    ],
  );
});

test(':thinking keeps only reasoning-capable endpoints; a non-reasoning model has no :thinking (404)', () => {
  const p = plan(chat({ model: 'acme/reasoner:thinking' }));
  assert.deepEqual(providersOf(p), ['alpha']);
  const q = plan(chat({ model: 'acme/trio:thinking' }));
  assert.equal(q.failure?.status, 404);
  assert.equal(q.failure?.code, 'variant_unavailable');
});

test('require_parameters drops endpoints lacking any used parameter', () => {
  const p = plan(chat({ temperature: 0.1, seed: 7, provider: { require_parameters: true } }));
  assert.deepEqual(reasonOf(p, 'beta'), ['require_parameters']);
  assert.match(p.dropped.find((d) => d.provider === 'beta')?.detail ?? '', /seed/);
  // without the flag, unsupported sampling parameters do not filter
  assert.ok(providersOf(plan(chat({ temperature: 0.1, seed: 7 }))).includes('beta'));
});

test('provider availability, only, ignore, quantizations', () => {
  const av = plan(chat(), { available: new Set(['alpha', 'beta']) });
  assert.deepEqual(reasonOf(av, 'gamma'), ['provider_unavailable']);
  const only = plan(chat({ provider: { only: ['alpha', 'GAMMA'] } }));
  assert.deepEqual(providersOf(only).sort(), ['alpha', 'gamma']);
  assert.deepEqual(reasonOf(only, 'beta'), ['provider_not_in_only']);
  const ignore = plan(chat({ provider: { ignore: ['alpha'] } }));
  assert.deepEqual(providersOf(ignore).sort(), ['beta', 'gamma']);
  assert.deepEqual([...new Set(reasonOf(ignore, 'alpha'))], ['provider_ignored']); // paid and free endpoint
  const quant = plan(chat({ provider: { quantizations: ['fp8'] } }));
  assert.deepEqual(providersOf(quant), ['gamma']);
  assert.deepEqual(reasonOf(quant, 'alpha'), ['quantization']);
  const ignoredAll = plan(chat({ model: 'acme/trio', provider: { ignore: ['alpha', 'beta', 'gamma'] } }));
  assert.equal(ignoredAll.failure?.status, 503);
  assert.match(ignoredAll.failure?.message ?? '', /provider\.ignore/);
});

test('max_price is USD per million tokens for prompt/completion', () => {
  const p = plan(chat({ model: 'acme/trio', provider: { max_price: { prompt: 1.5 } } }));
  assert.deepEqual(providersOf(p), ['alpha']);
  assert.deepEqual(reasonOf(p, 'beta'), ['max_price']);
  assert.match(p.dropped.find((d) => d.provider === 'beta')?.detail ?? '', /\$2\/M > max_price.prompt \$1.5\/M/);
  // the limit is inclusive, and strings are accepted
  assert.deepEqual(
    providersOf(plan(chat({ model: 'acme/trio', provider: { max_price: { completion: '2', prompt: 2 } } }))).sort(),
    ['alpha', 'beta'],
  );
  const none = plan(chat({ model: 'acme/trio', provider: { max_price: { completion: 0.5 } } }));
  assert.equal(none.failure?.status, 503);
  assert.match(none.failure?.message ?? '', /max_price/);
  assert.throws(
    () => plan(chat({ provider: { max_price: { prompt: 'cheap' } } })),
    (e: unknown) => e instanceof RoutingError && e.status === 400,
  );
});

test('default ordering: weighted by inverse square of expected price (A $1 ≈ 9× C $3)', () => {
  const random = seeded(42);
  const firsts: Record<string, number> = { alpha: 0, beta: 0, gamma: 0 };
  for (let i = 0; i < 10_000; i++) {
    const p = plan(chat({ model: 'acme/trio' }), { random });
    assert.equal(p.rule, 'price_weighted');
    assert.equal(p.ordered.length, 3);
    firsts[p.ordered[0].endpoint.provider]++;
  }
  // P(first) ∝ 1, 1/4, 1/9 → 73.5 %, 18.4 %, 8.2 %
  assert.ok(Math.abs(firsts.alpha / 10_000 - 36 / 49) < 0.02, JSON.stringify(firsts));
  assert.ok(Math.abs(firsts.beta / 10_000 - 9 / 49) < 0.02, JSON.stringify(firsts));
  const ratio = firsts.alpha / firsts.gamma;
  assert.ok(ratio > 8 && ratio < 10, `A/C = ${ratio}`);
});

test('recently failing endpoints go last: A $1, B $2 (outage), C $3 ⇒ B last', () => {
  const health = new HealthTracker();
  health.record('beta:acme/trio', {
    ok: false,
    status: 503,
    latencyMs: 10,
    ttftMs: null,
    outputTokens: 0,
    generationMs: null,
    now: NOW - 5_000,
  });
  const random = seeded(7);
  let aFirst = 0;
  for (let i = 0; i < 1000; i++) {
    const p = plan(chat({ model: 'acme/trio' }), { health, random });
    assert.equal(providersOf(p)[2], 'beta');
    assert.equal(p.ordered[2].health, 'recently_failing');
    if (providersOf(p)[0] === 'alpha') aFirst++;
  }
  assert.ok(aFirst > 850, String(aFirst)); // 9/10 expected
  // 30 s later the outage is forgotten
  assert.ok(plan(chat({ model: 'acme/trio' }), { health, now: NOW + 30_000 }).ordered.every((o) => o.health === 'ok'));
});

test('open breaker drops the endpoint (circuit_open) unless every endpoint is open', () => {
  const health = new HealthTracker();
  const failN = (key: string) => {
    for (let i = 0; i < 3; i++)
      health.record(key, {
        ok: false,
        status: 500,
        latencyMs: 1,
        ttftMs: null,
        outputTokens: 0,
        generationMs: null,
        now: NOW - 100,
      });
  };
  failN('alpha:acme/trio');
  const p = plan(chat({ model: 'acme/trio' }), { health });
  assert.deepEqual(providersOf(p).sort(), ['beta', 'gamma']);
  assert.deepEqual(reasonOf(p, 'alpha'), ['circuit_open']);
  failN('beta:acme/trio');
  failN('gamma:acme/trio');
  const all = plan(chat({ model: 'acme/trio' }), { health });
  assert.deepEqual(providersOf(all), ['alpha', 'beta', 'gamma']);
  assert.ok(all.ordered.every((o) => o.health === 'circuit_open'));
  // half-open endpoints stay in the plan (the executor's tryAcquire admits one probe), demoted
  const later = plan(chat({ model: 'acme/trio' }), { health, now: NOW + 31_000 });
  assert.equal(later.ordered.length, 3);
  assert.ok(later.ordered.every((o) => o.health === 'half_open'));
});

test(':floor is always the cheapest first, deterministic; ties by throughput', () => {
  for (let seed = 0; seed < 50; seed++) {
    const p = plan(chat({ model: 'acme/trio:floor' }), { random: seeded(seed) });
    assert.deepEqual(providersOf(p), ['alpha', 'beta', 'gamma']);
    assert.equal(p.rule, 'floor');
  }
  assert.deepEqual(providersOf(plan(chat({ model: 'acme/twins:floor' }))), ['beta', 'alpha', 'gamma']);
  // floor stays strict even when the cheapest failed recently
  const health = new HealthTracker();
  health.record('alpha:acme/trio', {
    ok: false,
    status: 502,
    latencyMs: 1,
    ttftMs: null,
    outputTokens: 0,
    generationMs: null,
    now: NOW - 1,
  });
  assert.equal(providersOf(plan(chat({ model: 'acme/trio:floor' }), { health }))[0], 'alpha');
});

test(':nitro orders by throughput hint until measured, then by live throughput', () => {
  assert.deepEqual(providersOf(plan(chat({ model: 'acme/twins:nitro' }))), ['gamma', 'beta', 'alpha']);
  const health = new HealthTracker();
  let now = NOW;
  const sample = (tps: number) => ({
    ok: true,
    status: 200,
    latencyMs: 1100,
    ttftMs: 100,
    outputTokens: tps,
    generationMs: 1000,
    now: now++,
  });
  for (let i = 0; i < 20; i++) {
    health.record('gamma:acme/twins', sample(400));
    health.record('beta:acme/twins', sample(150));
  }
  assert.equal(plan(chat({ model: 'acme/twins:nitro' }), { health, now }).ordered[0].endpoint.provider, 'gamma');
  // gamma slows down to 30 tok/s: each request goes to nitro's first choice and is measured there
  let switchedAfter = -1;
  for (let req = 1; req <= 10; req++) {
    const first = plan(chat({ model: 'acme/twins:nitro' }), { health, now }).ordered[0];
    if (first.endpoint.provider !== 'gamma') {
      switchedAfter = req - 1;
      break;
    }
    health.record('gamma:acme/twins', sample(30));
  }
  assert.ok(switchedAfter >= 1 && switchedAfter <= 5, `switched after ${switchedAfter} slow requests`);

  assert.equal(plan(chat({ model: 'acme/twins:nitro' }), { health, now }).ordered[0].endpoint.provider, 'beta');
});

test('provider.sort is strict: price, throughput, latency', () => {
  const base = { model: 'meta-llama/llama-3.3-70b-instruct' };
  assert.deepEqual(providersOf(plan(chat({ ...base, provider: { sort: 'price' } }))), ['alpha', 'beta', 'gamma']);
  assert.deepEqual(providersOf(plan(chat({ ...base, provider: { sort: 'throughput' } }))), ['gamma', 'beta', 'alpha']);
  const lat = plan(chat({ ...base, provider: { sort: 'latency' } }));
  assert.deepEqual(providersOf(lat), ['beta', 'alpha', 'gamma']);
  assert.equal(lat.rule, 'sort:latency');
});

test('provider.order puts listed providers first; allow_fallbacks:false keeps only them', () => {
  const o = plan(chat({ model: 'acme/trio', provider: { order: ['gamma', 'beta'] } }));
  assert.deepEqual(providersOf(o), ['gamma', 'beta', 'alpha']);
  assert.equal(o.rule, 'order');
  const strict = plan(chat({ model: 'acme/trio', provider: { order: ['gamma', 'beta'], allow_fallbacks: false } }));
  assert.deepEqual(providersOf(strict), ['gamma', 'beta']);
  assert.deepEqual(reasonOf(strict, 'alpha'), ['not_in_order']);
  const gone = plan(chat({ model: 'acme/trio', provider: { order: ['delta'], allow_fallbacks: false } }));
  assert.equal(gone.failure?.status, 503);
  assert.match(gone.failure?.message ?? '', /manual order/);
  const sorted = plan(chat({ model: 'acme/twins', provider: { order: ['alpha'], sort: 'throughput' } }));
  assert.deepEqual(providersOf(sorted), ['alpha', 'gamma', 'beta']);
  assert.equal(sorted.rule, 'order+sort:throughput');
});

test('allow_fallbacks:false without order keeps only the first endpoint of the plan', () => {
  const p = plan(chat({ model: 'acme/trio:floor', provider: { allow_fallbacks: false } }));
  assert.deepEqual(providersOf(p), ['alpha']);
  assert.deepEqual(reasonOf(p, 'beta'), ['fallbacks_disabled']);
});

test('expected price uses the request size; reasoning-capable filter honours model-level reasoning', () => {
  const cat = testCatalog([
    model('acme/r-model', [ep('alpha', 1)], { reasoning: REASONING_INFO, supported_parameters: ['max_tokens'] }),
  ]);
  const m = cat.get('acme/r-model')!;
  const p = planEndpoints({
    model: m,
    variant: 'thinking',
    features: extractFeatures(chat(), 'o200k_base', 'thinking'),
    providers: cat.providers,
    availableProviders: AVAILABLE,
  });
  assert.equal(p.ordered.length, 1);
  const f = extractFeatures(chat({ max_tokens: 100 }), 'o200k_base');
  const q = plan(chat({ model: 'acme/trio', max_tokens: 100 }));
  const alpha = q.ordered.find((o) => o.endpoint.provider === 'alpha')!;
  // $1/M for prompt + 100 output tokens, in pUSD; load balancing ranks on the prompt's cheap estimate
  assert.equal(alpha.expectedCostPusd, BigInt(f.prompt.estimate + 100) * 1_000_000n);
  assert.ok(f.prompt.estimate <= f.prompt.bound);
  // price-first plans (:floor, sort=price) rank on the exact count
  const floor = plan(chat({ model: 'acme/trio:floor', max_tokens: 100 })).ordered.find(
    (o) => o.endpoint.provider === 'alpha',
  )!;
  assert.equal(floor.expectedCostPusd, BigInt(f.promptTokens + 100) * 1_000_000n);
});

test('prompt tokens: the bound is never below the exact count, and fits() decides as the exact count would', () => {
  const long = 'lorem ipsum dolor sit amet '.repeat(400);
  const f = extractFeatures(chat({ messages: [{ role: 'user', content: long }] }), 'o200k_base');
  const bound = f.prompt.bound;
  const exact = f.prompt.exact;
  assert.ok(bound >= exact && exact > 1000);
  for (const limit of [exact - 1, exact, exact + 10, bound, bound + 1]) {
    assert.equal(f.prompt.fits(0, limit), exact <= limit, `limit ${limit}`);
  }
});
