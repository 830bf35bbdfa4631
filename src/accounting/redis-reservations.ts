// Reservations and spend counters shared by every process of a deployment (config `redis.url`): the same
// decisions as MemoryReservationStore, each operation one Lua script (redis-spend-lua.ts), one round trip.
//
// Crash semantics: a reservation carries an expiry (`ttlMs`, derived from upstream.total_deadline_ms plus a
// margin, so a live request always settles first). A process killed with kill -9 leaves its reservations in
// Redis; the next reserve on the same account or key sweeps the expired ones (their amounts return to the
// headroom), and sweep() does it for every account/key on demand. Nothing is held forever.
//
// Counters are initialised from the ledger once per deployment: the `init` marker says they were; without it
// (a new Redis, or one flushed or restarted without persistence) reserve answers 'init', and this store loads
// the ledger's totals under a lock (one process loads, the others wait for the marker), then decides.
import { randomBytes } from 'node:crypto';
import type { Redis } from '../store/redis.js';
import {
  periodKeys,
  type KeyUsage,
  type PersistedTotals,
  type ReservationStore,
  type ReserveRequest,
  type ReserveResult,
} from './reservations.js';
import type { Pusd } from './money.js';
import { CAS_LUA, RECORD_LUA, RELEASE_LUA, RESERVE_LUA, SETTLE_LUA, SWEEP_LUA } from './redis-spend-lua.js';

const DAY_MS = 86_400_000;
/** a period counter lives at most its period's length plus a day after its last write, then Redis drops it */
export const PERIOD_TTL_MS = { d: 2 * DAY_MS, w: 8 * DAY_MS, m: 32 * DAY_MS } as const;
const PERIOD_CODE = { daily: 'd', weekly: 'w', monthly: 'm', never: 'n' } as const;
/** how long a process waits for another one loading the counters before it loads them itself */
const INIT_LOCK_MS = 60_000;
const LOAD_CHUNK = 500;

interface SpendCommands {
  arSpendReserve(...args: string[]): Promise<string[]>;
  arSpendSettle(...args: string[]): Promise<number>;
  arSpendRelease(...args: string[]): Promise<number>;
  arSpendRecord(...args: string[]): Promise<number>;
  arSpendSweep(...args: string[]): Promise<number>;
  arSpendCas(key: string, ...args: string[]): Promise<number>;
}

export interface RedisReservationOptions {
  /** how long a reservation outlives its reserve when nobody settles it (its process died) */
  ttlMs: number;
  /** the ledger's totals, read when Redis holds no counters yet; without it an empty Redis starts at zero */
  source?: () => Promise<PersistedTotals>;
}

function checkAmount(what: string, amount: Pusd): void {
  if (typeof amount !== 'bigint' || amount < 0n)
    throw new RangeError(`${what} must be a non-negative bigint (pUSD), got ${String(amount)}`);
}

const big = (v: string | null | undefined): Pusd => (v ? BigInt(v) : 0n);

export class RedisReservationStore implements ReservationStore {
  private readonly r: Redis & SpendCommands;
  /** the prefix the client puts before KEYS; the scripts build their keys themselves, so they get it too */
  readonly prefix: string;
  private readonly idPrefix = 'rsv_' + randomBytes(6).toString('hex') + '_';
  private seq = 0;
  private initialising: Promise<void> | null = null;
  source: (() => Promise<PersistedTotals>) | null;

  constructor(
    redis: Redis,
    readonly opts: RedisReservationOptions,
  ) {
    this.prefix = redis.options.keyPrefix ?? '';
    this.source = opts.source ?? null;
    redis.defineCommand('arSpendReserve', { numberOfKeys: 0, lua: RESERVE_LUA });
    redis.defineCommand('arSpendSettle', { numberOfKeys: 0, lua: SETTLE_LUA });
    redis.defineCommand('arSpendRelease', { numberOfKeys: 0, lua: RELEASE_LUA });
    redis.defineCommand('arSpendRecord', { numberOfKeys: 0, lua: RECORD_LUA });
    redis.defineCommand('arSpendSweep', { numberOfKeys: 0, lua: SWEEP_LUA });
    redis.defineCommand('arSpendCas', { numberOfKeys: 1, lua: CAS_LUA });
    this.r = redis as Redis & SpendCommands;
  }

  get redis(): Redis {
    return this.r;
  }

  async reserve(req: ReserveRequest): Promise<ReserveResult> {
    checkAmount('reservation amount', req.amount);
    const now = req.now ?? Date.now();
    const pks = periodKeys(now);
    const id = this.idPrefix + (++this.seq).toString(36);
    const args = [
      this.prefix,
      req.accountId,
      req.keyId,
      req.amount.toString(),
      req.accountCredit === null ? '' : req.accountCredit.toString(),
      req.keyLimit === null ? '' : req.keyLimit.limit.toString(),
      req.keyLimit === null ? '' : PERIOD_CODE[req.keyLimit.period],
      pks.daily,
      pks.weekly,
      pks.monthly,
      id,
      String(now),
      String(now + this.opts.ttlMs),
    ];
    let out = await this.r.arSpendReserve(...args);
    if (out[0] === 'init') {
      await this.ensureInitialised();
      out = await this.r.arSpendReserve(...args);
      if (out[0] === 'init') throw new Error('Redis spend counters were flushed again while loading them');
    }
    if (out[0] === 'ok')
      return { ok: true, reservationId: id, available: out[1] === undefined ? null : BigInt(out[1]) };
    return { ok: false, reason: out[0] as 'account_credit' | 'key_limit', available: BigInt(out[1]) };
  }

