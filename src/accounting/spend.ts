// Spend control for the gateway: wraps the reservation store with the account/key rows it needs, and
// rebuilds its totals from the ledger at start so limits survive restarts.
//
// The store is in-process (synchronous: the embedded default, nothing awaited on its hot path) or Redis (every
// call a promise). Each method passes through what the store returned, so callers await only a promise; a Redis
// failure becomes a 503 naming the spend store, never a 500.
import { HttpError } from '../protocol/errors.js';
import type { AccountRow, KeyRow, LimitReset, Storage } from '../store/types.js';
import {
  MemoryReservationStore,
  periodKeys,
  type MaybePromise,
  type PersistedTotals,
  type ReservationStore,
  type ReserveResult,
  type KeyUsage,
} from './reservations.js';
import type { Pusd } from './money.js';
import { RedisReservationStore } from './redis-reservations.js';

const DAY_MS = 86_400_000;

/** UTC starts of the current day, ISO week (Monday) and month, as ISO strings for ledger queries. */
export function periodStarts(now: number): { daily: string; weekly: string; monthly: string } {
  const day = Math.floor(now / DAY_MS) * DAY_MS;
  const d = new Date(day);
  const monday = day - ((d.getUTCDay() + 6) % 7) * DAY_MS;
  const month = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
  return {
    daily: new Date(day).toISOString(),
    weekly: new Date(monday).toISOString(),
    monthly: new Date(month).toISOString(),
  };
}

/** when a key's limit period next starts again (ISO, UTC midnight), null for `never` */
export function nextPeriodStart(period: LimitReset, now: number): string | null {
  if (period === 'never') return null;
  const day = Math.floor(now / DAY_MS) * DAY_MS;
  const d = new Date(day);
  if (period === 'daily') return new Date(day + DAY_MS).toISOString();
  if (period === 'weekly') return new Date(day + (7 - ((d.getUTCDay() + 6) % 7)) * DAY_MS).toISOString();
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1)).toISOString();
}

export interface KeyUsageView {
  total: Pusd;
  daily: Pusd;
  weekly: Pusd;
  monthly: Pusd;
  /** usage in the key's own limit period (total for 'never') */
  period: Pusd;
}

/** The ledger's spend per account, and per key in the current day, week, month and lifetime. */
export async function ledgerTotals(storage: Storage, now = Date.now()): Promise<Required<PersistedTotals>> {
  const pks = periodKeys(now);
  const starts = periodStarts(now);
  const keys: Required<PersistedTotals>['keys'] = [];
  const [accounts, daily, weekly, monthly, total] = await Promise.all([
    storage.accountSpend(),
    storage.keySpendSince(starts.daily),
    storage.keySpendSince(starts.weekly),
    storage.keySpendSince(starts.monthly),
    storage.keySpendSince('0000'),
  ]);
  for (const r of daily) keys.push({ keyId: r.id, period: 'daily', periodKey: pks.daily, spent: r.spent_pusd });
  for (const r of weekly) keys.push({ keyId: r.id, period: 'weekly', periodKey: pks.weekly, spent: r.spent_pusd });
  for (const r of monthly) keys.push({ keyId: r.id, period: 'monthly', periodKey: pks.monthly, spent: r.spent_pusd });
  for (const r of total) keys.push({ keyId: r.id, period: 'never', periodKey: pks.never, spent: r.spent_pusd });
  return { accounts: accounts.map((a) => ({ accountId: a.id, spent: a.spent_pusd })), keys };
}

const storeDown = (err: unknown): never => {
  if (err instanceof HttpError || err instanceof RangeError) throw err;
  throw new HttpError(
    503,
    `The shared spend store is unavailable (${(err as Error)?.message ?? String(err)}); retry shortly.`,
    'service_unavailable',
    'spend_store_unavailable',
  );
};

/** `then` only for a promise: a synchronous store's value passes through in the same turn */
function map<T, U>(v: MaybePromise<T>, f: (t: T) => U): MaybePromise<U> {
  return v instanceof Promise ? v.then(f, storeDown) : f(v);
}

function periodView(key: KeyRow, u: KeyUsage): KeyUsageView {
  const period =
    key.limit_reset === 'daily'
      ? u.usage_daily
      : key.limit_reset === 'weekly'
        ? u.usage_weekly
        : key.limit_reset === 'monthly'
          ? u.usage_monthly
          : u.usage_total;
  return { total: u.usage_total, daily: u.usage_daily, weekly: u.usage_weekly, monthly: u.usage_monthly, period };
}

export class SpendService {
  constructor(readonly store: ReservationStore = new MemoryReservationStore()) {}

  /**
   * At start: the in-process store takes the ledger's totals; a shared store loads them only once per
   * deployment (when its counters are absent), since other processes' settled spend lives there already.
   */
  async loadFrom(storage: Storage, now = Date.now()): Promise<void> {
    if (this.store instanceof RedisReservationStore) {
      this.store.source = () => ledgerTotals(storage);
      await this.store.ensureInitialised();
      return;
    }
    await this.store.load(await ledgerTotals(storage, now));
  }

  reserve(account: AccountRow, key: KeyRow, amount: Pusd): MaybePromise<ReserveResult> {
    const r = this.store.reserve({
      accountId: account.id,
      keyId: key.id,
      amount,
      accountCredit: account.credits_pusd,
      keyLimit: key.limit_pusd === null ? null : { limit: key.limit_pusd, period: key.limit_reset },
    });
    return r instanceof Promise ? r.catch(storeDown) : r;
  }

  /**
   * A shared store's failure rejects with the store's own error: the request is answered already, so the caller
   * logs it; the reservation then expires and `arouter reconcile` restores the counter from the ledger.
   */
  settle(reservationId: string, actual: Pusd): MaybePromise<void> {
    const r = this.store.settle(reservationId, actual);
    return r instanceof Promise ? r.then(() => undefined) : undefined;
  }

  release(reservationId: string): MaybePromise<void> {
    const r = this.store.release(reservationId);
    return r instanceof Promise ? r.then(() => undefined) : undefined;
  }

  keyUsage(key: KeyRow, now = Date.now()): MaybePromise<KeyUsageView> {
    return map(this.store.keyUsage(key.id, now), (u) => periodView(key, u));
  }

  accountSpent(accountId: string): MaybePromise<Pusd> {
    return map(this.store.accountStatus(accountId), (s) => s.spent);
  }
}
