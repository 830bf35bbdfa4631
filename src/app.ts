// Wires the gateway together: config → storage → directory (keys, accounts) → catalog → providers →
// routing state → accounting → HTTP. One App per process (tests start several on random ports).
import { join } from 'node:path';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Config } from './config/load.js';
import { Logger } from './lib/log.js';
import { Catalog, loadBuiltinCatalog } from './catalog/catalog.js';
import type { Dialect, EndpointDef, ModelDef } from './catalog/types.js';
import { publicModel, type EndpointLiveStats } from './catalog/view.js';
import type { Storage } from './store/types.js';
import { openStorage } from './storage.js';
import { Directory } from './auth/directory.js';
import { ProviderRegistry } from './providers/registry.js';
import { SpendService } from './accounting/spend.js';
import { RedisReservationStore } from './accounting/redis-reservations.js';
import { createHttpServer, buildRouter } from './http/server.js';
import { HealthTracker } from './routing/health.js';
import { endpointKey } from './routing/filters.js';
import { Cors } from './http/cors.js';
import { Transport } from './providers/transport.js';
import { RequestLimits, type Limits } from './accounting/limits.js';
import { SharedRequestLimits } from './accounting/limits-redis.js';
import { openRedis, type Redis } from './store/redis.js';
import { RedisBus } from './store/redis-bus.js';
import { SharedBreakers } from './routing/breakers-redis.js';
import { loadSyncedState } from './catalog/sync/state.js';
import { Ledger } from './accounting/ledger.js';
import { LedgerRetention } from './accounting/ledger-retention.js';
import { LedgerJournal } from './store/journal.js';
import { allRoutes } from './http/routes/index.js';
import { InFlight } from './lib/in-flight.js';
import { CatalogSync } from './providers/catalog-sync.js';
import { Snapshot, type SharedServices } from './snapshot.js';
import { reloadApp, reloadLogged, type ReloadReport } from './reload.js';
import { combineObservers, type RequestObserver } from './routing/observer.js';
import { openTracing, type TracingSdk } from './telemetry/tracing/sdk.js';
import { TracingObserver } from './telemetry/tracing/spans.js';
import { MemoryReservationStore } from './accounting/reservations.js';
import type { Metrics } from './telemetry/metrics.js';

/**
 * How often the key directory asks storage for other processes' writes: a key revoked with `arouter keys revoke`
 * (or by another instance) is refused within this time. One prepared point read per poll when nothing changed.
 */
const DIRECTORY_POLL_MS = 250;

/** after the grace period, how long requests told to stop get to write their error and settle */
const CUT_SETTLE_MS = 2_000;

/**
 * A Redis reservation outlives the request's deadline by this much before a sweep returns it: a live request has
 * settled long before (deadline, then at most the shutdown cut), so only a dead process's reservations expire.
 */
const RESERVATION_TTL_MARGIN_MS = 60_000;

const reservationTtlMs = (u: Config['upstream']) => u.totalDeadlineMs + CUT_SETTLE_MS + RESERVATION_TTL_MARGIN_MS;

export interface AppOptions {
  config: Config;
  env?: NodeJS.ProcessEnv;
  /** base URLs of simulated upstreams per dialect (demo mode and tests) */
  demoUpstreams?: Record<Dialect, string> | null;
  storage?: Storage;
  logger?: Logger;
  /** re-reads the config (file, environment, the flags of the start) for a reload; null: nothing to reload from */
  reloadConfig?: (() => Config) | null;
}

