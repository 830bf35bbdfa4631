import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startSimUpstream, type SimUpstream } from '../../src/sim/index.js';
import { ANTHROPIC_AUTH, GEMINI_AUTH, OPENAI_AUTH, assertSpec, http, parseSse, readTimed } from './helpers.js';

describe('scripting the simulated upstreams', () => {
  let oa: SimUpstream;
  let an: SimUpstream;
  let ge: SimUpstream;
  const oaChat = (body: Record<string, unknown> = {}) =>
    http(`${oa.url}/chat/completions`, {
      headers: OPENAI_AUTH,
      body: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hello' }], ...body },
    });
  const anMsg = (body: Record<string, unknown> = {}) =>
    http(`${an.url}/v1/messages`, {
      headers: ANTHROPIC_AUTH,
      body: { model: 'claude-sonnet-4-5', max_tokens: 100, messages: [{ role: 'user', content: 'hello' }], ...body },
    });
  const geGen = (model = 'gemini-2.5-flash') =>
    http(`${ge.url}/models/${model}:generateContent`, {
      headers: GEMINI_AUTH,
      body: { contents: [{ role: 'user', parts: [{ text: 'hello' }] }] },
    });

  before(async () => {
    [oa, an, ge] = await Promise.all([
      startSimUpstream({ dialect: 'openai' }),
      startSimUpstream({ dialect: 'anthropic' }),
      startSimUpstream({ dialect: 'gemini' }),
    ]);
  });
  after(() => Promise.all([oa.close(), an.close(), ge.close()]));

  it('429 in each dialect’s real error shape, with retry-after where the provider sends it; consumed once', async () => {
    oa.script({ status: 429, retryAfterSec: 7 });
    const r = await oaChat();
    assert.equal(r.status, 429);
    assert.equal(r.headers.get('retry-after'), '7');
    assertSpec('openai-responses', 'ErrorResponse', r.json);
    assert.equal(r.json.error.code, 'rate_limit_exceeded');
    assert.equal((await oaChat()).status, 200, 'times defaults to 1');

    an.script({ status: 429 });
    const a = await anMsg();
    assert.equal(a.status, 429);
    assert.equal(a.headers.get('retry-after'), '1');
    assertSpec('anthropic-responses', 'ErrorResponse', a.json);
    assert.equal(a.json.error.type, 'rate_limit_error');

    ge.script({ status: 429 });
    const g = await geGen();
    assert.equal(g.status, 429);
    assert.equal(g.json.error.status, 'RESOURCE_EXHAUSTED');
    assert.ok(
      g.json.error.details.some(
        (d: any) => d['@type'] === 'type.googleapis.com/google.rpc.RetryInfo' && d.retryDelay === '1s',
      ),
    );
  });

  it('500 / 503 / 529 bodies', async () => {
    oa.script({ status: 500 });
    assert.deepEqual((await oaChat()).json, {
      error: {
        message: 'The server had an error while processing your request. Sorry about that!',
        type: 'server_error',
        param: null,
        code: null,
      },
    });
    an.script({ status: 529 });
    const a = await anMsg();
    assert.equal(a.status, 529);
    assert.deepEqual(a.json.error, { type: 'overloaded_error', message: 'Overloaded' });
    assert.match(a.json.request_id, /^req_/);
    an.script({ status: 500, message: 'custom boom' });
    assert.deepEqual((await anMsg()).json.error, { type: 'api_error', message: 'custom boom' });
    ge.script({ status: 503 });
    const g = await geGen();
    assert.deepEqual(g.json, {
      error: { code: 503, message: 'The model is overloaded. Please try again later.', status: 'UNAVAILABLE' },
    });
  });

  it('match by model and path; times; sticky rules until reset', async () => {
    oa.script({ match: { model: 'gpt-4o' }, status: 503, times: 2 });
    assert.equal((await oaChat()).status, 200, 'other model unaffected');
    assert.equal((await oaChat({ model: 'gpt-4o' })).status, 503);
    assert.equal((await oaChat({ model: 'gpt-4o' })).status, 503);
    assert.equal((await oaChat({ model: 'gpt-4o' })).status, 200);
    oa.script({ match: { path: '/embeddings' }, status: 500, times: Infinity });
    assert.equal((await oaChat()).status, 200);
    for (let i = 0; i < 3; i++)
      assert.equal(
        (
          await http(`${oa.url}/embeddings`, {
            headers: OPENAI_AUTH,
            body: { model: 'text-embedding-3-small', input: 'x' },
          })
        ).status,
        500,
      );
    ge.script({ match: { model: 'gemini-2.5-pro' }, status: 500 });
    assert.equal((await geGen()).status, 200);
    assert.equal((await geGen('gemini-2.5-pro')).status, 500);
    oa.reset();
    assert.equal(oa.requests.length, 0);
    assert.equal(
      (
        await http(`${oa.url}/embeddings`, {
          headers: OPENAI_AUTH,
          body: { model: 'text-embedding-3-small', input: 'x' },
        })
      ).status,
      200,
    );
    assert.equal(oa.requests.length, 1);
  });

  it('records every request (method, path, query, headers, parsed body)', async () => {
    ge.reset();
    await http(`${ge.url}/models/gemini-2.5-flash:streamGenerateContent?alt=sse`, {
      headers: GEMINI_AUTH,
      body: { contents: [{ parts: [{ text: 'rec' }] }] },
    });
    const rec = ge.requests[0];
    assert.equal(rec.method, 'POST');
    assert.equal(rec.path, '/v1beta/models/gemini-2.5-flash:streamGenerateContent');
    assert.deepEqual(rec.query, { alt: 'sse' });
    assert.equal(rec.headers['x-goog-api-key'], 'AIza-test');
    assert.deepEqual(rec.body, { contents: [{ parts: [{ text: 'rec' }] }] });
  });

  it('malformedJson: a 200 with a broken body, or a broken SSE data line', async () => {
    oa.script({ malformedJson: true });
    const r = await oaChat();
    assert.equal(r.status, 200);
    assert.equal(r.json, undefined);
    assert.ok(r.text.startsWith('{"id":"chatcmpl-'));
    an.script({ malformedJson: true });
    const s = await anMsg({ stream: true });
    const bad = parseSse(s.text).filter((e) => {
      try {
        JSON.parse(e.data);
        return false;
      } catch {
        return true;
      }
    });
    assert.equal(bad.length, 1);
    assert.equal(bad[0].event, 'content_block_delta');
  });

  it('disconnectAfterChunks destroys the socket mid-stream (and mid-body for non-stream)', async () => {
    oa.script({ disconnectAfterChunks: 3 });
    const t = await readTimed(`${oa.url}/chat/completions`, {
      headers: OPENAI_AUTH,
      body: { model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'a b c d e f g h i j' }] },
    });
    assert.equal(t.status, 200);
    assert.ok(t.error, 'the body read fails');
    const got = parseSse(t.chunks.map((c) => c.text).join(''));
    assert.equal(got.length, 3);
    assert.ok(!got.some((e) => e.data === '[DONE]'));
    an.script({ disconnectAfterChunks: 0 });
    await assert.rejects(async () => {
      const res = await fetch(`${an.url}/v1/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...ANTHROPIC_AUTH },
        body: JSON.stringify({
          model: 'claude-sonnet-4-5',
          max_tokens: 50,
          messages: [{ role: 'user', content: 'x' }],
        }),
      });
      await res.text();
    });
  });

  it('endAfterChunks ends the stream body cleanly before its final event, in every dialect', async () => {
    const body = { stream: true, messages: [{ role: 'user', content: 'a b c d e f g h i j' }] };
    oa.script({ endAfterChunks: 3 });
    const o = await readTimed(`${oa.url}/chat/completions`, {
      headers: OPENAI_AUTH,
      body: { model: 'gpt-4o-mini', ...body },
    });
    assert.equal(o.status, 200);
    assert.equal(o.error, null, 'a clean end, not a reset');
    const oev = parseSse(o.chunks.map((c) => c.text).join(''));
    assert.equal(oev.length, 3);
    assert.ok(!oev.some((e) => e.data === '[DONE]' || /"finish_reason":"/.test(e.data)));

    an.script({ endAfterChunks: 4 });
    const a = await readTimed(`${an.url}/v1/messages`, {
      headers: ANTHROPIC_AUTH,
      body: { model: 'claude-sonnet-4-5', max_tokens: 100, ...body },
    });
    assert.equal(a.error, null);
    const aev = parseSse(a.chunks.map((c) => c.text).join(''));
    assert.equal(aev.length, 4);
    assert.ok(aev.some((e) => e.event === 'content_block_delta'));
    assert.ok(!aev.some((e) => e.event === 'message_stop' || e.event === 'message_delta'));

    ge.script({ endAfterChunks: 1 });
    const g = await readTimed(`${ge.url}/models/gemini-2.5-flash:streamGenerateContent?alt=sse`, {
      headers: GEMINI_AUTH,
      body: { contents: [{ role: 'user', parts: [{ text: 'a b c d e f g h i j' }] }] },
    });
    assert.equal(g.error, null);
    const gev = parseSse(g.chunks.map((c) => c.text).join(''));
    assert.equal(gev.length, 1);
    assert.ok(!gev.some((e) => e.data.includes('finishReason')));

    oa.script({ endAfterChunks: 0 });
    const empty = await readTimed(`${oa.url}/chat/completions`, {
      headers: OPENAI_AUTH,
      body: { model: 'gpt-4o-mini', ...body },
    });
    assert.equal(empty.status, 200);
    assert.equal(empty.error, null);
    assert.equal(empty.chunks.map((c) => c.text).join(''), '');
  });

  it('latencyMs delays headers; ttftMs delays the first content token; tokensPerSecond paces chunks', async () => {
    oa.script({ latencyMs: 150 });
    const t0 = Date.now();
    await oaChat();
    assert.ok(Date.now() - t0 >= 140);

    an.script({ ttftMs: 400 });
    const s = await readTimed(`${an.url}/v1/messages`, {
      headers: ANTHROPIC_AUTH,
      body: { model: 'claude-sonnet-4-5', max_tokens: 100, stream: true, messages: [{ role: 'user', content: 'hi' }] },
    });
    assert.ok(s.headersAt - s.start < 350, 'headers come early');
    const firstDelta = s.chunks.find((c) => c.text.includes('text_delta'));
    assert.ok(firstDelta && firstDelta.at - s.start >= 390, 'first token after ttft');
    assert.ok(
      s.chunks[0].text.includes('message_start') && s.chunks[0].at - s.start < 350,
      'message_start before ttft',
    );

    ge.script({ tokensPerSecond: 100 });
    const g = await readTimed(`${ge.url}/models/gemini-2.5-flash:streamGenerateContent?alt=sse`, {
      headers: GEMINI_AUTH,
      body: { contents: [{ role: 'user', parts: [{ text: 'one two three four five six seven eight' }] }] },
    });
    const chunks = parseSse(g.chunks.map((c) => c.text).join('')).map((e) => JSON.parse(e.data));
    const tokens = chunks.slice(1).reduce((n, c) => n + Math.ceil(c.candidates[0].content.parts[0].text.length / 4), 0);
    const elapsed = g.chunks.at(-1)!.at - g.chunks[0].at;
    assert.ok(elapsed >= (tokens / 100) * 1000 * 0.8, `paced: ${elapsed}ms for ${tokens} tokens`);
  });

  it('omitUsage, reply and toolCalls overrides', async () => {
    oa.script({ omitUsage: true, times: 2 });
    assert.equal((await oaChat()).json.usage, undefined);
    const st = await oaChat({ stream: true, stream_options: { include_usage: true } });
    assert.ok(
      parseSse(st.text)
        .slice(0, -1)
        .every((e) => !('usage' in JSON.parse(e.data))),
    );
    an.script({ omitUsage: true });
    assert.equal((await anMsg()).json.usage, undefined);
    ge.script({ omitUsage: true });
    assert.equal((await geGen()).json.usageMetadata, undefined);

    oa.script({ reply: 'Scripted answer.' });
    assert.equal((await oaChat()).json.choices[0].message.content, 'Scripted answer.');
    an.script({ toolCalls: [{ name: 'lookup', arguments: { q: 'x' } }] });
    const a = await anMsg();
    assert.deepEqual(
      a.json.content.map((b: any) => [b.type, b.name, b.input]),
      [['tool_use', 'lookup', { q: 'x' }]],
    );
    assert.equal(a.json.stop_reason, 'tool_use');
    ge.script({ toolCalls: [{ name: 'lookup', arguments: { q: 'y' } }] });
    assert.deepEqual((await geGen()).json.candidates[0].content.parts, [
      { functionCall: { name: 'lookup', args: { q: 'y' } } },
    ]);
  });

  it('errorEventMidStream: Anthropic `event: error` overloaded_error after some chunks; OpenAI/Gemini error objects', async () => {
    an.script({ errorEventMidStream: true });
    const a = await anMsg({ stream: true });
    const ev = parseSse(a.text);
    assert.equal(ev.at(-1)?.event, 'error');
    assert.deepEqual(JSON.parse(ev.at(-1)!.data), {
      type: 'error',
      error: { type: 'overloaded_error', message: 'Overloaded' },
    });
    assert.ok(ev.filter((e) => e.event === 'content_block_delta').length >= 1);
    assert.ok(!ev.some((e) => e.event === 'message_stop'));
    oa.script({ errorEventMidStream: true });
    const o = parseSse((await oaChat({ stream: true })).text);
    assert.equal(JSON.parse(o.at(-1)!.data).error.type, 'server_error');
    ge.script({ errorEventMidStream: true });
    const g = parseSse(
      (
        await http(`${ge.url}/models/gemini-2.5-flash:streamGenerateContent?alt=sse`, {
          headers: GEMINI_AUTH,
          body: { contents: [{ parts: [{ text: 'a b c d e f' }] }] },
        })
      ).text,
    );
    assert.equal(JSON.parse(g.at(-1)!.data).error.status, 'UNAVAILABLE');
  });

  it('HTTP control endpoints: POST /__sim/script, GET /__sim/requests, POST /__sim/reset', async () => {
    const origin = new URL(an.url).origin;
    const s = await http(`${origin}/__sim/script`, {
      body: { status: 529, times: 'Infinity', match: { model: 'claude-opus-4-1' } },
    });
    assert.equal(s.status, 200);
    assert.equal((await anMsg({ model: 'claude-opus-4-1' })).status, 529);
    assert.equal((await anMsg({ model: 'claude-opus-4-1' })).status, 529);
    const reqs = await http(`${origin}/__sim/requests`);
    assert.ok(Array.isArray(reqs.json) && reqs.json.some((r: any) => r.body?.model === 'claude-opus-4-1'));
    assert.equal((await http(`${origin}/__sim/reset`, { body: {} })).status, 200);
    assert.equal((await anMsg({ model: 'claude-opus-4-1' })).status, 200);
    assert.equal((await http(`${origin}/__sim/requests`)).json.length, 1);
    assert.equal((await http(`${origin}/__sim/script`, { body: { times: 0 } })).status, 400);
  });
});
