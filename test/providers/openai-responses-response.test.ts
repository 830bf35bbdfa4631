// The openai-responses dialect's answer side: a Response object → ChatResult, and the typed SSE stream → StreamEvents.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openaiResponsesDialect } from '../../src/providers/dialects.js';
import { UpstreamResponseError } from '../../src/providers/upstream-error.js';
import type { SseEvent, StreamEvent } from '../../src/providers/types.js';
import { runStream } from './openai-helpers.js';
import { fromWire } from './openai-responses-helpers.js';

type Obj = Record<string, unknown>;

const TOOLS = [
  { type: 'function', name: 'get_weather' },
  { type: 'custom', name: 'apply_patch' },
  { type: 'namespace', name: 'agents', tools: [{ type: 'function', name: 'spawn' }] },
];
const ctxOf = (o: Parameters<typeof fromWire>[1] = {}) => fromWire({ model: 'm', input: 'hi', tools: TOOLS }, o).ctx;

const usage = {
  input_tokens: 1200,
  input_tokens_details: { cached_tokens: 1024 },
  output_tokens: 90,
  output_tokens_details: { reasoning_tokens: 40 },
  total_tokens: 1290,
};

const response = (over: Obj = {}): Obj => ({
  id: 'resp_up1',
  object: 'response',
  status: 'completed',
  error: null,
  incomplete_details: null,
  output: [
    {
      id: 'rs_1',
      type: 'reasoning',
      summary: [
        { type: 'summary_text', text: 'First.' },
        { type: 'summary_text', text: 'Second.' },
      ],
      encrypted_content: 'gAAAAB-state',
    },
    {
      id: 'msg_1',
      type: 'message',
      role: 'assistant',
      status: 'completed',
      content: [
        {
          type: 'output_text',
          text: 'Calling.',
          annotations: [],
          logprobs: [{ token: 'Calling', logprob: -0.1, bytes: [], top_logprobs: [] }],
        },
      ],
    },
    {
      id: 'fc_1',
      type: 'function_call',
      status: 'completed',
      call_id: 'call_a',
      name: 'get_weather',
      arguments: '{"city":"Paris"}',
    },
    { id: 'ctc_1', type: 'custom_tool_call', call_id: 'call_b', name: 'apply_patch', input: '*** Begin Patch' },
    {
      id: 'fc_2',
      type: 'function_call',
      status: 'completed',
      call_id: 'call_c',
      namespace: 'agents',
      name: 'spawn',
      arguments: '{}',
    },
  ],
  usage,
  ...over,
});

