// The simulated OpenAI Responses API (POST /v1/responses) driven by the official openai SDK: answers and every stream
// event checked against the spec's own schemas (Response, ResponseStreamEvent members), reasoning state that must come
// back verified, and the requests the live API refuses.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { startSimUpstream, type SimUpstream } from '../../src/sim/index.js';
import { assertEvent, assertSpec } from '../inbound/responses-helpers.js';

const weather = {
  type: 'function' as const,
  name: 'get_weather',
  parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  strict: false,
};

describe('openai sim: /v1/responses', () => {
  let sim: SimUpstream;
  let client: OpenAI;
  before(async () => {
    sim = await startSimUpstream({ dialect: 'openai' });
    client = new OpenAI({ baseURL: sim.url, apiKey: 'k', maxRetries: 0 });
  });
  after(() => sim.close());

  it('answers text in the spec shape, streamed with the real event sequence and the same text', async () => {
    const ask = { model: 'gpt-4o-mini', instructions: 'Be brief.', input: 'hi there', store: false };
    const r = await client.responses.create(ask);
    assertSpec('Response', r);
    assert.equal(r.output_text, 'Hello from gpt-4o-mini. You said: hi there');
    assert.equal(r.status, 'completed');
    assert.ok(r.usage!.input_tokens > 0 && r.usage!.output_tokens > 0);
    const types: string[] = [];
    let text = '';
    let seq = -1;
    let final: OpenAI.Responses.Response | null = null;
    for await (const ev of await client.responses.create({ ...ask, stream: true })) {
      assertEvent(ev);
      assert.equal(ev.sequence_number, seq + 1);
      seq = ev.sequence_number;
      types.push(ev.type);
      if (ev.type === 'response.output_text.delta') text += ev.delta;
      if (ev.type === 'response.completed') final = ev.response;
    }
    assert.deepEqual(types.slice(0, 4), [
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.content_part.added',
    ]);
    assert.deepEqual(types.slice(-4), [
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.completed',
    ]);
    assert.equal(text, r.output_text);
    assert.deepEqual(final!.usage, r.usage);
  });

  it('reasons on reasoning models: summary and encrypted state on request, which must come back unchanged', async () => {
    const input: OpenAI.Responses.ResponseInputItem[] = [{ role: 'user', content: 'weather in Paris?' }];
    const ask = {
      model: 'o4-mini',
      tools: [weather],
      reasoning: { effort: 'low' as const, summary: 'auto' as const },
      include: ['reasoning.encrypted_content' as const],
      store: false,
    };
    const first = await client.responses.create({ ...ask, input });
    assertSpec('Response', first);
    const rs = first.output[0];
    assert.ok(rs.type === 'reasoning' && rs.summary.length === 1 && /^gAAAAB/.test(rs.encrypted_content ?? ''));
    const call = first.output[1];
    assert.ok(call.type === 'function_call' && call.name === 'get_weather');
    assert.ok(first.usage!.output_tokens_details.reasoning_tokens > 0);
    const next = (reasoning: object) =>
      client.responses.create({
        ...ask,
        input: [
          ...input,
          reasoning as never,
          call,
          { type: 'function_call_output', call_id: call.call_id, output: 'sunny' },
        ],
      });
    const second = await next(rs);
    assert.match(second.output_text, /Tool results: sunny/);
    await assert.rejects(next({ ...rs, encrypted_content: 'gAAAAB-not-ours' }), (e: unknown) => {
      assert.ok(e instanceof OpenAI.BadRequestError);
      assert.match(e.message, /could not be verified/);
      return true;
    });
    // without a summary asked for, the item is there with an empty summary
    const quiet = await client.responses.create({ model: 'o4-mini', input: 'hi' });
    assert.deepEqual(quiet.output[0].type === 'reasoning' && quiet.output[0].summary, []);
  });

  it('calls custom tools with free text, streamed as custom_tool_call_input events', async () => {
    const tools = [{ type: 'custom' as const, name: 'apply_patch' }];
    const r = await client.responses.create({ model: 'gpt-4o-mini', input: 'patch', tools });
    const c = r.output[0];
    assert.ok(c.type === 'custom_tool_call' && c.input === 'example', JSON.stringify(r.output));
    const types: string[] = [];
    for await (const ev of await client.responses.create({
      model: 'gpt-4o-mini',
      input: 'patch',
      tools,
      stream: true,
    })) {
      assertEvent(ev);
      types.push(ev.type);
    }
    assert.ok(
      types.includes('response.custom_tool_call_input.delta') && types.includes('response.custom_tool_call_input.done'),
    );
  });

  it('max_output_tokens cuts to an incomplete response; a scripted mid-stream error is an error event', async () => {
    const r = await client.responses.create({
      model: 'gpt-4o-mini',
      input: 'a long question indeed, one that takes many words to answer',
      max_output_tokens: 16,
      reasoning: null,
    });
    assert.equal(r.status, 'incomplete');
    assert.deepEqual(r.incomplete_details, { reason: 'max_output_tokens' });
    sim.script({ errorEventMidStream: true });
    const types: string[] = [];
    for await (const ev of await client.responses.create({
      model: 'gpt-4o-mini',
      input: 'hello there friend',
      stream: true,
    })) {
      assertEvent(ev);
      types.push(ev.type);
    }
    assert.equal(types.at(-1), 'error');
    assert.equal(types.filter((t) => t === 'response.output_text.delta').length, 2);
  });

  it('refuses what the live API refuses, naming the parameter', async () => {
    const cases: [Record<string, unknown>, string | null, RegExp][] = [
      [{ model: 'gpt-4o-mini', input: 'x', models: ['a'] }, 'models', /Unknown parameter: 'models'/],
      [
        { model: 'gpt-4o-mini', input: 'x', reasoning: { effort: 'low' } },
        'reasoning.effort',
        /not supported with this model/,
      ],
      [{ model: 'o4-mini', input: 'x', temperature: 0.5 }, 'temperature', /Unsupported parameter: 'temperature'/],
      [{ model: 'gpt-4o-mini', input: 'x', include: ['reasoning.encrypted_content'] }, 'include', /Encrypted content/],
      [
        { model: 'gpt-4o-mini', input: [{ type: 'function_call_output', call_id: 'call_x', output: 'y' }] },
        'input',
        /No tool call found for function call output with call_id call_x/,
      ],
      [
        { model: 'gpt-4o-mini', input: [{ role: 'user', content: [{ type: 'text', text: 'x' }] }] },
        'input[0].content[0].type',
        /Invalid value: 'text'/,
      ],
    ];
    for (const [body, param, message] of cases)
      await assert.rejects(client.responses.create(body as never), (e: unknown) => {
        assert.ok(e instanceof OpenAI.BadRequestError, String(e));
        assert.equal(e.param, param, JSON.stringify(body));
        assert.match(e.message, message);
        return true;
      });
  });
});
