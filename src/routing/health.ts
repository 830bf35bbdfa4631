// Live endpoint health: rolling uptime / latency / throughput statistics and a per-endpoint circuit breaker.
//
// Memory is bounded per endpoint regardless of traffic: success/failure counts live in a fixed ring of
// time buckets (1-minute x 24 h by default, typed arrays), and latency/throughput samples only in the
// percentile window (30 buckets x at most `samplesPerBucket` each, newest kept). Endpoint keys come from the
// catalog, so the number of tracked endpoints is bounded by the catalog size.
//
// Every method takes `now` (ms) so tests drive time explicitly; it defaults to the injected clock.

export type BreakerState = 'closed' | 'open' | 'half_open';
export type SampleClass = 'ok' | 'failure' | 'neutral';

export interface HealthSample {
  ok: boolean;
  /** HTTP status the upstream answered with; 0 for connection errors / timeouts before a status */
  status: number;
  latencyMs: number;
  /** time to first token; null for non-streaming calls */
  ttftMs: number | null;
  outputTokens: number;
  /** first token to last token; null when unknown (non-streaming) */
  generationMs: number | null;
  now?: number;
}

export type { Percentiles } from '../catalog/types.js';
import type { Percentiles } from '../catalog/types.js';

export interface EndpointStats {
  requests_last_30m: number;
  /** 0..1, null without traffic */
  success_rate_last_30m: number | null;
  /** percent, null without traffic */
  uptime_last_5m: number | null;
  uptime_last_30m: number | null;
  uptime_last_1d: number | null;
  /** time to first token, seconds */
  latency_last_30m: Percentiles | null;
  /** output tokens per second */
  throughput_last_30m: Percentiles | null;
  /** recent-weighted tokens/s used by `:nitro` / sort=throughput */
  throughput_estimate: number | null;
  /** recent-weighted TTFT in ms used by sort=latency */
  latency_estimate_ms: number | null;
  recently_failing: boolean;
  breaker: BreakerState;
  consecutive_failures: number;
}

export interface HealthOptions {
  /** consecutive failures that open the breaker */
  failureThreshold?: number;
  /** how long an open breaker rejects traffic before allowing one probe */
  cooldownMs?: number;
  /** a probe that never reports back is presumed lost after this, and another is allowed */
  probeTimeoutMs?: number;
  /** "recently failing" window used to push endpoints down the default ordering */
  recentFailureMs?: number;
  bucketMs?: number;
  retentionMs?: number;
  percentileWindowMs?: number;
  samplesPerBucket?: number;
  /** live estimates older than this fall back to catalog hints, so a once-slow endpoint gets re-measured */
  estimateTtlMs?: number;
  /** EWMA weight of the newest sample */
  alpha?: number;
  clock?: () => number;
}

/**
 * Whose fault a response was. Client errors (400/404/413/422) say nothing about the endpoint and are
 * neutral; auth errors (our key), timeouts, rate limits and 5xx mean the endpoint cannot serve right now.
 */
export function classifySample(s: Pick<HealthSample, 'ok' | 'status'>): SampleClass {
  if (s.ok) return 'ok';
  const st = s.status;
  if (st === 0 || st === 401 || st === 403 || st === 408 || st === 429 || st >= 500) return 'failure';
  return 'neutral';
}

const RECENT = 3;

/** Fast-reacting estimate: EWMA bounded by the median of the last 3 samples (see `estimate`). */
class Estimator {
  ewma: number | null = null;
  recent: number[] = [];
  at = -Infinity;

  push(v: number, alpha: number, now: number): void {
    this.ewma = this.ewma === null ? v : alpha * v + (1 - alpha) * this.ewma;
    this.recent.push(v);
    if (this.recent.length > RECENT) this.recent.shift();
    this.at = now;
  }

  /**
   * `pessimistic` picks the worse of EWMA and recent median. The median moves as soon as 2 of the last 3
   * samples changed, so a degradation is detected within 2 requests however good the history was (an EWMA
   * alone needs more the larger the drop), while one outlier sample never flips the choice.
   */
  estimate(worse: (a: number, b: number) => number, now: number, ttl: number): number | null {
    if (this.ewma === null || now - this.at > ttl) return null;
    return worse(this.ewma, lowerMedian(this.recent));
  }
}