export class App {
  /**
   * The config-derived state (config, catalog, provider keys, transport), replaced whole by a catalog sync or a
   * config reload (src/snapshot.ts), never mutated: a request reads it once and keeps that object to its end.
   */
  env: Snapshot;
  readonly log: Logger;
  readonly store: Storage;
  readonly directory: Directory;
  /** bumped at each catalog swap */
  catalogVersion = 1;
  readonly catalogSync: CatalogSync;
  /** how many /v1/models answers were built (not served from the cache): tests check it stays one per catalog */
  modelListBuilds = 0;
  readonly spend: SpendService;
  readonly health: HealthTracker;
  readonly limits: Limits;
  /** what a reload rebuilds the provider registry from */
  readonly processEnv: NodeJS.ProcessEnv;
  readonly demoUpstreams: Record<Dialect, string> | null;
  readonly reloadConfig: (() => Config) | null;
  /** transports a reload replaced, closed once the requests that may use them have ended (or at close) */
  readonly retired = new Set<Transport>();
  /** with `redis.url`: the shared-state connection, and the pub/sub bus telling other processes what changed */
  readonly redis: Redis | null = null;
  readonly bus: RedisBus | null = null;
  private readonly breakers: SharedBreakers | null = null;
  readonly ledger: Ledger;
  /** only with `ledger.retention_days` */
  readonly retention: LedgerRetention | null;
  /** serialised public model objects, computed once per ModelDef object (a swapped-out catalog's go with it) */
  private modelJsonCache = new WeakMap<ModelDef, string>();
  /** serialised /v1/models answers per (providers, query) */
  readonly modelsCache = new Map<string, string>();
  /** replaced by a reload (server.cors_origins) */
  cors: Cors;
  draining = false;
  /** requests being handled, and what stops each one when the shutdown grace period runs out */
  readonly inFlight = new InFlight();
  private server: Server | null = null;
  /** read by the Redis reservation store at each reserve: a reload raising the total deadline raises it */
  private readonly reservationTtl: { ttlMs: number };
  /** told of each applied reload (a --workers worker asks its primary to reload the others) */
  onReloaded: ((trigger: string) => void) | null = null;
  /** who watches each request (metrics, traces): combined once, when installed; null while there is none */
  observer: RequestObserver | null = null;
  private readonly observers: RequestObserver[] = [];
  /** OpenTelemetry traces (config.tracing); null when off, and then no OTel package is loaded */
  readonly tracing: TracingSdk | null = null;
  /** Prometheus metrics (`metrics.enabled`), made in init(); and the `metrics.listen` listener's address */
  metrics: Metrics | null = null;
  private metricsServer: Server | null = null;
  metricsAddress: AddressInfo | null = null;
  /** the admin key created on first start, shown once by the CLI */
  bootstrapAdminKey: string | null = null;

  constructor(opts: AppOptions) {
    const config = opts.config;
    this.processEnv = opts.env ?? process.env;
    this.demoUpstreams = opts.demoUpstreams ?? null;
    this.reloadConfig = opts.reloadConfig ?? null;
    this.cors = new Cors(opts.config.corsOrigins);
    this.log = opts.logger ?? new Logger(opts.config.logLevel);
    this.store = opts.storage ?? openStorage(opts.config);
    this.directory = new Directory(this.store, opts.config.adminKey, { keyCacheSize: opts.config.auth.keyCacheSize });
    this.directory.onAccountsChanged = () => this.onAccountChanged();
    const transport = new Transport(opts.config.upstream, this.log);
    this.reservationTtl = { ttlMs: reservationTtlMs(config.upstream) };
    // the last synced state saved in the data dir is read here (one small file): a restart offline serves what
    // the previous process served, and no provider is asked before the server listens
    this.catalogSync = new CatalogSync(
      opts.config.dataDir,
      loadBuiltinCatalog(),
      opts.config.catalog,
      opts.config.catalogSync,
      () => this.providers.configured.values(),
      transport,
      this.log,
      (c) => this.setCatalog(c),
    );
    const catalog = this.catalogSync.build();
    const providers = new ProviderRegistry(catalog, this.processEnv, this.demoUpstreams, config.providerKeys);
    this.health = new HealthTracker({
      failureThreshold: opts.config.routing.breakerFailures,
      cooldownMs: opts.config.routing.breakerCooldownMs,
    });
    if (opts.config.redis.url) {
      const cfg = { url: opts.config.redis.url, prefix: opts.config.redis.prefix };
      const failed = (what: string) => (err: unknown) => this.log.error(what, { error: String(err) });
      this.redis = openRedis(cfg);
      this.redis.on('error', failed('redis connection error'));
      this.bus = new RedisBus(this.redis, cfg, failed('redis pub/sub error'));
      this.limits = new SharedRequestLimits(opts.config.limits, this.redis, failed('shared rate limits failed'));
      this.breakers = new SharedBreakers(this.health, this.redis, this.bus, failed('shared circuit breaker failed'));
      const bus = this.bus;
      this.directory.onWrite = () => bus.publish('dir', {});
      bus.on('dir', () => void this.directory.invalidate().catch(failed('key directory refresh failed')));
      bus.on('catalog', () => this.reloadCatalog());
    } else {
      this.limits = new RequestLimits(opts.config.limits);
    }
    // reservations and spend counters: shared through Redis too, each operation one Lua script
    this.spend = new SpendService(this.redis ? new RedisReservationStore(this.redis, this.reservationTtl) : undefined);
    // the journal sits beside the database it protects; a storage passed in (tests, in-memory) has none
    const journal =
      opts.config.ledger.journal && !opts.storage
        ? new LedgerJournal(join(opts.config.dataDir, 'ledger-journal'))
        : null;
    this.ledger = new Ledger(this.store, this.log, opts.config.ledger, journal);
    const days = opts.config.ledger.retentionDays;
    this.retention = days === null ? null : new LedgerRetention(this.store, this.log, { days });
    this.env = new Snapshot(this.shared(), config, catalog, providers, transport);
    if (opts.config.tracing.enabled) {
      this.tracing = openTracing(opts.config.tracing, this.log);
      this.addObserver(new TracingObserver(this.tracing, opts.config.tracing));
    }
  }

