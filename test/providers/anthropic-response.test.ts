// Non-stream parsing for the anthropic dialect, on recorded-shape Message fixtures.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ChatRequest } from '../../src/protocol/chat-request.js';
import { anthropicDialect } from '../../src/providers/anthropic/index.js';
import { fixtureJson, makeCtx, reasoning } from '../fixtures/anthropic/helpers.js';

test('thinking, redacted thinking, text and parallel tool calls', () => {
  const res = anthropicDialect.parseChatResponse(fixtureJson('message-tool-use.json'), makeCtx());
  assert.deepEqual(res, {
    content: 'Checking.',
    reasoning: 'Let me check the weather.',
    reasoning_details: [
      {
        type: 'reasoning.text',
        text: 'Let me check the weather.',
        format: 'anthropic-claude-v1',
        signature: 'EqQBCgIYAhIM1gbcDa9GJwZA2b3h',
      },
      {
        type: 'reasoning.encrypted',
        data: 'EmwKAhgBEgy3va3pzix/LafPsn4aDFIT2Xlxh0L5L8rLVyIwxtE3rAFBa8cr3qpP',
        format: 'anthropic-claude-v1',
      },
    ],
    tool_calls: [
      {
        id: 'toolu_01A09q90qw90lq917835lq9',
        type: 'function',
        function: { name: 'get_weather', arguments: '{"city":"Paris"}' },
      },
      {
        id: 'toolu_01B19q90qw90lq917835lq8',
        type: 'function',
        function: { name: 'get_time', arguments: '{"tz":"Europe/Paris"}' },
      },
    ],
    finish_reason: 'tool_calls',
    native_finish_reason: 'tool_use',
    usage: {
      // prompt = input + cache reads + cache writes; reasoning estimated from 25 thinking chars → 7
      prompt_tokens: 472 + 1024 + 100,
      completion_tokens: 89,
      cached_read_tokens: 1024,
      cache_write_tokens: 100,
      reasoning_tokens: 7,
    },
    upstream_id: 'msg_013Zva2CMHLNnXjNJJKqJ2EF',
    refusal: null,
  });
});

test('reasoning details echoed back rebuild the same thinking blocks', () => {
  const ctx = makeCtx();
  const res = anthropicDialect.parseChatResponse(fixtureJson('message-tool-use.json'), ctx);
  const req = {
    messages: [
      { role: 'user', content: 'weather?' },
      { role: 'assistant', content: res.content, reasoning_details: res.reasoning_details, tool_calls: res.tool_calls },
      { role: 'tool', tool_call_id: res.tool_calls[0].id, content: '18C' },
      { role: 'tool', tool_call_id: res.tool_calls[1].id, content: '14:05' },
    ],
  } as ChatRequest;
  const body = JSON.parse(anthropicDialect.buildChatRequest(req, makeCtx()).body);
  const original = (fixtureJson('message-tool-use.json') as { content: Record<string, unknown>[] }).content;
  const strip = ({ citations, caller, ...rest }: Record<string, unknown>) => rest;
  assert.deepEqual(body.messages[1].content, original.map(strip));
});

test('exclude: no reasoning text or text details, but usage and encrypted blocks stay', () => {
  const res = anthropicDialect.parseChatResponse(
    fixtureJson('message-tool-use.json'),
    makeCtx({ reasoning: reasoning({ exclude: true }) }),
  );
  assert.equal(res.reasoning, null);
  assert.deepEqual(
    res.reasoning_details.map((d) => d.type),
    ['reasoning.encrypted'],
  );
  assert.equal(res.usage?.reasoning_tokens, 7);
});

