// The ledger through a listening gateway: rows match what clients received (tokens, cost) for streams and
// non-streams; GET /v1/generation is scoped to the key (admin: its account); /v1/activity filters and daily
// totals; a graceful shutdown flushes every queued row, and a restart restores key usage and limits.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { startDemoGateway, startGateway, type SimSet, type TestGateway } from '../helpers/gateway.js';
import {
  activity,
  chat,
  chatStream,
  createKey,
  expectedCost,
  generation,
  json,
  pusd,
  rowCounts,
  sumDaily,
  sumExact,
  usdNumber,
  usdString,
  type Generation,
  type PriceTable,
  type Usage,
} from '../helpers/accounting.js';

let gw: TestGateway;
let sims: SimSet;

before(async () => {
  ({ gw, sims } = await startDemoGateway());
});
after(async () => {
  await gw.close();
  await sims.close();
});

function pricingOf(modelId: string): PriceTable {
  return gw.app.catalog.get(modelId)!.endpoints[0].pricing;
}

interface Sent {
  id: string;
  model: string;
  provider: string;
  streamed: boolean;
  kind: 'chat' | 'embeddings';
  usage: Usage | { prompt_tokens: number; cost: number };
}

function assertRowMatches(g: Generation, s: Sent): void {
  assert.equal(g.id, s.id);
  assert.equal(g.kind, s.kind);
  assert.equal(g.model, s.model);
  assert.equal(g.provider_name, s.provider);
  assert.equal(g.streamed, s.streamed);
  assert.equal(g.status, 200);
  assert.equal(g.cancelled, false);
  assert.equal(g.tokens_prompt, s.usage.prompt_tokens);
  assert.equal(g.total_cost, s.usage.cost);
  if (s.kind === 'chat') {
    const u = s.usage as Usage;
    assert.equal(g.tokens_completion, u.completion_tokens);
    assert.equal(g.tokens_reasoning, u.completion_tokens_details.reasoning_tokens);
    assert.equal(g.tokens_cached, u.prompt_tokens_details.cached_tokens);
    assert.equal(g.tokens_cache_write, u.prompt_tokens_details.cache_write_tokens);
    assert.equal(g.total_cost_exact, usdString(expectedCost(pricingOf(s.model), rowCounts(g))));
  }
}

async function sendChat(key: string, model: string, provider: string, stream: boolean, text: string): Promise<Sent> {
  const body = { model, max_tokens: 60, messages: [{ role: 'user', content: text }] };
  if (stream) {
    const s = await chatStream(gw, body, key);
    assert.equal(s.status, 200);
    assert.ok(s.usage);
    return { id: s.id!, model, provider, streamed: true, kind: 'chat', usage: s.usage };
  }
  const r = await chat(gw, body, key);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return { id: r.body.id, model, provider, streamed: false, kind: 'chat', usage: r.body.usage };
}

