import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryReservationStore, periodKey, periodKeys } from '../../src/accounting/reservations.js';
import { parseUsd } from '../../src/accounting/money.js';

const usd = parseUsd;
const T = Date.UTC(2025, 0, 15, 12, 0, 0); // Wednesday 2025-01-15 12:00 UTC

test('period keys: UTC day, ISO week from Monday, month', () => {
  assert.deepEqual(periodKeys(T), { daily: '2025-01-15', weekly: '2025-W03', monthly: '2025-01', never: 'all' });
  // ISO week-year edges
  assert.equal(periodKey('weekly', Date.UTC(2024, 11, 30)), '2025-W01'); // Monday Dec 30 2024
  assert.equal(periodKey('weekly', Date.UTC(2024, 11, 29, 23, 59)), '2024-W52'); // the Sunday before
  assert.equal(periodKey('weekly', Date.UTC(2021, 0, 3)), '2020-W53');
  assert.equal(periodKey('weekly', Date.UTC(2021, 0, 4)), '2021-W01');
  assert.equal(periodKey('daily', Date.UTC(2025, 0, 15, 23, 59, 59, 999)), '2025-01-15');
  assert.equal(periodKey('daily', Date.UTC(2025, 0, 16)), '2025-01-16');
  assert.equal(periodKey('monthly', Date.UTC(2024, 1, 29)), '2024-02');
  assert.equal(periodKey('never', T), 'all');
  // lexicographic order is chronological across a year boundary
  assert.ok(periodKey('weekly', Date.UTC(2025, 0, 6)) > periodKey('weekly', Date.UTC(2024, 11, 23)));
});

test('reserve, settle, release against account credit', () => {
  const s = new MemoryReservationStore();
  const base = { accountId: 'a', keyId: 'k', accountCredit: usd('1'), keyLimit: null, now: T };
  const r1 = s.reserve({ ...base, amount: usd('0.6') });
  assert.ok(r1.ok);
  assert.equal(r1.available, usd('0.4'));
  const r2 = s.reserve({ ...base, amount: usd('0.5') });
  assert.deepEqual(r2, { ok: false, reason: 'account_credit', available: usd('0.4') });
  assert.ok(s.settle(r1.reservationId, usd('0.1')));
  assert.deepEqual(s.accountStatus('a'), { spent: usd('0.1'), reserved: 0n });
  const r3 = s.reserve({ ...base, amount: usd('0.9') });
  assert.ok(r3.ok);
  // settling or releasing twice never double-counts
  assert.equal(s.settle(r1.reservationId, usd('0.1')), false);
  assert.ok(s.release(r3.reservationId));
  assert.equal(s.release(r3.reservationId), false);
  assert.deepEqual(s.accountStatus('a'), { spent: usd('0.1'), reserved: 0n });
  assert.equal(s.outstanding, 0);
});

test('release frees the reserved headroom', () => {
  const s = new MemoryReservationStore();
  const req = { accountId: 'a', keyId: 'k', amount: usd('1'), accountCredit: usd('1'), keyLimit: null, now: T };
  const r = s.reserve(req);
  assert.ok(r.ok);
  assert.equal(s.reserve(req).ok, false);
  s.release(r.reservationId);
  assert.equal(s.reserve(req).ok, true);
});

test('unlimited account and key: always ok, available null, spend still tracked', () => {
  const s = new MemoryReservationStore();
  const r = s.reserve({ accountId: 'a', keyId: 'k', amount: usd('1000'), accountCredit: null, keyLimit: null, now: T });
  assert.ok(r.ok);
  assert.equal(r.available, null);
  s.settle(r.reservationId, usd('2.5'));
  assert.equal(s.keyUsage('k', T).usage_total, usd('2.5'));
});

