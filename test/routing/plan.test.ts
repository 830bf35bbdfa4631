import { test } from 'node:test';
import assert from 'node:assert/strict';
import { worstCaseCost } from '../../src/accounting/cost.js';
import type { ChatRequest } from '../../src/protocol/chat-request.js';
import { RoutingError } from '../../src/routing/errors.js';
import { summarizeRoute } from '../../src/routing/explain.js';
import { HealthTracker } from '../../src/routing/health.js';
import { buildRoutePlan } from '../../src/routing/plan.js';
import { AVAILABLE, chat, ep, model, seeded, testCatalog, WEATHER_TOOL } from './fixtures.js';

const catalog = testCatalog([
  model('acme/trio', [ep('alpha', 1), ep('beta', 2), ep('gamma', 3)]),
  model('acme/solo', [ep('delta', 1, { context_length: 4096, max_completion_tokens: 8192 })]),
  model('acme/nametools', [ep('alpha', 1), ep('beta', 1)], { supported_parameters: ['max_tokens'] }),
]);

function build(req: ChatRequest, health = new HealthTracker()) {
  return buildRoutePlan({ catalog, req, availableProviders: AVAILABLE, health, random: seeded(5), now: 1_000_000 });
}

function fails(req: ChatRequest): RoutingError {
  try {
    build(req);
  } catch (e) {
    assert.ok(e instanceof RoutingError, String(e));
    return e;
  }
  assert.fail('expected a RoutingError');
}

test('attempts: model first, then models[] in order, each model in planned order', () => {
  const p = build(chat({ model: 'acme/trio:floor', models: ['meta-llama/llama-3.1-8b-instruct:floor', 'acme/solo'] }));
  assert.deepEqual(
    p.attempts.map((a) => `${a.model.id}@${a.provider.id}`),
    [
      'acme/trio@alpha',
      'acme/trio@beta',
      'acme/trio@gamma',
      'meta-llama/llama-3.1-8b-instruct@delta',
      'meta-llama/llama-3.1-8b-instruct@alpha',
      'acme/solo@delta',
    ],
  );
  assert.equal(p.attempts[0].variant, 'floor');
  assert.equal(p.attempts[5].variant, null);
  assert.equal(p.explanation.rule, 'floor');
  assert.deepEqual(
    p.explanation.models.map((m) => m.model),
    ['acme/trio', 'meta-llama/llama-3.1-8b-instruct', 'acme/solo'],
  );
});

test('models[] alone (no model) works; a missing model altogether is a 400', () => {
  const p = build(chat({ model: undefined, models: ['acme/solo', 'acme/trio:floor'] }));
  assert.equal(p.attempts[0].model.id, 'acme/solo');
  assert.equal(p.attempts[1].model.id, 'acme/trio');
  assert.equal(fails(chat({ model: undefined })).status, 400);
});

test('a typo anywhere in models[] is a 404 up front', () => {
  const e = fails(chat({ model: 'acme/trio', models: ['acme/trioo'] }));
  assert.equal(e.status, 404);
  assert.match(e.message, /Did you mean: acme\/trio/);
});

test('a fallback model that cannot serve is skipped; the primary still routes', () => {
  const p = build(chat({ model: 'acme/trio', models: ['acme/nametools'], tools: [WEATHER_TOOL] }));
  assert.ok(p.attempts.every((a) => a.model.id === 'acme/trio'));
  assert.match(p.explanation.models[1].failure ?? '', /tool use/);
});

test('maxTokens: client value when given, else the endpoint max clamped to the context left', () => {
  const explicit = build(chat({ model: 'acme/trio:floor', max_tokens: 500 })).attempts[0];
  assert.equal(explicit.maxTokens, 500);
  assert.equal(explicit.maxTokensExplicit, true);
  const implicit = build(chat({ model: 'acme/trio:floor' })).attempts[0];
  assert.equal(implicit.maxTokens, 16384);
  assert.equal(implicit.maxTokensExplicit, false);
  const solo = build(chat({ model: 'acme/solo' })).attempts[0];
  assert.equal(solo.maxTokens, 4096 - solo.promptTokens);
});

