// One pub/sub channel per deployment (`<prefix>events`) carrying what every process must learn at once: breaker
// transitions, key/account writes, catalog changes. One subscriber connection per process; a process ignores its
// own messages (it already applied them). Messages are hints, never the state itself: the state lives in storage
// or in Redis keys, so a message lost while a connection was down costs only latency (the directory poll and the
// open-circuit hash read at start cover it).
import { randomUUID } from 'node:crypto';
import { openSubscriber, type Redis, type RedisConfig } from './redis.js';

export type BusHandler = (data: Record<string, unknown>) => void;

interface Envelope {
  /** sender instance */
  i: string;
  /** topic */
  t: string;
  d: Record<string, unknown>;
}

export class RedisBus {
  /** this process, to drop its own messages */
  readonly instance = randomUUID();
  readonly channel: string;
  private readonly handlers = new Map<string, BusHandler[]>();
  private sub: Redis | null = null;

  constructor(
    private readonly redis: Redis,
    private readonly cfg: RedisConfig,
    private readonly onError: (err: unknown) => void = () => {},
  ) {
    // PUBLISH/SUBSCRIBE channels are not keys: the client's keyPrefix does not apply, so the prefix is added here
    this.channel = `${cfg.prefix}events`;
  }

  on(topic: string, handler: BusHandler): void {
    const list = this.handlers.get(topic);
    if (list) list.push(handler);
    else this.handlers.set(topic, [handler]);
  }

  /** subscribes; resolves once the subscription is in place (messages published after that are delivered) */
  async start(): Promise<void> {
    if (this.sub) return;
    const sub = openSubscriber(this.cfg);
    this.sub = sub;
    sub.on('error', (err: unknown) => this.onError(err));
    sub.on('message', (channel: string, message: string) => {
      if (channel !== this.channel) return;
      let env: Envelope;
      try {
        env = JSON.parse(message) as Envelope;
      } catch {
        return;
      }
      if (env.i === this.instance) return;
      for (const h of this.handlers.get(env.t) ?? []) {
        try {
          h(env.d);
        } catch (err) {
          this.onError(err);
        }
      }
    });
    await sub.subscribe(this.channel);
  }

  /** fire and forget: a failed publish is reported, and the receivers' fallbacks (polls) cover it */
  publish(topic: string, data: Record<string, unknown>): void {
    const env: Envelope = { i: this.instance, t: topic, d: data };
    this.redis.publish(this.channel, JSON.stringify(env)).catch((err: unknown) => this.onError(err));
  }

  async close(): Promise<void> {
    const sub = this.sub;
    this.sub = null;
    if (sub) await sub.quit().catch(() => sub.disconnect());
  }
}
