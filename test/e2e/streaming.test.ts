// Streaming and transport behaviour through the gateway: keep-alive comments before the first token,
// first-byte timeouts that fall back, client disconnects that abort the upstream, and operator-added
// providers/models from the config file.
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import {
  localTinyConfig,
  startDemoGateway,
  startGateway,
  startSims,
  type SimSet,
  type TestGateway,
} from '../helpers/gateway.js';

let gw: TestGateway;
let sims: SimSet;
before(async () => {
  ({ gw, sims } = await startDemoGateway({ upstream: { keepalive_comment_ms: 50, first_byte_timeout_ms: 400 } }));
});
after(async () => {
  await gw.close();
  await sims.close();
});
beforeEach(() => sims.resetAll());

test('keep-alive comments flow while waiting for the first token, then normal chunks', async () => {
  sims.anthropic.script({ ttftMs: 300 });
  const res = await gw.fetch('/chat/completions', {
    method: 'POST',
    json: { model: 'anthropic/claude-haiku-4.5', stream: true, messages: [{ role: 'user', content: 'hello' }] },
  });
  assert.equal(res.status, 200);
  const text = await res.text();
  const firstData = text.indexOf('data: ');
  assert.ok(
    text.indexOf(': ARouter PROCESSING') >= 0 && text.indexOf(': ARouter PROCESSING') < firstData,
    'comment before the first chunk',
  );
  assert.ok(text.trimEnd().endsWith('data: [DONE]'));
  const chunks = text
    .split('\n\n')
    .filter((l) => l.startsWith('data: {'))
    .map((l) => JSON.parse(l.slice(6)));
  assert.ok(chunks.some((c) => c.choices?.[0]?.delta?.content));
  assert.ok(chunks[chunks.length - 1].usage, 'the last chunk carries usage');
});

test('a first-byte timeout is retryable: the request falls back to the next model', async () => {
  sims.openai.script({ match: { model: 'gpt-4o' }, latencyMs: 2_000 });
  const t0 = Date.now();
  const res = await gw.fetch('/chat/completions', {
    method: 'POST',
    json: {
      model: 'openai/gpt-4o',
      models: ['anthropic/claude-haiku-4.5'],
      messages: [{ role: 'user', content: 'hi' }],
    },
  });
  assert.equal(res.status, 200);
  const body = (await res.json()) as { model: string; provider: string };
  assert.equal(body.model, 'anthropic/claude-haiku-4.5');
  assert.ok(Date.now() - t0 < 1_900, 'did not wait for the slow upstream');
  assert.match(res.headers.get('x-arouter-attempts') ?? '', /openai=408.*anthropic=200/);
});

test('a first-byte timeout with nothing to fall back to is a 408', async () => {
  sims.anthropic.script({ latencyMs: 2_000, times: 5 });
  const res = await gw.fetch('/chat/completions', {
    method: 'POST',
    json: { model: 'anthropic/claude-haiku-4.5', messages: [{ role: 'user', content: 'hi' }] },
  });
  assert.equal(res.status, 408);
  const err = (await res.json()) as { error: { type: string; metadata: { code: string } } };
  assert.equal(err.error.metadata.code, 'upstream_timeout');
});

test('a client disconnect aborts the upstream stream', async () => {
  sims.gemini.script({ tokensPerSecond: 5, reply: 'one two three four five six seven eight nine ten eleven twelve' });
  const ac = new AbortController();
  const res = await gw.fetch('/chat/completions', {
    method: 'POST',
    signal: ac.signal,
    json: { model: 'google/gemini-2.5-pro', stream: true, messages: [{ role: 'user', content: 'count' }] },
  });
  const reader = res.body!.getReader();
  await reader.read();
  ac.abort();
  await reader.cancel().catch(() => undefined);
  // the gateway records the request as cancelled once the upstream is torn down
  let row: { cancelled: boolean } | undefined;
  for (let i = 0; i < 50 && !row; i++) {
    await new Promise((r) => setTimeout(r, 50));
    await gw.app.ledger.flush();
    const rows = await gw.app.store.listGenerations({ account_id: 'acct_default', limit: 5 });
    row = rows.find((r) => r.cancelled && r.model === 'google/gemini-2.5-pro');
  }
  assert.ok(row, 'a cancelled generation row');
});

test('operators add providers and models in the config file', async () => {
  const local = await startSims();
  const g = await startGateway({ env: { LOCAL_KEY: 'k' }, config: localTinyConfig(local.openai.url, 'Local vLLM') });
  try {
    const list = (await (await g.fetch('/models')).json()) as { data: Array<{ id: string }> };
    assert.deepEqual(
      list.data.map((m) => m.id),
      ['local/tiny'],
      'only the configured provider is served',
    );
    const r = await g.fetch('/chat/completions', {
      method: 'POST',
      json: { model: 'local/tiny', messages: [{ role: 'user', content: 'hi' }] },
    });
    assert.equal(r.status, 200);
    assert.equal(((await r.json()) as { provider: string }).provider, 'local');
    assert.equal((local.openai.requests[0].body as { model: string }).model, 'tiny-1');
    assert.equal(local.openai.requests[0].headers.authorization, 'Bearer k');
  } finally {
    await g.close();
    await local.close();
  }
});

test('a slow reader gets a large stream whole and in order (the upstream waits for the client)', async () => {
  const words = Array.from({ length: 24 }, (_, i) => String.fromCharCode(97 + i).repeat(10_000));
  const reply = words.join(' ');
  sims.gemini.script({ reply });
  const res = await gw.fetch('/chat/completions', {
    method: 'POST',
    json: { model: 'google/gemini-2.5-pro', stream: true, messages: [{ role: 'user', content: 'long' }] },
  });
  assert.equal(res.status, 200);
  const reader = res.body!.getReader();
  const parts: Uint8Array[] = [];
  const first = await reader.read();
  parts.push(first.value!);
  await new Promise((r) => setTimeout(r, 300)); // the client stops reading for a while
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    parts.push(value);
  }
  const text = Buffer.concat(parts).toString('utf8');
  assert.ok(text.trimEnd().endsWith('data: [DONE]'));
  const chunks = text
    .split('\n\n')
    .filter((l) => l.startsWith('data: {'))
    .map((l) => JSON.parse(l.slice(6)));
  const content = chunks.map((c) => c.choices?.[0]?.delta?.content ?? '').join('');
  assert.equal(content, reply);
  assert.equal(chunks.filter((c) => c.choices?.[0]?.finish_reason).length, 1);
});
