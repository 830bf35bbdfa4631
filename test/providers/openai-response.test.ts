import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openaiDialect, UpstreamResponseError } from '../../src/providers/openai/index.js';
import { fixtureJson, makeCtx } from './openai-helpers.js';

const parse = (name: string, ctx = makeCtx()) => openaiDialect.parseChatResponse(fixtureJson(name), ctx);

test('OpenAI tool-call response with full usage details', () => {
  const r = parse('response-openai-tool-calls.json');
  assert.equal(r.content, null);
  assert.equal(r.reasoning, null);
  assert.deepEqual(r.reasoning_details, []);
  assert.deepEqual(r.tool_calls, [
    { id: 'call_abc123', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
  ]);
  assert.equal(r.finish_reason, 'tool_calls');
  assert.equal(r.native_finish_reason, 'tool_calls');
  assert.deepEqual(r.usage, {
    prompt_tokens: 82,
    completion_tokens: 17,
    cached_read_tokens: 64,
    cache_write_tokens: 8,
    reasoning_tokens: 5,
  });
  assert.equal(r.upstream_id, 'chatcmpl-abc123');
  assert.equal(r.refusal, null);
});

test('DeepSeek reasoner: reasoning_content and prompt_cache_hit_tokens', () => {
  const r = parse('response-deepseek-reasoner.json', makeCtx({ providerId: 'deepseek', providerName: 'DeepSeek' }));
  assert.equal(r.content, '9.11 is smaller than 9.8.');
  assert.equal(r.reasoning, 'Compare the decimals: 0.11 < 0.80.');
  assert.equal(r.finish_reason, 'stop');
  assert.deepEqual(r.usage, {
    prompt_tokens: 18,
    completion_tokens: 110,
    cached_read_tokens: 16,
    cache_write_tokens: 0,
    reasoning_tokens: 96,
  });
});

test('reasoning.exclude hides the text but keeps reasoning tokens', () => {
  const r = parse('response-deepseek-reasoner.json', makeCtx({ reasoning: { exclude: true } }));
  assert.equal(r.reasoning, null);
  assert.equal(r.usage?.reasoning_tokens, 96);
});

test('Mistral thinking content parts; model_length → length; completion from total', () => {
  const r = parse('response-mistral-thinking.json', makeCtx({ providerId: 'mistral' }));
  assert.equal(r.content, 'The answer is 4.');
  assert.equal(r.reasoning, 'Add the numbers: 2+2=4.');
  assert.equal(r.finish_reason, 'length');
  assert.equal(r.native_finish_reason, 'model_length');
  assert.deepEqual(r.tool_calls, []);
  assert.equal(r.usage?.completion_tokens, 28);
});

test('Ollama: missing tool-call id generated, object arguments stringified, stop → tool_calls', () => {
  const r = parse('response-ollama-no-ids.json');
  assert.equal(r.tool_calls.length, 1);
  assert.match(r.tool_calls[0].id, /^call_[0-9a-f]{24}$/);
  assert.equal(r.tool_calls[0].function.arguments, '{"city":"Paris"}');
  assert.equal(r.reasoning, 'Need the weather tool.');
  assert.equal(r.content, '');
  assert.equal(r.finish_reason, 'tool_calls');
  assert.equal(r.native_finish_reason, 'stop');
});

test("Groq's x_groq.usage", () => {
  const r = parse('response-groq.json');
  assert.deepEqual(r.usage, {
    prompt_tokens: 18,
    completion_tokens: 4,
    cached_read_tokens: 0,
    cache_write_tokens: 0,
    reasoning_tokens: 0,
  });
});

test('refusal, and usage null when absent', () => {
  const r = parse('response-refusal-no-usage.json');
  assert.equal(r.refusal, "I'm sorry, I can't help with that.");
  assert.equal(r.content, null);
  assert.equal(r.usage, null);
});

test('finish_reason map', () => {
  const fin = (native: string | null) =>
    openaiDialect.parseChatResponse({ choices: [{ message: { content: 'x' }, finish_reason: native }] }, makeCtx())
      .finish_reason;
  assert.equal(fin('stop'), 'stop');
  assert.equal(fin('length'), 'length');
  assert.equal(fin('content_filter'), 'content_filter');
  assert.equal(fin('function_call'), 'tool_calls');
  assert.equal(fin('insufficient_system_resource'), 'error');
  assert.equal(fin('error'), 'error');
  assert.equal(fin(null), 'stop');
});

test('unusable 200 bodies throw UpstreamResponseError', () => {
  const ctx = makeCtx({ providerName: 'Together AI' });
  assert.throws(
    () => openaiDialect.parseChatResponse({ error: { message: 'Upstream overloaded', code: 503 } }, ctx),
    (e: unknown) =>
      e instanceof UpstreamResponseError &&
      e.upstream.retryable &&
      e.upstream.message === 'Together AI: Upstream overloaded' &&
      // duck-typed like a thrown UpstreamError by the router
      e.status === 502 &&
      e.retryable &&
      'upstream_status' in e &&
      e.upstream_status === 503,
  );
  assert.throws(
    () => openaiDialect.parseChatResponse({ id: 'x', choices: [] }, ctx),
    (e: unknown) =>
      e instanceof UpstreamResponseError && e.upstream.code === 'upstream_invalid_response' && e.upstream.retryable,
  );
  assert.throws(() => openaiDialect.parseChatResponse('nope', ctx), UpstreamResponseError);
});

test('embeddings response: ordered by index, prompt tokens, base64 fallback', () => {
  const r = openaiDialect.parseEmbeddingsResponse!(fixtureJson('embeddings-response.json'), {
    model: 'm',
    input: ['a', 'b'],
  });
  assert.deepEqual(r.vectors, [
    [0.0023064255, -0.009327292],
    [0.01, 0.02],
  ]);
  assert.equal(r.prompt_tokens, 2);
  const buf = Buffer.alloc(8);
  buf.writeFloatLE(0.5, 0);
  buf.writeFloatLE(-2, 4);
  const b = openaiDialect.parseEmbeddingsResponse!(
    { data: [{ index: 0, embedding: buf.toString('base64') }] },
    { model: 'm', input: 'a' },
  );
  assert.deepEqual(b.vectors, [[0.5, -2]]);
  assert.equal(b.prompt_tokens, null);
});

test('choices[0].logprobs is passed through as sent; absent → null', () => {
  const logprobs = {
    content: [
      {
        token: 'Hi',
        logprob: -0.01,
        bytes: [72, 105],
        top_logprobs: [{ token: 'Hi', logprob: -0.01, bytes: [72, 105] }],
      },
    ],
    refusal: null,
  };
  const body = {
    id: 'x',
    object: 'chat.completion',
    choices: [{ index: 0, message: { role: 'assistant', content: 'Hi' }, logprobs, finish_reason: 'stop' }],
  };
  assert.deepEqual(openaiDialect.parseChatResponse(body, makeCtx()).logprobs, logprobs);
  const plain = {
    ...body,
    choices: [{ index: 0, message: { role: 'assistant', content: 'Hi' }, logprobs: null, finish_reason: 'stop' }],
  };
  assert.equal(openaiDialect.parseChatResponse(plain, makeCtx()).logprobs, null);
});

test('system_fingerprint: the upstream string is kept; none (or null) leaves it absent', () => {
  const body = (fp: unknown) => ({
    id: 'chatcmpl-1',
    object: 'chat.completion',
    created: 1,
    model: 'gpt-4o',
    ...(fp === undefined ? {} : { system_fingerprint: fp }),
    choices: [{ index: 0, message: { role: 'assistant', content: 'Hi' }, finish_reason: 'stop' }],
  });
  assert.equal(openaiDialect.parseChatResponse(body('fp_44709d6fcb'), makeCtx()).system_fingerprint, 'fp_44709d6fcb');
  assert.equal('system_fingerprint' in openaiDialect.parseChatResponse(body(null), makeCtx()), false);
  assert.equal('system_fingerprint' in openaiDialect.parseChatResponse(body(undefined), makeCtx()), false);
});
