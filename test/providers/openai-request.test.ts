import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ChatRequest } from '../../src/protocol/chat-request.js';
import { openaiDialect } from '../../src/providers/openai/index.js';
import { mistralToolCallId } from '../../src/providers/openai/messages.js';
import type { ReasoningInfo } from '../../src/catalog/types.js';
import { chatRequest, fixtureJson, makeCtx } from './openai-helpers.js';
import { chatRequestValidator } from './openai-spec.js';

const full = () => fixtureJson<ChatRequest>('chat-request.json');
const bodyOf = (req: ChatRequest, ctx = makeCtx()) => JSON.parse(openaiDialect.buildChatRequest(req, ctx).body);

const O_SERIES: ReasoningInfo = {
  supported_efforts: ['low', 'medium', 'high'],
  default_effort: 'medium',
  mandatory: true,
  supports_max_tokens: false,
};

test('OpenAI: URL, auth, headers, and every standard field mapped', () => {
  const ctx = makeCtx({
    stream: true,
    maxTokens: 256,
    maxTokensExplicit: true,
    baseUrl: 'https://api.openai.com/v1/',
    headers: { 'OpenAI-Project': 'proj_1' },
  });
  const up = openaiDialect.buildChatRequest(full(), ctx);
  assert.equal(up.url, 'https://api.openai.com/v1/chat/completions');
  assert.equal(up.method, 'POST');
  assert.equal(up.headers.authorization, 'Bearer sk-test');
  assert.equal(up.headers['content-type'], 'application/json');
  assert.equal(up.headers['openai-project'], 'proj_1');
  const b = JSON.parse(up.body);
  assert.equal(b.model, 'gpt-4o-mini-2024-07-18');
  assert.equal(b.stream, true);
  assert.deepEqual(b.stream_options, { include_usage: true });
  assert.equal(b.max_completion_tokens, 256);
  assert.equal(b.max_tokens, undefined);
  assert.equal(b.tool_choice, 'auto');
  assert.equal(b.parallel_tool_calls, true);
  assert.deepEqual(b.response_format, { type: 'text' });
  assert.deepEqual(b.stop, ['\n\n']);
  assert.equal(b.temperature, 0.2);
  assert.equal(b.top_p, 1);
  assert.equal(b.seed, 7);
  assert.equal(b.frequency_penalty, 0.1);
  assert.equal(b.presence_penalty, 0.2);
  assert.equal(b.n, 1);
  assert.equal(b.user, 'user-123');
  assert.equal(b.tools[0].function.name, 'get_weather');
  // ARouter-only and OpenAI-rejected fields never go upstream
  for (const k of [
    'models',
    'provider',
    'reasoning',
    'usage',
    'include_reasoning',
    'transforms',
    'top_k',
    'reasoning_effort',
  ]) {
    assert.equal(k in b, false, k);
  }
  // developer role kept for OpenAI; reasoning echoes stripped from the assistant message only
  assert.equal(b.messages[1].role, 'developer');
  assert.deepEqual(Object.keys(b.messages[3]).sort(), ['content', 'role', 'tool_calls']);
  assert.equal(b.messages[3].tool_calls[1].id, 'toolu_01A09q90qw90lq917835lq9');
  assert.equal(b.messages[5].tool_call_id, 'toolu_01A09q90qw90lq917835lq9');
});

test('OpenAI body validates against the official OpenAPI schema (strict on unknown keys)', (t) => {
  const validate = chatRequestValidator();
  if (!validate) return t.skip('openai-openapi.yaml not available');
  const ctx = makeCtx({
    stream: true,
    maxTokens: 256,
    maxTokensExplicit: true,
    reasoningInfo: O_SERIES,
    reasoning: { effort: 'high' },
  });
  const req = full();
  // what OpenAI SDK users echo back: the whole previous message, annotations included
  req.messages.push({ role: 'assistant', content: 'ok', refusal: null, annotations: [] } as never);
  req.messages.push({ role: 'tool', tool_call_id: 'call_abc123', name: 'get_weather', content: 'x' } as never);
  const b = bodyOf(req, ctx);
  assert.equal(validate(b), true, JSON.stringify(validate.errors?.slice(0, 5)));
  assert.equal(b.reasoning_effort, 'high');
});

