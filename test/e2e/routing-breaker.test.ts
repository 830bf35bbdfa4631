// The circuit breaker and live endpoint stats through a real listening gateway. provider.order [groq,
// deepinfra] makes groq the first attempt of every request (order never demotes an unhealthy endpoint, only
// an open breaker removes it), so what the groq sim receives shows what the breaker let through.
//
// Timing: the cooldown has to pass for real (the gateway's clock is the wall clock). The open phase only
// needs a few local requests, far below the cooldown; waits are cooldown + margin, never races.
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import type { SimSet, TestGateway } from '../helpers/gateway.js';
import {
  chat,
  chatCalls,
  parseAttemptsHeader,
  providerOf,
  sseChunks,
  startRoutingGateway,
} from '../helpers/routing.js';

const COOLDOWN_MS = 500;
const LLAMA = 'meta-llama/llama-3.3-70b-instruct';
const GROQ_LLAMA = 'llama-3.3-70b-versatile';
const GROQ_FIRST = { order: ['groq', 'deepinfra'] };

let gw: TestGateway;
let sims: SimSet;
before(async () => {
  ({ gw, sims } = await startRoutingGateway({ routing: { breaker_failures: 3, breaker_cooldown_ms: COOLDOWN_MS } }));
});
after(async () => {
  await gw.close();
  await sims.close();
});
beforeEach(() => sims.resetAll());

interface LiveEndpoint {
  tag: string;
  status: number;
  circuit: string;
  uptime_last_5m: number | null;
  uptime_last_30m: number | null;
  uptime_last_1d: number | null;
  latency_last_30m: { p50: number; p90: number } | null;
  throughput_last_30m: { p50: number; p90: number } | null;
}

async function endpoints(model: string): Promise<Map<string, LiveEndpoint>> {
  const res = await gw.fetch(`/models/${model}/endpoints`);
  assert.equal(res.status, 200);
  const body = (await res.json()) as { data: { endpoints: LiveEndpoint[] } };
  return new Map(body.data.endpoints.map((e) => [e.tag, e]));
}

const groqCalls = () => chatCalls(sims).filter((c) => providerOf(c) === 'groq').length;

test('the breaker opens after 3 failures, skips the endpoint, and closes after the cooldown with one probe', async () => {
  sims.openai.script({ match: { model: GROQ_LLAMA }, status: 500, times: 3 });
  for (let i = 0; i < 3; i++) {
    const r = await chat(gw, { model: LLAMA, provider: GROQ_FIRST });
    assert.equal(r.body.provider, 'deepinfra');
  }
  assert.equal(groqCalls(), 3);

  // open: groq is left out of the plan, its sim sees nothing
  const skipped = await chat(gw, { model: LLAMA, provider: GROQ_FIRST });
  assert.equal(skipped.status, 200);
  assert.equal(skipped.body.provider, 'deepinfra');
  assert.match(skipped.headers.get('x-arouter-route') ?? '', /dropped=groq:circuit_open/);
  assert.deepEqual(parseAttemptsHeader(skipped.headers.get('x-arouter-attempts')), [['deepinfra', '200']]);
  assert.equal(groqCalls(), 3, 'no request reached groq while its breaker was open');
  const open = (await endpoints(LLAMA)).get('groq')!;
  assert.equal(open.circuit, 'open');
  assert.equal(open.status, -2);
  assert.equal(open.uptime_last_5m, 0);

  // cooldown over: exactly one probe goes to groq (made slow so the others certainly overlap it)
  await sleep(COOLDOWN_MS + 150);
  sims.openai.script({ match: { model: GROQ_LLAMA }, latencyMs: 1500 });
  const concurrent = await Promise.all([0, 1, 2].map(() => chat(gw, { model: LLAMA, provider: GROQ_FIRST })));
  assert.ok(concurrent.every((r) => r.status === 200));
  assert.deepEqual(concurrent.map((r) => r.body.provider).sort(), ['deepinfra', 'deepinfra', 'groq']);
  assert.equal(groqCalls(), 4, 'one probe');
  const others = concurrent.filter((r) => r.body.provider === 'deepinfra');
  for (const r of others)
    assert.deepEqual(parseAttemptsHeader(r.headers.get('x-arouter-attempts')), [
      ['groq', 'skipped'],
      ['deepinfra', '200'],
    ]);

  // the probe succeeded: closed again, groq serves
  const closed = await chat(gw, { model: LLAMA, provider: GROQ_FIRST });
  assert.equal(closed.body.provider, 'groq');
  assert.equal((await endpoints(LLAMA)).get('groq')!.circuit, 'closed');
});

