// Live config reload (issue 18 item 4; SIGHUP, POST /v1/admin/reload). Everything the new config gives is built
// and checked first (catalog with its overrides and prices, provider registry and keys, upstream transport): a
// config that fails throws (ConfigError / CatalogError naming the field) with nothing changed. Then, in one
// synchronous step, the settings of the shared services are updated in place (rate-limit defaults, breaker
// thresholds, CORS, log level) and one assignment swaps the new Snapshot in: requests already running keep the one
// they read. What the old config alone used (a replaced transport, pools of origins no provider names any more,
// the breaker history of endpoints that went away) is let go once those requests have ended.
import type { App } from './app.js';
import type { Config } from './config/load.js';
import { configChanges, keepRestartOnly } from './config/diff.js';
import type { Catalog } from './catalog/catalog.js';
import { ConfigError, configErrorField, NoConfigSource } from './config/load.js';
import { ProviderRegistry } from './providers/registry.js';
import { Transport } from './providers/transport.js';
import { endpointKey } from './routing/filters.js';
import { Cors } from './http/cors.js';

export interface ReloadReport {
  /** config fields (and provider keys) whose new value serves new requests now */
  changed: string[];
  /** fields that changed in the file or environment but keep their running value until a restart */
  needs_restart: string[];
}

/** providers configured or not, keys and base URLs, by what they resolved to (a key is named, never shown) */
function providerChanges(before: ProviderRegistry, after: ProviderRegistry): string[] {
  const out: string[] = [];
  for (const [id, p] of after.configured) {
    const old = before.get(id);
    if (!old) out.push(`providers.${id}`);
    else {
      if (old.apiKey !== p.apiKey) out.push(`providers.${id}.api_key`);
      if (old.def.base_url !== p.def.base_url) out.push(`providers.${id}.base_url`);
    }
  }
  for (const id of before.configured.keys()) if (!after.get(id)) out.push(`providers.${id}`);
  return out;
}

/** the transport reads these when it makes its pools; the others (deadline, keep-alive comments) per request */
function samePools(a: Config['upstream'], b: Config['upstream']): boolean {
  return (
    a.connectTimeoutMs === b.connectTimeoutMs &&
    a.firstByteTimeoutMs === b.firstByteTimeoutMs &&
    a.idleTimeoutMs === b.idleTimeoutMs &&
    a.connectionsPerOrigin === b.connectionsPerOrigin &&
    a.keepAliveMs === b.keepAliveMs &&
    a.http2 === b.http2 &&
    a.ca === b.ca &&
    a.maxResponseBytes === b.maxResponseBytes
  );
}

/** a CA file that reads as PEM but does not parse fails here, before anything changed */
function newTransport(upstream: Config['upstream'], app: App): Transport {
  try {
    return new Transport(upstream, app.log);
  } catch (err) {
    throw new ConfigError(`upstream.ca_file: ${(err as Error).message}`, 'upstream.ca_file');
  }
}

function origin(url: string | null | undefined): string | null {
  try {
    return url ? new URL(url).origin : null;
  } catch {
    return null;
  }
}

function endpointKeys(catalog: Catalog): Set<string> {
  const keys = new Set<string>();
  for (const m of catalog.models) for (const e of m.endpoints) keys.add(endpointKey(m, e));
  return keys;
}

export function reloadApp(app: App, next: Config): ReloadReport {
  const before = app.env;
  const { live, restart } = configChanges(before.config, next);
  const config = keepRestartOnly(before.config, next);

  // 1. build and check everything: a throw here leaves the running state untouched
  const catalog = app.catalogSync.prepare(config.catalog, config.catalogSync);
  const providers = new ProviderRegistry(catalog.catalog, app.processEnv, app.demoUpstreams, config.providerKeys);
  const keepTransport = samePools(before.config.upstream, config.upstream);
  const transport = keepTransport ? before.transport : newTransport(config.upstream, app);
  const cors = new Cors(config.corsOrigins);

  // 2. apply, synchronously: no request runs between these lines
  catalog.apply();
  if (!keepTransport) app.catalogSync.useTransport(transport);
  app.health.configure({
    failureThreshold: config.routing.breakerFailures,
    cooldownMs: config.routing.breakerCooldownMs,
  });
  app.limits.configure(config.limits);
  app.log.setLevel(config.logLevel);
  app.cors = cors;
  app.onUpstreamConfig(config.upstream);
  app.install(config, catalog.catalog, providers, transport);

  // 3. once the requests that may still use the old state have ended, let it go
  const retired = keepTransport ? null : before.transport;
  if (retired) app.retired.add(retired);
  void app.inFlight.ended().then(() => {
    if (retired) {
      app.retired.delete(retired);
      void retired.close();
    }
    const now = app.env;
    const origins = new Set<string | null>([origin(now.config.catalogSync.metadataUrl)]);
    for (const p of now.providers.configured.values()) origins.add(origin(p.def.base_url));
    const closed = now.transport.retain((o) => origins.has(o));
    const serving = endpointKeys(now.catalog);
    const forgot = app.health.forget((k) => serving.has(k));
    if (closed.length || forgot) app.log.info('config reload: released', { pools: closed, endpoints: forgot });
  });

  return { changed: [...new Set([...live, ...providerChanges(before.providers, providers)])], needs_restart: restart };
}

export function reloadLogged(app: App, trigger: string): ReloadReport {
  let report: ReloadReport;
  try {
    if (!app.reloadConfig) throw new NoConfigSource('this server was not started from a config it can re-read');
    report = reloadApp(app, app.reloadConfig());
  } catch (err) {
    app.log.error('config reload refused; the running config stays', {
      trigger,
      error: (err as Error).message,
      field: configErrorField(err),
    });
    throw err;
  }
  app.log.info('config reloaded', { trigger, changed: report.changed, needs_restart: report.needs_restart });
  if (report.needs_restart.length)
    app.log.warn('config changes that need a restart (the running values stay)', { fields: report.needs_restart });
  app.onReloaded?.(trigger);
  return report;
}
