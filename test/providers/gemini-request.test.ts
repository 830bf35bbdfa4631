import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ChatRequest } from '../../src/protocol/chat-request.js';
import { InvalidRequestError } from '../../src/providers/errors.js';
import { geminiDialect } from '../../src/providers/gemini/index.js';
import { SKIP_SIGNATURE } from '../../src/providers/gemini/messages.js';
import { fixtureJson, makeCtx, protoErrors } from './gemini-helpers.js';

type Body = Record<string, any>;
const build = (req: ChatRequest, ctx = makeCtx()) => geminiDialect.buildChatRequest(req, ctx);
const bodyOf = (req: ChatRequest, ctx = makeCtx()): Body => JSON.parse(build(req, ctx).body);
const user = (text: string) => ({ role: 'user' as const, content: text });
const reasoning = (
  over: Partial<{
    enabled: boolean;
    effort: 'low' | 'medium' | 'high' | null;
    max_tokens: number | null;
    exclude: boolean;
  }> = {},
) => ({
  enabled: true,
  effort: null,
  max_tokens: null,
  exclude: false,
  ...over,
});

function assertProtoValid(body: Body): void {
  assert.deepEqual(protoErrors(body, 'GenerateContentRequest', ['model']), []);
}

describe('gemini buildChatRequest: tool_choice allowed_tools', () => {
  it('declares only the allowed functions; required → ANY, auto → AUTO', () => {
    const fn = (name: string) => ({ type: 'function' as const, function: { name, description: name } });
    const allowed = (mode: 'auto' | 'required') =>
      ({
        messages: [user('Hi')],
        tools: [fn('get_weather'), fn('get_time')],
        tool_choice: {
          type: 'allowed_tools',
          allowed_tools: { mode, tools: [{ type: 'function', function: { name: 'get_time' } }] },
        },
      }) as ChatRequest;
    const body = bodyOf(allowed('required'));
    assert.deepEqual(body.tools, [{ functionDeclarations: [{ name: 'get_time', description: 'get_time' }] }]);
    assert.deepEqual(body.toolConfig, { functionCallingConfig: { mode: 'ANY' } });
    assert.deepEqual(bodyOf(allowed('auto')).toolConfig, { functionCallingConfig: { mode: 'AUTO' } });
    assertProtoValid(body);
  });
});

describe('gemini buildChatRequest: parameters the catalog lists', () => {
  const req = {
    messages: [user('Hi')],
    temperature: 0.3,
    top_p: 0.9,
    presence_penalty: 0.5,
    frequency_penalty: 0.25,
    seed: 7,
  } as ChatRequest;

  it('drops presence/frequency penalties for Gemini 2.5, whose supported_parameters leave them out', () => {
    const cfg = bodyOf(req).generationConfig;
    assert.deepEqual(cfg, { temperature: 0.3, topP: 0.9, seed: 7 });
  });

  it('sends them where the catalog lists them, and everything when it lists nothing', () => {
    const listed = makeCtx({ supportedParameters: ['temperature', 'presence_penalty', 'frequency_penalty'] });
    assert.deepEqual(bodyOf(req, listed).generationConfig, {
      temperature: 0.3,
      presencePenalty: 0.5,
      frequencyPenalty: 0.25,
    });
    const unknown = bodyOf(req, makeCtx({ supportedParameters: [] })).generationConfig;
    assert.deepEqual(Object.keys(unknown).sort(), [
      'frequencyPenalty',
      'presencePenalty',
      'seed',
      'temperature',
      'topP',
    ]);
  });
});

describe('gemini buildChatRequest: full mapping', () => {
  const req = fixtureJson<ChatRequest>('chat-request.openai.json');
  const ctx = makeCtx({ maxTokens: 4096, maxTokensExplicit: true, reasoning: reasoning({ effort: 'medium' }) });

  it('maps every field as the recorded Gemini request shows', () => {
    assert.deepEqual(bodyOf(req, ctx), fixtureJson('chat-request.gemini.json'));
  });

  it('sends only fields the protos know, with REQUIRED fields present', () => {
    assertProtoValid(bodyOf(req, ctx));
  });

  it('targets generateContent with header auth and provider headers', () => {
    const up = build(req, makeCtx({ headers: { 'x-goog-user-project': 'p1' }, apiKey: 'AIza-test' }));
    assert.equal(up.method, 'POST');
    assert.equal(up.url, 'https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:generateContent');
    assert.equal(up.headers['x-goog-api-key'], 'AIza-test');
    assert.equal(up.headers['x-goog-user-project'], 'p1');
    assert.equal(up.headers['content-type'], 'application/json');
  });

  it('streams through streamGenerateContent?alt=sse', () => {
    const up = build(req, makeCtx({ stream: true, model: 'models/gemini-2.5-pro' }));
    assert.equal(
      up.url,
      'https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-pro:streamGenerateContent?alt=sse',
    );
  });

  it('sends no key header for a keyless provider', () => {
    assert.equal(build(req, makeCtx({ apiKey: '' })).headers['x-goog-api-key'], undefined);
  });
});

