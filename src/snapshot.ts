// What one request works with from its start to its end: the config-derived state (config, catalog, provider
// registry and keys, upstream transport) beside the services every request shares (limits, health, spend,
// ledger). A reload or a catalog sync builds a new Snapshot whole and swaps it in with one assignment
// (App.env); a request reads App.env once, so a swap changes nothing for requests in flight: a stream started
// before a reload is billed at the prices it was planned with and its fallbacks use the keys it started with.
import type { Config } from './config/load.js';
import type { Catalog } from './catalog/catalog.js';
import type { ProviderRegistry } from './providers/registry.js';
import type { Transport } from './providers/transport.js';
import type { PipelineEnv } from './pipeline/env.js';

/** the services kept across reloads (their settings, if any, are updated in place) */
export type SharedServices = Omit<PipelineEnv, 'config' | 'catalog' | 'providers' | 'transport'>;

export class Snapshot implements PipelineEnv {
  readonly log: PipelineEnv['log'];
  readonly health: PipelineEnv['health'];
  readonly spend: PipelineEnv['spend'];
  readonly limits: PipelineEnv['limits'];
  readonly ledger: PipelineEnv['ledger'];
  readonly inFlight: PipelineEnv['inFlight'];
  readonly observer: PipelineEnv['observer'];

  constructor(
    shared: SharedServices,
    readonly config: Config,
    readonly catalog: Catalog,
    readonly providers: ProviderRegistry,
    readonly transport: Transport,
  ) {
    this.log = shared.log;
    this.health = shared.health;
    this.spend = shared.spend;
    this.limits = shared.limits;
    this.ledger = shared.ledger;
    this.inFlight = shared.inFlight;
    this.observer = shared.observer;
  }
}
