// The API the web console calls (issue 17), through a listening demo gateway with known traffic: per-day activity
// by model, provider and key (GET /v1/activity/daily) checked exactly against the ledger rows and what the
// clients received, with the same scope rules as /v1/activity; the generations listing's status and streamed
// filters; GET /v1/providers; the key fields a Keys page shows (period usage, next reset, expired).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startDemoGateway, type SimSet, type TestGateway } from '../helpers/gateway.js';
import {
  activity,
  chat,
  chatStream,
  createKey,
  json,
  pusd,
  usdNumber,
  usdString,
  type Generation,
} from '../helpers/accounting.js';

let gw: TestGateway;
let sims: SimSet;

interface Totals {
  requests: number;
  prompt_tokens: number;
  completion_tokens: number;
  reasoning_tokens: number;
  cached_tokens: number;
  cost: number;
  cost_exact: string;
}
type Row = Totals & {
  date: string;
  model?: string | null;
  provider?: string | null;
  key_id?: string | null;
  key_name?: string | null;
  other?: true;
};
interface Daily {
  group_by: string | null;
  from: string;
  to: string;
  truncated: boolean;
  groups: Array<Totals & Record<string, unknown>>;
  data: Row[];
}

const daily = (query: string, key?: string) => json<Daily>(gw.fetch(`/activity/daily?${query}`, { key }));

/** the totals of ledger rows, as the grouped answer must give them */
function totalsOf(rows: Generation[]): Totals {
  const cost = rows.reduce((s, g) => s + pusd(g.total_cost_exact), 0n);
  return {
    requests: rows.length,
    prompt_tokens: rows.reduce((n, g) => n + g.tokens_prompt, 0),
    completion_tokens: rows.reduce((n, g) => n + g.tokens_completion, 0),
    reasoning_tokens: rows.reduce((n, g) => n + g.tokens_reasoning, 0),
    cached_tokens: rows.reduce((n, g) => n + g.tokens_cached, 0),
    cost: usdNumber(cost),
    cost_exact: usdString(cost),
  };
}

const pick = (r: Totals): Totals => ({
  requests: r.requests,
  prompt_tokens: r.prompt_tokens,
  completion_tokens: r.completion_tokens,
  reasoning_tokens: r.reasoning_tokens,
  cached_tokens: r.cached_tokens,
  cost: r.cost,
  cost_exact: r.cost_exact,
});

let a: { key: string; id: string };
let b: { key: string; id: string };
let c: { key: string; id: string };
let admin: { key: string; id: string };
let otherAccount: string;
let failedId: string;
const received = { prompt: 0, completion: 0, reasoning: 0, cached: 0 };

