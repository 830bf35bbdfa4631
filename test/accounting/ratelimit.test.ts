import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryRateLimiter, rateLimitHeaders, type RateLimit } from '../../src/accounting/ratelimit.js';

const MIN = 60_000;
const T0 = 1_700_000_040_000; // an exact multiple of 60 s, so windows start here
const rpm = (limit: number): RateLimit => ({ name: 'rpm', limit, windowMs: MIN });

test('fixed window: allows up to the limit, then refuses until the window ends', () => {
  const rl = new MemoryRateLimiter();
  for (let i = 0; i < 3; i++) {
    const d = rl.take('k', [rpm(3)], 1, T0 + 1000 * i);
    assert.equal(d.allowed, true);
    assert.equal(d.remaining, 2 - i);
    assert.equal(d.limit, 3);
    assert.equal(d.resetMs, T0 + MIN);
    assert.equal(d.retryAfterSec, 0);
  }
  const no = rl.take('k', [rpm(3)], 1, T0 + 10_500);
  assert.equal(no.allowed, false);
  assert.equal(no.limited_by, 'rpm');
  assert.equal(no.remaining, 0);
  assert.equal(no.resetMs, T0 + MIN);
  assert.equal(no.retryAfterSec, 50); // ceil(49.5)
  // other keys are independent
  assert.equal(rl.take('other', [rpm(3)], 1, T0 + 10_500).allowed, true);
  // the next window starts from zero
  const next = rl.take('k', [rpm(3)], 1, T0 + MIN);
  assert.equal(next.allowed, true);
  assert.equal(next.remaining, 2);
  assert.equal(next.resetMs, T0 + 2 * MIN);
});

test('windows are aligned to the epoch, not to the first request', () => {
  const rl = new MemoryRateLimiter();
  const d = rl.take('k', [rpm(1)], 1, T0 + 59_999);
  assert.equal(d.resetMs, T0 + MIN);
  assert.equal(rl.take('k', [rpm(1)], 1, T0 + MIN).allowed, true);
});

test('multi-window is atomic: a refusal by one window consumes from none', () => {
  const rl = new MemoryRateLimiter();
  const limits: RateLimit[] = [
    { name: 'rpm', limit: 10, windowMs: MIN },
    { name: 'tpm', limit: 1000, windowMs: MIN },
    { name: 'rpd', limit: 100, windowMs: 86_400_000 },
  ];
  assert.equal(rl.take('k', limits, 1, T0).allowed, true);
  // a request cost (tokens) is applied to every limit; use two calls as the gateway would
  const tpmOnly: RateLimit[] = [limits[1]];
  assert.equal(rl.take('k', tpmOnly, 900, T0).allowed, true);
  const refused = rl.take('k', tpmOnly, 200, T0 + 1);
  assert.equal(refused.allowed, false);
  assert.equal(refused.limited_by, 'tpm');
  assert.equal(refused.remaining, 99); // 1000 - 1 (first call) - 900
  // the refused 200 tokens were not consumed
  assert.equal(rl.take('k', tpmOnly, 99, T0 + 2).allowed, true);
  assert.equal(rl.peek('k', tpmOnly, 1, T0 + 3).allowed, false);

  // combined call: rpm has room, rpd does not -> nothing consumed from rpm either
  const rl2 = new MemoryRateLimiter();
  const tight: RateLimit[] = [
    { name: 'rpm', limit: 5, windowMs: MIN },
    { name: 'rpd', limit: 2, windowMs: 86_400_000 },
  ];
  assert.equal(rl2.take('k', tight, 1, T0).allowed, true);
  assert.equal(rl2.take('k', tight, 1, T0).allowed, true);
  const r = rl2.take('k', tight, 1, T0);
  assert.equal(r.allowed, false);
  assert.equal(r.limited_by, 'rpd');
  assert.equal(rl2.peek('k', [tight[0]], 0, T0).remaining, 3); // 5 - 2, untouched by the refusal
});

test('when several windows refuse, the one freeing last is reported', () => {
  const rl = new MemoryRateLimiter();
  const DAY = 86_400_000;
  const limits: RateLimit[] = [
    { name: 'rpm', limit: 1, windowMs: MIN },
    { name: 'rpd', limit: 1, windowMs: DAY },
  ];
  const now = DAY * 19_700; // start of a UTC day
  rl.take('k', limits, 1, now);
  const r = rl.take('k', limits, 1, now + 1000);
  assert.equal(r.limited_by, 'rpd');
  assert.equal(r.resetMs, now + DAY);
  assert.equal(r.retryAfterSec, Math.ceil((DAY - 1000) / 1000));
});