test('worstCasePusd is worstCaseCost of the endpoint for maxTokens; expected cost is below it', () => {
  const a = build(chat({ model: 'acme/trio:floor' })).attempts[0];
  assert.equal(
    a.worstCasePusd,
    worstCaseCost(a.endpoint.pricing, { promptTokens: a.promptTokens, maxOutputTokens: a.maxTokens, inputImages: 0 }),
  );
  assert.ok(a.expectedCostPusd < a.worstCasePusd);
  assert.equal(a.endpointKey, 'alpha:acme/trio');
});

test(':thinking attempts carry the ReasoningPlan; others carry null unless asked', () => {
  const p = build(chat({ model: 'acme/reasoner:thinking', models: ['acme/trio'] }));
  assert.deepEqual(p.attempts[0].reasoning, { enabled: true, effort: 'medium', max_tokens: null, exclude: false });
  assert.equal(p.attempts.find((a) => a.model.id === 'acme/trio')?.reasoning, null);
});

test('the same endpoint reached twice is tried once', () => {
  const p = build(chat({ model: 'acme/trio:floor', models: ['acme/trio:floor', 'acme/trio:nitro'] }));
  assert.equal(p.attempts.filter((a) => a.variant === 'floor').length, 3);
  assert.equal(p.attempts.filter((a) => a.variant === 'nitro').length, 3);
});

test('no endpoint left → 503 naming the filter, with routing funnel and dropped list', () => {
  const e = fails(chat({ model: 'acme/nametools', tools: [WEATHER_TOOL] }));
  assert.equal(e.status, 503);
  assert.equal(e.message, 'No endpoints of acme/nametools support tool use');
  const meta = e.metadata as {
    routing_funnel: Array<{ step: string }>;
    dropped: Array<{ reason: string }>;
    failed_routing_step: string;
  };
  assert.equal(meta.failed_routing_step, 'tools');
  assert.deepEqual(
    meta.routing_funnel.map((s) => s.step),
    ['initial', 'tools'],
  );
  assert.deepEqual(
    meta.dropped.map((d) => d.reason),
    ['tools', 'tools'],
  );
  const priced = fails(chat({ model: 'acme/trio', provider: { max_price: { prompt: 0.5 } } }));
  assert.equal(priced.status, 503);
  assert.equal(priced.code, 'no_endpoint_available');
});

// issue 12 item 7: a request too big for every endpoint is the client's 400, not a 503 to retry
test('max_tokens above every endpoint maximum → 400 naming the parameter and the largest limit', () => {
  for (const max of [1e308, 1e9, 20_000]) {
    const e = fails(chat({ model: 'acme/trio', max_tokens: max }));
    assert.equal(e.status, 400, `max_tokens ${max}`);
    assert.equal(e.code, 'max_tokens_exceeded');
    assert.equal(e.param, 'max_tokens');
    assert.equal(e.type, 'invalid_request_error');
    assert.match(e.message, /largest output limit of acme\/trio: 16384 tokens/);
    assert.ok(Array.isArray((e.metadata as { dropped: unknown[] }).dropped), 'the funnel stays in metadata');
  }
  const named = fails(chat({ model: 'acme/trio', max_completion_tokens: 1e9 }));
  assert.equal(named.param, 'max_completion_tokens');
  assert.match(named.message, /^max_completion_tokens 1000000000 /);
});

test('a prompt beyond every context → 400 context_length_exceeded on messages; prompt + max_tokens → on max_tokens', () => {
  const e = fails(chat({ model: 'acme/solo', messages: [{ role: 'user', content: 'word '.repeat(6000) }] }));
  assert.equal(e.status, 400);
  assert.equal(e.code, 'context_length_exceeded');
  assert.equal(e.param, 'messages');
  assert.match(e.message, /largest context of acme\/solo: 4096 tokens < \d+ prompt tokens/);
  const ctx = fails(chat({ model: 'acme/solo', max_tokens: 5000 }));
  assert.equal(ctx.status, 400);
  assert.equal(ctx.code, 'context_length_exceeded');
  assert.equal(ctx.param, 'max_tokens');
  assert.match(ctx.message, /4096 tokens < \d+ prompt tokens \+ 5000 max_tokens/);
});

