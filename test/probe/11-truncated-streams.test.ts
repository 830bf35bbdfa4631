// Issue 12 item 11: an upstream stream that ends cleanly (FIN, complete body) without its final event must
// not look like a whole answer. Through a listening demo gateway and the official openai SDK, for each
// dialect: cut after content → the client gets an in-band error (the SDK throws it) with finish_reason
// "error" and [DONE], is billed for what was delivered (counted locally: no provisional upstream usage),
// the row says 502/error and the endpoint's health takes a failure; cut before content → the request falls
// back to the next model, or answers 502 when there is none.
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { startDemoGateway, type SimSet, type TestGateway } from '../helpers/gateway.js';
import {
  chatStream,
  expectedCost,
  rowCounts,
  usdNumber,
  usdString,
  waitForGeneration,
  type PriceTable,
} from '../helpers/accounting.js';
import { endpointKey } from '../../src/routing/index.js';

let gw: TestGateway;
let sims: SimSet;
let client: OpenAI;

before(async () => {
  // this file fails endpoints on purpose: it is not about the breaker
  ({ gw, sims } = await startDemoGateway({ routing: { breaker_failures: 1000 } }));
  client = new OpenAI({ baseURL: gw.url, apiKey: gw.adminKey, maxRetries: 0 });
});
after(async () => {
  await gw.close();
  await sims.close();
});
beforeEach(() => sims.resetAll());

// one endpoint each, so no fallback can hide what happened; `afterContent` events end the body after some
// text went out: OpenAI role chunk + 5 text chunks, Anthropic message_start + block start + 4 deltas, Gemini 5 chunks
const DIALECTS = {
  openai: { model: 'openai/gpt-4o', upstream: 'gpt-4o', sim: () => sims.openai, afterContent: 6 },
  anthropic: {
    model: 'anthropic/claude-sonnet-4.5',
    upstream: 'claude-sonnet-4-5',
    sim: () => sims.anthropic,
    afterContent: 6,
  },
  gemini: { model: 'google/gemini-2.5-pro', upstream: 'gemini-2.5-pro', sim: () => sims.gemini, afterContent: 5 },
} as const;
const LONG_REPLY = 'The quick brown fox jumps over the lazy dog while the cat watches. '.repeat(40);
const ASK = { max_tokens: 400, messages: [{ role: 'user' as const, content: 'Tell me a long story' }] };

function endpointOf(modelId: string): { pricing: PriceTable; key: string; providerName: string } {
  const m = gw.app.catalog.get(modelId)!;
  const e = m.endpoints[0];
  return {
    pricing: e.pricing,
    key: endpointKey(m, e),
    providerName: gw.app.catalog.providers.get(e.provider)?.name ?? e.provider,
  };
}

for (const [dialect, d] of Object.entries(DIALECTS)) {
  test(`${dialect}: a stream cut cleanly after content → the SDK throws upstream_stream_truncated; row 502/error, billed for the delivered text`, async () => {
    const ep = endpointOf(d.model);
    const failuresBefore = gw.app.health.stats(ep.key).consecutive_failures;
    d.sim().script({ match: { model: d.upstream }, reply: LONG_REPLY, endAfterChunks: d.afterContent });
    const stream = await client.chat.completions.create({ model: d.model, stream: true, ...ASK });
    let text = '';
    let id: string | null = null;
    const finishes: string[] = [];
    const err = await (async () => {
      try {
        for await (const c of stream) {
          id ??= c.id;
          text += c.choices[0]?.delta?.content ?? '';
          if (c.choices[0]?.finish_reason) finishes.push(c.choices[0].finish_reason);
        }
      } catch (e) {
        return e;
      }
      return null;
    })();
    assert.ok(text.length > 0, 'content arrived before the cut');
    assert.ok(text.length < LONG_REPLY.length / 2, 'and only part of the answer');
    assert.deepEqual(finishes, [], 'never a finish "stop": the answer is not whole');
    assert.ok(err instanceof OpenAI.APIError, `the SDK throws the in-band error (got ${String(err)})`);
    assert.equal(err.code, 502 as unknown as string, 'the in-band error has OpenRouter shape: code = the status');
    assert.equal((err.error as { metadata: { code: string } }).metadata.code, 'upstream_stream_truncated');
    assert.equal(err.type, 'upstream_error');
    assert.ok(err.message.includes(ep.providerName), `the message names the provider: ${err.message}`);

    const g = await waitForGeneration(gw, id!);
    assert.equal(g.status, 502);
    assert.equal(g.finish_reason, 'error');
    assert.equal(g.cancelled, false);
    assert.equal(g.tokens_estimated, true, 'counted locally: no (provisional) upstream usage');
    assert.ok(g.tokens_completion > 1 && g.tokens_completion < 200, `completion tokens ${g.tokens_completion}`);
    const want = expectedCost(ep.pricing, rowCounts(g));
    assert.ok(want > 0n);
    assert.equal(g.total_cost_exact, usdString(want));
    assert.equal(gw.app.health.stats(ep.key).consecutive_failures, failuresBefore + 1, 'a failure of the endpoint');
  });

  test(`${dialect}: the raw stream of a cut answer: error chunk with finish_reason "error", a usage chunk, [DONE]`, async () => {
    d.sim().script({ match: { model: d.upstream }, reply: LONG_REPLY, endAfterChunks: d.afterContent });
    const s = await chatStream(gw, { model: d.model, ...ASK });
    assert.equal(s.status, 200);
    assert.ok(s.content.length > 0);
    assert.equal(s.finish, 'error');
    assert.equal(s.error?.metadata?.code, 'upstream_stream_truncated');
    assert.ok(s.done, '[DONE] ends the SSE stream');
    assert.ok(s.usage, 'a usage chunk tells the client what it is billed');
    assert.equal(s.usage.estimated, true);
    const g = await waitForGeneration(gw, s.id!);
    assert.equal(g.tokens_completion, s.usage.completion_tokens);
    assert.equal(s.usage.cost, usdNumber(pusdOf(g.total_cost_exact)));
  });
}

