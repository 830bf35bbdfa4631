// Redis for tests of shared state: a unique key prefix per run (several test files and helpers run in parallel on
// one Redis), and the keys under it deleted at the end. Redis is expected at AROUTER_TEST_REDIS_URL (default
// redis://127.0.0.1:6379; .ci/run starts it).
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';

export const REDIS_URL = process.env.AROUTER_TEST_REDIS_URL || 'redis://127.0.0.1:6379';

export function testPrefix(tag = 'test'): string {
  return `arouter-${tag}-${process.pid}-${randomBytes(4).toString('hex')}:`;
}

/** fails the test with how to start Redis when it is not reachable */
export async function requireRedis(): Promise<void> {
  const r = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  try {
    await r.connect();
    await r.ping();
  } catch (err) {
    throw new Error(
      `Redis is not reachable at ${REDIS_URL} (${(err as Error).message}). Start it (.ci/run does) or point ` +
        'AROUTER_TEST_REDIS_URL at one.',
      { cause: err },
    );
  } finally {
    r.disconnect();
  }
}

/** SCAN + DEL of every key under `prefix`; resolves with how many were deleted */
export async function dropPrefix(prefix: string): Promise<number> {
  const r = new Redis(REDIS_URL);
  let n = 0;
  try {
    let cursor = '0';
    do {
      const [next, keys] = await r.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
      cursor = next;
      if (keys.length) n += await r.del(...keys);
    } while (cursor !== '0');
  } finally {
    await r.quit();
  }
  return n;
}

/** polls `check` every 2 ms until it holds or `ms` pass; resolves with the time it took */
export async function within(ms: number, check: () => boolean | Promise<boolean>): Promise<number> {
  const t0 = performance.now();
  while (!(await check())) {
    if (performance.now() - t0 > ms) throw new Error(`not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 2));
  }
  return performance.now() - t0;
}