test('messages are passed by reference when nothing needs changing', () => {
  const req = chatRequest({
    messages: [
      { role: 'system', content: 'x' },
      { role: 'user', content: 'y' },
    ],
  });
  const up = openaiDialect.buildChatRequest(req, makeCtx());
  assert.equal(up.body, JSON.stringify({ model: 'gpt-4o-mini-2024-07-18', messages: req.messages }));
});

test('max tokens: only when explicit; max_tokens for non-OpenAI providers; top_k only to non-OpenAI', () => {
  assert.equal('max_completion_tokens' in bodyOf(chatRequest({ top_k: 5 }), makeCtx({ maxTokens: 999 })), false);
  const b = bodyOf(
    chatRequest({ top_k: 5 }),
    makeCtx({ providerId: 'together', maxTokens: 999, maxTokensExplicit: true }),
  );
  assert.equal(b.max_tokens, 999);
  assert.equal(b.max_completion_tokens, undefined);
  assert.equal(b.top_k, 5);
});

test('generic compatible provider: developer → system, no auth header without a key, trailing slash', () => {
  const ctx = makeCtx({
    providerId: 'ollama',
    baseUrl: 'http://localhost:11434/v1/',
    apiKey: '',
    endpointModel: 'qwen3:8b',
  });
  const up = openaiDialect.buildChatRequest(full(), ctx);
  assert.equal(up.url, 'http://localhost:11434/v1/chat/completions');
  assert.equal('authorization' in up.headers, false);
  const b = JSON.parse(up.body);
  assert.equal(b.model, 'qwen3:8b');
  assert.equal(b.messages[1].role, 'system');
  assert.equal(b.messages[1].content, 'Answer in English.');
  assert.equal(b.stream, undefined);
});

test('tools-related fields are dropped without tools (OpenAI 400s on them)', () => {
  const b = bodyOf(chatRequest({ tools: [], tool_choice: 'none', parallel_tool_calls: false }));
  assert.equal('tools' in b || 'tool_choice' in b || 'parallel_tool_calls' in b, false);
});

test('Mistral: 9-char tool-call ids consistent within the request; quirky fields', () => {
  const ctx = makeCtx({ providerId: 'mistral', stream: true, endpointModel: 'mistral-large-2411' });
  const b = bodyOf(full(), ctx);
  const [a1, a2] = b.messages[3].tool_calls.map((c: { id: string }) => c.id);
  for (const id of [a1, a2]) assert.match(id, /^[a-zA-Z0-9]{9}$/);
  assert.notEqual(a1, a2);
  assert.equal(b.messages[4].tool_call_id, a1);
  assert.equal(b.messages[5].tool_call_id, a2);
  assert.equal(a1, mistralToolCallId('call_abc123'));
  assert.equal(mistralToolCallId('Ab3xK9mP2'), 'Ab3xK9mP2');
  assert.equal(b.messages[1].role, 'system');
  assert.equal(b.stream, true);
  assert.equal('stream_options' in b, false);
  assert.equal(b.random_seed, 7);
  assert.equal('seed' in b || 'user' in b || 'top_k' in b, false);
});

