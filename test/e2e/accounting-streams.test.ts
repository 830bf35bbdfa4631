// What a stream that does not finish normally costs, through a listening gateway: a client that aborts is
// charged for what was delivered (row cancelled); an upstream that breaks mid-stream is billed for what
// was delivered and the client gets an in-band error chunk (finish_reason "error"), never a silent cut;
// an upstream without usage is counted locally and capped at max_tokens; failed requests cost nothing.
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { startDemoGateway, type SimSet, type TestGateway } from '../helpers/gateway.js';
import { Logger } from '../../src/lib/log.js';
import {
  chat,
  chatStream,
  createKey,
  expectedCost,
  json,
  rowCounts,
  usdNumber,
  usdString,
  waitForGeneration,
  type Generation,
  type PriceTable,
} from '../helpers/accounting.js';

let gw: TestGateway;
let sims: SimSet;

/** the gateway's log lines (info level) */
const logLines: string[] = [];
const accessLine = (generationId: string) =>
  logLines
    .map((l) => JSON.parse(l) as Record<string, unknown>)
    .find((l) => l.msg === 'request' && l.generation_id === generationId);

before(async () => {
  ({ gw, sims } = await startDemoGateway({}, new Logger('info', (line) => logLines.push(line))));
});
after(async () => {
  await gw.close();
  await sims.close();
});
beforeEach(() => sims.resetAll());

// one endpoint each, so no fallback can hide what happened
const DIALECTS = {
  openai: { model: 'openai/gpt-4o', upstream: 'gpt-4o', sim: () => sims.openai },
  anthropic: { model: 'anthropic/claude-sonnet-4.5', upstream: 'claude-sonnet-4-5', sim: () => sims.anthropic },
  gemini: { model: 'google/gemini-2.5-pro', upstream: 'gemini-2.5-pro', sim: () => sims.gemini },
} as const;
const LONG_REPLY = 'The quick brown fox jumps over the lazy dog while the cat watches. '.repeat(40);

function pricingOf(modelId: string): PriceTable {
  return gw.app.catalog.get(modelId)!.endpoints[0].pricing;
}

async function keyUsage(key: string): Promise<number> {
  return (await json<{ data: { usage: number } }>(gw.fetch('/key', { key }))).data.usage;
}

/** reads SSE until `chunks` content deltas arrived, then aborts the request */
async function streamAndAbort(
  body: Record<string, unknown>,
  key: string,
  chunks: number,
): Promise<{ id: string; received: string }> {
  const ac = new AbortController();
  const res = await gw.fetch('/chat/completions', {
    method: 'POST',
    key,
    json: { ...body, stream: true },
    signal: ac.signal,
  });
  assert.equal(res.status, 200);
  const id = res.headers.get('x-arouter-generation-id');
  assert.ok(id);
  const reader = res.body!.getReader();
  const dec = new TextDecoder();
  let buf = '';
  let received = '';
  let seen = 0;
  while (seen < chunks) {
    const { value, done } = await reader.read();
    assert.ok(!done, 'the stream ended before the client aborted');
    buf += dec.decode(value, { stream: true });
    let nl;
    while ((nl = buf.indexOf('\n\n')) >= 0) {
      const ev = buf.slice(0, nl);
      buf = buf.slice(nl + 2);
      if (!ev.startsWith('data: ') || ev === 'data: [DONE]') continue;
      const c = JSON.parse(ev.slice(6));
      const t = c.choices?.[0]?.delta?.content;
      if (t) {
        received += t;
        seen++;
      }
    }
  }
  ac.abort();
  await reader.cancel().catch(() => {});
  return { id, received };
}

