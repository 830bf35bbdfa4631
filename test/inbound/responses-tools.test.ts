// The Responses adapter's tools as Codex sends them: custom tools (apply_patch with a lark grammar) become function
// tools taking one string and come back as custom_tool_call items; namespace tools are flattened and their calls
// carry `namespace`; hosted tools are dropped and named in x-arouter-ignored-tools; tool_choice forcing one is a 400.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compiled } from '../../src/lib/schema.js';
import { ChatRequestSchema, type ChatRequest } from '../../src/protocol/chat-request.js';
import type { ChatResult, StreamEvent } from '../../src/protocol/chat-result.js';
import { HttpError } from '../../src/protocol/errors.js';
import { ResponsesRequestSchema, type ResponsesRequest } from '../../src/protocol/responses-request.js';
import { ignoredToolsHeaders, responsesAdapter } from '../../src/inbound/responses/index.js';
import { flatName } from '../../src/inbound/responses/tools.js';
import { startDemoGateway } from '../helpers/gateway.js';
import { assertEvent, assertSpec, info, parseSse, usage } from './responses-helpers.js';

type Obj = Record<string, unknown>;

const GRAMMAR = 'start: "*** Begin Patch" LF hunk+ "*** End Patch"';
const PATCH = '*** Begin Patch\n*** Add File: y.txt\n+hi\n*** End Patch\n';

const tools = [
  {
    type: 'function',
    name: 'exec_command',
    parameters: { type: 'object', properties: { cmd: { type: 'string' } } },
    strict: false,
  },
  {
    type: 'custom',
    name: 'apply_patch',
    description: 'Edit files.',
    format: { type: 'grammar', syntax: 'lark', definition: GRAMMAR },
  },
  {
    type: 'namespace',
    name: 'multi_agent_v1',
    description: 'Sub-agents.',
    tools: [
      { type: 'function', name: 'spawn_agent', parameters: { type: 'object', properties: {} }, strict: false },
      { type: 'custom', name: 'note', description: 'Free text.' },
    ],
  },
  { type: 'web_search', external_web_access: false },
  { type: 'tool_search', execution: 'client', description: 'Find tools.', parameters: { type: 'object' } },
  { type: 'web_search', search_content_types: ['text'] },
];

const wire = (extra: Obj = {}): ResponsesRequest =>
  ({ model: 'anthropic/claude-sonnet-4.5', input: 'hi', tools, ...extra }) as unknown as ResponsesRequest;

function chat(w: ResponsesRequest): ChatRequest {
  assert.ok(compiled(ResponsesRequestSchema).Check(w), 'ResponsesRequestSchema rejects the wire request');
  const req = responsesAdapter.toChat(w);
  assert.ok(compiled(ChatRequestSchema).Check(req), `not a valid ChatRequest: ${JSON.stringify(req)}`);
  return req;
}

function rejects(w: Obj, param: string, message: RegExp): void {
  assert.throws(
    () => responsesAdapter.toChat(w as unknown as ResponsesRequest),
    (e: unknown) => {
      assert.ok(e instanceof HttpError, String(e));
      assert.equal(e.status, 400);
      assert.equal(e.param, param);
      assert.match(e.message, message);
      return true;
    },
  );
}

test('Codex tools: custom → a function taking `input` (grammar in the description), namespace flattened, hosted dropped', () => {
  const w = wire();
  assertSpec('CreateResponse', w);
  const req = chat(w);
  const fns = (req.tools ?? []).map((t) => t.function);
  assert.deepEqual(
    fns.map((f) => f.name),
    ['exec_command', 'apply_patch', 'multi_agent_v1__spawn_agent', 'multi_agent_v1__note'],
  );
  const patch = fns[1];
  const how = inputDescription(patch);
  assert.deepEqual(patch.parameters, {
    type: 'object',
    properties: { input: { type: 'string', description: how } },
    required: ['input'],
    additionalProperties: false,
  });
  assert.match(how, /not JSON.*lark grammar:\nstart: "\*\*\* Begin Patch"/s);
  assert.equal(patch.description, 'Edit files.');
  assert.equal(fns[2].description, 'Sub-agents.');
  assert.equal(fns[2].strict, false);
  assert.equal(fns[3].description, 'Sub-agents.\n\nFree text.');
  // each dropped type once, in request order
  assert.deepEqual(ignoredToolsHeaders(w), { 'x-arouter-ignored-tools': 'web_search, tool_search' });
  assert.deepEqual(ignoredToolsHeaders(wire({ tools: tools.slice(0, 3) })), {});
  // only hosted tools: the model gets none
  assert.equal(chat(wire({ tools: [{ type: 'web_search' }] })).tools, undefined);
});

