// Circuit breakers shared by every process on one Redis: one process seeing an endpoint fail opens its circuit for
// all. Each process keeps its own statistics (latency, throughput, uptime rank endpoints from what it measured);
// only breaker transitions travel: a hash `cb:open` (endpoint → open-until, epoch ms) read at start, and a message
// on the bus for each transition, applied to the local HealthTracker. Planning reads local state only: no Redis
// round trip per request.
//
// Half-open: when the cooldown ends, each process lets one probe through (at most one per process, N in all); the
// first answer closes the circuit everywhere, a failed probe re-opens it everywhere for a full cooldown.
import type { Redis } from '../store/redis.js';
import type { RedisBus } from '../store/redis-bus.js';
import type { HealthTracker } from './health.js';

const HASH = 'cb:open';
const TOPIC = 'cb';

export class SharedBreakers {
  constructor(
    private readonly health: HealthTracker,
    private readonly redis: Redis,
    private readonly bus: RedisBus,
    private readonly onError: (err: unknown) => void = () => {},
  ) {}

  /** Publishes this process's transitions and applies the others'; reads the circuits open now. Call before serving. */
  async start(now = Date.now()): Promise<void> {
    this.bus.on(TOPIC, (d) => {
      if (typeof d.k === 'string' && typeof d.u === 'number') this.health.applyBreaker(d.k, d.u);
    });
    this.health.onBreaker = (k, until) => this.publish(k, until);
    const open = await this.redis.hgetall(HASH);
    const stale: string[] = [];
    for (const [k, v] of Object.entries(open)) {
      const until = Number(v);
      // an entry whose probe never reported (its process died) is forgotten once a probe would have timed out
      if (!(until > 0) || now - until > this.health.probeTimeoutMs) stale.push(k);
      else this.health.applyBreaker(k, until);
    }
    if (stale.length) await this.redis.hdel(HASH, ...stale);
  }

  stop(): void {
    this.health.onBreaker = null;
  }

  private publish(endpointKey: string, until: number): void {
    const write = until > 0 ? this.redis.hset(HASH, endpointKey, String(until)) : this.redis.hdel(HASH, endpointKey);
    write.catch((err: unknown) => this.onError(err));
    this.bus.publish(TOPIC, { k: endpointKey, u: until });
  }
}
