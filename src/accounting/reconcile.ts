// Reconciliation of the Redis spend counters with the ledger (`arouter reconcile`): the ledger is the record of
// what was billed, Redis the fast copy limits are decided on. They differ only after a crash:
//   - a process killed between journaling a row and its Redis settle (chat.ts journals before the last bytes,
//     settle runs after): the row is in the ledger (replayed from the journal when that data dir starts again)
//     but Redis never counted it; Redis is LOW by that request's cost, its reservation expired.
//   - a process killed after its Redis settle but before its row reached the journal (the ledger journal is
//     off, or a failed request whose row is queued after settle): Redis is HIGH by that cost.
//   - a Redis that lost writes (restarted without persistence after the `init` marker was written: the marker
//     goes too, so the counters reload from the ledger on the next reserve; a partial loss keeps the marker).
// Reconcile sets each differing counter to the ledger's value and reports the difference. Each fix is a
// compare-and-set against the value it read: a request settling meanwhile is never overwritten (reported as
// skipped; run again). Rows still queued in a live process's ledger (flushed every ledger.flush_interval) read
// as Redis HIGH for that moment, so run it after the ledger flushed: with traffic stopped, or twice.
import type { Storage } from '../store/types.js';
import type { Pusd } from './money.js';
import { periodKeys } from './reservations.js';
import { PERIOD_TTL_MS, type RedisReservationStore } from './redis-reservations.js';
import { ledgerTotals } from './spend.js';

export interface Difference {
  kind: 'account' | 'key';
  id: string;
  /** account: spent; key: total (lifetime) or the current daily/weekly/monthly period */
  counter: 'spent' | 'total' | 'daily' | 'weekly' | 'monthly';
  redis: Pusd;
  ledger: Pusd;
  /** false: dry run, or the counter changed while reconciling (skipped) */
  fixed: boolean;
}

export interface ReconcileReport {
  accounts: number;
  keys: number;
  differences: Difference[];
  /** counters that changed between the read and the fix (live traffic): the next run fixes them */
  skipped: number;
  /** expired reservations (of dead processes) returned to the headroom */
  swept: number;
}

/** ids of the account and key hashes in Redis (reservation sets and period counters left out) */
async function redisIds(store: RedisReservationStore): Promise<{ accounts: Set<string>; keys: Set<string> }> {
  const accounts = new Set<string>();
  const keys = new Set<string>();
  const p = store.prefix;
  // SCAN patterns are not prefixed by the client, and the keys it returns carry the prefix
  for (const [kind, set] of [
    ['a:', accounts],
    ['k:', keys],
  ] as const) {
    const stream = store.redis.scanStream({ match: `${p}${kind}*`, count: 1000 });
    for await (const batch of stream as AsyncIterable<string[]>) {
      for (const full of batch) {
        const rest = full.slice(p.length + kind.length);
        if (rest.endsWith(':rz') || /:[dwm]:[^:]+$/.test(rest)) continue;
        set.add(rest);
      }
    }
  }
  return { accounts, keys };
}

export async function reconcile(
  store: RedisReservationStore,
  storage: Storage,
  opts: { dryRun?: boolean; now?: number } = {},
): Promise<ReconcileReport> {
  const now = opts.now ?? Date.now();
  const pks = periodKeys(now);
  const totals = await ledgerTotals(storage, now);
  const ids = await redisIds(store);
  const acctLedger = new Map<string, Pusd>();
  for (const a of totals.accounts) acctLedger.set(a.accountId, a.spent);
  const keyLedger = new Map<string, { total: Pusd; daily: Pusd; weekly: Pusd; monthly: Pusd }>();
  for (const k of totals.keys) {
    let e = keyLedger.get(k.keyId);
    if (!e) keyLedger.set(k.keyId, (e = { total: 0n, daily: 0n, weekly: 0n, monthly: 0n }));
    e[k.period === 'never' ? 'total' : k.period] = k.spent;
  }
  for (const id of acctLedger.keys()) ids.accounts.add(id);
  for (const id of keyLedger.keys()) ids.keys.add(id);

  const report: ReconcileReport = {
    accounts: ids.accounts.size,
    keys: ids.keys.size,
    differences: [],
    skipped: 0,
    swept: 0,
  };
  if (!opts.dryRun) {
    // a Redis without the marker loads from the ledger (as a serving process would), then is compared
    store.source ??= () => ledgerTotals(storage);
    await store.ensureInitialised();
    const a = [...ids.accounts];
    const k = [...ids.keys];
    for (let i = 0; i < Math.max(a.length, k.length); i += 500)
      report.swept += await store.sweep(a.slice(i, i + 500), k.slice(i, i + 500), now);
  }
  const check = async (
    kind: Difference['kind'],
    id: string,
    counter: Difference['counter'],
    redisKey: string,
    field: string | null,
    ttlMs: number | null,
    ledger: Pusd,
  ) => {
    const raw = field === null ? await store.redis.get(redisKey) : await store.redis.hget(redisKey, field);
    const redis = raw ? BigInt(raw) : 0n;
    if (redis === ledger) return;
    let fixed = false;
    if (!opts.dryRun) {
      fixed = await store.compareAndSet(redisKey, field, raw, ledger, ttlMs);
      if (!fixed) report.skipped++;
    }
    report.differences.push({ kind, id, counter, redis, ledger, fixed });
  };

  for (const id of ids.accounts)
    await check('account', id, 'spent', `a:${id}`, 'spent', null, acctLedger.get(id) ?? 0n);
  for (const id of ids.keys) {
    const l = keyLedger.get(id) ?? { total: 0n, daily: 0n, weekly: 0n, monthly: 0n };
    await check('key', id, 'total', `k:${id}`, 'total', null, l.total);
    await check('key', id, 'daily', `k:${id}:d:${pks.daily}`, null, PERIOD_TTL_MS.d, l.daily);
    await check('key', id, 'weekly', `k:${id}:w:${pks.weekly}`, null, PERIOD_TTL_MS.w, l.weekly);
    await check('key', id, 'monthly', `k:${id}:m:${pks.monthly}`, null, PERIOD_TTL_MS.m, l.monthly);
  }
  return report;
}
