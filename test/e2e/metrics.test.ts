// GET /metrics after known traffic through a real gateway and the simulated upstreams: an answer, fallbacks after
// a 503 and a 429, a stream, a request every endpoint failed, a refused unknown model, the Messages API, an
// unknown route. The counters and the histograms' counts, buckets and sums are checked exactly (the sums against
// the latencies the observer seam reported, recorded by a second observer), tokens and cost against the ledger;
// who may scrape (an operator key on the main port, anyone on `metrics.listen`), and that client text never
// becomes a label value.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { SimSet, TestGateway } from '../helpers/gateway.js';
import { chat, post, startRoutingGateway } from '../helpers/routing.js';
import { createKey, generation, pusd } from '../helpers/accounting.js';
import { parseProm, type Scrape } from '../helpers/prom-text.js';
import type { RequestObserver } from '../../src/routing/observer.js';
import { LATENCY_BUCKETS, TTFT_BUCKETS } from '../../src/telemetry/metrics.js';

const LLAMA = 'meta-llama/llama-3.3-70b-instruct';
const GROQ_LLAMA = 'llama-3.3-70b-versatile';
const GROQ_FIRST = { order: ['groq', 'deepinfra'] };
const CHAT = '/v1/chat/completions';

let gw: TestGateway;
let sims: SimSet;
let metricsUrl: string;
/** what the seam reported, per "route model provider", in end order */
const latencies = new Map<string, number[]>();
const ttfts = new Map<string, number[]>();
const ids: string[] = [];
let scrape: Scrape;

const push = (m: Map<string, number[]>, k: string, v: number) => m.set(k, [...(m.get(k) ?? []), v]);

before(async () => {
  ({ gw, sims } = await startRoutingGateway({
    routing: { breaker_failures: 1000 },
    metrics: { listen: '127.0.0.1:0' },
  }));
  const recorder: RequestObserver = {
    request: (s) => ({
      attempt: () => ({ outbound: () => null, end() {} }),
      firstToken() {},
      end(e) {
        // an unanswered request is labelled with its requested model when the catalog knows it
        const model = e.model ?? (gw.app.catalog.get(s.requestedModel) ? s.requestedModel : 'unknown');
        const k = `${s.route} ${model} ${e.provider ?? 'none'}`;
        push(latencies, k, e.latencyMs / 1000);
        if (e.ttftMs !== null) push(ttfts, k, e.ttftMs / 1000);
      },
    }),
  };
  gw.app.addObserver(recorder);
  metricsUrl = `http://127.0.0.1:${gw.app.metricsAddress!.port}/metrics`;

  const ok = async (r: Promise<{ status: number; body: any }>) => {
    const res = await r;
    assert.equal(res.status, 200, JSON.stringify(res.body));
    ids.push(res.body.id);
    return res;
  };
  await ok(chat(gw, { model: LLAMA, provider: GROQ_FIRST }));
  sims.openai.script({ match: { model: GROQ_LLAMA }, status: 503 });
  await ok(chat(gw, { model: LLAMA, provider: GROQ_FIRST }));
  sims.openai.script({ match: { model: GROQ_LLAMA }, status: 429 });
  await ok(chat(gw, { model: LLAMA, provider: GROQ_FIRST }));
  const stream = await chat(gw, { model: LLAMA, provider: GROQ_FIRST, stream: true });
  assert.equal(stream.status, 200);
  ids.push(/"id":"(gen-[^"]+)"/.exec(String(stream.body))![1]);
  sims.openai.script({ match: { model: GROQ_LLAMA }, status: 500 });
  sims.openai.script({ match: { model: 'meta-llama/Llama-3.3-70B-Instruct-Turbo' }, status: 503 });
  const failed = await chat(gw, { model: LLAMA, provider: { ...GROQ_FIRST, allow_fallbacks: false } });
  assert.equal(failed.status, 502);
  for (const name of ['nobody/made-up-1', 'nobody/made-up-2'])
    assert.equal((await chat(gw, { model: name })).status, 404);
  const msg = await post(gw, '/messages', {
    model: LLAMA,
    max_tokens: 64,
    messages: [{ role: 'user', content: 'hi' }],
  });
  assert.equal(msg.status, 200, JSON.stringify(msg.body));
  assert.equal((await gw.fetch('/no/such/route/client-text')).status, 404);
  assert.equal((await gw.fetch('/chat/completions', { method: 'POST', key: null, json: {} })).status, 401);
  await gw.app.ledger.flush();
  const res = await fetch(metricsUrl);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type')!, /^text\/plain; version=0\.0\.4/);
  scrape = parseProm(await res.text());
});
after(async () => {
  await gw.close();
  await sims.close();
});