test('JSON mode: the json_output tool input becomes the text content, finish stop', () => {
  const ctx = makeCtx();
  anthropicDialect.buildChatRequest(
    {
      messages: [{ role: 'user', content: 'weather as JSON' }],
      response_format: { type: 'json_object' },
    } as ChatRequest,
    ctx,
  );
  const res = anthropicDialect.parseChatResponse(fixtureJson('message-json-output.json'), ctx);
  assert.equal(res.content, '{"city":"Paris","temp_c":18}');
  assert.deepEqual(res.tool_calls, []);
  assert.equal(res.finish_reason, 'stop');
  assert.equal(res.native_finish_reason, 'tool_use');
  assert.deepEqual(res.usage, {
    prompt_tokens: 310,
    completion_tokens: 24,
    cached_read_tokens: 0,
    cache_write_tokens: 0,
    reasoning_tokens: 0,
  });
});

test('without JSON mode, a client tool that happens to be named json_output stays a tool call', () => {
  const ctx = makeCtx();
  anthropicDialect.buildChatRequest(
    {
      messages: [{ role: 'user', content: 'x' }],
      tools: [{ type: 'function', function: { name: 'json_output' } }],
    } as ChatRequest,
    ctx,
  );
  const res = anthropicDialect.parseChatResponse(fixtureJson('message-json-output.json'), ctx);
  assert.equal(res.content, null);
  assert.equal(res.tool_calls[0].function.name, 'json_output');
  assert.equal(res.finish_reason, 'tool_calls');
});

test('refusal → content_filter with the explanation', () => {
  const res = anthropicDialect.parseChatResponse(fixtureJson('message-refusal.json'), makeCtx());
  assert.equal(res.finish_reason, 'content_filter');
  assert.equal(res.native_finish_reason, 'refusal');
  assert.equal(res.refusal, 'The request asks for malware.');
  assert.equal(res.content, "I can't help with that.");
});

test('older minimal responses parse leniently; text blocks concatenate; max_tokens → length', () => {
  const res = anthropicDialect.parseChatResponse(fixtureJson('message-minimal-old.json'), makeCtx());
  assert.equal(res.content, 'Hello world');
  assert.equal(res.finish_reason, 'length');
  assert.deepEqual(res.usage, {
    prompt_tokens: 10,
    completion_tokens: 5,
    cached_read_tokens: 0,
    cache_write_tokens: 0,
    reasoning_tokens: 0,
  });
  assert.equal(res.reasoning, null);
  assert.deepEqual(res.reasoning_details, []);
});

test('stop_reason mapping, missing usage → null, unknown blocks skipped', () => {
  const parse = (stop_reason: string | null, extra: Record<string, unknown> = {}) =>
    anthropicDialect.parseChatResponse(
      { id: 'm', content: [{ type: 'text', text: 'x' }], stop_reason, ...extra },
      makeCtx(),
    );
  assert.equal(parse('end_turn').finish_reason, 'stop');
  assert.equal(parse('stop_sequence').finish_reason, 'stop');
  assert.equal(parse('pause_turn').finish_reason, 'stop');
  assert.equal(parse('max_tokens').finish_reason, 'length');
  assert.equal(parse('refusal').finish_reason, 'content_filter');
  assert.equal(parse(null).finish_reason, 'stop');
  assert.equal(parse('end_turn').usage, null);
  const res = parse('end_turn', {
    content: [
      { type: 'server_tool_use', id: 'srvtoolu_1', name: 'web_search', input: { query: 'x' } },
      { type: 'web_search_tool_result', tool_use_id: 'srvtoolu_1', content: [] },
      { type: 'text', text: 'Found it.' },
    ],
  });
  assert.equal(res.content, 'Found it.');
  assert.deepEqual(res.tool_calls, []);
});

test('reasoning token estimate is capped at output_tokens', () => {
  const res = anthropicDialect.parseChatResponse(
    {
      id: 'm',
      content: [
        { type: 'thinking', thinking: 'x'.repeat(400), signature: 's' },
        { type: 'text', text: 'ok' },
      ],
      stop_reason: 'end_turn',
      usage: { input_tokens: 3, output_tokens: 50 },
    },
    makeCtx(),
  );
  assert.equal(res.usage?.reasoning_tokens, 50);
});