test('reasoning_effort: decided from the catalog reasoning info', () => {
  const eff = (reasoningInfo: ReasoningInfo | null | undefined, reasoning: object | null) =>
    bodyOf(chatRequest(), makeCtx({ reasoningInfo, reasoning: reasoning as never })).reasoning_effort;
  assert.equal(eff(O_SERIES, null), undefined);
  assert.equal(eff(O_SERIES, {}), 'medium');
  assert.equal(eff(O_SERIES, { effort: 'low' }), 'low');
  assert.equal(eff(O_SERIES, { max_tokens: 20000 }), 'high');
  // mandatory reasoning cannot be disabled
  assert.equal(eff(O_SERIES, { enabled: false }), undefined);
  // the catalog says the model does not reason (gpt-4o), or takes no effort (grok-4)
  assert.equal(eff(null, { effort: 'high' }), undefined);
  assert.equal(eff({ ...O_SERIES, supported_efforts: [] }, { effort: 'high' }), undefined);
  // unknown model (operator-defined): as asked
  assert.equal(eff(undefined, {}), 'medium');
  // grok-3-mini knows low/high: medium snaps to its default
  assert.equal(
    eff({ supported_efforts: ['low', 'high'], default_effort: 'low', mandatory: true, supports_max_tokens: false }, {}),
    'low',
  );
  // optional reasoning with a "none"/"minimal" level can be turned off
  assert.equal(
    eff(
      {
        supported_efforts: ['none', 'low', 'medium', 'high'],
        default_effort: 'medium',
        mandatory: false,
        supports_max_tokens: false,
      },
      { enabled: false },
    ),
    'none',
  );
  assert.equal(
    eff(
      { supported_efforts: ['minimal', 'low'], default_effort: 'low', mandatory: false, supports_max_tokens: false },
      { enabled: false },
    ),
    'minimal',
  );
});

test('reasoning_effort: minimal and xhigh go as asked where listed, else snap to the nearest level', () => {
  const eff = (reasoningInfo: ReasoningInfo | null | undefined, effort: string) =>
    bodyOf(
      chatRequest(),
      makeCtx({ reasoningInfo, reasoning: { enabled: true, effort, max_tokens: null, exclude: false } as never }),
    ).reasoning_effort;
  const gpt5: ReasoningInfo = {
    supported_efforts: ['minimal', 'low', 'medium', 'high', 'xhigh'],
    default_effort: 'medium',
    mandatory: true,
    supports_max_tokens: false,
  };
  assert.equal(eff(gpt5, 'minimal'), 'minimal');
  // "none" on a mandatory reasoner: the closest it has to off
  assert.equal(
    bodyOf(
      chatRequest(),
      makeCtx({
        reasoningInfo: gpt5,
        reasoning: { enabled: false, effort: null, max_tokens: null, exclude: false } as never,
      }),
    ).reasoning_effort,
    'minimal',
  );
  assert.equal(eff(gpt5, 'xhigh'), 'xhigh');
  assert.equal(eff(O_SERIES, 'minimal'), 'low');
  assert.equal(eff(O_SERIES, 'xhigh'), 'high');
  assert.equal(eff(undefined, 'xhigh'), 'xhigh');
});

test('embeddings request: always float, dimensions kept, model from the endpoint', () => {
  const up = openaiDialect.buildEmbeddingsRequest!(
    {
      model: 'openai/text-embedding-3-small',
      input: ['hello', 'world'],
      encoding_format: 'base64',
      dimensions: 256,
      user: 'u',
    },
    makeCtx({ endpointModel: 'text-embedding-3-small' }).target,
  );
  assert.equal(up.url, 'https://api.openai.com/v1/embeddings');
  assert.deepEqual(JSON.parse(up.body), {
    model: 'text-embedding-3-small',
    input: ['hello', 'world'],
    dimensions: 256,
    encoding_format: 'float',
  });
});

test('Alibaba DashScope: enable_thinking for hybrid Qwen3 (false on non-stream calls)', () => {
  const hybrid: ReasoningInfo = {
    supported_efforts: [],
    default_effort: null,
    mandatory: false,
    supports_max_tokens: true,
  };
  const base = { providerId: 'alibaba', endpointModel: 'qwen3-235b-a22b', reasoningInfo: hybrid };
  const nonStream = bodyOf(chatRequest(), makeCtx({ ...base, reasoning: { max_tokens: 2000 } }));
  assert.equal(nonStream.enable_thinking, false);
  assert.equal(nonStream.reasoning_effort, undefined);
  const on = bodyOf(chatRequest(), makeCtx({ ...base, stream: true, reasoning: { max_tokens: 2000 } }));
  assert.deepEqual([on.enable_thinking, on.thinking_budget], [true, 2000]);
  assert.equal(
    bodyOf(chatRequest(), makeCtx({ ...base, stream: true, reasoning: { enabled: false } })).enable_thinking,
    false,
  );
  assert.equal('enable_thinking' in bodyOf(chatRequest(), makeCtx({ ...base, stream: true })), false);
  // a non-reasoning Qwen (catalog reasoning null) and other providers never get it
  assert.equal('enable_thinking' in bodyOf(chatRequest(), makeCtx({ ...base, reasoningInfo: null })), false);
  assert.equal('enable_thinking' in bodyOf(chatRequest(), makeCtx({ ...base, providerId: 'together' })), false);
});

