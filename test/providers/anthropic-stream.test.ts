// Stream translation for the anthropic dialect (wire-formats.md §4.6), on recorded-shape SSE fixtures.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ChatRequest } from '../../src/protocol/chat-request.js';
import type { BuildContext, SseEvent, StreamEvent } from '../../src/providers/types.js';
import { anthropicDialect } from '../../src/providers/anthropic/index.js';
import { fixtureSse, makeCtx, reasoning } from '../fixtures/anthropic/helpers.js';

function run(
  events: SseEvent[],
  ctx: BuildContext = makeCtx({ stream: true }),
): { perEvent: StreamEvent[][]; all: StreamEvent[] } {
  const tr = anthropicDialect.createStreamTranslator(ctx);
  const perEvent = events.map((e) => tr.push(e));
  perEvent.push(tr.end());
  return { perEvent, all: perEvent.flat() };
}

const d = (delta: object): StreamEvent => ({ type: 'delta', delta }) as StreamEvent;

test('full stream: reasoning, text, three tool calls with fragmented arguments, finish and usage', () => {
  const events = fixtureSse('stream-tools.sse');
  const { perEvent, all } = run(events);
  assert.deepEqual(all, [
    // each piece once, in `reasoning` and as a reasoning_details piece; the signature closes them, text-less
    d({
      reasoning: 'Let me check ',
      reasoning_details: [{ type: 'reasoning.text', text: 'Let me check ', format: 'anthropic-claude-v1' }],
    }),
    d({
      reasoning: 'both tools.',
      reasoning_details: [{ type: 'reasoning.text', text: 'both tools.', format: 'anthropic-claude-v1' }],
    }),
    d({
      reasoning_details: [
        { type: 'reasoning.text', text: '', signature: 'EqQBCgIYAhIM1gbcDa9GJwZA2b3h', format: 'anthropic-claude-v1' },
      ],
    }),
    d({ content: 'Check' }),
    d({ content: 'ing.' }),
    d({
      tool_calls: [
        {
          index: 0,
          id: 'toolu_01T1x1fJ34qAmk2tNTrN7Up6',
          type: 'function',
          function: { name: 'get_weather', arguments: '' },
        },
      ],
    }),
    d({ tool_calls: [{ index: 0, function: { arguments: '{"city": "Par' } }] }),
    d({ tool_calls: [{ index: 0, function: { arguments: 'is"}' } }] }),
    d({
      tool_calls: [
        {
          index: 1,
          id: 'toolu_01B19q90qw90lq917835lq8',
          type: 'function',
          function: { name: 'get_time', arguments: '' },
        },
      ],
    }),
    d({ tool_calls: [{ index: 1, function: { arguments: '{"tz":' } }] }),
    d({ tool_calls: [{ index: 1, function: { arguments: ' "Europe/Paris"}' } }] }),
    d({
      tool_calls: [
        {
          index: 2,
          id: 'toolu_01NoArgs0000000000000000',
          type: 'function',
          function: { name: 'list_cities', arguments: '' },
        },
      ],
    }),
    // a tool_use block that received no JSON still yields valid arguments
    d({ tool_calls: [{ index: 2, function: { arguments: '{}' } }] }),
    { type: 'finish', finish_reason: 'tool_calls', native_finish_reason: 'tool_use' },
    {
      type: 'usage',
      usage: {
        prompt_tokens: 25 + 2048,
        completion_tokens: 89,
        cached_read_tokens: 2048,
        cache_write_tokens: 0,
        reasoning_tokens: 6,
      },
    },
  ]);
  // incremental: every content-bearing delta event yields its output at once
  events.forEach((ev, i) => {
    const data = JSON.parse(ev.data);
    const delta = data.delta;
    if (data.type === 'content_block_delta' && (delta.text || delta.thinking || delta.partial_json)) {
      assert.equal(perEvent[i].length, 1, `event ${i} (${ev.data}) must produce its delta immediately`);
    }
  });
  // the finish comes from message_stop, and end() adds nothing after it
  assert.equal(perEvent[perEvent.length - 1].length, 0);
  assert.equal(all.filter((e) => e.type === 'finish').length, 1);
  // concatenated fragments are valid JSON
  const args = new Map<number, string>();
  for (const e of all) {
    if (e.type !== 'delta') continue;
    for (const tc of e.delta.tool_calls ?? [])
      args.set(tc.index, (args.get(tc.index) ?? '') + (tc.function.arguments ?? ''));
  }
  assert.deepEqual(
    [...args.values()].map((a) => JSON.parse(a)),
    [{ city: 'Paris' }, { tz: 'Europe/Paris' }, {}],
  );
});

test('exclude: no reasoning text or signed details, usage still counts reasoning', () => {
  const { all } = run(
    fixtureSse('stream-tools.sse'),
    makeCtx({ stream: true, reasoning: reasoning({ exclude: true }) }),
  );
  assert.equal(
    all.some((e) => e.type === 'delta' && (e.delta.reasoning !== undefined || e.delta.reasoning_details !== undefined)),
    false,
  );
  const usage = all.find((e) => e.type === 'usage');
  assert.equal(usage?.type === 'usage' && usage.usage.reasoning_tokens, 6);
});

