// RedisReservationStore against the real Redis (127.0.0.1:6379, or AROUTER_TEST_REDIS_URL): the shared
// ReservationStore contract, two processes (two clients) racing on one key, a dead process's reservations
// expiring, the counters loading from the ledger once per deployment, and reconcile. Every key lives under a
// prefix of this run, deleted at the end; when Redis cannot be reached the cases FAIL, with the reason.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { openRedis } from '../../src/store/redis.js';
import { RedisReservationStore } from '../../src/accounting/redis-reservations.js';
import { reconcile } from '../../src/accounting/reconcile.js';
import { parseUsd } from '../../src/accounting/money.js';
import type { PersistedTotals } from '../../src/accounting/reservations.js';
import type { Storage } from '../../src/store/types.js';
import { reservationContract } from './reservation-contract.js';

const usd = parseUsd;
const URL = process.env.AROUTER_TEST_REDIS_URL || 'redis://127.0.0.1:6379';
const RUN = `arouter-test-${process.pid}-${randomBytes(4).toString('hex')}:`;
let n = 0;
const raw = new Redis(URL, { maxRetriesPerRequest: 1 });

async function keysUnder(prefix: string): Promise<string[]> {
  const out: string[] = [];
  for await (const batch of raw.scanStream({ match: `${prefix}*`, count: 1000 }) as AsyncIterable<string[]>)
    out.push(...batch);
  return out;
}

after(async () => {
  const left = await keysUnder(RUN);
  for (let i = 0; i < left.length; i += 500) await raw.del(...left.slice(i, i + 500));
  await raw.quit();
});

function place() {
  const prefix = `${RUN}${++n}:`;
  const clients: Redis[] = [];
  return {
    prefix,
    store(ttlMs = 600_000, source?: () => Promise<PersistedTotals>) {
      const c = openRedis({ url: URL, prefix });
      clients.push(c);
      return new RedisReservationStore(c, { ttlMs, source });
    },
    close: () => Promise.all(clients.map((c) => (c.status === 'end' ? null : c.quit()))),
  };
}

reservationContract('RedisReservationStore', async () => {
  const p = place();
  const s = p.store();
  await s.ensureInitialised();
  return {
    store: s,
    outstanding: async () => (await keysUnder(`${p.prefix}r:`)).length,
    expire: (now) => s.sweep(['a'], ['k', 'k2', 'k3'], now),
    close: async () => void (await p.close()),
  };
});

test('200 concurrent reserves from two processes never exceed a key limit', async (t) => {
  const p = place();
  t.after(p.close);
  const [a, b] = [p.store(), p.store()];
  await a.ensureInitialised();
  const limit = usd('0.05');
  const keyLimit = { limit, period: 'daily' as const };
  let seed = 42;
  const rnd = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const amounts = Array.from({ length: 200 }, () => BigInt(1 + Math.floor(rnd() * 1_000_000_000))); // ≤ $0.001
  const results = await Promise.all(
    amounts.map((amount, i) =>
      (i % 2 ? a : b).reserve({ accountId: 'acct', keyId: 'key', amount, accountCredit: null, keyLimit }),
    ),
  );
  const held = results.flatMap((r, i) =>
    r.ok ? [{ id: r.reservationId, amount: amounts[i], by: i % 2 ? a : b }] : [],
  );
  const refused = results.filter((r) => !r.ok);
  assert.ok(held.length > 10 && refused.length > 10, `held ${held.length}, refused ${refused.length}`);
  const sum = held.reduce((s, h) => s + h.amount, 0n);
  assert.ok(sum <= limit, `reserved ${sum} > ${limit}`);
  assert.equal((await a.keyStatus('key')).reserved, sum);
  // settled by the other process than the one that reserved: a reservation is shared state
  const settled = await Promise.all(held.map((h) => (h.by === a ? b : a).settle(h.id, h.amount)));
  assert.ok(settled.every(Boolean));
  const st = await b.keyStatus('key');
  assert.equal(st.usage_daily, sum);
  assert.equal(st.reserved, 0n);
  assert.ok(st.usage_daily <= limit);
  // the next 200 still fit only into what is left
  const more = await Promise.all(
    amounts.map((amount, i) =>
      (i % 2 ? a : b).reserve({ accountId: 'acct', keyId: 'key', amount, accountCredit: null, keyLimit }),
    ),
  );
  const moreSum = more.reduce((s, r, i) => (r.ok ? s + amounts[i] : s), 0n);
  assert.ok(sum + moreSum <= limit);
});

test('amounts beyond 2^53 pUSD (~$9,007) are decided exactly', async (t) => {
  const p = place();
  t.after(p.close);
  const s = p.store();
  await s.ensureInitialised();
  await s.load({ accounts: [{ accountId: 'big', spent: usd('15000.000000000001') }] });
  const credit = usd('20000');
  const left = credit - usd('15000.000000000001'); // 4999.999999999999
  const base = { accountId: 'big', keyId: 'kb', accountCredit: credit, keyLimit: null };
  assert.deepEqual(await s.reserve({ ...base, amount: left + 1n }), {
    ok: false,
    reason: 'account_credit',
    available: left,
  });
  const r = await s.reserve({ ...base, amount: left - 1n });
  assert.ok(r.ok);
  assert.equal(r.available, 1n);
  assert.ok(await s.settle(r.reservationId, left + 5n));
  assert.equal((await s.accountStatus('big')).spent, credit + 5n);
  assert.deepEqual(await s.reserve({ ...base, amount: 0n }), { ok: false, reason: 'account_credit', available: -5n });
});

