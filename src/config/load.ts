// Loads and validates configuration: defaults ← config file ← environment ← CLI flags.
// Validation errors name the bad field (e.g. `providers[1].dialect`), so a typo fails the start loudly.
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { firstProblem } from '../lib/schema.js';
import { parse as parseYaml } from 'yaml';
import { ConfigSchema, type ConfigFile } from './schema.js';
import { CatalogError, type CatalogOverrides } from '../catalog/catalog.js';
import { loadTracing, type TracingConfig } from './tracing.js';

export class ConfigError extends Error {
  constructor(
    message: string,
    /** the config file field at fault, when one is (a reload's 400 names it) */
    readonly field: string | null = null,
  ) {
    super(message);
  }
}

/** a reload asked of a server that was not started from a config it can read again (an App made in-process) */
export class NoConfigSource extends Error {}

/** the field a refused config names: a ConfigError's, or the head of a catalog override's error ("model \"x\".endpoints[0].provider: …") */
export function configErrorField(err: unknown): string | null {
  if (err instanceof ConfigError) return err.field;
  if (err instanceof CatalogError) return /^(.+?): /.exec(err.message)?.[1] ?? null;
  return null;
}

/** each provider's api_key_file, read now: at start, and at each reload (a rotated secret) */
function readKeyFiles(providers: ConfigFile['providers']): Record<string, string> {
  const keys: Record<string, string> = {};
  (providers ?? []).forEach((p, i) => {
    if (!p.api_key_file) return;
    const field = `providers[${i}].api_key_file`;
    let key: string;
    try {
      key = readFileSync(resolve(p.api_key_file), 'utf8').trim();
    } catch (err) {
      const why = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
      throw new ConfigError(`${field}: cannot read ${p.api_key_file} (${why})`, field);
    }
    if (!key) throw new ConfigError(`${field}: ${p.api_key_file} is empty`, field);
    keys[p.id] = key;
  });
  return keys;
}

function readCaFile(file: string): string {
  let pem: string;
  try {
    pem = readFileSync(resolve(file), 'utf8');
  } catch (err) {
    const why = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    throw new ConfigError(`upstream.ca_file: cannot read ${file} (${why})`, 'upstream.ca_file');
  }
  if (!pem.includes('-----BEGIN CERTIFICATE-----'))
    throw new ConfigError(`upstream.ca_file: ${file} holds no PEM certificate`, 'upstream.ca_file');
  return pem;
}

export interface Config {
  host: string;
  port: number;
  dataDir: string;
  /** url null: the embedded SQLite file in dataDir */
  storage: { url: string | null; schema: string | null };
  /** null url: shared state stays in process memory */
  redis: { url: string | null; prefix: string };
  /** keyCacheSize: keys kept in memory at most (src/auth/directory.ts) */
  auth: { keyCacheSize: number };
  bodyLimitBytes: number;
  shutdownGraceMs: number;
  /** node's requestTimeout: the whole request (not the response) must arrive within it; 0 = no limit */
  requestTimeoutMs: number;
  /** open client connections at most; null = derived from the file-descriptor limit, 0 = no limit */
  maxConnections: number | null;
  /** V8 --heap-growing-percent, set at `serve` start; 0 leaves V8's heuristics alone */
  heapGrowingPercent: number;
  /** browser origins allowed by CORS: ["*"] any, [] off */
  corsOrigins: string[];
  logLevel: 'debug' | 'info' | 'warn' | 'error' | 'silent';
  logPrompts: boolean;
  adminKey: string | null;
  demo: boolean;
  upstream: {
    connectTimeoutMs: number;
    firstByteTimeoutMs: number;
    idleTimeoutMs: number;
    totalDeadlineMs: number;
    /** null: unbounded */
    connectionsPerOrigin: number | null;
    keepAliveMs: number;
    http2: boolean;
    /** PEM text of upstream.ca_file: CA certificates trusted besides Node's roots */
    ca: string | null;
    maxResponseBytes: number;
    keepaliveCommentMs: number;
  };
  limits: { defaultRpm: number | null; defaultTpm: number | null; freeRpm: number; freeRpd: number };
  routing: { breakerFailures: number; breakerCooldownMs: number; autoTiers: Record<string, number> };
  ledger: { flushIntervalMs: number; maxBatch: number; retentionDays: number | null; journal: boolean };
  catalog: CatalogOverrides;
  /** the runtime catalog sync (src/providers/catalog-sync.ts) */
  catalogSync: { intervalMs: number; metadataUrl: string | null; graceMs: number; timeoutMs: number };
  /**
   * the web console at / (src/http/routes/console.ts); dir: its built files, null = the package's
   * dist/console (tests point it at a build of their own)
   */
  console: { enabled: boolean; dir: string | null };
  /** OpenTelemetry traces: off unless OTEL_* or the file's `tracing:` turns them on */
  tracing: TracingConfig;
  /** Prometheus metrics; listen: a second listener serving /metrics without auth (null: none) */
  metrics: { enabled: boolean; listen: { host: string; port: number } | null };
  /** the file the config came from, if any */
  file: string | null;
  /** API keys read from the providers' api_key_file, by provider id (never logged nor reported) */
  providerKeys: Record<string, string>;
}

