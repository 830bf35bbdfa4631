import { test } from 'node:test';
import assert from 'node:assert/strict';
import { classifySample, HealthTracker, type HealthSample } from '../../src/routing/health.js';

const K = 'alpha:acme/m';
const ok = (now: number, over: Partial<HealthSample> = {}): HealthSample => ({
  ok: true,
  status: 200,
  latencyMs: 1000,
  ttftMs: 200,
  outputTokens: 100,
  generationMs: 1000,
  now,
  ...over,
});
const fail = (now: number, status = 502): HealthSample => ({
  ok: false,
  status,
  latencyMs: 50,
  ttftMs: null,
  outputTokens: 0,
  generationMs: null,
  now,
});

test('classification: client errors are neutral, upstream trouble is a failure', () => {
  assert.equal(classifySample({ ok: true, status: 200 }), 'ok');
  for (const s of [0, 401, 403, 408, 429, 500, 502, 503, 529])
    assert.equal(classifySample({ ok: false, status: s }), 'failure', String(s));
  for (const s of [400, 404, 413, 422]) assert.equal(classifySample({ ok: false, status: s }), 'neutral', String(s));
});

test('breaker opens after 3 consecutive failures, half-open allows exactly one probe, success closes', () => {
  const h = new HealthTracker();
  const t0 = 1_000_000;
  h.record(K, fail(t0));
  h.record(K, fail(t0 + 1));
  assert.equal(h.status(K, t0 + 2), 'closed');
  assert.equal(h.tryAcquire(K, t0 + 2), true);
  h.record(K, fail(t0 + 2));
  assert.equal(h.status(K, t0 + 3), 'open');
  assert.equal(h.tryAcquire(K, t0 + 3), false);
  assert.equal(h.tryAcquire(K, t0 + 29_000), false);
  // after the 30 s cooldown: one probe only
  assert.equal(h.status(K, t0 + 2 + 30_000), 'half_open');
  assert.equal(h.tryAcquire(K, t0 + 30_010), true);
  assert.equal(h.tryAcquire(K, t0 + 30_011), false);
  assert.equal(h.tryAcquire(K, t0 + 30_012), false);
  h.record(K, ok(t0 + 30_500));
  assert.equal(h.status(K, t0 + 30_501), 'closed');
  assert.equal(h.tryAcquire(K, t0 + 30_502), true);
  assert.equal(h.tryAcquire(K, t0 + 30_503), true);
});

test('a failed probe re-opens for a full cooldown', () => {
  const h = new HealthTracker({ failureThreshold: 2, cooldownMs: 10_000 });
  h.record(K, fail(0));
  h.record(K, fail(1));
  assert.equal(h.status(K, 5_000), 'open');
  assert.equal(h.tryAcquire(K, 10_001), true);
  h.record(K, fail(10_500));
  assert.equal(h.status(K, 10_501), 'open');
  assert.equal(h.status(K, 20_499), 'open');
  assert.equal(h.status(K, 20_500), 'half_open');
});

test('a successful response resets the consecutive count; neutral 4xx does not count as failure', () => {
  const h = new HealthTracker();
  h.record(K, fail(0));
  h.record(K, fail(1));
  h.record(K, ok(2));
  h.record(K, fail(3));
  h.record(K, fail(4));
  assert.equal(h.status(K, 5), 'closed');
  h.record(K, { ...fail(6), status: 400 });
  h.record(K, fail(7));
  assert.equal(h.status(K, 8), 'closed');
  // 1 ok and 5 failures counted; the 400 is in neither
  assert.equal(h.stats(K, 8).uptime_last_5m, Math.round((1 / 6) * 10000) / 100);
});

test('a lost probe is given up after probeTimeoutMs', () => {
  const h = new HealthTracker({ cooldownMs: 1000, probeTimeoutMs: 5000 });
  for (let i = 0; i < 3; i++) h.record(K, fail(i));
  assert.equal(h.tryAcquire(K, 2000), true);
  assert.equal(h.tryAcquire(K, 6000), false);
  assert.equal(h.tryAcquire(K, 7001), true);
});

test('recently failing: any failure in the last 30 s', () => {
  const h = new HealthTracker();
  assert.equal(h.isRecentlyFailing(K, 0), false);
  h.record(K, fail(100_000));
  h.record(K, ok(100_001));
  assert.equal(h.isRecentlyFailing(K, 120_000), true);
  assert.equal(h.isRecentlyFailing(K, 130_001), false);
});

