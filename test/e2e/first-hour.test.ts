// Issue 14's smaller items, through a listening gateway: a client that leaves a non-stream request (access log
// 499, a ledger row naming the endpoint and its attempts), a 403 logged with its key, endpoint names, the
// "provider not configured" 404, the openai SDK's models.retrieve() with a URL-encoded id, the Models API's
// paging and count, and every reasoning effort OpenAI and OpenRouter define.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { startDemoGateway, startGateway, type SimSet, type TestGateway } from '../helpers/gateway.js';
import { Logger } from '../../src/lib/log.js';
import { createKey } from '../helpers/accounting.js';

let gw: TestGateway;
let sims: SimSet;
const lines: string[] = [];
before(async () => {
  ({ gw, sims } = await startDemoGateway({}, new Logger('info', (s) => lines.push(s))));
});
after(async () => {
  await gw.close();
  await sims.close();
});

const accessLines = () => lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.msg === 'request');

test('a non-stream request the client leaves: access log 499 (not 200), ledger row with model, provider, attempts', async () => {
  const user = await createKey(gw, { name: 'leaver' });
  sims.openai.script({
    match: { model: gw.app.catalog.get('openai/gpt-4o-mini')!.endpoints[0].model },
    latencyMs: 3000,
  });
  const ac = new AbortController();
  const pending = gw.fetch('/chat/completions', {
    method: 'POST',
    key: user.key,
    signal: ac.signal,
    json: { model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'slow' }] },
  });
  while (sims.openai.requests.length === 0) await new Promise((r) => setTimeout(r, 10));
  ac.abort();
  await assert.rejects(pending);
  let row: Record<string, any> | undefined;
  for (let i = 0; i < 200 && !row; i++) {
    await new Promise((r) => setTimeout(r, 20));
    const act = (await (await gw.fetch('/activity', { key: user.key })).json()) as { data: Array<Record<string, any>> };
    row = act.data[0];
  }
  assert.ok(row, 'the cancelled request has its ledger row');
  assert.equal(row.status, 499);
  assert.equal(row.cancelled, true);
  assert.equal(row.model, 'openai/gpt-4o-mini');
  assert.equal(row.provider_name, 'openai');
  assert.equal(row.attempts.length, 1);
  assert.equal(row.attempts[0].provider, 'openai');
  assert.equal(row.attempts[0].status, 499);
  const line = accessLines().find((l) => l.route === '/v1/chat/completions' && l.key_id === user.id);
  assert.ok(line, 'an access-log line');
  assert.equal(line.status, 499);
  assert.equal(line.aborted, true);
});

test('a 403 is logged with the key that was refused', async () => {
  const user = await createKey(gw, { name: 'not-admin' });
  const res = await gw.fetch('/keys', { key: user.key });
  assert.equal(res.status, 403);
  await res.text();
  const line = accessLines().find((l) => l.route === '/v1/keys' && l.status === 403);
  assert.equal(line?.key_id, user.id);
});

test('endpoint names do not repeat the model author ("OpenAI: GPT-4o mini", not "OpenAI: OpenAI: …")', async () => {
  const body = (await (await gw.fetch('/models/openai/gpt-4o-mini/endpoints')).json()) as {
    data: { endpoints: Array<{ name: string }> };
  };
  assert.ok(body.data.endpoints.length > 0);
  for (const e of body.data.endpoints) assert.doesNotMatch(e.name, /^[^:]+: [^:]+: /, e.name);
  assert.equal(
    body.data.endpoints[0].name,
    `OpenAI: ${gw.app.catalog.get('openai/gpt-4o-mini')!.name.replace(/^OpenAI: /, '')}`,
  );
});

test('openai SDK models.retrieve("author/slug"): the id arrives URL-encoded and answers OpenAI\'s Model shape', async () => {
  const client = new OpenAI({ baseURL: gw.url, apiKey: gw.adminKey });
  const m = await client.models.retrieve('openai/gpt-4o-mini');
  assert.equal(m.id, 'openai/gpt-4o-mini');
  assert.equal(m.object, 'model');
  assert.equal(m.owned_by, 'openai');
  assert.equal(typeof m.created, 'number');
  const ep = await gw.fetch('/models/openai%2Fgpt-4o-mini/endpoints');
  assert.equal(ep.status, 200);
  assert.equal(((await ep.json()) as { data: { id: string } }).data.id, 'openai/gpt-4o-mini');
  assert.equal((await gw.fetch('/models/openai%2Fno-such-model')).status, 404);
});

