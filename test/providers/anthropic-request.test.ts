// Request building for the anthropic dialect: URL, headers, parameters, messages, content parts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ChatRequest } from '../../src/protocol/chat-request.js';
import { anthropicDialect } from '../../src/providers/anthropic/index.js';
import { validateAnthropicSchema } from '../../src/sim/validate.js';
import { makeCtx, reasoning } from '../fixtures/anthropic/helpers.js';
import { build, buildError, toolLoop, weatherTools } from '../fixtures/anthropic/build.js';

test('URL, headers, model, max_tokens and plain parameters', () => {
  const ctx = makeCtx({ stream: true, maxTokens: 500, maxTokensExplicit: true });
  const up = anthropicDialect.buildChatRequest(
    {
      messages: [{ role: 'user', content: 'Hi' }],
      stop: ['\n\nHuman:', '   ', 'END'],
      temperature: 1.7,
      top_p: 0.9,
      top_k: 40,
      seed: 7,
      frequency_penalty: 0.5,
      presence_penalty: 0.5,
      user: 'user-123',
      n: 1,
      stream: true,
      stream_options: { include_usage: true },
      provider: { order: ['anthropic'] },
    } as ChatRequest,
    ctx,
  );
  assert.equal(up.url, 'https://api.anthropic.test/v1/messages');
  assert.equal(up.method, 'POST');
  assert.deepEqual(up.headers, {
    'content-type': 'application/json',
    'anthropic-version': '2023-06-01',
    'x-api-key': 'sk-ant-test',
    'anthropic-beta': 'interleaved-thinking-2025-05-14',
  });
  const body = JSON.parse(up.body);
  assert.equal(validateAnthropicSchema(body), null);
  assert.deepEqual(body, {
    model: 'claude-sonnet-4-5-20250929',
    max_tokens: 500,
    messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }],
    stop_sequences: ['\n\nHuman:', 'END'],
    temperature: 1,
    top_k: 40,
    metadata: { user_id: 'user-123' },
    stream: true,
  });
});

test('temperature and top_p are never sent together (current Claude models answer 400): temperature wins', () => {
  const both = build({ temperature: 0.3, top_p: 0.9 }, makeCtx());
  assert.equal(both.temperature, 0.3);
  assert.equal(both.top_p, undefined);
  const topPOnly = build({ top_p: 0.9 }, makeCtx());
  assert.equal(topPOnly.top_p, 0.9);
  assert.equal(topPOnly.temperature, undefined);
});

test('max_tokens is always sent: 8192 (capped by the endpoint) when the client gave none, not the endpoint max', () => {
  const body = build({}, makeCtx({ maxTokens: 64000, maxTokensExplicit: false }));
  assert.equal(body.max_tokens, 8192);
  assert.equal(build({}, makeCtx({ maxTokens: 4096, maxTokensExplicit: false })).max_tokens, 4096);
  assert.equal(build({}, makeCtx({ maxTokens: 64000, maxTokensExplicit: true })).max_tokens, 64000);
  // high effort: the thinking budget is carved out of the default, not 51,200 of 64000
  const high = build({}, makeCtx({ maxTokens: 64000, reasoning: reasoning({ effort: 'high' }) }));
  assert.equal(high.max_tokens, 8192);
  assert.equal(high.thinking.budget_tokens, 6553);
  // an explicit thinking budget gets the default on top of it
  const explicit = build({}, makeCtx({ maxTokens: 64000, reasoning: reasoning({ max_tokens: 20000 }) }));
  assert.deepEqual([explicit.max_tokens, explicit.thinking.budget_tokens], [28192, 20000]);
  assert.equal(body.stream, undefined);
  assert.equal(body.temperature, undefined);
  assert.equal(body.metadata, undefined);
});

test('temperature ≤ 1 passes unchanged; null sampling values are omitted', () => {
  assert.equal(build({ temperature: 0.3 }).temperature, 0.3);
  const body = build({ temperature: null, top_p: null, stop: null });
  assert.equal('temperature' in body, false);
  assert.equal('top_p' in body, false);
  assert.equal('stop_sequences' in body, false);
  assert.deepEqual(build({ stop: 'STOP' }).stop_sequences, ['STOP']);
});

