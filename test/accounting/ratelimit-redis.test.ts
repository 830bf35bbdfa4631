// Rate limits counted in Redis (config redis.url): the same fixed windows, decisions and headers as the in-memory
// limiter, one budget for several processes. Runs against the real Redis at 127.0.0.1:6379, keys under a prefix
// of this run, deleted at the end.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { openRedis, type Redis } from '../../src/store/redis.js';
import { RedisRateLimiter } from '../../src/accounting/ratelimit-redis.js';
import { SharedRequestLimits } from '../../src/accounting/limits-redis.js';
import { RequestLimits, type LimitsConfig } from '../../src/accounting/limits.js';
import { HttpError } from '../../src/protocol/errors.js';
import type { RateLimit } from '../../src/accounting/ratelimit.js';
import type { KeyRow } from '../../src/store/types.js';
import { dropPrefix, REDIS_URL, requireRedis, testPrefix } from '../helpers/redis-shared.js';

const MIN = 60_000;
const DAY = 86_400_000;
// a day boundary ahead of the clock: windows start there, and their keys (expiring at the window's end) live
const T0 = Math.ceil(Date.now() / DAY) * DAY + DAY;
const rpm = (limit: number): RateLimit => ({ name: 'rpm', limit, windowMs: MIN });

const prefix = testPrefix('ratelimit');
const clients: Redis[] = [];
const client = () => {
  const r = openRedis({ url: REDIS_URL, prefix });
  clients.push(r);
  return r;
};

before(requireRedis);
after(async () => {
  await Promise.all(clients.map((c) => c.quit()));
  // the counters lived under this run's prefix (the client's keyPrefix applies to the script's keys)
  assert.ok((await dropPrefix(prefix)) > 0);
});

const cfg: LimitsConfig = { defaultRpm: null, defaultTpm: null, freeRpm: 2, freeRpd: 100 };
let keys = 0;
function keyRow(rpmLimit: number | null, tpmLimit: number | null): KeyRow {
  const now = new Date().toISOString();
  return {
    id: `key_${++keys}_${prefix}`,
    account_id: 'acct_default',
    name: 't',
    hash: 'h',
    label: 'l',
    role: 'user',
    disabled: false,
    limit_pusd: null,
    limit_reset: 'never',
    rate_limit_rpm: rpmLimit,
    rate_limit_tpm: tpmLimit,
    expires_at: null,
    revoked_at: null,
    created_at: now,
    updated_at: now,
  };
}

test('fixed window in Redis: allows up to the limit, then refuses until the window ends', async () => {
  const rl = new RedisRateLimiter(client());
  for (let i = 0; i < 3; i++) {
    const { refused, decisions } = await rl.takeGroups([{ key: 'k', limits: [rpm(3)], cost: 1 }], true, T0 + 1000 * i);
    assert.equal(refused, -1);
    assert.equal(decisions[0].remaining, 2 - i);
    assert.equal(decisions[0].resetMs, T0 + MIN);
  }
  const no = await rl.takeGroups([{ key: 'k', limits: [rpm(3)], cost: 1 }], true, T0 + 10_500);
  assert.equal(no.refused, 0);
  assert.deepEqual(
    { ...no.decisions[0] },
    { allowed: false, limited_by: 'rpm', limit: 3, remaining: 0, resetMs: T0 + MIN, retryAfterSec: 50 },
  );
  assert.equal((await rl.takeGroups([{ key: 'other', limits: [rpm(3)], cost: 1 }], true, T0 + 10_500)).refused, -1);
  const next = await rl.takeGroups([{ key: 'k', limits: [rpm(3)], cost: 1 }], true, T0 + MIN);
  assert.equal(next.refused, -1);
  assert.equal(next.decisions[0].remaining, 2);
  assert.equal(next.decisions[0].resetMs, T0 + 2 * MIN);
});

