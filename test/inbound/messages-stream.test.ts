// Canonical stream events → Anthropic SSE: every event validated against the spec's MessageStreamEvent, block
// indexes opened and closed once, and the Anthropic SDK's MessageStream accumulating the same message.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { StreamEvent } from '../../src/protocol/chat-result.js';
import type { MessagesRequest } from '../../src/protocol/messages-request.js';
import { messagesAdapter } from '../../src/inbound/messages/index.js';
import { AnthropicStreamTranslator } from '../../src/providers/anthropic/stream.js';
import { assertSpec } from '../sim/helpers.js';
import { fixtureSse, makeCtx } from '../fixtures/anthropic/helpers.js';
import { frames, info, sdkFinalMessage, usage } from './messages-helpers.js';
import { readFileSync } from 'node:fs';

const wire = (over: Partial<MessagesRequest> = {}) =>
  ({ model: 'm', max_tokens: 100, messages: [{ role: 'user', content: 'x' }], ...over }) as MessagesRequest;

/** Encodes a whole answer; the pipeline keeps usage and error events to itself. */
function encode(evs: StreamEvent[], w = wire()): string {
  const enc = messagesAdapter.stream(w);
  const fin = evs.find((e) => e.type === 'finish');
  return (
    enc.open(info) +
    enc.events(evs.filter((e) => e.type === 'delta' || e.type === 'finish')) +
    enc.close(usage(), fin?.type === 'finish' ? fin.finish_reason : 'stop')
  );
}

/** Spec-valid events, in Anthropic's order, each block index started, then stopped, once. */
function checkSequence(sse: string): [string, any][] {
  const fs = frames(sse);
  for (const [name, data] of fs) {
    assert.equal(name, data.type);
    assertSpec('anthropic-responses', 'MessageStreamEvent', data);
  }
  assert.equal(fs[0][0], 'message_start');
  assert.deepEqual(
    fs.slice(-2).map((f) => f[0]),
    ['message_delta', 'message_stop'],
  );
  let open: number | null = null;
  let next = 0;
  for (const [name, data] of fs) {
    if (name === 'content_block_start') {
      assert.equal(open, null, 'a block starts while another is open');
      assert.equal(data.index, next++);
      open = data.index;
    } else if (name === 'content_block_stop') {
      assert.equal(data.index, open);
      open = null;
    } else if (name === 'content_block_delta' && data.delta.type !== 'input_json_delta') {
      assert.equal(data.index, open);
    }
  }
  assert.equal(open, null);
  return fs;
}

test("an Anthropic upstream's stream (thinking, signature, text, parallel tools) comes out as the same message", async () => {
  const translator = new AnthropicStreamTranslator(makeCtx({ stream: true }));
  const evs = [...fixtureSse('stream-tools.sse').flatMap((e) => translator.push(e)), ...translator.end()];
  const sse = encode(evs);
  checkSequence(sse);
  const ours = await sdkFinalMessage(sse);
  const theirs = await sdkFinalMessage(
    readFileSync(new URL('../fixtures/anthropic/stream-tools.sse', import.meta.url), 'utf8'),
  );
  const strip = (m: any) => m.content.map((b: any) => ({ ...b, caller: undefined, citations: undefined }));
  assert.deepEqual(strip(ours), strip(theirs));
  assert.ok(ours.content.some((b) => b.type === 'thinking' && b.signature !== ''));
  assert.equal(ours.stop_reason, 'tool_use');
  assert.equal(ours.id, 'msg_gen-1a2b3c');
  assert.deepEqual(
    { in: ours.usage.input_tokens, out: ours.usage.output_tokens, read: ours.usage.cache_read_input_tokens },
    { in: 300, out: 200, read: 600 },
  );
});