  private shared(): SharedServices {
    const { log, health, spend, limits, ledger, inFlight, observer } = this;
    return { log, health, spend, limits, ledger, inFlight, observer };
  }

  get config(): Config {
    return this.env.config;
  }

  get catalog(): Catalog {
    return this.env.catalog;
  }

  get providers(): ProviderRegistry {
    return this.env.providers;
  }

  get transport(): Transport {
    return this.env.transport;
  }

  /** swaps the config-derived state in with one assignment; the answers cached from the old catalog go */
  install(config: Config, catalog: Catalog, providers: ProviderRegistry, transport: Transport): void {
    const changedCatalog = catalog !== this.env.catalog;
    this.env = new Snapshot(this.shared(), config, catalog, providers, transport);
    if (changedCatalog) this.catalogVersion++;
    this.modelsCache.clear();
  }

  /**
   * Applies a new config to new requests (src/reload.ts): built and checked whole first, a bad one throws (a
   * ConfigError or CatalogError naming the field) and changes nothing.
   */
  reload(next: Config): ReloadReport {
    return reloadApp(this, next);
  }

  /** a reload's upstream settings, for what reads them outside a snapshot */
  onUpstreamConfig(upstream: Config['upstream']): void {
    this.reservationTtl.ttlMs = reservationTtlMs(upstream);
  }

  /**
   * SIGHUP and POST /v1/admin/reload: re-reads the config the server started from (file, environment, flags) and
   * applies it, logging what changed, what needs a restart, or why it was refused (then rethrown).
   */
  reloadFromSource(trigger: string): ReloadReport {
    return reloadLogged(this, trigger);
  }

  /** Adds a request observer (src/routing/observer.ts) at startup, before listen(): a new snapshot carries it. */
  addObserver(o: RequestObserver): void {
    this.observers.push(o);
    this.observer = combineObservers(this.observers);
    const { config, catalog, providers, transport } = this.env;
    this.install(config, catalog, providers, transport);
  }

  modelJson(m: ModelDef): string {
    let s = this.modelJsonCache.get(m);
    if (!s) this.modelJsonCache.set(m, (s = JSON.stringify(publicModel(m))));
    return s;
  }

  endpointStats(_provider: string, m: ModelDef, e: EndpointDef): EndpointLiveStats {
    const s = this.health.stats(endpointKey(m, e));
    return {
      // OpenRouter's status enum: 0 healthy, negative = degraded (-1 recently failing, -2 breaker open)
      status: s.breaker === 'open' ? -2 : s.recently_failing ? -1 : 0,
      uptime_last_5m: s.uptime_last_5m,
      uptime_last_30m: s.uptime_last_30m,
      uptime_last_1d: s.uptime_last_1d,
      latency_last_30m: s.latency_last_30m,
      throughput_last_30m: s.throughput_last_30m,
      circuit: s.breaker,
    };
  }

  /**
   * a sync built a new catalog: one assignment, and the answers cached from the old one go; other processes are
   * told (`announce`), and rebuild from the synced state this one saved
   */
  setCatalog(c: Catalog, announce = true): void {
    const { config, providers, transport } = this.env;
    this.install(config, c, providers, transport);
    if (announce) this.bus?.publish('catalog', {});
  }

  /** another process synced the catalog: rebuild from the synced state it saved in the (shared) data dir */
  private reloadCatalog(): void {
    const { state, error } = loadSyncedState(this.config.dataDir);
    if (error) {
      this.log.warn('catalog changed elsewhere but the synced state is unreadable here', { error });
      return;
    }
    this.catalogSync.state = state;
    this.setCatalog(this.catalogSync.build(), false);
  }

  /** an account's enabled providers changed: drop caches keyed by provider sets */
  onAccountChanged(): void {
    this.modelsCache.clear();
  }