before(async () => {
  ({ gw, sims } = await startDemoGateway());
  a = await createKey(gw, { name: 'chart a', limit: '5', limit_reset: 'daily' });
  b = await createKey(gw, { name: 'chart b' });
  admin = await createKey(gw, { name: 'chart admin', role: 'admin' });
  otherAccount = (
    await json<{ data: { id: string } }>(
      gw.fetch('/accounts', { method: 'POST', json: { name: 'charts elsewhere', enabled_providers: ['google'] } }),
      201,
    )
  ).data.id;
  c = await createKey(gw, { name: 'chart c', account_id: otherAccount });
  const ask = async (key: string, model: string, stream: boolean, text: string) => {
    const body = { model, max_tokens: 40, messages: [{ role: 'user', content: text }] };
    if (stream) {
      const s = await chatStream(gw, body, key);
      assert.equal(s.status, 200);
      return s.usage!;
    }
    const r = await chat(gw, body, key);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    return r.body.usage;
  };
  for (const [model, stream, text] of [
    ['openai/gpt-4o', false, 'one'],
    ['openai/gpt-4o', true, 'two, a little longer'],
    ['anthropic/claude-sonnet-4.5', true, 'three'],
    ['openai/gpt-4o-mini', false, 'four'],
  ] as const) {
    const u = await ask(a.key, model, stream, text);
    received.prompt += u.prompt_tokens;
    received.completion += u.completion_tokens;
  }
  // reasoning, and a long prefix seen twice (the second request reads it from the provider's prompt cache)
  const long = 'The quick brown fox jumps over the lazy dog near the river bank. '.repeat(200);
  for (let i = 0; i < 2; i++) {
    const body = {
      model: 'openai/o4-mini',
      reasoning: { effort: 'low' },
      max_tokens: 300,
      messages: [
        { role: 'system', content: long },
        { role: 'user', content: 'hi' },
      ],
    };
    const r = await chat(gw, body, a.key);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    received.prompt += r.body.usage.prompt_tokens;
    received.completion += r.body.usage.completion_tokens;
    received.reasoning += r.body.usage.completion_tokens_details.reasoning_tokens;
    received.cached += r.body.usage.prompt_tokens_details.cached_tokens;
  }
  assert.ok(received.reasoning > 0 && received.cached > 0, 'the traffic has reasoning and cached tokens');
  await ask(b.key, 'google/gemini-2.5-pro', false, 'from b');
  await ask(b.key, 'openai/gpt-4o', true, 'from b again');
  await ask(c.key, 'google/gemini-2.5-pro', true, 'from c');
  // a request no endpoint answered: a failure row (status 502) of key a
  sims.anthropic.script({ match: { model: 'claude-sonnet-4-5' }, status: 500 });
  const failed = await chat(
    gw,
    {
      model: 'anthropic/claude-sonnet-4.5',
      provider: { allow_fallbacks: false },
      max_tokens: 20,
      messages: [{ role: 'user', content: 'fail' }],
    },
    a.key,
  );
  assert.equal(failed.status, 502, JSON.stringify(failed.body));
  failedId = failed.headers.get('x-arouter-generation-id')!;
  sims.resetAll();
});
after(async () => {
  await gw.close();
  await sims.close();
});

/** the expected per-day, per-group rows of ledger rows (every row today) */
function expectedRows(rows: Generation[], groupOf: (g: Generation) => string) {
  const by = new Map<string, Generation[]>();
  for (const g of rows) by.set(groupOf(g), [...(by.get(groupOf(g)) ?? []), g]);
  return new Map([...by].map(([k, gs]) => [k, totalsOf(gs)]));
}

test('group_by=model for a user key: its own rows per day and model, exactly (tokens, cost_exact); as the client was billed', async () => {
  const rows = (await activity(gw, '', a.key)).data;
  assert.equal(rows.length, 7);
  const today = rows[0]!.created_at.slice(0, 10);
  const got = await daily('group_by=model', a.key);
  assert.equal(got.group_by, 'model');
  assert.equal(got.to, today);
  assert.equal(got.from, new Date(Date.parse(today) - 29 * 86_400_000).toISOString().slice(0, 10), 'the last 30 days');
  assert.equal(got.truncated, false);
  const want = expectedRows(rows, (g) => g.model ?? '');
  assert.equal(got.data.length, want.size);
  for (const r of got.data) {
    assert.equal(r.date, today);
    assert.equal(r.other, undefined);
    assert.deepEqual(pick(r), want.get(r.model!), `model ${r.model}`);
  }
  // ranked by cost, with the same totals
  assert.deepEqual(
    got.groups.map((g) => g.model),
    [...want].sort((x, y) => Number(pusd(y[1].cost_exact) - pusd(x[1].cost_exact))).map(([m]) => m),
  );
  // the tokens are what the clients were told, plus the failed request's (counted, never billed to a client)
  const failed = rows.find((g) => g.status !== 200)!;
  assert.equal(failed.id, failedId);
  assert.equal(
    got.data.reduce((n, r) => n + r.prompt_tokens, 0),
    received.prompt + failed.tokens_prompt,
  );
  assert.equal(
    got.data.reduce((n, r) => n + r.completion_tokens, 0),
    received.completion + failed.tokens_completion,
  );
  assert.equal(
    got.data.reduce((n, r) => n + r.reasoning_tokens, 0),
    received.reasoning + failed.tokens_reasoning,
  );
  assert.equal(
    got.data.reduce((n, r) => n + r.cached_tokens, 0),
    received.cached + failed.tokens_cached,
  );
  // per day only: one row, everything
  const plain = await daily('', a.key);
  assert.equal(plain.group_by, null);
  assert.deepEqual(plain.groups, []);
  assert.deepEqual(
    plain.data.map((r) => [r.date, pick(r)]),
    [[today, totalsOf(rows)]],
  );
});

