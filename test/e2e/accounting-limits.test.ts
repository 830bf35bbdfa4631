// Spend limits and rate limits through a listening gateway: 500 concurrent requests against a small key
// limit and against small account credits never overspend and lose no request; a request without
// max_tokens reserves the endpoint's max output; 402 and 429 carry their headers; X-RateLimit-* on successes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startDemoGateway, type SimSet, type TestGateway } from '../helpers/gateway.js';
import {
  activity,
  awaitFreshMinute,
  chat,
  chatStream,
  createKey,
  generation,
  json,
  pusd,
  sumExact,
  usdNumber,
  usdString,
} from '../helpers/accounting.js';

let gw: TestGateway;
let sims: SimSet;

before(async () => {
  // a small :free per-minute cap so the free-tier limit is reachable in a test
  ({ gw, sims } = await startDemoGateway({ limits: { free_rpm: 2 } }));
});
after(async () => {
  await gw.close();
  await sims.close();
});

// openai/gpt-4o has one endpoint (openai): $2.5/M prompt, $10/M completion, max 16384 output tokens
const MODEL = 'openai/gpt-4o';
// longer than any max_tokens used here, so every answer is cut at max_tokens and costs its worst case
const LONG_REPLY = 'All work and no play makes a dull answer. '.repeat(60);

interface ErrorBody {
  error: { message: string; type: string; code: number; metadata: Record<string, unknown> & { code: string } };
}

async function fireAll(n: number, key: string, body: (i: number) => Record<string, unknown>) {
  return Promise.all(
    Array.from({ length: n }, async (_, i) => {
      const res = await gw.fetch('/chat/completions', { method: 'POST', key, json: body(i) });
      return { status: res.status, body: (await res.json()) as Record<string, any> };
    }),
  );
}

function checkNoneLost(
  results: Array<{ status: number; body: Record<string, any> }>,
  rows: Array<{ id: string; status: number; total_cost: number }>,
) {
  const ok = results.filter((r) => r.status === 200);
  const refused = results.filter((r) => r.status === 402);
  assert.equal(
    ok.length + refused.length,
    results.length,
    `only 200s and 402s: ${[...new Set(results.map((r) => r.status))]}`,
  );
  assert.ok(ok.length > 0, 'some requests fit');
  assert.ok(refused.length > 0, 'some requests were refused');
  const byId = new Map(rows.map((g) => [g.id, g]));
  assert.equal(rows.length, ok.length, 'exactly one ledger row per 200 (a 402 never reaches an upstream)');
  for (const r of ok) {
    const g = byId.get(r.body.id);
    assert.ok(g, `200 ${r.body.id} has its ledger row`);
    assert.equal(g.status, 200);
    assert.equal(g.total_cost, r.body.usage.cost);
  }
  return { ok, refused };
}

test('500 concurrent requests against a $0.01 key limit: never overspent, some 402s with a clear message, none lost', async () => {
  sims.openai.script({ match: { model: 'gpt-4o' }, times: Infinity, reply: LONG_REPLY });
  try {
    const { key, id: keyId } = await createKey(gw, { name: 'overspend', limit: 0.01 });
    const results = await fireAll(500, key, (i) => ({
      model: MODEL,
      max_tokens: 40,
      messages: [{ role: 'user', content: `request ${i}` }],
    }));
    const a = await activity(gw, '', key);
    const { ok, refused } = checkNoneLost(results, a.data);
    const spent = sumExact(a.data);
    assert.ok(spent <= pusd('0.01'), `spent $${usdString(spent)} of a $0.01 limit`);
    // each answer costs ~$0.0004, so the limit really binds: most of it is used
    assert.ok(spent > pusd('0.008'), `the limit was used ($${usdString(spent)})`);
    for (const r of refused) {
      const e = r.body as ErrorBody;
      assert.equal(e.error.metadata.code, 'key_limit_exceeded');
      assert.equal(e.error.type, 'insufficient_quota');
      assert.match(
        e.error.message,
        /^Insufficient key limit: this request may cost up to \$0\.\d+ \(prompt plus max output tokens\) but this key's spend limit leaves \$0(\.\d+)?\. Lower max_tokens/,
      );
    }
    const k = await json<{ data: { usage: number; limit: number; limit_remaining: number } }>(
      gw.fetch('/key', { key }),
    );
    assert.equal(k.data.usage, usdNumber(spent), 'GET /v1/key usage = ledger sum');
    assert.equal(k.data.limit, 0.01);
    assert.equal(k.data.limit_remaining, usdNumber(pusd('0.01') - spent));
    const admin = await json<{ data: { usage: number } }>(gw.fetch(`/keys/${keyId}`));
    assert.equal(admin.data.usage, k.data.usage);
    assert.ok(ok.length + refused.length === 500);
  } finally {
    sims.openai.reset();
  }
});

