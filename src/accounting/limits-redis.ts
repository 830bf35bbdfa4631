// Per-key request limits counted in Redis (config `redis.url`): N processes share each key's requests/min,
// tokens/min and `:free` budgets. Same answers as RequestLimits (limits.ts) - the same 413 for a prompt above the
// tokens-per-minute limit, 429 with Retry-After and X-RateLimit-* headers naming the same limit - but one Lua
// round trip per admission, so admit() returns a promise.
import { HttpError } from '../protocol/errors.js';
import type { KeyRow } from '../store/types.js';
import type { Redis } from '../store/redis.js';
import {
  freeRateLimits,
  keyRateLimits,
  promptTooLarge,
  tooMany,
  type Admission,
  type Limits,
  type LimitsConfig,
} from './limits.js';
import { decide, rateLimitHeaders, windowStart, type RateDecision } from './ratelimit.js';
import { RedisRateLimiter, type RateGroup } from './ratelimit-redis.js';

const MINUTE = 60_000;
const NO_HEADERS: Readonly<Record<string, string>> = {};
/** keys whose last requests-per-minute count this process remembers for peekHeaders (~100 B each) */
const PEEK_MEMO_MAX = 10_000;

export class SharedRequestLimits implements Limits {
  readonly limiter: RedisRateLimiter;
  /**
   * the requests-per-minute count each key had after this process's last admission of it: peekHeaders answers
   * every authenticated response synchronously from it instead of a Redis read per request
   */
  private readonly lastRpm = new Map<string, { ws: number; used: number }>();

  constructor(
    private cfg: LimitsConfig,
    redis: Redis,
    private onError: (err: unknown) => void = () => {},
  ) {
    this.limiter = new RedisRateLimiter(redis);
  }

  configure(cfg: LimitsConfig): void {
    this.cfg = cfg;
  }

  admit(key: KeyRow, free: boolean, countPrompt: () => number, now = Date.now()): Promise<Admission> {
    const limits = keyRateLimits(this.cfg, key);
    const rpm = limits.find((l) => l.name === 'requests-per-minute');
    const tpm = limits.find((l) => l.name === 'tokens-per-minute');
    const promptTokens = tpm ? countPrompt() : 0;
    if (tpm && promptTokens > tpm.limit) return Promise.reject(promptTooLarge(promptTokens, tpm.limit));
    const groups: RateGroup[] = [];
    if (rpm) groups.push({ key: `k:${key.id}:r`, limits: [rpm], cost: 1 });
    if (tpm) groups.push({ key: `k:${key.id}:t`, limits: [tpm], cost: promptTokens });
    if (free) groups.push({ key: `free:${key.id}`, limits: freeRateLimits(this.cfg), cost: 1 });
    if (groups.length === 0) return Promise.resolve({ headers: {} });
    return this.limiter.takeGroups(groups, true, now).then(
      ({ refused, decisions }) => {
        if (refused >= 0) {
          const d = decisions[refused];
          const forFree = groups[refused].key.startsWith('free:');
          throw tooMany(
            d,
            `Rate limit exceeded: ${d.limited_by} (${d.limit}) ${forFree ? 'for :free models' : 'for this key'}`,
          );
        }
        if (rpm) this.remember(key.id, now, rpm.limit - decisions[0].remaining);
        // the header reports the tightest of the key's limits, or the :free caps when they apply (as in memory)
        let decision: RateDecision | null = null;
        for (let i = 0; i < groups.length; i++) {
          const d = decisions[i];
          if (
            groups[i].key.startsWith('free:') ||
            !decision ||
            d.remaining / d.limit < decision.remaining / decision.limit
          )
            decision = d;
        }
        return { headers: decision ? rateLimitHeaders(decision) : {} };
      },
      (err: unknown) => {
        if (err instanceof HttpError) throw err;
        this.onError(err);
        throw new HttpError(
          503,
          'Rate limits cannot be checked right now (shared state unavailable); retry shortly',
          'api_error',
          'rate_limits_unavailable',
        );
      },
    );
  }

  peekHeaders(key: KeyRow, now = Date.now()): Readonly<Record<string, string>> {
    const rpm = key.rate_limit_rpm ?? this.cfg.defaultRpm;
    if (!rpm) return NO_HEADERS;
    const l = { name: 'requests-per-minute', limit: rpm, windowMs: MINUTE };
    const seen = this.lastRpm.get(key.id);
    const used = seen !== undefined && seen.ws === windowStart(now, MINUTE) ? seen.used : 0;
    return rateLimitHeaders(decide([l], [used], 0, now), true);
  }

  /** completion tokens count against tokens-per-minute once known (best effort, never awaited by the request) */
  addCompletionTokens(key: KeyRow, tokens: number): void {
    const tpm = key.rate_limit_tpm ?? this.cfg.defaultTpm;
    if (!tpm || tokens <= 0) return;
    const l = { name: 'tokens-per-minute', limit: tpm, windowMs: MINUTE };
    this.limiter
      .takeGroups([{ key: `k:${key.id}:t`, limits: [l], cost: Math.min(tokens, tpm) }])
      .catch((err: unknown) => this.onError(err));
  }

  private remember(keyId: string, now: number, used: number): void {
    if (this.lastRpm.size >= PEEK_MEMO_MAX && !this.lastRpm.has(keyId)) this.lastRpm.clear();
    this.lastRpm.set(keyId, { ws: windowStart(now, MINUTE), used });
  }
}
