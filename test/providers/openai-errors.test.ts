import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mapOpenAIError, openaiDialect } from '../../src/providers/openai/index.js';
import { fixtureJson } from './openai-helpers.js';

const bodies = fixtureJson<Record<string, unknown>>('errors.json');
const body = (k: string) => JSON.stringify(bodies[k]);

test('401 invalid key → 502 upstream_auth_error, falls back, provider words kept', () => {
  const e = mapOpenAIError(401, body('openai_invalid_key'), {}, 'OpenAI');
  assert.equal(e.status, 502);
  assert.equal(e.type, 'upstream_auth_error');
  assert.equal(e.retryable, true);
  assert.equal(e.code, 'invalid_api_key');
  assert.equal(e.upstream_status, 401);
  assert.deepEqual(e.upstream_body, bodies.openai_invalid_key);
  assert.match(e.message, /^OpenAI: Incorrect API key provided: sk-bad\.$/);
});

test('400/404/413/422 → 400 invalid_request_error "<Provider>: <message>"', () => {
  const ctx = mapOpenAIError(400, body('openai_context_length'), {}, 'OpenAI');
  assert.equal(ctx.status, 400);
  assert.equal(ctx.type, 'invalid_request_error');
  assert.equal(ctx.retryable, false);
  assert.equal(ctx.code, 'context_length_exceeded');
  assert.match(ctx.message, /^OpenAI: This model's maximum context length/);
  assert.equal(mapOpenAIError(404, body('openai_model_not_found'), {}, 'OpenAI').status, 400);
  assert.equal(
    mapOpenAIError(413, '<html><body>413 Request Entity Too Large</body></html>', {}, 'X').message,
    'X: 413 Request Entity Too Large',
  );
  const m = mapOpenAIError(422, body('mistral_extra_forbidden'), {}, 'Mistral');
  assert.equal(m.status, 400);
  assert.equal(m.message, 'Mistral: body.stream_options.include_usage: Extra inputs are not permitted');
});

test("Mistral's unwrapped error body", () => {
  const e = mapOpenAIError(400, body('mistral_tool_id'), {}, 'Mistral');
  assert.equal(e.message, 'Mistral: Tool call id was call_abc123 but must be a-z, A-Z, 0-9, with a length of 9.');
  assert.equal(e.code, null);
});

test('429: rate_limit_error with retry-after; insufficient_quota stays retryable with a clear message', () => {
  const r = mapOpenAIError(429, body('openai_rate_limit'), { 'retry-after': '20' }, 'OpenAI');
  assert.equal(r.status, 429);
  assert.equal(r.type, 'rate_limit_error');
  assert.equal(r.retryable, true);
  assert.equal(r.retry_after_sec, 20);
  const q = mapOpenAIError(429, body('openai_insufficient_quota'), { 'retry-after': '20' }, 'OpenAI');
  assert.equal(q.retryable, true);
  assert.equal(q.code, 'insufficient_quota');
  assert.equal(q.retry_after_sec, undefined);
  assert.match(q.message, /quota/);
  const ms = mapOpenAIError(429, '', { 'Retry-After-Ms': '1500' }, 'OpenAI');
  assert.equal(ms.retry_after_sec, 2);
  const date = mapOpenAIError(429, '', { 'retry-after': new Date(Date.now() + 30_000).toUTCString() }, 'OpenAI');
  assert.ok(date.retry_after_sec! >= 28 && date.retry_after_sec! <= 31);
});

test('5xx, 529, timeouts', () => {
  const s = mapOpenAIError(500, body('openai_server_error'), {}, 'OpenAI');
  assert.deepEqual([s.status, s.type, s.retryable], [502, 'upstream_error', true]);
  const bad = mapOpenAIError(502, '<html><head><title>502 Bad Gateway</title></head></html>', {}, 'Groq');
  assert.equal(bad.message, 'Groq: 502 Bad Gateway');
  // the excerpt is the message; only a parsed JSON body is kept as upstream_body
  assert.equal(bad.upstream_body, undefined);
  const o = mapOpenAIError(529, '', {}, 'X');
  assert.deepEqual([o.status, o.type, o.retryable], [503, 'upstream_overloaded', true]);
  for (const st of [408, 504]) {
    const t = mapOpenAIError(st, '', {}, 'X');
    assert.deepEqual([t.status, t.type, t.retryable], [408, 'timeout', true]);
  }
});

test('other shapes: Ollama {"error":"text"}, FastAPI detail, DeepSeek 402, 403', () => {
  assert.equal(
    mapOpenAIError(404, body('ollama_not_found'), {}, 'Ollama').message,
    'Ollama: model "llama9" not found, try pulling it first',
  );
  assert.equal(mapOpenAIError(404, body('fastapi_detail'), {}, 'vLLM').message, 'vLLM: Not Found');
  const p = mapOpenAIError(402, body('deepseek_insufficient_balance'), {}, 'DeepSeek');
  assert.deepEqual([p.status, p.retryable, p.message], [502, true, 'DeepSeek: Insufficient Balance']);
  const f = mapOpenAIError(403, 'Forbidden', {}, 'xAI');
  assert.deepEqual([f.status, f.type, f.retryable], [502, 'upstream_auth_error', true]);
  const other = mapOpenAIError(405, '', {}, 'X');
  assert.deepEqual([other.status, other.retryable], [502, true]);
});

test('adapter mapError works without a provider name', () => {
  const e = openaiDialect.mapError(400, body('openai_context_length'), {});
  assert.equal(e.status, 400);
  assert.match(e.message, /^Upstream provider: This model's maximum context length/);
});