test('500 concurrent requests against $0.01 of account credits: never overspent, 402 insufficient_credits, none lost', async () => {
  sims.openai.script({ match: { model: 'gpt-4o' }, times: Infinity, reply: LONG_REPLY });
  try {
    const acct = await json<{ data: { id: string; credits: number } }>(
      gw.fetch('/accounts', { method: 'POST', json: { name: 'small', credits: '0.01' } }),
      201,
    );
    assert.equal(acct.data.credits, 0.01);
    const { key } = await createKey(gw, { name: 'credit-user', account_id: acct.data.id });
    // two streams and non-streams mixed: both paths settle through the same reservation
    const results = await Promise.all(
      Array.from({ length: 500 }, async (_, i) => {
        const body = { model: MODEL, max_tokens: 40, messages: [{ role: 'user', content: `credit request ${i}` }] };
        if (i % 2) {
          const s = await chatStream(gw, body, key);
          return { status: s.status, body: s.status === 200 ? { id: s.id, usage: s.usage } : { error: s.error } };
        }
        const r = await chat(gw, body, key);
        return { status: r.status, body: r.body };
      }),
    );
    const a = await activity(gw, '', key);
    const { refused } = checkNoneLost(results, a.data);
    const spent = sumExact(a.data);
    assert.ok(spent <= pusd('0.01'), `spent $${usdString(spent)} of $0.01 credits`);
    assert.ok(spent > pusd('0.008'));
    for (const r of refused) {
      assert.equal((r.body as ErrorBody).error.metadata.code, 'insufficient_credits');
      assert.match((r.body as ErrorBody).error.message, /Insufficient credits: .*account's credits leave \$/);
    }
    const after = await json<{ data: { usage: number; credits_remaining: number } }>(
      gw.fetch(`/accounts/${acct.data.id}`),
    );
    assert.equal(after.data.usage, usdNumber(spent));
    assert.equal(after.data.credits_remaining, usdNumber(pusd('0.01') - spent));
    assert.ok(after.data.credits_remaining >= 0);
  } finally {
    sims.openai.reset();
  }
});

test('without max_tokens the reservation is the endpoint’s max output: 402 under a limit a small max_tokens fits', async () => {
  const { key } = await createKey(gw, { name: 'no-max', limit: 0.05 });
  const messages = [{ role: 'user', content: 'hello there' }];
  // 16384 max completion tokens x $10/M = $0.16384 > $0.05
  const none = await chat(gw, { model: MODEL, messages }, key);
  assert.equal(none.status, 402);
  assert.equal(none.body.error.metadata.code, 'key_limit_exceeded');
  assert.match(none.body.error.message, /may cost up to \$0\.16\d+ .*leaves \$0\.05\. Lower max_tokens/);
  const small = await chat(gw, { model: MODEL, messages, max_tokens: 100 }, key);
  assert.equal(small.status, 200, JSON.stringify(small.body));
  // the refused reservation was not kept: usage is the one request's cost, and another small one passes
  const k = await json<{ data: { usage: number } }>(gw.fetch('/key', { key }));
  assert.equal(k.data.usage, small.body.usage.cost);
  assert.equal((await chat(gw, { model: MODEL, messages, max_tokens: 100 }, key)).status, 200);
  // streaming is refused the same way, before any byte of SSE
  const s = await gw.fetch('/chat/completions', {
    method: 'POST',
    key,
    json: { model: MODEL, messages, stream: true },
  });
  assert.equal(s.status, 402);
  assert.match(s.headers.get('content-type') ?? '', /application\/json/);
  await s.body?.cancel();
});

test('embeddings are refused with 402 once the limit cannot cover them', async () => {
  const { key } = await createKey(gw, { name: 'embed-limit', limit: '0.000000001' });
  const r = await gw.fetch('/embeddings', {
    method: 'POST',
    key,
    json: { model: 'openai/text-embedding-3-small', input: 'a fairly long text to embed '.repeat(20) },
  });
  assert.equal(r.status, 402);
  const e = (await r.json()) as ErrorBody;
  assert.equal(e.error.metadata.code, 'key_limit_exceeded');
  assert.equal(e.error.type, 'insufficient_quota');
  assert.match(
    e.error.message,
    /^Insufficient key limit: this request may cost up to \$0\.\d+ \(its input tokens\) but this key's spend limit leaves \$0\.000000001\. Raise the limit/,
  );
  // an account out of credits gets its own code
  const acct = await json<{ data: { id: string } }>(
    gw.fetch('/accounts', { method: 'POST', json: { name: 'broke', credits: 0 } }),
    201,
  );
  const poor = await createKey(gw, { name: 'broke-user', account_id: acct.data.id });
  const r2 = await gw.fetch('/embeddings', {
    method: 'POST',
    key: poor.key,
    json: { model: 'openai/text-embedding-3-small', input: 'x' },
  });
  assert.equal(r2.status, 402);
  const e2 = (await r2.json()) as ErrorBody;
  assert.equal(e2.error.metadata.code, 'insufficient_credits');
  assert.match(e2.error.message, /^Insufficient credits: .* but the account's credits leave \$0\. /);
});

test('requests-per-minute: X-RateLimit-* on every success, then 429 with Retry-After', async () => {
  await awaitFreshMinute(10_000);
  const { key } = await createKey(gw, { name: 'rpm', rate_limit: { requests_per_minute: 3 } });
  const body = { model: MODEL, max_tokens: 20, messages: [{ role: 'user', content: 'hi' }] };
  const t0 = Date.now();
  const seen: string[] = [];
  for (let i = 0; i < 3; i++) {
    // a chat, a stream and an embeddings request: all three carry the key's budget
    const r =
      i === 0
        ? await chat(gw, body, key)
        : i === 1
          ? await chatStream(gw, body, key)
          : await gw.fetch('/embeddings', {
              method: 'POST',
              key,
              json: { model: 'openai/text-embedding-3-small', input: 'x' },
            });
    if (r instanceof Response) await r.body?.cancel();
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('x-ratelimit-limit'), '3');
    assert.equal(r.headers.get('x-ratelimit-remaining'), String(2 - i));
    seen.push(r.headers.get('x-ratelimit-reset')!);
    assert.equal(r.headers.get('retry-after'), null);
  }
  const reset = Number(seen[0]);
  assert.ok(
    seen.every((s) => s === seen[0]),
    'one window',
  );
  assert.equal(reset % 60_000, 0, 'X-RateLimit-Reset is the epoch-ms end of the minute window');
  assert.ok(reset > t0 && reset <= t0 + 60_000);

  const refused = await chat(gw, body, key);
  assert.equal(refused.status, 429);
  assert.equal(refused.body.error.type, 'rate_limit_error');
  assert.match(refused.body.error.message, /requests-per-minute \(3\)/);
  assert.equal(refused.headers.get('x-ratelimit-limit'), '3');
  assert.equal(refused.headers.get('x-ratelimit-remaining'), '0');
  assert.equal(refused.headers.get('x-ratelimit-reset'), String(reset));
  const retry = Number(refused.headers.get('retry-after'));
  assert.ok(Number.isInteger(retry) && retry >= 1 && retry <= 60, `Retry-After ${retry}`);
  // a refused request is not charged and leaves no ledger row
  assert.equal((await activity(gw, '', key)).data.length, 3);
  const e = await gw.fetch('/embeddings', {
    method: 'POST',
    key,
    json: { model: 'openai/text-embedding-3-small', input: 'x' },
  });
  assert.equal(e.status, 429);
  assert.ok(e.headers.get('retry-after'));
  await e.body?.cancel();
});

test('tokens-per-minute: prompt tokens at admission, completion tokens after; 429 and 413 with headers', async () => {
  await awaitFreshMinute(10_000);
  const { key } = await createKey(gw, { name: 'tpm', rate_limit: { tokens_per_minute: 300 } });
  const prompt = 'count these words please '.repeat(10);
  const first = await chat(gw, { model: MODEL, max_tokens: 60, messages: [{ role: 'user', content: prompt }] }, key);
  assert.equal(first.status, 200);
  assert.equal(first.headers.get('x-ratelimit-limit'), '300');
  const remainingAfterAdmission = Number(first.headers.get('x-ratelimit-remaining'));
  assert.ok(remainingAfterAdmission < 300 && remainingAfterAdmission > 200, `remaining ${remainingAfterAdmission}`);
  const used1 = 300 - remainingAfterAdmission;

  const second = await chat(gw, { model: MODEL, max_tokens: 60, messages: [{ role: 'user', content: prompt }] }, key);
  assert.equal(second.status, 200);
  // the first request's completion tokens were counted once it finished
  assert.equal(
    Number(second.headers.get('x-ratelimit-remaining')),
    300 - used1 - first.body.usage.completion_tokens - used1,
  );

  // keep going until the budget is spent: a 429 naming tokens-per-minute
  let refused: Awaited<ReturnType<typeof chat>> | null = null;
  for (let i = 0; i < 10 && !refused; i++) {
    const r = await chat(gw, { model: MODEL, max_tokens: 60, messages: [{ role: 'user', content: prompt }] }, key);
    if (r.status === 429) refused = r;
    else assert.equal(r.status, 200);
  }
  assert.ok(refused, 'the tokens-per-minute budget ran out');
  assert.match(refused.body.error.message, /tokens-per-minute \(300\)/);
  assert.equal(refused.headers.get('x-ratelimit-limit'), '300');
  assert.ok(Number(refused.headers.get('retry-after')) >= 1);
  assert.ok(refused.headers.get('x-ratelimit-reset'));

  // a prompt bigger than the whole per-minute budget can never pass: 413, not 429
  const huge = await chat(
    gw,
    { model: MODEL, max_tokens: 10, messages: [{ role: 'user', content: 'word '.repeat(400) }] },
    key,
  );
  assert.equal(huge.status, 413);
  assert.equal(huge.body.error.metadata.code, 'prompt_exceeds_rate_limit');
});

test('a rate-limited key also gets X-RateLimit-* on its 402s', async () => {
  await awaitFreshMinute(5_000);
  const { key } = await createKey(gw, { name: 'rpm-402', limit: 0.0001, rate_limit: { requests_per_minute: 50 } });
  const r = await chat(gw, { model: MODEL, messages: [{ role: 'user', content: 'hi' }] }, key);
  assert.equal(r.status, 402);
  assert.equal(r.headers.get('x-ratelimit-limit'), '50');
  assert.match(r.headers.get('x-ratelimit-remaining') ?? '', /^4[89]$/);
  assert.ok(r.headers.get('x-ratelimit-reset'));
});

test('a raised key limit or added credits take effect on the next request, a lowered limit too', async () => {
  const body = { model: MODEL, max_tokens: 100, messages: [{ role: 'user', content: 'hi' }] };
  const { key, id } = await createKey(gw, { name: 'patch-me', limit: 0.0005 });
  assert.equal((await chat(gw, body, key)).status, 402, '100 tokens at $10/M do not fit $0.0005');
  await json(gw.fetch(`/keys/${id}`, { method: 'PATCH', json: { limit: 1 } }));
  const ok = await chat(gw, body, key);
  assert.equal(ok.status, 200);
  await json(gw.fetch(`/keys/${id}`, { method: 'PATCH', json: { limit: ok.body.usage.cost } }));
  const full = await chat(gw, body, key);
  assert.equal(full.status, 402);
  assert.match(full.body.error.message, /leaves \$0\. /);

  const acct = await json<{ data: { id: string } }>(
    gw.fetch('/accounts', { method: 'POST', json: { name: 'topped-up', credits: 0 } }),
    201,
  );
  const user = await createKey(gw, { name: 'topped-user', account_id: acct.data.id });
  const broke = await chat(gw, body, user.key);
  assert.equal(broke.status, 402);
  assert.equal(broke.body.error.metadata.code, 'insufficient_credits');
  const patched = await json<{ data: { credits: number; credits_exact: string } }>(
    gw.fetch(`/accounts/${acct.data.id}`, { method: 'PATCH', json: { credits: '0.25' } }),
  );
  assert.equal(patched.data.credits_exact, '0.25');
  const paid = await chat(gw, body, user.key);
  assert.equal(paid.status, 200);
  const a = await json<{ data: { usage: number; credits_remaining: number } }>(gw.fetch(`/accounts/${acct.data.id}`));
  assert.equal(a.data.usage, paid.body.usage.cost);
  const row = await generation(gw, paid.body.id, user.key);
  assert.equal(a.data.credits_remaining, usdNumber(pusd('0.25') - pusd(row.total_cost_exact)));
});

test(':free variants cost nothing, need no credits, and have their own per-minute cap with headers', async () => {
  await awaitFreshMinute(10_000);
  const acct = await json<{ data: { id: string } }>(
    gw.fetch('/accounts', { method: 'POST', json: { name: 'no-money', credits: 0 } }),
    201,
  );
  const { key } = await createKey(gw, { name: 'free-user', account_id: acct.data.id });
  const body = {
    model: 'meta-llama/llama-3.3-70b-instruct:free',
    max_tokens: 30,
    messages: [{ role: 'user', content: 'hi' }],
  };
  for (let i = 0; i < 2; i++) {
    const r = await chat(gw, body, key);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.usage.cost, 0);
    assert.equal(r.headers.get('x-ratelimit-limit'), '2');
    assert.equal(r.headers.get('x-ratelimit-remaining'), String(1 - i));
  }
  const refused = await chat(gw, body, key);
  assert.equal(refused.status, 429);
  assert.match(refused.body.error.message, /free-models-per-min \(2\) for :free models/);
  assert.ok(Number(refused.headers.get('retry-after')) >= 1);
  assert.equal(refused.headers.get('x-ratelimit-remaining'), '0');
  // the paid variant is not affected by the free cap, but needs credits
  const paid = await chat(gw, { ...body, model: 'meta-llama/llama-3.3-70b-instruct' }, key);
  assert.equal(paid.status, 402);
  const rows = (await activity(gw, '', key)).data;
  assert.equal(rows.length, 2);
  assert.ok(rows.every((g) => g.total_cost_exact === '0'));
});

test('reasoning cannot push an answer past the reserved worst case (Anthropic extended thinking)', async () => {
  sims.anthropic.script({ match: { model: 'claude-sonnet-4-5' }, times: Infinity, reply: LONG_REPLY.repeat(4) });
  try {
    const { key } = await createKey(gw, { name: 'thinking', limit: 0.002 });
    const r = await chat(
      gw,
      {
        model: 'anthropic/claude-sonnet-4.5',
        max_tokens: 50,
        reasoning: { effort: 'low' },
        messages: [{ role: 'user', content: 'hi' }],
      },
      key,
    );
    assert.ok(r.status === 200 || r.status === 402, `status ${r.status}`);
    const k = await json<{ data: { usage: number } }>(gw.fetch('/key', { key }));
    assert.ok(k.data.usage <= 0.002, `spent $${k.data.usage} of a $0.002 limit`);
    if (r.status === 200)
      assert.ok(
        r.body.usage.completion_tokens <= 50,
        `${r.body.usage.completion_tokens} completion tokens for max_tokens 50`,
      );
  } finally {
    sims.anthropic.reset();
  }
});