  async settle(reservationId: string, actual: Pusd): Promise<boolean> {
    checkAmount('actual cost', actual);
    const t = PERIOD_TTL_MS;
    const n = await this.r.arSpendSettle(
      this.prefix,
      reservationId,
      actual.toString(),
      String(t.d),
      String(t.w),
      String(t.m),
    );
    return n === 1;
  }

  async release(reservationId: string): Promise<boolean> {
    return (await this.r.arSpendRelease(this.prefix, reservationId)) === 1;
  }

  async record(accountId: string, keyId: string, amount: Pusd, now = Date.now()): Promise<void> {
    checkAmount('recorded amount', amount);
    const pks = periodKeys(now);
    const t = PERIOD_TTL_MS;
    await this.r.arSpendRecord(
      this.prefix,
      accountId,
      keyId,
      amount.toString(),
      pks.daily,
      pks.weekly,
      pks.monthly,
      String(t.d),
      String(t.w),
      String(t.m),
    );
  }

  /** Returns the expired reservations of these accounts and keys to their headroom (reserve does it itself). */
  async sweep(accountIds: readonly string[], keyIds: readonly string[], now = Date.now()): Promise<number> {
    const pairs: string[] = [];
    for (const a of accountIds) pairs.push('a', a);
    for (const k of keyIds) pairs.push('k', k);
    return this.r.arSpendSweep(this.prefix, String(now), ...pairs);
  }

  async accountStatus(accountId: string): Promise<{ spent: Pusd; reserved: Pusd }> {
    const [spent, reserved] = await this.r.hmget(`a:${accountId}`, 'spent', 'reserved');
    return { spent: big(spent), reserved: big(reserved) };
  }

  async keyStatus(keyId: string, now = Date.now()): Promise<KeyUsage & { reserved: Pusd }> {
    const [u, reserved] = await Promise.all([this.keyUsage(keyId, now), this.r.hget(`k:${keyId}`, 'reserved')]);
    return { ...u, reserved: big(reserved) };
  }

  async keyUsage(keyId: string, now = Date.now()): Promise<KeyUsage> {
    const pks = periodKeys(now);
    // auto-pipelining sends the four reads in one write
    const [total, d, w, m] = await Promise.all([
      this.r.hget(`k:${keyId}`, 'total'),
      this.r.get(`k:${keyId}:d:${pks.daily}`),
      this.r.get(`k:${keyId}:w:${pks.weekly}`),
      this.r.get(`k:${keyId}:m:${pks.monthly}`),
    ]);
    return { usage_total: big(total), usage_daily: big(d), usage_weekly: big(w), usage_monthly: big(m) };
  }

  /**
   * Replaces the spend counters of the listed accounts and keys (reserved sums and reservations are kept). Used
   * by the first load from the ledger; reconcile uses compare-and-set instead (it runs beside live traffic).
   */
  async load(totals: PersistedTotals): Promise<void> {
    const rows: Array<(m: ReturnType<Redis['multi']>) => void> = [];
    for (const a of totals.accounts ?? []) {
      checkAmount(`spent of account ${a.accountId}`, a.spent);
      rows.push((m) => m.hset(`a:${a.accountId}`, 'spent', a.spent.toString()));
    }
    for (const k of totals.keys ?? []) {
      checkAmount(`spent of key ${k.keyId}`, k.spent);
      if (k.period === 'never') rows.push((m) => m.hset(`k:${k.keyId}`, 'total', k.spent.toString()));
      else {
        const c = PERIOD_CODE[k.period] as 'd' | 'w' | 'm';
        if (c === undefined) throw new RangeError(`unknown key period ${String(k.period)}`);
        rows.push((m) => m.set(`k:${k.keyId}:${c}:${k.periodKey}`, k.spent.toString(), 'PX', PERIOD_TTL_MS[c]));
      }
    }
    for (let i = 0; i < rows.length; i += LOAD_CHUNK) {
      const m = this.r.multi();
      for (const row of rows.slice(i, i + LOAD_CHUNK)) row(m);
      await m.exec();
    }
  }

  /** true when this deployment's counters were loaded (the generation marker is present) */
  async initialised(): Promise<boolean> {
    return (await this.r.exists('init')) === 1;
  }

  /**
   * Loads the counters from the ledger unless another process did: one loader per deployment (a lock with a
   * timeout, so a loader that died is replaced), the others wait for the marker. Concurrent callers in this
   * process share one attempt.
   */
  ensureInitialised(): Promise<void> {
    this.initialising ??= this.initialise().finally(() => {
      this.initialising = null;
    });
    return this.initialising;
  }

  private async initialise(): Promise<void> {
    const token = this.idPrefix + 'init';
    const deadline = Date.now() + 2 * INIT_LOCK_MS;
    for (;;) {
      if (await this.initialised()) return;
      if ((await this.r.set('init:lock', token, 'PX', INIT_LOCK_MS, 'NX')) === 'OK') {
        try {
          if (await this.initialised()) return;
          if (this.source) await this.load(await this.source());
          await this.r.set('init', `${new Date().toISOString()} ${token}`);
        } finally {
          if ((await this.r.get('init:lock')) === token) await this.r.del('init:lock');
        }
        return;
      }
      if (Date.now() > deadline) throw new Error('timed out waiting for another process to load the spend counters');
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** compare-and-set of one counter (reconcile): false when it changed since it was read */
  async compareAndSet(
    key: string,
    field: string | null,
    expected: string | null,
    value: Pusd,
    ttlMs: number | null,
  ): Promise<boolean> {
    const n = await this.r.arSpendCas(
      key,
      field ?? '',
      expected ?? '',
      value.toString(),
      ttlMs === null ? '' : String(ttlMs),
    );
    return n === 1;
  }
}
