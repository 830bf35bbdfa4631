import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryReservationStore, periodKey, periodKeys } from '../../src/accounting/reservations.js';
import { parseUsd } from '../../src/accounting/money.js';
import { reservationContract } from './reservation-contract.js';

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

reservationContract('MemoryReservationStore', async () => {
  const s = new MemoryReservationStore();
  return {
    store: s,
    outstanding: async () => s.outstanding,
    expire: async (now) => s.releaseExpired(600_000, now),
    close: async () => {},
  };
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
