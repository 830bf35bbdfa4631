// Request building for the anthropic dialect: every field mapping, checked against the Anthropic spec
// (CreateMessageParams) through the simulator's validator, since the simulated upstream validates the same way.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ChatRequest } from '../../src/http/schemas/chat-request.js';
import { InvalidRequestError } from '../../src/providers/errors.js';
import { anthropicDialect } from '../../src/providers/anthropic/index.js';
import { validateAnthropicSchema } from '../../src/sim/validate.js';
import { makeCtx, reasoning } from '../fixtures/anthropic/helpers.js';
import type { BuildContext } from '../../src/providers/types.js';

type Body = Record<string, any>;

function build(req: Partial<ChatRequest>, ctx: BuildContext = makeCtx()): Body {
  const full = { model: 'anthropic/claude-sonnet-4.5', messages: [{ role: 'user', content: 'Hi' }], ...req } as ChatRequest;
  const up = anthropicDialect.buildChatRequest(full, ctx);
  const body = JSON.parse(up.body) as Body;
  assert.equal(validateAnthropicSchema(body), null, `body must validate against CreateMessageParams: ${up.body}`);
  return body;
}

function buildError(req: Partial<ChatRequest>, ctx = makeCtx()): InvalidRequestError {
  try {
    build(req, ctx);
  } catch (e) {
    assert.ok(e instanceof InvalidRequestError, `expected InvalidRequestError, got ${String(e)}`);
    return e;
  }
  assert.fail('expected an InvalidRequestError');
}

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
    top_p: 0.9,
    top_k: 40,
    metadata: { user_id: 'user-123' },
    stream: true,
  });
});

test('max_tokens is always sent, from ctx.maxTokens, even when the client gave none', () => {
  const body = build({}, makeCtx({ maxTokens: 64000, maxTokensExplicit: false }));
  assert.equal(body.max_tokens, 64000);
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
    provider: { ...ctx.target.provider, base_url: 'http://127.0.0.1:9000', headers: { 'Anthropic-Version': '2024-01-01' } },
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
      { role: 'developer', content: [{ type: 'text', text: 'Answer in English.' }, { type: 'text', text: '' }] },
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
    { role: 'assistant', content: [{ type: 'text', text: 'The answer is ' }, { type: 'text', text: 'ready:' }] },
  ]);
});

test('a final assistant turn that is only whitespace is removed', () => {
  const body = build({ messages: [{ role: 'user', content: 'Hi' }, { role: 'assistant', content: '  ' }] });
  assert.deepEqual(body.messages, [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }]);
});

const toolLoop: ChatRequest['messages'] = [
  { role: 'user', content: "What's the weather and time in Paris?" },
  {
    role: 'assistant',
    content: 'Checking.',
    reasoning_details: [
      { type: 'reasoning.text', text: 'User wants weather and time...', signature: 'EqQBCgIYAhIM1gbcDa9GJwZA2b3h', format: 'anthropic-claude-v1' },
      { type: 'reasoning.encrypted', data: 'EmwKAhgBEgy3va3pzix', format: 'anthropic-claude-v1' },
      { type: 'reasoning.encrypted', data: 'gemini-thought-signature', format: 'google-gemini-v1' },
      { type: 'reasoning.text', text: 'unsigned text cannot be replayed', format: 'anthropic-claude-v1' },
    ],
    tool_calls: [
      { id: 'toolu_01A09q90qw90lq917835lq9', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
      { id: 'call:gemini/1', type: 'function', function: { name: 'get_time', arguments: '' } },
    ],
  },
  { role: 'tool', tool_call_id: 'toolu_01A09q90qw90lq917835lq9', content: '18C, cloudy' },
  { role: 'tool', tool_call_id: 'call:gemini/1', content: [{ type: 'text', text: '14:05' }] },
  { role: 'user', content: 'Thanks! Anything else?' },
];

const weatherTools: ChatRequest['tools'] = [
  {
    type: 'function',
    function: {
      name: 'get_weather',
      description: 'Weather by city',
      parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
      strict: true,
    },
  },
  { type: 'function', function: { name: 'get_time' } },
];

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
      { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_time', arguments: '{}' } }] },
      { role: 'user', content: 'also this' },
      { role: 'tool', tool_call_id: 'call_1', content: '' },
    ],
  });
  assert.deepEqual(body.messages[2], {
    role: 'user',
    content: [{ type: 'tool_result', tool_use_id: 'call_1' }, { type: 'text', text: 'also this' }],
  });
});

