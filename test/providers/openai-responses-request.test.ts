// The openai-responses dialect's request builder: the client's Responses body as OpenAI receives it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openaiResponsesDialect } from '../../src/providers/dialects.js';
import { nativeResponsesOf } from '../../src/protocol/native-request.js';
import { carry, fromWire } from './openai-responses-helpers.js';

type Obj = Record<string, unknown>;

function build(wire: Obj, o: Parameters<typeof fromWire>[1] = {}): { url: string; headers: Obj; body: Obj } {
  const { req, ctx } = fromWire(wire, o);
  const r = openaiResponsesDialect.buildChatRequest(req, ctx);
  return { url: r.url, headers: r.headers, body: JSON.parse(r.body) as Obj };
}

test("POST {base}/responses with the client fields as sent, the endpoint model and store:false; ARouter's own fields are not sent", () => {
  const wire = {
    model: 'openai/gpt-4o-mini',
    models: ['openai/gpt-4o-mini', 'anthropic/claude-sonnet-4.5'],
    provider: { only: ['openai'] },
    cache_control: { type: 'ephemeral' },
    instructions: 'Be brief.',
    input: [{ role: 'user', content: [{ type: 'input_text', text: 'hi' }] }],
    text: { format: { type: 'json_object' } },
    metadata: { a: 'b' },
    service_tier: 'priority',
    prompt_cache_key: 'k',
    prompt_cache_retention: '24h',
    safety_identifier: 's',
    user: 'u',
    truncation: 'auto',
    parallel_tool_calls: false,
    store: true,
    something_new: 1,
  };
  const { url, headers, body } = build(wire, { endpointModel: 'gpt-4o-mini-2024-07-18' });
  assert.equal(url, 'https://api.openai.com/v1/responses');
  assert.equal(headers.authorization, 'Bearer sk-test');
  assert.equal(headers.accept, 'application/json');
  assert.deepEqual(body, {
    model: 'gpt-4o-mini-2024-07-18',
    instructions: 'Be brief.',
    text: { format: { type: 'json_object' } },
    metadata: { a: 'b' },
    user: 'u',
    safety_identifier: 's',
    prompt_cache_key: 'k',
    prompt_cache_retention: '24h',
    service_tier: 'priority',
    truncation: 'auto',
    input: wire.input,
    store: false,
  });
});

test('stream, max_output_tokens and sampling follow the routing plan and the catalog', () => {
  const wire = {
    model: 'm',
    input: 'hi',
    stream: true,
    stream_options: { include_obfuscation: false },
    max_output_tokens: 99999,
    temperature: 0.3,
    top_p: 0.9,
    text: { verbosity: 'low', format: { type: 'text' } },
  };
  const streamed = build(wire, {
    stream: true,
    maxTokens: 16384,
    maxTokensExplicit: true,
    supportedParameters: ['top_p', 'max_tokens'],
  });
  assert.equal(streamed.headers.accept, 'text/event-stream');
  assert.equal(streamed.body.stream, true);
  assert.deepEqual(streamed.body.stream_options, { include_obfuscation: false });
  assert.equal(streamed.body.max_output_tokens, 16384);
  assert.equal(streamed.body.temperature, undefined);
  assert.equal(streamed.body.top_p, 0.9);
  assert.deepEqual(streamed.body.text, { format: { type: 'text' } });
  const plain = build({ model: 'm', input: 'hi', stream_options: { include_obfuscation: false } });
  assert.equal(plain.body.stream, undefined);
  assert.equal(plain.body.stream_options, undefined);
  assert.equal(plain.body.max_output_tokens, undefined);
});

test('reasoning: the plan effort snapped to the model, the client summary, encrypted content included', () => {
  const info = {
    supported_efforts: ['low', 'medium', 'high'],
    default_effort: 'medium',
    mandatory: true,
    supports_max_tokens: false,
  };
  const wire = {
    model: 'm',
    input: 'hi',
    reasoning: { effort: 'xhigh', summary: 'detailed' },
    include: ['message.output_text.logprobs'],
  };
  const { body } = build(wire, { reasoningInfo: info, reasoning: { effort: 'xhigh' } });
  assert.deepEqual(body.reasoning, { effort: 'high', summary: 'detailed' });
  assert.deepEqual(body.include, ['message.output_text.logprobs', 'reasoning.encrypted_content']);
  // a model the catalog says does not reason gets neither (OpenAI answers 400 to both)
  const none = build(
    { ...wire, include: ['reasoning.encrypted_content'] },
    { reasoningInfo: null, reasoning: { effort: 'high' } },
  );
  assert.equal(none.body.reasoning, undefined);
  assert.equal(none.body.include, undefined);
  // a reasoning model asked for nothing still returns its state
  const quiet = build({ model: 'm', input: 'hi' }, { reasoningInfo: info });
  assert.equal(quiet.body.reasoning, undefined);
  assert.deepEqual(quiet.body.include, ['reasoning.encrypted_content']);
});

