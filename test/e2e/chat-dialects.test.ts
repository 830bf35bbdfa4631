// Chat completions through the gateway to each dialect's simulated upstream, with the official openai SDK.
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { startDemoGateway, type SimSet, type TestGateway } from '../helpers/gateway.js';

let gw: TestGateway;
let sims: SimSet;
let client: OpenAI;
before(async () => {
  ({ gw, sims } = await startDemoGateway());
  client = new OpenAI({ baseURL: gw.url, apiKey: gw.adminKey, maxRetries: 0 });
});
after(async () => {
  await gw.close();
  await sims.close();
});
beforeEach(() => sims.resetAll());

// one model per dialect, each with a single provider so the dialect under test is certain
const MODELS = {
  openai: { model: 'openai/gpt-4o', reasoningModel: 'openai/o4-mini', sim: () => sims.openai, provider: 'openai' },
  anthropic: {
    model: 'anthropic/claude-sonnet-4.5',
    reasoningModel: 'anthropic/claude-sonnet-4.5',
    sim: () => sims.anthropic,
    provider: 'anthropic',
  },
  gemini: {
    model: 'google/gemini-2.5-pro',
    reasoningModel: 'google/gemini-2.5-pro',
    sim: () => sims.gemini,
    provider: 'google',
  },
} as const;

const weatherTool: OpenAI.Chat.Completions.ChatCompletionTool = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'Weather by city',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  },
};

const PNG =
  'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';