test('invalid tool-call arguments are a 400 naming the field', () => {
  const bad = (args: string) =>
    buildError({
      messages: [
        { role: 'user', content: 'go' },
        { role: 'assistant', content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'f', arguments: args } }] },
      ],
    });
  assert.equal(bad('{"city": ').param, 'messages[1].tool_calls[0].function.arguments');
  assert.equal(bad('[1,2]').param, 'messages[1].tool_calls[0].function.arguments');
});

test('history with tool calls but no tools: stub definitions and tool_choice none', () => {
  const body = build({ messages: toolLoop });
  assert.deepEqual(body.tools, [
    { name: 'get_weather', input_schema: { type: 'object', properties: {} } },
    { name: 'get_time', input_schema: { type: 'object', properties: {} } },
  ]);
  assert.deepEqual(body.tool_choice, { type: 'none' });
});

test('tool_choice mapping and parallel_tool_calls', () => {
  const tc = (req: Partial<ChatRequest>) => build({ tools: weatherTools, ...req }).tool_choice;
  assert.deepEqual(tc({ tool_choice: 'auto' }), { type: 'auto' });
  assert.deepEqual(tc({ tool_choice: 'required' }), { type: 'any' });
  assert.deepEqual(tc({ tool_choice: 'none' }), { type: 'none' });
  assert.deepEqual(tc({ tool_choice: { type: 'function', function: { name: 'get_weather' } } }), { type: 'tool', name: 'get_weather' });
  assert.deepEqual(tc({ parallel_tool_calls: false }), { type: 'auto', disable_parallel_tool_use: true });
  assert.deepEqual(tc({ parallel_tool_calls: false, tool_choice: 'required' }), { type: 'any', disable_parallel_tool_use: true });
  assert.deepEqual(tc({ parallel_tool_calls: false, tool_choice: 'none' }), { type: 'none' });
  assert.equal(tc({ parallel_tool_calls: true }), undefined);
  // no tools at all: tool_choice and the flag have nothing to apply to
  const body = build({ tool_choice: 'auto', parallel_tool_calls: false });
  assert.equal(body.tools, undefined);
  assert.equal(body.tool_choice, undefined);
});

test('tool names with dots are sanitised for Anthropic and mapped back in responses', () => {
  const ctx = makeCtx();
  const body = build(
    {
      tools: [
        { type: 'function', function: { name: 'fs.read' } },
        { type: 'function', function: { name: 'fs_read' } },
      ],
      tool_choice: { type: 'function', function: { name: 'fs.read' } },
    },
    ctx,
  );
  assert.deepEqual(
    body.tools.map((t: Body) => t.name),
    ['fs_read_2', 'fs_read'],
  );
  assert.deepEqual(body.tool_choice, { type: 'tool', name: 'fs_read_2' });
  const res = anthropicDialect.parseChatResponse(
    {
      id: 'msg_1',
      content: [{ type: 'tool_use', id: 'toolu_1', name: 'fs_read_2', input: { path: '/a' } }],
      stop_reason: 'tool_use',
      usage: { input_tokens: 1, output_tokens: 1 },
    },
    ctx,
  );
  assert.equal(res.tool_calls[0].function.name, 'fs.read');
});