test('allowed decisions report the tightest window', () => {
  const rl = new MemoryRateLimiter();
  const limits: RateLimit[] = [
    { name: 'rpm', limit: 100, windowMs: MIN },
    { name: 'rps', limit: 2, windowMs: 1000 },
  ];
  const d = rl.take('k', limits, 1, T0 + 200);
  assert.equal(d.limit, 2);
  assert.equal(d.remaining, 1);
  assert.equal(d.resetMs, T0 + 1000);
});

test('peek does not consume; refund gives back within the window only', () => {
  const rl = new MemoryRateLimiter();
  const tpm: RateLimit[] = [{ name: 'tpm', limit: 1000, windowMs: MIN }];
  assert.equal(rl.peek('k', tpm, 1000, T0).allowed, true);
  assert.equal(rl.peek('k', tpm, 1000, T0).remaining, 0); // what would remain
  assert.equal(rl.take('k', tpm, 800, T0).remaining, 200);
  rl.refund('k', 'tpm', 500, T0 + 1);
  assert.equal(rl.peek('k', tpm, 0, T0 + 2).remaining, 700);
  rl.refund('k', 'tpm', 10_000, T0 + 3); // never below zero
  assert.equal(rl.peek('k', tpm, 0, T0 + 4).remaining, 1000);
  rl.take('k', tpm, 600, T0 + 5);
  rl.refund('k', 'tpm', 600, T0 + MIN + 1); // window already over: no effect on the new window
  assert.equal(rl.take('k', tpm, 1000, T0 + MIN + 2).allowed, true);
  rl.refund('nobody', 'tpm', 5); // unknown bucket: no-op
});

test('cost larger than the limit is always refused; zero cost is a check', () => {
  const rl = new MemoryRateLimiter();
  const tpm: RateLimit[] = [{ name: 'tpm', limit: 100, windowMs: MIN }];
  assert.equal(rl.take('k', tpm, 101, T0).allowed, false);
  assert.equal(rl.take('k', tpm, 0, T0).allowed, true);
  assert.throws(() => rl.take('k', tpm, -1, T0), RangeError);
  assert.throws(() => rl.take('k', [{ name: 'x', limit: 1, windowMs: 0 }], 1, T0), RangeError);
});

test('no limits: allowed, no headers', () => {
  const rl = new MemoryRateLimiter();
  const d = rl.take('k', [], 1, T0);
  assert.equal(rl.size, 0);
  assert.equal(d.allowed, true);
  assert.deepEqual(rateLimitHeaders(d), {});
});

test('headers: OpenRouter-style, Retry-After only when refused', () => {
  const rl = new MemoryRateLimiter();
  const ok = rl.take('k', [rpm(2)], 1, T0 + 5000);
  assert.deepEqual(rateLimitHeaders(ok), {
    'X-RateLimit-Limit': '2',
    'X-RateLimit-Remaining': '1',
    'X-RateLimit-Reset': String(T0 + MIN),
  });
  rl.take('k', [rpm(2)], 1, T0 + 5000);
  const no = rl.take('k', [rpm(2)], 1, T0 + 59_900);
  assert.deepEqual(rateLimitHeaders(no), {
    'X-RateLimit-Limit': '2',
    'X-RateLimit-Remaining': '0',
    'X-RateLimit-Reset': String(T0 + MIN),
    'Retry-After': '1', // 100 ms left still says 1 s, never 0
  });
});

test('memory is bounded: expired buckets are swept, and a hard cap evicts the stalest', () => {
  const rl = new MemoryRateLimiter({ sweepIntervalMs: 1000, maxBuckets: 5000 });
  for (let i = 0; i < 3000; i++) rl.take(`key-${i}`, [rpm(10)], 1, T0 + i);
  assert.equal(rl.size, 3000);
  // a minute later every one of those windows has ended; the next call sweeps them
  rl.take('fresh', [rpm(10)], 1, T0 + MIN + 5000);
  assert.equal(rl.size, 1);

  // a flood of distinct live keys never grows past the cap
  for (let i = 0; i < 20_000; i++) rl.take(`flood-${i}`, [rpm(10)], 1, T0 + 2 * MIN + 1);
  assert.ok(rl.size <= 5000, `size ${rl.size}`);
  // the newest keys are still tracked
  assert.equal(rl.peek('flood-19999', [rpm(10)], 0, T0 + 2 * MIN + 2).remaining, 9);
});

test('a changed window length starts a fresh counter', () => {
  const rl = new MemoryRateLimiter();
  rl.take('k', [rpm(1)], 1, T0);
  assert.equal(rl.take('k', [{ name: 'rpm', limit: 1, windowMs: 2 * MIN }], 1, T0 + 1).allowed, true);
});