for (const [dialect, d] of Object.entries(DIALECTS)) {
  test(`${dialect}: a client abort mid-stream is charged for what was delivered (cancelled row)`, async () => {
    const { key } = await createKey(gw, { name: `abort-${dialect}` });
    // ~4 tokens per chunk at 40 tokens/s: a chunk every ~100 ms, the whole answer would take ~10 s
    d.sim().script({ match: { model: d.upstream }, reply: LONG_REPLY, tokensPerSecond: 40 });
    const { id, received } = await streamAndAbort(
      { model: d.model, max_tokens: 400, messages: [{ role: 'user', content: 'Tell me a long story' }] },
      key,
      3,
    );
    assert.ok(received.length > 0);
    const g = await waitForGeneration(gw, id, key);
    assert.equal(g.cancelled, true, JSON.stringify(g));
    assert.equal(g.streamed, true);
    assert.equal(g.status, 499);
    assert.equal(accessLine(id)?.aborted, true, 'the access log marks the request the client left');
    assert.equal(g.tokens_estimated, true, 'no upstream usage arrived: counted locally');
    assert.ok(g.tokens_completion > 0, `completion tokens ${g.tokens_completion}`);
    assert.ok(g.tokens_completion <= 400, 'never above max_tokens');
    assert.ok(g.tokens_completion < 300, 'only what was delivered, not the whole answer');
    const want = expectedCost(pricingOf(d.model), rowCounts(g));
    assert.ok(want > 0n);
    assert.equal(g.total_cost_exact, usdString(want));
    assert.equal(await keyUsage(key), usdNumber(want), 'the key is charged the row cost');
  });

  test(`${dialect}: an upstream that breaks mid-stream → in-band error chunk, billed for what was delivered`, async () => {
    const { key } = await createKey(gw, { name: `break-${dialect}` });
    d.sim().script({ match: { model: d.upstream }, reply: LONG_REPLY, disconnectAfterChunks: 8 });
    const s = await chatStream(
      gw,
      { model: d.model, max_tokens: 400, messages: [{ role: 'user', content: 'Tell me a long story' }] },
      key,
    );
    assert.equal(s.status, 200);
    assert.ok(s.content.length > 0, 'some content arrived before the break');
    assert.ok(s.error, 'an error chunk, not a silent cut');
    assert.equal(s.finish, 'error');
    assert.ok(s.done, 'the gateway still ends the SSE stream with [DONE]');
    assert.ok(s.usage, 'a usage chunk tells the client what it is billed');
    const g = await waitForGeneration(gw, s.id!, key);
    assert.equal(g.finish_reason, 'error');
    assert.equal(g.cancelled, false);
    const line = accessLine(s.id!);
    assert.ok(
      line && line.status === 200 && !('aborted' in line),
      'an answer ARouter ended (in-band error) is not an abort',
    );
    assert.ok(g.status >= 500, `status ${g.status}`);
    assert.equal(g.tokens_estimated, true);
    assert.ok(g.tokens_completion > 0 && g.tokens_completion <= 400);
    assert.equal(g.tokens_completion, s.usage.completion_tokens);
    assert.equal(g.tokens_prompt, s.usage.prompt_tokens);
    const want = expectedCost(pricingOf(d.model), rowCounts(g));
    assert.ok(want > 0n);
    assert.equal(g.total_cost_exact, usdString(want));
    assert.equal(s.usage.cost, usdNumber(want));
    assert.equal(await keyUsage(key), usdNumber(want));
  });
}

test('an in-band upstream error event after content is billed for what was delivered', async () => {
  const { key } = await createKey(gw, { name: 'error-event' });
  sims.anthropic.script({ match: { model: DIALECTS.anthropic.upstream }, errorEventMidStream: true });
  const s = await chatStream(
    gw,
    { model: DIALECTS.anthropic.model, max_tokens: 200, messages: [{ role: 'user', content: 'Say something' }] },
    key,
  );
  assert.equal(s.status, 200);
  assert.equal(s.finish, 'error');
  assert.ok(s.error);
  assert.ok(s.content.length > 0);
  const g = await waitForGeneration(gw, s.id!, key);
  assert.equal(g.finish_reason, 'error');
  assert.ok(g.tokens_completion > 0);
  assert.equal(g.total_cost_exact, usdString(expectedCost(pricingOf(DIALECTS.anthropic.model), rowCounts(g))));
  assert.equal(await keyUsage(key), g.total_cost);
});

for (const stream of [false, true]) {
  test(`omitUsage ${stream ? 'stream' : 'non-stream'}: tokens counted locally (estimated), never above prompt + max_tokens`, async () => {
    const { key } = await createKey(gw, { name: `omit-${stream}` });
    for (const [dialect, d] of Object.entries(DIALECTS)) {
      d.sim().script({ match: { model: d.upstream }, omitUsage: true, reply: LONG_REPLY });
      const body = { model: d.model, max_tokens: 30, messages: [{ role: 'user', content: 'Count me locally please' }] };
      let usage;
      let id: string;
      if (stream) {
        const s = await chatStream(gw, body, key);
        assert.equal(s.status, 200, dialect);
        assert.equal(s.finish, 'length', `${dialect}: cut at max_tokens`);
        usage = s.usage!;
        id = s.id!;
      } else {
        const r = await chat(gw, body, key);
        assert.equal(r.status, 200, `${dialect}: ${JSON.stringify(r.body)}`);
        usage = r.body.usage;
        id = r.body.id;
      }
      assert.equal(usage.estimated, true, `${dialect}: usage flagged as estimated`);
      assert.ok(usage.prompt_tokens > 0);
      assert.ok(
        usage.completion_tokens > 0 && usage.completion_tokens <= 30,
        `${dialect}: ${usage.completion_tokens} completion tokens`,
      );
      const g = await waitForGeneration(gw, id, key);
      assert.equal(g.tokens_estimated, true);
      assert.equal(g.tokens_prompt, usage.prompt_tokens);
      assert.equal(g.tokens_completion, usage.completion_tokens);
      // the prompt count is the same local count the reservation used
      const want = expectedCost(pricingOf(d.model), rowCounts(g));
      assert.equal(g.total_cost_exact, usdString(want));
      assert.equal(usage.cost, usdNumber(want));
    }
  });
}

