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
import { SqliteStorage } from './store/sqlite.js';
import type { Storage } from './store/types.js';
import { Directory } from './auth/directory.js';
import { ProviderRegistry } from './providers/registry.js';
import { SpendService } from './accounting/spend.js';
import { createHttpServer, buildRouter } from './http/server.js';
import { HealthTracker } from './routing/health.js';
import { endpointKey } from './routing/filters.js';
import { Cors } from './http/cors.js';
import { Transport } from './providers/transport.js';
import { RequestLimits } from './accounting/limits.js';
import { Ledger } from './accounting/ledger.js';
import { LedgerRetention } from './accounting/ledger-retention.js';
import { allRoutes } from './http/routes/index.js';

export interface AppOptions {
  config: Config;
  env?: NodeJS.ProcessEnv;
  /** base URLs of simulated upstreams per dialect (demo mode and tests) */
  demoUpstreams?: Record<Dialect, string> | null;
  storage?: Storage;
  logger?: Logger;
}

export class App {
  readonly config: Config;
  readonly log: Logger;
  readonly store: Storage;
  readonly directory: Directory;
  readonly catalog: Catalog;
  readonly providers: ProviderRegistry;
  readonly spend = new SpendService();
  readonly health: HealthTracker;
  readonly transport: Transport;
  readonly limits: RequestLimits;
  readonly ledger: Ledger;
  /** only with `ledger.retention_days` */
  readonly retention: LedgerRetention | null;
  /** serialised public model objects, computed once */
  private modelJsonCache = new Map<ModelDef, string>();
  /** serialised /v1/models answers per (providers, query) */
  readonly modelsCache = new Map<string, string>();
  readonly cors: Cors;
  draining = false;
  private server: Server | null = null;
  /** the admin key created on first start, shown once by the CLI */
  bootstrapAdminKey: string | null = null;

  constructor(opts: AppOptions) {
    this.config = opts.config;
    this.cors = new Cors(opts.config.corsOrigins);
    this.log = opts.logger ?? new Logger(opts.config.logLevel);
    this.store = opts.storage ?? new SqliteStorage(join(opts.config.dataDir, 'arouter.db'));
    this.directory = new Directory(this.store, opts.config.adminKey);
    this.catalog = new Catalog(loadBuiltinCatalog(), opts.config.catalog);
    this.providers = new ProviderRegistry(this.catalog, opts.env ?? process.env, opts.demoUpstreams ?? null);
    this.health = new HealthTracker({
      failureThreshold: opts.config.routing.breakerFailures,
      cooldownMs: opts.config.routing.breakerCooldownMs,
    });
    this.transport = new Transport(opts.config.upstream, this.log);
    this.limits = new RequestLimits(opts.config.limits);
    this.ledger = new Ledger(this.store, this.log, opts.config.ledger);
    const days = opts.config.ledger.retentionDays;
    this.retention = days === null ? null : new LedgerRetention(this.store, this.log, { days });
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

  /** an account's enabled providers changed: drop caches keyed by provider sets */
  onAccountChanged(): void {
    this.modelsCache.clear();
  }

  async init(): Promise<void> {
    await this.store.migrate();
    await this.directory.load();
    const boot = await this.directory.bootstrap();
    this.bootstrapAdminKey = boot.adminKey;
    await this.spend.loadFrom(this.store);
    this.retention?.start();
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
    return server.address() as AddressInfo;
  }

  /** Graceful stop: refuse new work, let in-flight requests finish (bounded), flush, close storage. */
  async close(): Promise<void> {
    this.draining = true;
    const server = this.server;
    if (server) {
      await new Promise<void>((resolve) => {
        // keep-alive sockets of requests that finish during the drain go idle, and close() would wait for the
        // clients to drop them (or for the grace period): close them as they go idle, so the ledger flush below
        // is not delayed towards an orchestrator's kill deadline
        const idle = setInterval(() => server.closeIdleConnections(), 50);
        const timer = setTimeout(() => {
          clearInterval(idle);
          server.closeAllConnections();
          resolve();
        }, this.config.shutdownGraceMs);
        timer.unref();
        server.close(() => {
          clearTimeout(timer);
          clearInterval(idle);
          resolve();
        });
        server.closeIdleConnections();
      });
    }
    await this.retention?.stop();
    await this.ledger.close();
    await this.transport.close();
    await this.store.close();
  }
}