test("a killed process's reservations expire and their headroom returns", async (t) => {
  const p = place();
  t.after(p.close);
  const dead = p.store(300);
  await dead.ensureInitialised();
  const req = { accountId: 'acct', keyId: 'key', amount: usd('1'), accountCredit: usd('1'), keyLimit: null };
  const held = await dead.reserve(req);
  assert.ok(held.ok);
  // kill -9: the connection drops, nothing is settled or released
  dead.redis.disconnect();
  const alive = p.store(300);
  assert.equal((await alive.reserve(req)).ok, false);
  assert.equal((await alive.accountStatus('acct')).reserved, usd('1'));
  await new Promise((r) => setTimeout(r, 400));
  const after = await alive.reserve(req);
  assert.ok(after.ok, 'the expired reservation was swept by the next reserve');
  assert.equal((await alive.accountStatus('acct')).reserved, usd('1'));
  // the dead process's reservation can no longer be settled into the counters (no double count)
  assert.equal(await alive.settle(held.reservationId, usd('1')), false);
  assert.ok(await alive.settle(after.reservationId, usd('0.25')));
  assert.deepEqual(await alive.accountStatus('acct'), { spent: usd('0.25'), reserved: 0n });
});

test('counters load from the ledger once per deployment, and again after Redis was flushed', async (t) => {
  const p = place();
  t.after(p.close);
  let spent = usd('0.9');
  let loads = 0;
  const source = async (): Promise<PersistedTotals> => {
    loads++;
    return { accounts: [{ accountId: 'acct', spent }] };
  };
  const [a, b] = [p.store(600_000, source), p.store(600_000, source)];
  await Promise.all([a.ensureInitialised(), b.ensureInitialised(), a.ensureInitialised()]);
  assert.equal(loads, 1, 'one loader per deployment');
  const req = { accountId: 'acct', keyId: 'key', amount: usd('0.2'), accountCredit: usd('1'), keyLimit: null };
  assert.deepEqual(await b.reserve(req), { ok: false, reason: 'account_credit', available: usd('0.1') });
  // FLUSHDB of this deployment's keys (the marker goes with them): the next reserve reloads before deciding
  for (const k of await keysUnder(p.prefix)) await raw.del(k);
  spent = usd('0.95');
  assert.deepEqual(await a.reserve(req), { ok: false, reason: 'account_credit', available: usd('0.05') });
  assert.equal(loads, 2);
});

test('reconcile sets skewed counters to the ledger and reports the differences', async (t) => {
  const p = place();
  t.after(p.close);
  const s = p.store();
  await s.ensureInitialised();
  const now = Date.now();
  // what a crash left: one request settled in Redis whose row never reached the ledger (key k1, $0.5 high),
  // one row in the ledger whose settle never ran (key k2, $0.25 low)
  await s.record('acct', 'k1', usd('1.5'), now);
  await s.record('acct', 'k2', usd('0.75'), now);
  const ledger = {
    accountSpend: async () => [{ id: 'acct', spent_pusd: usd('2') }],
    keySpendSince: async () => [
      { id: 'k1', spent_pusd: usd('1') },
      { id: 'k2', spent_pusd: usd('1') },
    ],
  } as unknown as Storage;
  const dry = await reconcile(s, ledger, { dryRun: true, now });
  assert.equal(dry.differences.length, 9); // account spent, and 4 counters of each key
  assert.ok(dry.differences.every((d) => !d.fixed));
  assert.equal((await s.accountStatus('acct')).spent, usd('2.25'));
  const fixed = await reconcile(s, ledger, { now });
  assert.equal(fixed.skipped, 0);
  const acct = fixed.differences.find((d) => d.kind === 'account')!;
  assert.deepEqual(acct, {
    kind: 'account',
    id: 'acct',
    counter: 'spent',
    redis: usd('2.25'),
    ledger: usd('2'),
    fixed: true,
  });
  const k1 = fixed.differences.filter((d) => d.id === 'k1');
  assert.deepEqual(
    k1.map((d) => [d.counter, d.redis, d.ledger]),
    ['total', 'daily', 'weekly', 'monthly'].map((c) => [c, usd('1.5'), usd('1')]),
  );
  assert.equal((await s.accountStatus('acct')).spent, usd('2'));
  assert.deepEqual(await s.keyUsage('k2', now), {
    usage_total: usd('1'),
    usage_daily: usd('1'),
    usage_weekly: usd('1'),
    usage_monthly: usd('1'),
  });
  assert.equal((await reconcile(s, ledger, { now })).differences.length, 0);
});
