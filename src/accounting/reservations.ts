// Spend control without overspend: before a request goes upstream the gateway reserves its worst-case cost
// (cost.ts worstCaseCost); when the response is done it settles the reservation with the actual cost, or
// releases it if nothing was billed. A reservation only succeeds if, for the account AND the key,
//     settled spend + outstanding reservations + amount <= limit
// so any number of concurrent requests can never together exceed a limit by more than the (rare) amount an
// upstream bills above its own worst case.
//
// Account credit follows OpenRouter's /credits model: `accountCredit` is the account's TOTAL credits
// (purchased + granted), and this store owns the lifetime spend (`total_usage`), loaded from the database
// at start. Passing an already-reduced "remaining" balance would count spend twice.
//
// Key limits apply to the key's spend in the current UTC period: day, ISO week (Monday 00:00 UTC), month,
// or lifetime ('never'). A request's cost is attributed to the periods in which it was RESERVED (its start),
// matching a usage log keyed by request time; a reservation straddling midnight still counts against the new
// period while outstanding, which errs on the safe side.
//
// Atomic by design: every method is one synchronous check-and-update with no await inside, so in-process it
// cannot interleave. The Redis port (redis-reservations.ts) makes each method one Lua script, so N processes
// decide exactly as this store does; its methods return promises, hence MaybePromise in the interface.
// Amounts are integers in pUSD, which fit Redis' signed 64-bit INCRBY up to ~$9.2M per counter.

import { randomBytes } from 'node:crypto';
import type { Pusd } from './money.js';

export type KeyPeriod = 'daily' | 'weekly' | 'monthly' | 'never';
export const KEY_PERIODS: readonly KeyPeriod[] = ['daily', 'weekly', 'monthly', 'never'];

export interface KeyLimit {
  limit: Pusd;
  period: KeyPeriod;
}

export interface ReserveRequest {
  accountId: string;
  keyId: string;
  /** worst-case cost of the request */
  amount: Pusd;
  /** the account's total credits; null = unlimited (self-hosted operator accounts) */
  accountCredit: Pusd | null;
  keyLimit: KeyLimit | null;
  now?: number;
}

export type ReserveResult =
  | {
      ok: true;
      reservationId: string;
      /** headroom left after this reservation; null = unlimited */ available: Pusd | null;
    }
  | {
      ok: false;
      reason: 'account_credit' | 'key_limit';
      /** headroom before this request, may be negative */ available: Pusd;
    };

export interface KeyUsage {
  usage_total: Pusd;
  usage_daily: Pusd;
  usage_weekly: Pusd;
  usage_monthly: Pusd;
}

export interface PersistedTotals {
  accounts?: Array<{ accountId: string; spent: Pusd }>;
  /** one row per key and period; for 'never' the periodKey is ignored */
  keys?: Array<{ keyId: string; period: KeyPeriod; periodKey: string; spent: Pusd }>;
}

/** A synchronous store (in-process) returns values; a shared one (Redis) returns promises. */
export type MaybePromise<T> = T | Promise<T>;

export interface ReservationStore {
  reserve(req: ReserveRequest): MaybePromise<ReserveResult>;
  /** Replace a reservation by its actual cost. false if unknown (already settled/released): never double-charges. */
  settle(reservationId: string, actual: Pusd): MaybePromise<boolean>;
  /** Drop a reservation without charging. false if unknown. */
  release(reservationId: string): MaybePromise<boolean>;
  /** Charge without a reservation (e.g. usage reported after the reservation was released). */
  record(accountId: string, keyId: string, amount: Pusd, now?: number): MaybePromise<void>;
  accountStatus(accountId: string): MaybePromise<{ spent: Pusd; reserved: Pusd }>;
  keyStatus(keyId: string, now?: number): MaybePromise<KeyUsage & { reserved: Pusd }>;
  keyUsage(keyId: string, now?: number): MaybePromise<KeyUsage>;
  load(totals: PersistedTotals): MaybePromise<void>;
}

// --- period keys ------------------------------------------------------------------------------------------

export interface PeriodKeys {
  daily: string; // "2025-01-31"
  weekly: string; // "2025-W05" (ISO 8601 week-numbering year and week)
  monthly: string; // "2025-01"
  never: string; // "all"
}

