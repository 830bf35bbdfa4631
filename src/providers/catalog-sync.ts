// The runtime catalog sync: asks each configured provider for its model list (model-lists.ts), optionally reads
// a models.dev-format metadata document for prices and limits, folds both into the synced state
// (src/catalog/sync/), keeps that state in the data dir and hands a freshly built Catalog to `onCatalog`, which
// swaps it in with one assignment. Never on the request path: a sync runs beside the traffic, and start-up only
// reads the last saved state (one small file) so it is never blocked by a provider.
import { EventEmitter } from 'node:events';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import type { ServerResponse } from 'node:http';
import { Catalog, type CatalogOverrides } from '../catalog/catalog.js';
import type { CatalogData } from '../catalog/types.js';
import { applySynced, providerNames, recordFailure, recordListing, type MergeReport } from '../catalog/sync/merge.js';
import { describe, parseMetadata, type Metadata } from '../catalog/sync/metadata.js';
import { loadSyncedState, saveSyncedState, SYNCED_FILE, type SyncedState } from '../catalog/sync/state.js';
import type { Logger } from '../lib/log.js';
import { listProviderModels, type GetJson } from './model-lists.js';
import type { ConfiguredProvider } from './registry.js';
import { RequestAbort, type Transport } from './transport.js';

export interface CatalogSyncOptions {
  /** 0 = no sync at start nor on a timer (a manual sync still works) */
  intervalMs: number;
  graceMs: number;
  metadataUrl: string | null;
  /** each list page and the metadata document must answer within this */
  timeoutMs: number;
}

export interface ProviderSyncStatus {
  id: string;
  name: string;
  dialect: string;
  /** null when this provider is synced; else why not (it shares its upstream with another provider) */
  skipped: string | null;
  last_sync: string | null;
  last_success: string | null;
  models_seen: number;
  models_added: number;
  models_removed: number;
  models_repriced: number;
  last_error: string | null;
}

export class CatalogSync {
  state: SyncedState;
  private report: MergeReport = { providers: {} };
  private running: Promise<void> | null = null;
  private timers: NodeJS.Timeout[] = [];
  /** mtime of the state file when we last read or wrote it: a newer one was written by `arouter catalog sync` */
  private fileMtime = 0;
  /** the state could not be read at start, or the last build failed */
  loadError: string | null = null;
  buildError: string | null = null;
  lastSync: string | null = null;
  /** when the catalog in use was built: a grace period ending after it needs a rebuild (an endpoint to drop) */
  private builtAt = 0;
  /** between start() and stop(): a reload changing the interval re-arms the timer then only */
  private started = false;

  constructor(
    private readonly dataDir: string,
    private readonly builtin: CatalogData,
    private overrides: CatalogOverrides,
    private opts: CatalogSyncOptions,
    private readonly providers: () => Iterable<ConfiguredProvider>,
    private transport: Transport,
    private readonly log: Logger,
    /** receives every catalog built after a sync */
    public onCatalog: (c: Catalog) => void = () => {},
  ) {
    const { state, error } = loadSyncedState(dataDir);
    this.state = state;
    this.loadError = error;
    this.fileMtime = this.mtime();
    if (error) log.warn('catalog sync: saved state unreadable, starting from the built-in catalog', { error });
  }

  get file(): string {
    return join(this.dataDir, SYNCED_FILE);
  }

  private mtime(): number {
    try {
      return statSync(this.file).mtimeMs;
    } catch {
      return 0;
    }
  }

  /**
   * Built-in ← synced ← config. A synced state the Catalog refuses (it should not happen: merge output is
   * checked by the same validation) falls back to built-in ← config rather than failing the start.
   */
  build(now: number = Date.now()): Catalog {
    const { catalog, report, error } = this.compose(this.overrides, now);
    this.commit(report, error, now);
    return catalog;
  }