  /** Metrics over this app's state; prom-client is loaded only when they are on. */
  private async startMetrics(): Promise<void> {
    const { Metrics } = await import('./telemetry/metrics.js');
    const store = this.spend.store;
    const m = new Metrics({
      catalog: () => this.catalog,
      health: this.health,
      inFlight: () => this.inFlight.size,
      reservations: () => (store instanceof MemoryReservationStore ? store.outstanding : null),
      ledgerQueue: () => this.ledger.size,
      catalogSyncedAt: () => {
        let last: number | null = null;
        for (const p of Object.values(this.catalogSync.state.providers)) {
          const t = p.last_success === null ? NaN : Date.parse(p.last_success);
          if (t === t && (last === null || t > last)) last = t;
        }
        return last;
      },
    });
    this.ledger.onBatch = (rows, seconds, ok) => m.ledgerBatchDone(rows, seconds, ok);
    this.metrics = m;
    this.addObserver(m);
  }

  async init(): Promise<void> {
    if (this.config.metrics.enabled) await this.startMetrics();
    await this.store.migrate();
    if (this.redis) {
      // the subscriber connection would wait for Redis forever: fail the start instead, naming it
      await this.redis.ping().catch((err: unknown) => {
        throw new Error(`Redis (redis.url) is unreachable: ${(err as Error).message}`, { cause: err });
      });
    }
    // subscribed before the directory loads: a write announced meanwhile is read by the refresh it triggers
    await this.bus?.start();
    await this.breakers?.start();
    await this.directory.load();
    const boot = await this.directory.bootstrap();
    this.bootstrapAdminKey = boot.adminKey;
    this.directory.watch(DIRECTORY_POLL_MS, (err) =>
      this.log.error('key directory refresh failed', { error: String(err) }),
    );
    // rows a killed process accepted but had not committed yet: stored (with their spend) before totals are read
    await this.ledger.recover();
    await this.spend.loadFrom(this.store);
    this.retention?.start();
    this.catalogSync.start();
    // Tokenizer tables (~90 MB) are NOT preloaded: most requests never need an exact local count (the
    // upstream reports usage and prompt bounds are conclusive); the first one that does loads them.
  }

  async listen(): Promise<AddressInfo> {
    const server = createHttpServer(this, buildRouter(allRoutes));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.config.port, this.config.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const at = this.config.metrics.listen;
    const metrics = this.metrics;
    if (at && metrics) {
      const { listenMetrics } = await import('./telemetry/listener.js');
      const scrape = async () => ({ text: await metrics.scrape(), contentType: metrics.contentType });
      const m = await listenMetrics(at, scrape, this.log);
      this.metricsServer = m.server;
      this.metricsAddress = m.address;
    }
    return server.address() as AddressInfo;
  }

  /**
   * Graceful stop: refuse new work, let in-flight requests finish within the grace period, then end the rest
   * with an error (streams in-band) so each is settled, billed for what it delivered and written to the
   * ledger, then flush the ledger and close storage.
   */
  async close(): Promise<void> {
    this.draining = true;
    const server = this.server;
    if (server) {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // keep-alive sockets of requests that finish during the drain go idle, and close() would wait for the
      // clients to drop them (or for the grace period): close them as they go idle, so the ledger flush below
      // is not delayed towards an orchestrator's kill deadline
      const idle = setInterval(() => server.closeIdleConnections(), 50);
      server.closeIdleConnections();
      if (!(await this.inFlight.idle(this.config.shutdownGraceMs))) {
        const cut = this.inFlight.stopAll();
        this.log.warn('shutdown grace period over: ending in-flight requests with an error', { requests: cut });
        // they settle within a turn or two of the upstream call's abort; bounded in case one does not
        await this.inFlight.idle(CUT_SETTLE_MS);
      }
      // answers just ended may still be in their sockets' buffers: destroying those sockets would lose them, so
      // let the idle-closer above take each connection once its answer is flushed, and force only stragglers
      const straggler = new Promise<void>((resolve) => setTimeout(resolve, CUT_SETTLE_MS).unref());
      await Promise.race([closed, straggler]);
      clearInterval(idle);
      server.closeAllConnections();
      await closed;
    }
    // every request has ended (and its span with it): what is queued is exported before the process goes
    await this.tracing
      ?.shutdown()
      .catch((err: unknown) => this.log.warn('trace export at shutdown failed', { error: String(err) }));
    const ms = this.metricsServer;
    if (ms) {
      const closed = new Promise<void>((resolve) => ms.close(() => resolve()));
      ms.closeAllConnections();
      await closed;
    }
    this.directory.unwatch();
    await this.catalogSync.stop();
    await this.retention?.stop();
    await this.ledger.close();
    await this.transport.close();
    await Promise.all([...this.retired].map((t) => t.close()));
    await this.store.close();
    this.breakers?.stop();
    await this.bus?.close();
    await this.redis?.quit().catch(() => this.redis?.disconnect());
  }
}
