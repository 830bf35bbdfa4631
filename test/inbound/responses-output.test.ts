// The Responses adapter's answer side: complete() and the stream encoder, validated against the OpenAI spec's
// Response and stream event schemas.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ChatResult, StreamEvent } from '../../src/protocol/chat-result.js';
import type { ResponsesRequest } from '../../src/protocol/responses-request.js';
import { responsesAdapter, generationIdOf } from '../../src/inbound/responses/index.js';
import { assertEvent, assertSpec, info, parseSse, usage, type Sse } from './responses-helpers.js';

type Obj = Record<string, unknown>;

const wire = {
  model: 'anthropic/claude-sonnet-4.6',
  input: 'hi',
  instructions: 'Be brief.',
  tools: [{ type: 'function', name: 'weather', parameters: { type: 'object' }, strict: true }],
  temperature: 0.5,
  metadata: { k: 'v' },
  store: true,
} as unknown as ResponsesRequest;

const result = (r: Partial<ChatResult>): ChatResult => ({
  content: null,
  reasoning: null,
  reasoning_details: [],
  tool_calls: [],
  finish_reason: 'stop',
  native_finish_reason: null,
  usage: null,
  upstream_id: null,
  refusal: null,
  ...r,
});

const signed = [
  { type: 'reasoning.text', text: 'Let me ', format: 'anthropic-claude-v1' },
  { type: 'reasoning.text', text: 'think.', format: 'anthropic-claude-v1' },
  { type: 'reasoning.text', text: '', signature: 'SIG', format: 'anthropic-claude-v1' },
];

test('complete(): reasoning, message and function_call items, usage, echoed settings; valid Response', () => {
  const body = responsesAdapter.complete(
    result({
      content: 'Hello',
      reasoning: 'Let me think.',
      reasoning_details: signed,
      tool_calls: [{ id: 'toolu_1', type: 'function', function: { name: 'weather', arguments: '{"city":"Paris"}' } }],
      finish_reason: 'tool_calls',
      logprobs: {
        content: [{ token: 'Hello', logprob: -0.1, bytes: [72], top_logprobs: [{ token: 'Hi', logprob: -2 }] }],
      },
    }),
    info,
    usage(),
    wire,
  ) as Obj;
  assertSpec('Response', body);
  assert.equal(body.id, 'resp_1700000000-0123456789abcdef0123');
  assert.equal(generationIdOf(body.id as string), info.id);
  assert.equal(body.object, 'response');
  assert.equal(body.status, 'completed');
  assert.equal(body.model, info.model);
  assert.equal(body.created_at, info.created);
  assert.equal(body.instructions, 'Be brief.');
  assert.equal(body.temperature, 0.5);
  assert.deepEqual(body.metadata, { k: 'v' });
  assert.equal(body.store, false, 'nothing is stored, whatever the request says');
  assert.deepEqual(body.tools, [
    { type: 'function', name: 'weather', description: null, parameters: { type: 'object' }, strict: true },
  ]);
  const [rs, msg, fc] = body.output as Obj[];
  assert.equal(rs.type, 'reasoning');
  assert.deepEqual(rs.summary, [{ type: 'summary_text', text: 'Let me think.' }]);
  // the signed thinking comes back through encrypted_content, its pieces joined
  const back = responsesAdapter.toChat({ input: [rs as never, msg as never, fc as never] });
  assert.deepEqual(back.messages[0], {
    role: 'assistant',
    content: 'Hello',
    tool_calls: [{ id: 'toolu_1', type: 'function', function: { name: 'weather', arguments: '{"city":"Paris"}' } }],
    reasoning_details: [
      { type: 'reasoning.text', text: 'Let me think.', signature: 'SIG', format: 'anthropic-claude-v1' },
    ],
  });
  assert.deepEqual(msg.content, [
    {
      type: 'output_text',
      text: 'Hello',
      annotations: [],
      logprobs: [
        { token: 'Hello', logprob: -0.1, bytes: [72], top_logprobs: [{ token: 'Hi', logprob: -2, bytes: [] }] },
      ],
    },
  ]);
  assert.deepEqual(fc, {
    id: 'fc_1700000000-0123456789abcdef0123_0',
    type: 'function_call',
    status: 'completed',
    call_id: 'toolu_1',
    name: 'weather',
    arguments: '{"city":"Paris"}',
  });
  assert.deepEqual(body.usage, {
    input_tokens: 100,
    input_tokens_details: { cached_tokens: 30, cache_write_tokens: 5 },
    output_tokens: 40,
    output_tokens_details: { reasoning_tokens: 10 },
    total_tokens: 140,
    cost: 0.00123,
  });
});

