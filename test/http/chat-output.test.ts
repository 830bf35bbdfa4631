import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ServerResponse } from 'node:http';
import { SseWriter, streamErrorType } from '../../src/http/chat-output.js';
import { attemptsHeader } from '../../src/pipeline/ids.js';

test('x-arouter-attempts: each attempt as provider=status(duration), skipped breakers named, safe and bounded', () => {
  assert.equal(attemptsHeader([]), '');
  assert.equal(
    attemptsHeader([
      { provider: 'openai', status: 0, duration_ms: 0, error: 'circuit_open' },
      { provider: 'azure', status: 502, duration_ms: 120 },
      { provider: 'together', status: 200, duration_ms: 340 },
    ]),
    'openai=skipped(0ms), azure=502(120ms), together=200(340ms)',
  );
  assert.equal(attemptsHeader([{ provider: 'prövider\n', status: 200, duration_ms: 1 }]), 'pr?vider?=200(1ms)');
  const many = Array.from({ length: 100 }, (_, i) => ({ provider: `provider-${i}`, status: 503, duration_ms: i }));
  const h = attemptsHeader(many);
  assert.equal(h.length, 512);
  assert.ok(h.startsWith('provider-0=503(0ms), provider-1=503(1ms)'));
});

test('completionText: the same bytes as JSON.stringify of the chat.completion object', async () => {
  const { completionText } = await import('../../src/http/chat-output.js');
  const cases = [
    {
      message: { role: 'assistant', content: 'Hi "there"\n\u2028é', refusal: null },
      r: {
        logprobs: null,
        finish_reason: 'stop' as const,
        native_finish_reason: 'stop',
        system_fingerprint: 'fp_"44709d6fcb"' as string | undefined,
      },
    },
    {
      message: {
        role: 'assistant',
        content: null,
        refusal: null,
        tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'f', arguments: '{"a":1}' } }],
      },
      r: { finish_reason: 'tool_calls' as const, native_finish_reason: null },
    },
    {
      message: { role: 'assistant', content: 'x', refusal: 'no', reasoning: 'because' },
      r: {
        logprobs: { content: [{ token: 'x', logprob: -0.1, bytes: [120], top_logprobs: [] }] },
        finish_reason: 'content_filter' as const,
        native_finish_reason: 'refusal',
      },
    },
  ];
  const usage = '{"prompt_tokens":1,"completion_tokens":2,"total_tokens":3}';
  for (const { message, r } of cases) {
    const text = completionText('gen-1-"q"', 1_764_000_000, 'acme/model"x"', 'prov\\ider', message, r, usage);
    const object = {
      id: 'gen-1-"q"',
      object: 'chat.completion',
      created: 1_764_000_000,
      model: 'acme/model"x"',
      provider: 'prov\\ider',
      // the upstream's fingerprint when it sent one, else absent (the spec's type is string, never null)
      ...('system_fingerprint' in r ? { system_fingerprint: r.system_fingerprint } : {}),
      choices: [
        {
          index: 0,
          message,
          logprobs: r.logprobs ?? null,
          finish_reason: r.finish_reason,
          native_finish_reason: r.native_finish_reason,
        },
      ],
      usage: JSON.parse(usage) as unknown,
    };
    assert.equal(text, JSON.stringify(object));
  }
});

test('SseWriter.delta: a reasoning piece also goes out as a reasoning_details text piece, once, in the same chunk', () => {
  const frames: string[] = [];
  const sse = new SseWriter({ write: (s: string) => frames.push(s) } as unknown as ServerResponse);
  sse.setIdentity('gen-1', 1, 'openai/o4-mini', 'openai');
  sse.delta({ reasoning: 'Let me ' });
  // a translator that already sent its piece (Anthropic, with its format) is left alone
  sse.delta({
    reasoning: 'think.',
    reasoning_details: [{ type: 'reasoning.text', text: 'think.', format: 'anthropic-claude-v1' }],
  });
  // a signature-only detail next to a piece: the piece is added before it
  sse.delta({ reasoning: ' Done.', reasoning_details: [{ type: 'reasoning.encrypted', data: 'sig' }] });
  sse.delta({ content: 'Hi' });
  const deltas = frames.map((f) => JSON.parse(f.slice(6)).choices[0].delta);
  assert.deepEqual(deltas[0], {
    role: 'assistant',
    reasoning: 'Let me ',
    reasoning_details: [{ type: 'reasoning.text', text: 'Let me ' }],
  });
  assert.deepEqual(deltas[1].reasoning_details, [
    { type: 'reasoning.text', text: 'think.', format: 'anthropic-claude-v1' },
  ]);
  assert.deepEqual(deltas[2].reasoning_details, [
    { type: 'reasoning.text', text: ' Done.' },
    { type: 'reasoning.encrypted', data: 'sig' },
  ]);
  assert.deepEqual(deltas[3], { content: 'Hi' });
});

test("SseWriter.error: the in-band error chunk has OpenRouter's shape (integer code, metadata.error_type) and our code", () => {
  const frames: string[] = [];
  const sse = new SseWriter({ write: (s: string) => frames.push(s) } as unknown as ServerResponse);
  sse.setIdentity('gen-1', 1, 'openai/gpt-4o', 'openai');
  sse.error({
    status: 502,
    retryable: true,
    type: 'upstream_error',
    code: 'upstream_stream_truncated',
    message: 'OpenAI: cut',
    upstream_status: 200,
  });
  const chunk = JSON.parse(frames[0].slice(6));
  assert.deepEqual(chunk.error, {
    code: 502,
    message: 'OpenAI: cut',
    type: 'upstream_error',
    metadata: { error_type: 'provider_unavailable', code: 'upstream_stream_truncated', upstream_status: 200 },
  });
  assert.equal(chunk.choices[0].finish_reason, 'error');
  assert.deepEqual([400, 401, 402, 404, 429, 504, 529, 500].map(streamErrorType), [
    'invalid_request',
    'authentication',
    'payment_required',
    'not_found',
    'rate_limit_exceeded',
    'timeout',
    'provider_overloaded',
    'server',
  ]);
});
