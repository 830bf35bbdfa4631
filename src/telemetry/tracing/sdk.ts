// The OpenTelemetry SDK, loaded only when tracing is on: the packages are required here, on first use, so the
// default (tracing off) never loads them (as store/redis.ts does for ioredis). One BatchSpanProcessor per process
// in front of the exporter: spans are handed over in memory and exported in batches off the request path.
import { createRequire } from 'node:module';
import type * as Api from '@opentelemetry/api';
import type * as Core from '@opentelemetry/core';
import type * as TraceBase from '@opentelemetry/sdk-trace-base';
import type * as Resources from '@opentelemetry/resources';
import type * as OtlpHttp from '@opentelemetry/exporter-trace-otlp-http';
import type { TracingConfig } from '../../config/tracing.js';
import type { Logger } from '../../lib/log.js';

const require = createRequire(import.meta.url);

/** What the span code needs of the SDK; `api` and `core` are the loaded modules (their values, not only types). */
export interface TracingSdk {
  readonly api: typeof Api;
  readonly core: Pick<typeof Core, 'parseTraceParent' | 'TraceState' | 'hrTime'>;
  readonly tracer: Api.Tracer;
  /** exports what is queued (tests, and the end of a drain) */
  flush(): Promise<void>;
  /** flushes, then stops the processor and the exporter */
  shutdown(): Promise<void>;
}

let diagHooked = false;

/** `exporter`: tests and the bench may pass their own (e.g. the SDK's InMemorySpanExporter) */
export function openTracing(cfg: TracingConfig, log: Logger, exporter?: TraceBase.SpanExporter): TracingSdk {
  const api = require('@opentelemetry/api') as typeof Api;
  const core = require('@opentelemetry/core') as typeof Core;
  const base = require('@opentelemetry/sdk-trace-base') as typeof TraceBase;
  const resources = require('@opentelemetry/resources') as typeof Resources;
  if (!diagHooked) {
    // export failures (a collector down) reach the SDK's diag logger, which is silent unless given one
    diagHooked = true;
    api.diag.setLogger(
      {
        error: (msg, ...args) =>
          log.warn('opentelemetry: ' + msg, args.length ? { detail: String(args[0]) } : undefined),
        warn: (msg, ...args) =>
          log.warn('opentelemetry: ' + msg, args.length ? { detail: String(args[0]) } : undefined),
        info: () => {},
        debug: () => {},
        verbose: () => {},
      },
      api.DiagLogLevel.WARN,
    );
  }
  const out = exporter ?? makeExporter(cfg);
  const processor = new base.BatchSpanProcessor(out, dropUndefined(cfg.batch));
  const provider = new base.BasicTracerProvider({
    resource: resources.defaultResource().merge(resources.resourceFromAttributes(cfg.resource)),
    sampler: makeSampler(base, cfg),
    spanProcessors: [processor],
  });
  const tracer = provider.getTracer('arouter');
  log.info('tracing on', {
    exporter: exporter ? 'custom' : cfg.exporter,
    endpoint: exporter || cfg.exporter !== 'otlp' ? undefined : cfg.endpoint,
    sampler: cfg.sampler,
    capture_content: cfg.captureContent,
  });
  return {
    api,
    core,
    tracer,
    flush: () => provider.forceFlush(),
    shutdown: () => provider.shutdown(),
  };
}

function makeExporter(cfg: TracingConfig): TraceBase.SpanExporter {
  if (cfg.exporter === 'console') {
    const base = require('@opentelemetry/sdk-trace-base') as typeof TraceBase;
    return new base.ConsoleSpanExporter();
  }
  const otlp = require('@opentelemetry/exporter-trace-otlp-http') as typeof OtlpHttp;
  return new otlp.OTLPTraceExporter({
    url: cfg.endpoint,
    headers: cfg.headers,
    timeoutMillis: cfg.timeoutMs,
    compression: cfg.compression as never,
  });
}

function makeSampler(base: typeof TraceBase, cfg: TracingConfig): TraceBase.Sampler {
  const ratio = () => new base.TraceIdRatioBasedSampler(cfg.ratio);
  switch (cfg.sampler) {
    case 'always_on':
      return new base.AlwaysOnSampler();
    case 'always_off':
      return new base.AlwaysOffSampler();
    case 'traceidratio':
      return ratio();
    case 'parentbased_always_off':
      return new base.ParentBasedSampler({ root: new base.AlwaysOffSampler() });
    case 'parentbased_traceidratio':
      return new base.ParentBasedSampler({ root: ratio() });
    case 'parentbased_always_on':
      return new base.ParentBasedSampler({ root: new base.AlwaysOnSampler() });
  }
}

function dropUndefined<T extends object>(o: T): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) out[k] = v;
  return out as T;
}