function pusdOf(usd: string): bigint {
  const [i, f = ''] = usd.split('.');
  return BigInt(i) * 10n ** 12n + BigInt((f + '0'.repeat(12)).slice(0, 12));
}

// Cut before any content: OpenAI after its role chunk, Anthropic after message_start (both used to commit an
// empty "stop" answer), Gemini before its first chunk.
const BEFORE_CONTENT = [
  ['openai', 'openai/gpt-4o', 'gpt-4o', () => sims.openai, 1, 'anthropic/claude-sonnet-4.5'],
  ['anthropic', 'anthropic/claude-sonnet-4.5', 'claude-sonnet-4-5', () => sims.anthropic, 1, 'google/gemini-2.5-flash'],
  ['gemini', 'google/gemini-2.5-pro', 'gemini-2.5-pro', () => sims.gemini, 0, 'openai/gpt-4o'],
] as const;

for (const [dialect, model, upstream, sim, n, next] of BEFORE_CONTENT) {
  test(`${dialect}: a stream cut before any content falls back to the next model`, async () => {
    sim().script({ match: { model: upstream }, endAfterChunks: n });
    const stream = await client.chat.completions.create({
      model,
      models: [next],
      stream: true,
      messages: [{ role: 'user', content: 'Say hello' }],
    } as OpenAI.Chat.ChatCompletionCreateParamsStreaming);
    let text = '';
    let id = '';
    const finishes: string[] = [];
    const served = new Set<string>();
    for await (const c of stream) {
      id ||= c.id;
      text += c.choices[0]?.delta?.content ?? '';
      if (c.choices[0]?.finish_reason) finishes.push(c.choices[0].finish_reason);
      served.add(c.model);
    }
    assert.match(text, /^Hello from /);
    assert.deepEqual(finishes, ['stop']);
    assert.deepEqual([...served], [next], 'the answer came from the fallback model');
    const g = await waitForGeneration(gw, id);
    assert.equal(g.status, 200);
    const attempts = (g as unknown as { attempts: Array<{ status: number; error?: string }> }).attempts;
    assert.equal(attempts.length, 2);
    assert.equal(attempts[0].status, 502);
    assert.ok(attempts[0].error, 'the cut attempt says why');
  });
}

test('a stream cut before content with no other endpoint → 502 naming the provider', async () => {
  sims.anthropic.script({ match: { model: 'claude-sonnet-4-5' }, endAfterChunks: 1 });
  const err = await client.chat.completions
    .create({ model: 'anthropic/claude-sonnet-4.5', stream: true, messages: [{ role: 'user', content: 'Say hello' }] })
    .then(
      () => null,
      (e: unknown) => e,
    );
  assert.ok(err instanceof OpenAI.APIError, String(err));
  assert.equal(err.status, 502);
  assert.equal((err.error as { metadata: { code: string } }).metadata.code, 'upstream_stream_truncated');
  assert.ok(err.message.includes(endpointOf('anthropic/claude-sonnet-4.5').providerName), err.message);
});