test('groups are atomic: a refusal by a later group consumes from none; the first refusing group is reported', async () => {
  const rl = new RedisRateLimiter(client());
  const r = { key: 'g:r', limits: [rpm(5)], cost: 1 };
  const t = { key: 'g:t', limits: [{ name: 'tpm', limit: 100, windowMs: MIN }], cost: 90 };
  assert.equal((await rl.takeGroups([r, t], true, T0)).refused, -1);
  const refused = await rl.takeGroups([r, t], true, T0 + 1);
  assert.equal(refused.refused, 1);
  assert.equal(refused.decisions[1].limited_by, 'tpm');
  assert.equal(refused.decisions[1].remaining, 10);
  // nothing was taken from the requests counter by the refused admission
  const peek = await rl.takeGroups([r], false, T0 + 2);
  assert.equal(peek.decisions[0].remaining, 3); // 5 - 1 taken - 1 this peek would take
  // a multi-limit group reports the refusing limit freeing last
  const free = { key: 'g:f', limits: [rpm(1), { name: 'rpd', limit: 1, windowMs: DAY }], cost: 1 };
  await rl.takeGroups([free], true, T0);
  const both = await rl.takeGroups([free], true, T0 + 5);
  assert.equal(both.decisions[0].limited_by, 'rpd');
  assert.equal(both.decisions[0].resetMs, T0 + DAY);
});

test('the shared limits answer exactly what the in-process limits answer (headers, 429, 413)', async () => {
  // both read the clock: start well inside a minute so the sequence stays in one window
  const into = Date.now() % MIN;
  if (into > 50_000) await new Promise((r) => setTimeout(r, MIN - into + 100));
  const mem = new RequestLimits(cfg);
  const shared = new SharedRequestLimits(cfg, client());
  const key = keyRow(3, 50);
  const steps: Array<[boolean, number]> = [
    [false, 10],
    [true, 10],
    [false, 60], // above tokens-per-minute: 413
    [false, 25], // tokens refuse (45 + 25 > 50), requests refunded
    [true, 1], // :free caps
    [true, 1], // :free per-minute refuses
    [false, 1],
    [false, 1], // requests-per-minute refuses
  ];
  const outcome = async (f: () => unknown) => {
    try {
      const a = (await f()) as { headers: Record<string, string> };
      return { ok: true, headers: a.headers };
    } catch (err) {
      assert.ok(err instanceof HttpError, String(err));
      return { ok: false, status: err.status, message: err.message, headers: err.headers };
    }
  };
  for (const [i, [free, tokens]] of steps.entries()) {
    const m = await outcome(() => mem.admit(key, free, () => tokens));
    const s = await outcome(() => shared.admit(key, free, () => tokens));
    // Retry-After is computed from each call's own clock reading: a second apart at most
    const ra = (h: Record<string, string>) => Number(h['Retry-After'] ?? 0);
    assert.ok(Math.abs(ra(m.headers) - ra(s.headers)) <= 1, `step ${i}`);
    delete m.headers['Retry-After'];
    delete s.headers['Retry-After'];
    if (m.message) m.message = m.message.replace(/retry after \d+ s/, '');
    if (s.message) s.message = s.message.replace(/retry after \d+ s/, '');
    assert.deepEqual(s, m, `step ${i} (free ${free}, ${tokens} tokens)`);
  }
  assert.deepEqual(shared.peekHeaders(key), mem.peekHeaders(key));
});

test('two processes share one budget: 60 concurrent admissions at 20 requests/minute admit exactly 20', async () => {
  const a = new SharedRequestLimits(cfg, client());
  const b = new SharedRequestLimits(cfg, client());
  const key = keyRow(20, null);
  const results = await Promise.allSettled(
    Array.from({ length: 60 }, (_, i) => (i % 2 ? a : b).admit(key, false, () => 0)),
  );
  const ok = results.filter((r) => r.status === 'fulfilled');
  assert.equal(ok.length, 20);
  for (const r of results) {
    if (r.status === 'fulfilled') continue;
    const err = r.reason as HttpError;
    assert.equal(err.status, 429);
    assert.equal(err.code, 'rate_limit_exceeded');
    assert.equal(err.headers['X-RateLimit-Limit'], '20');
    assert.equal(err.headers['X-RateLimit-Remaining'], '0');
    assert.ok(Number(err.headers['Retry-After']) >= 1);
  }
});

test('a key without limits costs no Redis round trip and gets no headers', async () => {
  const shared = new SharedRequestLimits(cfg, client());
  assert.deepEqual(await shared.admit(keyRow(null, null), false, () => 10), { headers: {} });
  assert.deepEqual(shared.peekHeaders(keyRow(null, null)), {});
});