test('sampling knobs the catalog does not list for the model are dropped (o-series, grok-4)', () => {
  const o3 = [
    'tools',
    'tool_choice',
    'parallel_tool_calls',
    'max_tokens',
    'reasoning',
    'include_reasoning',
    'structured_outputs',
    'response_format',
    'seed',
  ];
  const b = bodyOf(full(), makeCtx({ supportedParameters: o3 }));
  for (const k of ['temperature', 'top_p', 'stop', 'frequency_penalty', 'presence_penalty', 'top_k'])
    assert.equal(k in b, false, k);
  assert.equal(b.seed, 7);
  assert.equal(b.tool_choice, 'auto');
  assert.equal(b.parallel_tool_calls, true);
  assert.equal(b.user, 'user-123');
});

test('an empty tool_calls array is dropped; other messages stay the same objects', () => {
  const user = { role: 'user' as const, content: 'hi' };
  const req = chatRequest({ messages: [user, { role: 'assistant', content: 'hello', tool_calls: [] }] });
  const msgs = bodyOf(req).messages;
  assert.deepEqual(msgs[1], { role: 'assistant', content: 'hello' });
  assert.deepEqual(msgs[0], user);
});

test('Anthropic-style cache_control on content parts is dropped for OpenAI-compatible upstreams', () => {
  const req = chatRequest({
    messages: [
      {
        role: 'system',
        content: [
          { type: 'text', text: 'long rules', cache_control: { type: 'ephemeral' } } as { type: 'text'; text: string },
        ],
      },
      { role: 'user', content: 'hi' },
    ],
  });
  const b = bodyOf(req);
  assert.deepEqual(b.messages[0], { role: 'system', content: [{ type: 'text', text: 'long rules' }] });
  assert.deepEqual(b.messages[1], { role: 'user', content: 'hi' });
  // the client's request object is not mutated
  assert.ok('cache_control' in (req.messages[0].content as object[])[0]);
});

test('logprobs / top_logprobs go upstream when the endpoint lists them; top_logprobs only with logprobs:true', () => {
  const lp = makeCtx({ supportedParameters: ['max_tokens', 'logprobs', 'top_logprobs'] });
  const b = bodyOf(chatRequest({ logprobs: true, top_logprobs: 3 }), lp);
  assert.equal(b.logprobs, true);
  assert.equal(b.top_logprobs, 3);
  assert.equal(
    'top_logprobs' in bodyOf(chatRequest({ top_logprobs: 3 }), lp),
    false,
    'OpenAI 400s on top_logprobs alone',
  );
  const none = bodyOf(
    chatRequest({ logprobs: true, top_logprobs: 3 }),
    makeCtx({ supportedParameters: ['max_tokens'] }),
  );
  assert.equal('logprobs' in none || 'top_logprobs' in none, false, 'dropped where the catalog says unsupported');
});

test('headers are prepared once per provider: accept follows stream, a changed key is picked up, nothing is shared mutably', () => {
  const ctx = makeCtx({ stream: false });
  const a = openaiDialect.buildChatRequest(full(), ctx);
  const b = openaiDialect.buildChatRequest(full(), { ...ctx, stream: true });
  assert.equal(a.headers.accept, 'application/json');
  assert.equal(b.headers.accept, 'text/event-stream');
  assert.equal(openaiDialect.buildChatRequest(full(), ctx).headers, a.headers, 'the same object for the same provider');
  assert.ok(Object.isFrozen(a.headers));
  const rotated = { ...ctx, target: { ...ctx.target, apiKey: 'sk-rotated' } };
  assert.equal(openaiDialect.buildChatRequest(full(), rotated).headers.authorization, 'Bearer sk-rotated');
});

