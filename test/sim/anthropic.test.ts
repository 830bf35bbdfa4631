import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { startSimUpstream, type SimUpstream } from '../../src/sim/index.js';
import { ANTHROPIC_AUTH, assertSpec, http, parseSse } from './helpers.js';

const WEATHER = {
  name: 'get_weather',
  description: 'Weather by city',
  input_schema: {
    type: 'object',
    properties: { city: { type: 'string' }, days: { type: 'integer' } },
    required: ['city'],
  },
};
const TIME = {
  name: 'get_time',
  input_schema: { type: 'object', properties: { tz: { type: 'string' } }, required: ['tz'] },
};

describe('anthropic sim', () => {
  let sim: SimUpstream;
  const messages = (body: unknown, headers: Record<string, string> = ANTHROPIC_AUTH) =>
    http(`${sim.url}/v1/messages`, { body, headers });
  const errorOf = async (body: unknown) => {
    const r = await messages(body);
    assert.equal(r.status, 400, r.text);
    assertSpec('anthropic-responses', 'ErrorResponse', r.json);
    assert.equal(r.json.type, 'error');
    assert.equal(r.json.error.type, 'invalid_request_error');
    assert.match(r.json.request_id, /^req_/);
    return r.json.error.message as string;
  };

  before(async () => {
    sim = await startSimUpstream({ dialect: 'anthropic' });
  });
  after(() => sim.close());

  it('base URL is the origin; a plain message gets a full Message object', async () => {
    assert.match(sim.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    const r = await messages({
      model: 'claude-sonnet-4-5',
      max_tokens: 256,
      system: 'Be terse.',
      messages: [{ role: 'user', content: 'Hello Claude, please say hi back to me now' }],
    });
    assert.equal(r.status, 200, r.text);
    assertSpec('anthropic-responses', 'Message', r.json);
    assert.match(r.json.id, /^msg_/);
    assert.deepEqual(r.json.content, [
      {
        type: 'text',
        text: 'Hello from claude-sonnet-4-5. You said: Hello Claude, please say hi back to me n',
        citations: null,
      },
    ]);
    assert.equal(r.json.stop_reason, 'end_turn');
    assert.equal(r.json.stop_sequence, null);
    const u = r.json.usage;
    assert.equal(
      u.input_tokens,
      Math.ceil('Be terse.'.length / 4) + Math.ceil('Hello Claude, please say hi back to me now'.length / 4),
    );
    assert.equal(u.output_tokens, Math.ceil(r.json.content[0].text.length / 4));
    assert.deepEqual(
      [u.cache_creation_input_tokens, u.cache_read_input_tokens, u.cache_creation],
      [0, 0, { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 0 }],
    );
    assert.match(r.headers.get('request-id') ?? '', /^req_/);
  });

  it('streams the full event sequence, each event valid against MessageStreamEvent', async () => {
    const r = await messages({
      model: 'claude-sonnet-4-5',
      max_tokens: 4096,
      stream: true,
      thinking: { type: 'enabled', budget_tokens: 2048 },
      messages: [{ role: 'user', content: 'What is the weather in Paris?' }],
      tools: [WEATHER],
    });
    assert.equal(r.status, 200);
    const events = parseSse(r.text);
    for (const e of events) {
      const data = JSON.parse(e.data);
      assert.equal(data.type, e.event);
      assertSpec('anthropic-responses', 'MessageStreamEvent', data);
    }
    const names = events.map((e) => e.event);
    assert.equal(names[0], 'message_start');
    assert.deepEqual(names.slice(-2), ['message_delta', 'message_stop']);
    assert.ok(names.includes('ping'));
    const data = events.map((e) => JSON.parse(e.data));
    const starts = data.filter((d) => d.type === 'content_block_start').map((d) => d.content_block.type);
    assert.deepEqual(starts, ['thinking', 'text', 'tool_use']);
    // per-block: start, deltas, stop with the same index
    for (let i = 0; i < 3; i++) {
      const evs = data.filter((d) => d.index === i).map((d) => d.type);
      assert.equal(evs[0], 'content_block_start');
      assert.equal(evs.at(-1), 'content_block_stop');
    }
    const thinking = data
      .filter((d) => d.delta?.type === 'thinking_delta')
      .map((d) => d.delta.thinking)
      .join('');
    assert.ok(thinking.length > 0);
    assert.equal(data.filter((d) => d.delta?.type === 'signature_delta').length, 1);
    const text = data
      .filter((d) => d.delta?.type === 'text_delta')
      .map((d) => d.delta.text)
      .join('');
    assert.equal(text, "I'll use the get_weather tool.");
    const json = data.filter((d) => d.delta?.type === 'input_json_delta').map((d) => d.delta.partial_json);
    assert.equal(json[0], '');
    assert.ok(json.length >= 3, 'input JSON arrives in several pieces');
    assert.deepEqual(JSON.parse(json.join('')), { city: 'example' });
    const toolStart = data.find((d) => d.content_block?.type === 'tool_use');
    assert.match(toolStart.content_block.id, /^toolu_[A-Za-z0-9]{24}$/);
    assert.deepEqual(toolStart.content_block.input, {});
    const md = data.find((d) => d.type === 'message_delta');
    assert.equal(md.delta.stop_reason, 'tool_use');
    assert.equal(data[0].message.usage.output_tokens, 1);
    assert.ok(md.usage.output_tokens > 1 && md.usage.input_tokens === data[0].message.usage.input_tokens);
  });

  it('non-stream thinking + tool_use blocks; forced tool without preamble; parallel first two tools', async () => {
    const t = await messages({
      model: 'claude-sonnet-4-5',
      max_tokens: 4096,
      thinking: { type: 'enabled', budget_tokens: 1024 },
      messages: [{ role: 'user', content: 'hi' }],
    });
    assertSpec('anthropic-responses', 'Message', t.json);
    assert.equal(t.json.content[0].type, 'thinking');
    assert.ok(t.json.content[0].signature.length > 10);
    assert.equal(
      t.json.usage.output_tokens,
      Math.ceil(t.json.content[0].thinking.length / 4) + Math.ceil(t.json.content[1].text.length / 4),
    );

    const forced = await messages({
      model: 'claude-sonnet-4-5',
      max_tokens: 100,
      tools: [WEATHER, TIME],
      tool_choice: { type: 'tool', name: 'get_time' },
      messages: [{ role: 'user', content: 'x' }],
    });
    assert.deepEqual(
      forced.json.content.map((b: any) => b.type),
      ['tool_use'],
    );
    assert.equal(forced.json.content[0].name, 'get_time');
    assert.deepEqual(forced.json.content[0].input, { tz: 'example' });
    assert.equal(forced.json.stop_reason, 'tool_use');

    const par = await messages({
      model: 'claude-sonnet-4-5',
      max_tokens: 100,
      tools: [WEATHER, TIME],
      messages: [{ role: 'user', content: 'x' }],
    });
    assert.deepEqual(
      par.json.content.filter((b: any) => b.type === 'tool_use').map((b: any) => b.name),
      ['get_weather', 'get_time'],
    );
    const single = await messages({
      model: 'claude-sonnet-4-5',
      max_tokens: 100,
      tools: [WEATHER, TIME],
      tool_choice: { type: 'auto', disable_parallel_tool_use: true },
      messages: [{ role: 'user', content: 'x' }],
    });
    assert.equal(single.json.content.filter((b: any) => b.type === 'tool_use').length, 1);
  });

  it('a tool round trip: tool_result answered with the quoted results; images counted', async () => {
    const r = await messages({
      model: 'claude-sonnet-4-5',
      max_tokens: 200,
      tools: [WEATHER],
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Weather?' },
            { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' } },
          ],
        },
        {
          role: 'assistant',
          content: [{ type: 'tool_use', id: 'toolu_01', name: 'get_weather', input: { city: 'Paris' } }],
        },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_01', content: '18C, cloudy' }] },
      ],
    });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.content[0].text, 'Tool results: 18C, cloudy I see 1 image(s).');
    const img = await messages({
      model: 'claude-sonnet-4-5',
      max_tokens: 200,
      messages: [
        {
          role: 'user',
          content: [
            { type: 'image', source: { type: 'url', url: 'https://example.com/a.png' } },
            { type: 'image', source: { type: 'base64', media_type: 'image/jpeg', data: '/9j/' } },
            { type: 'text', text: 'two' },
          ],
        },
      ],
    });
    assert.equal(img.json.content[0].text, 'Hello from claude-sonnet-4-5. You said: two I see 2 image(s).');
  });

  it('JSON output via output_config.format and max_tokens / stop_sequence endings', async () => {
    const schema = {
      type: 'object',
      properties: { answer: { type: 'string' }, score: { type: 'number', maximum: 0.5 } },
      required: ['answer', 'score'],
      additionalProperties: false,
    };
    const r = await messages({
      model: 'claude-sonnet-4-5',
      max_tokens: 200,
      output_config: { format: { type: 'json_schema', schema } },
      messages: [{ role: 'user', content: 'rate' }],
    });
    assert.equal(r.status, 200, r.text);
    const parsed = JSON.parse(r.json.content[0].text);
    assert.ok(new Ajv2020().validate(schema, parsed));
    const cut = await messages({
      model: 'claude-sonnet-4-5',
      max_tokens: 2,
      messages: [{ role: 'user', content: 'x' }],
    });
    assert.equal(cut.json.stop_reason, 'max_tokens');
    assert.equal(cut.json.content[0].text, 'Hello fr');
    const stop = await messages({
      model: 'claude-sonnet-4-5',
      max_tokens: 100,
      stop_sequences: ['You said'],
      messages: [{ role: 'user', content: 'x' }],
    });
    assert.equal(stop.json.stop_reason, 'stop_sequence');
    assert.equal(stop.json.stop_sequence, 'You said');
    assert.equal(stop.json.content[0].text, 'Hello from claude-sonnet-4-5. ');
  });

  it('rejects invalid requests with the API’s messages', async () => {
    const base = { model: 'claude-sonnet-4-5', max_tokens: 100, messages: [{ role: 'user', content: 'hi' }] };
    assert.equal(
      await errorOf({ model: 'claude-sonnet-4-5', messages: [{ role: 'user', content: 'hi' }] }),
      'max_tokens: Field required',
    );
    assert.equal(await errorOf({ ...base, messages: [] }), 'messages: at least one message is required');
    assert.equal(
      await errorOf({ ...base, messages: [{ role: 'system', content: 'x' }] }),
      "messages.0.role: Input should be 'user' or 'assistant'",
    );
    assert.equal(
      await errorOf({ ...base, messages: [{ role: 'user', content: [{ type: 'text', text: '' }] }] }),
      'messages: text content blocks must be non-empty',
    );
    assert.equal(
      await errorOf({ ...base, messages: [{ role: 'user', content: [{ type: 'text', text: '  ' }] }] }),
      'messages: text content blocks must contain non-whitespace text',
    );
    assert.equal(
      await errorOf({ ...base, thinking: { type: 'enabled', budget_tokens: 512 } }),
      'thinking.enabled.budget_tokens: Input should be greater than or equal to 1024',
    );
    assert.match(
      await errorOf({ ...base, thinking: { type: 'enabled', budget_tokens: 1024 } }),
      /^`max_tokens` must be greater than `thinking.budget_tokens`/,
    );
    assert.equal(await errorOf({ ...base, temperature: 1.5 }), 'temperature: Input should be less than or equal to 1');
    assert.match(await errorOf({ ...base, temperature: 0.5, top_p: 0.9 }), /^`temperature` and `top_p` cannot both/);
    assert.match(await errorOf({ ...base, stop_sequences: ['\n\n', ' '] }), /^stop_sequences: /);
    assert.equal(await errorOf({ ...base, foo: 1 }), 'foo: Extra inputs are not permitted');
    assert.equal(
      await errorOf({
        ...base,
        messages: [
          {
            role: 'user',
            content: [{ type: 'image', source: { type: 'base64', media_type: 'image/bmp', data: 'AA==' } }],
          },
        ],
      }),
      "messages.0.content.0.image.source.base64.media_type: Input should be 'image/jpeg', 'image/png', 'image/gif' or 'image/webp'",
    );
    assert.equal(
      await errorOf({
        ...base,
        messages: [
          { role: 'user', content: 'x' },
          { role: 'assistant', content: 'ok' },
          { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_x', content: 'r' }] },
        ],
      }),
      'messages.2.content.0: unexpected `tool_use_id` found in `tool_result` blocks: toolu_x. Each `tool_result` block must have a corresponding `tool_use` block in the previous message.',
    );
    assert.equal(
      await errorOf({
        ...base,
        messages: [
          { role: 'user', content: 'x' },
          { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_a', name: 'f', input: {} }] },
          { role: 'user', content: 'no result' },
        ],
      }),
      'messages.1: `tool_use` ids were found without `tool_result` blocks immediately after: toolu_a. Each `tool_use` block must have a corresponding `tool_result` block in the next message.',
    );
    assert.match(
      await errorOf({ ...base, messages: [{ role: 'user', content: [{ type: 'bogus' }] }] }),
      /^messages\.0\.content\.0: Input tag 'bogus' found using 'type' does not match any of the expected tags: 'text', 'image'/,
    );
  });

  it('thinking in tool loops: the assistant turn must start with its thinking block, signatures must match', async () => {
    const first = await messages({
      model: 'claude-sonnet-4-5',
      max_tokens: 4096,
      thinking: { type: 'enabled', budget_tokens: 1024 },
      tools: [WEATHER],
      messages: [{ role: 'user', content: 'Weather?' }],
    });
    const blocks = first.json.content;
    assert.deepEqual(
      blocks.map((b: any) => b.type),
      ['thinking', 'text', 'tool_use'],
    );
    const toolUse = blocks[2];
    const loop = (assistant: unknown[]) => ({
      model: 'claude-sonnet-4-5',
      max_tokens: 4096,
      thinking: { type: 'enabled', budget_tokens: 1024 },
      tools: [WEATHER],
      messages: [
        { role: 'user', content: 'Weather?' },
        { role: 'assistant', content: assistant },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: toolUse.id, content: 'sunny' }] },
      ],
    });
    const ok = await messages(loop(blocks));
    assert.equal(ok.status, 200, ok.text);
    assert.equal(ok.json.content.at(-1).text, 'Tool results: sunny');
    assert.equal(
      await errorOf(loop(blocks.slice(1))),
      'messages.1.content.0.type: Expected `thinking` or `redacted_thinking`, but found `text`. When `thinking` is enabled, a final `assistant` message must start with a thinking block (preceeding the lastmost set of `tool_use` and `tool_result` blocks). We recommend you include thinking blocks from previous turns. To avoid this requirement, disable `thinking`. Please consult our documentation at https://docs.claude.com/en/docs/build-with-claude/extended-thinking',
    );
    const tampered = [{ ...blocks[0], thinking: blocks[0].thinking + ' (edited)' }, ...blocks.slice(1)];
    assert.equal(await errorOf(loop(tampered)), 'messages.1.content.0: Invalid `signature` in `thinking` block');
  });

  it('headers: missing key 401, wrong key 401, missing/invalid anthropic-version 400', async () => {
    const noKey = await messages({ model: 'm', max_tokens: 1, messages: [] }, { 'anthropic-version': '2023-06-01' });
    assert.equal(noKey.status, 401);
    assert.deepEqual(noKey.json.error, { type: 'authentication_error', message: 'x-api-key header is required' });
    assertSpec('anthropic-responses', 'ErrorResponse', noKey.json);
    const noVersion = await messages({ model: 'm', max_tokens: 1, messages: [] }, { 'x-api-key': 'k' });
    assert.equal(noVersion.status, 400);
    assert.deepEqual(noVersion.json.error, {
      type: 'invalid_request_error',
      message: 'anthropic-version: header is required',
    });
    const badVersion = await messages(
      { model: 'm', max_tokens: 1, messages: [] },
      { 'x-api-key': 'k', 'anthropic-version': '2099-01-01' },
    );
    assert.equal(badVersion.json.error.message, 'anthropic-version: "2099-01-01" is not a valid version');
    const keyed = await startSimUpstream({ dialect: 'anthropic', apiKey: 'right' });
    try {
      const wrong = await http(`${keyed.url}/v1/messages`, {
        body: {},
        headers: { ...ANTHROPIC_AUTH, 'x-api-key': 'wrong' },
      });
      assert.equal(wrong.status, 401);
      assert.deepEqual(wrong.json.error, { type: 'authentication_error', message: 'invalid x-api-key' });
    } finally {
      await keyed.close();
    }
  });

  it('prompt caching: cache_control breakpoints write, then read, the cached prefix', async () => {
    const big = 'cached context '.repeat(400);
    const body = (q: string) => ({
      model: 'claude-sonnet-4-5',
      max_tokens: 50,
      system: [{ type: 'text', text: big, cache_control: { type: 'ephemeral' } }],
      messages: [{ role: 'user', content: q }],
    });
    const sysTokens = Math.ceil(big.length / 4);
    const first = await messages(body('one'));
    assert.equal(first.json.usage.cache_creation_input_tokens, sysTokens);
    assert.equal(first.json.usage.cache_creation.ephemeral_5m_input_tokens, sysTokens);
    assert.equal(first.json.usage.cache_read_input_tokens, 0);
    assert.equal(first.json.usage.input_tokens, 1);
    const second = await messages(body('two'));
    assert.equal(second.json.usage.cache_read_input_tokens, sysTokens);
    assert.equal(second.json.usage.cache_creation_input_tokens, 0);
    assert.equal(second.json.usage.input_tokens, 1);
    const small = await messages({
      model: 'claude-sonnet-4-5',
      max_tokens: 50,
      system: [{ type: 'text', text: 'short', cache_control: { type: 'ephemeral' } }],
      messages: [{ role: 'user', content: 'x' }],
    });
    assert.equal(small.json.usage.cache_creation_input_tokens, 0, 'below the 1024-token minimum nothing is cached');
  });

  it('count_tokens and models', async () => {
    const c = await http(`${sim.url}/v1/messages/count_tokens`, {
      headers: ANTHROPIC_AUTH,
      body: { model: 'claude-sonnet-4-5', messages: [{ role: 'user', content: 'hello there' }] },
    });
    assert.deepEqual(c.json, { input_tokens: 3 });
    const m = await http(`${sim.url}/v1/models`, { headers: ANTHROPIC_AUTH });
    assert.equal(m.status, 200);
    assert.equal(m.json.has_more, false);
    assert.equal(m.json.data[0].type, 'model');
  });
});
