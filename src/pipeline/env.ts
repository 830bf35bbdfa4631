// What the request pipeline needs of the composed application (src/app.ts satisfies it), and of the caller.
// An interface rather than the App class: the pipeline sits below app.ts in the import graph.
import type { ServerResponse } from 'node:http';
import type { Config } from '../config/load.js';
import type { Logger } from '../lib/log.js';
import type { InFlight } from '../lib/in-flight.js';
import type { Catalog } from '../catalog/catalog.js';
import type { ProviderRegistry } from '../providers/registry.js';
import type { Transport } from '../providers/transport.js';
import type { SpendService } from '../accounting/spend.js';
import type { Limits } from '../accounting/limits.js';
import type { Ledger } from '../accounting/ledger.js';
import type { HealthTracker } from '../routing/health.js';
import type { RequestObserver } from '../routing/observer.js';
import type { AccountRow, KeyRow } from '../store/types.js';

export interface PipelineEnv {
  readonly config: Config;
  readonly log: Logger;
  /** read once per request: a catalog sync swaps it whole */
  readonly catalog: Catalog;
  readonly providers: ProviderRegistry;
  readonly transport: Transport;
  readonly health: HealthTracker;
  readonly spend: SpendService;
  readonly limits: Limits;
  readonly ledger: Ledger;
  readonly inFlight: InFlight;
  /** who watches each request (metrics, traces: src/routing/observer.ts); null: nobody, and it costs nothing */
  readonly observer: RequestObserver | null;
}

/** The authenticated caller of one request. */
export interface Caller {
  key: KeyRow;
  account: AccountRow;
  /** the client's response: its close aborts upstream calls (a client that leaves stops what it started) */
  res: ServerResponse;
  /** what the access-log line says of the answer (set by the pipeline) */
  log: { generationId?: string; model?: string | null; provider?: string | null };
}
