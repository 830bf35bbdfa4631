// Tracing off (the default) costs nothing: no OpenTelemetry SDK module is loaded in the process, no observer is
// installed for it, and an incoming traceparent is not forwarded upstream (nothing new leaves the gateway).
// Its own file: node's test runner gives each file a process, so no other test has loaded the SDK here.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import type { SimSet, TestGateway } from '../helpers/gateway.js';
import { chatCalls, startRoutingGateway } from '../helpers/routing.js';

const require = createRequire(import.meta.url);
const SDK = /@opentelemetry[\\/](sdk-trace|sdk-trace-base|exporter-trace-otlp-http|otlp-exporter-base|resources)[\\/]/;

let gw: TestGateway;
let sims: SimSet;
before(async () => {
  ({ gw, sims } = await startRoutingGateway());
});
after(async () => {
  await gw.close();
  await sims.close();
});

test('tracing off: no SDK module loaded, no tracer, no traceparent sent upstream', async () => {
  assert.equal(gw.app.tracing, null);
  const res = await gw.fetch('/chat/completions', {
    method: 'POST',
    json: { model: 'openai/gpt-4o', stream: true, messages: [{ role: 'user', content: 'hi' }] },
    headers: { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01', tracestate: 'a=b' },
  });
  assert.equal(res.status, 200);
  await res.text();
  const calls = chatCalls(sims);
  assert.equal(calls.length, 1);
  assert.equal(calls[0].headers.traceparent, undefined);
  assert.equal(calls[0].headers.tracestate, undefined);
  const loaded = Object.keys(require.cache).filter((f) => SDK.test(f));
  assert.deepEqual(loaded, [], 'no OpenTelemetry SDK module in the module cache');
});
