// OpenTelemetry traces: off unless asked for, by the standard OTEL_* environment (which wins, as it does for every
// OTel SDK) or the config file's `tracing:` block. Only what this file resolves is read: the SDK packages read
// process.env themselves too, but the gateway may run with another environment object (tests, embedding), so every
// setting is resolved here and handed to them explicitly.
// Supported (https://opentelemetry.io/docs/specs/otel/configuration/sdk-environment-variables/): OTEL_SDK_DISABLED,
// OTEL_TRACES_EXPORTER (otlp, console, none), OTEL_EXPORTER_OTLP_[TRACES_]ENDPOINT / _HEADERS / _TIMEOUT /
// _COMPRESSION / _PROTOCOL (http/json; http/protobuf is answered with JSON, which collectors accept on the same
// port; grpc is refused), OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES, OTEL_TRACES_SAMPLER / _ARG,
// OTEL_BSP_SCHEDULE_DELAY / _MAX_QUEUE_SIZE / _MAX_EXPORT_BATCH_SIZE / _EXPORT_TIMEOUT, OTEL_PROPAGATORS (only
// `tracecontext` is spoken; `none` turns propagation off), and the GenAI instrumentations' content switch
// OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT (or AROUTER_TRACE_CONTENT=1).
import { Type, type Static } from '@sinclair/typebox';