test('a failed probe re-opens the breaker for a full cooldown', async () => {
  const model = 'meta-llama/llama-4-scout';
  const groqModel = 'meta-llama/llama-4-scout-17b-16e-instruct';
  sims.openai.script({ match: { model: groqModel }, status: 503, times: 4 });
  for (let i = 0; i < 3; i++)
    assert.equal((await chat(gw, { model, provider: GROQ_FIRST })).body.provider, 'deepinfra');
  await sleep(COOLDOWN_MS + 150);
  const probe = await chat(gw, { model, provider: GROQ_FIRST });
  assert.equal(probe.body.provider, 'deepinfra');
  assert.deepEqual(parseAttemptsHeader(probe.headers.get('x-arouter-attempts')), [
    ['groq', '503'],
    ['deepinfra', '200'],
  ]);
  assert.equal(groqCalls(), 4);
  const again = await chat(gw, { model, provider: GROQ_FIRST });
  assert.equal(again.body.provider, 'deepinfra');
  assert.equal(groqCalls(), 4, 'open again right after the failed probe');
  assert.equal((await endpoints(model)).get('groq')!.circuit, 'open');
});

test('answers that are 200 but unusable (malformed JSON) count as failures and open the breaker too', async () => {
  // groq, together and deepinfra all call it openai/gpt-oss-20b; fireworks' name keeps the fallback unscripted
  const model = 'openai/gpt-oss-20b';
  const prefs = { order: ['groq', 'fireworks'] };
  sims.openai.script({ match: { model: 'openai/gpt-oss-20b' }, malformedJson: true, times: 3 });
  for (let i = 0; i < 3; i++) assert.equal((await chat(gw, { model, provider: prefs })).body.provider, 'fireworks');
  const next = await chat(gw, { model, provider: prefs });
  assert.equal(next.body.provider, 'fireworks');
  assert.equal(groqCalls(), 3);
  assert.equal((await endpoints(model)).get('groq')!.circuit, 'open');
});

test('client errors (400) never open the breaker', async () => {
  const model = 'meta-llama/llama-3.1-8b-instruct';
  sims.openai.script({ match: { model: 'llama-3.1-8b-instant' }, status: 400, times: 4 });
  for (let i = 0; i < 4; i++) assert.equal((await chat(gw, { model, provider: GROQ_FIRST })).status, 400);
  const ok = await chat(gw, { model, provider: GROQ_FIRST });
  assert.equal(ok.body.provider, 'groq');
  assert.equal(groqCalls(), 5);
  const g = (await endpoints(model)).get('groq')!;
  assert.equal(g.circuit, 'closed');
  assert.equal(g.status, 0);
});

test('GET /models/{id}/endpoints shows live uptime, latency, throughput and circuit state after traffic', async () => {
  const model = 'openai/gpt-oss-120b';
  const before = await endpoints(model);
  assert.equal(before.get('groq')!.uptime_last_30m, null, 'no traffic, no stats');
  assert.equal(before.get('groq')!.latency_last_30m, null);
  // 1 failure then 3 streamed successes on groq
  sims.openai.script({ match: { model: 'openai/gpt-oss-120b' }, status: 500 });
  await chat(gw, { model, provider: GROQ_FIRST });
  for (let i = 0; i < 3; i++) {
    const res = await gw.fetch('/chat/completions', {
      method: 'POST',
      json: {
        model,
        provider: GROQ_FIRST,
        stream: true,
        messages: [{ role: 'user', content: 'Tell me about endpoints' }],
      },
    });
    assert.equal(sseChunks(await res.text())[0].provider, 'groq');
  }
  const live = await endpoints(model);
  const groq = live.get('groq')!;
  assert.equal(groq.uptime_last_5m, 75);
  assert.equal(groq.uptime_last_30m, 75);
  assert.equal(groq.uptime_last_1d, 75);
  assert.equal(groq.circuit, 'closed');
  assert.equal(groq.status, -1, 'recently failing');
  assert.ok(groq.latency_last_30m && groq.latency_last_30m.p50 >= 0, 'TTFT percentiles from the streams');
  assert.ok(groq.throughput_last_30m && groq.throughput_last_30m.p50 > 0, 'throughput percentiles from the streams');
  const fw = live.get('deepinfra')!;
  assert.equal(fw.uptime_last_30m, 100, 'deepinfra served the fallback');
  assert.equal(live.get('together')!.uptime_last_30m, null);
});