test('key limit and account credit: both must allow; the binding one is reported', () => {
  const s = new MemoryReservationStore();
  const keyLimit = { limit: usd('0.5'), period: 'daily' as const };
  const ok = s.reserve({ accountId: 'a', keyId: 'k', amount: usd('0.3'), accountCredit: usd('10'), keyLimit, now: T });
  assert.ok(ok.ok);
  assert.equal(ok.available, usd('0.2')); // min of account 9.7 and key 0.2
  const byKey = s.reserve({
    accountId: 'a',
    keyId: 'k',
    amount: usd('0.3'),
    accountCredit: usd('10'),
    keyLimit,
    now: T,
  });
  assert.deepEqual(byKey, { ok: false, reason: 'key_limit', available: usd('0.2') });
  const byAccount = s.reserve({
    accountId: 'a',
    keyId: 'k',
    amount: usd('0.3'),
    accountCredit: usd('0.35'),
    keyLimit,
    now: T,
  });
  assert.deepEqual(byAccount, { ok: false, reason: 'account_credit', available: usd('0.05') });
  // another key on the same account shares the account credit but not the key limit
  const other = s.reserve({
    accountId: 'a',
    keyId: 'k2',
    amount: usd('0.3'),
    accountCredit: usd('0.6'),
    keyLimit,
    now: T,
  });
  assert.ok(other.ok);
  assert.equal(
    s.reserve({ accountId: 'a', keyId: 'k3', amount: usd('0.01'), accountCredit: usd('0.6'), keyLimit, now: T }).ok,
    false,
  );
});

test('500 concurrent-style reservations never overspend a small limit', () => {
  let seed = 1234;
  const rnd = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  for (const which of ['account', 'key'] as const) {
    const s = new MemoryReservationStore();
    const limit = usd('0.05');
    const accountCredit = which === 'account' ? limit : null;
    const keyLimit = which === 'key' ? { limit, period: 'monthly' as const } : null;
    const held: Array<{ id: string; amount: bigint }> = [];
    let peakCommitted = 0n;
    // all 500 arrive before any finishes
    for (let i = 0; i < 500; i++) {
      const amount = BigInt(1 + Math.floor(rnd() * 2_000_000_000)); // up to $0.002
      const r = s.reserve({ accountId: 'a', keyId: 'k', amount, accountCredit, keyLimit, now: T + i });
      if (r.ok) held.push({ id: r.reservationId, amount });
      else assert.equal(r.reason, which === 'account' ? 'account_credit' : 'key_limit');
      const st = s.accountStatus('a');
      if (st.spent + st.reserved > peakCommitted) peakCommitted = st.spent + st.reserved;
    }
    assert.ok(held.length > 10 && held.length < 500, `held ${held.length}`);
    assert.ok(peakCommitted <= limit);
    // settle in random order for at most the reserved amount, each settle followed by a new attempt
    held.sort(() => rnd() - 0.5);
    const late: Array<{ id: string; amount: bigint }> = [];
    const check = () => {
      const st = s.accountStatus('a');
      assert.ok(st.spent + st.reserved <= limit, `committed ${st.spent + st.reserved} > ${limit}`);
    };
    for (const h of held) {
      assert.ok(s.settle(h.id, (h.amount * BigInt(Math.floor(rnd() * 101))) / 100n));
      const again = s.reserve({ accountId: 'a', keyId: 'k', amount: h.amount, accountCredit, keyLimit, now: T + 600 });
      if (again.ok) late.push({ id: again.reservationId, amount: h.amount });
      check();
    }
    assert.ok(late.length > 0);
    for (const h of late) {
      assert.ok(s.settle(h.id, h.amount));
      check();
    }
    assert.equal(s.outstanding, 0);
    const st = s.accountStatus('a');
    assert.ok(st.spent <= limit);
    if (which === 'key') assert.ok(s.keyUsage('k', T).usage_monthly <= limit);
  }
});

