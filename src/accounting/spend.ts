// Spend control for the gateway: wraps the reservation store with the account/key rows it needs, and
// rebuilds its totals from the ledger at start so limits survive restarts.
import type { AccountRow, KeyRow, Storage } from '../store/types.js';
import { MemoryReservationStore, periodKeys, type ReservationStore, type ReserveResult } from './reservations.js';
import type { Pusd } from './money.js';

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

export interface KeyUsageView {
  total: Pusd;
  daily: Pusd;
  weekly: Pusd;
  monthly: Pusd;
  /** usage in the key's own limit period (total for 'never') */
  period: Pusd;
}

export class SpendService {
  constructor(readonly store: ReservationStore = new MemoryReservationStore()) {}

  async loadFrom(storage: Storage, now = Date.now()): Promise<void> {
    const pks = periodKeys(now);
    const starts = periodStarts(now);
    const keys: Array<{
      keyId: string;
      period: 'daily' | 'weekly' | 'monthly' | 'never';
      periodKey: string;
      spent: Pusd;
    }> = [];
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
    this.store.load({ accounts: accounts.map((a) => ({ accountId: a.id, spent: a.spent_pusd })), keys });
  }

  reserve(account: AccountRow, key: KeyRow, amount: Pusd): ReserveResult {
    return this.store.reserve({
      accountId: account.id,
      keyId: key.id,
      amount,
      accountCredit: account.credits_pusd,
      keyLimit: key.limit_pusd === null ? null : { limit: key.limit_pusd, period: key.limit_reset },
    });
  }

  settle(reservationId: string, actual: Pusd): void {
    this.store.settle(reservationId, actual);
  }

  release(reservationId: string): void {
    this.store.release(reservationId);
  }

  keyUsage(key: KeyRow, now = Date.now()): KeyUsageView {
    const u = this.store.keyUsage(key.id, now);
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

  accountSpent(accountId: string): Pusd {
    return this.store.accountStatus(accountId).spent;
  }
}