test('group_by=provider and key for an admin: the account (not another one), key names; a user key only ever sees its own key', async () => {
  const rows = (await activity(gw, '', admin.key)).data;
  assert.ok(rows.length >= 7);
  const byProvider = await daily('group_by=provider', admin.key);
  const want = expectedRows(rows, (g) => g.provider_name ?? '');
  assert.equal(byProvider.data.length, want.size);
  for (const r of byProvider.data) assert.deepEqual(pick(r), want.get(r.provider!), `provider ${r.provider}`);
  assert.ok(!byProvider.data.some((r) => r.provider === null));

  const byKey = await daily('group_by=key', admin.key);
  const keys = expectedRows(rows, (g) => g.key_id);
  assert.equal(byKey.data.length, keys.size);
  for (const r of byKey.data) assert.deepEqual(pick(r), keys.get(r.key_id!), `key ${r.key_id}`);
  const named = Object.fromEntries(byKey.data.map((r) => [r.key_id, r.key_name]));
  assert.equal(named[a.id], 'chart a');
  assert.equal(named[b.id], 'chart b');
  assert.ok(!(c.id in named), "another account's key is not in an admin's answer");
  assert.deepEqual(
    byKey.groups.find((g) => g.key_id === a.id),
    { key_id: a.id, key_name: 'chart a', ...keys.get(a.id)! },
  );
  // key_id narrows an admin's answer
  const onlyB = await daily(`group_by=model&key_id=${b.id}`, admin.key);
  assert.deepEqual(onlyB.data.map((r) => r.model).sort(), ['google/gemini-2.5-pro', 'openai/gpt-4o']);

  // a user key: its own key only, whatever key_id it names
  for (const q of ['group_by=key', `group_by=key&key_id=${b.id}`]) {
    const mine = await daily(q, a.key);
    assert.deepEqual(
      mine.data.map((r) => [r.key_id, r.key_name]),
      [[a.id, 'chart a']],
    );
  }
  const asB = await daily(`group_by=model&key_id=${a.id}`, b.key);
  assert.deepEqual(asB.data.map((r) => r.model).sort(), ['google/gemini-2.5-pro', 'openai/gpt-4o']);
  // another account: the operator may ask for it, its admin keys may not
  const there = await daily(`group_by=key&account_id=${otherAccount}`);
  assert.deepEqual(
    there.data.map((r) => [r.key_id, r.key_name, r.requests]),
    [[c.id, 'chart c', 1]],
  );
  const refused = await gw.fetch(`/activity/daily?account_id=${otherAccount}`, { key: admin.key });
  assert.equal(refused.status, 404);
  await refused.body?.cancel();
});

test('groups beyond `groups` are summed per day as one row (other: true) and truncated says so; nothing is lost', async () => {
  const all = await daily('group_by=model', admin.key);
  const top = await daily('group_by=model&groups=1', admin.key);
  assert.equal(top.truncated, true);
  assert.equal(top.groups.length, 1);
  assert.deepEqual(top.groups[0], all.groups[0]);
  const [first, rest] = top.data;
  assert.equal(first!.model, all.groups[0]!.model);
  assert.deepEqual(rest!.other, true);
  assert.equal(rest!.model, null);
  const sum = (rs: Row[]) => rs.reduce((s, r) => s + pusd(r.cost_exact), 0n);
  assert.equal(sum(top.data), sum(all.data));
  assert.equal(
    top.data.reduce((n, r) => n + r.prompt_tokens, 0),
    all.data.reduce((n, r) => n + r.prompt_tokens, 0),
  );
});

