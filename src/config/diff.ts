// What a reload changes (issue 18 item 4): every Config field, named as the operator writes it in the config file
// (or the environment / flag that set it), and whether it applies live or needs a restart. A field missing from
// this table is a compile error (FIELDS is checked against Config's keys), so a new setting cannot be silently
// ignored by a reload.
import { isDeepStrictEqual } from 'node:util';
import type { Config } from './load.js';

type Live = 'live' | 'restart';

/** one entry per Config key: its file name, and how a change applies (sub-objects: per field, snake_cased) */
const FIELDS: { [K in keyof Config]: [name: string, live: Live] } = {
  host: ['server.host', 'restart'],
  port: ['server.port', 'restart'],
  dataDir: ['data_dir', 'restart'],
  storage: ['storage', 'restart'],
  redis: ['redis', 'restart'],
  auth: ['auth', 'restart'],
  bodyLimitBytes: ['server.body_limit_bytes', 'live'],
  shutdownGraceMs: ['server.shutdown_grace_ms', 'live'],
  // node:http reads these when the server is made
  requestTimeoutMs: ['server.request_timeout_ms', 'restart'],
  maxConnections: ['server.max_connections', 'restart'],
  // a V8 flag: meaningful before load only
  heapGrowingPercent: ['server.heap_growing_percent', 'restart'],
  corsOrigins: ['server.cors_origins', 'live'],
  logLevel: ['log.level', 'live'],
  logPrompts: ['log.prompts', 'live'],
  adminKey: ['AROUTER_ADMIN_KEY', 'restart'],
  demo: ['--demo', 'restart'],
  upstream: ['upstream', 'live'],
  limits: ['limits', 'live'],
  routing: ['routing', 'live'],
  // the ledger's writer thread, batcher and journal are made once
  ledger: ['ledger', 'restart'],
  catalog: ['', 'live'],
  catalogSync: ['catalog', 'live'],
  file: ['config file', 'restart'],
  // reported by what the provider registry resolved (providers.<id>.api_key), never by value
  providerKeys: ['', 'live'],
  // the console's routes read it per request
  console: ['console', 'live'],
  // the metrics registry and its listener are made once
  metrics: ['metrics', 'restart'],
  // the tracer provider and its exporter are made once, at start
  tracing: ['tracing', 'restart'],
};

/** sub-fields whose file name is not their snake_cased name */
const RENAMED: Record<string, string> = {
  'upstream.ca': 'upstream.ca_file',
  'catalog.intervalMs': 'catalog.sync_interval',
  'catalog.graceMs': 'catalog.removal_grace_days',
  'catalog.timeoutMs': 'catalog.sync_timeout_ms',
};

const snake = (s: string) => s.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

export interface ConfigChanges {
  /** applied to new requests at once */
  live: string[];
  /** read, but only a restart applies them (the running value stays) */
  restart: string[];
}

/** models and providers overrides, by id: what was added, removed or changed */
function byId(prefix: string, a: Array<{ id: string }> = [], b: Array<{ id: string }> = []): string[] {
  const before = new Map(a.map((x) => [x.id, x]));
  const after = new Map(b.map((x) => [x.id, x]));
  const out: string[] = [];
  for (const [id, x] of after) if (!isDeepStrictEqual(before.get(id), x)) out.push(`${prefix}.${id}`);
  for (const id of before.keys()) if (!after.has(id)) out.push(`${prefix}.${id}`);
  return out;
}

export function configChanges(before: Config, after: Config): ConfigChanges {
  const out: ConfigChanges = { live: [], restart: [] };
  for (const key of Object.keys(FIELDS) as Array<keyof Config>) {
    const a = before[key];
    const b = after[key];
    if (key === 'providerKeys' || isDeepStrictEqual(a, b)) continue;
    const [name, live] = FIELDS[key];
    const list = out[live];
    if (key === 'catalog') {
      list.push(...byId('providers', before.catalog.providers, after.catalog.providers));
      list.push(...byId('models', before.catalog.models, after.catalog.models));
    } else if (typeof a === 'object' && a !== null && !Array.isArray(a)) {
      // names only, never values: storage and redis URLs may hold passwords
      const ao = a as Record<string, unknown>;
      const bo = b as Record<string, unknown>;
      for (const sub of new Set([...Object.keys(ao), ...Object.keys(bo)])) {
        if (isDeepStrictEqual(ao[sub], bo[sub])) continue;
        const full = `${name}.${sub}`;
        list.push(RENAMED[full] ?? `${name}.${snake(sub)}`);
      }
    } else list.push(name);
  }
  return out;
}

/** `after`, with the running value of every field a restart alone applies */
export function keepRestartOnly(before: Config, after: Config): Config {
  const out = { ...after } as Record<keyof Config, unknown>;
  for (const key of Object.keys(FIELDS) as Array<keyof Config>)
    if (FIELDS[key][1] === 'restart') out[key] = before[key];
  return out as Config;
}
