// Messages request → canonical request, and back out through the outbound Anthropic dialect: an Anthropic
// request (thinking signatures, cache_control, tool loop) must reach an Anthropic upstream unchanged.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HttpError } from '../../src/protocol/errors.js';
import {
  CountTokensRequestSchema,
  MessagesRequestSchema,
  type MessagesRequest,
} from '../../src/protocol/messages-request.js';
import { validate } from '../../src/http/validate.js';
import { countTokensRequest, messagesAdapter } from '../../src/inbound/messages/index.js';
import { anthropicDialect } from '../../src/providers/anthropic/index.js';
import { validateAnthropicSchema } from '../../src/sim/validate.js';
import { makeCtx, reasoning } from '../fixtures/anthropic/helpers.js';

const toChat = (wire: Record<string, unknown>) =>
  messagesAdapter.toChat(validate(MessagesRequestSchema, { model: 'm', max_tokens: 4096, ...wire }) as MessagesRequest);

function rejects(wire: Record<string, unknown>, param: string): HttpError {
  try {
    toChat(wire);
  } catch (e) {
    assert.ok(e instanceof HttpError, String(e));
    assert.equal(e.status, 400);
    assert.equal(e.param, param);
    return e;
  }
  assert.fail(`expected a 400 naming ${param}`);
}

const PDF = 'JVBERi0xLjQK';
const PNG = 'iVBORw0KGgo=';

// a Claude Code–shaped turn: cached system and tools, signed thinking, a tool loop, an error result
const claudeCode = {
  system: [
    { type: 'text', text: "You are Claude Code, Anthropic's official CLI for Claude." },
    { type: 'text', text: 'Long instructions.', cache_control: { type: 'ephemeral' } },
  ],
  tools: [
    {
      name: 'Read',
      description: 'Reads a file',
      input_schema: { type: 'object', properties: { file_path: { type: 'string' } }, required: ['file_path'] },
      cache_control: { type: 'ephemeral', ttl: '1h' },
    },
  ],
  thinking: { type: 'enabled', budget_tokens: 2048 },
  messages: [
    {
      role: 'user',
      content: [
        { type: 'text', text: 'What is in a.txt and this picture?' },
        { type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG } },
        { type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: PDF } },
        { type: 'document', source: { type: 'text', media_type: 'text/plain', data: 'plain notes' } },
      ],
    },
    {
      role: 'assistant',
      content: [
        { type: 'thinking', thinking: 'I should read the file.', signature: 'EqQBCgIYAhIM1gbcDa9GJwZA2b3h' },
        { type: 'redacted_thinking', data: 'EmwKAhgBEgy3va3pzix' },
        { type: 'text', text: 'Reading it.' },
        { type: 'tool_use', id: 'toolu_01A', name: 'Read', input: { file_path: 'a.txt' } },
        { type: 'tool_use', id: 'toolu_01B', name: 'Read', input: { file_path: 'b.txt' } },
      ],
    },
    {
      role: 'user',
      content: [
        { type: 'tool_result', tool_use_id: 'toolu_01A', content: 'hello' },
        {
          type: 'tool_result',
          tool_use_id: 'toolu_01B',
          content: [{ type: 'text', text: 'ENOENT' }],
          is_error: true,
          cache_control: { type: 'ephemeral' },
        },
        { type: 'text', text: 'Go on.' },
      ],
    },
  ],
};

test('a Claude Code turn round-trips through toChat and the outbound Anthropic dialect unchanged', () => {
  const chat = toChat(claudeCode);
  const ctx = makeCtx({ reasoning: reasoning({ max_tokens: 2048 }), maxTokens: 4096, maxTokensExplicit: true });
  const body = JSON.parse(anthropicDialect.buildChatRequest(chat, ctx).body);
  assert.equal(validateAnthropicSchema(body), null);
  assert.deepEqual(body.system, claudeCode.system);
  assert.deepEqual(body.tools, claudeCode.tools);
  assert.deepEqual(body.thinking, claudeCode.thinking);
  assert.equal(body.max_tokens, 4096);
  assert.deepEqual(body.messages, claudeCode.messages);
});