test('too big for some endpoints, the rest dropped for another reason → still 503', () => {
  // alpha is ignored by the client, beta and gamma are too small: some other setting could serve it
  const e = fails(chat({ model: 'acme/trio', max_tokens: 1e9, provider: { ignore: ['alpha'] } }));
  assert.equal(e.status, 503);
  assert.equal(e.code, 'no_endpoint_available');
});

test('models[]: too big for the primary, a fallback failing for another reason → its 503; too big for all → 400', () => {
  const mixed = fails(
    chat({ model: 'acme/solo', models: ['acme/nametools'], max_tokens: 5000, tools: [WEATHER_TOOL] }),
  );
  assert.equal(mixed.status, 503);
  assert.match(
    mixed.message,
    /^The request does not fit .*fallback models: acme\/nametools: No endpoints of acme\/nametools support tool use/,
  );
  const all = fails(chat({ model: 'acme/solo', models: ['acme/trio'], max_tokens: 1e9 }));
  assert.equal(all.status, 400);
  assert.equal(all.param, 'max_tokens');
});

test('auto: too big for every model → 400 naming the largest limit', () => {
  const e = fails(chat({ model: 'auto', max_tokens: 1e9 }));
  assert.equal(e.status, 400);
  assert.equal(e.code, 'max_tokens_exceeded');
  assert.equal(e.param, 'max_tokens');
  assert.match(
    e.message,
    /^No model can serve this request with auto \(.*\); the largest: max_tokens 1000000000 is above the largest output limit of .*: 32768 tokens/,
  );
});

test('404s: unknown model, hidden model, :free without free endpoints', () => {
  assert.equal(fails(chat({ model: 'nobody/nothing' })).status, 404);
  assert.equal(fails(chat({ model: 'acme/secret' })).status, 404);
  const free = fails(chat({ model: 'acme/trio:free' }));
  assert.equal(free.status, 404);
  assert.match(free.message, /acme\/trio/);
  assert.equal(fails(chat({ model: 'acme/trio:bogus' })).status, 400);
});

test('auto: chosen model, fallbacks, explanation.auto, rule "auto"', () => {
  const p = build(chat({ model: 'auto', tools: [WEATHER_TOOL] }));
  assert.equal(p.attempts[0].model.id, 'acme/vision');
  assert.equal(p.explanation.rule, 'auto');
  assert.equal(p.explanation.auto?.chosen, 'acme/vision');
  assert.ok(
    p.attempts.some((a) => a.model.id !== 'acme/vision'),
    'fallback models follow',
  );
  const tiered = buildRoutePlan({
    catalog,
    req: chat({ model: 'auto' }),
    availableProviders: AVAILABLE,
    health: new HealthTracker(),
    autoTiers: { 'acme/solo': 0 },
  });
  assert.equal(tiered.attempts[0].model.id, 'acme/solo');
});

test('explanation is JSON-serialisable and the header summary is short ASCII', () => {
  const health = new HealthTracker();
  const p = build(
    chat({ model: 'meta-llama/llama-3.3-70b-instruct:floor', provider: { max_price: { prompt: 2.5 } } }),
    health,
  );
  const json = JSON.parse(JSON.stringify(p.explanation));
  assert.equal(json.rule, 'floor');
  assert.equal(json.chosen.provider, 'alpha');
  assert.equal(typeof json.candidates[0].expected_usd, 'string');
  const line = summarizeRoute(p.explanation);
  assert.equal(line, 'rule=floor; model=meta-llama/llama-3.3-70b-instruct; order=alpha,beta; dropped=gamma:max_price');
  assert.match(line, /^[\x20-\x7e]*$/);
  // long plans are truncated to 512 characters
  const big = {
    ...p.explanation,
    dropped: Array.from({ length: 200 }, (_, i) => ({
      ...p.explanation.dropped[0],
      provider: `provider${i}`,
      reason: 'max_price' as const,
      model: 'meta-llama/llama-3.3-70b-instruct',
    })),
  };
  assert.ok(summarizeRoute(big).length <= 512);
});

