import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { geminiDialect } from '../../src/providers/gemini/index.js';
import { toolCallId } from '../../src/providers/gemini/response.js';
import type { ReasoningPlan } from '../../src/providers/types.js';
import { fixtureJson, makeCtx } from './gemini-helpers.js';

const parse = (name: string, reasoning: ReasoningPlan | null = null) =>
  geminiDialect.parseChatResponse(fixtureJson(name), makeCtx({ reasoning }));

describe('gemini parseChatResponse', () => {
  it('splits thoughts, text and function calls; finish is tool_calls', () => {
    const r = parse('response-tools.json');
    const id0 = toolCallId(undefined, 'B_4saZqCLv3w4-EP8ta6gQ8', 0, 'get_weather', '{"city":"Paris","unit":"c"}');
    const id1 = toolCallId(undefined, 'B_4saZqCLv3w4-EP8ta6gQ8', 1, 'get_time', '{"tz":"Europe/Paris"}');
    assert.deepEqual(r, {
      content: 'Here you go.',
      reasoning: '**Checking the weather**\nThe user wants the weather and the time in Paris.',
      reasoning_details: [{ type: 'reasoning.encrypted', data: 'CiQB0e2Kb3dRh', format: 'google-gemini-v1', id: id0 }],
      tool_calls: [
        { id: id0, type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris","unit":"c"}' } },
        { id: id1, type: 'function', function: { name: 'get_time', arguments: '{"tz":"Europe/Paris"}' } },
      ],
      finish_reason: 'tool_calls',
      native_finish_reason: 'STOP',
      usage: {
        prompt_tokens: 130,
        completion_tokens: 125,
        cached_read_tokens: 64,
        cache_write_tokens: 0,
        reasoning_tokens: 100,
      },
      upstream_id: 'B_4saZqCLv3w4-EP8ta6gQ8',
      refusal: null,
    });
  });

  it('synthesizes stable, distinct call ids; uses functionCall.id when Gemini sends one', () => {
    const a = parse('response-tools.json').tool_calls.map((t) => t.id);
    const b = parse('response-tools.json').tool_calls.map((t) => t.id);
    assert.deepEqual(a, b);
    assert.notEqual(a[0], a[1]);
    for (const id of a) assert.match(id, /^call_[0-9a-f]{24}$/);

    const body = fixtureJson<any>('response-tools.json');
    body.candidates[0].content.parts[2].functionCall.id = 'fc-native-1';
    const r = geminiDialect.parseChatResponse(body, makeCtx());
    assert.equal(r.tool_calls[0].id, 'fc-native-1');
    assert.equal(r.reasoning_details[0].id, 'fc-native-1');
  });

  it('omits reasoning text on exclude but keeps reasoning tokens and signatures', () => {
    const r = parse('response-tools.json', { enabled: true, effort: 'low', max_tokens: null, exclude: true });
    assert.equal(r.reasoning, null);
    assert.equal(r.usage?.reasoning_tokens, 100);
    assert.equal(r.reasoning_details.length, 1);
  });

  it('maps MAX_TOKENS to length and keeps a text-part signature with a null id', () => {
    const r = parse('response-max-tokens.json');
    assert.equal(r.content, 'The first three primes are 2, 3 and');
    assert.equal(r.finish_reason, 'length');
    assert.equal(r.native_finish_reason, 'MAX_TOKENS');
    assert.deepEqual(r.reasoning_details, [
      { type: 'reasoning.encrypted', data: 'Q2lRQjBlMktiM2RSaA==', format: 'google-gemini-v1', id: null },
    ]);
    assert.deepEqual(r.usage, {
      prompt_tokens: 12,
      completion_tokens: 10,
      cached_read_tokens: 0,
      cache_write_tokens: 0,
      reasoning_tokens: 0,
    });
  });

  it('maps a blocked prompt to content_filter with null content', () => {
    const r = parse('response-blocked.json');
    assert.equal(r.content, null);
    assert.equal(r.finish_reason, 'content_filter');
    assert.equal(r.native_finish_reason, 'SAFETY');
    assert.equal(r.usage?.prompt_tokens, 9);
    assert.equal(r.upstream_id, 'abc');
  });

  it('maps a candidate stopped for safety to content_filter, keeping the partial text', () => {
    const r = parse('response-safety.json');
    assert.equal(r.content, 'Step one is');
    assert.equal(r.finish_reason, 'content_filter');
    assert.equal(r.usage, null);
  });

  it("maps MALFORMED_FUNCTION_CALL to stop (OpenAI's enum has no error), keeping the native reason", () => {
    const r = parse('response-malformed-call.json');
    assert.equal(r.content, null);
    assert.equal(r.finish_reason, 'stop');
    assert.equal(r.native_finish_reason, 'MALFORMED_FUNCTION_CALL');
  });

  it('treats a response with neither candidates nor block reason as an error', () => {
    const r = geminiDialect.parseChatResponse({ responseId: 'x' }, makeCtx());
    assert.equal(r.finish_reason, 'error');
    assert.equal(r.usage, null);
  });
});
