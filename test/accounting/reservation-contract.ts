// The ReservationStore contract: the same behavioural cases run against every implementation (the in-process
// store and Redis), so N processes sharing Redis decide exactly as one process does. A subject is a fresh,
// isolated store; `expire(now)` returns reservations older than 600 s (the Redis subject is built with that TTL).
import { describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import type { ReservationStore } from '../../src/accounting/reservations.js';
import { parseUsd } from '../../src/accounting/money.js';

export interface ReservationSubject {
  store: ReservationStore;
  /** reservations still held */
  outstanding(): Promise<number>;
  /** returns reservations older than 600 s at `now` to the headroom; how many */
  expire(now: number): Promise<number>;
  close(): Promise<void>;
}

const usd = parseUsd;
const T = Date.UTC(2025, 0, 15, 12, 0, 0); // Wednesday 2025-01-15 12:00 UTC

export function reservationContract(name: string, make: () => Promise<ReservationSubject>): void {
  describe(`ReservationStore contract: ${name}`, () => {
    const open = async (t: TestContext) => {
      const subject = await make();
      t.after(() => subject.close());
      return subject;
    };

    test('reserve, settle, release against account credit', async (t) => {
      const { store: s, outstanding } = await open(t);
      const base = { accountId: 'a', keyId: 'k', accountCredit: usd('1'), keyLimit: null, now: T };
      const r1 = await s.reserve({ ...base, amount: usd('0.6') });
      assert.ok(r1.ok);
      assert.equal(r1.available, usd('0.4'));
      const r2 = await s.reserve({ ...base, amount: usd('0.5') });
      assert.deepEqual(r2, { ok: false, reason: 'account_credit', available: usd('0.4') });
      assert.ok(await s.settle(r1.reservationId, usd('0.1')));
      assert.deepEqual(await s.accountStatus('a'), { spent: usd('0.1'), reserved: 0n });
      const r3 = await s.reserve({ ...base, amount: usd('0.9') });
      assert.ok(r3.ok);
      // settling or releasing twice never double-counts
      assert.equal(await s.settle(r1.reservationId, usd('0.1')), false);
      assert.ok(await s.release(r3.reservationId));
      assert.equal(await s.release(r3.reservationId), false);
      assert.deepEqual(await s.accountStatus('a'), { spent: usd('0.1'), reserved: 0n });
      assert.equal(await outstanding(), 0);
    });

    test('release frees the reserved headroom', async (t) => {
      const { store: s } = await open(t);
      const req = { accountId: 'a', keyId: 'k', amount: usd('1'), accountCredit: usd('1'), keyLimit: null, now: T };
      const r = await s.reserve(req);
      assert.ok(r.ok);
      assert.equal((await s.reserve(req)).ok, false);
      await s.release(r.reservationId);
      assert.equal((await s.reserve(req)).ok, true);
    });

    test('unlimited account and key: always ok, available null, spend still tracked', async (t) => {
      const { store: s } = await open(t);
      const r = await s.reserve({
        accountId: 'a',
        keyId: 'k',
        amount: usd('1000'),
        accountCredit: null,
        keyLimit: null,
        now: T,
      });
      assert.ok(r.ok);
      assert.equal(r.available, null);
      await s.settle(r.reservationId, usd('2.5'));
      assert.equal((await s.keyUsage('k', T)).usage_total, usd('2.5'));
    });

    test('key limit and account credit: both must allow; the binding one is reported', async (t) => {
      const { store: s } = await open(t);
      const keyLimit = { limit: usd('0.5'), period: 'daily' as const };
      const ok = await s.reserve({
        accountId: 'a',
        keyId: 'k',
        amount: usd('0.3'),
        accountCredit: usd('10'),
        keyLimit,
        now: T,
      });
      assert.ok(ok.ok);
      assert.equal(ok.available, usd('0.2')); // min of account 9.7 and key 0.2
      const byKey = await s.reserve({
        accountId: 'a',
        keyId: 'k',
        amount: usd('0.3'),
        accountCredit: usd('10'),
        keyLimit,
        now: T,
      });
      assert.deepEqual(byKey, { ok: false, reason: 'key_limit', available: usd('0.2') });
      const byAccount = await s.reserve({
        accountId: 'a',
        keyId: 'k',
        amount: usd('0.3'),
        accountCredit: usd('0.35'),
        keyLimit,
        now: T,
      });
      assert.deepEqual(byAccount, { ok: false, reason: 'account_credit', available: usd('0.05') });
      // another key on the same account shares the account credit but not the key limit
      const other = await s.reserve({
        accountId: 'a',
        keyId: 'k2',
        amount: usd('0.3'),
        accountCredit: usd('0.6'),
        keyLimit,
        now: T,
      });
      assert.ok(other.ok);
      assert.equal(
        (
          await s.reserve({
            accountId: 'a',
            keyId: 'k3',
            amount: usd('0.01'),
            accountCredit: usd('0.6'),
            keyLimit,
            now: T,
          })
        ).ok,
        false,
      );
    });

    test('500 concurrent-style reservations never overspend a small limit', async (t) => {
      let seed = 1234;
      const rnd = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
      for (const which of ['account', 'key'] as const) {
        const { store: s, outstanding } = await open(t);
        const limit = usd('0.05');
        const accountCredit = which === 'account' ? limit : null;
        const keyLimit = which === 'key' ? { limit, period: 'monthly' as const } : null;
        const held: Array<{ id: string; amount: bigint }> = [];
        let peakCommitted = 0n;
        // all 500 arrive before any finishes
        for (let i = 0; i < 500; i++) {
          const amount = BigInt(1 + Math.floor(rnd() * 2_000_000_000)); // up to $0.002
          const r = await s.reserve({ accountId: 'a', keyId: 'k', amount, accountCredit, keyLimit, now: T + i });
          if (r.ok) held.push({ id: r.reservationId, amount });
          else assert.equal(r.reason, which === 'account' ? 'account_credit' : 'key_limit');
          const st = await s.accountStatus('a');
          if (st.spent + st.reserved > peakCommitted) peakCommitted = st.spent + st.reserved;
        }
        assert.ok(held.length > 10 && held.length < 500, `held ${held.length}`);
        assert.ok(peakCommitted <= limit);
        // settle in random order for at most the reserved amount, each settle followed by a new attempt
        held.sort(() => rnd() - 0.5);
        const late: Array<{ id: string; amount: bigint }> = [];
        const check = async () => {
          const st = await s.accountStatus('a');
          assert.ok(st.spent + st.reserved <= limit, `committed ${st.spent + st.reserved} > ${limit}`);
        };
        for (const h of held) {
          assert.ok(await s.settle(h.id, (h.amount * BigInt(Math.floor(rnd() * 101))) / 100n));
          const again = await s.reserve({
            accountId: 'a',
            keyId: 'k',
            amount: h.amount,
            accountCredit,
            keyLimit,
            now: T + 600,
          });
          if (again.ok) late.push({ id: again.reservationId, amount: h.amount });
          await check();
        }
        assert.ok(late.length > 0);
        for (const h of late) {
          assert.ok(await s.settle(h.id, h.amount));
          await check();
        }
        assert.equal(await outstanding(), 0);
        const st = await s.accountStatus('a');
        assert.ok(st.spent <= limit);
        if (which === 'key') assert.ok((await s.keyUsage('k', T)).usage_monthly <= limit);
      }
    });

    test('settle above the reservation is recorded and blocks further spend', async (t) => {
      const { store: s } = await open(t);
      const base = { accountId: 'a', keyId: 'k', accountCredit: usd('1'), keyLimit: null, now: T };
      const r = await s.reserve({ ...base, amount: usd('0.9') });
      assert.ok(r.ok);
      await s.settle(r.reservationId, usd('1.2'));
      assert.equal((await s.accountStatus('a')).spent, usd('1.2'));
      const next = await s.reserve({ ...base, amount: 0n });
      assert.deepEqual(next, { ok: false, reason: 'account_credit', available: -usd('0.2') });
      await assert.rejects(async () => await s.settle('x', -1n), RangeError);
      await assert.rejects(async () => await s.reserve({ ...base, amount: -1n }), RangeError);
    });

    test('period rollover for daily, weekly and monthly keys', async (t) => {
      const { store: s } = await open(t);
      const spend = async (
        period: 'daily' | 'weekly' | 'monthly' | 'never',
        keyId: string,
        now: number,
        amount = usd('0.4'),
      ) => {
        const r = await s.reserve({
          accountId: 'a',
          keyId,
          amount,
          accountCredit: null,
          keyLimit: { limit: usd('1'), period },
          now,
        });
        if (r.ok) await s.settle(r.reservationId, amount);
        return r.ok;
      };
      // daily: two fit, the third does not, the next UTC day starts fresh
      assert.ok(await spend('daily', 'kd', T));
      assert.ok(await spend('daily', 'kd', T + 1));
      assert.equal(await spend('daily', 'kd', T + 2), false);
      assert.equal(await spend('daily', 'kd', Date.UTC(2025, 0, 15, 23, 59, 59)), false);
      assert.ok(await spend('daily', 'kd', Date.UTC(2025, 0, 16, 0, 0, 0)));

      // weekly: Wednesday and Sunday share the week, Monday 00:00 UTC resets
      assert.ok(await spend('weekly', 'kw', T));
      assert.ok(await spend('weekly', 'kw', Date.UTC(2025, 0, 17)));
      assert.equal(await spend('weekly', 'kw', Date.UTC(2025, 0, 19, 23)), false);
      assert.ok(await spend('weekly', 'kw', Date.UTC(2025, 0, 20)));

      // monthly
      assert.ok(await spend('monthly', 'km', T));
      assert.ok(await spend('monthly', 'km', Date.UTC(2025, 0, 31)));
      assert.equal(await spend('monthly', 'km', Date.UTC(2025, 0, 31, 23)), false);
      assert.ok(await spend('monthly', 'km', Date.UTC(2025, 1, 1)));

      // never: lifetime
      assert.ok(await spend('never', 'kn', T));
      assert.ok(await spend('never', 'kn', T + 400 * 86_400_000));
      assert.equal(await spend('never', 'kn', T + 800 * 86_400_000), false);

      // usage per period as GET /v1/key reports it
      const u = await s.keyUsage('kw', Date.UTC(2025, 0, 20, 12));
      assert.deepEqual(u, {
        usage_total: usd('1.2'),
        usage_daily: usd('0.4'),
        usage_weekly: usd('0.4'),
        usage_monthly: usd('1.2'),
      });
      assert.deepEqual(await s.keyUsage('nope', T), {
        usage_total: 0n,
        usage_daily: 0n,
        usage_weekly: 0n,
        usage_monthly: 0n,
      });
    });

    test('a reservation straddling midnight is charged to the day it started', async (t) => {
      const { store: s } = await open(t);
      const keyLimit = { limit: usd('1'), period: 'daily' as const };
      const late = await s.reserve({
        accountId: 'a',
        keyId: 'k',
        amount: usd('0.5'),
        accountCredit: null,
        keyLimit,
        now: Date.UTC(2025, 0, 15, 23, 59),
      });
      assert.ok(late.ok);
      // the new day already has traffic
      const early = await s.reserve({
        accountId: 'a',
        keyId: 'k',
        amount: usd('0.3'),
        accountCredit: null,
        keyLimit,
        now: Date.UTC(2025, 0, 16, 0, 1),
      });
      assert.ok(early.ok);
      await s.settle(early.reservationId, usd('0.3'));
      await s.settle(late.reservationId, usd('0.5'));
      const u = await s.keyUsage('k', Date.UTC(2025, 0, 16, 1));
      assert.equal(u.usage_daily, usd('0.3'));
      assert.equal(u.usage_total, usd('0.8'));
      assert.equal(u.usage_monthly, usd('0.8'));
    });

    test('load() continues from persisted totals', async (t) => {
      const { store: s } = await open(t);
      await s.load({
        accounts: [{ accountId: 'a', spent: usd('9.5') }],
        keys: [
          { keyId: 'k', period: 'never', periodKey: 'all', spent: usd('9.5') },
          { keyId: 'k', period: 'daily', periodKey: '2025-01-14', spent: usd('3') }, // history row, older
          { keyId: 'k', period: 'daily', periodKey: '2025-01-15', spent: usd('0.75') },
          { keyId: 'k', period: 'weekly', periodKey: '2025-W03', spent: usd('3.75') },
          { keyId: 'k', period: 'monthly', periodKey: '2025-01', spent: usd('9.5') },
        ],
      });
      assert.deepEqual(await s.keyUsage('k', T), {
        usage_total: usd('9.5'),
        usage_daily: usd('0.75'),
        usage_weekly: usd('3.75'),
        usage_monthly: usd('9.5'),
      });
      const keyLimit = { limit: usd('1'), period: 'daily' as const };
      const r = await s.reserve({
        accountId: 'a',
        keyId: 'k',
        amount: usd('0.3'),
        accountCredit: usd('20'),
        keyLimit,
        now: T,
      });
      assert.deepEqual(r, { ok: false, reason: 'key_limit', available: usd('0.25') });
      const c = await s.reserve({
        accountId: 'a',
        keyId: 'k',
        amount: usd('0.6'),
        accountCredit: usd('10'),
        keyLimit: null,
        now: T,
      });
      assert.deepEqual(c, { ok: false, reason: 'account_credit', available: usd('0.5') });
      // a stale persisted period reads as zero today
      await s.load({ keys: [{ keyId: 'old', period: 'daily', periodKey: '2024-12-01', spent: usd('5') }] });
      assert.equal((await s.keyUsage('old', T)).usage_daily, 0n);
      await assert.rejects(async () => await s.load({ accounts: [{ accountId: 'x', spent: -1n }] }), RangeError);
    });

    test('record() charges without a reservation; releaseExpired() frees leaks', async (t) => {
      const { store: s, expire } = await open(t);
      await s.record('a', 'k', usd('0.2'), T);
      assert.equal((await s.accountStatus('a')).spent, usd('0.2'));
      assert.equal((await s.keyUsage('k', T)).usage_daily, usd('0.2'));
      const leak = await s.reserve({
        accountId: 'a',
        keyId: 'k',
        amount: usd('0.5'),
        accountCredit: usd('1'),
        keyLimit: null,
        now: T,
      });
      assert.ok(leak.ok);
      const fresh = await s.reserve({
        accountId: 'a',
        keyId: 'k',
        amount: usd('0.1'),
        accountCredit: usd('1'),
        keyLimit: null,
        now: T + 590_000,
      });
      assert.ok(fresh.ok);
      assert.equal(await expire(T + 600_001), 1);
      assert.deepEqual(await s.keyStatus('k', T), {
        usage_total: usd('0.2'),
        usage_daily: usd('0.2'),
        usage_weekly: usd('0.2'),
        usage_monthly: usd('0.2'),
        reserved: usd('0.1'),
      });
      assert.equal(await s.release(leak.reservationId), false);
    });
  });
}
