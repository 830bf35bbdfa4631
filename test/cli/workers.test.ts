// `--workers` parsing, the refusal of configurations whose state would split across processes, and the restart
// backoff of a worker that keeps dying.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../../src/config/load.js';
import { restartDelay } from '../../src/cli/cluster-primary.js';
import { parseWorkers, sharedStateProblem } from '../../src/cli/workers.js';
import { workerLogOut } from '../../src/cli/worker-log.js';
import { Logger } from '../../src/lib/log.js';

const config = (env: NodeJS.ProcessEnv) => loadConfig({ env, inline: {}, flags: { dataDir: '/tmp/x' } });

test('--workers: a positive integer, or 0/auto for one per CPU; anything else is refused', () => {
  assert.deepEqual(parseWorkers(undefined, 8), { count: 1 });
  assert.deepEqual(parseWorkers('3', 8), { count: 3 });
  assert.deepEqual(parseWorkers('0', 8), { count: 8 });
  assert.deepEqual(parseWorkers('auto', 6), { count: 6 });
  for (const bad of ['-1', '1.5', 'x', '', ' 2', '1e3']) {
    assert.ok('error' in parseWorkers(bad, 8), bad);
  }
});

test('more than one worker needs PostgreSQL storage and Redis', () => {
  const none = sharedStateProblem(config({}), 3)!;
  assert.match(none, /--workers 3 needs shared storage: set storage\.url \(PostgreSQL\) and redis\.url/);
  assert.match(none, /Missing: storage\.url.*redis\.url/);
  const pgOnly = sharedStateProblem(config({ AROUTER_DATABASE_URL: 'postgres://h/db' }), 2)!;
  assert.match(pgOnly, /Missing: redis\.url/);
  assert.doesNotMatch(pgOnly, /Missing: storage/);
  assert.equal(
    sharedStateProblem(config({ AROUTER_DATABASE_URL: 'postgres://h/db', AROUTER_REDIS_URL: 'redis://h' }), 4),
    null,
  );
  assert.equal(sharedStateProblem(config({}), 1), null, 'one process on SQLite is the default');
});

test('a worker dying young waits longer each time, up to 30 s; one that ran a while restarts at once', () => {
  assert.deepEqual([0, 1, 2, 3, 7, 20].map(restartDelay), [0, 500, 1000, 2000, 30_000, 30_000]);
});

test("a worker's log lines name it and leave in writes of at most PIPE_BUF, cut at line ends", async () => {
  const chunks: Buffer[] = [];
  const out = workerLogOut(4242, (b) => chunks.push(Buffer.from(b)));
  const logger = new Logger('info', out);
  for (let i = 0; i < 200; i++) logger.info('request', { i, pad: 'é'.repeat(i % 50) });
  await new Promise((r) => setImmediate(r));
  assert.ok(chunks.length > 1);
  for (const c of chunks) {
    assert.ok(c.length <= 4096, `${c.length}`);
    assert.equal(c[c.length - 1], 10, 'each write ends a line');
  }
  const lines = Buffer.concat(chunks).toString().split('\n').filter(Boolean);
  assert.equal(lines.length, 200);
  lines.forEach((l, i) => {
    const o = JSON.parse(l) as { i: number; worker_pid: number; msg: string };
    assert.deepEqual([o.i, o.worker_pid, o.msg], [i, 4242, 'request']);
  });
});
