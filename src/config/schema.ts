// The config file schema (arouter.config.yaml). Every field is optional; defaults live in defaults.ts.
import { Type, type Static } from '@sinclair/typebox';
import { TracingSchema } from './tracing.js';

const Port = Type.Integer({ minimum: 0, maximum: 65535 });
const PositiveInt = Type.Integer({ minimum: 1 });

export const ProviderConfig = Type.Object(
  {
    id: Type.String({ pattern: '^[a-z0-9][a-z0-9._-]*$' }),
    name: Type.Optional(Type.String()),
    dialect: Type.Optional(Type.Union([Type.Literal('openai'), Type.Literal('anthropic'), Type.Literal('gemini')])),
    base_url: Type.Optional(Type.String({ pattern: '^https?://' })),
    api_key_env: Type.Optional(Type.String({ pattern: '^[A-Za-z_][A-Za-z0-9_]*$' })),
    /** a file holding the API key (a mounted secret), read at start and at each reload; wins over api_key_env */
    api_key_file: Type.Optional(Type.String({ minLength: 1 })),
    headers: Type.Optional(Type.Record(Type.String(), Type.String())),
    no_key: Type.Optional(Type.Boolean()),
    /** the provider also serves OpenAI's Responses API (see ProviderDef.responses_api) */
    responses_api: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

export const ConfigSchema = Type.Object(
  {
    server: Type.Optional(
      Type.Object(
        {
          host: Type.Optional(Type.String()),
          port: Type.Optional(Port),
          body_limit_bytes: Type.Optional(PositiveInt),
          shutdown_grace_ms: Type.Optional(Type.Integer({ minimum: 0 })),
          /** time a client has to send a whole request, headers and body (0 = no limit). A response is not
           * bounded by it: a stream may run for minutes once its request has arrived */
          request_timeout_ms: Type.Optional(Type.Integer({ minimum: 0 })),
          /** open client connections at most (0 = no limit; default: half the file-descriptor limit left after
           * a reserve, since each proxied request also holds an upstream socket) */
          max_connections: Type.Optional(Type.Integer({ minimum: 0 })),
          /** V8 heap growth after each full GC, in percent of the live heap (0 = V8's own heuristics) */
          heap_growing_percent: Type.Optional(Type.Integer({ minimum: 0, maximum: 400 })),
          /** browser origins allowed to call the API ("*" = any, [] = CORS off) */
          cors_origins: Type.Optional(Type.Array(Type.String({ minLength: 1 }))),
        },
        { additionalProperties: false },
      ),
    ),
    data_dir: Type.Optional(Type.String()),
    /** where keys, accounts and the ledger live: the embedded SQLite file in data_dir (default), or PostgreSQL,
     * shared by every instance pointed at it */
    storage: Type.Optional(
      Type.Object(
        {
          /** postgres://user:password@host:port/database (also AROUTER_DATABASE_URL) */
          url: Type.Optional(Type.String({ pattern: '^postgres(ql)?://' })),
          /** the PostgreSQL schema holding the tables, created if missing (default: the search_path's, `public`) */
          schema: Type.Optional(Type.String({ pattern: '^[A-Za-z_][A-Za-z0-9_]*$' })),
        },
        { additionalProperties: false },
      ),
    ),
    /** shared fast state for several instances (reservations and spend counters, rate limits, circuit breakers,
     * cache invalidation); absent = in process memory, right for one instance */
    redis: Type.Optional(
      Type.Object(
        {
          /** redis://[:password@]host:port[/db] or rediss:// (also AROUTER_REDIS_URL) */
          url: Type.Optional(Type.String({ pattern: '^rediss?://' })),
          /** prefix of every key ARouter writes (default "arouter:"): several deployments may share one Redis */
          prefix: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
        },
        { additionalProperties: false },
      ),
    ),
    auth: Type.Optional(
      Type.Object(
        {
          /** API keys kept in memory at most, the most recently used (default 100,000); others cost one indexed
           * storage read when presented */
          key_cache_size: Type.Optional(PositiveInt),
        },
        { additionalProperties: false },
      ),
    ),
    log: Type.Optional(
      Type.Object(
        {
          level: Type.Optional(
            Type.Union([
              Type.Literal('debug'),
              Type.Literal('info'),
              Type.Literal('warn'),
              Type.Literal('error'),
              Type.Literal('silent'),
            ]),
          ),
          /** log prompt and completion text (off by default: prompts are user data) */
          prompts: Type.Optional(Type.Boolean()),
        },
        { additionalProperties: false },
      ),
    ),
    upstream: Type.Optional(
      Type.Object(
        {
          connect_timeout_ms: Type.Optional(PositiveInt),
          first_byte_timeout_ms: Type.Optional(PositiveInt),
          idle_timeout_ms: Type.Optional(PositiveInt),
          total_deadline_ms: Type.Optional(PositiveInt),
          /**
           * the most connections to one upstream origin; more requests wait (logged as a warning, at most every
           * 10 s per origin). null (the default) = unbounded: every request in flight already holds a client
           * connection, and over HTTP/2 up to 100 streams share one upstream connection
           */
          connections_per_origin: Type.Optional(Type.Union([PositiveInt, Type.Null()])),
          /**
           * offer HTTP/2 (ALPN) to https upstreams, multiplexing streams over few connections (default true);
           * plain http:// upstreams always speak HTTP/1.1
           */
          http2: Type.Optional(Type.Boolean()),
          /**
           * a PEM file of CA certificates trusted for https upstreams besides Node's bundled roots (a self-hosted
           * model server behind a private CA); read at start
           */
          ca_file: Type.Optional(Type.String({ minLength: 1 })),
          keep_alive_ms: Type.Optional(PositiveInt),
          max_response_bytes: Type.Optional(PositiveInt),
          keepalive_comment_ms: Type.Optional(PositiveInt),
        },
        { additionalProperties: false },
      ),
    ),
    limits: Type.Optional(
      Type.Object(
        {
          default_rpm: Type.Optional(Type.Union([PositiveInt, Type.Null()])),
          default_tpm: Type.Optional(Type.Union([PositiveInt, Type.Null()])),
          free_rpm: Type.Optional(PositiveInt),
          free_rpd: Type.Optional(PositiveInt),
        },
        { additionalProperties: false },
      ),
    ),
    routing: Type.Optional(
      Type.Object(
        {
          breaker_failures: Type.Optional(PositiveInt),
          breaker_cooldown_ms: Type.Optional(PositiveInt),
          /** quality tier overrides for the auto router: { "openai/gpt-4o": 1 } */
          auto_tiers: Type.Optional(Type.Record(Type.String(), Type.Integer({ minimum: 1, maximum: 9 }))),
        },
        { additionalProperties: false },
      ),
    ),
    ledger: Type.Optional(
      Type.Object(
        {
          flush_interval_ms: Type.Optional(PositiveInt),
          max_batch: Type.Optional(PositiveInt),
          /** delete generation rows older than this many days (default: keep them all) */
          retention_days: Type.Optional(PositiveInt),
          /** append each row to a journal in the data dir before its answer completes, so kill -9 loses none */
          journal: Type.Optional(Type.Boolean()),
        },
        { additionalProperties: false },
      ),
    ),
    catalog: Type.Optional(
      Type.Object(
        {
          /** how often to ask each configured provider for its model list: seconds, or "30m", "1h", "1d"; 0 = off
           * (default 1 h; a manual sync still works) */
          sync_interval: Type.Optional(
            Type.Union([Type.Integer({ minimum: 0 }), Type.String({ pattern: '^\\d+(\\.\\d+)?(ms|s|m|h|d)$' })]),
          ),
          /** a models.dev-format JSON document read at each sync for prices and limits */
          metadata_url: Type.Optional(Type.Union([Type.String({ pattern: '^https?://' }), Type.Null()])),
          /** how long a model a provider stopped listing is still served before it answers model_deprecated */
          removal_grace_days: Type.Optional(Type.Number({ minimum: 0 })),
          /** each list page / the metadata document must answer within this */
          sync_timeout_ms: Type.Optional(PositiveInt),
        },
        { additionalProperties: false },
      ),
    ),
    /** the web console served at / (README "Console"); off for API-only deployments (also AROUTER_CONSOLE) */
    console: Type.Optional(Type.Object({ enabled: Type.Optional(Type.Boolean()) }, { additionalProperties: false })),
    /** OpenTelemetry traces (src/config/tracing.ts); the standard OTEL_* environment overrides it */
    tracing: Type.Optional(TracingSchema),
    /** Prometheus metrics (README "Operations") */
    metrics: Type.Optional(
      Type.Object(
        {
          /** collect metrics and answer GET /metrics on the main port to an operator key (default true;
           * also AROUTER_METRICS=0|1) */
          enabled: Type.Optional(Type.Boolean()),
          /** also serve GET /metrics WITHOUT authentication on this host:port, e.g. "127.0.0.1:9464" (also
           * AROUTER_METRICS_LISTEN); bind it where only the Prometheus server reaches it */
          listen: Type.Optional(Type.Union([Type.String({ minLength: 1 }), Type.Null()])),
        },
        { additionalProperties: false },
      ),
    ),
    providers: Type.Optional(Type.Array(ProviderConfig)),
    /** models to add or override, in the catalog's own shape (see src/catalog/types.ts) */
    models: Type.Optional(Type.Array(Type.Object({ id: Type.String() }, { additionalProperties: true }))),
  },
  { additionalProperties: false },
);

export type ConfigFile = Static<typeof ConfigSchema>;
