import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { startSimUpstream, type SimUpstream } from '../../src/sim/index.js';
import { assertSpec, http, parseSse, OPENAI_AUTH } from './helpers.js';

const WEATHER_TOOL = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'Weather by city',
    parameters: {
      type: 'object',
      properties: {
        city: { type: 'string' },
        unit: { type: 'string', enum: ['celsius', 'fahrenheit'] },
        days: { type: 'integer', minimum: 1 },
      },
      required: ['city', 'unit'],
    },
  },
};
const TIME_TOOL = {
  type: 'function',
  function: {
    name: 'get_time',
    parameters: { type: 'object', properties: { tz: { type: 'string' } }, required: ['tz'] },
  },
};

describe('openai sim', () => {
  let sim: SimUpstream;
  let client: OpenAI;
  const chat = (body: unknown, headers: Record<string, string> = OPENAI_AUTH) =>
    http(`${sim.url}/chat/completions`, { body, headers });

  before(async () => {
    sim = await startSimUpstream({ dialect: 'openai' });
    client = new OpenAI({ baseURL: sim.url, apiKey: 'k', maxRetries: 0 });
  });
  after(() => sim.close());

  it('serves /v1 and answers a plain chat completion in the documented shape', async () => {
    assert.match(sim.url, /^http:\/\/127\.0\.0\.1:\d+\/v1$/);
    const r = await chat({
      model: 'gpt-4o-mini',
      messages: [
        { role: 'system', content: 'Be terse.' },
        { role: 'user', content: 'What is the capital of France, and why is it Paris?' },
      ],
    });
    assert.equal(r.status, 200);
    assertSpec('openai-responses', 'CreateChatCompletionResponse', r.json);
    assert.equal(r.json.object, 'chat.completion');
    assert.equal(
      r.json.choices[0].message.content,
      'Hello from gpt-4o-mini. You said: What is the capital of France, and why i',
    );
    assert.equal(r.json.choices[0].finish_reason, 'stop');
    const u = r.json.usage;
    assert.equal(
      u.prompt_tokens,
      Math.ceil('Be terse.'.length / 4) + Math.ceil('What is the capital of France, and why is it Paris?'.length / 4),
    );
    assert.equal(u.completion_tokens, Math.ceil(r.json.choices[0].message.content.length / 4));
    assert.equal(u.total_tokens, u.prompt_tokens + u.completion_tokens);
    assert.deepEqual(Object.keys(u.prompt_tokens_details).sort(), ['audio_tokens', 'cached_tokens']);
    assert.equal(u.completion_tokens_details.reasoning_tokens, 0);
    assert.ok(r.headers.get('x-request-id'));
    assert.equal(sim.requests.at(-1)?.path, '/v1/chat/completions');
  });

  it('works with the official openai SDK, non-stream and stream', async () => {
    const res = await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] });
    assert.equal(res.choices[0].message.content, 'Hello from gpt-4o. You said: hi');
    const stream = await client.chat.completions.create({
      model: 'gpt-4o',
      messages: [{ role: 'user', content: 'tell me something nice' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let usage: OpenAI.CompletionUsage | null | undefined;
    let finish: string | null = null;
    let n = 0;
    for await (const chunk of stream) {
      n++;
      text += chunk.choices[0]?.delta?.content ?? '';
      finish = chunk.choices[0]?.finish_reason ?? finish;
      if (chunk.usage) usage = chunk.usage;
    }
    assert.equal(text, 'Hello from gpt-4o. You said: tell me something nice');
    assert.equal(finish, 'stop');
    assert.ok(n > 4, 'text arrives in several chunks');
    assert.equal(usage?.completion_tokens, Math.ceil(text.length / 4));
  });

  it('streams data-only SSE with usage:null on every chunk, a choices:[] usage chunk, then [DONE]', async () => {
    const r = await chat({
      model: 'gpt-4o-mini',
      stream: true,
      stream_options: { include_usage: true },
      messages: [{ role: 'user', content: 'one two three four five' }],
    });
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type') ?? '', /text\/event-stream/);
    assert.ok(!r.text.includes('event:'));
    const events = parseSse(r.text);
    assert.equal(events.at(-1)?.data, '[DONE]');
    const chunks = events.slice(0, -1).map((e) => JSON.parse(e.data));
    for (const c of chunks) assertSpec('openai-responses', 'CreateChatCompletionStreamResponse', c);
    assert.deepEqual(chunks[0].choices[0].delta, { role: 'assistant', content: '', refusal: null });
    const last = chunks.at(-1);
    assert.deepEqual(last.choices, []);
    assert.equal(last.usage.total_tokens, last.usage.prompt_tokens + last.usage.completion_tokens);
    for (const c of chunks.slice(0, -1)) assert.equal(c.usage, null);
    assert.equal(new Set(chunks.map((c) => c.id)).size, 1);
    const finishChunk = chunks.at(-2);
    assert.deepEqual(finishChunk.choices[0].delta, {});
    assert.equal(finishChunk.choices[0].finish_reason, 'stop');
  });

  it('without include_usage the stream has no usage field at all', async () => {
    const r = await chat({ model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'hi' }] });
    const chunks = parseSse(r.text)
      .slice(0, -1)
      .map((e) => JSON.parse(e.data));
    assert.ok(chunks.every((c) => !('usage' in c)));
  });

  it('calls the first tool with arguments generated from its schema', async () => {
    const r = await chat({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'Weather in Paris?' }],
      tools: [WEATHER_TOOL],
      tool_choice: 'auto',
    });
    assertSpec('openai-responses', 'CreateChatCompletionResponse', r.json);
    const msg = r.json.choices[0].message;
    assert.equal(r.json.choices[0].finish_reason, 'tool_calls');
    assert.equal(msg.content, null);
    assert.equal(msg.tool_calls.length, 1);
    assert.match(msg.tool_calls[0].id, /^call_[A-Za-z0-9]{24}$/);
    assert.equal(msg.tool_calls[0].function.name, 'get_weather');
    assert.deepEqual(JSON.parse(msg.tool_calls[0].function.arguments), { city: 'example', unit: 'celsius' });
  });

  it('makes parallel calls to the first two tools, or one when parallel_tool_calls is false / a tool is forced', async () => {
    const two = await chat({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'Weather and time?' }],
      tools: [WEATHER_TOOL, TIME_TOOL],
    });
    assert.deepEqual(
      two.json.choices[0].message.tool_calls.map((c: any) => c.function.name),
      ['get_weather', 'get_time'],
    );
    const one = await chat({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'Weather and time?' }],
      tools: [WEATHER_TOOL, TIME_TOOL],
      parallel_tool_calls: false,
    });
    assert.equal(one.json.choices[0].message.tool_calls.length, 1);
    const forced = await chat({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'x' }],
      tools: [WEATHER_TOOL, TIME_TOOL],
      tool_choice: { type: 'function', function: { name: 'get_time' } },
    });
    assert.deepEqual(
      forced.json.choices[0].message.tool_calls.map((c: any) => c.function.name),
      ['get_time'],
    );
    const none = await chat({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'x' }],
      tools: [WEATHER_TOOL],
      tool_choice: 'none',
    });
    assert.equal(none.json.choices[0].message.tool_calls, undefined);
  });

  it('streams tool calls: first fragment with id/name and empty arguments, then argument fragments', async () => {
    const r = await chat({
      model: 'gpt-4o-mini',
      stream: true,
      messages: [{ role: 'user', content: 'Weather and time?' }],
      tools: [WEATHER_TOOL, TIME_TOOL],
    });
    const chunks = parseSse(r.text)
      .slice(0, -1)
      .map((e) => JSON.parse(e.data));
    const args: Record<number, string> = {};
    const heads: any[] = [];
    for (const c of chunks)
      for (const tc of c.choices[0]?.delta?.tool_calls ?? []) {
        if (tc.id) {
          heads.push(tc);
          assert.equal(tc.function.arguments, '');
        }
        args[tc.index] = (args[tc.index] ?? '') + (tc.function.arguments ?? '');
      }
    assert.deepEqual(
      heads.map((h) => [h.index, h.function.name, h.type]),
      [
        [0, 'get_weather', 'function'],
        [1, 'get_time', 'function'],
      ],
    );
    assert.deepEqual(JSON.parse(args[0]), { city: 'example', unit: 'celsius' });
    assert.deepEqual(JSON.parse(args[1]), { tz: 'example' });
    assert.equal(
      chunks.filter((c) => c.choices[0]?.delta?.tool_calls?.[0]?.index === 0).length > 2,
      true,
      'arguments in several fragments',
    );
    assert.equal(chunks.at(-1).choices[0].finish_reason, 'tool_calls');
  });

  it('answers tool results by quoting them', async () => {
    const r = await chat({
      model: 'gpt-4o-mini',
      tools: [WEATHER_TOOL],
      messages: [
        { role: 'user', content: 'Weather?' },
        {
          role: 'assistant',
          content: null,
          tool_calls: [
            { id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
            { id: 'call_2', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Rome"}' } },
          ],
        },
        { role: 'tool', tool_call_id: 'call_1', content: '18C, cloudy' },
        { role: 'tool', tool_call_id: 'call_2', content: [{ type: 'text', text: '25C, sunny' }] },
      ],
    });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.choices[0].message.content, 'Tool results: 18C, cloudy; 25C, sunny');
  });

  it('mentions images, returns JSON for json_schema / json_object, and reasoning_content for reasoning_effort', async () => {
    const img = await chat({
      model: 'gpt-4o',
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What is this?' },
            { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
          ],
        },
      ],
    });
    assert.equal(img.json.choices[0].message.content, 'Hello from gpt-4o. You said: What is this? I see 1 image(s).');
    assert.equal(img.json.usage.prompt_tokens, Math.ceil('What is this?'.length / 4) + 85);

    const schema = {
      type: 'object',
      properties: {
        name: { type: 'string' },
        age: { type: 'integer', minimum: 18 },
        tags: { type: 'array', items: { type: 'string' } },
        kind: { enum: ['a', 'b'] },
      },
      required: ['name', 'age', 'tags', 'kind'],
      additionalProperties: false,
    };
    const js = await chat({
      model: 'gpt-4o',
      messages: [{ role: 'user', content: 'person' }],
      response_format: { type: 'json_schema', json_schema: { name: 'person', schema, strict: true } },
    });
    const parsed = JSON.parse(js.json.choices[0].message.content);
    assert.ok(new Ajv2020().validate(schema, parsed), JSON.stringify(parsed));
    assert.deepEqual(parsed, { name: 'example', age: 18, tags: ['example'], kind: 'a' });

    const jo = await chat({
      model: 'gpt-4o',
      messages: [{ role: 'user', content: 'answer in JSON' }],
      response_format: { type: 'json_object' },
    });
    assert.deepEqual(JSON.parse(jo.json.choices[0].message.content), {
      reply: 'Hello from gpt-4o. You said: answer in JSON',
    });

    const rs = await chat({
      model: 'o4-mini',
      reasoning_effort: 'high',
      messages: [{ role: 'user', content: 'think' }],
    });
    const m = rs.json.choices[0].message;
    assert.equal(typeof m.reasoning_content, 'string');
    assert.equal(rs.json.usage.completion_tokens_details.reasoning_tokens, Math.ceil(m.reasoning_content.length / 4));
    assert.equal(
      rs.json.usage.completion_tokens,
      Math.ceil(m.reasoning_content.length / 4) + Math.ceil(m.content.length / 4),
    );
    const st = parseSse(
      (
        await chat({
          model: 'o4-mini',
          reasoning_effort: 'low',
          stream: true,
          messages: [{ role: 'user', content: 'think' }],
        })
      ).text,
    );
    const reasoning = st
      .slice(0, -1)
      .map((e) => JSON.parse(e.data).choices[0]?.delta?.reasoning_content ?? '')
      .join('');
    assert.equal(reasoning, m.reasoning_content);
  });

  it('respects max_completion_tokens (finish length) and stop sequences', async () => {
    const r = await chat({
      model: 'gpt-4o-mini',
      max_completion_tokens: 3,
      messages: [{ role: 'user', content: 'a long question here' }],
    });
    assert.equal(r.json.choices[0].finish_reason, 'length');
    assert.equal(r.json.choices[0].message.content, 'Hello from g');
    assert.equal(r.json.usage.completion_tokens, 3);
    const s = await chat({ model: 'gpt-4o-mini', stop: ['. You'], messages: [{ role: 'user', content: 'x' }] });
    assert.equal(s.json.choices[0].message.content, 'Hello from gpt-4o-mini');
    assert.equal(s.json.choices[0].finish_reason, 'stop');
  });

  it('returns logprobs when asked (non-stream and per stream chunk)', async () => {
    const r = await chat({
      model: 'gpt-4o-mini',
      logprobs: true,
      top_logprobs: 2,
      messages: [{ role: 'user', content: 'hi' }],
    });
    assertSpec('openai-responses', 'CreateChatCompletionResponse', r.json);
    const lp = r.json.choices[0].logprobs;
    assert.equal(lp.content.map((t: any) => t.token).join(''), r.json.choices[0].message.content);
    assert.equal(lp.content[0].top_logprobs.length, 2);
    const s = await chat({
      model: 'gpt-4o-mini',
      logprobs: true,
      stream: true,
      messages: [{ role: 'user', content: 'hi' }],
    });
    const chunks = parseSse(s.text)
      .slice(0, -1)
      .map((e) => JSON.parse(e.data));
    for (const c of chunks) assertSpec('openai-responses', 'CreateChatCompletionStreamResponse', c);
    const text = chunks
      .filter((c) => c.choices[0]?.delta?.content)
      .map((c) => c.choices[0].logprobs.content.map((t: any) => t.token).join(''))
      .join('');
    assert.equal(text, r.json.choices[0].message.content);
  });

  it('rejects invalid requests with the real error shape and wording', async () => {
    const cases: Array<[unknown, number, string, string | null, string | null]> = [
      [
        { model: 'gpt-4o-mini' },
        400,
        "Missing required parameter: 'messages'.",
        'messages',
        'missing_required_parameter',
      ],
      [
        { model: 'gpt-4o-mini', messages: [] },
        400,
        "Invalid 'messages': empty array. Expected an array with minimum length 1, but got an empty array instead.",
        'messages',
        'empty_array',
      ],
      [
        { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x' }], foo: 1 },
        400,
        "Unknown parameter: 'foo'.",
        'foo',
        'unknown_parameter',
      ],
      [
        {
          model: 'gpt-4o-mini',
          messages: [{ role: 'user', content: [{ type: 'text', text: 'x', cache_control: { type: 'ephemeral' } }] }],
        },
        400,
        "Unknown parameter: 'messages[0].content[0].cache_control'.",
        'messages[0].content[0].cache_control',
        'unknown_parameter',
      ],
      [
        {
          model: 'gpt-4o-mini',
          messages: [
            { role: 'user', content: 'x' },
            { role: 'assistant', content: 'y', reasoning_content: 'r' },
            { role: 'user', content: 'z' },
          ],
        },
        400,
        "Unknown parameter: 'messages[1].reasoning_content'.",
        'messages[1].reasoning_content',
        'unknown_parameter',
      ],
      [
        { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x' }], temperature: 3 },
        400,
        "Invalid 'temperature': decimal above maximum value. Expected a value <= 2, but got 3 instead.",
        'temperature',
        'decimal_above_max_value',
      ],
      [
        { model: 'gpt-4o-mini', messages: [{ role: 'robot', content: 'x' }] },
        400,
        "Invalid value: 'robot'. Supported values are: 'developer', 'system', 'user', 'assistant', 'tool', and 'function'.",
        'messages[0].role',
        'invalid_value',
      ],
      [
        {
          model: 'gpt-4o-mini',
          messages: [
            { role: 'user', content: 'x' },
            { role: 'tool', tool_call_id: 'call_1', content: 'r' },
          ],
        },
        400,
        "Invalid parameter: messages with role 'tool' must be a response to a preceeding message with 'tool_calls'.",
        'messages.[1].role',
        null,
      ],
      [
        {
          model: 'gpt-4o-mini',
          messages: [
            { role: 'user', content: 'x' },
            {
              role: 'assistant',
              tool_calls: [{ id: 'call_9', type: 'function', function: { name: 'f', arguments: '{}' } }],
            },
            { role: 'user', content: 'y' },
          ],
        },
        400,
        "An assistant message with 'tool_calls' must be followed by tool messages responding to each 'tool_call_id'. The following tool_call_ids did not have response messages: call_9",
        'messages.[1].role',
        null,
      ],
      [
        { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x' }], stream_options: { include_usage: true } },
        400,
        "The 'stream_options' parameter is only allowed when 'stream' is enabled.",
        'stream_options',
        null,
      ],
      [
        { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x' }], response_format: { type: 'json_object' } },
        400,
        "'messages' must contain the word 'json' in some form, to use 'response_format' of type 'json_object'.",
        'messages',
        null,
      ],
    ];
    for (const [body, status, message, param, code] of cases) {
      const r = await chat(body);
      assert.equal(r.status, status, JSON.stringify(body));
      assertSpec('openai-responses', 'ErrorResponse', r.json);
      assert.deepEqual(r.json, { error: { message, type: 'invalid_request_error', param, code } });
    }
    const strict = await chat({
      model: 'gpt-4o',
      messages: [{ role: 'user', content: 'x' }],
      response_format: {
        type: 'json_schema',
        json_schema: { name: 'p', strict: true, schema: { type: 'object', properties: { a: { type: 'string' } } } },
      },
    });
    assert.equal(strict.status, 400);
    assert.match(
      strict.json.error.message,
      /^Invalid schema for response_format 'p': In context=\(\), 'additionalProperties' is required to be supplied and to be false\.$/,
    );
    const bad = await http(`${sim.url}/chat/completions`, { body: '{"model":', headers: OPENAI_AUTH });
    assert.equal(bad.status, 400);
    assert.match(bad.json.error.message, /^We could not parse the JSON body of your request/);
  });

  it('checks the API key (missing → 401, wrong → 401 invalid_api_key) and unknown URLs', async () => {
    const none = await chat({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x' }] }, {});
    assert.equal(none.status, 401);
    assert.match(none.json.error.message, /^You didn't provide an API key/);
    const keyed = await startSimUpstream({ dialect: 'openai', apiKey: 'sk-right-key-1234' });
    try {
      const wrong = await http(`${keyed.url}/chat/completions`, {
        body: { model: 'm', messages: [{ role: 'user', content: 'x' }] },
        headers: { authorization: 'Bearer sk-wrong-key-5678' },
      });
      assert.equal(wrong.status, 401);
      assert.equal(wrong.json.error.code, 'invalid_api_key');
      assert.match(wrong.json.error.message, /^Incorrect API key provided: sk-\*+5678\./);
      const ok = await http(`${keyed.url}/models`, { headers: { authorization: 'Bearer sk-right-key-1234' } });
      assert.equal(ok.status, 200);
    } finally {
      await keyed.close();
    }
    const nf = await http(`${sim.url}/nope`, { headers: OPENAI_AUTH, body: {} });
    assert.equal(nf.status, 404);
    assert.equal(nf.json.error.message, 'Invalid URL (POST /v1/nope)');
  });

  it('lists models; with a model list, unknown models get model_not_found', async () => {
    const list = await client.models.list();
    assert.ok(list.data.some((m) => m.id === 'gpt-4o-mini'));
    const r = await http(`${sim.url}/models`, { headers: OPENAI_AUTH });
    assertSpec('openai-responses', 'ListModelsResponse', r.json);
    const only = await startSimUpstream({ dialect: 'openai', models: ['m1'] });
    try {
      const nf = await http(`${only.url}/chat/completions`, {
        body: { model: 'm2', messages: [{ role: 'user', content: 'x' }] },
        headers: OPENAI_AUTH,
      });
      assert.equal(nf.status, 404);
      assert.equal(nf.json.error.code, 'model_not_found');
    } finally {
      await only.close();
    }
  });

  it('embeddings: deterministic float vectors, dimensions, base64 as little-endian float32, usage', async () => {
    const a = await http(`${sim.url}/embeddings`, {
      headers: OPENAI_AUTH,
      body: { model: 'text-embedding-3-small', input: ['hello world', 'bye'], encoding_format: 'float' },
    });
    assert.equal(a.status, 200);
    assertSpec('openai-responses', 'CreateEmbeddingResponse', a.json);
    assert.equal(a.json.data.length, 2);
    assert.equal(a.json.data[0].embedding.length, 8);
    assert.deepEqual(a.json.usage, { prompt_tokens: Math.ceil(11 / 4) + 1, total_tokens: Math.ceil(11 / 4) + 1 });
    const again = await http(`${sim.url}/embeddings`, {
      headers: OPENAI_AUTH,
      body: { model: 'text-embedding-3-small', input: 'hello world' },
    });
    assert.deepEqual(again.json.data[0].embedding, a.json.data[0].embedding);
    assert.notDeepEqual(a.json.data[1].embedding, a.json.data[0].embedding);
    const b64 = await http(`${sim.url}/embeddings`, {
      headers: OPENAI_AUTH,
      body: { model: 'text-embedding-3-small', input: 'hello world', encoding_format: 'base64' },
    });
    const buf = Buffer.from(b64.json.data[0].embedding, 'base64');
    const floats = Array.from({ length: buf.length / 4 }, (_, i) => buf.readFloatLE(i * 4));
    assert.deepEqual(floats, a.json.data[0].embedding);
    const dims = await client.embeddings.create({
      model: 'text-embedding-3-large',
      input: 'hello world',
      dimensions: 16,
    });
    assert.equal(dims.data[0].embedding.length, 16);
    const sdk = await client.embeddings.create({ model: 'text-embedding-3-small', input: 'hello world' });
    assert.deepEqual(sdk.data[0].embedding, a.json.data[0].embedding, 'SDK decodes our base64 to the same floats');
    const bad = await http(`${sim.url}/embeddings`, {
      headers: OPENAI_AUTH,
      body: { model: 'text-embedding-3-small', input: 'x', foo: 1 },
    });
    assert.deepEqual(bad.json, {
      error: {
        message: "Unknown parameter: 'foo'.",
        type: 'invalid_request_error',
        param: 'foo',
        code: 'unknown_parameter',
      },
    });
  });

  it('reports cached prompt tokens for a repeated long prefix (>= 1024 tokens, 128-token steps)', async () => {
    const long = 'lorem ipsum '.repeat(400);
    const body = {
      model: 'gpt-4o-mini',
      messages: [
        { role: 'system', content: long },
        { role: 'user', content: 'first' },
      ],
    };
    const first = await chat(body);
    assert.equal(first.json.usage.prompt_tokens_details.cached_tokens, 0);
    const second = await chat({
      ...body,
      messages: [...body.messages, { role: 'assistant', content: 'ok' }, { role: 'user', content: 'second' }],
    });
    const sysTokens = Math.ceil(long.length / 4);
    assert.equal(second.json.usage.prompt_tokens_details.cached_tokens, Math.floor((sysTokens + 2) / 128) * 128);
  });
});