test('JSON mode: the json_output tool streams as content, finish stop', () => {
  const ctx = makeCtx({ stream: true });
  anthropicDialect.buildChatRequest(
    {
      messages: [{ role: 'user', content: 'weather as JSON' }],
      response_format: { type: 'json_object' },
      stream: true,
    } as ChatRequest,
    ctx,
  );
  const { all } = run(fixtureSse('stream-json-output.sse'), ctx);
  assert.deepEqual(all, [
    d({ content: '{"city": "Pa' }),
    d({ content: 'ris", "temp_c": 18}' }),
    { type: 'finish', finish_reason: 'stop', native_finish_reason: 'tool_use' },
    {
      type: 'usage',
      usage: {
        prompt_tokens: 310,
        completion_tokens: 24,
        cached_read_tokens: 0,
        cache_write_tokens: 0,
        reasoning_tokens: 0,
      },
    },
  ]);
});

test('error event mid-stream → retryable 503-mapped error, no finish afterwards', () => {
  const { all } = run(fixtureSse('stream-overloaded.sse'));
  assert.equal(all.length, 2);
  assert.deepEqual(all[0], d({ content: 'Hel' }));
  const err = all[1];
  assert.equal(err.type, 'error');
  if (err.type !== 'error') return;
  assert.equal(err.error.status, 503);
  assert.equal(err.error.retryable, true);
  assert.equal(err.error.type, 'upstream_overloaded');
  assert.equal(err.error.message, 'Anthropic: Overloaded');
  assert.equal(err.error.upstream_status, 529);
});

test('other stream error types keep their meaning', () => {
  const tr = anthropicDialect.createStreamTranslator(makeCtx({ stream: true }));
  const [ev] = tr.push({
    event: 'error',
    data: '{"type":"error","error":{"type":"invalid_request_error","message":"prompt is too long"}}',
  });
  assert.equal(ev.type === 'error' && ev.error.status, 400);
  assert.equal(ev.type === 'error' && ev.error.retryable, false);
  assert.deepEqual(tr.end(), []);
});

test('a stream cut before message_delta/message_stop → upstream_stream_truncated, no finish, no provisional usage', () => {
  const events = fixtureSse('stream-tools.sse').filter(
    (e) => e.event !== 'message_stop' && e.event !== 'message_delta',
  );
  const { perEvent, all } = run(events);
  assert.ok(
    all.some((e) => e.type === 'delta'),
    'the content before the cut is translated',
  );
  assert.ok(
    !all.some((e) => e.type === 'finish' || e.type === 'usage'),
    'no finish, no usage (message_start says output_tokens: 1)',
  );
  const atEnd = perEvent.at(-1)!;
  assert.equal(atEnd.length, 1);
  const ev = atEnd[0];
  assert.equal(ev.type, 'error');
  if (ev.type !== 'error') return;
  assert.equal(ev.error.status, 502);
  assert.equal(ev.error.retryable, true);
  assert.equal(ev.error.type, 'upstream_error');
  assert.equal(ev.error.code, 'upstream_stream_truncated');
  assert.ok(ev.error.message.startsWith(`${makeCtx({ stream: true }).target.provider.name} `), ev.error.message);
});

test('an empty stream is truncated too (it used to commit an empty "stop" answer)', () => {
  const { all } = run([]);
  assert.equal(all.length, 1);
  assert.equal(all[0].type === 'error' && all[0].error.code, 'upstream_stream_truncated');
});

test('message_delta with stop_reason is final: a missing message_stop loses nothing', () => {
  const events = fixtureSse('stream-tools.sse').filter((e) => e.event !== 'message_stop');
  const { all } = run(events);
  const tail = all.slice(-2);
  assert.equal(tail[0].type, 'finish');
  assert.equal(tail[0].type === 'finish' && tail[0].finish_reason, 'tool_calls');
  assert.equal(tail[1].type, 'usage');
  assert.ok(!all.some((e) => e.type === 'error'));
});

test('text-only stream without usage: finish stop, no usage event; pings, unknown events and garbage ignored', () => {
  const events: SseEvent[] = [
    {
      event: 'message_start',
      data: '{"type":"message_start","message":{"id":"msg_x","content":[],"stop_reason":null}}',
    },
    { event: 'ping', data: '{"type":"ping"}' },
    {
      event: 'content_block_start',
      data: '{"type":"content_block_start","index":0,"content_block":{"type":"text","text":"Hi"}}',
    },
    {
      event: 'content_block_delta',
      data: '{"type":"content_block_delta","index":0,"delta":{"type":"citations_delta","citation":{}}}',
    },
    {
      event: 'content_block_delta',
      data: '{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":" there"}}',
    },
    { event: 'brand_new_event', data: '{"type":"brand_new_event","x":1}' },
    { data: 'not json' },
    { event: 'content_block_stop', data: '{"type":"content_block_stop","index":0}' },
    { event: 'message_delta', data: '{"type":"message_delta","delta":{"stop_reason":"end_turn"}}' },
    { event: 'message_stop', data: '{"type":"message_stop"}' },
  ];
  const { all } = run(events);
  assert.deepEqual(all, [
    d({ content: 'Hi' }),
    d({ content: ' there' }),
    { type: 'finish', finish_reason: 'stop', native_finish_reason: 'end_turn' },
  ]);
});