test('settle above the reservation is recorded and blocks further spend', () => {
  const s = new MemoryReservationStore();
  const base = { accountId: 'a', keyId: 'k', accountCredit: usd('1'), keyLimit: null, now: T };
  const r = s.reserve({ ...base, amount: usd('0.9') });
  assert.ok(r.ok);
  s.settle(r.reservationId, usd('1.2'));
  assert.equal(s.accountStatus('a').spent, usd('1.2'));
  const next = s.reserve({ ...base, amount: 0n });
  assert.deepEqual(next, { ok: false, reason: 'account_credit', available: -usd('0.2') });
  assert.throws(() => s.settle('x', -1n), RangeError);
  assert.throws(() => s.reserve({ ...base, amount: -1n }), RangeError);
});

test('period rollover for daily, weekly and monthly keys', () => {
  const s = new MemoryReservationStore();
  const spend = (period: 'daily' | 'weekly' | 'monthly' | 'never', keyId: string, now: number, amount = usd('0.4')) => {
    const r = s.reserve({
      accountId: 'a',
      keyId,
      amount,
      accountCredit: null,
      keyLimit: { limit: usd('1'), period },
      now,
    });
    if (r.ok) s.settle(r.reservationId, amount);
    return r.ok;
  };
  // daily: two fit, the third does not, the next UTC day starts fresh
  assert.ok(spend('daily', 'kd', T));
  assert.ok(spend('daily', 'kd', T + 1));
  assert.equal(spend('daily', 'kd', T + 2), false);
  assert.equal(spend('daily', 'kd', Date.UTC(2025, 0, 15, 23, 59, 59)), false);
  assert.ok(spend('daily', 'kd', Date.UTC(2025, 0, 16, 0, 0, 0)));

  // weekly: Wednesday and Sunday share the week, Monday 00:00 UTC resets
  assert.ok(spend('weekly', 'kw', T));
  assert.ok(spend('weekly', 'kw', Date.UTC(2025, 0, 17)));
  assert.equal(spend('weekly', 'kw', Date.UTC(2025, 0, 19, 23)), false);
  assert.ok(spend('weekly', 'kw', Date.UTC(2025, 0, 20)));

  // monthly
  assert.ok(spend('monthly', 'km', T));
  assert.ok(spend('monthly', 'km', Date.UTC(2025, 0, 31)));
  assert.equal(spend('monthly', 'km', Date.UTC(2025, 0, 31, 23)), false);
  assert.ok(spend('monthly', 'km', Date.UTC(2025, 1, 1)));

  // never: lifetime
  assert.ok(spend('never', 'kn', T));
  assert.ok(spend('never', 'kn', T + 400 * 86_400_000));
  assert.equal(spend('never', 'kn', T + 800 * 86_400_000), false);

  // usage per period as GET /v1/key reports it
  const u = s.keyUsage('kw', Date.UTC(2025, 0, 20, 12));
  assert.deepEqual(u, {
    usage_total: usd('1.2'),
    usage_daily: usd('0.4'),
    usage_weekly: usd('0.4'),
    usage_monthly: usd('1.2'),
  });
  assert.deepEqual(s.keyUsage('nope', T), { usage_total: 0n, usage_daily: 0n, usage_weekly: 0n, usage_monthly: 0n });
});

test('a reservation straddling midnight is charged to the day it started', () => {
  const s = new MemoryReservationStore();
  const keyLimit = { limit: usd('1'), period: 'daily' as const };
  const late = s.reserve({
    accountId: 'a',
    keyId: 'k',
    amount: usd('0.5'),
    accountCredit: null,
    keyLimit,
    now: Date.UTC(2025, 0, 15, 23, 59),
  });
  assert.ok(late.ok);
  // the new day already has traffic
  const early = s.reserve({
    accountId: 'a',
    keyId: 'k',
    amount: usd('0.3'),
    accountCredit: null,
    keyLimit,
    now: Date.UTC(2025, 0, 16, 0, 1),
  });
  assert.ok(early.ok);
  s.settle(early.reservationId, usd('0.3'));
  s.settle(late.reservationId, usd('0.5'));
  const u = s.keyUsage('k', Date.UTC(2025, 0, 16, 1));
  assert.equal(u.usage_daily, usd('0.3'));
  assert.equal(u.usage_total, usd('0.8'));
  assert.equal(u.usage_monthly, usd('0.8'));
});

