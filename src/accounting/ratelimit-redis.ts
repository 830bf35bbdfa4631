// The fixed-window rate limiter of ratelimit.ts counted in Redis, so every process pointed at one Redis spends one
// budget. Same semantics as MemoryRateLimiter: windows aligned to multiples of windowMs since the epoch (every
// process agrees on the boundaries without coordination), one counter per (key, limit, window) that expires when
// its window ends, and a decision over several limits that consumes from all or from none.
//
// One admission is one Lua script (one round trip): it takes GROUPS of limits (requests/min on one counter,
// tokens/min on another, the `:free` caps on a third), reads every counter, and commits every group only when no
// group refuses; the first refusing group is reported, as the in-memory admission reports the first limit that
// throws (and refunds those taken before it - here nothing was taken).
import type { Redis } from '../store/redis.js';
import { decide, windowStart, type RateDecision, type RateLimit } from './ratelimit.js';

export interface RateGroup {
  /** the counter family, e.g. `k:<key id>:r` */
  key: string;
  limits: RateLimit[];
  cost: number;
}

export interface GroupsResult {
  /** index of the first refusing group, -1 when all allowed (and, when committing, consumed) */
  refused: number;
  decisions: RateDecision[];
}

// KEYS: one counter per limit of every group. ARGV[1]: '1' to commit. Then per key: group, limit, cost, expire-at.
// Counters hold integers (INCRBY); a window's key expires at the window's end, so a stale window reads as 0.
const LUA = `
local commit = ARGV[1] == '1'
local n = #KEYS
local used = {}
local refused = 0
for i = 1, n do
  local u = tonumber(redis.call('GET', KEYS[i]) or '0')
  used[i] = u
  local b = 1 + (i - 1) * 4
  local g = tonumber(ARGV[b + 1])
  if u + tonumber(ARGV[b + 3]) > tonumber(ARGV[b + 2]) and (refused == 0 or g < refused) then refused = g end
end
if refused == 0 and commit then
  for i = 1, n do
    local b = 1 + (i - 1) * 4
    local cost = tonumber(ARGV[b + 3])
    if cost > 0 then
      redis.call('INCRBY', KEYS[i], cost)
      redis.call('PEXPIREAT', KEYS[i], ARGV[b + 4])
    end
  end
end
used[n + 1] = refused
return used
`;

interface RateCommand {
  arouterRateTake(numKeys: number, ...args: Array<string | number>): Promise<number[]>;
}

export class RedisRateLimiter {
  private readonly cmd: RateCommand;

  constructor(redis: Redis) {
    if (!('arouterRateTake' in redis)) redis.defineCommand('arouterRateTake', { lua: LUA });
    this.cmd = redis as unknown as RateCommand;
  }

  /**
   * Decides every group at once; with `commit`, consumes each group's cost from each of its limits only when no
   * group refuses. Costs are whole units (tokens, requests): fractions round up.
   */
  async takeGroups(groups: RateGroup[], commit = true, now = Date.now()): Promise<GroupsResult> {
    const keys: string[] = [];
    const args: Array<string | number> = [commit ? '1' : '0'];
    for (let g = 0; g < groups.length; g++) {
      const { key, limits, cost } = groups[g];
      if (!(cost >= 0) || !Number.isFinite(cost)) throw new RangeError(`rate limit cost must be >= 0, got ${cost}`);
      for (const l of limits) {
        if (!(l.windowMs > 0) || !Number.isFinite(l.windowMs))
          throw new RangeError(`rate limit ${l.name}: windowMs must be > 0`);
        const ws = windowStart(now, l.windowMs);
        // the window length is part of the name: a changed window starts a fresh counter, as in memory
        keys.push(`rl:${key}:${l.name}:${l.windowMs}:${ws}`);
        args.push(g + 1, l.limit, Math.ceil(cost), ws + l.windowMs);
      }
    }
    if (keys.length === 0) return { refused: -1, decisions: groups.map(() => decide([], [], 0, now)) };
    const reply = await this.cmd.arouterRateTake(keys.length, ...keys, ...args);
    const refused = reply[keys.length] - 1;
    const decisions: RateDecision[] = [];
    let at = 0;
    for (const g of groups) {
      decisions.push(decide(g.limits, reply.slice(at, at + g.limits.length), Math.ceil(g.cost), now));
      at += g.limits.length;
    }
    return { refused, decisions };
  }
}
