// Per-key request limits for the chat and embeddings routes: requests/minute, tokens/minute (config default
// or per key), and the `:free` tier's own per-minute and per-day caps. One atomic take() per request.
import { HttpError } from '../protocol/errors.js';
import type { KeyRow } from '../store/types.js';
import {
  MemoryRateLimiter,
  rateLimitHeaders,
  type RateDecision,
  type RateLimit,
  type RateLimiter,
} from './ratelimit.js';

const MINUTE = 60_000;
const DAY = 86_400_000;

/** keys without a rate limit (the default) get no headers: one shared empty set, not an object per request */
const NO_HEADERS: Readonly<Record<string, string>> = {};

export interface LimitsConfig {
  defaultRpm: number | null;
  defaultTpm: number | null;
  freeRpm: number;
  freeRpd: number;
}

export interface Admission {
  /** X-RateLimit-* headers for the response */
  headers: Record<string, string>;
}

/**
 * What the pipeline needs of request limits. The in-process RequestLimits answers synchronously; the Redis-backed
 * SharedRequestLimits (limits-redis.ts) with a promise, which the pipeline awaits only when it gets one.
 */
export interface Limits {
  admit(key: KeyRow, free: boolean, countPrompt: () => number): Admission | Promise<Admission>;
  peekHeaders(key: KeyRow): Readonly<Record<string, string>>;
  addCompletionTokens(key: KeyRow, tokens: number): void;
  /** a config reload's defaults; the counts in their windows stay */
  configure(cfg: LimitsConfig): void;
}

/** a key's requests- and tokens-per-minute limits (its own, else the configured defaults) */
export function keyRateLimits(cfg: LimitsConfig, key: KeyRow): RateLimit[] {
  const out: RateLimit[] = [];
  const rpm = key.rate_limit_rpm ?? cfg.defaultRpm;
  const tpm = key.rate_limit_tpm ?? cfg.defaultTpm;
  if (rpm) out.push({ name: 'requests-per-minute', limit: rpm, windowMs: MINUTE });
  if (tpm) out.push({ name: 'tokens-per-minute', limit: tpm, windowMs: MINUTE });
  return out;
}

/** the `:free` tier's caps */
export function freeRateLimits(cfg: LimitsConfig): RateLimit[] {
  return [
    { name: 'free-models-per-min', limit: cfg.freeRpm, windowMs: MINUTE },
    { name: 'free-models-per-day', limit: cfg.freeRpd, windowMs: DAY },
  ];
}

export function promptTooLarge(promptTokens: number, tpm: number): HttpError {
  return new HttpError(
    413,
    `The prompt (${promptTokens} tokens) exceeds this key's tokens-per-minute limit of ${tpm}`,
    'invalid_request_error',
    'prompt_exceeds_rate_limit',
  );
}

export class RequestLimits implements Limits {
  constructor(
    private cfg: LimitsConfig,
    readonly limiter: RateLimiter = new MemoryRateLimiter(),
  ) {}

  configure(cfg: LimitsConfig): void {
    this.cfg = cfg;
  }

  private keyLimits(key: KeyRow): RateLimit[] {
    return keyRateLimits(this.cfg, key);
  }

  /**
   * Admits a request or throws 429 with Retry-After and X-RateLimit-* headers. The prompt's tokens count
   * against the tokens-per-minute limit at admission (counted only when such a limit applies); completion
   * tokens are added after the fact.
   */
  admit(key: KeyRow, free: boolean, countPrompt: () => number): Admission {
    const limits = this.keyLimits(key);
    const promptTokens = limits.some((l) => l.name === 'tokens-per-minute') ? countPrompt() : 0;
    let decision: RateDecision | null = null;
    if (limits.length) {
      const rpm = limits.find((l) => l.name === 'requests-per-minute');
      const tpm = limits.find((l) => l.name === 'tokens-per-minute');
      if (tpm && promptTokens > tpm.limit) throw promptTooLarge(promptTokens, tpm.limit);
      // requests and tokens are separate keys so one take() can consume 1 request and N tokens atomically
      if (rpm) decision = this.check(this.limiter.take(`k:${key.id}:r`, [rpm], 1), key.id);
      if (tpm) {
        const d = this.limiter.take(`k:${key.id}:t`, [tpm], promptTokens);
        if (!d.allowed && rpm) this.limiter.refund(`k:${key.id}:r`, rpm.name, 1);
        const checked = this.check(d, key.id);
        if (!decision || checked.remaining / checked.limit < decision.remaining / decision.limit) decision = checked;
      }
    }
    if (free) {
      const d = this.limiter.take(`free:${key.id}`, freeRateLimits(this.cfg));
      if (!d.allowed) {
        if (limits.length) this.refundRequest(key, promptTokens);
        throw tooMany(d, `Rate limit exceeded: ${d.limited_by} (${d.limit}) for :free models`);
      }
      decision = d;
    }
    return { headers: decision ? rateLimitHeaders(decision) : {} };
  }

  /**
   * X-RateLimit-* headers describing the key's requests-per-minute window without consuming from it:
   * every authenticated response carries them (routes that consume send their own, fresher values).
   */
  peekHeaders(key: KeyRow): Readonly<Record<string, string>> {
    const rpm = key.rate_limit_rpm ?? this.cfg.defaultRpm;
    if (!rpm) return NO_HEADERS;
    const d = this.limiter.peek(`k:${key.id}:r`, [{ name: 'requests-per-minute', limit: rpm, windowMs: MINUTE }], 0);
    return rateLimitHeaders(d, true);
  }

  /** completion tokens count against tokens-per-minute once known (best effort: never blocks this request) */
  addCompletionTokens(key: KeyRow, tokens: number): void {
    const tpm = key.rate_limit_tpm ?? this.cfg.defaultTpm;
    if (!tpm || tokens <= 0) return;
    this.limiter.take(
      `k:${key.id}:t`,
      [{ name: 'tokens-per-minute', limit: tpm, windowMs: MINUTE }],
      Math.min(tokens, tpm),
    );
  }

  private refundRequest(key: KeyRow, promptTokens: number): void {
    this.limiter.refund(`k:${key.id}:r`, 'requests-per-minute', 1);
    this.limiter.refund(`k:${key.id}:t`, 'tokens-per-minute', promptTokens);
  }

  private check(d: RateDecision, _keyId: string): RateDecision {
    if (!d.allowed) throw tooMany(d, `Rate limit exceeded: ${d.limited_by} (${d.limit}) for this key`);
    return d;
  }
}

export function tooMany(d: RateDecision, message: string): HttpError {
  return new HttpError(
    429,
    `${message}; retry after ${Math.max(1, d.retryAfterSec)} s`,
    'rate_limit_error',
    'rate_limit_exceeded',
    null,
    rateLimitHeaders(d),
    { limited_by: d.limited_by, headers: rateLimitHeaders(d) },
  );
}
