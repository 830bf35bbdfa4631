// Rate limiting with FIXED WINDOWS aligned to multiples of windowMs since the Unix epoch.
//
// Why fixed windows rather than a sliding-window counter or token bucket:
// - exact, explainable numbers: "Remaining" is limit minus what was used in this window and "Reset" is the
//   instant the window ends, which is what X-RateLimit-* headers promise to clients (OpenRouter-style);
// - epoch alignment means every process (and a Redis port) agrees on window boundaries without coordination;
// - one integer per (key, limit) - the smallest possible state.
// The known cost is a burst of up to 2x the limit straddling a boundary. For per-minute/per-day request and
// token limits in front of LLM upstreams that is acceptable; money is protected by reservations, not here.
//
// Atomic by design: take() decides over ALL windows and consumes from all only when all allow, in one
// synchronous call. The Redis port is one Lua script: GET each `rl:{key}:{name}:{windowStart}`, compare,
// and only then INCRBY + PEXPIREAT(windowStart + windowMs) each of them.

export interface RateLimit {
  /** unique per key, e.g. "rpm", "tpm", "rpd"; also the name reported in `limited_by` */
  name: string;
  limit: number;
  windowMs: number;
}

export interface RateDecision {
  allowed: boolean;
  /** the limit that refused the request (the one freeing last, when several refuse) */
  limited_by: string | null;
  /** the reported limit: the refusing one, or when allowed the one with least remaining */
  limit: number;
  remaining: number;
  /** epoch ms when the reported window ends and its counter starts again from zero */
  resetMs: number;
  /** seconds until a retry can succeed; 0 when allowed */
  retryAfterSec: number;
}

export interface RateLimiter {
  /**
   * Decide and, only if every limit allows, consume `cost` (default 1) from every limit. A cost larger than
   * a limit can never pass; callers should check `cost > limit` and answer 413/400 rather than 429.
   */
  take(key: string, limits: RateLimit[], cost?: number, now?: number): RateDecision;
  /** The decision take() would return, without consuming anything. */
  peek(key: string, limits: RateLimit[], cost?: number, now?: number): RateDecision;
  /** Give back `amount` to the current window of one limit (e.g. a request rejected after take()). */
  refund(key: string, name: string, amount: number, now?: number): void;
}

interface Bucket {
  windowStart: number;
  windowMs: number;
  used: number;
}

export interface MemoryRateLimiterOptions {
  /** hard cap on live buckets (key x limit name); default 100,000 (~10 MB) */
  maxBuckets?: number;
  /** minimum interval between sweeps of expired buckets; default 10 s */
  sweepIntervalMs?: number;
}

export class MemoryRateLimiter implements RateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly maxBuckets: number;
  private readonly sweepIntervalMs: number;
  private lastSweep = 0;

  constructor(opts: MemoryRateLimiterOptions = {}) {
    this.maxBuckets = opts.maxBuckets ?? 100_000;
    this.sweepIntervalMs = opts.sweepIntervalMs ?? 10_000;
  }

  /** Live buckets, for tests and metrics. */
  get size(): number {
    return this.buckets.size;
  }

  take(key: string, limits: RateLimit[], cost = 1, now = Date.now()): RateDecision {
    return this.decide(key, limits, cost, now, true);
  }

  peek(key: string, limits: RateLimit[], cost = 1, now = Date.now()): RateDecision {
    return this.decide(key, limits, cost, now, false);
  }

  refund(key: string, name: string, amount: number, now = Date.now()): void {
    const b = this.buckets.get(bucketKey(key, name));
    // A refund for a window that already ended has nothing left to give back to.
    if (b === undefined || b.windowStart !== windowStart(now, b.windowMs)) return;
    b.used = Math.max(0, b.used - Math.max(0, amount));
  }

  /** Drop every bucket (e.g. after a config reload changes the limits). */
  clear(): void {
    this.buckets.clear();
  }

  private decide(key: string, limits: RateLimit[], cost: number, now: number, consume: boolean): RateDecision {
    if (!(cost >= 0) || !Number.isFinite(cost)) throw new RangeError(`rate limit cost must be >= 0, got ${cost}`);
    this.maybeSweep(now);
    // read every window, decide; nothing is written unless all allow
    const used: number[] = new Array(limits.length);
    for (let i = 0; i < limits.length; i++) {
      const l = limits[i];
      validate(l);
      const b = this.buckets.get(bucketKey(key, l.name));
      used[i] =
        b !== undefined && b.windowStart === windowStart(now, l.windowMs) && b.windowMs === l.windowMs ? b.used : 0;
    }
    const d = decide(limits, used, cost, now);
    // peek reports what take() would leave
    if (d.allowed && consume)
      for (let i = 0; i < limits.length; i++)
        this.write(key, limits[i], windowStart(now, limits[i].windowMs), used[i] + cost, now);
    return d;
  }

  private write(key: string, l: RateLimit, ws: number, used: number, now: number): void {
    const k = bucketKey(key, l.name);
    const b = this.buckets.get(k);
    if (b !== undefined && b.windowStart === ws && b.windowMs === l.windowMs) {
      b.used = used;
      return;
    }
    // New or rolled-over window: re-insert so Map order tracks window age, which makes eviction under the
    // hard cap drop the stalest buckets first.
    if (b !== undefined) this.buckets.delete(k);
    else if (this.buckets.size >= this.maxBuckets) this.evict(now);
    this.buckets.set(k, { windowStart: ws, windowMs: l.windowMs, used });
  }

  private maybeSweep(now: number): void {
    if (now - this.lastSweep < this.sweepIntervalMs) return;
    this.lastSweep = now;
    this.sweep(now);
  }

  /** Drop buckets whose window has ended: they would read as 0 anyway. O(n), at most every sweepIntervalMs. */
  sweep(now = Date.now()): void {
    for (const [k, b] of this.buckets) if (now >= b.windowStart + b.windowMs) this.buckets.delete(k);
  }

  private evict(now: number): void {
    // Expired buckets first; if every bucket is live, the oldest 1% go (a batch, so a flood of new keys costs
    // one O(n) sweep per 1% rather than per insert). Evicting a live bucket forgets its count, i.e. fails
    // open for that key - preferable to unbounded memory under a key-spraying attack.
    this.sweep(now);
    let excess = this.buckets.size - this.maxBuckets + 1;
    if (excess <= 0) return;
    excess = Math.max(excess, Math.floor(this.maxBuckets / 100));
    for (const k of this.buckets.keys()) {
      if (excess-- <= 0) break;
      this.buckets.delete(k);
    }
  }
}