test("reasoning items: ARouter's carry unwrapped to OpenAI's item, other providers' state left out, item ids not sent", () => {
  const openaiState = {
    type: 'reasoning.encrypted',
    data: 'gAAAAB-openai',
    id: 'rs_openai1',
    format: 'openai-responses-v1',
  };
  const anthropicState = { type: 'reasoning.text', text: 'hmm', signature: 'sig', format: 'anthropic-claude-v1' };
  const input = [
    { role: 'user', content: 'hi' },
    {
      type: 'reasoning',
      id: 'rs_gen1',
      summary: [{ type: 'summary_text', text: 'thought' }],
      encrypted_content: carry(openaiState),
    },
    { type: 'function_call', id: 'fc_gen1_0', call_id: 'call_1', name: 'f', arguments: '{}', status: 'completed' },
    { type: 'function_call_output', call_id: 'call_1', output: 'ok' },
    { type: 'reasoning', id: 'rs_gen2', summary: [], encrypted_content: carry(anthropicState) },
    { type: 'reasoning', id: 'rs_raw', summary: [], encrypted_content: 'gAAAAB-raw' },
    { type: 'reasoning', id: 'rs_bare', summary: [{ type: 'summary_text', text: 'x' }] },
    {
      type: 'message',
      id: 'msg_gen1',
      role: 'assistant',
      status: 'completed',
      content: [{ type: 'output_text', text: 'ok', annotations: [] }],
    },
    { role: 'user', content: 'again' },
  ];
  const { body } = build({ model: 'm', input, tools: [{ type: 'function', name: 'f' }] });
  assert.deepEqual(body.input, [
    { role: 'user', content: 'hi' },
    {
      type: 'reasoning',
      id: 'rs_openai1',
      summary: [{ type: 'summary_text', text: 'thought' }],
      encrypted_content: 'gAAAAB-openai',
    },
    { type: 'function_call', call_id: 'call_1', name: 'f', arguments: '{}', status: 'completed' },
    { type: 'function_call_output', call_id: 'call_1', output: 'ok' },
    { type: 'reasoning', id: 'rs_raw', summary: [], encrypted_content: 'gAAAAB-raw' },
    {
      type: 'message',
      role: 'assistant',
      status: 'completed',
      content: [{ type: 'output_text', text: 'ok', annotations: [] }],
    },
    { role: 'user', content: 'again' },
  ]);
});

test('tools as sent (custom and namespace included); hosted ones dropped, from allowed_tools too', () => {
  const tools = [
    { type: 'function', name: 'f', parameters: { type: 'object', properties: {} }, strict: true },
    { type: 'custom', name: 'apply_patch', format: { type: 'grammar', syntax: 'lark', definition: 'start: "x"' } },
    { type: 'namespace', name: 'agents', tools: [{ type: 'function', name: 'spawn' }] },
    { type: 'web_search' },
  ];
  const tool_choice = {
    type: 'allowed_tools',
    mode: 'required',
    tools: [{ type: 'function', name: 'f' }, { type: 'web_search' }],
  };
  const { body } = build({ model: 'm', input: 'hi', tools, tool_choice, parallel_tool_calls: true });
  assert.deepEqual(body.tools, tools.slice(0, 3));
  assert.deepEqual(body.tool_choice, {
    type: 'allowed_tools',
    mode: 'required',
    tools: [{ type: 'function', name: 'f' }],
  });
  assert.equal(body.parallel_tool_calls, true);
  // only hosted tools: no tools, and nothing that needs them
  const bare = build({ model: 'm', input: 'hi', tools: [{ type: 'web_search' }], parallel_tool_calls: true });
  assert.equal(bare.body.tools, undefined);
  assert.equal(bare.body.parallel_tool_calls, undefined);
});

test('the native request is built only when a dialect reads it, and is not part of the canonical request', () => {
  const { req } = fromWire({ model: 'm', input: 'hi' });
  assert.deepEqual(Object.keys(req).sort(), ['messages', 'model']);
  assert.equal(JSON.stringify(req).includes('native'), false);
  assert.ok(nativeResponsesOf(req));
  assert.equal(nativeResponsesOf({ messages: [{ role: 'user', content: 'x' }] }), undefined);
  assert.throws(() =>
    openaiResponsesDialect.buildChatRequest(req, { ...fromWire({ model: 'm', input: 'x' }).ctx, native: undefined }),
  );
});

test('a reasoning item echoed after the calls it preceded (a stream without summary lists it last) leads its turn again', () => {
  const state = { type: 'reasoning.encrypted', data: 'gAAAAB-s', id: 'rs_o1', format: 'openai-responses-v1' };
  const input = [
    { role: 'user', content: 'hi' },
    { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'Calling.' }] },
    { type: 'function_call', call_id: 'call_1', name: 'f', arguments: '{}' },
    { type: 'reasoning', id: 'rs_gen1', summary: [], encrypted_content: carry(state) },
    { type: 'function_call_output', call_id: 'call_1', output: 'ok' },
  ];
  const { body } = build({ model: 'm', input, tools: [{ type: 'function', name: 'f' }] });
  assert.deepEqual(
    (body.input as Obj[]).map((i) => i.type ?? 'message'),
    ['message', 'reasoning', 'message', 'function_call', 'function_call_output'],
  );
  assert.equal((body.input as Obj[])[1].id, 'rs_o1');
});
