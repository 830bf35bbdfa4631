// The Responses adapter's request side: wire request → canonical ChatRequest, and the 400s naming the field.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compiled } from '../../src/lib/schema.js';
import { ChatRequestSchema, type ChatRequest } from '../../src/protocol/chat-request.js';
import { HttpError } from '../../src/protocol/errors.js';
import { ResponsesRequestSchema, type ResponsesRequest } from '../../src/protocol/responses-request.js';
import { responsesAdapter } from '../../src/inbound/responses/index.js';
import { assertSpec } from './responses-helpers.js';

/** the route's path: schema check, then toChat; the result must be a valid canonical request */
function chat(wire: Record<string, unknown>, specValid = true): ChatRequest {
  if (specValid) assertSpec('CreateResponse', wire); // the test's request is one the real API takes
  assert.ok(compiled(ResponsesRequestSchema).Check(wire), 'ResponsesRequestSchema rejects the wire request');
  const req = responsesAdapter.toChat(wire as ResponsesRequest);
  assert.ok(compiled(ChatRequestSchema).Check(req), `not a valid ChatRequest: ${JSON.stringify(req)}`);
  return req;
}

function rejects(wire: Record<string, unknown>, param: string, message: RegExp): void {
  assert.throws(
    () => responsesAdapter.toChat(wire as ResponsesRequest),
    (e: unknown) => {
      assert.ok(e instanceof HttpError, String(e));
      assert.equal(e.status, 400);
      assert.equal(e.param, param);
      assert.match(e.message, message);
      return true;
    },
  );
}

test('a string input is one user message; instructions come first as a system message', () => {
  const req = chat({ model: 'openai/gpt-5', input: 'Hi', instructions: 'Be brief.' });
  assert.deepEqual(req.messages, [
    { role: 'system', content: 'Be brief.' },
    { role: 'user', content: 'Hi' },
  ]);
  assert.equal(req.model, 'openai/gpt-5');
  assert.equal(req.stream, undefined);
});

test('message items: easy and typed messages, developer role, text / image / file parts', () => {
  const req = chat(
    {
      model: 'm',
      input: [
        { role: 'developer', content: 'Rules.' },
        {
          type: 'message',
          role: 'user',
          content: [
            { type: 'input_text', text: 'What is this?' },
            { type: 'input_image', image_url: 'https://example.com/a.png', detail: 'low' },
            { type: 'input_image', image_url: 'data:image/png;base64,AAAA', detail: 'original' },
            { type: 'input_image', file_id: 'file-abc', detail: 'auto' },
            { type: 'input_file', filename: 'a.pdf', file_data: 'data:application/pdf;base64,JVBERi0=' },
            { type: 'input_file', file_id: 'file-def' },
          ],
        },
        { role: 'assistant', content: 'A picture.' },
        { role: 'user', content: 'Thanks' },
      ],
    },
    // the spec's InputItem oneOf is ambiguous for a message with a list content (EasyInputMessage and
    // InputMessage both match it), so ajv's oneOf refuses what the live API takes
    false,
  );
  assert.deepEqual(req.messages, [
    { role: 'developer', content: 'Rules.' },
    {
      role: 'user',
      content: [
        { type: 'text', text: 'What is this?' },
        { type: 'image_url', image_url: { url: 'https://example.com/a.png', detail: 'low' } },
        { type: 'image_url', image_url: { url: 'data:image/png;base64,AAAA', detail: 'high' } },
        { type: 'file', file: { file_id: 'file-abc' } },
        { type: 'file', file: { filename: 'a.pdf', file_data: 'data:application/pdf;base64,JVBERi0=' } },
        { type: 'file', file: { file_id: 'file-def' } },
      ],
    },
    { role: 'assistant', content: 'A picture.' },
    { role: 'user', content: 'Thanks' },
  ]);
});

test('function_call round trip: consecutive calls are one assistant message; outputs are tool messages', () => {
  const req = chat({
    model: 'm',
    input: [
      { role: 'user', content: 'Weather in Paris and Rome?' },
      {
        type: 'message',
        id: 'msg_1',
        role: 'assistant',
        status: 'completed',
        content: [{ type: 'output_text', text: 'Checking.', annotations: [], logprobs: [] }],
      },
      { type: 'function_call', id: 'fc_1', call_id: 'call_a', name: 'weather', arguments: '{"city":"Paris"}' },
      { type: 'function_call', id: 'fc_2', call_id: 'call_b', name: 'weather', arguments: '{"city":"Rome"}' },
      { type: 'function_call_output', call_id: 'call_a', output: '18C' },
      { type: 'function_call_output', call_id: 'call_b', output: [{ type: 'input_text', text: '25C' }] },
    ],
    tools: [{ type: 'function', name: 'weather', parameters: { type: 'object' }, strict: true }],
  });
  assert.deepEqual(req.messages, [
    { role: 'user', content: 'Weather in Paris and Rome?' },
    {
      role: 'assistant',
      content: 'Checking.',
      tool_calls: [
        { id: 'call_a', type: 'function', function: { name: 'weather', arguments: '{"city":"Paris"}' } },
        { id: 'call_b', type: 'function', function: { name: 'weather', arguments: '{"city":"Rome"}' } },
      ],
    },
    { role: 'tool', tool_call_id: 'call_a', content: '18C' },
    { role: 'tool', tool_call_id: 'call_b', content: [{ type: 'text', text: '25C' }] },
  ]);
  assert.deepEqual(req.tools, [
    { type: 'function', function: { name: 'weather', parameters: { type: 'object' }, strict: true } },
  ]);
});