test('rows match what each client received; /v1/generation and /v1/activity are scoped to the key (admin: its account, operator: all)', async () => {
  const a = await createKey(gw, { name: 'ledger-a' });
  const b = await createKey(gw, { name: 'ledger-b' });
  const other = await json<{ data: { id: string } }>(
    gw.fetch('/accounts', { method: 'POST', json: { name: 'elsewhere' } }),
    201,
  );
  const c = await createKey(gw, { name: 'ledger-c', account_id: other.data.id });

  const mine: Sent[] = [
    await sendChat(a.key, 'openai/gpt-4o', 'openai', false, 'first from a'),
    await sendChat(a.key, 'openai/gpt-4o', 'openai', true, 'second from a'),
    await sendChat(a.key, 'anthropic/claude-sonnet-4.5', 'anthropic', true, 'third from a'),
    await sendChat(a.key, 'anthropic/claude-sonnet-4.5', 'anthropic', false, 'fourth from a'),
  ];
  const emb = await json<{ id: string; usage: { prompt_tokens: number; cost: number } }>(
    gw.fetch('/embeddings', {
      method: 'POST',
      key: a.key,
      json: { model: 'openai/text-embedding-3-small', input: 'embed me' },
    }),
  );
  mine.push({
    id: emb.id,
    model: 'openai/text-embedding-3-small',
    provider: 'openai',
    streamed: false,
    kind: 'embeddings',
    usage: emb.usage,
  });
  const theirs = await sendChat(b.key, 'google/gemini-2.5-pro', 'google', false, 'from b');
  const elsewhere = await sendChat(c.key, 'google/gemini-2.5-pro', 'google', true, 'from c');

  for (const s of mine) {
    assertRowMatches(await generation(gw, s.id, a.key), s);
    // the admin sees its account's rows
    assertRowMatches(await generation(gw, s.id, gw.adminKey), s);
    // another key of the same account, and a key of another account, do not
    for (const k of [b.key, c.key]) {
      const res = await gw.fetch(`/generation?id=${s.id}`, { key: k });
      assert.equal(res.status, 404);
      assert.equal(
        ((await res.json()) as { error: { metadata: { code: string } } }).error.metadata.code,
        'generation_not_found',
      );
    }
  }
  assertRowMatches(await generation(gw, theirs.id, b.key), theirs);
  assertRowMatches(await generation(gw, elsewhere.id, c.key), elsewhere);
  // an account admin's scope is its account; the operator's is the deployment
  const acctAdmin = await createKey(gw, { name: 'ledger-admin', role: 'admin' });
  assert.equal(
    (await gw.fetch(`/generation?id=${elsewhere.id}`, { key: acctAdmin.key })).status,
    404,
    "an admin's scope is its account",
  );
  assert.equal((await gw.fetch(`/generation?id=${mine[0].id}`, { key: acctAdmin.key })).status, 200);
  assert.equal((await gw.fetch(`/generation?id=${elsewhere.id}`)).status, 200, "the operator's scope is every account");
  assert.equal((await gw.fetch('/generation?id=gen-doesnotexist', { key: a.key })).status, 404);
  assert.equal((await gw.fetch('/generation', { key: a.key })).status, 400);

  // a user key sees exactly its own rows
  const act = await activity(gw, '', a.key);
  assert.deepEqual(act.data.map((g) => g.id).sort(), mine.map((s) => s.id).sort());
  const today = act.data[0].created_at.slice(0, 10);
  const total = sumExact(act.data);
  assert.equal(usdString(sumDaily(act.daily)), usdString(total));
  assert.equal(
    act.daily.reduce((n, d) => n + d.requests, 0),
    mine.length,
  );
  assert.equal(
    act.daily.reduce((n, d) => n + d.prompt_tokens, 0),
    mine.reduce((n, s) => n + s.usage.prompt_tokens, 0),
  );
  assert.equal(
    act.daily.reduce((n, d) => n + d.completion_tokens, 0),
    mine.reduce((n, s) => n + ('completion_tokens' in s.usage ? s.usage.completion_tokens : 0), 0),
  );
  for (const s of mine) assert.equal(act.data.find((g) => g.id === s.id)!.total_cost, s.usage.cost);
  const usage = await json<{ data: { usage: number } }>(gw.fetch('/key', { key: a.key }));
  assert.equal(usage.data.usage, usdNumber(total));

  // filters: model, provider, date range (a bare `to` date includes the whole day)
  const byModel = await activity(gw, 'model=openai/gpt-4o', a.key);
  assert.deepEqual(byModel.data.map((g) => g.id).sort(), [mine[0].id, mine[1].id].sort());
  assert.equal(
    byModel.daily.reduce((n, d) => n + d.requests, 0),
    2,
  );
  assert.equal(usdString(sumDaily(byModel.daily)), usdString(sumExact(byModel.data)));
  const byProvider = await activity(gw, 'provider=anthropic', a.key);
  assert.deepEqual(byProvider.data.map((g) => g.id).sort(), [mine[2].id, mine[3].id].sort());
  assert.equal((await activity(gw, `from=${today}&to=${today}`, a.key)).data.length, mine.length);
  const dayMs = 86_400_000;
  const tomorrow = new Date(Date.parse(today) + dayMs).toISOString().slice(0, 10);
  const yesterday = new Date(Date.parse(today) - dayMs).toISOString().slice(0, 10);
  const none = await activity(gw, `from=${tomorrow}`, a.key);
  assert.equal(none.data.length, 0);
  assert.deepEqual(none.daily, []);
  assert.equal((await activity(gw, `to=${yesterday}`, a.key)).data.length, 0);
  assert.equal((await gw.fetch('/activity?from=last-tuesday', { key: a.key })).status, 400);
  // a user key cannot widen its scope with key_id
  assert.equal((await activity(gw, `key_id=${b.id}`, a.key)).data.length, mine.length);

  // the admin sees the account's rows (a's and b's), not another account's; key_id narrows
  const adminAll = await activity(gw, '');
  const ids = new Set(adminAll.data.map((g) => g.id));
  for (const s of [...mine, theirs]) assert.ok(ids.has(s.id));
  assert.ok(!ids.has(elsewhere.id));
  assert.equal(usdString(sumDaily(adminAll.daily)), usdString(sumExact(adminAll.data)));
  const adminA = await activity(gw, `key_id=${a.id}`);
  assert.equal(adminA.data.length, mine.length);
  assert.equal(usdString(sumDaily(adminA.daily)), usdString(total));
});

