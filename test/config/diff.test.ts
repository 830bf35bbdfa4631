// What a reload reports: each changed field by its config file name, live or restart-only, values never shown;
// and the config it applies keeps the running value of every restart-only field.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../../src/config/load.js';
import { configChanges, keepRestartOnly } from '../../src/config/diff.js';

const load = (inline: Record<string, unknown>, env: NodeJS.ProcessEnv = {}) =>
  loadConfig({ inline, env, flags: { dataDir: '/tmp/arouter-diff' } });

test('an unchanged config reports nothing', () => {
  const c = { limits: { free_rpm: 5 }, models: [{ id: 'a/b', name: 'x' }] };
  assert.deepEqual(configChanges(load(c), load(c)), { live: [], restart: [] });
});

test('changed fields are named as in the config file and split into live and restart-only', () => {
  const before = load({
    server: { port: 1000, body_limit_bytes: 1000 },
    upstream: { connect_timeout_ms: 1000 },
    routing: { breaker_failures: 3 },
    catalog: { sync_interval: 60 },
    providers: [{ id: 'p1', base_url: 'http://a' }, { id: 'p2' }],
    models: [{ id: 'a/one', name: 'one' }],
  });
  const after = load(
    {
      server: { port: 2000, body_limit_bytes: 2000, cors_origins: [] },
      upstream: { connect_timeout_ms: 2000 },
      routing: { breaker_failures: 5, auto_tiers: { 'a/one': 1 } },
      catalog: { sync_interval: '2m' },
      storage: { schema: 'other' },
      ledger: { max_batch: 10 },
      providers: [{ id: 'p1', base_url: 'http://b' }, { id: 'p3' }],
      models: [{ id: 'a/one', name: 'one' }, { id: 'a/two' }],
    },
    { AROUTER_REDIS_URL: 'redis://user:secret@host:6379', AROUTER_LOG_LEVEL: 'warn' },
  );
  const c = configChanges(before, after);
  assert.deepEqual(c.live.sort(), [
    'catalog.sync_interval',
    'log.level',
    'models.a/two',
    'providers.p1',
    'providers.p2',
    'providers.p3',
    'routing.auto_tiers',
    'routing.breaker_failures',
    'server.body_limit_bytes',
    'server.cors_origins',
    'upstream.connect_timeout_ms',
  ]);
  assert.deepEqual(c.restart.sort(), ['ledger.max_batch', 'redis.url', 'server.port', 'storage.schema']);
  assert.ok(!JSON.stringify(c).includes('secret'), 'names only, never values');
});

test('the config a reload applies keeps the running value of restart-only fields', () => {
  const before = load({ server: { port: 1000, body_limit_bytes: 1000 }, ledger: { max_batch: 7 } });
  const after = load({ server: { port: 2000, body_limit_bytes: 2000 }, ledger: { max_batch: 10 } });
  const applied = keepRestartOnly(before, after);
  assert.equal(applied.port, 1000);
  assert.equal(applied.ledger.maxBatch, 7);
  assert.equal(applied.bodyLimitBytes, 2000);
  assert.deepEqual(configChanges(before, applied).restart, []);
});