test('message_delta usage: cumulative output, non-null input/cache fields override message_start', () => {
  const events: SseEvent[] = [
    {
      event: 'message_start',
      data: '{"type":"message_start","message":{"usage":{"input_tokens":100,"output_tokens":1,"cache_read_input_tokens":0,"cache_creation_input_tokens":0}}}',
    },
    {
      event: 'message_delta',
      data: '{"type":"message_delta","delta":{"stop_reason":null},"usage":{"output_tokens":10}}',
    },
    {
      event: 'message_delta',
      data: '{"type":"message_delta","delta":{"stop_reason":"max_tokens"},"usage":{"output_tokens":30,"input_tokens":40,"cache_read_input_tokens":60,"cache_creation_input_tokens":null}}',
    },
    { event: 'message_stop', data: '{"type":"message_stop"}' },
  ];
  const { all } = run(events);
  assert.deepEqual(all, [
    { type: 'finish', finish_reason: 'length', native_finish_reason: 'max_tokens' },
    {
      type: 'usage',
      usage: {
        prompt_tokens: 100,
        completion_tokens: 30,
        cached_read_tokens: 60,
        cache_write_tokens: 0,
        reasoning_tokens: 0,
      },
    },
  ]);
});

test('redacted thinking arrives whole; input_json_delta outside tool_use blocks is ignored', () => {
  const events: SseEvent[] = [
    {
      event: 'content_block_start',
      data: '{"type":"content_block_start","index":0,"content_block":{"type":"redacted_thinking","data":"EmwKAhgB"}}',
    },
    { event: 'content_block_stop', data: '{"type":"content_block_stop","index":0}' },
    {
      event: 'content_block_start',
      data: '{"type":"content_block_start","index":1,"content_block":{"type":"server_tool_use","id":"srvtoolu_1","name":"web_search","input":{}}}',
    },
    {
      event: 'content_block_delta',
      data: '{"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"{\\"query\\": \\"x\\"}"}}',
    },
    { event: 'content_block_stop', data: '{"type":"content_block_stop","index":1}' },
    {
      event: 'message_delta',
      data: '{"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":5}}',
    },
    { event: 'message_stop', data: '{"type":"message_stop"}' },
  ];
  const { all } = run(events);
  assert.deepEqual(
    all[0],
    d({ reasoning_details: [{ type: 'reasoning.encrypted', data: 'EmwKAhgB', format: 'anthropic-claude-v1' }] }),
  );
  assert.deepEqual(all[1], { type: 'finish', finish_reason: 'stop', native_finish_reason: 'end_turn' });
  assert.equal(all.length, 3);
});

test('dotted tool names are restored in streamed tool calls', () => {
  const ctx = makeCtx({ stream: true });
  anthropicDialect.buildChatRequest(
    {
      messages: [{ role: 'user', content: 'x' }],
      tools: [{ type: 'function', function: { name: 'fs.read' } }],
    } as ChatRequest,
    ctx,
  );
  const tr = anthropicDialect.createStreamTranslator(ctx);
  const [ev] = tr.push({
    event: 'content_block_start',
    data: '{"type":"content_block_start","index":0,"content_block":{"type":"tool_use","id":"toolu_1","name":"fs_read","input":{}}}',
  });
  assert.deepEqual(
    ev,
    d({ tool_calls: [{ index: 0, id: 'toolu_1', type: 'function', function: { name: 'fs.read', arguments: '' } }] }),
  );
});

test('refusal: the explanation in message_delta.stop_details is streamed as delta.refusal, then content_filter', () => {
  const events: SseEvent[] = [
    {
      event: 'message_start',
      data: '{"type":"message_start","message":{"usage":{"input_tokens":12,"output_tokens":1}}}',
    },
    {
      event: 'content_block_start',
      data: '{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}',
    },
    {
      event: 'content_block_delta',
      data: '{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"I can\'t help with that."}}',
    },
    { event: 'content_block_stop', data: '{"type":"content_block_stop","index":0}' },
    {
      event: 'message_delta',
      data: '{"type":"message_delta","delta":{"stop_reason":"refusal","stop_sequence":null,"container":null,"stop_details":{"type":"refusal","category":"cyber","explanation":"The request asks for malware."}},"usage":{"output_tokens":7}}',
    },
    { event: 'message_stop', data: '{"type":"message_stop"}' },
  ];
  const { all } = run(events);
  assert.deepEqual(all.slice(0, 3), [
    d({ content: "I can't help with that." }),
    d({ refusal: 'The request asks for malware.' }),
    { type: 'finish', finish_reason: 'content_filter', native_finish_reason: 'refusal' },
  ]);
});