/** the lower median of at most RECENT (3) samples, without copying and sorting them (runs in every plan) */
function lowerMedian(r: number[]): number {
  if (r.length === 1) return r[0];
  if (r.length === 2) return Math.min(r[0], r[1]);
  const [a, b, c] = r;
  return Math.max(Math.min(a, b), Math.min(Math.max(a, b), c));
}

interface SampleBucket {
  index: number;
  ttft: number[];
  tps: number[];
}

class EndpointHealth {
  readonly idx: Int32Array;
  readonly ok: Uint32Array;
  readonly fail: Uint32Array;
  readonly samples: Array<SampleBucket | undefined>;
  lastFailureAt = -Infinity;
  readonly throughput = new Estimator();
  readonly latency = new Estimator();
  consecutive = 0;
  open = false;
  openUntil = 0;
  probeAt: number | null = null;

  constructor(buckets: number, sampleBuckets: number) {
    this.idx = new Int32Array(buckets).fill(-1);
    this.ok = new Uint32Array(buckets);
    this.fail = new Uint32Array(buckets);
    this.samples = new Array<SampleBucket | undefined>(sampleBuckets);
  }
}

function percentiles(values: number[]): Percentiles | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  // nearest-rank: the smallest value with at least p% of samples at or below it
  const at = (p: number) => s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
  const r = (x: number) => Math.round(x * 1000) / 1000;
  return { p50: r(at(50)), p75: r(at(75)), p90: r(at(90)), p99: r(at(99)) };
}

export class HealthTracker {
  failureThreshold: number;
  cooldownMs: number;
  probeTimeoutMs: number;
  private readonly probeTimeoutGiven: boolean;
  readonly recentFailureMs: number;
  private readonly bucketMs: number;
  private readonly buckets: number;
  private readonly sampleBuckets: number;
  private readonly samplesPerBucket: number;
  private readonly estimateTtlMs: number;
  private readonly alpha: number;
  private readonly clock: () => number;
  private readonly endpoints = new Map<string, EndpointHealth>();

  constructor(opts: HealthOptions = {}) {
    this.failureThreshold = Math.max(1, opts.failureThreshold ?? 3);
    this.cooldownMs = opts.cooldownMs ?? 30_000;
    this.probeTimeoutGiven = opts.probeTimeoutMs !== undefined;
    this.probeTimeoutMs = opts.probeTimeoutMs ?? Math.max(60_000, this.cooldownMs);
    this.recentFailureMs = opts.recentFailureMs ?? 30_000;
    this.bucketMs = opts.bucketMs ?? 60_000;
    this.buckets = Math.max(1, Math.ceil((opts.retentionMs ?? 86_400_000) / this.bucketMs));
    this.sampleBuckets = Math.max(1, Math.ceil((opts.percentileWindowMs ?? 1_800_000) / this.bucketMs));
    this.samplesPerBucket = opts.samplesPerBucket ?? 64;
    this.estimateTtlMs = opts.estimateTtlMs ?? 1_800_000;
    this.alpha = opts.alpha ?? 0.5;
    this.clock = opts.clock ?? Date.now;
  }

  /**
   * A config reload's breaker settings (routing.breaker_failures, breaker_cooldown_ms): the history stays, the
   * next failure is judged by the new threshold, a circuit opened before keeps the cooldown it was given.
   */
  configure(opts: Pick<HealthOptions, 'failureThreshold' | 'cooldownMs'>): void {
    this.failureThreshold = Math.max(1, opts.failureThreshold ?? 3);
    this.cooldownMs = opts.cooldownMs ?? 30_000;
    if (!this.probeTimeoutGiven) this.probeTimeoutMs = Math.max(60_000, this.cooldownMs);
  }

  /** drops the history of endpoints `keep` refuses (a reload removed them from the catalog) */
  forget(keep: (endpointKey: string) => boolean): number {
    let n = 0;
    for (const k of this.endpoints.keys()) {
      if (keep(k)) continue;
      this.endpoints.delete(k);
      n++;
    }
    return n;
  }