test('OpenAI-style deltas: reasoning text, content, two tool calls by index, arguments in pieces', async () => {
  const evs: StreamEvent[] = [
    { type: 'delta', delta: { reasoning: 'Think' } },
    { type: 'delta', delta: { reasoning: 'ing.' } },
    { type: 'delta', delta: { content: 'Sure' } },
    { type: 'delta', delta: { content: '.' } },
    {
      type: 'delta',
      delta: { tool_calls: [{ index: 0, id: 'call_a', type: 'function', function: { name: 'f', arguments: '' } }] },
    },
    { type: 'delta', delta: { tool_calls: [{ index: 0, function: { arguments: '{"x":' } }] } },
    { type: 'delta', delta: { tool_calls: [{ index: 0, function: { arguments: '1}' } }] } },
    {
      type: 'delta',
      delta: { tool_calls: [{ index: 1, id: 'call_b', type: 'function', function: { name: 'g', arguments: '{}' } }] },
    },
    { type: 'finish', finish_reason: 'tool_calls', native_finish_reason: 'tool_calls' },
  ];
  const sse = encode(evs);
  const fs = checkSequence(sse);
  const starts = fs.filter((f) => f[0] === 'content_block_start').map((f) => [f[1].index, f[1].content_block.type]);
  assert.deepEqual(starts, [
    [0, 'thinking'],
    [1, 'text'],
    [2, 'tool_use'],
    [3, 'tool_use'],
  ]);
  const m = await sdkFinalMessage(sse);
  assert.deepEqual(
    m.content.map((b: any) => (b.type === 'tool_use' ? [b.id, b.name, b.input] : [b.type, b.thinking ?? b.text])),
    [
      ['thinking', 'Thinking.'],
      ['text', 'Sure.'],
      ['call_a', 'f', { x: 1 }],
      ['call_b', 'g', {}],
    ],
  );
  assert.equal(m.stop_reason, 'tool_use');
});

test('redacted thinking and foreign reasoning entries become whole blocks', async () => {
  const gemini = { type: 'reasoning.encrypted', data: 'sig', format: 'google-gemini-v1', id: 'c1' };
  const sse = encode([
    {
      type: 'delta',
      delta: { reasoning_details: [{ type: 'reasoning.encrypted', data: 'EmwK', format: 'anthropic-claude-v1' }] },
    },
    { type: 'delta', delta: { reasoning_details: [gemini] } },
    { type: 'delta', delta: { content: 'ok' } },
    { type: 'finish', finish_reason: 'stop', native_finish_reason: 'STOP' },
  ]);
  checkSequence(sse);
  const m = await sdkFinalMessage(sse);
  assert.deepEqual(m.content[0], { type: 'redacted_thinking', data: 'EmwK' });
  assert.equal(m.content[1].type, 'thinking');
  assert.match((m.content[1] as any).signature, /^arouter\.v1\./);
  assert.equal(m.stop_reason, 'end_turn');
});

test('stop reasons in message_delta: max_tokens, stop_sequence naming the only sequence', () => {
  const delta = (sse: string) => frames(sse).find((f) => f[0] === 'message_delta')![1];
  const len = delta(
    encode([
      { type: 'delta', delta: { content: 'a' } },
      { type: 'finish', finish_reason: 'length', native_finish_reason: 'length' },
    ]),
  );
  assert.equal(len.delta.stop_reason, 'max_tokens');
  const seq = delta(
    encode(
      [
        { type: 'delta', delta: { content: 'a' } },
        { type: 'finish', finish_reason: 'stop', native_finish_reason: 'stop_sequence' },
      ],
      wire({ stop_sequences: ['END'] }),
    ),
  );
  assert.deepEqual([seq.delta.stop_reason, seq.delta.stop_sequence], ['stop_sequence', 'END']);
  assert.deepEqual(
    { ...seq.usage, server_tool_use: undefined, cost: undefined },
    {
      input_tokens: 300,
      output_tokens: 200,
      cache_creation_input_tokens: 100,
      cache_read_input_tokens: 600,
      server_tool_use: undefined,
      cost: undefined,
    },
  );
});

test('an error after the stream opened is an in-band error event the SDK throws', async () => {
  const enc = messagesAdapter.stream(wire());
  const sse =
    enc.open(info) +
    enc.events([{ type: 'delta', delta: { content: 'par' } }]) +
    enc.error(
      {
        status: 529,
        retryable: true,
        type: 'overloaded_error',
        code: 'overloaded',
        message: 'Overloaded',
        upstream_status: 529,
      },
      usage(),
    );
  const last = frames(sse).at(-1)!;
  assert.deepEqual(last, [
    'error',
    { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded', code: 'overloaded' } },
  ]);
  await assert.rejects(
    sdkFinalMessage(sse),
    (e: any) => e.error?.error?.type === 'overloaded_error' || /Overloaded/.test(String(e)),
  );
});