const inputDescription = (f: { parameters?: unknown }): string =>
  (f.parameters as { properties: { input: { description: string } } }).properties.input.description;

test('tool_choice: a custom tool is a function; forcing a dropped hosted tool stays a 400', () => {
  assert.deepEqual(chat(wire({ tool_choice: { type: 'custom', name: 'apply_patch' } })).tool_choice, {
    type: 'function',
    function: { name: 'apply_patch' },
  });
  assert.deepEqual(
    chat(
      wire({
        tool_choice: {
          type: 'allowed_tools',
          mode: 'required',
          tools: [{ type: 'web_search' }, { type: 'custom', name: 'apply_patch' }],
        },
      }),
    ).tool_choice,
    {
      type: 'allowed_tools',
      allowed_tools: { mode: 'required', tools: [{ type: 'function', function: { name: 'apply_patch' } }] },
    },
  );
  rejects(wire({ tool_choice: { type: 'web_search' } }) as never, 'tool_choice.type', /forces a hosted tool/);
  rejects({ input: 'x', tools: [{ type: 'made_up' }] }, 'tools[0].type', /'made_up' is not supported/);
  rejects(
    { input: 'x', tools: [{ type: 'namespace', name: 'ns', description: '', tools: [{ type: 'web_search' }] }] },
    'tools[0].tools[0].type',
    /function and custom tools, not 'web_search'/,
  );
  rejects(
    { input: 'x', tools: [{ type: 'custom', name: 'p', format: { type: 'grammar', syntax: 'peg', definition: '' } }] },
    'tools[0].format',
    /Invalid tools\[0\]\.format/,
  );
  rejects(
    {
      input: 'x',
      tools: [
        { type: 'function', name: 'ns__a' },
        { type: 'namespace', name: 'ns', description: '', tools: [{ type: 'function', name: 'a' }] },
      ],
    },
    'tools[1].tools[0].name',
    /a second tool named 'ns__a'/,
  );
});

test('a long namespaced name is cut to 64 characters with a hash, the same every time', () => {
  const ns = 'mcp__a_very_long_server_name_for_testing';
  const name = 'a_tool_with_an_equally_long_descriptive_name';
  const flat = flatName(name, ns);
  assert.equal(flat.length, 64);
  assert.ok(flat.startsWith(`${ns}__a_tool`));
  assert.equal(flatName(name, ns), flat);
  assert.notEqual(flatName(`${name}2`, ns), flat);
  assert.equal(flatName('plain'), 'plain');
});