test('tool parameters must be an object schema', () => {
  const err = buildError({ tools: [{ type: 'function', function: { name: 'f', parameters: { type: 'string' } } }] });
  assert.equal(err.param, 'tools[0].function.parameters');
  const body = build({ tools: [{ type: 'function', function: { name: 'f', parameters: { properties: { a: { type: 'string' } } } } }] });
  assert.deepEqual(body.tools[0].input_schema, { properties: { a: { type: 'string' } }, type: 'object' });
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
      { role: 'user', content: [{ type: 'text', text: 'x' }, { type: 'image_url', image_url: { url: 'data:image/bmp;base64,Qk0=' } }] },
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
    { type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: 'JVBERi0xLjQK' } },
    { type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: 'JVBERi0xLjcK' } },
    { type: 'document', source: { type: 'text', media_type: 'text/plain', data: 'hello' } },
  ]);
  assert.equal(
    buildError({ messages: [{ role: 'user', content: [{ type: 'input_audio', input_audio: { data: 'AAA', format: 'wav' } }] }] }).param,
    'messages[0].content[0]',
  );
  assert.equal(buildError({ messages: [{ role: 'user', content: [{ type: 'file', file: { file_id: 'file-abc' } }] }] }).param, 'messages[0].content[0]');
  assert.equal(
    buildError({ messages: [{ role: 'user', content: [{ type: 'file', file: { file_data: 'data:application/zip;base64,UEs=' } }] }] }).param,
    'messages[0].content[0]',
  );
});

test('reasoning: effort-based budgets as a share of max_tokens, minimum 1024', () => {
  const budget = (effort: 'low' | 'medium' | 'high' | null, maxTokens = 10000) =>
    build({}, makeCtx({ reasoning: reasoning({ effort }), maxTokens })).thinking;
  assert.deepEqual(budget('low'), { type: 'enabled', budget_tokens: 2000 });
  assert.deepEqual(budget('medium'), { type: 'enabled', budget_tokens: 5000 });
  assert.deepEqual(budget('high'), { type: 'enabled', budget_tokens: 8000 });
  assert.deepEqual(budget(null), { type: 'enabled', budget_tokens: 5000 });
  assert.deepEqual(budget('low', 4000), { type: 'enabled', budget_tokens: 1024 });
  // disabled / absent plan: nothing reasoning-related is sent
  assert.equal(build({}, makeCtx({ reasoning: reasoning({ enabled: false }) })).thinking, undefined);
  assert.equal(build({}).thinking, undefined);
});

test('reasoning: max_tokens is raised above the budget, within the endpoint limit', () => {
  // explicit budget above the client's max_tokens: room for the client's requested output is added
  let body = build({}, makeCtx({ reasoning: reasoning({ max_tokens: 8000 }), maxTokens: 1000, maxTokensExplicit: true }));
  assert.equal(body.max_tokens, 9000);
  assert.deepEqual(body.thinking, { type: 'enabled', budget_tokens: 8000 });
  // effort minimum (1024) above a small explicit max_tokens
  body = build({}, makeCtx({ reasoning: reasoning({ effort: 'low' }), maxTokens: 600, maxTokensExplicit: true }));
  assert.equal(body.max_tokens, 1624);
  assert.equal(body.thinking.budget_tokens, 1024);
  // not explicit: budget + 1024
  body = build({}, makeCtx({ reasoning: reasoning({ max_tokens: 30000 }), maxTokens: 20000 }));
  assert.equal(body.max_tokens, 31024);
  // the endpoint limit caps max_tokens; the budget is clamped instead
  body = build({}, makeCtx({ reasoning: reasoning({ max_tokens: 100000 }), maxTokens: 64000 }));
  assert.equal(body.max_tokens, 64000);
  assert.equal(body.thinking.budget_tokens, 62976);
  body = build({}, makeCtx({ reasoning: reasoning({ max_tokens: 5000 }), maxTokens: 2000, maxTokensExplicit: true, maxCompletion: 4096 }));
  assert.equal(body.max_tokens, 4096);
  assert.equal(body.thinking.budget_tokens, 2096);
  // explicit budgets below Anthropic's minimum are raised to 1024
  body = build({}, makeCtx({ reasoning: reasoning({ max_tokens: 100 }), maxTokens: 8000 }));
  assert.equal(body.thinking.budget_tokens, 1024);
  // an endpoint that cannot fit the minimum budget gets no thinking at all
  body = build({}, makeCtx({ reasoning: reasoning(), maxTokens: 1024, maxCompletion: 1024 }));
  assert.equal(body.thinking, undefined);
  assert.equal(body.max_tokens, 1024);
});