export interface ConfigInput {
  configPath?: string;
  env?: NodeJS.ProcessEnv;
  flags?: { host?: string; port?: number; dataDir?: string; demo?: boolean };
  /** inline config (tests), used instead of a file */
  inline?: unknown;
}

export function validateConfigFile(raw: unknown, source: string): ConfigFile {
  if (raw === null || raw === undefined) return {};
  const p = firstProblem(ConfigSchema, raw);
  if (p) {
    const got = p.value !== undefined && typeof p.value !== 'object' ? ` (got ${JSON.stringify(p.value)})` : '';
    throw new ConfigError(`${source}: ${p.field || '(root)'}: ${p.message}${got}`, p.field || null);
  }
  return raw as ConfigFile;
}

function intEnv(env: NodeJS.ProcessEnv, name: string): number | undefined {
  const v = env[name];
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0)
    throw new ConfigError(`environment ${name}: must be a non-negative integer (got ${JSON.stringify(v)})`);
  return n;
}

/** a comma-separated list ("" = the empty list: AROUTER_CORS_ORIGINS= turns CORS off) */
function listEnv(env: NodeJS.ProcessEnv, name: string): string[] | undefined {
  const v = env[name];
  if (v === undefined) return undefined;
  return v
    .split(',')
    .map((x) => x.trim())
    .filter((x) => x !== '');
}

/** on|off (also true/false, 1/0) */
function switchEnv(env: NodeJS.ProcessEnv, name: string): boolean | undefined {
  const v = env[name]?.trim().toLowerCase();
  if (v === undefined || v === '') return undefined;
  if (['on', 'true', '1', 'yes'].includes(v)) return true;
  if (['off', 'false', '0', 'no'].includes(v)) return false;
  throw new ConfigError(`environment ${name}: must be on or off (got ${JSON.stringify(env[name])})`);
}

/** "host:port" ("[::1]:9464" for IPv6; ":9464" = every interface) → its parts */
function hostPort(v: string | null, field: string): { host: string; port: number } | null {
  if (v === null) return null;
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]*)):(\d+)$/.exec(v);
  const port = m ? Number(m[3]) : NaN;
  if (!m || port > 65535)
    throw new ConfigError(`${field}: must be host:port, e.g. 127.0.0.1:9464 (got ${JSON.stringify(v)})`);
  return { host: m[1] ?? (m[2] || '0.0.0.0'), port };
}

