import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { startSimUpstream, type SimUpstream } from '../../src/sim/index.js';
import { checkProtoJson } from '../../src/sim/proto-check.js';
import { GEMINI_AUTH, http, parseSse } from './helpers.js';

const WEATHER = {
  name: 'get_weather',
  description: 'Weather by city',
  parameters: {
    type: 'OBJECT',
    properties: { city: { type: 'STRING' }, unit: { type: 'STRING', enum: ['C', 'F'] } },
    required: ['city', 'unit'],
  },
};
const TIME = {
  name: 'get_time',
  description: 'Time',
  parametersJsonSchema: { type: 'object', properties: { tz: { type: 'string' } }, required: ['tz'] },
};
const user = (text: string) => ({ role: 'user', parts: [{ text }] });

/** The body uses only field names the protos define (strict: unknown keys are errors). */
function assertProto(type: string, body: unknown): void {
  assert.deepEqual(checkProtoJson(type, body), [], JSON.stringify(body));
}

describe('gemini sim', () => {
  let sim: SimUpstream;
  const call = (
    model: string,
    method: string,
    body: unknown,
    headers: Record<string, string> = GEMINI_AUTH,
    query = '',
  ) => http(`${sim.url}/models/${model}:${method}${query}`, { body, headers });
  const invalid = async (body: unknown) => {
    const r = await call('gemini-2.5-flash', 'generateContent', body);
    assert.equal(r.status, 400, r.text);
    assert.equal(r.json.error.code, 400);
    assert.equal(r.json.error.status, 'INVALID_ARGUMENT');
    return r.json.error;
  };

  before(async () => {
    sim = await startSimUpstream({ dialect: 'gemini' });
  });
  after(() => sim.close());

  it('generateContent answers with candidates, usageMetadata, modelVersion and responseId', async () => {
    assert.match(sim.url, /^http:\/\/127\.0\.0\.1:\d+\/v1beta$/);
    const r = await call('gemini-2.5-flash', 'generateContent', {
      systemInstruction: { parts: [{ text: 'Be terse.' }] },
      contents: [user('Explain how AI works in a few words please')],
    });
    assert.equal(r.status, 200, r.text);
    assertProto('GenerateContentResponse', r.json);
    const c = r.json.candidates[0];
    assert.deepEqual(c.content, {
      parts: [{ text: 'Hello from gemini-2.5-flash. You said: Explain how AI works in a few words plea' }],
      role: 'model',
    });
    assert.equal(c.finishReason, 'STOP');
    const u = r.json.usageMetadata;
    assert.equal(
      u.promptTokenCount,
      Math.ceil('Be terse.'.length / 4) + Math.ceil('Explain how AI works in a few words please'.length / 4),
    );
    assert.equal(u.candidatesTokenCount, Math.ceil(c.content.parts[0].text.length / 4));
    assert.equal(u.totalTokenCount, u.promptTokenCount + u.candidatesTokenCount);
    assert.equal(r.json.modelVersion, 'gemini-2.5-flash');
    assert.equal(typeof r.json.responseId, 'string');
    assert.ok(r.text.includes('\n  '), 'pretty-printed like the real service');
  });

  it('accepts snake_case fields, ?key= auth, and a single value for a repeated field', async () => {
    const r = await http(`${sim.url}/models/gemini-2.5-flash:generateContent?key=abc`, {
      body: {
        contents: { role: 'user', parts: { text: 'hi' } },
        generation_config: { max_output_tokens: 100, stop_sequences: ['zzz'] },
        system_instruction: { parts: [{ text: 's' }] },
      },
    });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.candidates[0].content.parts[0].text, 'Hello from gemini-2.5-flash. You said: hi');
  });

  it('streams SSE (alt=sse): incremental text, cumulative usage, finishReason on the last chunk, no [DONE]', async () => {
    const r = await call(
      'gemini-2.5-flash',
      'streamGenerateContent',
      { contents: [user('count one two three four')] },
      GEMINI_AUTH,
      '?alt=sse',
    );
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type') ?? '', /text\/event-stream/);
    assert.ok(r.text.includes('\r\n\r\n'));
    assert.ok(!r.text.includes('[DONE]'));
    const chunks = parseSse(r.text).map((e) => JSON.parse(e.data));
    assert.ok(chunks.length > 3);
    for (const c of chunks) assertProto('GenerateContentResponse', c);
    const text = chunks.map((c) => c.candidates[0].content.parts.map((p: any) => p.text).join('')).join('');
    assert.equal(text, 'Hello from gemini-2.5-flash. You said: count one two three four');
    assert.ok(chunks.slice(0, -1).every((c) => c.candidates[0].finishReason === undefined));
    assert.equal(chunks.at(-1).candidates[0].finishReason, 'STOP');
    const counts = chunks.map((c) => c.usageMetadata.candidatesTokenCount);
    assert.deepEqual(
      [...counts].sort((a, b) => a - b),
      counts,
      'cumulative',
    );
    assert.equal(counts.at(-1), Math.ceil(text.length / 4));
  });

  it('streams the JSON-array form without alt=sse', async () => {
    const r = await call('gemini-2.5-flash', 'streamGenerateContent', { contents: [user('array form')] });
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type') ?? '', /application\/json/);
    const arr = JSON.parse(r.text);
    assert.ok(Array.isArray(arr) && arr.length > 1);
    assert.equal(
      arr.map((c: any) => c.candidates[0].content.parts[0].text).join(''),
      'Hello from gemini-2.5-flash. You said: array form',
    );
  });

  it('function calling: whole functionCall parts without id, args from the schema, STOP; ANY + allowed names', async () => {
    const r = await call('gemini-2.5-flash', 'generateContent', {
      contents: [user('weather and time')],
      tools: [{ functionDeclarations: [WEATHER, TIME] }],
    });
    assertProto('GenerateContentResponse', r.json);
    const parts = r.json.candidates[0].content.parts;
    assert.deepEqual(parts, [
      { functionCall: { name: 'get_weather', args: { city: 'example', unit: 'C' } } },
      { functionCall: { name: 'get_time', args: { tz: 'example' } } },
    ]);
    assert.equal(r.json.candidates[0].finishReason, 'STOP');
    const forced = await call('gemini-2.5-flash', 'generateContent', {
      contents: [user('x')],
      tools: [{ functionDeclarations: [WEATHER, TIME] }],
      toolConfig: { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: ['get_time'] } },
    });
    assert.deepEqual(
      forced.json.candidates[0].content.parts.map((p: any) => p.functionCall.name),
      ['get_time'],
    );
    const none = await call('gemini-2.5-flash', 'generateContent', {
      contents: [user('x')],
      tools: [{ functionDeclarations: [WEATHER] }],
      toolConfig: { functionCallingConfig: { mode: 'NONE' } },
    });
    assert.ok(none.json.candidates[0].content.parts[0].text);
    const st = await call(
      'gemini-2.5-flash',
      'streamGenerateContent',
      { contents: [user('weather')], tools: [{ functionDeclarations: [WEATHER] }] },
      GEMINI_AUTH,
      '?alt=sse',
    );
    const chunks = parseSse(st.text).map((e) => JSON.parse(e.data));
    const fc = chunks.flatMap((c) => c.candidates[0].content.parts).filter((p: any) => p.functionCall);
    assert.deepEqual(fc, [{ functionCall: { name: 'get_weather', args: { city: 'example', unit: 'C' } } }]);
  });

  it('functionResponse turns are answered by quoting the results', async () => {
    const r = await call('gemini-2.5-flash', 'generateContent', {
      contents: [
        user('weather?'),
        { role: 'model', parts: [{ functionCall: { name: 'get_weather', args: { city: 'Paris' } } }] },
        {
          role: 'user',
          parts: [
            { functionResponse: { name: 'get_weather', response: { result: '18C, cloudy' } } },
            { functionResponse: { name: 'get_weather', response: { temp: 20, sky: 'clear' } } },
          ],
        },
      ],
      tools: [{ functionDeclarations: [WEATHER] }],
    });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.candidates[0].content.parts[0].text, 'Tool results: 18C, cloudy; {"temp":20,"sky":"clear"}');
  });

  it('thinking: thought parts with includeThoughts, thoughtsTokenCount, thoughtSignature on function calls', async () => {
    const r = await call('gemini-2.5-flash', 'generateContent', {
      contents: [user('think')],
      generationConfig: { thinkingConfig: { includeThoughts: true, thinkingBudget: 1024 } },
    });
    assertProto('GenerateContentResponse', r.json);
    const [thought, answer] = r.json.candidates[0].content.parts;
    assert.equal(thought.thought, true);
    assert.equal(r.json.usageMetadata.thoughtsTokenCount, Math.ceil(thought.text.length / 4));
    assert.equal(
      r.json.usageMetadata.totalTokenCount,
      r.json.usageMetadata.promptTokenCount +
        r.json.usageMetadata.candidatesTokenCount +
        r.json.usageMetadata.thoughtsTokenCount,
    );
    assert.equal(r.json.usageMetadata.candidatesTokenCount, Math.ceil(answer.text.length / 4));
    const hidden = await call('gemini-2.5-flash', 'generateContent', {
      contents: [user('think')],
      generationConfig: { thinkingConfig: { thinkingBudget: 512 } },
    });
    assert.equal(hidden.json.candidates[0].content.parts.length, 1, 'no thought parts without includeThoughts');
    assert.ok(hidden.json.usageMetadata.thoughtsTokenCount > 0);
    const fc = await call('gemini-3-pro-preview', 'generateContent', {
      contents: [user('x')],
      tools: [{ functionDeclarations: [WEATHER] }],
      generationConfig: { thinkingConfig: { thinkingLevel: 'low' } },
    });
    assertProto('GenerateContentResponse', fc.json);
    assert.equal(typeof fc.json.candidates[0].content.parts[0].thoughtSignature, 'string');
  });

  it('JSON output with responseSchema / responseJsonSchema; images; MAX_TOKENS', async () => {
    const schema = {
      type: 'OBJECT',
      properties: { answer: { type: 'STRING' }, n: { type: 'INTEGER' } },
      required: ['answer', 'n'],
      propertyOrdering: ['n', 'answer'],
    };
    const r = await call('gemini-2.5-flash', 'generateContent', {
      contents: [user('x')],
      generationConfig: { responseMimeType: 'application/json', responseSchema: schema },
    });
    assert.equal(r.json.candidates[0].content.parts[0].text, '{"n":1,"answer":"example"}');
    const js = {
      type: 'object',
      properties: { items: { type: 'array', items: { type: 'string' }, minItems: 2 } },
      required: ['items'],
    };
    const r2 = await call('gemini-2.5-flash', 'generateContent', {
      contents: [user('x')],
      generationConfig: { responseMimeType: 'application/json', responseJsonSchema: js },
    });
    assert.ok(new Ajv2020().validate(js, JSON.parse(r2.json.candidates[0].content.parts[0].text)));
    const img = await call('gemini-2.5-flash', 'generateContent', {
      contents: [
        { role: 'user', parts: [{ text: 'see' }, { inlineData: { mimeType: 'image/png', data: 'iVBORw0KGgo=' } }] },
      ],
    });
    assert.equal(
      img.json.candidates[0].content.parts[0].text,
      'Hello from gemini-2.5-flash. You said: see I see 1 image(s).',
    );
    assert.deepEqual(img.json.usageMetadata.promptTokensDetails, [
      { modality: 'TEXT', tokenCount: 1 },
      { modality: 'IMAGE', tokenCount: 85 },
    ]);
    const cut = await call('gemini-2.5-flash', 'generateContent', {
      contents: [user('x')],
      generationConfig: { maxOutputTokens: 2 },
    });
    assert.equal(cut.json.candidates[0].finishReason, 'MAX_TOKENS');
    assert.equal(cut.json.candidates[0].content.parts[0].text, 'Hello fr');
  });

  it('rejects unknown fields and bad values with google.rpc.Status + BadRequest details', async () => {
    const e = await invalid({ contents: [user('x')], generationConfig: { foo: 1 } });
    assert.equal(
      e.message,
      'Invalid JSON payload received. Unknown name "foo" at \'generation_config\': Cannot find field.',
    );
    assert.deepEqual(e.details, [
      {
        '@type': 'type.googleapis.com/google.rpc.BadRequest',
        fieldViolations: [{ field: 'generation_config', description: e.message }],
      },
    ]);
    assert.equal(
      (await invalid({ contents: [user('x')], bar: true })).message,
      'Invalid JSON payload received. Unknown name "bar": Cannot find field.',
    );
    assert.equal(
      (
        await invalid({
          contents: [user('x')],
          tools: [
            { functionDeclarations: [{ name: 'f', parameters: { type: 'OBJECT', additionalProperties: false } }] },
          ],
        })
      ).message,
      'Invalid JSON payload received. Unknown name "additionalProperties" at \'tools[0].function_declarations[0].parameters\': Cannot find field.',
    );
    assert.equal(
      (await invalid({ contents: [user('x')], toolConfig: { functionCallingConfig: { mode: 'SOMETIMES' } } })).message,
      'Invalid value at \'tool_config.function_calling_config.mode\' (type.googleapis.com/google.ai.generativelanguage.v1beta.FunctionCallingConfig.Mode), "SOMETIMES"',
    );
    assert.equal(
      (await invalid({ contents: [user('x')], generationConfig: { temperature: 'hot' } })).message,
      'Invalid value at \'generation_config.temperature\' (TYPE_FLOAT), "hot"',
    );
  });

  it('semantic rules: contents required, roles user/model, parts non-empty, functionResponse.name, thinkingBudget+thinkingLevel', async () => {
    assert.equal((await invalid({})).message, '* GenerateContentRequest.contents: contents is not specified\n');
    assert.equal(
      (await invalid({ contents: [] })).message,
      '* GenerateContentRequest.contents: contents is not specified\n',
    );
    assert.equal(
      (await invalid({ contents: [{ role: 'assistant', parts: [{ text: 'x' }] }] })).message,
      'Please use a valid role: user, model.',
    );
    assert.equal(
      (await invalid({ contents: [{ role: 'user', parts: [] }] })).message,
      '* GenerateContentRequest.contents[0].parts: contents.parts must not be empty.\n',
    );
    assert.match(
      (await invalid({ contents: [{ role: 'user', parts: [{ functionResponse: { response: { a: 1 } } }] }] })).message,
      /contents\[0\]\.parts\[0\]\.function_response\.name/,
    );
    assert.match(
      (
        await invalid({
          contents: [user('x')],
          generationConfig: { thinkingConfig: { thinkingBudget: 100, thinkingLevel: 'HIGH' } },
        })
      ).message,
      /thinking_budget and thinking_level/,
    );
    assert.match(
      (await invalid({ contents: [user('x')], generationConfig: { presencePenalty: 0.5 } })).message,
      /^Penalty is not enabled/,
    );
    assert.match(
      (await invalid({ contents: [user('x')], generationConfig: { thinkingConfig: { thinkingBudget: 32768 } } }))
        .message,
      /between 1 and 24576/,
    );
  });

  it('Gemini 3: function calls in the current turn must echo their thoughtSignature', async () => {
    const first = await call('gemini-3-pro-preview', 'generateContent', {
      contents: [user('weather')],
      tools: [{ functionDeclarations: [WEATHER] }],
    });
    const fcPart = first.json.candidates[0].content.parts[0];
    assert.ok(fcPart.thoughtSignature);
    assert.ok(first.json.usageMetadata.thoughtsTokenCount > 0, 'Gemini 3 always thinks');
    const loop = (part: unknown) => ({
      contents: [
        user('weather'),
        { role: 'model', parts: [part] },
        { role: 'user', parts: [{ functionResponse: { name: 'get_weather', response: { result: 'sunny' } } }] },
      ],
      tools: [{ functionDeclarations: [WEATHER] }],
    });
    const ok = await call('gemini-3-pro-preview', 'generateContent', loop(fcPart));
    assert.equal(ok.status, 200, ok.text);
    const bad = await call('gemini-3-pro-preview', 'generateContent', loop({ functionCall: fcPart.functionCall }));
    assert.equal(bad.status, 400);
    assert.equal(
      bad.json.error.message,
      'Function call is missing a thought_signature in functionCall parts. This is required for tools to work correctly, and missing thought_signature may lead to degraded model performance. Additional data, function call `default_api:get_weather` , position 2. Please refer to https://ai.google.dev/gemini-api/docs/thought-signatures for more details.',
    );
    assert.equal(
      (await call('gemini-2.5-flash', 'generateContent', loop({ functionCall: fcPart.functionCall }))).status,
      200,
      'not required before Gemini 3',
    );
  });

  it('auth: missing key 403 PERMISSION_DENIED, wrong key 400 API_KEY_INVALID', async () => {
    const none = await call('gemini-2.5-flash', 'generateContent', { contents: [user('x')] }, {});
    assert.equal(none.status, 403);
    assert.equal(none.json.error.status, 'PERMISSION_DENIED');
    const keyed = await startSimUpstream({ dialect: 'gemini', apiKey: 'good' });
    try {
      const bad = await http(`${keyed.url}/models/gemini-2.5-flash:generateContent`, {
        body: { contents: [user('x')] },
        headers: { 'x-goog-api-key': 'bad' },
      });
      assert.equal(bad.status, 400);
      assert.equal(bad.json.error.message, 'API key not valid. Please pass a valid API key.');
      assert.equal(bad.json.error.details[0].reason, 'API_KEY_INVALID');
    } finally {
      await keyed.close();
    }
  });

  it('embedContent, batchEmbedContents, countTokens, models', async () => {
    const e = await call('text-embedding-004', 'embedContent', {
      content: { parts: [{ text: 'hello' }] },
      taskType: 'RETRIEVAL_QUERY',
    });
    assert.equal(e.status, 200, e.text);
    assertProto('EmbedContentResponse', e.json);
    assert.equal(e.json.embedding.values.length, 8);
    const d = await call('text-embedding-004', 'embedContent', {
      content: { parts: [{ text: 'hello' }] },
      outputDimensionality: 32,
    });
    assert.equal(d.json.embedding.values.length, 32);
    const b = await call('text-embedding-004', 'batchEmbedContents', {
      requests: [
        { model: 'models/text-embedding-004', content: { parts: [{ text: 'hello' }] } },
        { model: 'models/text-embedding-004', content: { parts: [{ text: 'bye' }] } },
      ],
    });
    assertProto('BatchEmbedContentsResponse', b.json);
    assert.deepEqual(b.json.embeddings[0].values, e.json.embedding.values);
    const t = await call('gemini-2.5-flash', 'countTokens', { contents: [user('hello there')] });
    assert.equal(t.json.totalTokens, 3);
    const m = await http(`${sim.url}/models`, { headers: GEMINI_AUTH });
    assertProto('ListModelsResponse', m.json);
    assert.ok(m.json.models.some((x: any) => x.name === 'models/gemini-2.5-flash'));
  });
});