test('reasoning: sampling parameters are dropped and forced tool choice becomes auto', () => {
  const body = build(
    { temperature: 0.2, top_p: 0.5, top_k: 5, tools: weatherTools, tool_choice: 'required', parallel_tool_calls: false },
    makeCtx({ reasoning: reasoning({ effort: 'high' }) }),
  );
  assert.equal('temperature' in body, false);
  assert.equal('top_p' in body, false);
  assert.equal('top_k' in body, false);
  assert.deepEqual(body.tool_choice, { type: 'auto', disable_parallel_tool_use: true });
  const named = build(
    { tools: weatherTools, tool_choice: { type: 'function', function: { name: 'get_time' } } },
    makeCtx({ reasoning: reasoning() }),
  );
  assert.deepEqual(named.tool_choice, { type: 'auto' });
});

test('response_format json_schema → forced json_output tool', () => {
  const schema = { type: 'object', properties: { city: { type: 'string' }, temp_c: { type: 'number' } }, required: ['city'] };
  const body = build({ response_format: { type: 'json_schema', json_schema: { name: 'weather', schema, strict: true } } });
  assert.equal(body.tools.length, 1);
  assert.equal(body.tools[0].name, 'json_output');
  assert.deepEqual(body.tools[0].input_schema, schema);
  assert.match(body.tools[0].description, /weather/);
  assert.deepEqual(body.tool_choice, { type: 'tool', name: 'json_output' });
});

test('response_format json_object → permissive object schema; text → nothing', () => {
  const body = build({ response_format: { type: 'json_object' } });
  assert.deepEqual(body.tools[0].input_schema, { type: 'object', additionalProperties: true });
  assert.deepEqual(body.tool_choice, { type: 'tool', name: 'json_output' });
  const plain = build({ response_format: { type: 'text' } });
  assert.equal(plain.tools, undefined);
});

test('response_format with client tools, thinking, or a colliding tool name', () => {
  const rf = { type: 'json_object' } as const;
  let body = build({ response_format: rf, tools: weatherTools });
  assert.deepEqual(body.tools.map((t: Body) => t.name), ['get_weather', 'get_time', 'json_output']);
  assert.deepEqual(body.tool_choice, { type: 'any' });
  body = build({ response_format: rf, tools: weatherTools, tool_choice: 'none' });
  assert.deepEqual(body.tool_choice, { type: 'tool', name: 'json_output' });
  body = build({ response_format: rf }, makeCtx({ reasoning: reasoning() }));
  assert.deepEqual(body.tool_choice, { type: 'auto' });
  body = build({ response_format: rf, tools: [{ type: 'function', function: { name: 'json_output' } }] });
  assert.deepEqual(body.tools.map((t: Body) => t.name), ['json_output_2', 'json_output']);
});

test('response_format json_schema with a non-object root is rejected', () => {
  const err = buildError({
    response_format: { type: 'json_schema', json_schema: { name: 'list', schema: { type: 'array', items: { type: 'string' } } } },
  });
  assert.equal(err.param, 'response_format.json_schema.schema');
});

test('user ids longer than Anthropic allows are not sent', () => {
  assert.equal(build({ user: 'x'.repeat(513) }).metadata, undefined);
});
