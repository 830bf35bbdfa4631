// Canonical answer → Anthropic Message and error bodies, validated against Anthropic's response schemas and
// read back with the Anthropic SDK.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import Anthropic from '@anthropic-ai/sdk';
import type { ChatResult } from '../../src/protocol/chat-result.js';
import type { MessagesRequest } from '../../src/protocol/messages-request.js';
import { generationId, messagesAdapter } from '../../src/inbound/messages/index.js';
import { anthropicDialect } from '../../src/providers/anthropic/index.js';
import { assertSpec } from '../sim/helpers.js';
import { fixtureJson, makeCtx } from '../fixtures/anthropic/helpers.js';
import { info, sdkError, usage } from './messages-helpers.js';

function result(over: Partial<ChatResult> = {}): ChatResult {
  return {
    content: 'Hello',
    reasoning: null,
    reasoning_details: [],
    tool_calls: [],
    finish_reason: 'stop',
    native_finish_reason: 'stop',
    usage: null,
    upstream_id: null,
    refusal: null,
    ...over,
  };
}

const complete = (r: ChatResult) =>
  messagesAdapter.complete(r, info, usage(), { model: 'm', max_tokens: 1, messages: [] }) as any;

test('a plain answer: ids, model, provider, usage arithmetic, spec-valid', () => {
  const m = complete(result());
  assertSpec('anthropic-responses', 'Message', m);
  assert.equal(m.id, 'msg_gen-1a2b3c');
  assert.equal(generationId(m.id), 'gen-1a2b3c');
  assert.equal(m.model, 'openai/gpt-5');
  assert.equal(m.provider, 'openai');
  assert.deepEqual(m.content, [{ type: 'text', text: 'Hello', citations: null }]);
  assert.equal(m.stop_reason, 'end_turn');
  // prompt 1000 includes 600 cache reads and 100 cache writes
  assert.equal(m.usage.input_tokens, 300);
  assert.equal(m.usage.output_tokens, 200);
  assert.equal(m.usage.cache_read_input_tokens, 600);
  assert.equal(m.usage.cache_creation_input_tokens, 100);
  assert.equal(m.usage.cost, 0.0042);
});

test('stop reasons', () => {
  const call = { id: 'call_1', type: 'function' as const, function: { name: 'f', arguments: '{}' } };
  const cases: [Partial<ChatResult>, string][] = [
    [{ finish_reason: 'stop', native_finish_reason: 'end_turn' }, 'end_turn'],
    [{ finish_reason: 'stop', native_finish_reason: 'stop_sequence' }, 'stop_sequence'],
    [{ finish_reason: 'length' }, 'max_tokens'],
    [{ finish_reason: 'tool_calls', tool_calls: [call] }, 'tool_use'],
    [{ finish_reason: 'tool_calls', tool_calls: [] }, 'end_turn'],
    [{ finish_reason: 'content_filter', content: null, refusal: 'No.' }, 'refusal'],
  ];
  for (const [r, want] of cases) {
    const m = complete(result(r));
    assertSpec('anthropic-responses', 'Message', m);
    assert.equal(m.stop_reason, want, JSON.stringify(r));
  }
  const refused = complete(result({ finish_reason: 'content_filter', content: null, refusal: 'No.' }));
  assert.deepEqual(refused.content, [{ type: 'text', text: 'No.', citations: null }]);
  assert.deepEqual(refused.stop_details, { type: 'refusal', category: null, explanation: 'No.' });
});

test('tool calls: ids made valid, arguments parsed, unparsable arguments become {}', () => {
  const m = complete(
    result({
      content: null,
      finish_reason: 'tool_calls',
      tool_calls: [
        { id: 'call.abc:1', type: 'function', function: { name: 'get', arguments: '{"city":"Paris"}' } },
        { id: '', type: 'function', function: { name: 'get', arguments: '{"city": "Par' } },
      ],
    }),
  );
  assertSpec('anthropic-responses', 'Message', m);
  assert.deepEqual(
    m.content.map((b: any) => [b.id, b.input]),
    [
      ['call_abc_1', { city: 'Paris' }],
      ['toolu_gen-1a2b3c_1', {}],
    ],
  );
});

test("an Anthropic upstream's answer comes back as the same blocks (thinking signature included)", () => {
  const upstream = fixtureJson<any>('message-tool-use.json');
  const parsed = anthropicDialect.parseChatResponse(upstream, makeCtx());
  const m = complete(parsed);
  assertSpec('anthropic-responses', 'Message', m);
  const strip = (blocks: any[]) =>
    blocks.map((b) =>
      b.type === 'text' ? { type: 'text', text: b.text } : b.type === 'tool_use' ? { ...b, caller: undefined } : b,
    );
  assert.deepEqual(strip(m.content), strip(upstream.content));
  assert.equal(m.stop_reason, upstream.stop_reason);
});

test("other providers' reasoning: plain text is an unsigned thinking block; opaque entries round-trip in the signature", () => {
  const gemini = { type: 'reasoning.encrypted', data: 'CiQBcsjafE', format: 'google-gemini-v1', id: 'call_1' };
  const m = complete(result({ reasoning: 'thought about it', reasoning_details: [gemini] }));
  assertSpec('anthropic-responses', 'Message', m);
  assert.deepEqual(m.content[0], { type: 'thinking', thinking: 'thought about it', signature: '' });
  assert.equal(m.content[1].type, 'thinking');
  assert.match(m.content[1].signature, /^arouter\.v1\./);
  // the client echoes the blocks: the canonical request carries the Gemini entry back as it was
  const chat = messagesAdapter.toChat({
    model: 'm',
    max_tokens: 10,
    messages: [
      { role: 'user', content: 'x' },
      { role: 'assistant', content: m.content.filter((b: any) => b.type !== 'text') },
      { role: 'user', content: 'y' },
    ],
  } as MessagesRequest);
  assert.deepEqual((chat.messages[1] as any).reasoning_details, [
    { type: 'reasoning.text', text: 'thought about it', format: 'anthropic-claude-v1' },
    gemini,
  ]);
});

test('error bodies: Anthropic types by status, our code and param kept, the SDK picks the right class', async () => {
  const cases: [number, string, any][] = [
    [400, 'invalid_request_error', Anthropic.BadRequestError],
    [401, 'authentication_error', Anthropic.AuthenticationError],
    [402, 'billing_error', Anthropic.APIError],
    [403, 'permission_error', Anthropic.PermissionDeniedError],
    [404, 'not_found_error', Anthropic.NotFoundError],
    [413, 'request_too_large', Anthropic.APIError],
    [429, 'rate_limit_error', Anthropic.RateLimitError],
    [500, 'api_error', Anthropic.InternalServerError],
    [503, 'overloaded_error', Anthropic.InternalServerError],
    [529, 'overloaded_error', Anthropic.InternalServerError],
  ];
  for (const [status, type, cls] of cases) {
    const body = messagesAdapter.errorBody({
      status,
      message: 'nope',
      type: 'x',
      code: 'some_code',
      param: 'tools[0]',
    }) as any;
    assert.deepEqual(body, {
      type: 'error',
      error: { type, message: 'nope', code: 'some_code', param: 'tools[0]' },
      request_id: null,
    });
    if (type !== 'request_too_large') assertSpec('anthropic-responses', 'ErrorResponse', body);
    const err = (await sdkError(status, body)) as any;
    assert.ok(err instanceof cls, `${status}: ${err?.constructor?.name}`);
    assert.equal(err.error.error.type, type);
  }
});