test('complete(): length → incomplete (max_output_tokens), content_filter, refusal, error; empty answer', () => {
  const cut = responsesAdapter.complete(
    result({ content: 'Hel', finish_reason: 'length' }),
    info,
    usage(),
    wire,
  ) as Obj;
  assertSpec('Response', cut);
  assert.equal(cut.status, 'incomplete');
  assert.deepEqual(cut.incomplete_details, { reason: 'max_output_tokens' });
  assert.equal((cut.output as Obj[])[0].status, 'incomplete');

  const filtered = responsesAdapter.complete(
    result({ content: null, refusal: 'I cannot help with that.', finish_reason: 'content_filter' }),
    info,
    usage(),
    { input: 'x' },
  ) as Obj;
  assertSpec('Response', filtered);
  assert.deepEqual(filtered.incomplete_details, { reason: 'content_filter' });
  assert.deepEqual((filtered.output as Obj[])[0].content, [{ type: 'refusal', refusal: 'I cannot help with that.' }]);
  // defaults of the required echoed settings when the request had none
  assert.deepEqual(
    [filtered.instructions, filtered.tools, filtered.tool_choice, filtered.temperature, filtered.parallel_tool_calls],
    [null, [], 'auto', null, true],
  );

  const failed = responsesAdapter.complete(result({ content: '', finish_reason: 'error' }), info, usage(), wire) as Obj;
  assertSpec('Response', failed);
  assert.equal(failed.status, 'failed');
  assert.equal((failed.error as Obj).code, 'server_error');

  const empty = responsesAdapter.complete(result({ content: '' }), info, usage(), wire) as Obj;
  assertSpec('Response', empty);
  assert.equal(((empty.output as Obj[])[0].content as Obj[])[0].text, '');
});

function run(events: StreamEvent[][], end: (enc: ReturnType<typeof responsesAdapter.stream>) => string): Sse[] {
  const enc = responsesAdapter.stream(wire);
  let text = enc.open(info);
  for (const batch of events) text += enc.events(batch);
  text += end(enc);
  const evs = parseSse(text);
  evs.forEach((e, i) => {
    assertEvent(e.data);
    assert.equal(e.data.sequence_number, i, 'sequence numbers count up from 0 without gaps');
  });
  return evs;
}

const d = (delta: Obj, logprobs?: Obj): StreamEvent => ({ type: 'delta', delta, ...(logprobs ? { logprobs } : {}) });

test('stream: reasoning → text → two parallel tool calls, items close in order; completed carries everything', () => {
  const evs = run(
    [
      [d({ reasoning: 'Let me ', reasoning_details: [signed[0]] })],
      [d({ reasoning: 'think.', reasoning_details: [signed[1]] }), d({ reasoning_details: [signed[2]] })],
      [d({ content: 'Hel' }, { content: [{ token: 'Hel', logprob: -0.5, bytes: [72, 101, 108], top_logprobs: [] }] })],
      [d({ content: 'lo' })],
      [d({ tool_calls: [{ index: 0, id: 'call_a', type: 'function', function: { name: 'weather', arguments: '' } }] })],
      [d({ tool_calls: [{ index: 0, function: { arguments: '{"city":' } }] })],
      [d({ tool_calls: [{ index: 0, function: { arguments: '"Paris"}' } }] })],
      [
        d({
          tool_calls: [{ index: 1, id: 'call_b', type: 'function', function: { name: 'weather', arguments: '{}' } }],
        }),
        { type: 'finish', finish_reason: 'tool_calls', native_finish_reason: 'tool_use' },
      ],
    ],
    (enc) => enc.close(usage(), 'tool_calls'),
  );
  assert.deepEqual(
    evs.map((e) => e.event + ('output_index' in e.data ? `@${e.data.output_index as number}` : '')),
    [
      'response.created',
      'response.in_progress',
      'response.output_item.added@0',
      'response.reasoning_summary_part.added@0',
      'response.reasoning_summary_text.delta@0',
      'response.reasoning_summary_text.delta@0',
      'response.reasoning_summary_text.done@0',
      'response.reasoning_summary_part.done@0',
      'response.output_item.done@0',
      'response.output_item.added@1',
      'response.content_part.added@1',
      'response.output_text.delta@1',
      'response.output_text.delta@1',
      'response.output_text.done@1',
      'response.content_part.done@1',
      'response.output_item.done@1',
      'response.output_item.added@2',
      'response.function_call_arguments.delta@2',
      'response.function_call_arguments.delta@2',
      'response.function_call_arguments.done@2',
      'response.output_item.done@2',
      'response.output_item.added@3',
      'response.function_call_arguments.delta@3',
      'response.function_call_arguments.done@3',
      'response.output_item.done@3',
      'response.completed',
    ],
  );
  const created = evs[0].data.response as Obj;
  assert.equal(created.status, 'in_progress');
  assert.deepEqual(created.output, []);
  const textDone = evs.find((e) => e.event === 'response.output_text.done')!.data;
  assert.equal(textDone.text, 'Hello');
  assert.deepEqual(textDone.logprobs, [{ token: 'Hel', logprob: -0.5, bytes: [72, 101, 108], top_logprobs: [] }]);
  const argsDone = evs.filter((e) => e.event === 'response.function_call_arguments.done').map((e) => e.data);
  assert.deepEqual(
    argsDone.map((a) => [a.name, a.arguments]),
    [
      ['weather', '{"city":"Paris"}'],
      ['weather', '{}'],
    ],
  );
  const final = evs[evs.length - 1].data.response as Obj;
  assertSpec('Response', final);
  assert.equal(final.status, 'completed');
  const out = final.output as Obj[];
  assert.deepEqual(
    out.map((o) => o.type),
    ['reasoning', 'message', 'function_call', 'function_call'],
  );
  // every output_item.done item is the one the final response lists
  for (const e of evs.filter((x) => x.event === 'response.output_item.done'))
    assert.deepEqual(out[e.data.output_index as number], e.data.item);
  assert.deepEqual(out[2].call_id, 'call_a');
  assert.equal((final.usage as Obj).total_tokens, 140);
  // the streamed answer round-trips like the whole one
  const back = responsesAdapter.toChat({ input: out as never });
  assert.deepEqual(back.messages[0].role === 'assistant' && back.messages[0].reasoning_details, [
    { type: 'reasoning.text', text: 'Let me think.', signature: 'SIG', format: 'anthropic-claude-v1' },
  ]);
});

