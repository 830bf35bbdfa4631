// The openai SDK's own parsers read the adapter's output: a tiny local server answers /v1/responses with
// complete()'s body, the stream encoder's text, or errorBody(); the SDK's request goes through the schema and
// toChat first, as the route will do.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import OpenAI from 'openai';
import { compiled } from '../../src/lib/schema.js';
import { HttpError } from '../../src/protocol/errors.js';
import { ResponsesRequestSchema, type ResponsesRequest } from '../../src/protocol/responses-request.js';
import type { StreamEvent } from '../../src/protocol/chat-result.js';
import { responsesAdapter } from '../../src/inbound/responses/index.js';
import { info, usage } from './responses-helpers.js';

const toolCallDeltas: StreamEvent[] = [
  { type: 'delta', delta: { reasoning: 'Hmm.' } },
  { type: 'delta', delta: { content: 'Hel' } },
  { type: 'delta', delta: { content: 'lo' } },
  {
    type: 'delta',
    delta: { tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: 'f', arguments: '{"a"' } }] },
  },
  { type: 'delta', delta: { tool_calls: [{ index: 0, function: { arguments: ':1}' } }] } },
];

const bodies: unknown[] = [];
const server = createServer((req, res) => {
  void (async () => {
    const body = JSON.parse(await read(req)) as ResponsesRequest;
    bodies.push(body);
    try {
      assert.ok(compiled(ResponsesRequestSchema).Check(body));
      responsesAdapter.toChat(body);
    } catch (e) {
      const err = e as HttpError;
      res.writeHead(err.status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(responsesAdapter.errorBody(err)));
      return;
    }
    if (body.stream) {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      const enc = responsesAdapter.stream(body);
      res.write(enc.open(info));
      for (const ev of toolCallDeltas) res.write(enc.events([ev]));
      res.end(enc.close(usage(), 'tool_calls'));
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    const result = {
      content: 'Hello',
      reasoning: 'Hmm.',
      reasoning_details: [],
      tool_calls: [],
      finish_reason: 'stop' as const,
      native_finish_reason: 'end_turn',
      usage: null,
      upstream_id: null,
      refusal: null,
    };
    res.end(JSON.stringify(responsesAdapter.complete(result, info, usage(), body)));
  })();
});
await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
after(() => server.close());
const client = new OpenAI({
  apiKey: 'sk-test',
  baseURL: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`,
  maxRetries: 0,
});

function read(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let s = '';
    req.on('data', (c: Buffer) => (s += c.toString()));
    req.on('end', () => resolve(s));
  });
}

test('responses.create: the SDK reads the Response and computes output_text', async () => {
  const r = await client.responses.create({ model: 'anthropic/claude-sonnet-4.6', input: 'hi', store: true });
  assert.equal(r.output_text, 'Hello');
  assert.equal(r.id, 'resp_1700000000-0123456789abcdef0123');
  assert.equal(r.status, 'completed');
  assert.equal(r.usage?.total_tokens, 140);
  assert.equal(r.output[0].type, 'reasoning');
});

test('responses.create({stream:true}): every event parses, in order, ending with response.completed', async () => {
  const stream = await client.responses.create({
    model: 'm',
    input: [{ role: 'user', content: 'hi' }],
    tools: [{ type: 'function', name: 'f', parameters: { type: 'object' }, strict: false }],
    stream: true,
  });
  const types: string[] = [];
  let text = '';
  for await (const ev of stream) {
    types.push(ev.type);
    if (ev.type === 'response.output_text.delta') text += ev.delta;
  }
  assert.equal(text, 'Hello');
  assert.equal(types[0], 'response.created');
  assert.equal(types[types.length - 1], 'response.completed');
  assert.ok(types.includes('response.function_call_arguments.done'));
});

test('responses.stream(): the SDK accumulates the events into finalResponse()', async () => {
  const stream = client.responses.stream({ model: 'm', input: 'hi' });
  const snapshots: string[] = [];
  stream.on('response.output_text.delta', (e) => snapshots.push(e.snapshot));
  const r = await stream.finalResponse();
  assert.deepEqual(snapshots, ['Hel', 'Hello']);
  assert.equal(r.output_text, 'Hello');
  const call = r.output.find((o) => o.type === 'function_call');
  assert.ok(call && call.type === 'function_call');
  assert.equal(call.arguments, '{"a":1}');
  assert.equal(call.call_id, 'call_1');
});

test('a 400 reaches the SDK as BadRequestError with code and param', async () => {
  await assert.rejects(
    client.responses.create({ model: 'm', input: 'hi', previous_response_id: 'resp_x' }),
    (e: unknown) => {
      assert.ok(e instanceof OpenAI.BadRequestError, String(e));
      assert.equal(e.code, 'unsupported_parameter');
      assert.equal(e.param, 'previous_response_id');
      assert.match(e.message, /stores no responses/);
      return true;
    },
  );
  assert.equal((bodies[bodies.length - 1] as ResponsesRequest).previous_response_id, 'resp_x');
});
