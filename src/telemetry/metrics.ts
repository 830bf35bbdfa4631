// Prometheus metrics (README "Operations"): a request observer (src/routing/observer.ts) that counts each
// request's outcome, latency, tokens and cost and each upstream attempt into pre-labelled cells (./families.ts),
// plus gauges read from the gateway's state at scrape time only (in-flight requests, circuit breakers, the
// ledger queue, the catalog) and prom-client's process metrics. Labels are bounded: routes and outcomes are fixed
// words, models and providers catalog ids (a model name the catalog does not know is `unknown`), never a key,
// an account or client text.
import { Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { Catalog } from '../catalog/catalog.js';
import type { HealthTracker } from '../routing/health.js';
import { AUTO_NAMES } from '../routing/index.js';
import type {
  AttemptEnd,
  AttemptStart,
  AttemptWatch,
  RequestEnd,
  RequestObserver,
  RequestStart,
  RequestWatch,
} from '../routing/observer.js';
import {
  CounterFamily,
  HistogramFamily,
  observe,
  PusdFamily,
  type CounterCell,
  type HistogramCell,
  type PusdCell,
} from './families.js';
import { askPrimary, inClusterWorker, shareWithPrimary } from './cluster.js';

/** What the scrape-time gauges read. */
export interface MetricsSources {
  /** the catalog in use (a sync swaps it) */
  catalog(): Catalog;
  health: HealthTracker;
  /** HTTP requests being handled */
  inFlight(): number;
  /** reservations this process holds (null: the store does not say, e.g. Redis) */
  reservations(): number | null;
  /** generation rows accepted and not yet committed */
  ledgerQueue(): number;
  /** epoch ms of the last successful provider model-list sync (null: never) */
  catalogSyncedAt(): number | null;
}

/** Request latency: an LLM answer takes from tens of milliseconds (a cached embedding) to minutes (reasoning). */
export const LATENCY_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 120, 300, 600];
/** Time to first token: milliseconds to a minute or two (a long prompt, a reasoning model). */
export const TTFT_BUCKETS = [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 30, 60, 120];
const LEDGER_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

const STATUS_CLASSES = ['1xx', '2xx', '3xx', '4xx', '5xx'];
/** 0 for 1xx … 4 for 5xx (and anything else) */
const classIndex = (status: number): number => {
  const c = ((status / 100) | 0) - 1;
  return c >= 0 && c <= 4 ? c : 4;
};

const BREAKER_CODE = { closed: 0, half_open: 1, open: 2 } as const;

/** the cells one (route, model, provider) updates at each request's end */
interface RequestCells {
  byClass: Array<CounterCell | undefined>;
  duration: HistogramCell;
  ttft: HistogramCell | null;
}

/** the cells one (model, provider) updates with an answer's usage */
interface UsageCells {
  input: CounterCell;
  output: CounterCell;
  reasoning: CounterCell;
  cachedRead: CounterCell;
  cacheWrite: CounterCell;
  cost: PusdCell;
}

function nested<T>(root: Map<string, Map<string, T>>, a: string, b: string, make: () => T): T {
  let m = root.get(a);
  if (m === undefined) root.set(a, (m = new Map()));
  let v = m.get(b);
  if (v === undefined) m.set(b, (v = make()));
  return v;
}

