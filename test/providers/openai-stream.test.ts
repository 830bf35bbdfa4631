import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openaiDialect } from '../../src/providers/openai/index.js';
import type { StreamEvent, ToolCallDelta } from '../../src/providers/types.js';
import { fixtureText, makeCtx, runStream, sseEvents } from './openai-helpers.js';

const translate = (name: string, ctx = makeCtx({ stream: true })) =>
  runStream(openaiDialect.createStreamTranslator(ctx), sseEvents(fixtureText(name)));

function collect(events: StreamEvent[]) {
  let content = '';
  let reasoning = '';
  const calls = new Map<number, { id?: string; name?: string; args: string }>();
  for (const e of events) {
    if (e.type !== 'delta') continue;
    content += e.delta.content ?? '';
    reasoning += e.delta.reasoning ?? '';
    for (const tc of e.delta.tool_calls ?? []) {
      const c = calls.get(tc.index) ?? { args: '' };
      c.id ??= tc.id;
      c.name ??= tc.function.name;
      c.args += tc.function.arguments ?? '';
      calls.set(tc.index, c);
    }
  }
  const kinds = events.map((e) => e.type);
  return { content, reasoning, calls, kinds };
}

test('OpenAI stream: text, two fragmented tool calls, finish once, usage after finish', () => {
  const events = translate('stream-openai-tools.sse');
  const { content, calls, kinds } = collect(events);
  assert.equal(content, 'Let me check both.');
  assert.deepEqual(
    [...calls.entries()],
    [
      [0, { id: 'call_abc123', name: 'get_weather', args: '{"city":"Paris"}' }],
      [1, { id: 'call_def456', name: 'get_time', args: '{"tz":"Europe/Paris"}' }],
    ],
  );
  // the role-only first chunk produces nothing; every content chunk produces its delta at once
  assert.deepEqual(kinds, [
    'delta',
    'delta',
    'delta',
    'delta',
    'delta',
    'delta',
    'delta',
    'delta',
    'delta',
    'finish',
    'usage',
  ]);
  assert.deepEqual(events.at(-2), { type: 'finish', finish_reason: 'tool_calls', native_finish_reason: 'tool_calls' });
  assert.deepEqual(events.at(-1), {
    type: 'usage',
    usage: {
      prompt_tokens: 82,
      completion_tokens: 17,
      cached_read_tokens: 64,
      cache_write_tokens: 0,
      reasoning_tokens: 0,
    },
  });
  // first fragment passes index/id/type/name/arguments through as they came
  const first = events[2] as Extract<StreamEvent, { type: 'delta' }>;
  assert.deepEqual(first.delta.tool_calls, [
    { index: 0, id: 'call_abc123', type: 'function', function: { name: 'get_weather', arguments: '' } },
  ]);
  const frag = events[3] as Extract<StreamEvent, { type: 'delta' }>;
  assert.deepEqual(frag.delta.tool_calls, [{ index: 0, function: { arguments: '{"ci' } }]);
});

test('each push returns its own events immediately (incremental)', () => {
  const t = openaiDialect.createStreamTranslator(makeCtx({ stream: true }));
  const evs = sseEvents(fixtureText('stream-openai-tools.sse'));
  assert.deepEqual(t.push(evs[0]), []);
  assert.deepEqual(t.push(evs[1]), [{ type: 'delta', delta: { content: 'Let me check' } }]);
});

test('DeepSeek stream: reasoning_content deltas, usage on the finish chunk', () => {
  const events = translate('stream-deepseek-reasoning.sse');
  const { content, reasoning, kinds } = collect(events);
  assert.equal(reasoning, 'Compare the decimals.');
  assert.equal(content, '9.11 is smaller.');
  assert.deepEqual(kinds.slice(-2), ['finish', 'usage']);
  const u = events.at(-1) as Extract<StreamEvent, { type: 'usage' }>;
  assert.equal(u.usage.cached_read_tokens, 16);
  assert.equal(u.usage.reasoning_tokens, 96);
});

test('reasoning.exclude drops reasoning deltas in streams', () => {
  const events = translate('stream-deepseek-reasoning.sse', makeCtx({ stream: true, reasoning: { exclude: true } }));
  const { reasoning, content } = collect(events);
  assert.equal(reasoning, '');
  assert.equal(content, '9.11 is smaller.');
});

