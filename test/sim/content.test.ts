import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { exampleFromSchema } from '../../src/sim/schema-example.js';
import { embed, planReply, splitFragments, splitWords, stableId, type NeutralRequest } from '../../src/sim/content.js';
import { startSimUpstream, type SimUpstream } from '../../src/sim/index.js';
import { ANTHROPIC_AUTH, GEMINI_AUTH, OPENAI_AUTH, http, parseSse } from './helpers.js';

const neutral = (over: Partial<NeutralRequest> = {}): NeutralRequest => ({
  model: 'm',
  lastUserText: 'hi',
  toolResults: null,
  imageCount: 0,
  tools: [],
  toolChoice: { mode: 'auto' },
  parallel: true,
  json: null,
  reasoning: false,
  maxTokens: null,
  stop: [],
  ...over,
});

describe('deterministic content', () => {
  it('example values validate against their JSON Schemas', () => {
    const ajv = new Ajv2020({ strict: false });
    const schemas: unknown[] = [
      {
        type: 'object',
        properties: {
          a: { type: 'string', minLength: 10 },
          b: { type: 'number', exclusiveMinimum: 5 },
          c: { type: ['string', 'null'], format: 'date-time' },
        },
        required: ['a', 'b', 'c'],
        additionalProperties: false,
      },
      {
        type: 'object',
        properties: { list: { type: 'array', items: { $ref: '#/$defs/item' }, minItems: 2, maxItems: 3 } },
        required: ['list'],
        $defs: { item: { type: 'object', properties: { id: { type: 'integer', maximum: 0 } }, required: ['id'] } },
      },
      { anyOf: [{ type: 'null' }, { type: 'object', properties: { k: { const: 'v' } }, required: ['k'] }] },
      {
        allOf: [
          { type: 'object', properties: { x: { type: 'boolean' } }, required: ['x'] },
          { properties: { y: { enum: [3, 4] } }, required: ['y'] },
        ],
      },
      {
        type: 'object',
        properties: { e: { type: 'string', format: 'email' }, u: { type: 'string', format: 'uri', maxLength: 30 } },
      },
    ];
    for (const s of schemas)
      assert.ok(
        ajv.validate(s as object, exampleFromSchema(s)),
        `${JSON.stringify(s)} → ${JSON.stringify(exampleFromSchema(s))}`,
      );
    assert.deepEqual(
      exampleFromSchema({
        type: 'OBJECT',
        properties: { b: { type: 'BOOLEAN' }, a: { type: 'ARRAY', items: { type: 'NUMBER' } } },
        propertyOrdering: ['b', 'a'],
      }),
      { b: true, a: [1] },
    );
  });

  it('stream splitting is lossless; ids and embeddings are deterministic', () => {
    for (const t of ['', 'one', 'one two three', '  lead and trail  ', 'a\nb\tc  d'])
      assert.equal(splitWords(t).join(''), t);
    assert.deepEqual(splitWords('a b c d e'), ['a b', ' c d', ' e']);
    assert.equal(splitFragments('{"city":"example"}', 3).join(''), '{"city":"example"}');
    assert.equal(stableId('x'), stableId('x'));
    assert.match(stableId('x'), /^[A-Za-z0-9]{24}$/);
    const v = embed('hello', 12);
    assert.equal(v.length, 12);
    assert.ok(Math.abs(Math.hypot(...v) - 1) < 1e-5);
    assert.deepEqual(embed('hello', 12), v);
  });

  it('planReply: truncation, stop sequences, tool choice, JSON', () => {
    const p = planReply(neutral({ maxTokens: 2, reasoning: true }));
    assert.equal(p.finish, 'length');
    assert.equal(p.completionTokens, 2);
    assert.equal(p.text, '');
    const s = planReply(neutral({ stop: ['from'] }));
    assert.equal(s.text, 'Hello ');
    assert.equal(s.finish, 'stop_sequence');
    const tools = [
      { name: 'a', schema: { type: 'object', properties: { q: { type: 'string' } }, required: ['q'] } },
      { name: 'b', schema: undefined },
    ];
    assert.deepEqual(
      planReply(neutral({ tools })).toolCalls.map((c) => c.name),
      ['a', 'b'],
    );
    assert.deepEqual(
      planReply(neutral({ tools, parallel: false })).toolCalls.map((c) => c.json),
      ['{"q":"example"}'],
    );
    assert.deepEqual(
      planReply(neutral({ tools, toolChoice: { mode: 'named', name: 'b' } })).toolCalls.map((c) => c.json),
      ['{}'],
    );
    assert.equal(planReply(neutral({ tools, toolResults: ['r'] })).text, 'Tool results: r');
    assert.equal(planReply(neutral({ json: { schema: null } })).text, '{"reply":"Hello from m. You said: hi"}');
  });

  it('the committed schemas are what the extract script generates (when the spec folder is present)', (t) => {
    if (!existsSync('../shared/upstream-specs/openai-openapi.yaml'))
      return t.skip('../shared/upstream-specs not present');
    const r = spawnSync(process.execPath, ['scripts/extract-upstream-schemas.mjs', '--check'], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stdout + r.stderr);
  });
});