for (const [dialect, t] of Object.entries(MODELS)) {
  test(`${dialect}: non-stream answer names the used model and provider, with usage and cost`, async () => {
    const r = await client.chat.completions.create({
      model: t.model,
      messages: [
        { role: 'system', content: 'Be terse.' },
        { role: 'user', content: 'Say hello' },
      ],
    });
    assert.equal(r.model, t.model);
    assert.equal((r as unknown as { provider: string }).provider, t.provider);
    assert.match(r.id, /^gen-/);
    assert.match(r.choices[0].message.content ?? '', /Hello|hello/);
    assert.equal(r.choices[0].finish_reason, 'stop');
    assert.ok(r.usage && r.usage.prompt_tokens > 0 && r.usage.completion_tokens > 0);
    assert.equal(r.usage!.total_tokens, r.usage!.prompt_tokens + r.usage!.completion_tokens);
    assert.ok((r.usage as unknown as { cost: number }).cost > 0);
    assert.equal(t.sim().requests.length, 1, 'exactly one upstream call');
    const gen = (await (await gw.fetch(`/generation?id=${r.id}`)).json()) as {
      data: { upstream_id: string | null; model: string };
    };
    assert.equal(gen.data.model, t.model);
    assert.ok(gen.data.upstream_id, 'the provider-side id is recorded');
  });

  test(`${dialect}: stream delivers incremental chunks, a finish, a usage chunk and [DONE]`, async () => {
    const s = await client.chat.completions.create({
      model: t.model,
      stream: true,
      stream_options: { include_usage: true },
      messages: [{ role: 'user', content: 'Tell me something about streaming please' }],
    });
    let text = '';
    let chunks = 0;
    let finish: string | null = null;
    let usage: OpenAI.CompletionUsage | undefined;
    for await (const c of s) {
      assert.equal(c.model, t.model);
      if (c.choices[0]?.delta?.content) {
        text += c.choices[0].delta.content;
        chunks++;
      }
      if (c.choices[0]?.finish_reason) finish = c.choices[0].finish_reason;
      if (c.usage) usage = c.usage;
    }
    assert.ok(chunks >= 2, `several content chunks (got ${chunks})`);
    assert.ok(text.length > 0);
    assert.equal(finish, 'stop');
    assert.ok(usage && usage.completion_tokens > 0);
  });

  test(`${dialect}: tools round trip (call → result → answer) keeps tool call ids`, async () => {
    const first = await client.chat.completions.create({
      model: t.model,
      tools: [weatherTool],
      messages: [{ role: 'user', content: 'Weather in Paris?' }],
    });
    const call = first.choices[0].message.tool_calls?.[0];
    assert.ok(call, 'a tool call');
    assert.equal(first.choices[0].finish_reason, 'tool_calls');
    assert.equal(call.type, 'function');
    assert.equal((call as { function: { name: string } }).function.name, 'get_weather');
    const args = JSON.parse((call as { function: { arguments: string } }).function.arguments);
    assert.equal(typeof args.city, 'string');
    const second = await client.chat.completions.create({
      model: t.model,
      tools: [weatherTool],
      messages: [
        { role: 'user', content: 'Weather in Paris?' },
        first.choices[0].message as OpenAI.Chat.Completions.ChatCompletionMessageParam,
        { role: 'tool', tool_call_id: call.id, content: '18C and cloudy' },
      ],
    });
    assert.match(second.choices[0].message.content ?? '', /18C and cloudy/);
    assert.equal(second.choices[0].finish_reason, 'stop');
  });

  test(`${dialect}: streamed tool calls arrive as tool_calls deltas`, async () => {
    const s = await client.chat.completions.create({
      model: t.model,
      stream: true,
      tools: [weatherTool],
      tool_choice: { type: 'function', function: { name: 'get_weather' } },
      messages: [{ role: 'user', content: 'Weather in Paris?' }],
    });
    let name = '';
    let argsText = '';
    let id = '';
    let finish = '';
    for await (const c of s) {
      for (const tc of c.choices[0]?.delta?.tool_calls ?? []) {
        if (tc.id) id = tc.id;
        if (tc.function?.name) name += tc.function.name;
        if (tc.function?.arguments) argsText += tc.function.arguments;
      }
      if (c.choices[0]?.finish_reason) finish = c.choices[0].finish_reason;
    }
    assert.equal(name, 'get_weather');
    assert.ok(id.length > 0);
    assert.equal(typeof JSON.parse(argsText).city, 'string');
    assert.equal(finish, 'tool_calls');
  });

  test(`${dialect}: image input reaches the upstream`, async () => {
    const r = await client.chat.completions.create({
      model: t.model,
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What is this?' },
            { type: 'image_url', image_url: { url: PNG } },
          ],
        },
      ],
    });
    assert.match(r.choices[0].message.content ?? '', /1 image/);
  });

  test(`${dialect}: json_schema output validates`, async () => {
    const r = await client.chat.completions.create({
      model: t.model,
      messages: [{ role: 'user', content: 'Give me a city' }],
      response_format: {
        type: 'json_schema',
        json_schema: {
          name: 'city',
          strict: true,
          schema: {
            type: 'object',
            properties: { name: { type: 'string' }, population: { type: 'integer' } },
            required: ['name', 'population'],
            additionalProperties: false,
          },
        },
      },
    });
    const obj = JSON.parse(r.choices[0].message.content ?? 'null');
    assert.equal(typeof obj.name, 'string');
    assert.equal(typeof obj.population, 'number');
  });

  test(`${dialect}: reasoning comes back as message.reasoning (and is omitted with exclude)`, async () => {
    const r = (await client.chat.completions.create({
      model: t.reasoningModel,
      messages: [{ role: 'user', content: 'Think about 2+2' }],
      // @ts-expect-error ARouter extension
      reasoning: { effort: 'low' },
    })) as unknown as {
      choices: Array<{ message: { reasoning?: string; content: string } }>;
      usage: { completion_tokens_details: { reasoning_tokens: number } };
    };
    assert.ok((r.choices[0].message.reasoning ?? '').length > 0, 'reasoning text');
    assert.ok(r.usage.completion_tokens_details.reasoning_tokens > 0, 'reasoning tokens counted');
    const ex = (await client.chat.completions.create({
      model: t.reasoningModel,
      messages: [{ role: 'user', content: 'Think about 2+2' }],
      // @ts-expect-error ARouter extension
      reasoning: { effort: 'low', exclude: true },
    })) as unknown as { choices: Array<{ message: { reasoning?: string } }> };
    assert.equal(ex.choices[0].message.reasoning, undefined);
  });
}

test('embeddings via the openai and gemini dialects, float and base64', async () => {
  for (const model of ['openai/text-embedding-3-small', 'google/gemini-embedding-001']) {
    const one = await client.embeddings.create({ model, input: 'hello world' });
    assert.equal(one.data.length, 1);
    assert.ok(one.data[0].embedding.length > 0);
    assert.ok(one.usage.prompt_tokens > 0);
    assert.equal(one.model, model);
    const many = await client.embeddings.create({ model, input: ['a', 'b', 'c'], dimensions: 4 });
    assert.equal(many.data.length, 3);
    assert.deepEqual(
      many.data.map((d) => d.index),
      [0, 1, 2],
    );
    assert.equal(many.data[0].embedding.length, 4);
    // the SDK asks for base64 by default and decodes it itself
    const raw = (await (
      await gw.fetch('/embeddings', { method: 'POST', json: { model, input: 'x', encoding_format: 'base64' } })
    ).json()) as { data: Array<{ embedding: string }> };
    assert.equal(typeof raw.data[0].embedding, 'string');
  }
});

