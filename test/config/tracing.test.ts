// Tracing is off unless the standard OTEL_* environment or the file's `tracing:` block turns it on; the
// environment wins, and a bad value fails the start naming the variable.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, loadConfig } from '../../src/config/load.js';

const load = (inline: unknown, env: NodeJS.ProcessEnv = {}) => loadConfig({ inline, env }).tracing;

test('tracing: off by default; on with OTEL_TRACES_EXPORTER=otlp (the default collector URL) or an endpoint', () => {
  assert.equal(load({}).enabled, false);
  const otlp = load({}, { OTEL_TRACES_EXPORTER: 'otlp' });
  assert.equal(otlp.enabled, true);
  assert.equal(otlp.exporter, 'otlp');
  assert.equal(otlp.endpoint, 'http://localhost:4318/v1/traces');
  // the base endpoint gets the signal's path; the traces one is used as given (and wins)
  const base = load({}, { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/' });
  assert.equal(base.enabled, true);
  assert.equal(base.endpoint, 'http://collector:4318/v1/traces');
  const both = load(
    {},
    { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://a:4318', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://b/otlp/traces' },
  );
  assert.equal(both.endpoint, 'https://b/otlp/traces');
  const file = load({ tracing: { endpoint: 'http://file:4318/v1/traces', sample_ratio: 0.25 } });
  assert.equal(file.enabled, true);
  assert.equal(file.sampler, 'parentbased_traceidratio');
  assert.equal(file.ratio, 0.25);
});

test('tracing: OTEL_SDK_DISABLED and the exporter none win over every other setting', () => {
  const on = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318' };
  assert.equal(load({}, { ...on, OTEL_SDK_DISABLED: 'true' }).enabled, false);
  assert.equal(load({}, { ...on, OTEL_TRACES_EXPORTER: 'none' }).enabled, false);
  assert.equal(load({ tracing: { exporter: 'none', endpoint: 'http://c:4318/v1/traces' } }).enabled, false);
  assert.equal(load({ tracing: { exporter: 'otlp' } }, { OTEL_TRACES_EXPORTER: 'none' }).enabled, false);
});

test('tracing: resource, headers, sampler, batch, propagation and content switches are read from the environment', () => {
  const t = load(
    { tracing: { service_name: 'from-file', headers: { 'x-file': '1' } } },
    {
      OTEL_TRACES_EXPORTER: 'otlp',
      OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment=prod,service.name=ignored,team=ml%20ops',
      OTEL_SERVICE_NAME: 'gw',
      OTEL_EXPORTER_OTLP_HEADERS: 'api-key=secret%3D1,x-file=2',
      OTEL_EXPORTER_OTLP_TRACES_HEADERS: 'x-traces=3',
      OTEL_EXPORTER_OTLP_TIMEOUT: '2500',
      OTEL_EXPORTER_OTLP_COMPRESSION: 'gzip',
      OTEL_TRACES_SAMPLER: 'traceidratio',
      OTEL_TRACES_SAMPLER_ARG: '0.5',
      OTEL_BSP_SCHEDULE_DELAY: '100',
      OTEL_PROPAGATORS: 'baggage',
      AROUTER_TRACE_CONTENT: '1',
    },
  );
  assert.deepEqual(t.resource, { 'deployment.environment': 'prod', 'service.name': 'gw', team: 'ml ops' });
  assert.deepEqual(t.headers, { 'x-file': '2', 'api-key': 'secret=1', 'x-traces': '3' });
  assert.equal(t.timeoutMs, 2500);
  assert.equal(t.compression, 'gzip');
  assert.equal(t.sampler, 'traceidratio');
  assert.equal(t.ratio, 0.5);
  assert.equal(t.batch.scheduledDelayMillis, 100);
  assert.equal(t.batch.maxQueueSize, undefined);
  assert.equal(t.propagate, false, 'no tracecontext in OTEL_PROPAGATORS: nothing is read or sent');
  assert.equal(t.captureContent, true);
  const d = load({}, { OTEL_TRACES_EXPORTER: 'otlp' });
  assert.equal(d.resource['service.name'], 'arouter');
  assert.equal(d.sampler, 'parentbased_always_on');
  assert.equal(d.propagate, true);
  assert.equal(d.captureContent, false, 'prompts stay out of spans unless asked for');
  assert.equal(load({ tracing: { capture_content: true } }, { OTEL_TRACES_EXPORTER: 'otlp' }).captureContent, true);
  assert.equal(
    load({}, { OTEL_TRACES_EXPORTER: 'otlp', OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT: 'true' })
      .captureContent,
    true,
  );
});

test('tracing: a bad value fails the start, naming the variable or the field', () => {
  const bad: Array<[NodeJS.ProcessEnv, RegExp]> = [
    [{ OTEL_TRACES_EXPORTER: 'zipkin' }, /OTEL_TRACES_EXPORTER/],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' }, /OTEL_EXPORTER_OTLP_ENDPOINT/],
    [{ OTEL_TRACES_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' }, /grpc/],
    [{ OTEL_TRACES_SAMPLER: 'sometimes' }, /OTEL_TRACES_SAMPLER/],
    [{ OTEL_TRACES_SAMPLER_ARG: '2' }, /OTEL_TRACES_SAMPLER_ARG/],
    [{ OTEL_BSP_SCHEDULE_DELAY: 'soon' }, /OTEL_BSP_SCHEDULE_DELAY/],
  ];
  for (const [env, re] of bad)
    assert.throws(
      () => load({}, env),
      (e) => e instanceof ConfigError && re.test(e.message),
    );
  assert.throws(() => load({ tracing: { endpoint: 'collector' } }), /tracing/);
  assert.throws(() => load({ tracing: { sample_ratio: 3 } }), /tracing/);
  assert.throws(() => load({ tracing: { exporter: 'jaeger' } }), /tracing/);
});
