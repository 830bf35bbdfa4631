// The Redis connection of a scale-out deployment (config `redis.url`): one client per process, commands issued
// in the same event-loop turn leave in one write (auto-pipelining), every key under the configured prefix.
// ioredis rather than node-redis: Lua scripts as named commands (EVALSHA, reloaded after a Redis restart),
// auto-pipelining, and Sentinel/Cluster support in the same client; both work against Redis 7 here.
import { Redis } from 'ioredis';

export type { Redis } from 'ioredis';

export interface RedisConfig {
  url: string;
  prefix: string;
}

export function openRedis(cfg: RedisConfig, name = 'arouter'): Redis {
  return new Redis(cfg.url, {
    keyPrefix: cfg.prefix,
    connectionName: name,
    enableAutoPipelining: true,
    // a request waits at most this many reconnect attempts for Redis, then fails (503) instead of hanging
    maxRetriesPerRequest: 2,
    lazyConnect: false,
  });
}

/** A second connection for SUBSCRIBE (a subscribed connection can issue no other command). */
export function openSubscriber(cfg: RedisConfig, name = 'arouter-sub'): Redis {
  return new Redis(cfg.url, { connectionName: name, maxRetriesPerRequest: null, lazyConnect: false });
}