test('uptime windows and null without traffic', () => {
  const h = new HealthTracker();
  const s0 = h.stats(K, 0);
  assert.equal(s0.uptime_last_5m, null);
  assert.equal(s0.latency_last_30m, null);
  assert.equal(s0.throughput_last_30m, null);
  const base = 10 * 3_600_000;
  // 2 hours ago: 10 failures; 20 minutes ago: 9 ok 1 fail; now: 4 ok
  for (let i = 0; i < 10; i++) h.record(K, fail(base - 2 * 3_600_000 + i * 10_000));
  for (let i = 0; i < 9; i++) h.record(K, ok(base - 20 * 60_000 + i));
  h.record(K, fail(base - 20 * 60_000 + 100_000));
  for (let i = 0; i < 4; i++) h.record(K, ok(base + i));
  const s = h.stats(K, base + 10);
  assert.equal(s.uptime_last_5m, 100);
  assert.equal(s.uptime_last_30m, Math.round((13 / 14) * 10000) / 100);
  assert.equal(s.uptime_last_1d, Math.round((13 / 24) * 10000) / 100);
  assert.equal(s.requests_last_30m, 14);
  assert.ok(Math.abs((s.success_rate_last_30m ?? 0) - 13 / 14) < 1e-9);
  // a day later everything has rolled out of the window
  assert.equal(h.stats(K, base + 25 * 3_600_000).uptime_last_1d, null);
});

test('latency (TTFT seconds) and throughput (tokens/s) percentiles over 30 minutes', () => {
  const h = new HealthTracker();
  const now = 5_000_000;
  for (let i = 1; i <= 100; i++)
    h.record(K, ok(now - i * 1000, { ttftMs: i * 10, outputTokens: i * 10, generationMs: 1000 }));
  const s = h.stats(K, now);
  assert.deepEqual(s.latency_last_30m, { p50: 0.5, p75: 0.75, p90: 0.9, p99: 0.99 });
  assert.deepEqual(s.throughput_last_30m, { p50: 500, p75: 750, p90: 900, p99: 990 });
  assert.equal(h.stats(K, now + 31 * 60_000).throughput_last_30m, null);
});

test('memory stays bounded: samples per bucket are capped', () => {
  const h = new HealthTracker({ samplesPerBucket: 8 });
  for (let i = 0; i < 1000; i++) h.record(K, ok(60_000 + i));
  const s = h.stats(K, 60_000 + 1000);
  assert.equal(s.requests_last_30m, 1000);
  assert.ok(s.throughput_last_30m !== null);
});

test('throughput estimate reacts within 2 requests of a slowdown, however fast the history was', () => {
  const h = new HealthTracker();
  for (let i = 0; i < 50; i++) h.record(K, ok(i, { outputTokens: 1000, generationMs: 1000 })); // 1000 tok/s
  assert.equal(h.throughputEstimate(K, 100), 1000);
  h.record(K, ok(101, { outputTokens: 20, generationMs: 1000 }));
  assert.ok((h.throughputEstimate(K, 102) ?? 0) > 100, 'one slow sample is an outlier');
  h.record(K, ok(103, { outputTokens: 20, generationMs: 1000 }));
  assert.ok((h.throughputEstimate(K, 104) ?? Infinity) <= 20);
  // stale estimates expire so the endpoint falls back to its catalog hint and gets re-measured
  assert.equal(h.throughputEstimate(K, 104 + 31 * 60_000), null);
});

test('non-streaming samples: throughput from total latency', () => {
  const h = new HealthTracker();
  h.record(K, ok(0, { ttftMs: null, generationMs: null, latencyMs: 2000, outputTokens: 100 }));
  assert.equal(h.throughputEstimate(K, 1), 50);
  assert.equal(h.latencyEstimateMs(K, 1), null);
});

test('live estimates: the worse of EWMA and the lower median of the last three samples', () => {
  const t = new HealthTracker({ alpha: 0.5 });
  const tps = (key: string, values: number[]) => {
    for (const v of values)
      t.record(key, {
        ok: true,
        status: 200,
        latencyMs: 1000,
        ttftMs: 0,
        outputTokens: v,
        generationMs: 1000,
        now: 1_000,
      });
    return t.throughputEstimate(key, 1_000);
  };
  // one sample: itself; two: the lower one bounds the EWMA
  assert.equal(tps('one', [40]), 40);
  assert.equal(tps('two', [40, 100]), 40); // ewma 70, lower median 40
  // three: the median (100) vs the EWMA ((100+10)/2 = 55, then (55+100)/2 = 77.5): the worse for throughput is the lower
  assert.equal(tps('three', [100, 10, 100]), 77.5);
  // a sustained drop shows within two samples whatever the history
  assert.equal(tps('drop', [100, 100, 100, 100, 10, 10]), 10);
  // latency takes the higher (worse) of the two; the median is whichever sample sits in the middle
  const ttft = (key: string, values: number[]) => {
    for (const ms of values)
      t.record(key, {
        ok: true,
        status: 200,
        latencyMs: 1000,
        ttftMs: ms,
        outputTokens: 10,
        generationMs: 900,
        now: 1_000,
      });
    return t.latencyEstimateMs(key, 1_000);
  };
  assert.equal(ttft('lat-a', [300, 200, 100]), 200); // EWMA 175, median 200
  assert.equal(ttft('lat-b', [200, 300, 100]), 200); // EWMA 175, median 200
  assert.equal(ttft('lat-c', [100, 300, 300]), 300); // EWMA 250, median 300
});