test('a Response → ChatResult: text, reasoning summary and state, calls under their canonical names, usage', () => {
  const r = openaiResponsesDialect.parseChatResponse(response(), ctxOf());
  assert.equal(r.content, 'Calling.');
  assert.equal(r.reasoning, 'First.\n\nSecond.');
  assert.deepEqual(r.reasoning_details, [
    { type: 'reasoning.encrypted', data: 'gAAAAB-state', format: 'openai-responses-v1', id: 'rs_1' },
  ]);
  assert.deepEqual(r.tool_calls, [
    { id: 'call_a', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
    { id: 'call_b', type: 'function', function: { name: 'apply_patch', arguments: '{"input":"*** Begin Patch"}' } },
    { id: 'call_c', type: 'function', function: { name: 'agents__spawn', arguments: '{}' } },
  ]);
  assert.equal(r.finish_reason, 'tool_calls');
  assert.equal(r.native_finish_reason, 'completed');
  assert.deepEqual(r.usage, {
    prompt_tokens: 1200,
    completion_tokens: 90,
    cached_read_tokens: 1024,
    cache_write_tokens: 0,
    reasoning_tokens: 40,
  });
  assert.equal(r.upstream_id, 'resp_up1');
  assert.deepEqual(r.logprobs, {
    content: [{ token: 'Calling', logprob: -0.1, bytes: [], top_logprobs: [] }],
    refusal: null,
  });
  // reasoning the client excluded is not shown, its state still carried
  const ex = openaiResponsesDialect.parseChatResponse(response(), ctxOf({ reasoning: { exclude: true } }));
  assert.equal(ex.reasoning, null);
  assert.equal(ex.reasoning_details.length, 1);
});

test('incomplete is a finish reason, a refusal is kept apart, failed is the upstream error', () => {
  const msg = (content: Obj[]) => [{ id: 'm', type: 'message', role: 'assistant', status: 'incomplete', content }];
  const cut = openaiResponsesDialect.parseChatResponse(
    response({
      status: 'incomplete',
      incomplete_details: { reason: 'max_output_tokens' },
      output: msg([{ type: 'output_text', text: 'Hal', annotations: [] }]),
    }),
    ctxOf(),
  );
  assert.equal(cut.finish_reason, 'length');
  assert.equal(cut.native_finish_reason, 'max_output_tokens');
  const filtered = openaiResponsesDialect.parseChatResponse(
    response({
      status: 'incomplete',
      incomplete_details: { reason: 'content_filter' },
      output: msg([{ type: 'refusal', refusal: 'No.' }]),
    }),
    ctxOf(),
  );
  assert.equal(filtered.finish_reason, 'content_filter');
  assert.equal(filtered.refusal, 'No.');
  assert.equal(filtered.content, null);
  assert.throws(
    () =>
      openaiResponsesDialect.parseChatResponse(
        response({ status: 'failed', error: { code: 'server_error', message: 'The model failed.' }, output: [] }),
        ctxOf(),
      ),
    (e: unknown) => e instanceof UpstreamResponseError && e.retryable && /The model failed/.test(e.message),
  );
  assert.throws(() => openaiResponsesDialect.parseChatResponse({ id: 'x' }, ctxOf()), UpstreamResponseError);
});

// ------------------------------------------------------------------------------------------------- stream

const sse = (type: string, fields: Obj = {}): SseEvent => ({ event: type, data: JSON.stringify({ type, ...fields }) });
const deltas = (evs: StreamEvent[]) =>
  evs.filter((e) => e.type === 'delta').map((e) => (e as unknown as { delta: Obj }).delta);

function streamOf(final: SseEvent | null): SseEvent[] {
  const rs = { id: 'rs_1', type: 'reasoning', summary: [] };
  const fc = {
    id: 'fc_1',
    type: 'function_call',
    status: 'in_progress',
    call_id: 'call_a',
    name: 'get_weather',
    arguments: '',
  };
  const ctc = { id: 'ctc_1', type: 'custom_tool_call', call_id: 'call_b', name: 'apply_patch', input: '' };
  const evs = [
    sse('response.created', { response: { id: 'resp_up1', status: 'in_progress', output: [] } }),
    sse('response.output_item.added', { output_index: 0, item: rs }),
    sse('response.reasoning_summary_part.added', { item_id: 'rs_1', output_index: 0, summary_index: 0 }),
    sse('response.reasoning_summary_text.delta', { item_id: 'rs_1', output_index: 0, delta: 'First.' }),
    sse('response.reasoning_summary_part.added', { item_id: 'rs_1', output_index: 0, summary_index: 1 }),
    sse('response.reasoning_summary_text.delta', { item_id: 'rs_1', output_index: 0, delta: 'Second.' }),
    sse('response.output_item.done', { output_index: 0, item: { ...rs, encrypted_content: 'gAAAAB-state' } }),
    sse('response.output_item.added', { output_index: 1, item: { id: 'msg_1', type: 'message', content: [] } }),
    sse('response.output_text.delta', {
      item_id: 'msg_1',
      output_index: 1,
      content_index: 0,
      delta: 'Call',
      logprobs: [],
    }),
    sse('response.output_text.delta', {
      item_id: 'msg_1',
      output_index: 1,
      content_index: 0,
      delta: 'ing.',
      logprobs: [],
    }),
    sse('response.output_item.added', { output_index: 2, item: fc }),
    sse('response.function_call_arguments.delta', { item_id: 'fc_1', output_index: 2, delta: '{"city":' }),
    sse('response.function_call_arguments.delta', { item_id: 'fc_1', output_index: 2, delta: '"Paris"}' }),
    sse('response.output_item.done', { output_index: 2, item: { ...fc, arguments: '{"city":"Paris"}' } }),
    sse('response.output_item.added', { output_index: 3, item: ctc }),
    sse('response.custom_tool_call_input.delta', { item_id: 'ctc_1', output_index: 3, delta: '*** Begin' }),
    sse('response.output_item.done', { output_index: 3, item: { ...ctc, input: '*** Begin Patch' } }),
  ];
  return final ? [...evs, final] : evs;
}

test('the typed stream → deltas that add up to the JSON answer, then finish and usage', () => {
  const out = runStream(
    openaiResponsesDialect.createStreamTranslator(ctxOf({ stream: true })),
    streamOf(sse('response.completed', { response: response() })),
  );
  const ds = deltas(out);
  assert.equal(ds.map((d) => d.reasoning ?? '').join(''), 'First.\n\nSecond.');
  assert.equal(ds.map((d) => d.content ?? '').join(''), 'Calling.');
  assert.deepEqual(ds.find((d) => d.reasoning_details)?.reasoning_details, [
    { type: 'reasoning.encrypted', data: 'gAAAAB-state', format: 'openai-responses-v1', id: 'rs_1' },
  ]);
  const calls = ds.flatMap((d) => (d.tool_calls as Obj[] | undefined) ?? []);
  assert.deepEqual(calls, [
    { index: 0, id: 'call_a', type: 'function', function: { name: 'get_weather', arguments: '' } },
    { index: 0, function: { arguments: '{"city":' } },
    { index: 0, function: { arguments: '"Paris"}' } },
    { index: 1, id: 'call_b', type: 'function', function: { name: 'apply_patch', arguments: '' } },
    { index: 1, function: { arguments: '{"input":"*** Begin Patch"}' } },
  ]);
  assert.deepEqual(out.slice(-2), [
    { type: 'finish', finish_reason: 'tool_calls', native_finish_reason: 'completed' },
    {
      type: 'usage',
      usage: {
        prompt_tokens: 1200,
        completion_tokens: 90,
        cached_read_tokens: 1024,
        cache_write_tokens: 0,
        reasoning_tokens: 40,
      },
    },
  ]);
});

test('response.incomplete finishes with length; failed, error events and a cut stream are upstream errors', () => {
  const t = () => openaiResponsesDialect.createStreamTranslator(ctxOf({ stream: true }));
  const cut = runStream(
    t(),
    streamOf(
      sse('response.incomplete', {
        response: response({ status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' } }),
      }),
    ),
  );
  assert.deepEqual(cut.at(-2), { type: 'finish', finish_reason: 'length', native_finish_reason: 'max_output_tokens' });
  const last = (evs: StreamEvent[]) =>
    evs.at(-1) as { type: string; error?: { message: string; retryable: boolean; code: string | null } };
  const failed = last(
    runStream(
      t(),
      streamOf(
        sse('response.failed', {
          response: response({ status: 'failed', error: { code: 'server_error', message: 'Boom.' } }),
        }),
      ),
    ),
  );
  assert.equal(failed.type, 'error');
  assert.match(failed.error!.message, /Boom\./);
  assert.equal(failed.error!.retryable, true);
  const errorEv = last(
    runStream(t(), streamOf(sse('error', { code: 'rate_limit_exceeded', message: 'Slow down.', param: null }))),
  );
  assert.equal(errorEv.type, 'error');
  assert.match(errorEv.error!.message, /Slow down\./);
  assert.equal(errorEv.error!.code, 'rate_limit_exceeded');
  const nested = last(runStream(t(), streamOf(sse('error', { error: { type: 'server_error', message: 'Nested.' } }))));
  assert.match(nested.error!.message, /Nested\./);
  const truncated = last(runStream(t(), streamOf(null)));
  assert.equal(truncated.type, 'error');
  assert.equal(truncated.error!.code, 'upstream_stream_truncated');
  assert.deepEqual(runStream(t(), []), []);
  const bad = last(runStream(t(), [{ event: 'response.created', data: '{"type":' }]));
  assert.equal(bad.type, 'error');
});