function redisUrl(env: NodeJS.ProcessEnv): string | undefined {
  const v = env.AROUTER_REDIS_URL;
  if (v === undefined || v === '') return undefined;
  if (!/^rediss?:\/\//.test(v))
    throw new ConfigError('environment AROUTER_REDIS_URL: must be a redis:// or rediss:// URL (got another scheme)');
  return v;
}

function databaseUrl(env: NodeJS.ProcessEnv): string | undefined {
  const v = env.AROUTER_DATABASE_URL;
  if (v === undefined || v === '') return undefined;
  if (!/^postgres(ql)?:\/\//.test(v))
    throw new ConfigError('environment AROUTER_DATABASE_URL: must be a postgres:// URL (got another scheme)');
  return v;
}

export function loadConfig(input: ConfigInput = {}): Config {
  const env = input.env ?? process.env;
  let file: string | null = null;
  let raw: unknown = input.inline;
  if (raw === undefined) {
    const explicit = input.configPath ?? env.AROUTER_CONFIG;
    const path = explicit ? resolve(explicit) : resolve('arouter.config.yaml');
    if (explicit && !existsSync(path)) throw new ConfigError(`config file not found: ${path}`);
    if (existsSync(path)) {
      file = path;
      try {
        raw = parseYaml(readFileSync(path, 'utf8'));
      } catch (err) {
        throw new ConfigError(`${path}: invalid YAML: ${(err as Error).message}`);
      }
    }
  }
  const c = validateConfigFile(raw, file ?? 'config');
  const port = input.flags?.port ?? intEnv(env, 'AROUTER_PORT') ?? intEnv(env, 'PORT') ?? c.server?.port ?? 8787;
  if (port > 65535) throw new ConfigError(`port: must be ≤ 65535 (got ${port})`);
  const logLevel = (env.AROUTER_LOG_LEVEL ?? c.log?.level ?? 'info') as Config['logLevel'];
  if (!['debug', 'info', 'warn', 'error', 'silent'].includes(logLevel)) {
    throw new ConfigError(
      `environment AROUTER_LOG_LEVEL: must be debug|info|warn|error|silent (got ${JSON.stringify(logLevel)})`,
    );
  }
  const adminKey = env.AROUTER_ADMIN_KEY || null;
  if (adminKey !== null && adminKey.length < 16) {
    throw new ConfigError('environment AROUTER_ADMIN_KEY: must be at least 16 characters');
  }
  return {
    host: input.flags?.host ?? env.AROUTER_HOST ?? c.server?.host ?? '127.0.0.1',
    port,
    dataDir: resolve(input.flags?.dataDir ?? env.AROUTER_DATA_DIR ?? c.data_dir ?? './.arouter'),
    storage: { url: databaseUrl(env) ?? c.storage?.url ?? null, schema: c.storage?.schema ?? null },
    redis: { url: redisUrl(env) ?? c.redis?.url ?? null, prefix: c.redis?.prefix ?? 'arouter:' },
    // ~1.6 KB a key: 100,000 keys ≈ 160 MB at most, whatever the number stored
    auth: { keyCacheSize: c.auth?.key_cache_size ?? 100_000 },
    bodyLimitBytes: intEnv(env, 'AROUTER_BODY_LIMIT') ?? c.server?.body_limit_bytes ?? 8 * 1024 * 1024,
    shutdownGraceMs: c.server?.shutdown_grace_ms ?? 10_000,
    // a client sending its body at a byte a second held a socket (and a file descriptor) for ever
    requestTimeoutMs: c.server?.request_timeout_ms ?? 60_000,
    maxConnections: c.server?.max_connections ?? null,
    heapGrowingPercent: intEnv(env, 'AROUTER_HEAP_GROWING_PERCENT') ?? c.server?.heap_growing_percent ?? 30,
    corsOrigins: listEnv(env, 'AROUTER_CORS_ORIGINS') ?? c.server?.cors_origins ?? ['*'],
    logLevel,
    logPrompts: c.log?.prompts ?? false,
    adminKey,
    demo: input.flags?.demo ?? env.AROUTER_DEMO === '1',
    upstream: {
      connectTimeoutMs: c.upstream?.connect_timeout_ms ?? 10_000,
      firstByteTimeoutMs: c.upstream?.first_byte_timeout_ms ?? 120_000,
      idleTimeoutMs: c.upstream?.idle_timeout_ms ?? 60_000,
      totalDeadlineMs: c.upstream?.total_deadline_ms ?? 300_000,
      // unbounded: a cap only makes streams wait behind others (400 streams at 128 took twice as long)
      connectionsPerOrigin: c.upstream?.connections_per_origin ?? null,
      keepAliveMs: c.upstream?.keep_alive_ms ?? 30_000,
      http2: c.upstream?.http2 ?? true,
      ca: c.upstream?.ca_file ? readCaFile(c.upstream.ca_file) : null,
      maxResponseBytes: c.upstream?.max_response_bytes ?? 128 * 1024 * 1024,
      keepaliveCommentMs: c.upstream?.keepalive_comment_ms ?? 5_000,
    },
    limits: {
      defaultRpm: c.limits?.default_rpm ?? null,
      defaultTpm: c.limits?.default_tpm ?? null,
      freeRpm: c.limits?.free_rpm ?? 20,
      freeRpd: c.limits?.free_rpd ?? 200,
    },
    routing: {
      breakerFailures: c.routing?.breaker_failures ?? 3,
      breakerCooldownMs: c.routing?.breaker_cooldown_ms ?? 30_000,
      autoTiers: c.routing?.auto_tiers ?? {},
    },
    ledger: {
      flushIntervalMs: c.ledger?.flush_interval_ms ?? 50,
      maxBatch: c.ledger?.max_batch ?? 500,
      retentionDays: c.ledger?.retention_days ?? null,
      journal: c.ledger?.journal ?? true,
    },
    catalog: {
      providers: c.providers as CatalogOverrides['providers'],
      models: c.models as CatalogOverrides['models'],
    },
    catalogSync: {
      intervalMs: durationMs(c.catalog?.sync_interval ?? 3600),
      metadataUrl: c.catalog?.metadata_url ?? null,
      graceMs: Math.round((c.catalog?.removal_grace_days ?? 14) * 86_400_000),
      timeoutMs: c.catalog?.sync_timeout_ms ?? 30_000,
    },
    console: { enabled: switchEnv(env, 'AROUTER_CONSOLE') ?? c.console?.enabled ?? true, dir: null },
    tracing: loadTracing(env, c.tracing, (message) => new ConfigError(message)),
    metrics: {
      enabled: switchEnv(env, 'AROUTER_METRICS') ?? c.metrics?.enabled ?? true,
      listen:
        hostPort(env.AROUTER_METRICS_LISTEN || null, 'environment AROUTER_METRICS_LISTEN') ??
        hostPort(c.metrics?.listen ?? null, 'metrics.listen'),
    },
    file,
    providerKeys: readKeyFiles(c.providers),
  };
}

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** seconds (a number) or a number with a unit ("90s", "30m", "1h", "1d") → ms */
function durationMs(v: number | string): number {
  if (typeof v === 'number') return v * 1000;
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/.exec(v)!;
  return Math.round(Number(m[1]) * UNIT_MS[m[2]]);
}