test('ranges: dates only, both included, at most 366 days; bad group_by, groups, from/to answer 400 naming the field', async () => {
  const today = new Date().toISOString().slice(0, 10);
  const day = (n: number) => new Date(Date.parse(today) + n * 86_400_000).toISOString().slice(0, 10);
  assert.equal((await daily(`from=${today}&to=${today}`, a.key)).data.length, 1);
  assert.equal((await daily(`from=${day(1)}&to=${day(3)}`, a.key)).data.length, 0);
  assert.equal((await daily(`from=${day(-3)}&to=${day(-1)}`, a.key)).data.length, 0);
  const year = await daily(`from=${day(-365)}&group_by=provider`, a.key);
  assert.equal(year.to, today);
  assert.ok(year.data.length > 0);
  for (const [q, param] of [
    ['group_by=day', 'group_by'],
    ['group_by=key_id', 'group_by'],
    ['groups=0', 'groups'],
    ['groups=51', 'groups'],
    ['from=2026-01-01T10:00:00Z', 'from'],
    ['from=yesterday', 'from'],
    ['to=2026-02-30', 'to'],
    [`from=${day(-1)}&to=${day(-2)}`, 'to'],
    [`from=${day(-366)}`, 'from'],
    [`to=${day(-400)}&from=${day(-800)}`, 'from'],
  ] as const) {
    const res = await gw.fetch(`/activity/daily?${q}`, { key: a.key });
    const body = (await res.json()) as { error: { param: string; message: string } };
    assert.equal(res.status, 400, q);
    assert.equal(body.error.param, param, `${q}: ${body.error.message}`);
  }
});

test('/v1/activity: status (ok | error | a code) and streamed filter the listing; the daily totals stay whole', async () => {
  const all = await activity(gw, '', a.key);
  const errors = await activity(gw, 'status=error', a.key);
  assert.deepEqual(
    errors.data.map((g) => [g.id, g.status]),
    [[failedId, 502]],
  );
  assert.deepEqual(errors.daily, all.daily, 'the daily totals do not take the listing-only filters');
  assert.deepEqual(
    (await activity(gw, 'status=502', a.key)).data.map((g) => g.id),
    [failedId],
  );
  assert.equal((await activity(gw, 'status=429', a.key)).data.length, 0);
  const ok = await activity(gw, 'status=ok', a.key);
  assert.equal(ok.data.length, all.data.length - 1);
  assert.ok(ok.data.every((g) => g.status === 200));
  const streamed = await activity(gw, 'streamed=true', a.key);
  assert.deepEqual(
    streamed.data.map((g) => g.id).sort(),
    all.data
      .filter((g) => g.streamed)
      .map((g) => g.id)
      .sort(),
  );
  assert.equal(streamed.data.length, 2);
  assert.ok(all.data.some((g) => g.tokens_cached > 0 && g.tokens_reasoning > 0));
  // an admin filters its account's failures by key
  assert.deepEqual(
    (await activity(gw, `status=error&key_id=${a.id}`, admin.key)).data.map((g) => g.id),
    [failedId],
  );
  assert.equal((await activity(gw, `status=error&key_id=${b.id}`, admin.key)).data.length, 0);
  for (const [q, param] of [
    ['status=failed', 'status'],
    ['status=42', 'status'],
    ['streamed=yes', 'streamed'],
  ] as const) {
    const res = await gw.fetch(`/activity?${q}`, { key: a.key });
    assert.equal(res.status, 400, q);
    assert.equal(((await res.json()) as { error: { param: string } }).error.param, param);
  }
});

