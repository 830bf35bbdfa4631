// Circuit breakers shared through Redis: two HealthTrackers (two processes' worth: each its own connections)
// on one prefix. Failures seen by A open the circuit on B within a second; recovery closes it for both; a process
// starting later reads the circuits open now. Real Redis at 127.0.0.1:6379, a prefix of this run.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { HealthTracker, type HealthSample } from '../../src/routing/health.js';
import { SharedBreakers } from '../../src/routing/breakers-redis.js';
import { openRedis, type Redis } from '../../src/store/redis.js';
import { RedisBus } from '../../src/store/redis-bus.js';
import { dropPrefix, REDIS_URL, requireRedis, testPrefix, within } from '../helpers/redis-shared.js';

const prefix = testPrefix('breakers');
const opened: Array<{ redis: Redis; bus: RedisBus; breakers: SharedBreakers }> = [];

async function startProcess(cooldownMs: number): Promise<HealthTracker> {
  const health = new HealthTracker({ failureThreshold: 3, cooldownMs });
  const cfg = { url: REDIS_URL, prefix };
  const redis = openRedis(cfg);
  const bus = new RedisBus(redis, cfg);
  await bus.start();
  const breakers = new SharedBreakers(health, redis, bus);
  await breakers.start();
  opened.push({ redis, bus, breakers });
  return health;
}

const fail: HealthSample = { ok: false, status: 503, latencyMs: 5, ttftMs: null, outputTokens: 0, generationMs: null };
const ok: HealthSample = { ok: true, status: 200, latencyMs: 5, ttftMs: 2, outputTokens: 10, generationMs: 3 };
const EP = 'openai:openai/gpt-4o';

before(requireRedis);
after(async () => {
  for (const p of opened) {
    p.breakers.stop();
    await p.bus.close();
    await p.redis.quit();
  }
  await dropPrefix(prefix);
});

test('failures on A open the circuit on B within a second; recovery closes it for both', async () => {
  const a = await startProcess(300);
  const b = await startProcess(300);
  a.record(EP, fail);
  a.record(EP, fail);
  assert.equal(b.status(EP), 'closed');
  a.record(EP, fail);
  assert.equal(a.status(EP), 'open');
  const took = await within(1000, () => b.status(EP) === 'open');
  assert.ok(took < 1000, `opened on B after ${took.toFixed(1)} ms`);
  assert.equal(b.tryAcquire(EP), false, 'B sends nothing to an open endpoint');
  // B's own statistics stay its own: only the breaker travelled
  assert.equal(b.stats(EP).requests_last_30m, 0);

  // a process started now reads the circuit open (the hash), not only future messages
  const c = await startProcess(300);
  assert.equal(c.status(EP), 'open');

  // cooldown over: B's probe goes, answers, and closes the circuit everywhere
  await within(1000, () => b.status(EP) === 'half_open');
  assert.equal(b.tryAcquire(EP), true);
  b.record(EP, ok);
  assert.equal(b.status(EP), 'closed');
  await within(1000, () => a.status(EP) === 'closed' && c.status(EP) === 'closed');
  assert.equal(a.tryAcquire(EP), true);
  assert.equal(c.tryAcquire(EP), true);
});

test('a failed probe re-opens the circuit for every process for a full cooldown', async () => {
  const a = await startProcess(200);
  const b = await startProcess(200);
  const ep = 'anthropic:anthropic/claude';
  for (let i = 0; i < 3; i++) b.record(ep, fail);
  await within(1000, () => a.status(ep) === 'open');
  await within(1000, () => a.status(ep) === 'half_open');
  assert.equal(a.tryAcquire(ep), true);
  const before = Date.now();
  a.record(ep, fail);
  assert.equal(a.status(ep), 'open');
  await within(1000, () => b.msUntilProbe(ep) > 0 && b.status(ep) === 'open');
  assert.ok(b.msUntilProbe(ep) > 100 && b.msUntilProbe(ep) <= 200 + Date.now() - before);
});