test('requests by route, status class, model and provider; HTTP requests of every route', () => {
  const req = (status_class: string, provider: string, model = LLAMA, route = CHAT) =>
    scrape.value('arouter_requests_total', { route, status_class, model, provider });
  assert.equal(req('2xx', 'groq'), 2, 'the first answer and the stream');
  // (the Messages request is counted under its own route)
  assert.equal(req('2xx', 'deepinfra'), 2, 'the two fallbacks');
  assert.equal(req('5xx', 'none'), 1, 'every endpoint failed: no provider answered');
  assert.equal(req('4xx', 'none', 'unknown'), 2, 'unknown models share one label value');
  const messages = scrape.all('arouter_requests_total', { route: '/v1/messages', status_class: '2xx' });
  assert.equal(messages.length, 1);
  assert.equal(messages[0].value, 1);
  const total = scrape.all('arouter_requests_total').reduce((n, s) => n + s.value, 0);
  assert.equal(total, 8);

  assert.equal(scrape.value('arouter_http_requests_total', { route: CHAT, status_class: '2xx' }), 4);
  assert.equal(scrape.value('arouter_http_requests_total', { route: CHAT, status_class: '5xx' }), 1);
  assert.equal(scrape.value('arouter_http_requests_total', { route: CHAT, status_class: '4xx' }), 3, '2 × 404 + 401');
  assert.equal(scrape.value('arouter_http_requests_total', { route: 'unmatched', status_class: '4xx' }), 1);
});

test('upstream attempts by provider and outcome, and fallbacks', () => {
  const att = (provider: string, outcome: string) =>
    scrape.value('arouter_upstream_attempts_total', { provider, outcome });
  assert.equal(att('groq', 'ok'), 2);
  assert.equal(att('groq', '5xx'), 2, 'the 503 and the 500');
  assert.equal(att('groq', '429'), 1);
  assert.equal(att('deepinfra', 'ok'), 2);
  assert.equal(att('deepinfra', '5xx'), 1);
  const all = scrape.all('arouter_upstream_attempts_total');
  assert.equal(
    all.reduce((n, s) => n + s.value, 0),
    8 + 1,
    'and the Messages request’s attempt',
  );
  assert.equal(scrape.value('arouter_upstream_fallbacks_total', { provider: 'deepinfra' }), 3);
  assert.equal(scrape.all('arouter_upstream_fallbacks_total').length, 1);
});

test('latency and TTFT histograms: counts, cumulative buckets and sums exactly as the seam reported them', () => {
  const check = (family: string, buckets: number[], seen: Map<string, number[]>) => {
    let series = 0;
    for (const [k, values] of seen) {
      const [route, model, provider] = k.split(' ');
      const labels = { route, model, provider };
      assert.equal(scrape.value(`${family}_count`, labels), values.length, `${family} count ${k}`);
      assert.equal(
        scrape.value(`${family}_sum`, labels),
        values.reduce((a, b) => a + b, 0),
        `${family} sum ${k}`,
      );
      for (const le of buckets)
        assert.equal(
          scrape.value(`${family}_bucket`, { ...labels, le: String(le) }),
          values.filter((v) => v <= le).length,
          `${family} le=${le} ${k}`,
        );
      assert.equal(scrape.value(`${family}_bucket`, { ...labels, le: '+Inf' }), values.length);
      series++;
    }
    return series;
  };
  // chat: groq, deepinfra, the failed request (no provider), the unknown models; messages: one
  assert.equal(check('arouter_request_duration_seconds', LATENCY_BUCKETS, latencies), 5);
  assert.equal(scrape.value('arouter_request_duration_seconds_count', { model: 'unknown', provider: 'none' }), 2);
  assert.equal(scrape.all('arouter_request_duration_seconds_count').length, 5);
  assert.equal(check('arouter_time_to_first_token_seconds', TTFT_BUCKETS, ttfts), 1);
  assert.equal(
    scrape.value('arouter_time_to_first_token_seconds_count', { route: CHAT, model: LLAMA, provider: 'groq' }),
    1,
  );
});