test('reasoning items: ARouter-issued encrypted_content comes back as reasoning_details; a bare summary is dropped', () => {
  const details = [{ type: 'reasoning.text', text: 'think', signature: 'sig', format: 'anthropic-claude-v1' }];
  const enc = 'arouter.v1.' + Buffer.from(JSON.stringify(details)).toString('base64url');
  const req = chat({
    model: 'm',
    input: [
      { role: 'user', content: 'q1' },
      { type: 'reasoning', id: 'rs_1', summary: [{ type: 'summary_text', text: 'thought' }] },
      { role: 'assistant', content: 'a1' },
      { role: 'user', content: 'q2' },
      { type: 'reasoning', id: 'rs_2', summary: [], encrypted_content: enc },
      { type: 'function_call', call_id: 'c1', name: 'f', arguments: '{}' },
      { type: 'function_call_output', call_id: 'c1', output: 'ok' },
      // a reasoning item alone (nothing else in its turn) leaves no empty assistant message
      { type: 'reasoning', id: 'rs_3', summary: [{ type: 'summary_text', text: 'x' }] },
      { role: 'user', content: 'q3' },
    ],
  });
  assert.deepEqual(req.messages, [
    { role: 'user', content: 'q1' },
    { role: 'assistant', content: 'a1' },
    { role: 'user', content: 'q2' },
    {
      role: 'assistant',
      content: null,
      tool_calls: [{ id: 'c1', type: 'function', function: { name: 'f', arguments: '{}' } }],
      reasoning_details: details,
    },
    { role: 'tool', tool_call_id: 'c1', content: 'ok' },
    { role: 'user', content: 'q3' },
  ]);
  // someone else's encrypted_content is kept under its own format (no dialect replays it)
  const foreign = chat({
    model: 'm',
    input: [
      { type: 'reasoning', id: 'rs', summary: [], encrypted_content: 'gAAAAB-openai' },
      { role: 'assistant', content: 'a' },
    ],
  });
  assert.deepEqual(foreign.messages[0], {
    role: 'assistant',
    content: 'a',
    reasoning_details: [{ type: 'reasoning.encrypted', data: 'gAAAAB-openai', format: 'openai-responses-v1' }],
  });
  rejects(
    { input: [{ type: 'reasoning', summary: [], encrypted_content: 'arouter.v1.!!notjson' }] },
    'input[0].encrypted_content',
    /not reasoning state ARouter issued/,
  );
});

test('settings: text.format, reasoning, max_output_tokens, tool_choice, logprobs, stream, extras', () => {
  const req = chat(
    {
      model: 'google/gemini-2.5-pro',
      models: ['openai/gpt-5'],
      provider: { order: ['google'] },
      input: 'x',
      text: {
        format: { type: 'json_schema', name: 'out', schema: { type: 'object' }, strict: true, description: 'd' },
        verbosity: 'low',
      },
      reasoning: { effort: 'high', summary: 'auto' },
      max_output_tokens: 500,
      temperature: 0.2,
      top_p: 0.9,
      tool_choice: { type: 'function', name: 'f' },
      tools: [{ type: 'function', name: 'f', description: 'does f', parameters: null, strict: null }],
      parallel_tool_calls: false,
      include: ['message.output_text.logprobs'],
      top_logprobs: 3,
      store: true,
      metadata: { a: 'b' },
      user: 'u1',
      safety_identifier: 's1',
      prompt_cache_key: 'k1',
      service_tier: 'flex',
      truncation: 'disabled',
      stream: true,
      stream_options: { include_obfuscation: false },
    },
    false, // models/provider are ARouter's extras, not in the spec
  );
  assert.deepEqual(req.response_format, {
    type: 'json_schema',
    json_schema: { name: 'out', schema: { type: 'object' }, description: 'd', strict: true },
  });
  assert.equal(req.verbosity, 'low');
  assert.deepEqual(req.reasoning, { effort: 'high' });
  assert.equal(req.max_tokens, 500);
  assert.equal(req.temperature, 0.2);
  assert.equal(req.top_p, 0.9);
  assert.deepEqual(req.tool_choice, { type: 'function', function: { name: 'f' } });
  assert.deepEqual(req.tools, [{ type: 'function', function: { name: 'f', description: 'does f' } }]);
  assert.equal(req.parallel_tool_calls, false);
  assert.equal(req.logprobs, true);
  assert.equal(req.top_logprobs, 3);
  assert.equal(req.store, undefined, 'store is not forwarded: nothing is stored');
  assert.equal(req.metadata, undefined);
  assert.deepEqual([req.user, req.safety_identifier, req.prompt_cache_key], ['u1', 's1', 'k1']);
  assert.equal(req.service_tier, 'flex');
  assert.equal(req.stream, true);
  assert.deepEqual(req.stream_options, { include_usage: true });
  assert.deepEqual(req.models, ['openai/gpt-5']);
  assert.deepEqual(req.provider, { order: ['google'] });

  assert.deepEqual(chat({ model: 'm', input: 'x', text: { format: { type: 'json_object' } } }).response_format, {
    type: 'json_object',
  });
  assert.deepEqual(chat({ model: 'm', input: 'x', reasoning: { effort: 'max' } }).reasoning, { effort: 'xhigh' });
  assert.deepEqual(
    chat({
      model: 'm',
      input: 'x',
      tools: [
        { type: 'function', name: 'a', parameters: {}, strict: false },
        { type: 'function', name: 'b', parameters: {}, strict: false },
      ],
      tool_choice: { type: 'allowed_tools', mode: 'required', tools: [{ type: 'function', name: 'a' }] },
    }).tool_choice,
    {
      type: 'allowed_tools',
      allowed_tools: { mode: 'required', tools: [{ type: 'function', function: { name: 'a' } }] },
    },
  );
  assert.equal(chat({ model: 'm', input: 'x', tool_choice: 'required' }).tool_choice, 'required');
  assert.equal(chat({ model: 'm', input: 'x', store: false }).logprobs, undefined);
});