test('logit_bias goes upstream where the endpoint lists it, and nowhere else', () => {
  const bias = { '50256': -100, '15339': 5 };
  const listed = bodyOf(
    chatRequest({ logit_bias: bias }),
    makeCtx({ supportedParameters: ['max_tokens', 'logit_bias'] }),
  );
  assert.deepEqual(listed.logit_bias, bias);
  const unlisted = bodyOf(chatRequest({ logit_bias: bias }), makeCtx({ supportedParameters: ['max_tokens'] }));
  assert.equal('logit_bias' in unlisted, false);
  assert.equal('logit_bias' in bodyOf(chatRequest({ logit_bias: null })), false);
});

const OPENAI_OPTIONS = {
  service_tier: 'flex',
  prompt_cache_key: 'tenant-42',
  safety_identifier: 'user-hash-1',
  store: true,
  metadata: { run: 'nightly' },
  prediction: { type: 'content', content: 'const x = 1;' },
  verbosity: 'low',
} as const;

test("OpenAI's own request options reach OpenAI (valid against its spec); other hosts never get them", (t) => {
  const req = chatRequest({ ...OPENAI_OPTIONS });
  const openai = bodyOf(req, makeCtx({ supportedParameters: ['max_tokens', 'verbosity', 'prediction'] }));
  for (const [k, v] of Object.entries(OPENAI_OPTIONS)) assert.deepEqual(openai[k], v, k);
  const together = bodyOf(req, makeCtx({ providerId: 'together', providerName: 'Together' }));
  for (const k of Object.keys(OPENAI_OPTIONS)) assert.equal(k in together, false, k);
  const validate = chatRequestValidator();
  if (!validate) return t.skip('openai-openapi.yaml not available');
  assert.ok(validate(openai), JSON.stringify(validate.errors));
});

test('verbosity and prediction are per model: sent only where the catalog lists them', () => {
  const req = chatRequest({ ...OPENAI_OPTIONS });
  const gpt4o = bodyOf(req, makeCtx({ supportedParameters: ['max_tokens', 'prediction'] }));
  assert.deepEqual(gpt4o.prediction, OPENAI_OPTIONS.prediction);
  assert.equal('verbosity' in gpt4o, false);
  const gpt5 = bodyOf(req, makeCtx({ supportedParameters: ['max_tokens', 'verbosity'] }));
  assert.equal(gpt5.verbosity, 'low');
  assert.equal('prediction' in gpt5, false);
  assert.equal(gpt5.service_tier, 'flex');
});

test('tool_choice allowed_tools: forwarded as is to OpenAI; elsewhere the tools are narrowed and mode is the choice', () => {
  const fn = (name: string) => ({ type: 'function' as const, function: { name, parameters: { type: 'object' } } });
  const req = chatRequest({
    tools: [fn('get_weather'), fn('get_time'), fn('delete_all')],
    tool_choice: {
      type: 'allowed_tools',
      allowed_tools: {
        mode: 'required',
        tools: [
          { type: 'function', function: { name: 'get_weather' } },
          { type: 'function', function: { name: 'get_time' } },
        ],
      },
    },
  });
  const openai = bodyOf(req);
  assert.deepEqual(openai.tool_choice, req.tool_choice);
  assert.equal(openai.tools.length, 3);
  const groq = bodyOf(req, makeCtx({ providerId: 'groq', providerName: 'Groq' }));
  assert.deepEqual(
    groq.tools.map((t: { function: { name: string } }) => t.function.name),
    ['get_weather', 'get_time'],
  );
  assert.equal(groq.tool_choice, 'required');
  // none of the declared tools allowed: no tools at all
  const nothing = bodyOf(
    { ...req, tool_choice: { type: 'allowed_tools', allowed_tools: { mode: 'auto', tools: [] } } },
    makeCtx({ providerId: 'groq', providerName: 'Groq' }),
  );
  assert.equal('tools' in nothing || 'tool_choice' in nothing, false);
});