function bucketKey(key: string, name: string): string {
  return key + '\u0000' + name;
}

/** the window `now` falls in */
export function windowStart(now: number, windowMs: number): number {
  return now - (now % windowMs);
}

/**
 * The decision over `limits` given each one's count in its current window (`used`), for a request costing `cost`;
 * shared by the in-memory limiter and the Redis one (which reads the counts in a Lua script). A refusal names the
 * limit freeing last (the client must wait for it); an admission reports the tightest limit after consuming (least
 * remaining; on a tie the one resetting later).
 */
export function decide(limits: RateLimit[], used: number[], cost: number, now: number): RateDecision {
  if (limits.length === 0)
    return { allowed: true, limited_by: null, limit: Infinity, remaining: Infinity, resetMs: now, retryAfterSec: 0 };
  let refused = -1;
  let refusedReset = -Infinity;
  for (let i = 0; i < limits.length; i++) {
    const l = limits[i];
    const reset = windowStart(now, l.windowMs) + l.windowMs;
    if (used[i] + cost > l.limit && reset > refusedReset) {
      refused = i;
      refusedReset = reset;
    }
  }
  if (refused >= 0) {
    const l = limits[refused];
    return {
      allowed: false,
      limited_by: l.name,
      limit: l.limit,
      remaining: Math.max(0, l.limit - used[refused]),
      resetMs: refusedReset,
      // at least 1 s so clients never busy-loop on "Retry-After: 0"
      retryAfterSec: Math.max(1, Math.ceil((refusedReset - now) / 1000)),
    };
  }
  let best = 0;
  let bestRemaining = Infinity;
  let bestReset = 0;
  for (let i = 0; i < limits.length; i++) {
    const l = limits[i];
    const remaining = l.limit - (used[i] + cost);
    const reset = windowStart(now, l.windowMs) + l.windowMs;
    if (remaining < bestRemaining || (remaining === bestRemaining && reset > bestReset)) {
      best = i;
      bestRemaining = remaining;
      bestReset = reset;
    }
  }
  return {
    allowed: true,
    limited_by: null,
    limit: limits[best].limit,
    remaining: bestRemaining,
    resetMs: bestReset,
    retryAfterSec: 0,
  };
}

function validate(l: RateLimit): void {
  if (!(l.windowMs > 0) || !Number.isFinite(l.windowMs))
    throw new RangeError(`rate limit ${l.name}: windowMs must be > 0`);
  if (!(l.limit >= 0)) throw new RangeError(`rate limit ${l.name}: limit must be >= 0`);
}

/**
 * Response headers for a decision. X-RateLimit-Reset is epoch milliseconds (as OpenRouter sends it);
 * Retry-After (seconds, RFC 9110) only on refusals. No headers when no limit applied.
 */
/** `asAllowed`: describe the window without a Retry-After even if it is exhausted (peeks, not refusals). */
export function rateLimitHeaders(d: RateDecision, asAllowed = false): Record<string, string> {
  if (!Number.isFinite(d.limit)) return {};
  const h: Record<string, string> = {
    'X-RateLimit-Limit': String(d.limit),
    'X-RateLimit-Remaining': String(Math.max(0, Math.floor(d.remaining))),
    'X-RateLimit-Reset': String(d.resetMs),
  };
  if (!d.allowed && !asAllowed) h['Retry-After'] = String(Math.max(1, d.retryAfterSec));
  return h;
}