test('/v1/models pages with limit/offset (links.next, total_count) and /v1/models/count counts the same list', async () => {
  const all = (await (await gw.fetch('/models')).json()) as {
    data: Array<{ id: string }>;
    total_count: number;
    links: { next: null };
  };
  assert.equal(all.total_count, all.data.length);
  assert.equal(all.links.next, null);
  const seen: string[] = [];
  let next: string | null = '/v1/models?limit=7';
  let pages = 0;
  while (next) {
    const page = (await (await gw.fetch(next.replace(/^\/v1/, ''))).json()) as {
      data: Array<{ id: string }>;
      links: { next: string | null };
    };
    assert.ok(page.data.length <= 7);
    seen.push(...page.data.map((m) => m.id));
    next = page.links.next;
    assert.ok(++pages <= all.data.length, 'paging ends');
  }
  assert.deepEqual(
    seen,
    all.data.map((m) => m.id),
  );
  const count = (await (await gw.fetch('/models/count?output_modalities=all')).json()) as { data: { count: number } };
  const everything = (await (await gw.fetch('/models?output_modalities=all')).json()) as { data: unknown[] };
  assert.equal(count.data.count, everything.data.length);
  assert.equal((await gw.fetch('/models?limit=0')).status, 400);
});

test('reasoning_effort: none, minimal, low, medium, high, xhigh are accepted; none turns reasoning off', async () => {
  for (const effort of ['none', 'minimal', 'low', 'medium', 'high', 'xhigh']) {
    sims.resetAll();
    const res = await gw.fetch('/chat/completions', {
      method: 'POST',
      json: { model: 'openai/gpt-5', reasoning_effort: effort, messages: [{ role: 'user', content: 'hi' }] },
    });
    assert.equal(res.status, 200, `${effort}: ${await res.clone().text()}`);
    const sent = sims.openai.requests[0].body as { reasoning_effort?: string };
    assert.ok(typeof sent.reasoning_effort === 'string', `${effort} → ${sent.reasoning_effort}`);
  }
  sims.resetAll();
  const r = await gw.fetch('/chat/completions', {
    method: 'POST',
    json: {
      model: 'anthropic/claude-sonnet-4.5',
      reasoning: { effort: 'none' },
      messages: [{ role: 'user', content: 'hi' }],
    },
  });
  assert.equal(r.status, 200);
  assert.equal((sims.anthropic.requests[0].body as { thinking?: unknown }).thinking, undefined, 'none: no thinking');
});

test('a catalog model whose provider has no key: 404 saying the provider is not configured and which variable enables it', async () => {
  const only = await startGateway({ env: { OPENAI_API_KEY: 'sk-test' } });
  try {
    for (const path of ['/chat/completions', '/models/anthropic/claude-sonnet-4.5']) {
      const res =
        path === '/chat/completions'
          ? await only.fetch(path, {
              method: 'POST',
              json: { model: 'anthropic/claude-sonnet-4.5', messages: [{ role: 'user', content: 'hi' }] },
            })
          : await only.fetch(path);
      assert.equal(res.status, 404);
      const e = ((await res.json()) as { error: { message: string; metadata: { code: string } } }).error;
      assert.equal(e.metadata.code, 'model_not_found');
      assert.match(e.message, /Anthropic is not configured/);
      assert.match(e.message, /ANTHROPIC_API_KEY/);
    }
    // an unknown name keeps the plain answer
    const res = await only.fetch('/chat/completions', {
      method: 'POST',
      json: { model: 'nope/nope', messages: [{ role: 'user', content: 'hi' }] },
    });
    assert.doesNotMatch(((await res.json()) as { error: { message: string } }).error.message, /not configured/);
  } finally {
    await only.close();
  }
});