describe('gemini buildChatRequest: messages', () => {
  it('sends a system-only request as the user turn (Gemini requires contents)', () => {
    const body = bodyOf({ messages: [{ role: 'system', content: 'Say hi.' }] });
    assert.equal(body.systemInstruction, undefined);
    assert.deepEqual(body.contents, [{ role: 'user', parts: [{ text: 'Say hi.' }] }]);
  });

  it('merges consecutive same-role turns so that turns alternate', () => {
    const body = bodyOf({
      messages: [user('a'), user('b'), { role: 'assistant', content: 'c' }, { role: 'assistant', content: 'd' }],
    });
    assert.deepEqual(body.contents, [
      { role: 'user', parts: [{ text: 'a' }, { text: 'b' }] },
      { role: 'model', parts: [{ text: 'c' }, { text: 'd' }] },
    ]);
  });

  it('drops empty texts and empty assistant turns', () => {
    const body = bodyOf({
      messages: [user('a'), { role: 'assistant', content: '' }, { role: 'assistant', content: null }, user('')],
    });
    assert.deepEqual(body.contents, [{ role: 'user', parts: [{ text: 'a' }] }]);
  });

  it('names a tool result from the earlier tool call, or from the message name', () => {
    const body = bodyOf({
      messages: [
        user('go'),
        {
          role: 'assistant',
          tool_calls: [{ id: 't1', type: 'function', function: { name: 'search', arguments: '{"q":"x"}' } }],
        },
        { role: 'tool', tool_call_id: 't1', content: '[1,2]' },
        { role: 'tool', tool_call_id: 'unknown', name: 'other', content: 'ok' },
      ],
    });
    assert.deepEqual(body.contents[2], {
      role: 'user',
      parts: [
        // a JSON array is not an object: wrapped like any other text
        { functionResponse: { name: 'search', response: { result: '[1,2]' } } },
        { functionResponse: { name: 'other', response: { result: 'ok' } } },
      ],
    });
  });

  it('rejects a tool result whose function name cannot be found', () => {
    assert.throws(
      () => build({ messages: [user('go'), { role: 'tool', tool_call_id: 'nope', content: 'x' }] }),
      (e: unknown) => e instanceof InvalidRequestError && e.param === 'messages[1].tool_call_id',
    );
  });

  it('rejects tool-call arguments that are not a JSON object', () => {
    for (const args of ['{bad', '[1]']) {
      assert.throws(
        () =>
          build({
            messages: [
              user('go'),
              {
                role: 'assistant',
                tool_calls: [{ id: 't', type: 'function', function: { name: 'f', arguments: args } }],
              },
            ],
          }),
        (e: unknown) => e instanceof InvalidRequestError && e.param === 'messages[1].tool_calls[0].function.arguments',
      );
    }
  });

  it('puts a call-less Gemini signature back on the text part, ignoring other formats', () => {
    const body = bodyOf({
      messages: [
        user('hi'),
        {
          role: 'assistant',
          content: 'Hello!',
          reasoning_details: [
            { type: 'reasoning.encrypted', data: 'c2lnMQ==', format: 'google-gemini-v1', id: null },
            { type: 'reasoning.encrypted', data: 'b3RoZXI=', format: 'openai-responses-v1', id: 'rs_1' },
          ],
        },
        user('and?'),
      ],
    });
    assert.deepEqual(body.contents[1], { role: 'model', parts: [{ text: 'Hello!', thoughtSignature: 'c2lnMQ==' }] });
  });

  it('gives unsigned function calls the documented placeholder signature on Gemini 3 only', () => {
    const req: ChatRequest = {
      messages: [
        user('go'),
        {
          role: 'assistant',
          tool_calls: [
            { id: 'a', type: 'function', function: { name: 'f', arguments: '{}' } },
            { id: 'b', type: 'function', function: { name: 'g', arguments: '{}' } },
          ],
        },
        { role: 'tool', tool_call_id: 'a', content: '1' },
        { role: 'tool', tool_call_id: 'b', content: '2' },
      ],
    };
    const g3 = bodyOf(req, makeCtx({ model: 'gemini-3-pro-preview' }));
    assert.equal(g3.contents[1].parts[0].thoughtSignature, SKIP_SIGNATURE);
    assert.equal(g3.contents[1].parts[1].thoughtSignature, undefined);
    assertProtoValid(g3);
    const g25 = bodyOf(req, makeCtx({ model: 'gemini-2.5-flash' }));
    assert.equal(g25.contents[1].parts[0].thoughtSignature, undefined);
  });

  it('sends data:image/jpg (a common misspelling Gemini refuses) as image/jpeg', () => {
    const body = bodyOf({
      messages: [
        {
          role: 'user',
          content: [
            { type: 'image_url', image_url: { url: 'data:image/jpg;base64,/9j/4AAQ' } },
            { type: 'image_url', image_url: { url: 'data:IMAGE/JPG;base64,/9j/4AAQ' } },
          ],
        },
      ],
    });
    assert.deepEqual(body.contents[0].parts, [
      { inlineData: { mimeType: 'image/jpeg', data: '/9j/4AAQ' } },
      { inlineData: { mimeType: 'image/jpeg', data: '/9j/4AAQ' } },
    ]);
  });

  it('maps data URLs without base64 and files by URI; rejects OpenAI file ids', () => {
    const body = bodyOf({
      messages: [
        {
          role: 'user',
          content: [
            { type: 'image_url', image_url: { url: 'data:image/svg+xml,%3Csvg%2F%3E' } },
            { type: 'file', file: { filename: 'notes.txt', file_data: 'aGVsbG8=' } },
            { type: 'file', file: { file_id: 'https://generativelanguage.googleapis.com/v1beta/files/abc' } },
          ],
        },
      ],
    });
    assert.deepEqual(body.contents[0].parts, [
      { inlineData: { mimeType: 'image/svg+xml', data: Buffer.from('<svg/>').toString('base64') } },
      { inlineData: { mimeType: 'text/plain', data: 'aGVsbG8=' } },
      {
        fileData: {
          mimeType: 'application/pdf',
          fileUri: 'https://generativelanguage.googleapis.com/v1beta/files/abc',
        },
      },
    ]);
    assert.throws(
      () => build({ messages: [{ role: 'user', content: [{ type: 'file', file: { file_id: 'file-abc123' } }] }] }),
      (e: unknown) => e instanceof InvalidRequestError && e.param === 'messages[0].content[0].file',
    );
  });
});