test('stream: text then refusal parts; details without a reasoning item close into a last reasoning item', () => {
  const gemini = { type: 'reasoning.encrypted', data: 'TS', format: 'google-gemini-v1', id: 'call_1' };
  const evs = run(
    [
      [d({ content: 'Sorry' }), d({ refusal: 'No.' })],
      [
        d({
          tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: 'f', arguments: '{}' } }],
          reasoning_details: [gemini],
        }),
      ],
    ],
    (enc) => enc.close(usage(), 'stop'),
  );
  const types = evs.map((e) => e.event);
  assert.ok(types.includes('response.refusal.delta') && types.includes('response.refusal.done'));
  const parts = evs.filter((e) => e.event === 'response.content_part.done').map((e) => e.data.content_index);
  assert.deepEqual(parts, [0, 1]);
  const final = evs[evs.length - 1].data.response as Obj;
  const out = final.output as Obj[];
  assert.deepEqual(
    out.map((o) => o.type),
    ['message', 'function_call', 'reasoning'],
  );
  assert.deepEqual(
    (out[0].content as Obj[]).map((c) => c.type),
    ['output_text', 'refusal'],
  );
  const back = responsesAdapter.toChat({ input: [{ role: 'user', content: 'q' } as never, ...(out as never[])] });
  assert.deepEqual(back.messages[1], {
    role: 'assistant',
    content: 'Sorry',
    refusal: 'No.',
    tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'f', arguments: '{}' } }],
    reasoning_details: [gemini],
  });
});

test('stream: length ends with response.incomplete; an upstream error with response.failed', () => {
  const cut = run([[d({ content: 'Hel' })]], (enc) => enc.close(usage(), 'length'));
  const last = cut[cut.length - 1];
  assert.equal(last.event, 'response.incomplete');
  const r = last.data.response as Obj;
  assert.equal(r.status, 'incomplete');
  assert.deepEqual(r.incomplete_details, { reason: 'max_output_tokens' });
  assert.equal((r.output as Obj[])[0].status, 'incomplete');

  const failed = run([[d({ content: 'Hel' })]], (enc) =>
    enc.error(
      {
        status: 429,
        retryable: true,
        type: 'rate_limit_error',
        code: 'rate_limited',
        message: 'slow down',
        upstream_status: 429,
      },
      usage({ completion_tokens: 1 }),
    ),
  );
  const f = failed[failed.length - 1];
  assert.equal(f.event, 'response.failed');
  const fr = f.data.response as Obj;
  assert.equal(fr.status, 'failed');
  assert.deepEqual(fr.error, { code: 'rate_limit_exceeded', message: 'slow down' });
  assert.equal((fr.output as Obj[])[0].status, 'incomplete');
  assert.equal(((fr.output as Obj[])[0].content as Obj[])[0].text, 'Hel');
  assert.equal(failed.filter((e) => e.event === 'response.output_item.done').length, 0);

  const empty = run([], (enc) => enc.close(usage({ completion_tokens: 0 }), 'stop'));
  assert.deepEqual(
    empty.map((e) => e.event),
    ['response.created', 'response.in_progress', 'response.completed'],
  );
});

test('errorBody: OpenAI error shape with a string code', () => {
  assert.deepEqual(
    responsesAdapter.errorBody({
      status: 400,
      message: 'bad',
      type: 'invalid_request_error',
      code: 'invalid_request',
      param: 'input',
    }),
    { error: { message: 'bad', type: 'invalid_request_error', param: 'input', code: 'invalid_request' } },
  );
});