describe('the documented example requests (wire-formats.md) are accepted', () => {
  let oa: SimUpstream;
  let an: SimUpstream;
  let ge: SimUpstream;
  before(async () => {
    [oa, an, ge] = await Promise.all([
      startSimUpstream({ dialect: 'openai' }),
      startSimUpstream({ dialect: 'anthropic' }),
      startSimUpstream({ dialect: 'gemini' }),
    ]);
  });
  after(() => Promise.all([oa.close(), an.close(), ge.close()]));

  it('OpenAI chat + embeddings examples', async () => {
    const body = {
      model: 'gpt-4o-mini',
      messages: [
        { role: 'system', content: 'You are terse.' },
        { role: 'developer', content: 'Answer in English.' },
        {
          role: 'user',
          content: [
            { type: 'text', text: "What is in this image, and what's the weather in Paris?" },
            { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=', detail: 'auto' } },
          ],
        },
        {
          role: 'assistant',
          content: null,
          tool_calls: [
            { id: 'call_abc123', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
            { id: 'call_def456', type: 'function', function: { name: 'get_time', arguments: '{"tz":"Europe/Paris"}' } },
          ],
        },
        { role: 'tool', tool_call_id: 'call_abc123', content: '18C, cloudy' },
        { role: 'tool', tool_call_id: 'call_def456', content: '14:05' },
      ],
      tools: [
        {
          type: 'function',
          function: {
            name: 'get_weather',
            description: 'Weather by city',
            parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
            strict: false,
          },
        },
      ],
      tool_choice: 'auto',
      parallel_tool_calls: true,
      max_completion_tokens: 256,
      temperature: 0.2,
      top_p: 1,
      stop: ['\n\n'],
      stream: true,
      stream_options: { include_usage: true },
      response_format: { type: 'text' },
      reasoning_effort: 'low',
      user: 'user-123',
    };
    const r = await http(`${oa.url}/chat/completions`, { headers: OPENAI_AUTH, body });
    assert.equal(r.status, 200, r.text);
    const text = parseSse(r.text)
      .slice(0, -1)
      .map((e) => JSON.parse(e.data).choices[0]?.delta?.content ?? '')
      .join('');
    assert.equal(text, 'Tool results: 18C, cloudy; 14:05 I see 1 image(s).');
    const e = await http(`${oa.url}/embeddings`, {
      headers: OPENAI_AUTH,
      body: { model: 'text-embedding-3-small', input: ['hello', 'world'], encoding_format: 'float', dimensions: 256 },
    });
    assert.equal(e.status, 200, e.text);
    assert.equal(e.json.data[1].embedding.length, 256);
  });

  it('Anthropic Messages example', async () => {
    const body = {
      model: 'claude-sonnet-4-5',
      max_tokens: 4096,
      system: [
        { type: 'text', text: 'You are terse.' },
        { type: 'text', text: 'Answer in English.', cache_control: { type: 'ephemeral' } },
      ],
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: "What is in this image, and what's the weather in Paris?" },
            { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' } },
            { type: 'image', source: { type: 'url', url: 'https://example.com/cat.jpg' } },
          ],
        },
        {
          role: 'assistant',
          content: [
            { type: 'thinking', thinking: 'User wants weather and time...', signature: 'EqQBCgIYAhIM1gbcDa9GJwZA2b3h' },
            { type: 'tool_use', id: 'toolu_01A09q90qw90lq917835lq9', name: 'get_weather', input: { city: 'Paris' } },
            { type: 'tool_use', id: 'toolu_01B19q90qw90lq917835lq8', name: 'get_time', input: { tz: 'Europe/Paris' } },
          ],
        },
        {
          role: 'user',
          content: [
            { type: 'tool_result', tool_use_id: 'toolu_01A09q90qw90lq917835lq9', content: '18C, cloudy' },
            {
              type: 'tool_result',
              tool_use_id: 'toolu_01B19q90qw90lq917835lq8',
              content: [{ type: 'text', text: '14:05' }],
              is_error: false,
            },
          ],
        },
      ],
      tools: [
        {
          name: 'get_weather',
          description: 'Weather by city',
          input_schema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
        },
      ],
      tool_choice: { type: 'auto', disable_parallel_tool_use: false },
      thinking: { type: 'enabled', budget_tokens: 2048 },
      stop_sequences: ['\n\nHuman:'],
      metadata: { user_id: 'user-123' },
      stream: true,
    };
    const r = await http(`${an.url}/v1/messages`, { headers: ANTHROPIC_AUTH, body });
    assert.equal(r.status, 200, r.text);
    const text = parseSse(r.text)
      .map((e) => JSON.parse(e.data))
      .filter((d) => d.delta?.type === 'text_delta')
      .map((d) => d.delta.text)
      .join('');
    assert.equal(text, 'Tool results: 18C, cloudy; 14:05 I see 2 image(s).');
  });

  it('Gemini generateContent example (with a decodable thoughtSignature)', async () => {
    const body = {
      systemInstruction: { parts: [{ text: 'You are terse.' }, { text: 'Answer in English.' }] },
      contents: [
        {
          role: 'user',
          parts: [
            { text: "What is in this image, and what's the weather in Paris?" },
            { inlineData: { mimeType: 'image/png', data: 'iVBORw0KGgo=' } },
            { fileData: { mimeType: 'image/jpeg', fileUri: 'https://example.com/cat.jpg' } },
          ],
        },
        {
          role: 'model',
          parts: [
            { functionCall: { name: 'get_weather', args: { city: 'Paris' } }, thoughtSignature: 'CiQB0e2Kb3dRhQ==' },
            { functionCall: { name: 'get_time', args: { tz: 'Europe/Paris' } } },
          ],
        },
        {
          role: 'user',
          parts: [
            { functionResponse: { name: 'get_weather', response: { result: '18C, cloudy' } } },
            { functionResponse: { name: 'get_time', response: { result: '14:05' } } },
          ],
        },
      ],
      tools: [
        {
          functionDeclarations: [
            {
              name: 'get_weather',
              description: 'Weather by city',
              parameters: { type: 'OBJECT', properties: { city: { type: 'STRING' } }, required: ['city'] },
            },
          ],
        },
      ],
      toolConfig: { functionCallingConfig: { mode: 'AUTO' } },
      generationConfig: {
        temperature: 0.2,
        topP: 1,
        maxOutputTokens: 1024,
        stopSequences: ['\n\n'],
        candidateCount: 1,
        responseMimeType: 'application/json',
        responseSchema: { type: 'OBJECT', properties: { answer: { type: 'STRING' } } },
        thinkingConfig: { includeThoughts: true, thinkingBudget: 1024 },
      },
      safetySettings: [{ category: 'HARM_CATEGORY_HARASSMENT', threshold: 'BLOCK_ONLY_HIGH' }],
    };
    const r = await http(`${ge.url}/models/gemini-2.5-flash:generateContent`, { headers: GEMINI_AUTH, body });
    assert.equal(r.status, 200, r.text);
    const parts = r.json.candidates[0].content.parts;
    assert.equal(parts[0].thought, true);
    assert.deepEqual(JSON.parse(parts[1].text), { answer: 'example' });
  });
});

describe('schema examples stay bounded (the demo simulators run in the gateway process)', () => {
  it('stops a $ref fan-out, a huge minItems / minLength and a long required list', () => {
    const defs: Record<string, unknown> = { d12: { type: 'string' } };
    const props = (i: number) =>
      Object.fromEntries(Array.from({ length: 20 }, (_, k) => [`p${k}`, { $ref: `#/$defs/d${i + 1}` }]));
    for (let i = 0; i < 12; i++) defs[`d${i}`] = { type: 'object', properties: props(i) };
    const t = performance.now();
    const ex = exampleFromSchema({ $ref: '#/$defs/d0', $defs: defs });
    assert.ok(JSON.stringify(ex).length < 5_000_000);
    assert.ok(
      (exampleFromSchema({ type: 'array', minItems: 1e9, items: { type: 'integer' } }) as unknown[]).length <= 100_000,
    );
    assert.ok((exampleFromSchema({ type: 'string', minLength: 1e9 }) as string).length <= 100_000);
    const names = Array.from({ length: 100_000 }, (_, i) => `k${i}`);
    exampleFromSchema({ type: 'object', properties: {}, required: names, propertyOrdering: names });
    assert.ok(performance.now() - t < 5000);
  });
});