test('each block lands in its canonical place', () => {
  const chat = toChat(claudeCode);
  assert.deepEqual(chat.reasoning, { enabled: true, max_tokens: 2048 });
  assert.equal(chat.max_tokens, 4096);
  const [system, user, assistant, tool1, tool2, user2] = chat.messages as any[];
  assert.equal(system.role, 'system');
  assert.deepEqual(user.content.slice(1), [
    { type: 'image_url', image_url: { url: `data:image/png;base64,${PNG}` } },
    { type: 'file', file: { file_data: `data:application/pdf;base64,${PDF}` } },
    { type: 'file', file: { file_data: `data:text/plain;base64,${Buffer.from('plain notes').toString('base64')}` } },
  ]);
  assert.equal(assistant.content, 'Reading it.');
  assert.deepEqual(assistant.tool_calls[0], {
    id: 'toolu_01A',
    type: 'function',
    function: { name: 'Read', arguments: '{"file_path":"a.txt"}' },
  });
  assert.deepEqual(assistant.reasoning_details, [
    {
      type: 'reasoning.text',
      text: 'I should read the file.',
      signature: 'EqQBCgIYAhIM1gbcDa9GJwZA2b3h',
      format: 'anthropic-claude-v1',
    },
    { type: 'reasoning.encrypted', data: 'EmwKAhgBEgy3va3pzix', format: 'anthropic-claude-v1' },
  ]);
  assert.deepEqual(tool1, { role: 'tool', tool_call_id: 'toolu_01A', content: 'hello' });
  assert.deepEqual(tool2, {
    role: 'tool',
    tool_call_id: 'toolu_01B',
    content: [{ type: 'text', text: 'ENOENT' }],
    is_error: true,
    cache_control: { type: 'ephemeral' },
  });
  assert.deepEqual(user2, { role: 'user', content: [{ type: 'text', text: 'Go on.' }] });
  assert.deepEqual(chat.tools![0].function.parameters, claudeCode.tools[0].input_schema);
});

test('tool_choice, parallel calls, sampling, stops, user, stream and routing extras', () => {
  const base = { tools: [{ name: 't', input_schema: { type: 'object' } }], messages: [{ role: 'user', content: 'x' }] };
  assert.equal(toChat({ ...base, tool_choice: { type: 'auto' } }).tool_choice, 'auto');
  assert.equal(toChat({ ...base, tool_choice: { type: 'any' } }).tool_choice, 'required');
  assert.equal(toChat({ ...base, tool_choice: { type: 'none' } }).tool_choice, 'none');
  const forced = toChat({ ...base, tool_choice: { type: 'tool', name: 't', disable_parallel_tool_use: true } });
  assert.deepEqual(forced.tool_choice, { type: 'function', function: { name: 't' } });
  assert.equal(forced.parallel_tool_calls, false);
  assert.equal(toChat({ ...base, tool_choice: { type: 'auto' } }).parallel_tool_calls, undefined);

  const r = toChat({
    messages: [{ role: 'user', content: 'x' }],
    stop_sequences: ['END', 'STOP'],
    temperature: 0.2,
    top_p: 0.9,
    top_k: 5,
    metadata: { user_id: 'u-1' },
    stream: true,
    service_tier: 'auto',
    provider: { order: ['anthropic'] },
    models: ['a/b'],
    cache_control: { type: 'ephemeral' },
  }) as Record<string, unknown>;
  assert.deepEqual(
    { ...r, messages: undefined },
    {
      model: 'm',
      messages: undefined,
      max_tokens: 4096,
      stop: ['END', 'STOP'],
      temperature: 0.2,
      top_p: 0.9,
      top_k: 5,
      user: 'u-1',
      stream: true,
      provider: { order: ['anthropic'] },
      models: ['a/b'],
      cache_control: { type: 'ephemeral' },
    },
  );
});

test('thinking and output_config become the canonical reasoning and response_format', () => {
  const msgs = { messages: [{ role: 'user', content: 'x' }] };
  assert.deepEqual(toChat({ ...msgs, thinking: { type: 'disabled' } }).reasoning, { enabled: false });
  assert.deepEqual(toChat({ ...msgs, thinking: { type: 'adaptive' } }).reasoning, { enabled: true });
  assert.deepEqual(toChat({ ...msgs, thinking: { type: 'adaptive' }, output_config: { effort: 'max' } }).reasoning, {
    enabled: true,
    effort: 'xhigh',
  });
  assert.deepEqual(toChat({ ...msgs, output_config: { effort: 'low' } }).reasoning, { effort: 'low' });
  assert.equal(toChat(msgs).reasoning, undefined);
  const schema = { type: 'object', properties: { a: { type: 'string' } } };
  assert.deepEqual(toChat({ ...msgs, output_config: { format: { type: 'json_schema', schema } } }).response_format, {
    type: 'json_schema',
    json_schema: { name: 'output', schema, strict: true },
  });
});