test('/v1/activity pages through rows once each; date-times without an offset are UTC whatever the server zone', async () => {
  const { key } = await createKey(gw, { name: 'paging' });
  const ids: string[] = [];
  for (let i = 0; i < 5; i++) ids.push((await sendChat(key, 'openai/gpt-4o', 'openai', i % 2 === 1, `page ${i}`)).id);
  const seen: string[] = [];
  for (let offset = 0; offset < 6; offset += 2) {
    const page = await json<{ data: Generation[]; daily: Array<{ requests: number }> }>(
      gw.fetch(`/activity?limit=2&offset=${offset}`, { key }),
    );
    seen.push(...page.data.map((g) => g.id));
    // daily totals cover the whole filter, not the page
    assert.equal(
      page.daily.reduce((n, d) => n + d.requests, 0),
      5,
    );
  }
  assert.deepEqual([...seen].sort(), [...ids].sort());
  assert.equal((await gw.fetch('/activity?limit=0', { key })).status, 400);

  // "2025-01-31T10:00:00" names a UTC instant like every timestamp in the API, even on a server that is not on UTC
  const utc = (ms: number) => new Date(ms).toISOString().slice(0, 19);
  const tz = process.env.TZ;
  process.env.TZ = 'America/New_York';
  try {
    const hourAgo = utc(Date.now() - 3_600_000);
    const inAnHour = utc(Date.now() + 3_600_000);
    assert.equal((await activity(gw, `from=${hourAgo}`, key)).data.length, 5);
    assert.equal((await activity(gw, `to=${inAnHour}`, key)).data.length, 5);
    assert.equal((await activity(gw, `from=${inAnHour}`, key)).data.length, 0);
    assert.equal((await activity(gw, `from=${hourAgo}Z&to=${inAnHour}Z`, key)).data.length, 5);
  } finally {
    if (tz === undefined) delete process.env.TZ;
    else process.env.TZ = tz;
  }
});

