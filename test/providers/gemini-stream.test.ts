import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { geminiDialect } from '../../src/providers/gemini/index.js';
import { toolCallId } from '../../src/providers/gemini/response.js';
import type { ReasoningPlan, StreamEvent } from '../../src/providers/types.js';
import { fixture, makeCtx, sseEvents } from './gemini-helpers.js';

/** Feeds a transcript event by event; returns what each push produced and what end() produced. */
function run(name: string, reasoning: ReasoningPlan | null = null): { perPush: StreamEvent[][]; atEnd: StreamEvent[] } {
  const t = geminiDialect.createStreamTranslator(makeCtx({ stream: true, reasoning }));
  const perPush = sseEvents(fixture(name)).map((ev) => t.push(ev));
  return { perPush, atEnd: t.end() };
}

describe('gemini stream translator', () => {
  it('translates reasoning, text, several tool calls, usage and finish, each as soon as it arrives', () => {
    const { perPush, atEnd } = run('stream-tools.sse');
    const paris = toolCallId(undefined, 's-42', 0, 'get_weather', '{"city":"Paris"}');
    const berlin = toolCallId(undefined, 's-42', 1, 'get_weather', '{"city":"Berlin","days":2}');
    const time = toolCallId(undefined, 's-42', 2, 'get_time', '{"tz":"Europe/Paris"}');
    assert.deepEqual(perPush, [
      [{ type: 'delta', delta: { reasoning: '**Planning**\nThe user wants weather for two cities' } }],
      [{ type: 'delta', delta: { reasoning: ' and the local time.' } }],
      [{ type: 'delta', delta: { content: 'Checking ' } }],
      [
        { type: 'delta', delta: { content: 'now.' } },
        {
          type: 'delta',
          delta: {
            tool_calls: [
              {
                index: 0,
                id: paris,
                type: 'function',
                function: { name: 'get_weather', arguments: '{"city":"Paris"}' },
              },
            ],
            reasoning_details: [
              { type: 'reasoning.encrypted', data: 'CiQB0e2Kb3dRh', format: 'google-gemini-v1', id: paris },
            ],
          },
        },
        {
          type: 'delta',
          delta: {
            tool_calls: [
              {
                index: 1,
                id: berlin,
                type: 'function',
                function: { name: 'get_weather', arguments: '{"city":"Berlin","days":2}' },
              },
            ],
          },
        },
      ],
      [
        {
          type: 'delta',
          delta: {
            tool_calls: [
              {
                index: 2,
                id: time,
                type: 'function',
                function: { name: 'get_time', arguments: '{"tz":"Europe/Paris"}' },
              },
            ],
          },
        },
      ],
    ]);
    // the finishReason sits on the last chunk, but the stream only ends when the connection closes
    assert.deepEqual(atEnd, [
      { type: 'finish', finish_reason: 'tool_calls', native_finish_reason: 'STOP' },
      {
        type: 'usage',
        usage: {
          prompt_tokens: 52,
          completion_tokens: 99,
          cached_read_tokens: 32,
          cache_write_tokens: 0,
          reasoning_tokens: 58,
        },
      },
    ]);
  });

  it('drops reasoning text on exclude', () => {
    const { perPush } = run('stream-tools.sse', { enabled: true, effort: 'low', max_tokens: null, exclude: true });
    assert.deepEqual(perPush.slice(0, 2), [[], []]);
  });

  it('handles CRLF-framed plain text (the recorded example) and finishes once', () => {
    const t = geminiDialect.createStreamTranslator(makeCtx({ stream: true }));
    const out = sseEvents(fixture('stream-text.sse')).flatMap((ev) => t.push(ev));
    assert.deepEqual(out, [
      { type: 'delta', delta: { content: 'Hel' } },
      { type: 'delta', delta: { content: 'lo!' } },
    ]);
    assert.deepEqual(t.end(), [
      { type: 'finish', finish_reason: 'stop', native_finish_reason: 'STOP' },
      {
        type: 'usage',
        usage: {
          prompt_tokens: 8,
          completion_tokens: 3,
          cached_read_tokens: 0,
          cache_write_tokens: 0,
          reasoning_tokens: 0,
        },
      },
    ]);
    assert.deepEqual(t.end(), []);
  });

  it('turns an error object inside the stream into an error event, with no finish after it', () => {
    const { perPush, atEnd } = run('stream-error.sse');
    assert.deepEqual(perPush[0], [{ type: 'delta', delta: { content: 'Once upon' } }]);
    assert.equal(perPush[1].length, 1);
    const ev = perPush[1][0];
    assert.equal(ev.type, 'error');
    if (ev.type !== 'error') return;
    assert.equal(ev.error.status, 502);
    assert.equal(ev.error.retryable, true);
    assert.equal(ev.error.upstream_status, 503);
    assert.equal(ev.error.message, 'Gemini: The model is overloaded. Please try again later.');
    assert.deepEqual(atEnd, []);
  });

  it('finishes a blocked prompt with content_filter', () => {
    const { perPush, atEnd } = run('stream-blocked.sse');
    assert.deepEqual(perPush, [[]]);
    assert.deepEqual(atEnd[0], {
      type: 'finish',
      finish_reason: 'content_filter',
      native_finish_reason: 'PROHIBITED_CONTENT',
    });
    assert.equal(atEnd[1].type === 'usage' && atEnd[1].usage.prompt_tokens, 14);
  });

  it('a stream that closes after content but before any finishReason → upstream_stream_truncated, no usage', () => {
    const t = geminiDialect.createStreamTranslator(makeCtx({ stream: true }));
    const ctx = makeCtx({ stream: true });
    assert.deepEqual(
      t.push({
        data: '{"candidates":[{"content":{"parts":[{"text":"Once"}]}}],"usageMetadata":{"promptTokenCount":8}}',
      }),
      [{ type: 'delta', delta: { content: 'Once' } }],
    );
    const out = t.end();
    assert.equal(out.length, 1, 'no finish, no usage');
    const ev = out[0];
    assert.equal(ev.type, 'error');
    if (ev.type !== 'error') return;
    assert.equal(ev.error.status, 502);
    assert.equal(ev.error.retryable, true);
    assert.equal(ev.error.type, 'upstream_error');
    assert.equal(ev.error.code, 'upstream_stream_truncated');
    assert.ok(ev.error.message.startsWith(`${ctx.target.provider.name} `), ev.error.message);
    assert.deepEqual(t.end(), []);
  });

  it('ignores non-JSON and unknown events, tolerates a missing usage, and reports an empty stream', () => {
    const t = geminiDialect.createStreamTranslator(makeCtx({ stream: true }));
    assert.deepEqual(t.push({ data: ': keep-alive' }), []);
    assert.deepEqual(t.push({ event: 'ping', data: '{}' }), []);
    assert.deepEqual(t.push({ data: '{"candidates":[{"content":{"parts":[{"text":"ok"}]},"finishReason":"STOP"}]}' }), [
      { type: 'delta', delta: { content: 'ok' } },
    ]);
    assert.deepEqual(t.end(), [{ type: 'finish', finish_reason: 'stop', native_finish_reason: 'STOP' }]);

    const empty = geminiDialect.createStreamTranslator(makeCtx({ stream: true }));
    const ev = empty.end();
    assert.equal(ev.length, 1);
    assert.equal(ev[0].type === 'error' && ev[0].error.retryable, true);
  });
});