test("a fallback's time spent on the failed endpoint is not counted in the serving endpoint's latency", async () => {
  const model = 'qwen/qwen3-32b';
  // groq fails slowly; alibaba then answers at once
  sims.openai.script({ match: { model: 'qwen/qwen3-32b' }, status: 500, latencyMs: 1500 });
  const res = await gw.fetch('/chat/completions', {
    method: 'POST',
    json: {
      model,
      provider: { order: ['groq', 'alibaba'] },
      stream: true,
      messages: [{ role: 'user', content: 'Tell me about latency' }],
    },
  });
  const chunks = sseChunks(await res.text());
  assert.equal(chunks[0].provider, 'alibaba');
  const di = (await endpoints(model)).get('alibaba')!;
  assert.ok(di.latency_last_30m, 'a TTFT sample');
  assert.ok(di.latency_last_30m.p50 < 1.0, `alibaba TTFT ${di.latency_last_30m.p50}s excludes groq's 1.5 s`);
});

test('a single-endpoint model: the open breaker fails fast (503 + Retry-After) instead of calling the upstream', async () => {
  const model = 'openai/gpt-4.1-mini';
  sims.openai.script({ match: { model: 'gpt-4.1-mini' }, status: 500, times: 3 });
  for (let i = 0; i < 3; i++) assert.equal((await chat(gw, { model })).status, 502);
  assert.equal(sims.openai.requests.length, 3);
  const fast = await chat(gw, { model });
  assert.equal(fast.status, 503, JSON.stringify(fast.body));
  assert.equal(fast.body.error.metadata.code, 'no_endpoint_available');
  const retry = Number(fast.headers.get('retry-after'));
  assert.ok(retry >= 1 && retry <= Math.ceil(COOLDOWN_MS / 1000), `Retry-After ${retry}`);
  assert.deepEqual(parseAttemptsHeader(fast.headers.get('x-arouter-attempts')), [['openai', 'skipped']]);
  assert.equal(sims.openai.requests.length, 3, 'the upstream is left alone while the breaker is open');
  // after the cooldown one probe goes through and closes the breaker again
  await sleep(COOLDOWN_MS + 150);
  const probe = await chat(gw, { model });
  assert.equal(probe.status, 200, JSON.stringify(probe.body));
  assert.equal(sims.openai.requests.length, 4);
  assert.equal((await endpoints(model)).get('openai')!.circuit, 'closed');
});

test('every endpoint open: the same fast 503, no upstream call', async () => {
  // glm-4.7: exactly two endpoints, with different provider-side names
  const model = 'z-ai/glm-4.7';
  const prefs = { order: ['cerebras', 'deepinfra'], allow_fallbacks: false };
  sims.openai.script({ match: { model: 'zai-glm-4.7' }, status: 500, times: 3 });
  sims.openai.script({ match: { model: 'zai-org/GLM-4.7' }, status: 500, times: 3 });
  for (let i = 0; i < 3; i++) assert.equal((await chat(gw, { model, provider: prefs })).status, 502);
  assert.equal(chatCalls(sims).length, 6);
  const fast = await chat(gw, { model, provider: prefs });
  assert.equal(fast.status, 503, JSON.stringify(fast.body));
  assert.deepEqual(
    parseAttemptsHeader(fast.headers.get('x-arouter-attempts')),
    [
      ['cerebras', 'skipped'],
      ['deepinfra', 'skipped'],
    ],
    'in provider.order',
  );
  assert.ok(Number(fast.headers.get('retry-after')) >= 1);
  assert.equal(chatCalls(sims).length, 6);
});