test('tokens and cost by model and provider match the ledger', async () => {
  const want = new Map<string, { input: number; output: number; cost: bigint }>();
  for (const id of ids) {
    const g = await generation(gw, id);
    const k = `${g.model} ${g.provider_name}`;
    const w = want.get(k) ?? { input: 0, output: 0, cost: 0n };
    w.input += g.tokens_prompt;
    w.output += g.tokens_completion;
    w.cost += pusd(g.total_cost_exact);
    want.set(k, w);
  }
  assert.deepEqual([...want.keys()].sort(), [`${LLAMA} deepinfra`, `${LLAMA} groq`]);
  for (const [k, w] of want) {
    const [model, provider] = k.split(' ');
    assert.equal(scrape.value('arouter_tokens_total', { model, provider, type: 'input' }), w.input, k);
    assert.equal(scrape.value('arouter_tokens_total', { model, provider, type: 'output' }), w.output, k);
    assert.ok(w.cost > 0n);
    assert.equal(scrape.value('arouter_cost_usd_total', { model, provider }), Number(w.cost) / 1e12, k);
  }
});

test('gauges read at scrape time: in-flight, streams, reservations, ledger, catalog, circuit breakers', async () => {
  assert.equal(scrape.value('arouter_requests_in_flight'), 0, 'the metrics listener is not a request');
  assert.equal(scrape.value('arouter_streams_open'), 0);
  assert.equal(scrape.value('arouter_reservations_held'), 0);
  assert.equal(scrape.value('arouter_ledger_queue_rows'), 0);
  assert.equal(scrape.value('arouter_ledger_rows_written_total'), 6);
  assert.ok(scrape.value('arouter_ledger_batch_seconds_count') >= 1);
  assert.equal(scrape.value('arouter_catalog_models'), gw.app.catalog.models.length);
  assert.equal(scrape.value('arouter_catalog_last_sync_timestamp_seconds'), 0, 'never synced in this test');
  assert.equal(scrape.value('arouter_circuit_breaker_state', { endpoint: `groq:${LLAMA}` }), 0);
  assert.ok(scrape.value('arouter_process_resident_memory_bytes') > 0, 'process metrics');

  gw.app.health.applyBreaker(`groq:${LLAMA}`, Date.now() + 60_000);
  const again = parseProm(await (await fetch(metricsUrl)).text());
  assert.equal(again.value('arouter_circuit_breaker_state', { endpoint: `groq:${LLAMA}` }), 2);
  gw.app.health.applyBreaker(`groq:${LLAMA}`, 0);
});

test('labels: no client text, key or account; a model label is a catalog id, auto or unknown', () => {
  const catalog = new Set(gw.app.catalog.models.map((m) => m.id));
  for (const s of scrape.samples) {
    assert.ok(!JSON.stringify(s.labels).includes('nobody'), `client text in ${s.name} ${JSON.stringify(s.labels)}`);
    assert.ok(!JSON.stringify(s.labels).includes('client-text'), `client text in ${s.name}`);
    for (const l of ['key', 'key_id', 'account', 'account_id']) assert.equal(s.labels[l], undefined);
    if (s.labels.model !== undefined)
      assert.ok(catalog.has(s.labels.model) || s.labels.model === 'unknown', s.labels.model);
  }
});

test('who may scrape: an operator key on the main port; user keys and no key are refused', async () => {
  const root = gw.url.replace(/\/v1$/, '');
  const anon = await fetch(`${root}/metrics`);
  assert.equal(anon.status, 401);
  const user = await createKey(gw, { name: 'metrics-user', role: 'user' });
  const refused = await fetch(`${root}/metrics`, { headers: { authorization: `Bearer ${user.key}` } });
  assert.equal(refused.status, 403);
  const op = await fetch(`${root}/metrics`, { headers: { authorization: `Bearer ${gw.adminKey}` } });
  assert.equal(op.status, 200);
  const text = await op.text();
  assert.ok(parseProm(text).value('arouter_requests_in_flight') >= 1, 'the scrape itself is in flight');
  const other = await fetch(metricsUrl.replace('/metrics', '/v1/models'));
  assert.equal(other.status, 404, 'the metrics listener serves /metrics only');
});

test('metrics.enabled: false — no /metrics, no observer', async () => {
  const off = await startRoutingGateway({ metrics: { enabled: false } });
  try {
    assert.equal(off.gw.app.metrics, null);
    assert.equal(off.gw.app.observer, null);
    const r = await fetch(`${off.gw.url.replace(/\/v1$/, '')}/metrics`, {
      headers: { authorization: `Bearer ${off.gw.adminKey}` },
    });
    assert.equal(r.status, 404);
    assert.equal(
      ((await r.json()) as { error: { metadata: { code: string } } }).error.metadata.code,
      'metrics_disabled',
    );
  } finally {
    await off.gw.close();
    await off.sims.close();
  }
});
