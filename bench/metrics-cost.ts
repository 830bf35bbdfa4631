// The Prometheus metrics' own cost per request, without the rest of the handler: the observer calls the pipeline
// makes for one chat completion (request start, one attempt, its end, the request's end with usage and cost) and
// the HTTP counter, in a loop, as CPU time per request. Deterministic where the full bench is noisy. Also prints
// what prom-client's own labelled inc()/observe() cost, the path the metrics avoid. Run built:
//   npm run build && node dist/bench/metrics-cost.js [requests]
import { Counter, Histogram, Registry } from 'prom-client';
import { Catalog, loadBuiltinCatalog } from '../src/catalog/catalog.js';
import { HealthTracker } from '../src/routing/health.js';
import { LATENCY_BUCKETS, Metrics } from '../src/telemetry/metrics.js';
import type { AttemptRecord } from '../src/store/types.js';

const N = Number(process.argv[2] ?? 1_000_000);
const catalog = new Catalog(loadBuiltinCatalog());
const m = new Metrics(
  {
    catalog: () => catalog,
    health: new HealthTracker(),
    inFlight: () => 0,
    reservations: () => 0,
    ledgerQueue: () => 0,
    catalogSyncedAt: () => null,
  },
  { processMetrics: false },
);
const models = catalog.models.slice(0, 3).map((x) => x.id);
const provider = 'openai';
const incoming = {} as never;
const request = { model: 'x', messages: [] } as never;
const route = '/v1/chat/completions';

function one(i: number): void {
  const model = models[i % 3];
  const rec: AttemptRecord = { provider, model, endpoint: 'x', status: 200, duration_ms: 3 };
  const w = m.request({
    api: 'chat',
    route,
    requestedModel: model,
    stream: false,
    incoming,
    request,
    at: performance.now(),
  });
  const aw = w.attempt({ provider, model, endpoint: 'x', endpointKey: 'k', index: 0, fallback: false, at: 0 });
  aw.outbound('http://127.0.0.1:9/v1/chat/completions');
  aw.end({ outcome: 'ok', status: 200, durationMs: 3, error: null, record: rec });
  w.end({
    status: 200,
    model,
    provider,
    endpoint: 'x',
    usage: { input: 8, output: 9, reasoning: 0, cachedRead: 0, cacheWrite: 0, estimated: false },
    costPusd: 26_000n,
    latencyMs: 1.5 + (i % 100),
    ttftMs: null,
    finishReason: 'stop',
    cancelled: false,
    attempts: [rec],
    error: null,
    generationId: 'gen-x',
    upstreamId: null,
    output: null,
  });
  m.httpRequest(route, 200);
}

function cpuNs(f: (i: number) => void, n: number): number {
  for (let i = 0; i < Math.min(n, 200_000); i++) f(i);
  const c0 = process.cpuUsage();
  for (let i = 0; i < n; i++) f(i);
  const c = process.cpuUsage(c0);
  return ((c.user + c.system) * 1000) / n;
}

const rounds = [0, 1, 2, 3, 4].map(() => cpuNs(one, N)).sort((a, b) => a - b);
console.log(
  `metrics per request (observer + counters + histograms + HTTP counter): median ${rounds[2].toFixed(0)} ns CPU`,
);

const reg = new Registry();
const c = new Counter({ name: 'c', help: 'h', labelNames: ['route', 'status', 'model', 'provider'], registers: [reg] });
const h = new Histogram({
  name: 'h',
  help: 'h',
  labelNames: ['route', 'model', 'provider'],
  buckets: LATENCY_BUCKETS,
  registers: [reg],
});
const inc = cpuNs((i) => c.inc({ route, status: '2xx', model: models[i % 3], provider }), N);
const obs = cpuNs((i) => h.observe({ route, model: models[i % 3], provider }, (i % 1000) / 100), N);
console.log(
  `prom-client, for comparison: labelled counter inc() ${inc.toFixed(0)} ns, histogram observe() ${obs.toFixed(0)} ns`,
);