test('400s name the field: stateful features, unsupported tools and items, bad parts', () => {
  rejects(
    { input: 'x', previous_response_id: 'resp_1' },
    'previous_response_id',
    /stores no responses.*whole conversation/,
  );
  rejects({ input: 'x', conversation: 'conv_1' }, 'conversation', /stores no conversations/);
  rejects({ input: 'x', background: true }, 'background', /background/);
  rejects({ input: 'x', prompt: { id: 'pmpt_1' } }, 'prompt', /stored prompt/);
  // hosted tools are dropped (test/inbound/responses-tools.test.ts); a type the API does not have is refused
  rejects(
    { input: 'x', tools: [{ type: 'function', name: 'ok', parameters: {} }, { type: 'made_up' }] },
    'tools[1].type',
    /'made_up' is not supported by ARouter/,
  );
  rejects(
    { input: 'x', tools: [{ type: 'function', name: 'bad name!' }] },
    'tools[0].name',
    /Invalid tools\[0\]\.name/,
  );
  rejects({ input: 'x', tool_choice: { type: 'web_search_preview' } }, 'tool_choice.type', /not supported by ARouter/);
  rejects(
    { input: 'x', tool_choice: { type: 'allowed_tools', mode: 'auto', tools: [{ type: 'function' }] } },
    'tool_choice.tools[0]',
    /function and custom tools/,
  );
  rejects(
    { input: 'x', tool_choice: { type: 'allowed_tools', mode: 'auto', tools: [{ type: 'mcp' }] } },
    'tool_choice.tools',
    /only hosted tools/,
  );
  rejects({ input: [{ type: 'item_reference', id: 'msg_1' }] }, 'input[0]', /item_reference.*stores no/);
  rejects(
    { input: [{ type: 'computer_call_output', call_id: 'c' }] },
    'input[0].type',
    /'computer_call_output' are not supported by ARouter/,
  );
  rejects({ input: [{ content: 'no role' }] }, 'input[0].type', /needs a `type`/);
  rejects({ input: [{ role: 'user', content: [{ type: 'input_audio' }] }] }, 'input[0].content[0].type', /input_audio/);
  rejects(
    { input: [{ role: 'user', content: [{ type: 'input_image', detail: 'auto' }] }] },
    'input[0].content[0].image_url',
    /image_url or a file_id/,
  );
  rejects(
    { input: [{ role: 'user', content: [{ type: 'input_image', image_url: 'ftp://x' }] }] },
    'input[0].content[0].image_url',
    /Invalid/,
  );
  rejects(
    { input: [{ role: 'user', content: [{ type: 'input_file', file_url: 'https://x/a.pdf' }] }] },
    'input[0].content[0].file_url',
    /file_data/,
  );
  rejects(
    { input: [{ role: 'system', content: [{ type: 'input_image', image_url: 'https://x' }] }] },
    'input[0].content[0].type',
    /system message/,
  );
  rejects(
    { input: [{ type: 'function_call', call_id: 'c', name: 'f' }] },
    'input[0].arguments',
    /Invalid input\[0\]\.arguments/,
  );
  rejects(
    {
      input: [
        { type: 'function_call_output', call_id: 'c', output: [{ type: 'input_image', image_url: 'https://x' }] },
      ],
    },
    'input[0].output[0].type',
    /tool output/,
  );
  rejects({ input: [] }, 'input', /Missing required parameter: input/);
  rejects({}, 'input', /Missing required parameter: input/);
  // store: true (the SDK's default) is accepted, not stored
  assert.doesNotThrow(() => responsesAdapter.toChat({ input: 'x', store: true }));
});