  private get(key: string): EndpointHealth {
    let h = this.endpoints.get(key);
    if (h === undefined) {
      h = new EndpointHealth(this.buckets, this.sampleBuckets);
      this.endpoints.set(key, h);
    }
    return h;
  }

  record(endpointKey: string, sample: HealthSample): void {
    const now = sample.now ?? this.clock();
    const h = this.get(endpointKey);
    const cls = classifySample(sample);
    const b = Math.floor(now / this.bucketMs);
    const slot = b % this.buckets;
    if (h.idx[slot] !== b) {
      h.idx[slot] = b;
      h.ok[slot] = 0;
      h.fail[slot] = 0;
    }
    if (cls === 'ok') h.ok[slot]++;
    else if (cls === 'failure') h.fail[slot]++;

    if (cls === 'ok') this.recordPerformance(h, sample, b, now);

    if (cls === 'failure') {
      h.lastFailureAt = now;
      h.consecutive++;
      const halfOpen = h.open && now >= h.openUntil;
      if (halfOpen || (!h.open && h.consecutive >= this.failureThreshold)) {
        // a failed probe re-opens for a full cooldown; a late failure while open does not extend it
        h.open = true;
        h.openUntil = now + this.cooldownMs;
        h.probeAt = null;
        this.onBreaker?.(endpointKey, h.openUntil);
      }
    } else {
      // any answer (even a client error) proves the endpoint is reachable
      const wasOpen = h.open;
      h.consecutive = 0;
      h.open = false;
      h.probeAt = null;
      if (wasOpen) this.onBreaker?.(endpointKey, 0);
    }
  }

  /**
   * Told of this process's breaker transitions (opened until an epoch ms, or closed: 0), to share them with
   * other processes (routing/breakers-redis.ts). Never called for transitions applied by applyBreaker().
   */
  onBreaker: ((endpointKey: string, openUntil: number) => void) | null = null;

  /**
   * A transition another process decided: open until `openUntil` (epoch ms; past = half-open, one probe of this
   * process may go), or closed (0). Local statistics are left alone: only the breaker is shared.
   */
  applyBreaker(endpointKey: string, openUntil: number): void {
    const h = this.get(endpointKey);
    h.probeAt = null;
    if (openUntil > 0) {
      h.open = true;
      h.openUntil = openUntil;
    } else {
      h.open = false;
      h.consecutive = 0;
    }
  }

  private recordPerformance(h: EndpointHealth, s: HealthSample, b: number, now: number): void {
    const sslot = b % this.sampleBuckets;
    let sb = h.samples[sslot];
    if (sb === undefined || sb.index !== b) {
      sb = { index: b, ttft: [], tps: [] };
      h.samples[sslot] = sb;
    }
    if (s.ttftMs !== null && s.ttftMs >= 0) {
      this.keep(sb.ttft, s.ttftMs / 1000);
      h.latency.push(s.ttftMs, this.alpha, now);
    }
    // Non-streaming calls have no generation time; their total latency gives a (lower-bound) rate that is
    // still comparable between endpoints, which is better than never measuring them.
    const genMs = s.generationMs ?? s.latencyMs - (s.ttftMs ?? 0);
    if (s.outputTokens > 0 && genMs > 0) {
      const tps = s.outputTokens / (genMs / 1000);
      this.keep(sb.tps, tps);
      h.throughput.push(tps, this.alpha, now);
    }
  }

  /** newest samplesPerBucket samples of a bucket */
  private keep(arr: number[], v: number): void {
    arr.push(v);
    if (arr.length > this.samplesPerBucket) arr.shift();
  }

  private counts(h: EndpointHealth, now: number, windowMs: number): { ok: number; fail: number } {
    const cur = Math.floor(now / this.bucketMs);
    const n = Math.min(this.buckets, Math.max(1, Math.ceil(windowMs / this.bucketMs)));
    let ok = 0;
    let fail = 0;
    for (let i = 0; i < n; i++) {
      const b = cur - i;
      if (b < 0) break;
      const slot = b % this.buckets;
      if (h.idx[slot] !== b) continue;
      ok += h.ok[slot];
      fail += h.fail[slot];
    }
    return { ok, fail };
  }