test('history: custom_tool_call / custom_tool_call_output and namespaced function calls go back as the model made them', () => {
  const input = [
    { type: 'message', id: 'msg_1', role: 'developer', content: [{ type: 'input_text', text: 'Rules.' }] },
    { type: 'message', id: 'msg_2', role: 'user', content: [{ type: 'input_text', text: 'Patch it.' }] },
    // Codex echoes reasoning items with `content: null`
    { type: 'reasoning', id: 'rs_1', summary: [], content: null, encrypted_content: 'gAAAAopaque' },
    { type: 'custom_tool_call', id: 'ctc_1', call_id: 'call_p', name: 'apply_patch', input: PATCH },
    {
      type: 'function_call',
      id: 'fc_1',
      call_id: 'call_s',
      namespace: 'multi_agent_v1',
      name: 'spawn_agent',
      arguments: '{}',
    },
    { type: 'custom_tool_call_output', call_id: 'call_p', output: 'Done!' },
    { type: 'function_call_output', call_id: 'call_s', output: [{ type: 'input_text', text: 'agent 7' }] },
  ];
  const w = wire({ input });
  // Codex sends its input messages with ids and its reasoning items with `content: null`, which the spec does not
  // allow (and a typed text-only message matches two of the spec's oneOf members): the other items are spec-valid
  assertSpec('CreateResponse', wire({ input: input.filter((it) => it.type !== 'message' && it.type !== 'reasoning') }));
  const req = chat(w);
  assert.deepEqual(
    req.messages.map((m) => m.role),
    ['developer', 'user', 'assistant', 'tool', 'tool'],
  );
  const a = req.messages[2] as Extract<ChatRequest['messages'][number], { role: 'assistant' }>;
  assert.deepEqual(a.tool_calls, [
    { id: 'call_p', type: 'function', function: { name: 'apply_patch', arguments: JSON.stringify({ input: PATCH }) } },
    { id: 'call_s', type: 'function', function: { name: 'multi_agent_v1__spawn_agent', arguments: '{}' } },
  ]);
  assert.deepEqual(req.messages[3], { role: 'tool', tool_call_id: 'call_p', content: 'Done!' });
  rejects({ input: [{ type: 'custom_tool_call', call_id: 'c', name: 'p' }] }, 'input[0].input', /input/);
});

const result = (r: Partial<ChatResult>): ChatResult => ({
  content: null,
  reasoning: null,
  reasoning_details: [],
  tool_calls: [],
  finish_reason: 'tool_calls',
  native_finish_reason: null,
  usage: null,
  upstream_id: null,
  refusal: null,
  ...r,
});

test('complete(): a custom tool call is a custom_tool_call with its input; a namespaced call carries its namespace', () => {
  const w = wire();
  const body = responsesAdapter.complete(
    result({
      tool_calls: [
        {
          id: 'call_p',
          type: 'function',
          function: { name: 'apply_patch', arguments: JSON.stringify({ input: PATCH }) },
        },
        { id: 'call_s', type: 'function', function: { name: 'multi_agent_v1__spawn_agent', arguments: '{"a":1}' } },
        { id: 'call_x', type: 'function', function: { name: 'invented', arguments: '{}' } },
      ],
    }),
    info,
    usage(),
    w,
  ) as Obj;
  assertSpec('Response', body);
  const out = body.output as Obj[];
  assert.deepEqual(out[0], {
    id: 'ctc_1700000000-0123456789abcdef0123_0',
    type: 'custom_tool_call',
    call_id: 'call_p',
    name: 'apply_patch',
    input: PATCH,
  });
  assert.deepEqual(out[1], {
    id: 'fc_1700000000-0123456789abcdef0123_1',
    type: 'function_call',
    status: 'completed',
    call_id: 'call_s',
    namespace: 'multi_agent_v1',
    name: 'spawn_agent',
    arguments: '{"a":1}',
  });
  assert.equal(out[2].name, 'invented');
  // the echoed tools are the client's, less the dropped ones
  assert.deepEqual(
    (body.tools as Obj[]).map((t) => t.type),
    ['function', 'custom', 'namespace'],
  );
  // output items sent back as the next input give the model its own calls again
  const back = chat(wire({ input: out }));
  const calls = (back.messages[0] as { tool_calls: { function: { name: string; arguments: string } }[] }).tool_calls;
  assert.deepEqual(
    calls.map((c) => [c.function.name, c.function.arguments]),
    [
      ['apply_patch', JSON.stringify({ input: PATCH })],
      ['multi_agent_v1__spawn_agent', '{"a":1}'],
      ['invented', '{}'],
    ],
  );
});