test('header summary: fallbacks once each, requested when nothing planned, non-ASCII and ";" made safe', () => {
  const cand = (model: string, provider: string) => ({
    model,
    provider,
    endpoint_model: 'm',
    expected_usd: '0',
    worst_case_bound_usd: '0',
    throughput: null,
    latency_ms: null,
    health: 'ok' as const,
  });
  const drop = (model: string, provider: string, reason: 'max_price' | 'provider_unavailable') => ({
    model,
    provider,
    endpoint_model: 'm',
    reason,
    detail: '',
  });
  const e = {
    rule: 'order',
    requested: 'a/x, b/y',
    variant: null,
    models: [],
    candidates: [
      cand('a/x', 'p1'),
      cand('a/x', 'p2'),
      cand('a/x', 'p1'),
      cand('b/y', 'p3'),
      cand('c/z', 'p3'),
      cand('b/y', 'p4'),
    ],
    dropped: [
      drop('a/x', 'pé;1', 'max_price'),
      drop('a/x', 'pé;1', 'max_price'),
      drop('a/x', 'q', 'provider_unavailable'),
      drop('b/y', 'r', 'max_price'),
    ],
  };
  assert.equal(summarizeRoute(e), 'rule=order; model=a/x; order=p1,p2; fallbacks=b/y,c/z; dropped=p?,1:max_price');
  assert.equal(
    summarizeRoute({ ...e, candidates: [], requested: 'ümodel;x' }),
    'rule=order; requested=?model,x; dropped=p?,1:max_price,r:max_price',
  );
});

test('stored routes leave out what follows from the rest, and read back as the full explanation', async () => {
  const { storedRoute, routeOfGeneration } = await import('../../src/routing/explain.js');
  const health = new HealthTracker();
  // an open breaker drops an endpoint (a funnel step) without failing the plan
  for (let i = 0; i < 5; i++)
    health.record('beta:acme/trio', {
      ok: false,
      status: 503,
      latencyMs: 1,
      ttftMs: null,
      outputTokens: 0,
      generationMs: null,
      now: 1_000_000,
    });
  const cases: ChatRequest[] = [
    chat({ model: 'acme/trio' }),
    chat({ model: 'acme/trio:floor' }),
    chat({ model: 'acme/trio', provider: { order: ['gamma'], allow_fallbacks: false } }),
    chat({ model: 'acme/trio', provider: { ignore: ['alpha'] } }),
    chat({ model: 'meta-llama/llama-3.3-70b-instruct:floor', provider: { max_price: { prompt: 2.5 } } }),
    chat({ model: 'acme/trio', models: ['acme/solo'] }),
    chat({ model: 'acme/trio', models: ['acme/nametools'], tools: [WEATHER_TOOL] }),
    chat({ model: 'auto' }),
  ];
  let compact = 0;
  for (const req of cases) {
    const e = build(req, health).explanation;
    const stored = JSON.parse(JSON.stringify(storedRoute(e))) as Record<string, unknown>;
    if (!('models' in stored)) compact++;
    const served = {
      model: e.candidates[0].model,
      provider: e.candidates[0].provider,
      endpoint: e.candidates[0].endpoint_model,
    };
    const full = JSON.parse(JSON.stringify(e)) as Record<string, unknown>;
    // read back from storage and from the in-memory queue alike, key order included
    for (const r of [routeOfGeneration(stored, served), routeOfGeneration(storedRoute(e), served)]) {
      const back = JSON.parse(JSON.stringify(r)) as Record<string, unknown>;
      assert.deepEqual(back, full, JSON.stringify(req));
      assert.deepEqual(Object.keys(back), Object.keys(full));
    }
  }
  // single-model plans are stored without `models`; multi-model and auto plans keep theirs
  assert.equal(compact, 5);
  // a row stored with its models (as rows were before) reads back unchanged
  const e = build(chat({ model: 'acme/trio' }), health).explanation;
  const old = JSON.parse(JSON.stringify({ ...e, chosen: undefined })) as Record<string, unknown>;
  assert.deepEqual(
    routeOfGeneration(old, { model: null, provider: null, endpoint: null }),
    JSON.parse(JSON.stringify({ ...e, chosen: undefined })),
  );
});