test('embeddings input a dialect cannot carry (token ids to Gemini) is a 400, and the endpoint stays healthy', async () => {
  const samples = () => gw.app.health.stats('google:google/gemini-embedding-001').requests_last_30m;
  const before = samples();
  const res = await gw.fetch('/embeddings', {
    method: 'POST',
    json: { model: 'google/gemini-embedding-001', input: [[1, 2, 3]] },
  });
  assert.equal(res.status, 400, await res.clone().text());
  const body = (await res.json()) as { error: { type: string; message: string } };
  assert.equal(body.error.type, 'invalid_request_error');
  assert.match(body.error.message, /text only/);
  assert.equal(sims.gemini.requests.length, 0, 'nothing was sent upstream');
  assert.equal(samples(), before, 'no failure counted against the endpoint');
  const ok = await client.embeddings.create({ model: 'google/gemini-embedding-001', input: 'still fine' });
  assert.equal(ok.data.length, 1);
});

test('invalid request bodies are 400s naming the field, before any upstream call', async () => {
  const cases: Array<[unknown, RegExp]> = [
    [{ model: 'openai/gpt-4o' }, /messages/],
    [{ model: 'openai/gpt-4o', messages: [{ role: 'wizard', content: 'x' }] }, /messages\[0\]/],
    [{ model: 'openai/gpt-4o', messages: [{ role: 'user', content: 'x' }], temperature: 7 }, /temperature/],
    [
      { model: 'openai/gpt-4o', messages: [{ role: 'user', content: 'x' }], response_format: { type: 'xml' } },
      /response_format/,
    ],
    [
      { model: 'openai/gpt-4o', messages: [{ role: 'user', content: 'x' }], reasoning: { effort: 'extreme' } },
      /reasoning/,
    ],
  ];
  for (const [body, re] of cases) {
    const res = await gw.fetch('/chat/completions', { method: 'POST', json: body });
    assert.equal(res.status, 400, JSON.stringify(body));
    const err = (await res.json()) as { error: { message: string; param: string | null; type: string } };
    assert.equal(err.error.type, 'invalid_request_error');
    assert.match(`${err.error.param} ${err.error.message}`, re);
  }
  assert.equal(sims.openai.requests.length, 0);
  const unknown = await gw.fetch('/chat/completions', {
    method: 'POST',
    json: { model: 'openai/gpt-4oo', messages: [{ role: 'user', content: 'x' }] },
  });
  assert.equal(unknown.status, 404);
  assert.match(((await unknown.json()) as { error: { message: string } }).error.message, /openai\/gpt-4o/);
});

test('logprobs: asked with the openai SDK, forwarded to an endpoint that supports them, returned per choice and per chunk', async () => {
  const r = await client.chat.completions.create({
    model: 'openai/gpt-4o',
    logprobs: true,
    top_logprobs: 2,
    messages: [{ role: 'user', content: 'Say hello' }],
  });
  const sent = sims.openai.requests.at(-1)!.body as { logprobs?: boolean; top_logprobs?: number };
  assert.equal(sent.logprobs, true);
  assert.equal(sent.top_logprobs, 2);
  const content = r.choices[0].logprobs?.content ?? [];
  assert.ok(content.length > 0, JSON.stringify(r.choices[0].logprobs));
  assert.equal(content.map((c) => c.token).join(''), r.choices[0].message.content);
  assert.ok(content.every((c) => typeof c.logprob === 'number' && c.logprob <= 0 && c.top_logprobs.length === 2));

  const s = await client.chat.completions.create({
    model: 'openai/gpt-4o',
    stream: true,
    logprobs: true,
    messages: [{ role: 'user', content: 'Say hello' }],
  });
  let text = '';
  let tokens = '';
  for await (const c of s) {
    text += c.choices[0]?.delta?.content ?? '';
    for (const lp of c.choices[0]?.logprobs?.content ?? []) tokens += lp.token;
  }
  assert.ok(text.length > 0);
  assert.equal(tokens, text, 'every streamed token comes with its logprob');
});
