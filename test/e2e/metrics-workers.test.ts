// /metrics of `arouter serve --workers 2` (PostgreSQL + Redis, the demo's simulators): whichever worker the
// cluster hands a scrape to, it answers the whole server's numbers (the primary sums every worker's), on the main
// port and on `metrics.listen` alike.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import postgres from 'postgres';
import { parseProm } from '../helpers/prom-text.js';

const MAIN = new URL('../../src/cli/main.ts', import.meta.url).pathname;
const PG_URL = process.env.AROUTER_TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';
const REDIS_URL = process.env.AROUTER_TEST_REDIS_URL || 'redis://127.0.0.1:6379';

/** one request on a connection of its own, so the cluster hands each to the next worker */
function call(
  url: string,
  opts: { method: string; key?: string; body?: string },
): Promise<{ status: number; text: string; pid: string | null }> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (opts.key) headers.authorization = `Bearer ${opts.key}`;
    const req = request(url, { method: opts.method, agent: false, headers }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode!, text, pid: null }));
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

test('serve --workers 2: every scrape sums both workers', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'arouter-metrics-workers-'));
  const schema = `arouter_metrics_workers_${process.pid}_${Date.now().toString(36)}`;
  const prefix = `arouter-test-${process.pid}-${Math.random().toString(36).slice(2)}:`;
  const metricsPort = await freePort();
  writeFileSync(
    join(dir, 'arouter.config.yaml'),
    JSON.stringify({
      storage: { url: PG_URL, schema },
      redis: { url: REDIS_URL, prefix },
      metrics: { listen: `127.0.0.1:${metricsPort}` },
    }),
  );
  const proc = spawn(
    process.execPath,
    ['--import', 'tsx', MAIN, 'serve', '--workers', '2', '--demo', '--port', '0', '--data-dir', dir],
    {
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        AROUTER_LOG_LEVEL: 'info',
        AROUTER_CONFIG: join(dir, 'arouter.config.yaml'),
      },
    },
  );
  let stderr = '';
  let stdout = '';
  proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  proc.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  t.after(async () => {
    if (proc.exitCode === null) {
      const exited = new Promise((resolve) => proc.once('exit', resolve));
      proc.kill('SIGTERM');
      await exited;
    }
    const sql = postgres(PG_URL, { max: 1, onnotice: () => {} });
    await sql.unsafe(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await sql.end({ timeout: 1 });
    const redis = new Redis(REDIS_URL);
    for await (const keys of redis.scanStream({ match: `${prefix}*`, count: 500 }))
      if ((keys as string[]).length) await redis.del(...(keys as string[]));
    redis.disconnect();
    rmSync(dir, { recursive: true, force: true });
  });

  const deadline = Date.now() + 90_000;
  let url: string | undefined;
  while (!(url = /listening on (http:\/\/\S+\/v1) \(2 workers/.exec(stderr)?.[1])) {
    assert.ok(Date.now() < deadline && proc.exitCode === null, `not listening: ${stderr}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  const key = readFileSync(join(dir, 'admin-key.txt'), 'utf8').trim();
  const body = JSON.stringify({ model: 'mistralai/mistral-large', messages: [{ role: 'user', content: 'hi' }] });
  const n = 6;
  for (let i = 0; i < n; i++) {
    const r = await call(`${url}/chat/completions`, { method: 'POST', key, body });
    assert.equal(r.status, 200, r.text);
  }
  // the access log names the worker of each request: both answered some (else one worker's count would do)
  const chatPids = () =>
    new Set(
      stdout
        .split('\n')
        .filter((l) => l.startsWith('{') && l.includes('"route":"/v1/chat/completions"'))
        .map((l) => (JSON.parse(l) as { worker_pid: number }).worker_pid),
    );
  while (chatPids().size < 2 || stdout.split('/v1/chat/completions').length - 1 < n) {
    assert.ok(Date.now() < deadline, `both workers answering: ${[...chatPids()].join(',')}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const root = url.replace(/\/v1$/, '');
  const counts: number[] = [];
  for (let i = 0; i < 4; i++) {
    const r = await call(`${root}/metrics`, { method: 'GET', key });
    assert.equal(r.status, 200, r.text);
    const s = parseProm(r.text);
    counts.push(s.all('arouter_requests_total', { status_class: '2xx' }).reduce((a, x) => a + x.value, 0));
    assert.equal(s.value('arouter_request_duration_seconds_count', { model: 'mistralai/mistral-large' }), n);
  }
  for (let i = 0; i < 2; i++) {
    const r = await call(`http://127.0.0.1:${metricsPort}/metrics`, { method: 'GET' });
    assert.equal(r.status, 200, r.text);
    const s = parseProm(r.text);
    counts.push(s.all('arouter_requests_total', { status_class: '2xx' }).reduce((a, x) => a + x.value, 0));
  }
  assert.deepEqual(counts, Array(counts.length).fill(n), 'every scrape, whichever worker took it, sees all requests');
});