test('graceful shutdown flushes every queued row; a restart restores key usage and the limit', async () => {
  const local = await startSimsGateway({ ledger: { flush_interval_ms: 600_000, max_batch: 100_000 } });
  let g = local.gw;
  try {
    const limit = '0.05';
    const acct = await json<{ data: { id: string } }>(
      g.fetch('/accounts', { method: 'POST', json: { name: 'restart-acct', credits: '1' } }),
      201,
    );
    const { key, id: keyId } = await createKey(g, { name: 'restart', limit, account_id: acct.data.id });
    const N = 40;
    const sent = await Promise.all(
      Array.from({ length: N }, async (_, i) => {
        const body = { model: 'openai/gpt-4o', max_tokens: 40, messages: [{ role: 'user', content: `restart ${i}` }] };
        if (i % 2) {
          const s = await chatStream(g, body, key);
          assert.equal(s.status, 200);
          return { id: s.id!, cost: s.usage!.cost, completion: s.usage!.completion_tokens };
        }
        const r = await chat(g, body, key);
        assert.equal(r.status, 200);
        return {
          id: r.body.id as string,
          cost: r.body.usage.cost as number,
          completion: r.body.usage.completion_tokens as number,
        };
      }),
    );
    // nothing has reached storage yet: the batch interval is 10 minutes
    assert.ok(g.app.ledger.size >= N, `${g.app.ledger.size} rows queued`);
    const before = await json<{ data: { usage: number; limit_remaining: number } }>(g.fetch('/key', { key }));
    await g.close(false);

    g = await startGateway({ dataDir: local.dataDir, demoUpstreams: local.sims.urls });
    const act = await activity(g, '', key);
    assert.equal(act.data.length, N, 'every row survived the shutdown');
    const byId = new Map(act.data.map((r) => [r.id, r]));
    for (const s of sent) {
      const r = byId.get(s.id);
      assert.ok(r, s.id);
      assert.equal(r.total_cost, s.cost);
      assert.equal(r.tokens_completion, s.completion);
    }
    const spent = sumExact(act.data);
    assert.equal(usdString(sumDaily(act.daily)), usdString(spent));
    const k = await json<{
      data: { id: string; usage: number; usage_daily: number; usage_monthly: number; limit_remaining: number };
    }>(g.fetch('/key', { key }));
    assert.equal(k.data.id, keyId);
    assert.equal(k.data.usage, usdNumber(spent), 'GET /v1/key usage = sum of the rows after the restart');
    assert.equal(k.data.usage, before.data.usage);
    assert.equal(k.data.usage_daily, k.data.usage);
    assert.equal(k.data.usage_monthly, k.data.usage);
    assert.equal(k.data.limit_remaining, usdNumber(pusd(limit) - spent));
    // the account's spend is rebuilt from the ledger too
    const a = await json<{ data: { usage: number; credits_remaining: number } }>(g.fetch(`/accounts/${acct.data.id}`));
    assert.equal(a.data.usage, usdNumber(spent));
    assert.equal(a.data.credits_remaining, usdNumber(pusd('1') - spent));
    // the restored usage still counts against the limit: the 402 reports what is left after the restart
    // (gpt-4o without max_tokens reserves 16384 tokens at $10/M = $0.16384 > $0.05)
    const refused = await chat(g, { model: 'openai/gpt-4o', messages: [{ role: 'user', content: 'x' }] }, key);
    assert.equal(refused.status, 402);
    assert.match(
      refused.body.error.message,
      new RegExp(`leaves \\$${usdString(pusd(limit) - spent).replace('.', '\\.')}\\.`),
    );
  } finally {
    await g.close(false);
    await local.sims.close();
    rmSync(local.dataDir, { recursive: true, force: true });
  }
});