export class Metrics implements RequestObserver {
  readonly registry = new Registry();
  readonly http = new CounterFamily(
    'arouter_http_requests_total',
    'HTTP requests answered, by matched route (`unmatched` for none) and status class',
    ['route', 'status_class'],
  );
  readonly requests = new CounterFamily(
    'arouter_requests_total',
    'Model requests (chat, messages, responses, embeddings) by route, status class, model and provider that answered (`none`)',
    ['route', 'status_class', 'model', 'provider'],
  );
  readonly duration = new HistogramFamily(
    'arouter_request_duration_seconds',
    'Model request latency as the client saw it, fallbacks included',
    ['route', 'model', 'provider'],
    LATENCY_BUCKETS,
  );
  readonly ttft = new HistogramFamily(
    'arouter_time_to_first_token_seconds',
    'Streamed requests: time to the first content sent to the client',
    ['route', 'model', 'provider'],
    TTFT_BUCKETS,
  );
  readonly tokens = new CounterFamily(
    'arouter_tokens_total',
    'Tokens billed, by model, provider and type (input includes cached_read and cache_write; output includes reasoning)',
    ['model', 'provider', 'type'],
  );
  readonly cost = new PusdFamily('arouter_cost_usd_total', 'Cost billed to callers, in USD', ['model', 'provider']);
  readonly attempts = new CounterFamily(
    'arouter_upstream_attempts_total',
    'Upstream attempts by provider and outcome (ok, 429, 4xx, 5xx, timeout, network, invalid_response, aborted, circuit_open, skipped, internal)',
    ['provider', 'outcome'],
  );
  readonly fallbacks = new CounterFamily(
    'arouter_upstream_fallbacks_total',
    'Upstream attempts made after an earlier endpoint of the same request failed or was skipped, by the provider fallen back to',
    ['provider'],
  );
  readonly ledgerRows = new CounterFamily(
    'arouter_ledger_rows_written_total',
    'Generation rows committed to storage',
    [],
  );
  readonly ledgerFailures = new CounterFamily(
    'arouter_ledger_write_failures_total',
    'Ledger batches that failed (their rows stay queued and are retried)',
    [],
  );
  readonly ledgerBatch = new HistogramFamily(
    'arouter_ledger_batch_seconds',
    'Time to write one ledger batch',
    [],
    LEDGER_BUCKETS,
  );
  /** stream requests between their start and their end */
  private openStreams = 0;
  private readonly requestCells = new Map<string, Map<string, Map<string, RequestCells>>>();
  private readonly usageCells = new Map<string, Map<string, UsageCells>>();
  private readonly httpCells = new Map<string, Array<CounterCell | undefined>>();

  constructor(
    private readonly sources: MetricsSources,
    opts: { processMetrics?: boolean } = {},
  ) {
    const families = [
      this.http,
      this.requests,
      this.duration,
      this.ttft,
      this.tokens,
      this.cost,
      this.attempts,
      this.fallbacks,
      this.ledgerRows,
      this.ledgerFailures,
      this.ledgerBatch,
    ];
    for (const f of families) this.registry.registerMetric(f as never);
    this.gauges();
    // the process's CPU, memory, heap, event-loop lag, GC and handles, as prom-client collects them
    if (opts.processMetrics !== false) collectDefaultMetrics({ register: this.registry, prefix: 'arouter_' });
    if (inClusterWorker()) shareWithPrimary(this.registry);
  }

  request(s: RequestStart): RequestWatch {
    if (s.stream) this.openStreams++;
    return new RequestMetrics(this, s);
  }

  /** every HTTP request, once answered (src/http/server.ts) */
  httpRequest(route: string, status: number): void {
    let byClass = this.httpCells.get(route);
    if (byClass === undefined) this.httpCells.set(route, (byClass = []));
    const cls = classIndex(status);
    (byClass[cls] ??= this.http.cell(route, STATUS_CLASSES[cls])).value++;
  }

  /** a ledger batch written (or failed): src/accounting/ledger.ts onBatch */
  ledgerBatchDone(rows: number, seconds: number, ok: boolean): void {
    if (ok) {
      this.ledgerRows.cell('').value += rows;
      observe(this.ledgerBatch, this.ledgerBatch.cell(''), seconds);
    } else this.ledgerFailures.cell('').value++;
  }

  /** The Prometheus text of this process. */
  text(): Promise<string> {
    return this.registry.metrics();
  }