test('failed requests cost nothing: upstream 5xx, upstream 400, and a stream that fails before any content', async () => {
  const { key } = await createKey(gw, { name: 'failures' });
  const d = DIALECTS.openai;
  const rows: Generation[] = [];

  d.sim().script({ match: { model: d.upstream }, status: 500, times: 5 });
  const r500 = await chat(gw, { model: d.model, max_tokens: 50, messages: [{ role: 'user', content: 'x' }] }, key);
  assert.ok(r500.status >= 500, `status ${r500.status}`);
  rows.push(
    await waitForGeneration(
      gw,
      r500.headers.get('x-arouter-generation-id') ?? r500.body.error?.metadata?.generation_id ?? '',
      key,
    ),
  );
  sims.resetAll();

  d.sim().script({ match: { model: d.upstream }, status: 400 });
  const r400 = await chat(gw, { model: d.model, max_tokens: 50, messages: [{ role: 'user', content: 'x' }] }, key);
  assert.equal(r400.status, 400);
  rows.push(await waitForGeneration(gw, r400.headers.get('x-arouter-generation-id') ?? '', key));
  sims.resetAll();

  d.sim().script({ match: { model: d.upstream }, status: 503, times: 5 });
  const s = await chatStream(gw, { model: d.model, max_tokens: 50, messages: [{ role: 'user', content: 'x' }] }, key);
  assert.ok(s.status >= 500);
  assert.ok(s.error?.message);
  rows.push(await waitForGeneration(gw, s.headers.get('x-arouter-generation-id') ?? '', key));

  for (const g of rows) {
    assert.equal(g.total_cost_exact, '0', JSON.stringify(g));
    assert.equal(g.tokens_completion, 0);
    assert.notEqual(g.status, 200);
  }
  assert.equal(await keyUsage(key), 0);
});

test('a client that gives up before the first token is not charged', async () => {
  const { key } = await createKey(gw, { name: 'early-abort' });
  const d = DIALECTS.openai;
  d.sim().script({ match: { model: d.upstream }, latencyMs: 3_000 });
  const ac = new AbortController();
  const pending = gw.fetch('/chat/completions', {
    method: 'POST',
    key,
    signal: ac.signal,
    json: { model: d.model, max_tokens: 50, messages: [{ role: 'user', content: 'x' }] },
  });
  // wait until the upstream has the request, then hang up
  for (let i = 0; i < 200 && d.sim().requests.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
  assert.equal(d.sim().requests.length, 1);
  ac.abort();
  await assert.rejects(pending);
  const deadline = Date.now() + 5_000;
  let rows: Generation[] = [];
  while (Date.now() < deadline) {
    rows = (await json<{ data: Generation[] }>(gw.fetch('/activity', { key }))).data;
    if (rows.length) break;
    await new Promise((r) => setTimeout(r, 25));
  }
  assert.equal(rows.length, 1, 'the cancelled request has its row');
  assert.equal(rows[0].cancelled, true);
  assert.equal(rows[0].total_cost_exact, '0');
  assert.equal(await keyUsage(key), 0);
});

test('openai SDK: breaking out of a stream (controller.abort) is billed like any other abort', async () => {
  const { key } = await createKey(gw, { name: 'sdk-abort' });
  const d = DIALECTS.openai;
  d.sim().script({ match: { model: d.upstream }, reply: LONG_REPLY, tokensPerSecond: 40 });
  const client = new OpenAI({ baseURL: gw.url, apiKey: key, maxRetries: 0 });
  const { data: stream, response } = await client.chat.completions
    .create({
      model: d.model,
      max_tokens: 400,
      stream: true,
      messages: [{ role: 'user', content: 'Tell me a long story' }],
    })
    .withResponse();
  const id = response.headers.get('x-arouter-generation-id')!;
  let chunks = 0;
  for await (const c of stream) {
    if (c.choices[0]?.delta?.content && ++chunks === 3) break; // the SDK aborts the request on break
  }
  const g = await waitForGeneration(gw, id, key);
  assert.equal(g.cancelled, true);
  assert.ok(g.tokens_completion > 0 && g.tokens_completion < 300);
  const want = expectedCost(pricingOf(d.model), rowCounts(g));
  assert.ok(want > 0n);
  assert.equal(g.total_cost_exact, usdString(want));
  assert.equal(await keyUsage(key), g.total_cost);
});