  private compose(
    overrides: CatalogOverrides,
    now: number,
  ): { catalog: Catalog; report: MergeReport | null; error: string | null } {
    const { data, report } = applySynced(this.builtin, this.state, now, providerNames(this.builtin, overrides));
    try {
      return { catalog: new Catalog(data, overrides), report, error: null };
    } catch (err) {
      return { catalog: new Catalog(this.builtin, overrides), report: null, error: (err as Error).message };
    }
  }

  private commit(report: MergeReport | null, error: string | null, now: number): void {
    this.builtAt = now;
    if (report) this.report = report;
    this.buildError = error;
    if (error) this.log.error('catalog sync: the synced catalog is invalid; serving the built-in one', { error });
  }

  /**
   * A config reload: the catalog the new overrides give, built before anything changes (a CatalogError naming the
   * field refuses the reload, and this sync keeps its settings); `apply` adopts the overrides and options with it.
   */
  prepare(overrides: CatalogOverrides, opts: CatalogSyncOptions): { catalog: Catalog; apply: () => void } {
    const now = Date.now();
    const { catalog, report, error } = this.compose(overrides, now);
    return {
      catalog,
      apply: () => {
        this.overrides = overrides;
        const retime = this.started && opts.intervalMs !== this.opts.intervalMs;
        this.opts = opts;
        this.commit(report, error, now);
        if (retime) {
          for (const t of this.timers) clearTimeout(t);
          this.timers = [];
          this.start(false);
        }
      },
    };
  }

  /** a reload replaced the upstream transport */
  useTransport(transport: Transport): void {
    this.transport = transport;
  }

  /** the first sync right after start (never awaited by it) and one every interval; timers never hold the process */
  start(first = true): void {
    this.started = true;
    if (this.opts.intervalMs <= 0) return;
    const run = () => void this.syncNow().catch((err) => this.log.error('catalog sync failed', { error: String(err) }));
    if (first) {
      const t = setTimeout(run, 0);
      t.unref();
      this.timers.push(t);
    }
    const every = setInterval(run, this.opts.intervalMs);
    every.unref();
    this.timers.push(every);
  }

  async stop(): Promise<void> {
    this.started = false;
    for (const t of this.timers) clearTimeout(t);
    this.timers = [];
    await this.running?.catch(() => {});
  }

  /** One sync of every configured provider; concurrent calls share the sync in progress. */
  syncNow(): Promise<void> {
    if (!this.running) {
      this.running = this.run().finally(() => {
        this.running = null;
      });
    }
    return this.running;
  }

  private get: GetJson = async (url, headers) => {
    // not a client request: a stand-in response the abort listens to (it never closes), for the deadline alone
    const abort = new RequestAbort(new EventEmitter() as unknown as ServerResponse, this.opts.timeoutMs);
    try {
      const r = await this.transport.fetch({ url, method: 'GET', headers, body: '' }, abort);
      return { status: r.status, body: r.body.toString('utf8') };
    } catch (err) {
      throw new Error((err as { message?: string }).message ?? String(err), { cause: err });
    } finally {
      abort.dispose();
    }
  };

  /** configured providers to ask, one per distinct upstream (demo mode points them all at three simulators) */
  private targets(): { run: ConfiguredProvider[]; skipped: Map<string, string> } {
    const byUpstream = new Map<string, string>();
    const run: ConfiguredProvider[] = [];
    const skipped = new Map<string, string>();
    for (const p of this.providers()) {
      const key = `${p.def.base_url}\0${p.apiKey}`;
      const first = byUpstream.get(key);
      if (first) {
        skipped.set(p.def.id, `shares its upstream ${p.def.base_url} with provider ${first}`);
        continue;
      }
      byUpstream.set(key, p.def.id);
      run.push(p);
    }
    return { run, skipped };
  }