test('provider headers override defaults case-insensitively; no x-api-key without a key', () => {
  const ctx = makeCtx();
  ctx.target = {
    ...ctx.target,
    apiKey: '',
    provider: {
      ...ctx.target.provider,
      base_url: 'http://127.0.0.1:9000',
      headers: { 'Anthropic-Version': '2024-01-01' },
    },
  };
  const up = anthropicDialect.buildChatRequest({ messages: [{ role: 'user', content: 'x' }] } as ChatRequest, ctx);
  assert.equal(up.url, 'http://127.0.0.1:9000/v1/messages');
  assert.deepEqual(up.headers, { 'content-type': 'application/json', 'anthropic-version': '2024-01-01' });
});

test('system and developer messages are all hoisted into system blocks, in order', () => {
  const body = build({
    messages: [
      { role: 'system', content: 'You are terse.' },
      { role: 'user', content: 'Hi' },
      {
        role: 'developer',
        content: [
          { type: 'text', text: 'Answer in English.' },
          { type: 'text', text: '' },
        ],
      },
      { role: 'assistant', content: 'Hello!' },
      { role: 'system', content: '' },
      { role: 'user', content: 'Bye' },
    ],
  });
  assert.deepEqual(body.system, [
    { type: 'text', text: 'You are terse.' },
    { type: 'text', text: 'Answer in English.' },
  ]);
  assert.deepEqual(body.messages, [
    { role: 'user', content: [{ type: 'text', text: 'Hi' }] },
    { role: 'assistant', content: [{ type: 'text', text: 'Hello!' }] },
    { role: 'user', content: [{ type: 'text', text: 'Bye' }] },
  ]);
});

test('consecutive same-role messages merge; empty messages are dropped and their neighbours merge', () => {
  const body = build({
    messages: [
      { role: 'user', content: 'one' },
      { role: 'user', content: [{ type: 'text', text: 'two' }] },
      { role: 'assistant', content: '' },
      { role: 'user', content: 'three' },
      { role: 'assistant', content: [{ type: 'text', text: 'The answer is ' }] },
      { role: 'assistant', content: 'ready:  \n' },
    ],
  });
  assert.equal(body.system, undefined);
  assert.deepEqual(body.messages, [
    {
      role: 'user',
      content: [
        { type: 'text', text: 'one' },
        { type: 'text', text: 'two' },
        { type: 'text', text: 'three' },
      ],
    },
    // the final (prefill) assistant turn loses its trailing whitespace
    {
      role: 'assistant',
      content: [
        { type: 'text', text: 'The answer is ' },
        { type: 'text', text: 'ready:' },
      ],
    },
  ]);
});

test('a final assistant turn that is only whitespace is removed', () => {
  const body = build({
    messages: [
      { role: 'user', content: 'Hi' },
      { role: 'assistant', content: '  ' },
    ],
  });
  assert.deepEqual(body.messages, [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }]);
});

test('tool loop: tool_use blocks, tool results in ONE user turn, reasoning_details restored first', () => {
  const body = build({ messages: toolLoop, tools: weatherTools });
  assert.deepEqual(body.messages, [
    { role: 'user', content: [{ type: 'text', text: "What's the weather and time in Paris?" }] },
    {
      role: 'assistant',
      content: [
        { type: 'thinking', thinking: 'User wants weather and time...', signature: 'EqQBCgIYAhIM1gbcDa9GJwZA2b3h' },
        { type: 'redacted_thinking', data: 'EmwKAhgBEgy3va3pzix' },
        { type: 'text', text: 'Checking.' },
        { type: 'tool_use', id: 'toolu_01A09q90qw90lq917835lq9', name: 'get_weather', input: { city: 'Paris' } },
        { type: 'tool_use', id: 'call_gemini_1', name: 'get_time', input: {} },
      ],
    },
    {
      role: 'user',
      content: [
        { type: 'tool_result', tool_use_id: 'toolu_01A09q90qw90lq917835lq9', content: '18C, cloudy' },
        { type: 'tool_result', tool_use_id: 'call_gemini_1', content: [{ type: 'text', text: '14:05' }] },
        { type: 'text', text: 'Thanks! Anything else?' },
      ],
    },
  ]);
  assert.deepEqual(body.tools, [
    {
      name: 'get_weather',
      description: 'Weather by city',
      input_schema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
    },
    { name: 'get_time', input_schema: { type: 'object', properties: {} } },
  ]);
  assert.equal(body.tool_choice, undefined);
});

test('tool results always lead their user turn; an empty tool result omits content', () => {
  const body = build({
    tools: weatherTools,
    messages: [
      { role: 'user', content: 'go' },
      {
        role: 'assistant',
        content: null,
        tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_time', arguments: '{}' } }],
      },
      { role: 'user', content: 'also this' },
      { role: 'tool', tool_call_id: 'call_1', content: '' },
    ],
  });
  assert.deepEqual(body.messages[2], {
    role: 'user',
    content: [
      { type: 'tool_result', tool_use_id: 'call_1' },
      { type: 'text', text: 'also this' },
    ],
  });
});

