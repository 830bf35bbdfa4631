// `arouter serve --workers N` as an operator runs it: refused on the embedded SQLite storage (and without
// Redis), and a real 2-worker run on PostgreSQL (a schema of its own) + Redis (a prefix of its own) with the
// demo's simulators started once by the primary: the operator key printed once, requests answered by both
// workers, a worker killed with -9 replaced and serving, every answered request in the shared ledger, and
// SIGTERM draining all workers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import postgres from 'postgres';

const MAIN = new URL('../../src/cli/main.ts', import.meta.url).pathname;
const BASE_ENV: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, AROUTER_LOG_LEVEL: 'info' };
const PG_URL = process.env.AROUTER_TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';
const REDIS_URL = process.env.AROUTER_TEST_REDIS_URL || 'redis://127.0.0.1:6379';
const RUN = `arouter_workers_${process.pid}_${Date.now().toString(36)}`;

test('--workers > 1 is refused on the embedded SQLite storage and without Redis (exit 2, nothing created)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'arouter-workers-'));
  try {
    const run = (args: string[], env: NodeJS.ProcessEnv = {}) =>
      spawnSync(process.execPath, ['--import', 'tsx', MAIN, 'serve', '--data-dir', dir, ...args], {
        env: { ...BASE_ENV, ...env },
        encoding: 'utf8',
        timeout: 60_000,
      });
    const sqlite = run(['--workers', '3']);
    assert.equal(sqlite.status, 2, sqlite.stderr);
    assert.match(sqlite.stderr, /--workers 3 needs shared storage: set storage\.url \(PostgreSQL\) and redis\.url/);
    assert.ok(!existsSync(join(dir, 'arouter.db')), 'refused before the SQLite file is created');
    const two = run(['--workers', '2'], { AROUTER_DATABASE_URL: PG_URL });
    assert.equal(two.status, 2);
    assert.match(two.stderr, /Missing: redis\.url/);
    assert.match(two.stderr, /counted per process/);
    const bad = run(['--workers', 'many']);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /--workers must be a positive integer, 0 or auto \(got many\)/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/** collects a child's stdout JSON lines and stderr text, and waits for either to show something */
class Watched {
  readonly lines: Array<Record<string, unknown>> = [];
  stderr = '';
  private partial = '';
  private waiters: Array<() => void> = [];

  constructor(readonly proc: ChildProcess) {
    proc.stdout!.on('data', (d: Buffer) => {
      const text = this.partial + d.toString();
      const parts = text.split('\n');
      this.partial = parts.pop()!;
      for (const p of parts) if (p.startsWith('{')) this.lines.push(JSON.parse(p) as Record<string, unknown>);
      this.wake();
    });
    proc.stderr!.on('data', (d: Buffer) => {
      this.stderr += d.toString();
      this.wake();
    });
  }

  private wake() {
    for (const w of this.waiters.splice(0)) w();
  }

  async until<T>(what: string, check: () => T | undefined | null | false, ms = 60_000): Promise<T> {
    const deadline = Date.now() + ms;
    for (;;) {
      const v = check();
      if (v) return v;
      if (Date.now() > deadline || this.proc.exitCode !== null) {
        throw new Error(`waiting for ${what}: ${this.stderr}\n${JSON.stringify(this.lines.slice(-20))}`);
      }
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, 200);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  msgs(msg: string): Array<Record<string, unknown>> {
    return this.lines.filter((l) => l.msg === msg);
  }
}

/** one request on a connection of its own, so the cluster hands each to the next worker */
function chat(url: string, key: string): Promise<{ status: number; id: string }> {
  return new Promise((resolve, reject) => {
    const body = JSON.stringify({ model: 'mistralai/mistral-large', messages: [{ role: 'user', content: 'hi' }] });
    const req = request(
      `${url}/chat/completions`,
      {
        method: 'POST',
        agent: false,
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      },
      (res) => {
        let text = '';
        res.on('data', (d: Buffer) => (text += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode!, id: (JSON.parse(text) as { id: string }).id }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

async function dropPrefix(prefix: string): Promise<void> {
  const redis = new Redis(REDIS_URL);
  for await (const keys of redis.scanStream({ match: `${prefix}*`, count: 500 })) {
    if ((keys as string[]).length) await redis.del(...(keys as string[]));
  }
  redis.disconnect();
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

test('serve --workers 2 on PostgreSQL + Redis: both workers answer, a killed one is replaced, SIGTERM drains all', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'arouter-workers-'));
  const schema = RUN;
  const prefix = `arouter-test-${process.pid}-${Math.random().toString(36).slice(2)}:`;
  writeFileSync(
    join(dir, 'arouter.config.yaml'),
    JSON.stringify({
      storage: { url: PG_URL, schema },
      redis: { url: REDIS_URL, prefix },
      server: { shutdown_grace_ms: 5000 },
    }),
  );
  const proc = spawn(
    process.execPath,
    ['--import', 'tsx', MAIN, 'serve', '--workers', '2', '--demo', '--port', '0', '--data-dir', dir],
    { env: { ...BASE_ENV, AROUTER_CONFIG: join(dir, 'arouter.config.yaml') } },
  );
  const w = new Watched(proc);
  t.after(async () => {
    if (proc.exitCode === null) proc.kill('SIGKILL');
    for (const l of w.msgs('worker started')) if (alive(l.pid as number)) process.kill(l.pid as number, 'SIGKILL');
    const sql = postgres(PG_URL, { max: 1, onnotice: () => {} });
    await sql.unsafe(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await sql.end({ timeout: 1 });
    await dropPrefix(prefix);
    rmSync(dir, { recursive: true, force: true });
  });

  const url = await w.until(
    'listening',
    () => /listening on (http:\/\/\S+\/v1) \(2 workers; demo mode/.exec(w.stderr)?.[1],
  );
  const key = readFileSync(join(dir, 'admin-key.txt'), 'utf8').trim();
  assert.equal(w.stderr.split('First start:').length - 1, 1, 'the operator key is announced once, not per worker');
  assert.ok(w.stderr.includes(key));
  const started = w.msgs('worker started').map((l) => l.pid as number);
  assert.equal(new Set(started).size, 2);

  const served = new Set<string>();
  const answered = async (n: number) => {
    for (let i = 0; i < n; i++) {
      const r = await chat(url, key);
      assert.equal(r.status, 200);
      served.add(r.id);
    }
  };
  await answered(8);
  const pidsOf = (ids: Set<string>) =>
    new Set(
      w
        .msgs('request')
        .filter((l) => ids.has(l.generation_id as string))
        .map((l) => l.worker_pid as number),
    );
  const before = await w.until('access log lines of both workers', () => {
    const pids = pidsOf(served);
    return pids.size === 2 && pids;
  });
  assert.deepEqual([...before].sort(), [...started].sort(), 'both workers answered; each log line names its worker');

  // kill -9 one worker: the primary sees it, forks a replacement, and requests keep being answered
  const victim = started[0];
  process.kill(victim, 'SIGKILL');
  const replacement = await w.until('a replacement worker listening', () => {
    const l = w.msgs('worker listening').find((m) => !started.includes(m.pid as number));
    return l && (l.pid as number);
  });
  const restarted = w.msgs('worker exited: restarting it');
  assert.equal(restarted.length, 1);
  assert.equal(restarted[0].pid, victim);
  assert.equal(restarted[0].signal, 'SIGKILL');
  const after = new Set<string>();
  for (let i = 0; i < 8; i++) {
    const r = await chat(url, key);
    assert.equal(r.status, 200);
    served.add(r.id);
    after.add(r.id);
  }
  await w.until('the replacement answering', () => pidsOf(after).has(replacement));
  assert.ok(!pidsOf(after).has(victim));

  // SIGTERM: every worker drains and exits, then the primary, well within the grace period + margin
  const workers = [started[1], replacement];
  const exited = new Promise<number | null>((resolve) => proc.once('exit', resolve));
  const t0 = Date.now();
  proc.kill('SIGTERM');
  assert.equal(await exited, 0);
  assert.ok(Date.now() - t0 < 20_000);
  assert.deepEqual(
    workers.filter((pid) => alive(pid)),
    [],
  );
  assert.equal(w.msgs('worker exited').length, 2);

  // every answered request is in the shared ledger (each worker flushed its rows on the way out)
  const sql = postgres(PG_URL, { max: 1, onnotice: () => {} });
  try {
    const [{ n }] = await sql.unsafe<Array<{ n: string }>>(
      `SELECT count(*) AS n FROM "${schema}".generations WHERE id = ANY($1)`,
      [[...served]],
    );
    assert.equal(Number(n), served.size);
    const [{ keys }] = await sql.unsafe<Array<{ keys: string }>>(
      `SELECT count(*) AS keys FROM "${schema}".api_keys WHERE role = 'operator'`,
    );
    assert.equal(Number(keys), 1, 'one operator key, created by the primary before the workers started');
  } finally {
    await sql.end({ timeout: 1 });
  }
});

test('a worker that cannot start (the port is taken) stops the primary with exit 1 instead of a restart loop', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'arouter-workers-'));
  const schema = `${RUN}_port`;
  const prefix = `arouter-test-${process.pid}-${Math.random().toString(36).slice(2)}:`;
  const blocker = createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  const port = (blocker.address() as AddressInfo).port;
  t.after(async () => {
    blocker.close();
    await dropPrefix(prefix);
    const sql = postgres(PG_URL, { max: 1, onnotice: () => {} });
    await sql.unsafe(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await sql.end({ timeout: 1 });
    rmSync(dir, { recursive: true, force: true });
  });
  const config = join(dir, 'arouter.config.yaml');
  writeFileSync(config, JSON.stringify({ storage: { url: PG_URL, schema }, redis: { url: REDIS_URL, prefix } }));
  const proc = spawn(
    process.execPath,
    ['--import', 'tsx', MAIN, 'serve', '--workers', '2', '--port', String(port), '--data-dir', dir],
    { env: { ...BASE_ENV, AROUTER_CONFIG: config } },
  );
  const w = new Watched(proc);
  const code = await new Promise<number | null>((resolve) => proc.once('exit', resolve));
  assert.equal(code, 1);
  assert.match(w.stderr, /EADDRINUSE/);
  assert.equal(w.msgs('worker exited before it listened: stopping').length, 1);
  assert.equal(w.msgs('worker exited: restarting it').length, 0);
});