test('stream: a custom tool call opens a custom_tool_call item; its input comes whole in the input delta/done events', () => {
  const w = wire({ stream: true });
  const enc = responsesAdapter.stream(w);
  const args = JSON.stringify({ input: PATCH });
  const d = (delta: Obj): StreamEvent => ({ type: 'delta', delta }) as StreamEvent;
  let text = enc.open(info);
  text += enc.events([
    d({ tool_calls: [{ index: 0, id: 'call_p', type: 'function', function: { name: 'apply_patch', arguments: '' } }] }),
  ]);
  text += enc.events([d({ tool_calls: [{ index: 0, function: { arguments: args.slice(0, 10) } }] })]);
  text += enc.events([d({ tool_calls: [{ index: 0, function: { arguments: args.slice(10) } }] })]);
  text += enc.events([
    d({
      tool_calls: [
        {
          index: 1,
          id: 'call_s',
          type: 'function',
          function: { name: 'multi_agent_v1__spawn_agent', arguments: '{}' },
        },
      ],
    }),
  ]);
  text += enc.close(usage(), 'tool_calls');
  const evs = parseSse(text);
  evs.forEach((e) => assertEvent(e.data));
  assert.deepEqual(
    evs.map((e) => e.event),
    [
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.custom_tool_call_input.delta',
      'response.custom_tool_call_input.done',
      'response.output_item.done',
      'response.output_item.added',
      'response.function_call_arguments.delta',
      'response.function_call_arguments.done',
      'response.output_item.done',
      'response.completed',
    ],
  );
  const added = evs[2].data.item as Obj;
  assert.deepEqual([added.type, added.name, added.input], ['custom_tool_call', 'apply_patch', '']);
  assert.equal(evs[3].data.delta, PATCH);
  assert.equal(evs[4].data.input, PATCH);
  assert.equal(evs[4].data.item_id, added.id);
  assert.equal((evs[5].data.item as Obj).input, PATCH);
  assert.deepEqual(
    [evs[6].data.item as Obj].map((i) => [i.namespace, i.name]),
    [['multi_agent_v1', 'spawn_agent']],
  );
  assert.equal(evs[8].data.name, 'spawn_agent');
  const final = evs[evs.length - 1].data.response as Obj;
  assertSpec('Response', final);
  assert.deepEqual(
    (final.output as Obj[]).map((o) => o.type),
    ['custom_tool_call', 'function_call'],
  );
});

test('through the gateway: hosted tools are dropped with x-arouter-ignored-tools; the upstream never sees them', async () => {
  const { gw, sims } = await startDemoGateway();
  try {
    const res = await gw.fetch('/responses', {
      method: 'POST',
      json: { model: 'openai/gpt-4o-mini', input: 'hi', tools, tool_choice: { type: 'custom', name: 'apply_patch' } },
    });
    assert.equal(res.status, 200, await res.clone().text());
    assert.equal(res.headers.get('x-arouter-ignored-tools'), 'web_search, tool_search');
    const body = (await res.json()) as { output: Obj[] };
    const call = body.output.find((o) => o.type === 'custom_tool_call');
    assert.ok(call, JSON.stringify(body.output));
    assert.equal(call.name, 'apply_patch');
    assert.equal(typeof call.input, 'string');
    // OpenAI gets the Responses request natively: the client's own tools, less the hosted ones
    const upstream = sims.openai.requests.at(-1)!;
    assert.equal(upstream.path, '/v1/responses');
    assert.deepEqual((upstream.body as { tools: unknown }).tools, tools.slice(0, 3));
    const plain = await gw.fetch('/responses', { method: 'POST', json: { model: 'openai/gpt-4o-mini', input: 'hi' } });
    assert.equal(plain.status, 200);
    assert.equal(plain.headers.get('x-arouter-ignored-tools'), null);
    const forced = await gw.fetch('/responses', {
      method: 'POST',
      json: { model: 'openai/gpt-4o-mini', input: 'hi', tools, tool_choice: { type: 'web_search' } },
    });
    assert.equal(forced.status, 400);
    assert.equal(((await forced.json()) as { error: Obj }).error.param, 'tool_choice.type');
  } finally {
    await gw.close();
    await sims.close();
  }
});