const DAY_MS = 86_400_000;
let cachedDay = Number.NaN;
let cachedKeys: PeriodKeys | null = null;

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** UTC period keys for an instant. Lexicographic order is chronological, which the rollover relies on. */
export function periodKeys(now: number): PeriodKeys {
  const day = Math.floor(now / DAY_MS);
  // Computed once per UTC day: reserve() is on the hot path and Date formatting is not free.
  if (day === cachedDay && cachedKeys !== null) return cachedKeys;
  const d = new Date(day * DAY_MS);
  const y = d.getUTCFullYear();
  const daily = `${pad(y, 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
  // ISO week: the week (Mon..Sun) belongs to the year that contains its Thursday.
  const mondayBased = (d.getUTCDay() + 6) % 7;
  const thursday = day - mondayBased + 3;
  const isoYear = new Date(thursday * DAY_MS).getUTCFullYear();
  const week = Math.floor((thursday - Date.UTC(isoYear, 0, 1) / DAY_MS) / 7) + 1;
  // frozen: reservations keep a reference to it
  cachedKeys = Object.freeze({
    daily,
    weekly: `${pad(isoYear, 4)}-W${pad(week)}`,
    monthly: daily.slice(0, 7),
    never: 'all',
  });
  cachedDay = day;
  return cachedKeys;
}

export function periodKey(period: KeyPeriod, now: number): string {
  return periodKeys(now)[period];
}

// --- in-process store -------------------------------------------------------------------------------------

interface Counter {
  pk: string;
  v: Pusd;
}

interface KeyState {
  total: Pusd;
  daily: Counter;
  weekly: Counter;
  monthly: Counter;
  reserved: Pusd;
}

interface AccountState {
  spent: Pusd;
  reserved: Pusd;
}

interface Reservation {
  accountId: string;
  keyId: string;
  amount: Pusd;
  at: number;
  pks: PeriodKeys;
}

type RollingPeriod = 'daily' | 'weekly' | 'monthly';
const ROLLING: readonly RollingPeriod[] = ['daily', 'weekly', 'monthly'];

function periodSpent(k: KeyState, period: KeyPeriod, pks: PeriodKeys): Pusd {
  if (period === 'never') return k.total;
  const c = k[period];
  return c.pk === pks[period] ? c.v : 0n;
}

function addToPeriod(c: Counter, pk: string, amount: Pusd): void {
  if (c.pk === pk) c.v += amount;
  else if (pk > c.pk) {
    c.pk = pk;
    c.v = amount;
  }
  // else: the cost belongs to a period that has already rolled over; only the lifetime total keeps it.
}

function checkAmount(what: string, amount: Pusd): void {
  if (typeof amount !== 'bigint' || amount < 0n)
    throw new RangeError(`${what} must be a non-negative bigint (pUSD), got ${String(amount)}`);
}

export class MemoryReservationStore implements ReservationStore {
  private readonly accounts = new Map<string, AccountState>();
  private readonly keys = new Map<string, KeyState>();
  private readonly reservations = new Map<string, Reservation>();
  // Random instance prefix: ids stay unique across restarts and processes when they end up in logs.
  private readonly idPrefix = 'rsv_' + randomBytes(4).toString('hex') + '_';
  private seq = 0;

  /** Outstanding reservations (for metrics and tests). */
  get outstanding(): number {
    return this.reservations.size;
  }

  reserve(req: ReserveRequest): ReserveResult {
    checkAmount('reservation amount', req.amount);
    const now = req.now ?? Date.now();
    const pks = periodKeys(now);
    const acct = this.account(req.accountId);
    const key = this.key(req.keyId);

    // Headroom before this request; negative when an earlier settle exceeded its reservation.
    const acctAvail = req.accountCredit === null ? null : req.accountCredit - acct.spent - acct.reserved;
    const keyAvail =
      req.keyLimit === null ? null : req.keyLimit.limit - periodSpent(key, req.keyLimit.period, pks) - key.reserved;

    const acctFails = acctAvail !== null && req.amount > acctAvail;
    const keyFails = keyAvail !== null && req.amount > keyAvail;
    if (acctFails || keyFails) {
      // Report the binding constraint (least headroom) so the client is told the limit that actually matters.
      if (acctFails && (!keyFails || (acctAvail as Pusd) <= (keyAvail as Pusd))) {
        return { ok: false, reason: 'account_credit', available: acctAvail as Pusd };
      }
      return { ok: false, reason: 'key_limit', available: keyAvail as Pusd };
    }

    acct.reserved += req.amount;
    key.reserved += req.amount;
    const id = this.idPrefix + (++this.seq).toString(36);
    this.reservations.set(id, { accountId: req.accountId, keyId: req.keyId, amount: req.amount, at: now, pks });

    let available: Pusd | null = null;
    if (acctAvail !== null) available = acctAvail - req.amount;
    if (keyAvail !== null && (available === null || keyAvail - req.amount < available))
      available = keyAvail - req.amount;
    return { ok: true, reservationId: id, available };
  }

  settle(reservationId: string, actual: Pusd): boolean {
    checkAmount('actual cost', actual);
    const r = this.take(reservationId);
    if (r === undefined) return false;
    // Recorded even if above the reservation: the upstream billed it, so the account owes it. The next
    // reserve() then sees less (possibly negative) headroom, which is how the rare excess is contained.
    this.charge(r.accountId, r.keyId, actual, r.pks);
    return true;
  }

  release(reservationId: string): boolean {
    return this.take(reservationId) !== undefined;
  }

  record(accountId: string, keyId: string, amount: Pusd, now = Date.now()): void {
    checkAmount('recorded amount', amount);
    this.charge(accountId, keyId, amount, periodKeys(now));
  }

  /**
   * Release reservations older than maxAgeMs. A gateway settles or releases in a `finally`, so this only
   * catches leaks (a crashed handler); without it a leaked reservation would block spend forever.
   */
  releaseExpired(maxAgeMs: number, now = Date.now()): number {
    let n = 0;
    for (const [id, r] of this.reservations) {
      if (now - r.at > maxAgeMs) {
        this.take(id);
        n++;
      }
    }
    return n;
  }

  accountStatus(accountId: string): { spent: Pusd; reserved: Pusd } {
    const a = this.accounts.get(accountId);
    return { spent: a?.spent ?? 0n, reserved: a?.reserved ?? 0n };
  }

  keyStatus(keyId: string, now = Date.now()): KeyUsage & { reserved: Pusd } {
    return { ...this.keyUsage(keyId, now), reserved: this.keys.get(keyId)?.reserved ?? 0n };
  }

  keyUsage(keyId: string, now = Date.now()): KeyUsage {
    const k = this.keys.get(keyId);
    if (k === undefined) return { usage_total: 0n, usage_daily: 0n, usage_weekly: 0n, usage_monthly: 0n };
    const pks = periodKeys(now);
    return {
      usage_total: k.total,
      usage_daily: periodSpent(k, 'daily', pks),
      usage_weekly: periodSpent(k, 'weekly', pks),
      usage_monthly: periodSpent(k, 'monthly', pks),
    };
  }

  /**
   * Initialise from persisted totals (replacing what is held for the listed accounts/keys; outstanding
   * reservations are kept). For a key with several rows per period, the newest periodKey wins, so a caller
   * may pass history without filtering it.
   */
  load(totals: PersistedTotals): void {
    for (const a of totals.accounts ?? []) {
      checkAmount(`spent of account ${a.accountId}`, a.spent);
      this.account(a.accountId).spent = a.spent;
    }
    const seen = new Set<string>();
    for (const row of totals.keys ?? []) {
      checkAmount(`spent of key ${row.keyId}`, row.spent);
      const k = this.key(row.keyId);
      const slot = row.keyId + '\u0000' + row.period;
      const first = !seen.has(slot);
      seen.add(slot);
      if (row.period === 'never') {
        k.total = row.spent;
        continue;
      }
      if (!ROLLING.includes(row.period)) throw new RangeError(`unknown key period ${String(row.period)}`);
      const c = k[row.period];
      if (first || row.periodKey >= c.pk) {
        c.pk = row.periodKey;
        c.v = row.spent;
      }
    }
  }

  private take(id: string): Reservation | undefined {
    const r = this.reservations.get(id);
    if (r === undefined) return undefined;
    this.reservations.delete(id);
    const a = this.account(r.accountId);
    const k = this.key(r.keyId);
    a.reserved -= r.amount;
    k.reserved -= r.amount;
    return r;
  }

  private charge(accountId: string, keyId: string, amount: Pusd, pks: PeriodKeys): void {
    this.account(accountId).spent += amount;
    const k = this.key(keyId);
    k.total += amount;
    for (const p of ROLLING) addToPeriod(k[p], pks[p], amount);
  }

  private account(id: string): AccountState {
    let a = this.accounts.get(id);
    if (a === undefined) {
      a = { spent: 0n, reserved: 0n };
      this.accounts.set(id, a);
    }
    return a;
  }

  private key(id: string): KeyState {
    let k = this.keys.get(id);
    if (k === undefined) {
      k = { total: 0n, daily: { pk: '', v: 0n }, weekly: { pk: '', v: 0n }, monthly: { pk: '', v: 0n }, reserved: 0n };
      this.keys.set(id, k);
    }
    return k;
  }
}
