// OpenTelemetry traces through a real listening gateway, exported by the OTLP/HTTP JSON exporter to an
// in-process receiver: the request span continues the caller's traceparent, each upstream attempt is a child
// span whose id went upstream in `traceparent`, and the GenAI attributes carry what the client was answered.
// llama-3.3-70b with provider.order [groq, deepinfra]: a scripted 500 on groq makes the fallback certain.
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import type { SimSet, TestGateway } from '../helpers/gateway.js';
import { startGateway } from '../helpers/gateway.js';
import { chatCalls, providerOf, sseChunks, startRoutingGateway, TAGGED_PROVIDERS } from '../helpers/routing.js';
import { startSims } from '../helpers/gateway.js';
import { SPAN_KIND, startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from '../helpers/otlp-receiver.js';

const LLAMA = 'meta-llama/llama-3.3-70b-instruct';
const GROQ_LLAMA = 'llama-3.3-70b-versatile';
const DEEPINFRA_LLAMA = 'meta-llama/Llama-3.3-70B-Instruct-Turbo';
const GROQ_FIRST = { order: ['groq', 'deepinfra'] };
const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const CALLER_SPAN = '00f067aa0ba902b7';
const PROMPT = 'Say hello to the tracing test, secret word: marmalade';

let gw: TestGateway;
let sims: SimSet;
let otlp: OtlpReceiver;
before(async () => {
  otlp = await startOtlpReceiver();
  ({ gw, sims } = await startRoutingGateway({
    routing: { breaker_failures: 1000 },
    tracing: { endpoint: otlp.url, headers: { 'x-collector-key': 'k1' }, service_name: 'arouter-test' },
  }));
});
after(async () => {
  await gw.close();
  await sims.close();
  await otlp.close();
});
beforeEach(() => {
  sims.resetAll();
  otlp.spans.length = 0;
});

async function post(path: string, json: unknown, headers: Record<string, string> = {}) {
  const res = await gw.fetch(path, { method: 'POST', json, headers });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

/** the spans of one trace, once exported: the request span and its attempt spans in start order */
async function traceOf(g: TestGateway, traceId?: string) {
  await g.app.tracing!.flush();
  const spans = otlp.spans.filter((s) => traceId === undefined || s.traceId === traceId);
  const server = spans.filter((s) => s.kind === SPAN_KIND.SERVER);
  assert.equal(server.length, 1, `one request span: ${spans.map((s) => s.name).join(', ')}`);
  const attempts = spans
    .filter((s) => s.kind === SPAN_KIND.CLIENT && s.parentSpanId === server[0].spanId)
    .sort((a, b) => (a.startNs < b.startNs ? -1 : 1));
  return { request: server[0], attempts, all: spans };
}

test('a fallback: the request span continues the caller trace, one attempt span per upstream call, GenAI attributes', async () => {
  sims.openai.script({ match: { model: GROQ_LLAMA }, status: 500 });
  const res = await post(
    '/chat/completions',
    {
      model: LLAMA,
      provider: GROQ_FIRST,
      messages: [{ role: 'user', content: PROMPT }],
      max_tokens: 50,
      temperature: 0.3,
      top_p: 0.9,
    },
    { traceparent: `00-${TRACE_ID}-${CALLER_SPAN}-01`, tracestate: 'vendor=abc', 'user-agent': 'trace-test/1' },
  );
  assert.equal(res.status, 200, res.text);
  const body = JSON.parse(res.text);
  const { request, attempts, all } = await traceOf(gw, TRACE_ID);
  assert.equal(all.length, 3, 'the request span and two attempt spans');

  assert.equal(request.traceId, TRACE_ID, "the caller's trace id");
  assert.equal(request.parentSpanId, CALLER_SPAN, "a child of the caller's span");
  assert.equal(request.name, `chat ${LLAMA}`);
  assert.equal(request.status.code, 0);
  assert.equal(request.resource['service.name'], 'arouter-test');
  const a = request.attributes;
  assert.equal(a['gen_ai.operation.name'], 'chat');
  assert.equal(a['gen_ai.request.model'], LLAMA);
  assert.equal(a['gen_ai.response.model'], body.model);
  assert.equal(a['gen_ai.provider.name'], 'deepinfra');
  assert.equal(a['gen_ai.request.max_tokens'], 50);
  assert.equal(a['gen_ai.request.temperature'], 0.3);
  assert.equal(a['gen_ai.request.top_p'], 0.9);
  assert.equal(a['gen_ai.request.stream'], false);
  assert.equal(a['gen_ai.response.id'], body.id);
  assert.equal(a['arouter.generation_id'], body.id);
  assert.deepEqual(a['gen_ai.response.finish_reasons'], [body.choices[0].finish_reason]);
  assert.equal(a['gen_ai.usage.input_tokens'], body.usage.prompt_tokens);
  assert.equal(a['gen_ai.usage.output_tokens'], body.usage.completion_tokens);
  assert.ok(body.usage.prompt_tokens > 0 && body.usage.completion_tokens > 0);
  assert.equal(a['arouter.cost_usd'], body.usage.cost);
  assert.equal(a['arouter.attempts'], 2);
  assert.equal(a['arouter.fallback'], true);
  assert.equal(a['http.response.status_code'], 200);
  assert.equal(a['http.route'], '/v1/chat/completions');
  assert.equal(a['user_agent.original'], 'trace-test/1');

  assert.equal(attempts.length, 2);
  const [groq, deepinfra] = attempts;
  assert.equal(groq.name, `chat ${GROQ_LLAMA}`);
  assert.equal(groq.attributes['gen_ai.provider.name'], 'groq');
  assert.equal(groq.attributes['gen_ai.request.model'], GROQ_LLAMA);
  assert.equal(groq.attributes['arouter.attempt'], 1);
  assert.equal(groq.attributes['arouter.fallback'], false);
  assert.equal(groq.attributes['http.response.status_code'], 500);
  assert.equal(groq.attributes['arouter.outcome'], 'http');
  assert.equal(groq.attributes['error.type'], '500');
  assert.equal(groq.status.code, 2, 'the failed attempt is an error');
  assert.equal(groq.attributes['server.address'], '127.0.0.1');
  assert.equal(groq.attributes['server.port'], Number(new URL(sims.openai.url).port));
  assert.equal(deepinfra.attributes['gen_ai.provider.name'], 'deepinfra');
  assert.equal(deepinfra.attributes['gen_ai.request.model'], DEEPINFRA_LLAMA);
  assert.equal(deepinfra.attributes['arouter.attempt'], 2);
  assert.equal(deepinfra.attributes['arouter.fallback'], true);
  assert.equal(deepinfra.attributes['arouter.outcome'], 'ok');
  assert.equal(deepinfra.attributes['http.response.status_code'], 200);
  assert.equal(deepinfra.status.code, 0);
  assert.equal(deepinfra.attributes['gen_ai.usage.input_tokens'], undefined, 'usage is counted on one span only');
  for (const s of attempts) {
    assert.ok(s.startNs >= request.startNs && s.endNs <= request.endNs, `${s.name} lies inside the request span`);
  }

  // each upstream got the trace id and its own attempt span's id, and the caller's tracestate
  const calls = chatCalls(sims);
  assert.deepEqual(calls.map(providerOf), ['groq', 'deepinfra']);
  assert.equal(calls[0].headers.traceparent, `00-${TRACE_ID}-${groq.spanId}-01`);
  assert.equal(calls[1].headers.traceparent, `00-${TRACE_ID}-${deepinfra.spanId}-01`);
  assert.equal(calls[0].headers.tracestate, 'vendor=abc');

  // the exporter sent the configured headers; no prompt text left the gateway
  assert.equal(otlp.exports.at(-1)?.['x-collector-key'], 'k1');
  assert.ok(!JSON.stringify(all.map((s) => s.attributes)).includes('marmalade'), 'no prompt text in spans');
});

test('a stream: time to first chunk and its event, usage as the client got it in the last chunk', async () => {
  const res = await post('/chat/completions', {
    model: LLAMA,
    provider: GROQ_FIRST,
    stream: true,
    stream_options: { include_usage: true },
    messages: [{ role: 'user', content: PROMPT }],
  });
  assert.equal(res.status, 200);
  const chunks = sseChunks(res.text);
  const usage = chunks.find((c) => c.usage)?.usage;
  assert.ok(usage, 'the stream ends with usage');
  const { request, attempts } = await traceOf(gw);
  assert.notEqual(request.traceId, TRACE_ID, 'no traceparent in: a new trace');
  assert.equal(request.parentSpanId, '');
  const a = request.attributes;
  assert.equal(a['gen_ai.request.stream'], true);
  assert.equal(a['gen_ai.usage.input_tokens'], usage.prompt_tokens);
  assert.equal(a['gen_ai.usage.output_tokens'], usage.completion_tokens);
  const ttfc = a['gen_ai.response.time_to_first_chunk'] as number;
  assert.ok(typeof ttfc === 'number' && ttfc > 0, 'time to first chunk in seconds');
  const first = request.events.find((e) => e.name === 'arouter.first_token');
  assert.ok(first && first.timeNs > request.startNs && first.timeNs <= request.endNs);
  assert.equal(attempts.length, 1);
  assert.equal(attempts[0].attributes['arouter.outcome'], 'ok');
  assert.equal(chatCalls(sims)[0].headers.traceparent, `00-${request.traceId}-${attempts[0].spanId}-01`);
});

test("a caller's unsampled trace (flags 00) is followed: no span is exported, upstreams still get the trace id", async () => {
  const res = await post(
    '/chat/completions',
    { model: LLAMA, provider: GROQ_FIRST, messages: [{ role: 'user', content: 'hi' }] },
    { traceparent: `00-${TRACE_ID}-${CALLER_SPAN}-00` },
  );
  assert.equal(res.status, 200);
  await gw.app.tracing!.flush();
  assert.equal(otlp.spans.length, 0);
  assert.match(String(chatCalls(sims)[0].headers.traceparent), new RegExp(`^00-${TRACE_ID}-[0-9a-f]{16}-00$`));
});

test('every endpoint failing: the request span is an error with error.type, each attempt span too', async () => {
  sims.openai.script({ match: { model: GROQ_LLAMA }, status: 500 });
  sims.openai.script({ match: { model: DEEPINFRA_LLAMA }, status: 503 });
  const res = await post('/chat/completions', {
    model: LLAMA,
    provider: { ...GROQ_FIRST, allow_fallbacks: false },
    messages: [{ role: 'user', content: 'hi' }],
  });
  assert.equal(res.status, 502);
  const { request, attempts } = await traceOf(gw);
  assert.equal(request.status.code, 2);
  assert.equal(request.attributes['http.response.status_code'], 502);
  assert.equal(typeof request.attributes['error.type'], 'string');
  assert.equal(request.attributes['gen_ai.usage.input_tokens'], undefined);
  assert.deepEqual(
    attempts.map((s) => [s.attributes['http.response.status_code'], s.status.code]),
    [
      [500, 2],
      [503, 2],
    ],
  );
});

test('a request the client got wrong (unknown model): a 4xx request span, not an error of the server', async () => {
  const res = await post('/chat/completions', { model: 'nobody/nothing', messages: [{ role: 'user', content: 'x' }] });
  assert.equal(res.status, 404);
  const { request, attempts } = await traceOf(gw);
  assert.equal(request.attributes['http.response.status_code'], 404);
  assert.equal(request.attributes['error.type'], '404');
  assert.equal(request.status.code, 0);
  assert.equal(request.attributes['gen_ai.response.finish_reasons'], undefined, 'nothing answered, nothing finished');
  assert.equal(attempts.length, 0);
});

test('tracing on loads the SDK (the module check tracing-off.test.ts makes would see it)', () => {
  const require = createRequire(import.meta.url);
  const loaded = Object.keys(require.cache).filter((f) => /@opentelemetry[\\/]sdk-trace-base[\\/]/.test(f));
  assert.ok(loaded.length > 0);
});

test('embeddings: an `embeddings` operation span with its input tokens', async () => {
  const res = await post('/embeddings', { model: 'openai/text-embedding-3-small', input: ['a b c', 'd e'] });
  assert.equal(res.status, 200, res.text);
  const body = JSON.parse(res.text);
  const { request, attempts } = await traceOf(gw);
  assert.equal(request.name, 'embeddings openai/text-embedding-3-small');
  assert.equal(request.attributes['gen_ai.operation.name'], 'embeddings');
  assert.equal(request.attributes['gen_ai.usage.input_tokens'], body.usage.prompt_tokens);
  assert.equal(attempts.length, 1);
  assert.equal(attempts[0].attributes['gen_ai.operation.name'], 'embeddings');
  assert.equal(sims.openai.requests.at(-1)?.headers.traceparent, `00-${request.traceId}-${attempts[0].spanId}-01`);
});

test('content capture on (AROUTER_TRACE_CONTENT=1, the OTEL_* environment): prompt and completion as GenAI messages; an open circuit', async () => {
  const own = await startSims();
  const g = await startGateway({
    demoUpstreams: own.urls,
    config: { providers: TAGGED_PROVIDERS, routing: { breaker_failures: 1 } },
    env: { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: otlp.url, AROUTER_TRACE_CONTENT: '1', OTEL_SERVICE_NAME: 'content' },
  });
  try {
    const res = await g.fetch('/chat/completions', {
      method: 'POST',
      json: { model: 'openai/gpt-4o', messages: [{ role: 'user', content: PROMPT }] },
    });
    const body = await res.json();
    assert.equal(res.status, 200);
    await g.app.tracing!.flush();
    const request = otlp.spans.find(
      (s: ReceivedSpan) => s.resource['service.name'] === 'content' && s.kind === SPAN_KIND.SERVER,
    )!;
    assert.ok(request, 'exported under the environment service name');
    const input = JSON.parse(request.attributes['gen_ai.input.messages'] as string);
    assert.deepEqual(input, [{ role: 'user', parts: [{ type: 'text', content: PROMPT }] }]);
    const output = JSON.parse(request.attributes['gen_ai.output.messages'] as string);
    assert.equal(output[0].role, 'assistant');
    assert.equal(output[0].parts.at(-1).content, body.choices[0].message.content);

    // one failure opens the breaker of gpt-4o's one endpoint (breaker_failures: 1); with every endpoint open the
    // planner keeps it as the last resort, and the attempt loop skips it: a zero-length span says so
    own.openai.script({ match: { model: 'gpt-4o' }, status: 500 });
    const ask = () =>
      g.fetch('/chat/completions', {
        method: 'POST',
        json: { model: 'openai/gpt-4o', messages: [{ role: 'user', content: 'hi' }] },
      });
    assert.equal((await ask()).status, 502);
    await g.app.tracing!.flush();
    otlp.spans.length = 0;
    const refused = await ask();
    assert.equal(refused.status, 503);
    assert.match(refused.headers.get('x-arouter-attempts') ?? '', /^openai=skipped\(0ms\)$/);
    await g.app.tracing!.flush();
    const skipped = otlp.spans.find((s) => s.attributes['arouter.circuit'] === 'open');
    assert.ok(skipped, 'the skipped endpoint has its span');
    assert.equal(skipped.attributes['gen_ai.provider.name'], 'openai');
    assert.equal(skipped.attributes['arouter.outcome'], 'skipped');
    assert.equal(skipped.status.code, 0);
    assert.equal(skipped.endNs, skipped.startNs);
  } finally {
    await g.close();
    await own.close();
  }
});