describe('gemini buildChatRequest: tools and options', () => {
  const tools: ChatRequest['tools'] = [
    {
      type: 'function',
      function: { name: 'f', parameters: { type: 'object', properties: { a: { type: 'string' } } } },
    },
  ];

  it('maps every tool_choice', () => {
    const cfg = (tool_choice: ChatRequest['tool_choice']) =>
      bodyOf({ messages: [user('x')], tools, tool_choice }).toolConfig;
    assert.deepEqual(cfg('auto'), { functionCallingConfig: { mode: 'AUTO' } });
    assert.deepEqual(cfg('required'), { functionCallingConfig: { mode: 'ANY' } });
    assert.deepEqual(cfg('none'), { functionCallingConfig: { mode: 'NONE' } });
    assert.deepEqual(cfg({ type: 'function', function: { name: 'f' } }), {
      functionCallingConfig: { mode: 'ANY', allowedFunctionNames: ['f'] },
    });
    assert.equal(cfg(undefined), undefined);
  });

  it('sends no tools or toolConfig without tools', () => {
    const body = bodyOf({ messages: [user('x')], tools: [], tool_choice: 'auto' });
    assert.equal(body.tools, undefined);
    assert.equal(body.toolConfig, undefined);
  });

  it('omits generationConfig and maxOutputTokens when nothing was asked', () => {
    const body = bodyOf(
      { messages: [user('x')], temperature: null, stop: null, top_k: 0 },
      makeCtx({ maxTokens: 65536 }),
    );
    assert.deepEqual(Object.keys(body), ['contents']);
  });

  it('maps json_object, a single stop string, and wraps an out-of-range seed into int32', () => {
    const body = bodyOf({
      messages: [user('x')],
      response_format: { type: 'json_object' },
      stop: 'END',
      seed: 2 ** 32 + 7,
    });
    assert.deepEqual(body.generationConfig, { responseMimeType: 'application/json', stopSequences: ['END'], seed: 7 });
    assertProtoValid(body);
  });

  it('falls back to responseJsonSchema for a schema Gemini Schema cannot express', () => {
    const schema = { type: 'object', properties: { v: { anyOf: [{ type: 'string' }, { type: 'integer' }] } } };
    const body = bodyOf({
      messages: [user('x')],
      response_format: { type: 'json_schema', json_schema: { name: 's', schema } },
    });
    assert.deepEqual(body.generationConfig, { responseMimeType: 'application/json', responseJsonSchema: schema });
    assertProtoValid(body);
  });
});