test('Groq: usage from x_groq.usage', () => {
  const events = translate('stream-groq.sse');
  assert.deepEqual(events.at(-1), {
    type: 'usage',
    usage: {
      prompt_tokens: 23,
      completion_tokens: 19,
      cached_read_tokens: 0,
      cache_write_tokens: 0,
      reasoning_tokens: 0,
    },
  });
  assert.equal(events.filter((e) => e.type === 'finish').length, 1);
});

test('xAI: usage on the second-to-last chunk is kept', () => {
  const events = translate('stream-xai.sse');
  const { reasoning, content } = collect(events);
  assert.equal(reasoning, 'Greeting.');
  assert.equal(content, 'Hi!');
  const usage = events.filter((e) => e.type === 'usage');
  assert.equal(usage.length, 1);
  assert.equal((usage[0] as Extract<StreamEvent, { type: 'usage' }>).usage.reasoning_tokens, 28);
});

test('Ollama: ids generated, missing index assigned, object arguments stringified, stop → tool_calls', () => {
  const events = translate('stream-ollama.sse');
  const { calls, reasoning } = collect(events);
  assert.equal(reasoning, 'Need weather.');
  assert.equal(calls.size, 2);
  assert.match(calls.get(0)!.id!, /^call_[0-9a-f]{24}$/);
  assert.match(calls.get(1)!.id!, /^call_[0-9a-f]{24}$/);
  assert.notEqual(calls.get(0)!.id, calls.get(1)!.id);
  assert.equal(calls.get(1)!.args, '{"tz":"Europe/Paris"}');
  assert.deepEqual(
    events.find((e) => e.type === 'finish'),
    { type: 'finish', finish_reason: 'tool_calls', native_finish_reason: 'stop' },
  );
  assert.equal(events.at(-1)?.type, 'usage');
});

test('Mistral thinking parts in stream deltas', () => {
  const { reasoning, content } = collect(translate('stream-mistral-thinking.sse'));
  assert.equal(reasoning, '2+2');
  assert.equal(content, 'It is 4.');
});

test('error chunk mid-stream → one error event, nothing after', () => {
  const events = translate('stream-error-midway.sse', makeCtx({ stream: true, providerName: 'Fireworks AI' }));
  assert.equal(events.length, 2);
  assert.deepEqual(events[0], { type: 'delta', delta: { content: 'Partial' } });
  const e = events[1] as Extract<StreamEvent, { type: 'error' }>;
  assert.equal(e.type, 'error');
  assert.equal(e.error.retryable, true);
  assert.equal(e.error.status, 502);
  assert.match(e.error.message, /^Fireworks AI: The server had an error/);
});

test('malformed JSON → 502 upstream_invalid_response, falls back', () => {
  const t = openaiDialect.createStreamTranslator(makeCtx({ stream: true }));
  const [ev] = t.push({ data: '{"choices":[{"delta":{"content":"x"' });
  assert.equal(ev.type, 'error');
  if (ev.type === 'error') {
    assert.equal(ev.error.status, 502);
    assert.equal(ev.error.code, 'upstream_invalid_response');
    assert.equal(ev.error.retryable, true);
  }
  assert.deepEqual(t.end(), []);
});

test('stream cut without finish_reason or [DONE] → upstream_stream_truncated naming the provider, no usage; unknown events ignored', () => {
  const t = openaiDialect.createStreamTranslator(makeCtx({ stream: true }));
  assert.deepEqual(t.push({ event: 'ping', data: 'keep-alive' }), []);
  assert.deepEqual(
    t.push({
      data: '{"choices":[{"index":0,"delta":{"content":"Hel"}}],"usage":{"prompt_tokens":5,"completion_tokens":1}}',
    }),
    [{ type: 'delta', delta: { content: 'Hel' } }],
  );
  const [ev, ...rest] = t.end();
  assert.deepEqual(rest, [], 'no finish and no usage after the error');
  assert.equal(ev.type, 'error');
  if (ev.type !== 'error') return;
  assert.equal(ev.error.status, 502);
  assert.equal(ev.error.retryable, true);
  assert.equal(ev.error.type, 'upstream_error');
  assert.equal(ev.error.code, 'upstream_stream_truncated');
  assert.match(ev.error.message, new RegExp(`^${makeCtx({ stream: true }).target.provider.name}\\b`));
  assert.deepEqual(t.end(), []);
});