  private async run(): Promise<void> {
    // a newer state file was written by `arouter catalog sync` in another process: start from it
    const m = this.mtime();
    if (m > this.fileMtime) {
      const { state, error } = loadSyncedState(this.dataDir);
      if (!error) this.state = state;
    }
    let meta: Metadata | null = null;
    const url = this.opts.metadataUrl;
    if (url) {
      try {
        const r = await this.get(url, { accept: 'application/json' });
        if (r.status < 200 || r.status >= 300) throw new Error(`HTTP ${r.status}`);
        meta = parseMetadata(JSON.parse(r.body));
        this.state.metadata = { url, fetched_at: new Date().toISOString(), error: null };
      } catch (err) {
        // the prices learnt before stay in the state (recordListing keeps them)
        this.state.metadata = { ...this.state.metadata, url, error: `${url}: ${(err as Error).message}` };
        this.log.warn('catalog sync: metadata document unavailable', { url, error: (err as Error).message });
      }
    }
    const { run } = this.targets();
    const before = this.signature();
    await Promise.all(
      run.map(async (p) => {
        const id = p.def.id;
        try {
          const listed = (await listProviderModels(this.get, p.def, p.apiKey)).map((l) => describe(l, id, meta));
          this.state.providers[id] = recordListing(this.state.providers[id], listed, Date.now(), this.opts.graceMs);
        } catch (err) {
          const msg = (err as Error).message;
          this.state.providers[id] = recordFailure(this.state.providers[id], msg, Date.now());
          this.log.warn('catalog sync: provider model list failed; keeping its previous models', {
            provider: id,
            error: msg,
          });
        }
      }),
    );
    this.lastSync = new Date().toISOString();
    try {
      saveSyncedState(this.dataDir, this.state);
      this.fileMtime = this.mtime();
    } catch (err) {
      this.log.error('catalog sync: could not save the synced state', {
        file: this.file,
        error: (err as Error).message,
      });
    }
    // a catalog of thousands of models takes ~100 ms to build (5,000 synced models, measured): when no provider's
    // list, price or removal changed, the catalog in use stays, and so do the /v1/models answers cached from it
    if (this.signature() !== before || this.graceEndedSinceBuild()) this.onCatalog(this.build());
  }

  private signature(): string {
    const parts: unknown[] = [];
    for (const [id, p] of Object.entries(this.state.providers)) parts.push(id, p.models, p.removed);
    return JSON.stringify(parts);
  }

  private graceEndedSinceBuild(now = Date.now()): boolean {
    for (const p of Object.values(this.state.providers)) {
      for (const r of Object.values(p.removed)) {
        const t = Date.parse(r.expires);
        if (t > this.builtAt && t <= now) return true;
      }
    }
    return false;
  }

  status(): {
    providers: ProviderSyncStatus[];
    metadata: SyncedState['metadata'];
    last_sync: string | null;
    file: string;
    interval_seconds: number;
    removal_grace_seconds: number;
    error: string | null;
  } {
    const { skipped } = this.targets();
    const providers: ProviderSyncStatus[] = [];
    for (const p of this.providers()) {
      const s = this.state.providers[p.def.id];
      const r = this.report.providers[p.def.id];
      providers.push({
        id: p.def.id,
        name: p.def.name,
        dialect: p.def.dialect,
        skipped: skipped.get(p.def.id) ?? null,
        last_sync: s?.last_sync ?? null,
        last_success: s?.last_success ?? null,
        models_seen: r?.seen ?? 0,
        models_added: r?.added ?? 0,
        models_removed: r?.removed ?? 0,
        models_repriced: r?.repriced ?? 0,
        last_error: s?.last_error ?? null,
      });
    }
    return {
      last_sync: this.lastSync,
      interval_seconds: this.opts.intervalMs / 1000,
      removal_grace_seconds: this.opts.graceMs / 1000,
      metadata: this.state.metadata,
      file: this.file,
      error: this.buildError ?? this.loadError,
      providers,
    };
  }
}