describe('gemini buildChatRequest: reasoning', () => {
  const thinking = (ctx: ReturnType<typeof makeCtx>) =>
    bodyOf({ messages: [user('x')] }, ctx).generationConfig?.thinkingConfig;

  it('sends nothing when the client did not ask', () => {
    assert.equal(thinking(makeCtx({ reasoning: null })), undefined);
  });

  it('maps effort to budgets, and an explicit budget as given', () => {
    assert.deepEqual(thinking(makeCtx({ reasoning: reasoning({ effort: 'low' }) })), {
      includeThoughts: true,
      thinkingBudget: 1024,
    });
    assert.deepEqual(thinking(makeCtx({ reasoning: reasoning({ effort: 'high' }) })), {
      includeThoughts: true,
      thinkingBudget: 24576,
    });
    assert.deepEqual(thinking(makeCtx({ reasoning: reasoning({ effort: 'minimal' as never }) })), {
      includeThoughts: true,
      thinkingBudget: 512,
    });
    assert.deepEqual(thinking(makeCtx({ reasoning: reasoning({ effort: 'xhigh' as never }) })), {
      includeThoughts: true,
      thinkingBudget: 24576,
    });
    assert.deepEqual(thinking(makeCtx({ reasoning: reasoning({ effort: 'low', max_tokens: 3000 }) })), {
      includeThoughts: true,
      thinkingBudget: 3000,
    });
    assert.deepEqual(thinking(makeCtx({ reasoning: reasoning() })), { includeThoughts: true, thinkingBudget: -1 });
  });

  it('clamps the budget below the output limit and hides thoughts on exclude', () => {
    const ctx = makeCtx({
      reasoning: reasoning({ effort: 'high', exclude: true }),
      maxTokens: 2000,
      maxTokensExplicit: true,
    });
    assert.deepEqual(thinking(ctx), { includeThoughts: false, thinkingBudget: 1999 });
  });

  it("clamps the budget into the model's range from the catalog (Pro 128-32768, Flash-Lite 512-24576)", () => {
    const range = (min_budget: number, max_budget: number) => ({
      supported_efforts: [],
      default_effort: null,
      mandatory: false,
      supports_max_tokens: true,
      min_budget,
      max_budget,
    });
    const budget = (max_tokens: number | null, effort: 'xhigh' | null, r: ReturnType<typeof range>) =>
      thinking(makeCtx({ reasoning: reasoning({ max_tokens, effort: effort as never }), modelReasoning: r }))
        ?.thinkingBudget;
    const pro = range(128, 32768);
    const lite = range(512, 24576);
    const flash = range(0, 24576);
    assert.equal(budget(50, null, pro), 128);
    assert.equal(budget(100000, null, pro), 32768);
    assert.equal(budget(100, null, lite), 512);
    assert.equal(budget(30000, null, lite), 24576);
    assert.equal(budget(30000, null, flash), 24576);
    assert.equal(budget(3000, null, flash), 3000);
    // xhigh asks for the model's ceiling
    assert.equal(budget(null, 'xhigh', pro), 32768);
    // the ranges come from the built-in catalog (models.dev's reasoning_options), not from dialect code
    const builtIn = JSON.parse(readFileSync(new URL('../../src/catalog/data/catalog.json', import.meta.url), 'utf8'));
    const rangeOf = (id: string) => {
      const r = builtIn.models.find((m: { id: string }) => m.id === id).reasoning;
      return [r.min_budget, r.max_budget];
    };
    assert.deepEqual(rangeOf('google/gemini-2.5-pro'), [128, 32768]);
    assert.deepEqual(rangeOf('google/gemini-2.5-flash'), [0, 24576]);
    assert.deepEqual(rangeOf('google/gemini-2.5-flash-lite'), [512, 24576]);
    // dynamic (-1) and off (0) are not budgets and pass through
    assert.equal(budget(null, null, lite), -1);
    assert.equal(budget(0, null, flash), 0);
  });

  it('turns thinking off with budget 0, except where reasoning is mandatory', () => {
    assert.deepEqual(thinking(makeCtx({ reasoning: reasoning({ enabled: false }) })), { thinkingBudget: 0 });
    const mandatory = {
      supported_efforts: ['low', 'high'],
      default_effort: null,
      mandatory: true,
      supports_max_tokens: true,
    };
    assert.equal(thinking(makeCtx({ reasoning: reasoning({ enabled: false }), modelReasoning: mandatory })), undefined);
  });

  it('never sends thinkingConfig to a model that cannot think', () => {
    const ctx = makeCtx({ reasoning: reasoning({ effort: 'high' }), modelReasoning: null });
    ctx.target.model.supported_parameters = ['tools'];
    assert.equal(thinking(ctx), undefined);
  });
});