test('invalid tool-call arguments are a 400 naming the field', () => {
  const bad = (args: string) =>
    buildError({
      messages: [
        { role: 'user', content: 'go' },
        {
          role: 'assistant',
          content: null,
          tool_calls: [{ id: 'c1', type: 'function', function: { name: 'f', arguments: args } }],
        },
      ],
    });
  assert.equal(bad('{"city": ').param, 'messages[1].tool_calls[0].function.arguments');
  assert.equal(bad('[1,2]').param, 'messages[1].tool_calls[0].function.arguments');
});

test('images: base64 data URLs, http URLs, detail dropped, unsupported types rejected', () => {
  const body = build({
    messages: [
      {
        role: 'user',
        content: [
          { type: 'text', text: 'What is in these?' },
          { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=', detail: 'high' } },
          { type: 'image_url', image_url: { url: 'https://example.com/cat.jpg', detail: 'low' } },
          { type: 'image_url', image_url: { url: 'data:image/jpg;base64,/9j/4AAQ' } },
        ],
      },
    ],
  });
  assert.deepEqual(body.messages[0].content, [
    { type: 'text', text: 'What is in these?' },
    { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' } },
    { type: 'image', source: { type: 'url', url: 'https://example.com/cat.jpg' } },
    { type: 'image', source: { type: 'base64', media_type: 'image/jpeg', data: '/9j/4AAQ' } },
  ]);
  const err = buildError({
    messages: [
      { role: 'system', content: 'sys' },
      {
        role: 'user',
        content: [
          { type: 'text', text: 'x' },
          { type: 'image_url', image_url: { url: 'data:image/bmp;base64,Qk0=' } },
        ],
      },
    ],
  });
  assert.equal(err.param, 'messages[1].content[1]');
  assert.match(err.message, /image\/bmp/);
});

test('files: PDFs become document blocks; audio and file_id are rejected', () => {
  const body = build({
    messages: [
      {
        role: 'user',
        content: [
          { type: 'file', file: { filename: 'a.pdf', file_data: 'data:application/pdf;base64,JVBERi0xLjQK' } },
          { type: 'file', file: { filename: 'b.pdf', file_data: 'JVBERi0xLjcK' } },
          { type: 'file', file: { filename: 'notes.txt', file_data: 'data:text/plain;base64,aGVsbG8=' } },
        ],
      },
    ],
  });
  assert.deepEqual(body.messages[0].content, [
    {
      type: 'document',
      source: { type: 'base64', media_type: 'application/pdf', data: 'JVBERi0xLjQK' },
      title: 'a.pdf',
    },
    {
      type: 'document',
      source: { type: 'base64', media_type: 'application/pdf', data: 'JVBERi0xLjcK' },
      title: 'b.pdf',
    },
    { type: 'document', source: { type: 'text', media_type: 'text/plain', data: 'hello' }, title: 'notes.txt' },
  ]);
  assert.equal(validateAnthropicSchema(body), null);
  assert.equal(
    buildError({
      messages: [{ role: 'user', content: [{ type: 'input_audio', input_audio: { data: 'AAA', format: 'wav' } }] }],
    }).param,
    'messages[0].content[0]',
  );
  assert.equal(
    buildError({ messages: [{ role: 'user', content: [{ type: 'file', file: { file_id: 'file-abc' } }] }] }).param,
    'messages[0].content[0]',
  );
  assert.equal(
    buildError({
      messages: [
        { role: 'user', content: [{ type: 'file', file: { file_data: 'data:application/zip;base64,UEs=' } }] },
      ],
    }).param,
    'messages[0].content[0]',
  );
});

test('user ids longer than Anthropic allows are not sent', () => {
  assert.equal(build({ user: 'x'.repeat(513) }).metadata, undefined);
});

test("cache_control on parts and at the top level is forwarded only in Anthropic's shape", () => {
  const body = build({
    cache_control: { type: 'ephemeral' },
    messages: [
      {
        role: 'system',
        content: [{ type: 'text', text: 'Long rules', cache_control: { type: 'ephemeral', ttl: '1h' } }],
      },
      {
        role: 'user',
        content: [
          { type: 'text', text: 'doc', cache_control: { type: 'ephemeral', extra: 1 } },
          { type: 'text', text: 'q', cache_control: { type: 'persistent' } },
        ],
      },
    ],
  } as unknown as Partial<ChatRequest>);
  assert.deepEqual(body.cache_control, { type: 'ephemeral' });
  assert.deepEqual(body.system, [
    { type: 'text', text: 'Long rules', cache_control: { type: 'ephemeral', ttl: '1h' } },
  ]);
  assert.deepEqual(body.messages[0].content, [
    { type: 'text', text: 'doc', cache_control: { type: 'ephemeral' } },
    { type: 'text', text: 'q' },
  ]);
});

test('whitespace-only text is dropped; a system-only conversation becomes the user turn; nothing at all is a 400', () => {
  let body = build({
    messages: [
      {
        role: 'user',
        content: [
          { type: 'text', text: ' \n ' },
          { type: 'text', text: 'real' },
        ],
      },
    ],
  });
  assert.deepEqual(body.messages[0].content, [{ type: 'text', text: 'real' }]);
  body = build({ messages: [{ role: 'system', content: 'Say hello.' }] });
  assert.equal(body.system, undefined);
  assert.deepEqual(body.messages, [{ role: 'user', content: [{ type: 'text', text: 'Say hello.' }] }]);
  assert.equal(buildError({ messages: [{ role: 'user', content: '' }] }).param, 'messages');
});

test('streamed reasoning_details echoed piece by piece (text pieces, then the signed text-less entry) → one thinking block', () => {
  const f = 'anthropic-claude-v1';
  const body = build({
    messages: [
      { role: 'user', content: 'go' },
      {
        role: 'assistant',
        content: 'done',
        reasoning_details: [
          { type: 'reasoning.text', text: 'Let me check ', format: f },
          { type: 'reasoning.text', text: 'both tools.', format: f },
          { type: 'reasoning.text', text: '', signature: 'sig-1', format: f },
          { type: 'reasoning.text', text: 'unsigned, dropped', format: f },
        ],
      },
      { role: 'user', content: 'more' },
    ],
  });
  assert.deepEqual(body.messages[1], {
    role: 'assistant',
    content: [
      { type: 'thinking', thinking: 'Let me check both tools.', signature: 'sig-1' },
      { type: 'text', text: 'done' },
    ],
  });
});

test('tool_choice allowed_tools: only the allowed tools are declared; required → any, auto → auto', () => {
  const allowed = (mode: 'auto' | 'required') => ({
    type: 'allowed_tools' as const,
    allowed_tools: { mode, tools: [{ type: 'function', function: { name: 'get_time' } }] },
  });
  const body = build({ tools: weatherTools, tool_choice: allowed('required') });
  assert.deepEqual(
    body.tools.map((t: { name: string }) => t.name),
    ['get_time'],
  );
  assert.deepEqual(body.tool_choice, { type: 'any' });
  assert.deepEqual(build({ tools: weatherTools, tool_choice: allowed('auto') }).tool_choice, { type: 'auto' });
});

test('cache_control on tools, tool calls and tool messages, and is_error, reach their Anthropic blocks', () => {
  const body = build({
    tools: [
      {
        type: 'function',
        function: { name: 'read', parameters: { type: 'object' } },
        cache_control: { type: 'ephemeral', ttl: '1h' },
      },
    ],
    messages: [
      { role: 'user', content: 'Read a' },
      {
        role: 'assistant',
        content: null,
        tool_calls: [
          {
            id: 'toolu_1',
            type: 'function',
            function: { name: 'read', arguments: '{"p":"a"}' },
            cache_control: { type: 'ephemeral' },
          },
        ],
      },
      {
        role: 'tool',
        tool_call_id: 'toolu_1',
        content: 'no such file',
        is_error: true,
        cache_control: { type: 'ephemeral' },
      },
    ],
  } as unknown as Partial<ChatRequest>);
  assert.deepEqual(body.tools, [
    { name: 'read', input_schema: { type: 'object' }, cache_control: { type: 'ephemeral', ttl: '1h' } },
  ]);
  assert.deepEqual(body.messages[1].content, [
    { type: 'tool_use', id: 'toolu_1', name: 'read', input: { p: 'a' }, cache_control: { type: 'ephemeral' } },
  ]);
  assert.deepEqual(body.messages[2].content, [
    {
      type: 'tool_result',
      tool_use_id: 'toolu_1',
      content: 'no such file',
      is_error: true,
      cache_control: { type: 'ephemeral' },
    },
  ]);
});