  /** What a scrape answers: this process's text, or in a cluster worker the whole server's (./cluster.ts). */
  scrape(): Promise<string> {
    return inClusterWorker() ? askPrimary() : this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** a model label: the catalog id, `auto`, or `unknown` (client text never becomes a label value) */
  modelLabel(name: string): string {
    if (AUTO_NAMES.has(name)) return 'auto';
    const colon = name.indexOf(':');
    const model = this.sources.catalog().get(colon < 0 ? name : name.slice(0, colon));
    return model === undefined ? 'unknown' : model.id;
  }

  /** @internal the request's end, counted */
  ended(s: RequestStart, e: RequestEnd): void {
    if (s.stream) this.openStreams--;
    const model = e.model ?? this.modelLabel(s.requestedModel);
    const provider = e.provider ?? 'none';
    const byRoute = this.requestCells.get(s.route) ?? this.requestCells.set(s.route, new Map()).get(s.route)!;
    const r = nested(byRoute, model, provider, () => ({
      byClass: [],
      duration: this.duration.cell(s.route, model, provider),
      ttft: null,
    }));
    const cls = classIndex(e.status);
    (r.byClass[cls] ??= this.requests.cell(s.route, STATUS_CLASSES[cls], model, provider)).value++;
    observe(this.duration, r.duration, e.latencyMs / 1000);
    if (e.ttftMs !== null) observe(this.ttft, (r.ttft ??= this.ttft.cell(s.route, model, provider)), e.ttftMs / 1000);
    const u = e.usage;
    if (u === null || e.model === null || e.provider === null) return;
    const c = nested(this.usageCells, model, provider, () => ({
      input: this.tokens.cell(model, provider, 'input'),
      output: this.tokens.cell(model, provider, 'output'),
      reasoning: this.tokens.cell(model, provider, 'reasoning'),
      cachedRead: this.tokens.cell(model, provider, 'cached_read'),
      cacheWrite: this.tokens.cell(model, provider, 'cache_write'),
      cost: this.cost.cell(model, provider),
    }));
    c.input.value += u.input;
    c.output.value += u.output;
    c.reasoning.value += u.reasoning;
    c.cachedRead.value += u.cachedRead;
    c.cacheWrite.value += u.cacheWrite;
    c.cost.pusd += e.costPusd;
  }

  /** @internal an attempt's end, counted */
  attemptEnded(a: AttemptStart, e: AttemptEnd): void {
    const outcome = outcomeLabel(e);
    this.attempts.cell(a.provider, outcome).value++;
    if (a.fallback && outcome !== 'skipped' && outcome !== 'circuit_open') this.fallbacks.cell(a.provider).value++;
  }

  private gauges(): void {
    const { sources } = this;
    const registers = [this.registry];
    const gauge = (name: string, help: string, read: () => number | null, aggregator: 'sum' | 'max' = 'sum') =>
      new Gauge({
        name,
        help,
        registers,
        aggregator,
        collect() {
          const v = read();
          if (v !== null) this.set(v);
        },
      });
    gauge('arouter_requests_in_flight', 'HTTP requests being handled', () => sources.inFlight());
    gauge('arouter_streams_open', 'Streamed model requests in progress', () => this.openStreams);
    gauge(
      'arouter_reservations_held',
      'Spend reservations held by requests in progress (in-process spend store only)',
      () => sources.reservations(),
    );
    gauge('arouter_ledger_queue_rows', 'Generation rows accepted and not yet committed to storage', () =>
      sources.ledgerQueue(),
    );
    gauge('arouter_catalog_models', 'Models in the catalog in use', () => sources.catalog().models.length, 'max');
    gauge(
      'arouter_catalog_last_sync_timestamp_seconds',
      'When a provider model list was last synced successfully (Unix seconds; 0: never)',
      () => (sources.catalogSyncedAt() ?? 0) / 1000,
      'max',
    );
    new Gauge({
      name: 'arouter_circuit_breaker_state',
      help: 'Circuit breaker of each endpoint that saw traffic: 0 closed, 1 half-open, 2 open',
      labelNames: ['endpoint'],
      registers,
      aggregator: 'max',
      collect() {
        this.reset();
        for (const key of sources.health.keys()) this.set({ endpoint: key }, BREAKER_CODE[sources.health.status(key)]);
      },
    });
  }
}

function outcomeLabel(e: AttemptEnd): string {
  switch (e.outcome) {
    case 'http':
      return e.status === 429 ? '429' : e.status >= 500 ? '5xx' : '4xx';
    case 'invalid':
      return 'invalid_response';
    case 'skipped':
      return e.record?.error === 'circuit_open' ? 'circuit_open' : 'skipped';
    default:
      return e.outcome;
  }
}

/** One request's watcher: what it needs to count at the end. Its attempts are watched one at a time. */
class RequestMetrics implements RequestWatch {
  private current: AttemptMetrics | null = null;

  constructor(
    private readonly m: Metrics,
    private readonly s: RequestStart,
  ) {}

  attempt(a: AttemptStart): AttemptWatch {
    // attempts come one after the other: one watcher object per request is enough
    const w = (this.current ??= new AttemptMetrics(this.m));
    w.start = a;
    return w;
  }

  firstToken(): void {}

  end(e: RequestEnd): void {
    this.m.ended(this.s, e);
  }
}

class AttemptMetrics implements AttemptWatch {
  start!: AttemptStart;
  constructor(private readonly m: Metrics) {}
  outbound(): null {
    return null;
  }
  end(e: AttemptEnd): void {
    this.m.attemptEnded(this.start, e);
  }
}
