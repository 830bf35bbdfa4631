// The playground's stream reading without a browser: the SSE parser over every split of a real ARouter stream
// (CRLF and LF, comments, a `data` split mid-line), chunks folded into an answer (reasoning apart, the error
// chunk, the usage), and the helpers' words (the model sent, exact money, the rule).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSseParser } from '../../console/src/pages/playground/sse.js';
import { applyChunk, emptyAnswer, readChatStream } from '../../console/src/pages/playground/stream.js';
import { exactUsd, requestedModel, ruleWords } from '../../console/src/pages/playground/words.js';

const events = (chunks: string[]): string[] => {
  const out: string[] = [];
  const p = createSseParser((d) => out.push(d));
  for (const c of chunks) p.feed(c);
  p.end();
  return out;
};

const STREAM =
  ': ARouter PROCESSING\n\n' +
  'data: {"id":"gen-1","model":"m","choices":[{"delta":{"reasoning":"think"}}]}\n\n' +
  'event: ignored\nid: 7\ndata: {"choices":[{"delta":{"content":"Hi"}}]}\n\n' +
  'data: a\ndata: b\n\n' +
  'data:no-space\n\n' +
  'data: [DONE]\n\n';

test('every split of the stream, LF or CRLF, gives the same events', () => {
  const want = [
    '{"id":"gen-1","model":"m","choices":[{"delta":{"reasoning":"think"}}]}',
    '{"choices":[{"delta":{"content":"Hi"}}]}',
    'a\nb',
    'no-space',
    '[DONE]',
  ];
  for (const body of [STREAM, STREAM.replace(/\n/g, '\r\n'), STREAM.replace(/\n/g, '\r')]) {
    assert.deepEqual(events([body]), want);
    for (let i = 1; i < body.length; i++)
      assert.deepEqual(events([body.slice(0, i), body.slice(i)]), want, `split at ${i}`);
    assert.deepEqual(events([...body]), want, 'one character at a time');
  }
});

test('an event not closed by a blank line is dropped at the end', () => {
  assert.deepEqual(events(['data: x\n\ndata: half']), ['x']);
  assert.deepEqual(events([': only a comment\n\n']), []);
});

test('chunks fold into an answer: reasoning apart, model/provider/id, usage, the mid-stream error', () => {
  const a = emptyAnswer();
  applyChunk(a, { id: 'gen-9', model: 'x/y', provider: 'p', choices: [{ delta: { reasoning: 'Let me ' } }] });
  applyChunk(a, { id: 'gen-9', choices: [{ delta: { reasoning: 'think.' } }] });
  applyChunk(a, { choices: [{ delta: { content: 'Hello' } }] });
  applyChunk(a, { choices: [{ delta: { content: ' world' }, finish_reason: null }] });
  assert.equal(a.reasoning, 'Let me think.');
  assert.equal(a.content, 'Hello world');
  assert.deepEqual([a.id, a.model, a.provider, a.failure], ['gen-9', 'x/y', 'p', null]);
  applyChunk(a, {
    error: { code: 502, message: 'upstream broke', metadata: { code: 'upstream_stream_truncated' } },
    choices: [{ delta: {}, finish_reason: 'error' }],
  });
  assert.deepEqual(a.failure, { message: 'upstream broke', code: 'upstream_stream_truncated', status: 502 });
  assert.equal(a.finishReason, 'error');
  applyChunk(a, { choices: [{ delta: { refusal: 'I cannot' } }] });
  assert.equal(a.refusal, 'I cannot');
  applyChunk(a, { choices: [], usage: { prompt_tokens: 3, completion_tokens: 4, cost: 0.0000339 } });
  assert.equal(a.usage?.cost, 0.0000339);
  assert.equal(a.content, 'Hello world', 'the usage chunk adds no text');
});

test('readChatStream reads a Response body split anywhere, including inside a UTF-8 character', async () => {
  const body =
    'data: {"id":"gen-2","model":"a/b","provider":"q","choices":[{"delta":{"content":"héllo ✓"}}]}\n\n' +
    'data: {"choices":[],"usage":{"prompt_tokens":1,"completion_tokens":2,"cost":0.5}}\n\ndata: [DONE]\n\n';
  const bytes = new TextEncoder().encode(body);
  const stream = new ReadableStream<Uint8Array>({
    start(c) {
      // 3-byte pieces cut the é and ✓ in half
      for (let i = 0; i < bytes.length; i += 3) c.enqueue(bytes.slice(i, i + 3));
      c.close();
    },
  });
  const a = emptyAnswer();
  let renders = 0;
  await readChatStream(new Response(stream), a, () => renders++);
  assert.equal(a.content, 'héllo ✓');
  assert.equal(a.done, true);
  assert.equal(a.usage?.cost, 0.5);
  assert.ok(renders > 0);
});

test('requestedModel: the variant joins the id; auto and an id with its own variant are sent as they are', () => {
  assert.equal(requestedModel('openai/gpt-4o', 'floor', false), 'openai/gpt-4o:floor');
  assert.equal(requestedModel(' openai/gpt-4o ', '', false), 'openai/gpt-4o');
  assert.equal(requestedModel('openai/gpt-4o:nitro', 'floor', false), 'openai/gpt-4o:nitro');
  assert.equal(requestedModel('openai/gpt-4o', 'floor', true), 'auto');
  assert.equal(requestedModel('auto', 'thinking', false), 'auto');
  assert.equal(requestedModel('', 'thinking', false), '');
});

test('exactUsd keeps every digit (no rounding, no exponent); ruleWords names each planner rule', () => {
  assert.equal(exactUsd(0.0000339), '$0.0000339');
  assert.equal(exactUsd(1e-7), '$0.0000001');
  assert.equal(exactUsd(0.000000000001), '$0.000000000001');
  assert.equal(exactUsd('0.0012563'), '$0.0012563');
  assert.equal(exactUsd(2), '$2');
  assert.equal(exactUsd(0), '$0');
  assert.equal(exactUsd(null), '—');
  assert.match(ruleWords('price_weighted'), /load-balanced by price/);
  assert.equal(ruleWords('floor'), 'cheapest endpoint first (:floor)');
  assert.equal(ruleWords('sort:latency'), 'sorted by latency (provider.sort)');
  assert.equal(ruleWords('order+nitro'), 'your provider.order, then highest measured throughput first (:nitro)');
  assert.equal(ruleWords('order+sort:price'), 'your provider.order, then sorted by price (provider.sort)');
});