test('images and documents inside a tool_result move to the user turn after the tool messages', () => {
  const chat = toChat({
    messages: [
      { role: 'user', content: 'shot' },
      { role: 'assistant', content: [{ type: 'tool_use', id: 'tu1', name: 'Screenshot', input: {} }] },
      {
        role: 'user',
        content: [
          {
            type: 'tool_result',
            tool_use_id: 'tu1',
            content: [
              { type: 'text', text: 'here' },
              { type: 'image', source: { type: 'url', url: 'https://x.test/a.png' } },
            ],
          },
        ],
      },
    ],
  });
  assert.deepEqual(chat.messages.slice(2), [
    { role: 'tool', tool_call_id: 'tu1', content: [{ type: 'text', text: 'here' }] },
    { role: 'user', content: [{ type: 'image_url', image_url: { url: 'https://x.test/a.png' } }] },
  ]);
});

test('what cannot be honoured on every model is a 400 naming the field', () => {
  rejects(
    { tools: [{ type: 'web_search_20250305', name: 'web_search' }], messages: [{ role: 'user', content: 'x' }] },
    'tools[0].type',
  );
  rejects({ tools: [{ name: 'no_schema' }], messages: [{ role: 'user', content: 'x' }] }, 'tools[0].input_schema');
  rejects(
    {
      messages: [
        { role: 'user', content: [{ type: 'document', source: { type: 'url', url: 'https://x.test/a.pdf' } }] },
      ],
    },
    'messages[0].content[0].source.type',
  );
  rejects(
    { messages: [{ role: 'user', content: [{ type: 'image', source: { type: 'url', url: 'ftp://x/a.png' } }] }] },
    'messages[0].content[0].source.url',
  );
  rejects(
    { messages: [{ role: 'user', content: [{ type: 'tool_use', id: 'a', name: 'b', input: {} }] }] },
    'messages[0].content[0].type',
  );
  rejects(
    { messages: [{ role: 'assistant', content: [{ type: 'tool_result', tool_use_id: 'a' }] }] },
    'messages[0].content[0].type',
  );
  rejects(
    { messages: [{ role: 'user', content: 'x' }], mcp_servers: [{ type: 'url', url: 'https://m' }] },
    'mcp_servers',
  );
});

test('the schema: max_tokens required (not for count_tokens), unknown top-level fields tolerated, bad blocks named', () => {
  assert.throws(
    () => validate(MessagesRequestSchema, { model: 'm', messages: [{ role: 'user', content: 'x' }] }),
    (e: HttpError) => e.status === 400 && e.param === 'max_tokens',
  );
  const ct = validate(CountTokensRequestSchema, { model: 'm', messages: [{ role: 'user', content: 'x' }], betas: [] });
  const chat = countTokensRequest(ct);
  assert.equal(chat.max_tokens, undefined);
  assert.equal(chat.stream, undefined);
  assert.throws(
    () =>
      validate(MessagesRequestSchema, {
        model: 'm',
        max_tokens: 10,
        thinking: { type: 'enabled', budget_tokens: 100 },
        messages: [{ role: 'user', content: 'x' }],
      }),
    (e: HttpError) => e.status === 400 && e.param!.startsWith('thinking'),
  );
  assert.throws(
    () => validate(MessagesRequestSchema, { model: 'm', max_tokens: 10, messages: [{ role: 'tool', content: 'x' }] }),
    (e: HttpError) => e.status === 400 && e.param!.startsWith('messages[0]'),
  );
});

test("a system message inside messages (Claude Code's for model ids it does not know) stays a system message in place", () => {
  const req = toChat({
    messages: [
      { role: 'user', content: 'hi' },
      { role: 'system', content: [{ type: 'text', text: 'be brief', cache_control: { type: 'ephemeral' } }] },
      { role: 'system', content: 'really' },
    ],
  });
  assert.deepEqual(
    req.messages.map((m) => m.role),
    ['user', 'system', 'system'],
  );
  assert.deepEqual(req.messages[1].content, [{ type: 'text', text: 'be brief', cache_control: { type: 'ephemeral' } }]);
  assert.throws(
    () => toChat({ messages: [{ role: 'system', content: [{ type: 'tool_use', id: 't', name: 'x', input: {} }] }] }),
    (e: HttpError) => e.status === 400 && e.param === 'messages[0].content[0].type',
  );
});