test('[DONE] without a finish_reason, or a finish_reason without [DONE], is a whole answer', () => {
  const done = openaiDialect.createStreamTranslator(makeCtx({ stream: true }));
  done.push({ data: '{"choices":[{"index":0,"delta":{"content":"Hel"}}]}' });
  assert.deepEqual(done.push({ data: '[DONE]' }), []);
  assert.deepEqual(done.end(), [{ type: 'finish', finish_reason: 'stop', native_finish_reason: null }]);

  const fin = openaiDialect.createStreamTranslator(makeCtx({ stream: true }));
  fin.push({ data: '{"choices":[{"index":0,"delta":{"content":"Hel"},"finish_reason":"length"}]}' });
  fin.push({ data: '{"choices":[],"usage":{"prompt_tokens":5,"completion_tokens":1}}' });
  assert.deepEqual(fin.end(), [
    {
      type: 'usage',
      usage: {
        prompt_tokens: 5,
        completion_tokens: 1,
        cached_read_tokens: 0,
        cache_write_tokens: 0,
        reasoning_tokens: 0,
      },
    },
  ]);
});

test('a stream without a single chunk gets no synthetic finish (the router reports it as empty)', () => {
  const t = openaiDialect.createStreamTranslator(makeCtx({ stream: true }));
  assert.deepEqual(t.push({ data: '[DONE]' }), []);
  assert.deepEqual(t.end(), []);
});

test('tool-call fragments keep per-index order across interleaved calls', () => {
  const t = openaiDialect.createStreamTranslator(makeCtx({ stream: true }));
  const chunk = (tcs: unknown[]) => ({ data: JSON.stringify({ choices: [{ index: 0, delta: { tool_calls: tcs } }] }) });
  const out = [
    ...t.push(
      chunk([
        { index: 0, id: 'a', type: 'function', function: { name: 'f', arguments: '{"x":' } },
        { index: 1, id: 'b', type: 'function', function: { name: 'g', arguments: '' } },
      ]),
    ),
    ...t.push(
      chunk([
        { index: 1, function: { arguments: '{}' } },
        { index: 0, function: { arguments: '1}' } },
      ]),
    ),
  ];
  const tcs = out.flatMap((e) => (e.type === 'delta' ? (e.delta.tool_calls ?? []) : [])) as ToolCallDelta[];
  assert.deepEqual(
    tcs.map((x) => [x.index, x.function.arguments]),
    [
      [0, '{"x":'],
      [1, ''],
      [1, '{}'],
      [0, '1}'],
    ],
  );
});

test('stream logprobs ride on the delta event of their chunk', () => {
  const lp = { content: [{ token: 'Hi', logprob: -0.5, bytes: [72, 105], top_logprobs: [] }], refusal: null };
  const t = openaiDialect.createStreamTranslator(makeCtx({ stream: true }));
  const evs = [
    ...t.push({
      data: JSON.stringify({
        id: 'c',
        object: 'chat.completion.chunk',
        choices: [{ index: 0, delta: { role: 'assistant', content: '' }, logprobs: null, finish_reason: null }],
      }),
    }),
    ...t.push({
      data: JSON.stringify({
        id: 'c',
        object: 'chat.completion.chunk',
        choices: [{ index: 0, delta: { content: 'Hi' }, logprobs: lp, finish_reason: null }],
      }),
    }),
  ];
  const deltas = evs.filter((e): e is Extract<StreamEvent, { type: 'delta' }> => e.type === 'delta');
  assert.equal(deltas.length, 1);
  assert.deepEqual(deltas[0].delta, { content: 'Hi' });
  assert.deepEqual(deltas[0].logprobs, lp);
});

test('a refusal streams as delta.refusal (as OpenAI sends it), never as content', () => {
  const chunk = (delta: object, finish: string | null = null) =>
    `data: ${JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', created: 1, model: 'gpt-4o', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
  const text =
    chunk({ role: 'assistant', content: null, refusal: '' }) +
    chunk({ refusal: "I'm sorry, " }) +
    chunk({ refusal: 'I cannot help.' }) +
    chunk({}, 'stop') +
    'data: [DONE]\n\n';
  const events = runStream(openaiDialect.createStreamTranslator(makeCtx({ stream: true })), sseEvents(text));
  const deltas = events.flatMap((e) => (e.type === 'delta' ? [e.delta] : []));
  assert.deepEqual(deltas, [{ refusal: "I'm sorry, " }, { refusal: 'I cannot help.' }]);
});