test('requests in flight at shutdown finish, and their rows are written before the process lets go', async () => {
  const local = await startSimsGateway({
    ledger: { flush_interval_ms: 600_000, max_batch: 100_000 },
    server: { shutdown_grace_ms: 20_000 },
  });
  let g = local.gw;
  try {
    const { key } = await createKey(g, { name: 'in-flight' });
    local.sims.openai.script({
      match: { model: 'gpt-4o' },
      times: Infinity,
      tokensPerSecond: 60,
      reply: 'slow words arriving one by one '.repeat(6),
    });
    const M = 5;
    // start M slow streams and wait until each has its headers (it is in flight)
    const responses = await Promise.all(
      Array.from({ length: M }, () =>
        g.fetch('/chat/completions', {
          method: 'POST',
          key,
          json: {
            model: 'openai/gpt-4o',
            max_tokens: 200,
            stream: true,
            messages: [{ role: 'user', content: 'go slowly' }],
          },
        }),
      ),
    );
    const ids = responses.map((r) => r.headers.get('x-arouter-generation-id')!);
    const closing = g.close(false);
    const texts = await Promise.all(responses.map((r) => r.text()));
    const streamsDone = Date.now();
    for (const t of texts) {
      assert.match(t, /"finish_reason":"stop"/, 'the stream ran to its end');
      assert.match(t, /data: \[DONE\]/);
    }
    await closing;
    // the finished requests' keep-alive sockets do not hold the shutdown (and the ledger flush) back until
    // the client drops them (undici: 4 s) — a generous bound, the close takes milliseconds
    assert.ok(
      Date.now() - streamsDone < 3_000,
      `shutdown took ${Date.now() - streamsDone} ms after the last stream ended`,
    );
    g = await startGateway({ dataDir: local.dataDir, demoUpstreams: local.sims.urls });
    for (const id of ids) {
      const row = await generation(g, id, key);
      assert.equal(row.status, 200);
      assert.equal(row.cancelled, false);
      assert.ok(pusd(row.total_cost_exact) > 0n);
    }
    const act = await activity(g, '', key);
    assert.equal(act.data.length, M);
    const k = await json<{ data: { usage: number } }>(g.fetch('/key', { key }));
    assert.equal(k.data.usage, usdNumber(sumExact(act.data)));
  } finally {
    await g.close(false);
    await local.sims.close();
    rmSync(local.dataDir, { recursive: true, force: true });
  }
});

/** a demo gateway of its own (own sims, own data dir) for the restart tests */
async function startSimsGateway(config: Record<string, unknown>) {
  const r = await startDemoGateway(config);
  return { gw: r.gw, sims: r.sims, dataDir: r.gw.dataDir };
}

test('ledger.retention_days: rows past the window are deleted, their spend still counts, across a restart', async () => {
  const local = await startSimsGateway({ ledger: { retention_days: 30 } });
  let g = local.gw;
  try {
    assert.ok(g.app.retention, 'retention runs when configured');
    const { key } = await createKey(g, { name: 'retention' });
    const r = await chat(
      g,
      { model: 'openai/gpt-4o-mini', max_tokens: 20, messages: [{ role: 'user', content: 'keep me' }] },
      key,
    );
    assert.equal(r.status, 200);
    await g.app.ledger.flush();
    const fresh = (await g.app.store.getGeneration(r.body.id as string))!;
    // a row from before the window, as an older ledger would hold it
    const oldCost = 7_000_000n; // $0.000007
    await g.app.store.insertGenerations([
      {
        ...fresh,
        id: 'gen-1000000000-old',
        cost_pusd: oldCost,
        created_at: new Date(Date.now() - 40 * 86_400_000).toISOString(),
      },
    ]);
    assert.equal(await g.app.retention!.run(), 1);
    assert.equal((await g.fetch('/generation?id=gen-1000000000-old', { key })).status, 404);
    assert.equal((await g.fetch(`/generation?id=${fresh.id}`, { key })).status, 200);
    await g.close(false);

    g = await startGateway({
      dataDir: local.dataDir,
      demoUpstreams: local.sims.urls,
      config: { ledger: { retention_days: 30 } },
    });
    const k = await json<{ data: { usage: number } }>(g.fetch('/key', { key }));
    assert.equal(
      k.data.usage,
      usdNumber(fresh.cost_pusd + oldCost),
      'the deleted row still counts in the key usage rebuilt at start',
    );
  } finally {
    await g.close(false);
    await local.sims.close();
    rmSync(local.dataDir, { recursive: true, force: true });
  }
});
