// Request building for the anthropic dialect: tools, tool_choice, response_format (json_output tool).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ChatRequest } from '../../src/protocol/chat-request.js';
import { anthropicDialect } from '../../src/providers/anthropic/index.js';
import { makeCtx, reasoning } from '../fixtures/anthropic/helpers.js';
import { type Body, build, buildError, toolLoop, weatherTools } from '../fixtures/anthropic/build.js';

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
  assert.deepEqual(tc({ tool_choice: { type: 'function', function: { name: 'get_weather' } } }), {
    type: 'tool',
    name: 'get_weather',
  });
  assert.deepEqual(tc({ parallel_tool_calls: false }), { type: 'auto', disable_parallel_tool_use: true });
  assert.deepEqual(tc({ parallel_tool_calls: false, tool_choice: 'required' }), {
    type: 'any',
    disable_parallel_tool_use: true,
  });
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
  const body = build({
    tools: [{ type: 'function', function: { name: 'f', parameters: { properties: { a: { type: 'string' } } } } }],
  });
  assert.deepEqual(body.tools[0].input_schema, { properties: { a: { type: 'string' } }, type: 'object' });
});

test('response_format json_schema → forced json_output tool', () => {
  const schema = {
    type: 'object',
    properties: { city: { type: 'string' }, temp_c: { type: 'number' } },
    required: ['city'],
  };
  const body = build({
    response_format: { type: 'json_schema', json_schema: { name: 'weather', schema, strict: true } },
  });
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
  assert.deepEqual(
    body.tools.map((t: Body) => t.name),
    ['get_weather', 'get_time', 'json_output'],
  );
  assert.deepEqual(body.tool_choice, { type: 'any' });
  body = build({ response_format: rf, tools: weatherTools, tool_choice: 'none' });
  assert.deepEqual(body.tool_choice, { type: 'tool', name: 'json_output' });
  body = build({ response_format: rf }, makeCtx({ reasoning: reasoning() }));
  assert.deepEqual(body.tool_choice, { type: 'auto' });
  body = build({ response_format: rf, tools: [{ type: 'function', function: { name: 'json_output' } }] });
  assert.deepEqual(
    body.tools.map((t: Body) => t.name),
    ['json_output_2', 'json_output'],
  );
});

test('response_format json_schema with a non-object root is rejected', () => {
  const err = buildError({
    response_format: {
      type: 'json_schema',
      json_schema: { name: 'list', schema: { type: 'array', items: { type: 'string' } } },
    },
  });
  assert.equal(err.param, 'response_format.json_schema.schema');
});