test('GET /v1/providers: every catalog provider with dialect, configured/simulated, enabled for the account, counts', async () => {
  interface P {
    id: string;
    slug: string;
    name: string;
    dialect: string;
    configured: boolean;
    simulated: boolean;
    enabled: boolean;
    models: number;
    endpoints: number;
    api_key_env?: string | null;
    privacy_policy_url: null;
  }
  const asUser = (await json<{ data: P[] }>(gw.fetch('/providers', { key: a.key }))).data;
  assert.deepEqual(asUser.map((p) => p.id).sort(), [...gw.app.catalog.providers.keys()].sort());
  const openai = asUser.find((p) => p.id === 'openai')!;
  assert.equal(openai.slug, 'openai');
  assert.equal(openai.dialect, 'openai');
  assert.equal(openai.configured, true);
  assert.equal(openai.simulated, true);
  assert.equal(openai.enabled, true);
  assert.equal(openai.privacy_policy_url, null);
  const models = gw.app.catalog.models.filter((m) => m.endpoints.some((e) => e.provider === 'openai' && !e.unpriced));
  assert.ok(openai.models > 0);
  assert.ok(openai.models <= models.length);
  assert.ok(openai.endpoints >= openai.models);
  assert.ok(!('api_key_env' in openai), 'the environment is the operator’s business');
  assert.deepEqual(
    asUser.map((p) => p.name),
    [...asUser.map((p) => p.name)].sort((x, y) => x.localeCompare(y, 'en')),
  );
  // the operator sees the variable that configures each provider
  const asOperator = (await json<{ data: P[] }>(gw.fetch('/providers'))).data;
  assert.equal(asOperator.find((p) => p.id === 'openai')!.api_key_env, 'OPENAI_API_KEY');
  // an account limited to google: every provider listed, only google enabled
  const limited = (await json<{ data: P[] }>(gw.fetch('/providers', { key: c.key }))).data;
  assert.deepEqual(
    limited.filter((p) => p.enabled).map((p) => p.id),
    ['google'],
  );
  assert.equal((await gw.fetch('/providers', { key: null })).status, 401);
});

test('keys for the Keys page: usage in the limit period, the next reset, expired; revoke and list revoked', async () => {
  interface K {
    usage: number;
    usage_daily: number;
    usage_period: number;
    limit: number | null;
    limit_remaining: number | null;
    limit_reset: string | null;
    limit_resets_at: string | null;
    expired: boolean;
    disabled: boolean;
    revoked: boolean;
  }
  const k = (await json<{ data: K }>(gw.fetch(`/keys/${a.id}`))).data;
  assert.ok(k.usage_period > 0);
  assert.equal(k.usage_period, k.usage_daily);
  assert.equal(k.limit_remaining, usdNumber(pusd('5') - pusd(usdString(BigInt(Math.round(k.usage_period * 1e12))))));
  const midnight = new Date(Math.floor(Date.now() / 86_400_000 + 1) * 86_400_000).toISOString();
  assert.equal(k.limit_resets_at, midnight);
  assert.equal(k.expired, false);
  const noLimit = (await json<{ data: K }>(gw.fetch(`/keys/${b.id}`))).data;
  assert.equal(noLimit.limit_resets_at, null);
  assert.equal(noLimit.usage_period, noLimit.usage, 'no reset: the period is all time');
  // monthly: the first of next month
  const m = (
    await json<{ data: K }>(gw.fetch(`/keys/${b.id}`, { method: 'PATCH', json: { limit: 1, limit_reset: 'monthly' } }))
  ).data;
  const now = new Date();
  assert.equal(m.limit_resets_at, new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1)).toISOString());
  // disable, then revoke: the list shows it only with include_revoked
  const off = await createKey(gw, { name: 'chart off' });
  assert.equal(
    (await json<{ data: K }>(gw.fetch(`/keys/${off.id}`, { method: 'PATCH', json: { disabled: true } }))).data.disabled,
    true,
  );
  await json(gw.fetch(`/keys/${off.id}`, { method: 'DELETE' }));
  const live = await json<{ data: Array<{ id: string }> }>(gw.fetch('/keys?limit=1000'));
  assert.ok(!live.data.some((x) => x.id === off.id));
  const withRevoked = await json<{ data: Array<{ id: string; revoked: boolean }> }>(
    gw.fetch('/keys?limit=1000&include_revoked=true'),
  );
  assert.equal(withRevoked.data.find((x) => x.id === off.id)?.revoked, true);
});