  private uptime(h: EndpointHealth | undefined, now: number, windowMs: number): number | null {
    if (h === undefined) return null;
    const { ok, fail } = this.counts(h, now, windowMs);
    if (ok + fail === 0) return null;
    return Math.round((ok / (ok + fail)) * 10000) / 100;
  }

  status(endpointKey: string, now: number = this.clock()): BreakerState {
    const h = this.endpoints.get(endpointKey);
    if (h === undefined || !h.open) return 'closed';
    return now >= h.openUntil ? 'half_open' : 'open';
  }

  /**
   * Ask before sending a request to an endpoint. Closed: always true. Open: false. Half-open: true for
   * exactly one caller (the probe) until that probe reports through record() or times out.
   */
  tryAcquire(endpointKey: string, now: number = this.clock()): boolean {
    const st = this.status(endpointKey, now);
    if (st === 'closed') return true;
    if (st === 'open') return false;
    const h = this.get(endpointKey);
    if (h.probeAt !== null && now - h.probeAt < this.probeTimeoutMs) return false;
    h.probeAt = now;
    return true;
  }

  /**
   * The caller of tryAcquire sent nothing (the request could not be built): a half-open breaker's probe slot
   * is free again at once instead of after probeTimeoutMs.
   */
  release(endpointKey: string): void {
    const h = this.endpoints.get(endpointKey);
    if (h !== undefined) h.probeAt = null;
  }

  /** ms until an open breaker admits a probe; 0 when closed or already half-open. */
  msUntilProbe(endpointKey: string, now: number = this.clock()): number {
    const h = this.endpoints.get(endpointKey);
    return h === undefined || !h.open ? 0 : Math.max(0, h.openUntil - now);
  }

  /** Any endpoint failure within `recentFailureMs`, or a breaker that is not closed. */
  isRecentlyFailing(endpointKey: string, now: number = this.clock()): boolean {
    const h = this.endpoints.get(endpointKey);
    if (h === undefined) return false;
    return h.open || now - h.lastFailureAt <= this.recentFailureMs;
  }

  throughputEstimate(endpointKey: string, now: number = this.clock()): number | null {
    const h = this.endpoints.get(endpointKey);
    return h === undefined ? null : h.throughput.estimate(Math.min, now, this.estimateTtlMs);
  }

  latencyEstimateMs(endpointKey: string, now: number = this.clock()): number | null {
    const h = this.endpoints.get(endpointKey);
    return h === undefined ? null : h.latency.estimate(Math.max, now, this.estimateTtlMs);
  }

  stats(endpointKey: string, now: number = this.clock()): EndpointStats {
    const h = this.endpoints.get(endpointKey);
    const c30 = h === undefined ? { ok: 0, fail: 0 } : this.counts(h, now, 30 * 60_000);
    let latency: Percentiles | null = null;
    let throughput: Percentiles | null = null;
    if (h !== undefined) {
      const cur = Math.floor(now / this.bucketMs);
      const ttft: number[] = [];
      const tps: number[] = [];
      for (const sb of h.samples) {
        if (sb === undefined || sb.index > cur || sb.index <= cur - this.sampleBuckets) continue;
        ttft.push(...sb.ttft);
        tps.push(...sb.tps);
      }
      latency = percentiles(ttft);
      throughput = percentiles(tps);
    }
    const total30 = c30.ok + c30.fail;
    return {
      requests_last_30m: total30,
      success_rate_last_30m: total30 === 0 ? null : c30.ok / total30,
      uptime_last_5m: this.uptime(h, now, 5 * 60_000),
      uptime_last_30m: this.uptime(h, now, 30 * 60_000),
      uptime_last_1d: this.uptime(h, now, 86_400_000),
      latency_last_30m: latency,
      throughput_last_30m: throughput,
      throughput_estimate: this.throughputEstimate(endpointKey, now),
      latency_estimate_ms: this.latencyEstimateMs(endpointKey, now),
      recently_failing: this.isRecentlyFailing(endpointKey, now),
      breaker: this.status(endpointKey, now),
      consecutive_failures: h?.consecutive ?? 0,
    };
  }

  /** Keys with any recorded traffic, e.g. for a /v1/models/{id}/endpoints view. */
  keys(): string[] {
    return [...this.endpoints.keys()];
  }
}