test('load() continues from persisted totals', () => {
  const s = new MemoryReservationStore();
  s.load({
    accounts: [{ accountId: 'a', spent: usd('9.5') }],
    keys: [
      { keyId: 'k', period: 'never', periodKey: 'all', spent: usd('9.5') },
      { keyId: 'k', period: 'daily', periodKey: '2025-01-14', spent: usd('3') }, // history row, older
      { keyId: 'k', period: 'daily', periodKey: '2025-01-15', spent: usd('0.75') },
      { keyId: 'k', period: 'weekly', periodKey: '2025-W03', spent: usd('3.75') },
      { keyId: 'k', period: 'monthly', periodKey: '2025-01', spent: usd('9.5') },
    ],
  });
  assert.deepEqual(s.keyUsage('k', T), {
    usage_total: usd('9.5'),
    usage_daily: usd('0.75'),
    usage_weekly: usd('3.75'),
    usage_monthly: usd('9.5'),
  });
  const keyLimit = { limit: usd('1'), period: 'daily' as const };
  const r = s.reserve({ accountId: 'a', keyId: 'k', amount: usd('0.3'), accountCredit: usd('20'), keyLimit, now: T });
  assert.deepEqual(r, { ok: false, reason: 'key_limit', available: usd('0.25') });
  const c = s.reserve({
    accountId: 'a',
    keyId: 'k',
    amount: usd('0.6'),
    accountCredit: usd('10'),
    keyLimit: null,
    now: T,
  });
  assert.deepEqual(c, { ok: false, reason: 'account_credit', available: usd('0.5') });
  // a stale persisted period reads as zero today
  s.load({ keys: [{ keyId: 'old', period: 'daily', periodKey: '2024-12-01', spent: usd('5') }] });
  assert.equal(s.keyUsage('old', T).usage_daily, 0n);
  assert.throws(() => s.load({ accounts: [{ accountId: 'x', spent: -1n }] }), RangeError);
});

test('record() charges without a reservation; releaseExpired() frees leaks', () => {
  const s = new MemoryReservationStore();
  s.record('a', 'k', usd('0.2'), T);
  assert.equal(s.accountStatus('a').spent, usd('0.2'));
  assert.equal(s.keyUsage('k', T).usage_daily, usd('0.2'));
  const leak = s.reserve({
    accountId: 'a',
    keyId: 'k',
    amount: usd('0.5'),
    accountCredit: usd('1'),
    keyLimit: null,
    now: T,
  });
  assert.ok(leak.ok);
  const fresh = s.reserve({
    accountId: 'a',
    keyId: 'k',
    amount: usd('0.1'),
    accountCredit: usd('1'),
    keyLimit: null,
    now: T + 590_000,
  });
  assert.ok(fresh.ok);
  assert.equal(s.releaseExpired(600_000, T + 600_001), 1);
  assert.deepEqual(s.keyStatus('k', T), {
    usage_total: usd('0.2'),
    usage_daily: usd('0.2'),
    usage_weekly: usd('0.2'),
    usage_monthly: usd('0.2'),
    reserved: usd('0.1'),
  });
  assert.equal(s.release(leak.reservationId), false);
});

test('hot path cost: 100k reserve+settle pairs stay cheap', () => {
  const s = new MemoryReservationStore();
  const t = performance.now();
  for (let i = 0; i < 100_000; i++) {
    const r = s.reserve({
      accountId: `a${i % 100}`,
      keyId: `k${i % 1000}`,
      amount: 1000n,
      accountCredit: usd('100'),
      keyLimit: { limit: usd('1'), period: 'daily' },
      now: T + i,
    });
    if (r.ok) s.settle(r.reservationId, 500n);
  }
  const ms = performance.now() - t;
  assert.ok(ms < 2000, `${ms.toFixed(0)} ms`);
  assert.equal(s.outstanding, 0);
});