export const TracingSchema = Type.Object(
  {
    /** where spans go: `otlp` (OTLP/HTTP JSON), `console` (stdout), `none` (default, unless OTEL_* says otherwise) */
    exporter: Type.Optional(Type.Union([Type.Literal('otlp'), Type.Literal('console'), Type.Literal('none')])),
    /** the collector's traces URL, e.g. http://localhost:4318/v1/traces (OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) */
    endpoint: Type.Optional(Type.String({ pattern: '^https?://' })),
    /** sent with every export (an API key of a hosted backend) */
    headers: Type.Optional(Type.Record(Type.String(), Type.String())),
    /** service.name of the resource (default "arouter") */
    service_name: Type.Optional(Type.String({ minLength: 1 })),
    /** share of new traces kept (parent-based: a caller's sampled flag is followed); default 1 */
    sample_ratio: Type.Optional(Type.Number({ minimum: 0, maximum: 1 })),
    /** record prompt and completion text in spans (off by default: prompts are user data) */
    capture_content: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

export type TracingFile = Static<typeof TracingSchema>;

export type SamplerName =
  | 'always_on'
  | 'always_off'
  | 'traceidratio'
  | 'parentbased_always_on'
  | 'parentbased_always_off'
  | 'parentbased_traceidratio';

const SAMPLERS: readonly SamplerName[] = [
  'always_on',
  'always_off',
  'traceidratio',
  'parentbased_always_on',
  'parentbased_always_off',
  'parentbased_traceidratio',
];

export interface TracingConfig {
  /** false: no OTel package is loaded and nothing new is read from or sent in headers */
  enabled: boolean;
  exporter: 'otlp' | 'console';
  /** the full traces URL */
  endpoint: string;
  headers: Record<string, string>;
  timeoutMs: number;
  compression: 'gzip' | 'none';
  resource: Record<string, string>;
  sampler: SamplerName;
  /** the ratio of the traceidratio samplers */
  ratio: number;
  /** OTEL_BSP_*; unset ones keep the SDK's defaults */
  batch: {
    scheduledDelayMillis?: number;
    maxQueueSize?: number;
    maxExportBatchSize?: number;
    exportTimeoutMillis?: number;
  };
  /** read an incoming traceparent and send one upstream (OTEL_PROPAGATORS=none: neither) */
  propagate: boolean;
  captureContent: boolean;
}

const DEFAULT_ENDPOINT = 'http://localhost:4318/v1/traces';

/** `fail` builds the loader's own error type (ConfigError), so a bad value fails the start naming the variable */
export function loadTracing(
  env: NodeJS.ProcessEnv,
  file: TracingFile | undefined,
  fail: (message: string) => Error,
): TracingConfig {
  const f = file ?? {};
  const str = (name: string): string | undefined => {
    const v = env[name]?.trim();
    return v === undefined || v === '' ? undefined : v;
  };
  const num = (name: string, min: number, max = Infinity): number | undefined => {
    const v = str(name);
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isFinite(n) || n < min || n > max)
      throw fail(
        `environment ${name}: must be a number from ${min}${max === Infinity ? '' : ` to ${max}`} (got ${JSON.stringify(v)})`,
      );
    return n;
  };

  const tracesEndpoint = str('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT');
  const baseEndpoint = str('OTEL_EXPORTER_OTLP_ENDPOINT');
  for (const [name, v] of [
    ['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', tracesEndpoint],
    ['OTEL_EXPORTER_OTLP_ENDPOINT', baseEndpoint],
  ] as const) {
    if (v !== undefined && !/^https?:\/\//.test(v))
      throw fail(`environment ${name}: must be an http:// or https:// URL`);
  }
  // the spec: the signal-specific URL is used as given, the base one gets the signal's path appended
  const endpoint =
    tracesEndpoint ?? (baseEndpoint ? baseEndpoint.replace(/\/+$/, '') + '/v1/traces' : undefined) ?? f.endpoint;

  let exporters: string[];
  const listed = str('OTEL_TRACES_EXPORTER');
  if (listed !== undefined) exporters = listed.split(',').map((x) => x.trim().toLowerCase());
  else if (f.exporter !== undefined) exporters = [f.exporter];
  else exporters = endpoint !== undefined ? ['otlp'] : ['none'];
  for (const x of exporters) {
    if (!['otlp', 'console', 'none'].includes(x))
      throw fail(`environment OTEL_TRACES_EXPORTER: ${JSON.stringify(x)} is not supported (otlp, console or none)`);
  }
  const disabled = str('OTEL_SDK_DISABLED')?.toLowerCase() === 'true';
  const enabled = !disabled && !exporters.includes('none');

  const protocol = str('OTEL_EXPORTER_OTLP_TRACES_PROTOCOL') ?? str('OTEL_EXPORTER_OTLP_PROTOCOL');
  if (enabled && protocol === 'grpc')
    throw fail('environment OTEL_EXPORTER_OTLP_PROTOCOL: grpc is not supported; use http/json (port 4318)');

  const compression = str('OTEL_EXPORTER_OTLP_TRACES_COMPRESSION') ?? str('OTEL_EXPORTER_OTLP_COMPRESSION') ?? 'none';
  if (compression !== 'gzip' && compression !== 'none')
    throw fail(`environment OTEL_EXPORTER_OTLP_COMPRESSION: must be gzip or none (got ${JSON.stringify(compression)})`);

  const resource = keyValues(str('OTEL_RESOURCE_ATTRIBUTES'));
  resource['service.name'] = str('OTEL_SERVICE_NAME') ?? f.service_name ?? resource['service.name'] ?? 'arouter';

  const sampler = (str('OTEL_TRACES_SAMPLER')?.toLowerCase() ??
    (f.sample_ratio !== undefined ? 'parentbased_traceidratio' : 'parentbased_always_on')) as SamplerName;
  if (!SAMPLERS.includes(sampler))
    throw fail(
      `environment OTEL_TRACES_SAMPLER: must be one of ${SAMPLERS.join(', ')} (got ${JSON.stringify(sampler)})`,
    );

  const propagators = str('OTEL_PROPAGATORS')
    ?.split(',')
    .map((x) => x.trim());
  const content = str('AROUTER_TRACE_CONTENT') ?? str('OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT');

  return {
    enabled,
    exporter: exporters.includes('otlp') ? 'otlp' : 'console',
    endpoint: endpoint ?? DEFAULT_ENDPOINT,
    headers: {
      ...f.headers,
      ...keyValues(str('OTEL_EXPORTER_OTLP_HEADERS')),
      ...keyValues(str('OTEL_EXPORTER_OTLP_TRACES_HEADERS')),
    },
    timeoutMs: num('OTEL_EXPORTER_OTLP_TRACES_TIMEOUT', 1) ?? num('OTEL_EXPORTER_OTLP_TIMEOUT', 1) ?? 10_000,
    compression,
    resource,
    sampler,
    ratio: num('OTEL_TRACES_SAMPLER_ARG', 0, 1) ?? f.sample_ratio ?? 1,
    batch: {
      scheduledDelayMillis: num('OTEL_BSP_SCHEDULE_DELAY', 0),
      maxQueueSize: num('OTEL_BSP_MAX_QUEUE_SIZE', 1),
      maxExportBatchSize: num('OTEL_BSP_MAX_EXPORT_BATCH_SIZE', 1),
      exportTimeoutMillis: num('OTEL_BSP_EXPORT_TIMEOUT', 1),
    },
    propagate: propagators === undefined || propagators.includes('tracecontext'),
    captureContent:
      content !== undefined ? content === '1' || content.toLowerCase() === 'true' : (f.capture_content ?? false),
  };
}

/** `k1=v1,k2=v2` with percent-encoded values (the W3C Baggage form OTEL_*_HEADERS and _RESOURCE_ATTRIBUTES use) */
function keyValues(s: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (s === undefined) return out;
  for (const part of s.split(',')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const k = part.slice(0, eq).trim();
    let v = part.slice(eq + 1).trim();
    try {
      v = decodeURIComponent(v);
    } catch {
      // not percent-encoded after all: kept as written
    }
    if (k) out[k] = v;
  }
  return out;
}
