// Live config reload (issue 18 item 4) as an operator does it: `arouter serve --config FILE` in a process of its
// own, calling a simulated OpenAI upstream with a key from the environment. Under a running stream the file gets a
// new price for the model and a new key variable; SIGHUP. The stream ends intact, billed at the price it started
// on, its upstream saw the old key; a new request sees the new price and key. A bad config is refused (log and
// 400 naming the field) while the old one serves; a restart-only change is reported as such. With --workers 2
// (PostgreSQL + Redis), SIGHUP to the primary reloads both workers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSimUpstream, type SimUpstream } from '../../src/sim/index.js';
import { loadBuiltinCatalog } from '../../src/catalog/catalog.js';
import type { EndpointDef } from '../../src/catalog/types.js';
import { readSse } from '../helpers/sse.js';
import { pusd, usdString } from '../helpers/accounting.js';
import { dropPrefix, REDIS_URL, testPrefix } from '../helpers/redis-shared.js';
import postgres from 'postgres';

const MAIN = new URL('../../src/cli/main.ts', import.meta.url).pathname;
const MODEL = 'openai/gpt-4o-mini';
const BASE = loadBuiltinCatalog().models.find((m) => m.id === MODEL)!;

/** the model priced at `prompt` / `completion` USD per token on its OpenAI endpoint */
function priced(prompt: string, completion: string): Record<string, unknown> {
  const endpoints = BASE.endpoints
    .filter((e) => e.provider === 'openai')
    .map((e): EndpointDef => ({ ...e, pricing: { ...e.pricing, prompt, completion } }));
  return { id: MODEL, endpoints };
}

function configFile(sim: SimUpstream, keyEnv: string, prompt: string, more: Record<string, unknown> = {}): string {
  return JSON.stringify({
    catalog: { sync_interval: 0 },
    providers: [{ id: 'openai', base_url: sim.url, api_key_env: keyEnv }],
    models: [priced(prompt, '0.00002')],
    ...more,
  });
}

/** a serve process: its stdout JSON log lines, and a wait for one */
class Served {
  readonly lines: Array<Record<string, unknown>> = [];
  stderr = '';
  private partial = '';

  constructor(readonly proc: ChildProcess) {
    proc.stdout!.on('data', (d: Buffer) => {
      const parts = (this.partial + d.toString()).split('\n');
      this.partial = parts.pop()!;
      for (const p of parts) if (p.startsWith('{')) this.lines.push(JSON.parse(p) as Record<string, unknown>);
    });
    proc.stderr!.on('data', (d: Buffer) => (this.stderr += d.toString()));
  }

  msgs(msg: string): Array<Record<string, unknown>> {
    return this.lines.filter((l) => l.msg === msg);
  }

  async until<T>(what: string, check: () => T | undefined | null | false, ms = 60_000): Promise<T> {
    const deadline = Date.now() + ms;
    for (;;) {
      const v = check();
      if (v) return v;
      if (Date.now() > deadline || this.proc.exitCode !== null) {
        throw new Error(`waiting for ${what}: ${this.stderr}\n${JSON.stringify(this.lines.slice(-10))}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

function serve(dir: string, config: string, env: Record<string, string>, args: string[] = []): Served {
  const proc = spawn(
    process.execPath,
    ['--import', 'tsx', MAIN, 'serve', '--port', '0', '--data-dir', dir, '--config', config, ...args],
    {
      env: { PATH: process.env.PATH, HOME: process.env.HOME, AROUTER_LOG_LEVEL: 'info', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  return new Served(proc);
}

interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  cost: number;
}

const costAt = (prompt: string, u: Usage) =>
  usdString(BigInt(u.prompt_tokens) * pusd(prompt) + BigInt(u.completion_tokens) * pusd('0.00002'));

async function ledgerCost(url: string, key: string, id: string): Promise<string> {
  for (let i = 0; i < 100; i++) {
    const r = await fetch(`${url}/generation?id=${id}`, { headers: { authorization: `Bearer ${key}` } });
    if (r.status === 200) return ((await r.json()) as { data: { total_cost_exact: string } }).data.total_cost_exact;
    await new Promise((res) => setTimeout(res, 50));
  }
  throw new Error(`generation ${id} never reached the ledger`);
}

async function chat(url: string, key: string): Promise<{ id: string; usage: Usage; status: number; body: string }> {
  const r = await fetch(`${url}/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: MODEL, messages: [{ role: 'user', content: 'after the reload' }] }),
  });
  const body = await r.text();
  const j = r.status === 200 ? (JSON.parse(body) as { id: string; usage: Usage }) : null;
  return { status: r.status, body, id: j?.id ?? '', usage: j?.usage as Usage };
}

const reloadEndpoint = (url: string, key: string) =>
  fetch(`${url}/admin/reload`, { method: 'POST', headers: { authorization: `Bearer ${key}` } });

test('SIGHUP under a running stream: it ends intact on the old price and key; new requests get the new ones', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'arouter-reload-'));
  const sim = await startSimUpstream({ dialect: 'openai', port: 0 });
  const file = join(dir, 'arouter.config.yaml');
  writeFileSync(file, configFile(sim, 'RELOAD_KEY_A', '0.00001'));
  const s = serve(dir, file, { RELOAD_KEY_A: 'sk-old-key', RELOAD_KEY_B: 'sk-new-key' });
  t.after(async () => {
    if (s.proc.exitCode === null) s.proc.kill('SIGKILL');
    await sim.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const url = await s.until('listening', () => /listening on (http:\/\/\S+\/v1)/.exec(s.stderr)?.[1]);
  const key = readFileSync(join(dir, 'admin-key.txt'), 'utf8').trim();

  // a slow stream: ~4 content events a second
  sim.script({ match: { model: 'gpt-4o-mini' }, tokensPerSecond: 4 });
  const res = await fetch(`${url}/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      model: MODEL,
      stream: true,
      messages: [{ role: 'user', content: 'a long answer please' }],
    }),
  });
  assert.equal(res.status, 200);
  const events = readSse(res.body!);
  const chunks: Array<{ id: string; choices: Array<{ delta: { content?: string } }>; usage?: Usage }> = [];
  // the stream is under way (content arrived) before the reload
  for (;;) {
    const e = (await events.next()).value!;
    chunks.push(JSON.parse(e.data));
    if (chunks.at(-1)!.choices[0]?.delta.content) break;
  }

  writeFileSync(file, configFile(sim, 'RELOAD_KEY_B', '0.00003'));
  s.proc.kill('SIGHUP');
  const reloaded = await s.until('the reload', () => s.msgs('config reloaded')[0]);
  assert.deepEqual([...(reloaded.changed as string[])].sort(), [
    'models.openai/gpt-4o-mini',
    'providers.openai',
    'providers.openai.api_key',
  ]);
  assert.deepEqual(reloaded.needs_restart, []);

  // a new request while the first still streams: the new key upstream, the new price billed
  const fresh = await chat(url, key);
  assert.equal(fresh.status, 200, fresh.body);
  assert.equal(sim.requests.at(-1)!.headers.authorization, 'Bearer sk-new-key');
  assert.equal(await ledgerCost(url, key, fresh.id), costAt('0.00003', fresh.usage));

  // the first stream: every event, [DONE], billed at the price it started on; its upstream saw the old key
  let done = false;
  for await (const e of events) {
    if (e.data === '[DONE]') {
      done = true;
      break;
    }
    chunks.push(JSON.parse(e.data));
  }
  assert.ok(done, 'the stream ended with [DONE]');
  const text = chunks.map((c) => c.choices[0]?.delta.content ?? '').join('');
  assert.match(text, /^Hello from gpt-4o-mini\. You said: a long answer please/);
  const usage = chunks.find((c) => c.usage)!.usage!;
  assert.equal(await ledgerCost(url, key, chunks[0].id), costAt('0.00001', usage));
  assert.notEqual(costAt('0.00001', usage), costAt('0.00003', usage));
  assert.equal(sim.requests[0].headers.authorization, 'Bearer sk-old-key');
  assert.equal(sim.requests.length, 2);

  // a bad config: refused, logged with the field, and the running config serves on
  writeFileSync(
    file,
    JSON.stringify({
      providers: [{ id: 'openai', base_url: sim.url, api_key_env: 'RELOAD_KEY_A' }],
      limits: { free_rpm: 0 },
    }),
  );
  s.proc.kill('SIGHUP');
  const refused = await s.until('the refusal', () => s.msgs('config reload refused; the running config stays')[0]);
  assert.equal(refused.field, 'limits.free_rpm');
  const bad = await reloadEndpoint(url, key);
  assert.equal(bad.status, 400);
  const err = ((await bad.json()) as { error: { message: string; param: string; code: string } }).error;
  assert.equal(err.param, 'limits.free_rpm');
  assert.match(err.message, /limits\.free_rpm/);
  writeFileSync(
    file,
    configFile(sim, 'RELOAD_KEY_A', '0.00001', {
      models: [
        { ...priced('1', '1'), endpoints: [{ ...(priced('1', '1').endpoints as EndpointDef[])[0], provider: 'nope' }] },
      ],
    }),
  );
  const unknown = await reloadEndpoint(url, key);
  assert.equal(unknown.status, 400);
  const uerr = ((await unknown.json()) as { error: { message: string; param: string } }).error;
  assert.match(uerr.message, /unknown provider "nope"/);
  assert.equal(uerr.param, `model "${MODEL}".endpoints[0].provider`);
  const still = await chat(url, key);
  assert.equal(still.status, 200);
  assert.equal(sim.requests.at(-1)!.headers.authorization, 'Bearer sk-new-key', 'the refused config changed nothing');
  assert.equal(await ledgerCost(url, key, still.id), costAt('0.00003', still.usage));

  // restart-only settings: reported, not applied; the live ones beside them are
  writeFileSync(
    file,
    configFile(sim, 'RELOAD_KEY_B', '0.00003', {
      server: { host: '127.0.0.2', body_limit_bytes: 100_000 },
      ledger: { max_batch: 10 },
    }),
  );
  const ok = await reloadEndpoint(url, key);
  assert.equal(ok.status, 200);
  const report = (await ok.json()) as { reloaded: boolean; changed: string[]; needs_restart: string[] };
  assert.deepEqual(report, {
    reloaded: true,
    changed: ['server.body_limit_bytes'],
    needs_restart: ['server.host', 'ledger.max_batch'],
  });
  const warned = await s.until('the restart warning', () =>
    s.msgs('config changes that need a restart (the running values stay)').at(-1),
  );
  assert.deepEqual(warned.fields, ['server.host', 'ledger.max_batch']);
  const big = await fetch(`${url}/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: MODEL, messages: [{ role: 'user', content: 'x'.repeat(200_000) }] }),
  });
  assert.equal(big.status, 413, 'the new body limit applies');
  assert.equal((await chat(url, key)).status, 200, 'still listening where it was');

  // a user key may not reload
  const user = await fetch(`${url}/keys`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'u' }),
  });
  const userKey = ((await user.json()) as { key: string }).key;
  assert.equal((await reloadEndpoint(url, userKey)).status, 403);

  s.proc.kill('SIGTERM');
  assert.equal(await new Promise((r) => s.proc.once('exit', r)), 0);
});

test('--workers 2: SIGHUP to the primary, or the endpoint on any worker (arouter reload), reloads every worker', async (t) => {
  const PG_URL = process.env.AROUTER_TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';
  const schema = `arouter_reload_${process.pid}_${Date.now().toString(36)}`;
  const prefix = testPrefix('reload');
  const dir = mkdtempSync(join(tmpdir(), 'arouter-reload-workers-'));
  const sim = await startSimUpstream({ dialect: 'openai', port: 0 });
  const file = join(dir, 'arouter.config.yaml');
  const shared = { storage: { url: PG_URL, schema }, redis: { url: REDIS_URL, prefix } };
  writeFileSync(file, configFile(sim, 'RELOAD_KEY_A', '0.00001', shared));
  const s = serve(dir, file, { RELOAD_KEY_A: 'sk-old-key', RELOAD_KEY_B: 'sk-new-key' }, ['--workers', '2']);
  t.after(async () => {
    if (s.proc.exitCode === null) s.proc.kill('SIGKILL');
    for (const l of s.msgs('worker started')) {
      try {
        process.kill(l.pid as number, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    await sim.close();
    const sql = postgres(PG_URL, { max: 1, onnotice: () => {} });
    await sql.unsafe(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await sql.end({ timeout: 1 });
    await dropPrefix(prefix);
    rmSync(dir, { recursive: true, force: true });
  });
  const url = await s.until('listening', () => /listening on (http:\/\/\S+\/v1) \(2 workers/.exec(s.stderr)?.[1]);
  const key = readFileSync(join(dir, 'admin-key.txt'), 'utf8').trim();
  const workers = s.msgs('worker started').map((l) => l.pid as number);

  writeFileSync(file, configFile(sim, 'RELOAD_KEY_B', '0.00003', shared));
  s.proc.kill('SIGHUP');
  const reloaded = await s.until('both workers reloaded', () => {
    const l = s.msgs('config reloaded');
    return l.length === 2 && l;
  });
  assert.deepEqual(reloaded.map((l) => l.worker_pid).sort(), [...workers].sort(), 'each worker reloaded once');
  for (const l of reloaded) assert.ok((l.changed as string[]).includes('providers.openai.api_key'));

  // whichever worker answers (a connection of its own each: the cluster hands them out in turn), the new key
  sim.reset();
  for (let i = 0; i < 6; i++) assert.equal((await chat(url, key)).status, 200);
  assert.deepEqual(new Set(sim.requests.map((r) => r.headers.authorization)), new Set(['Bearer sk-new-key']));

  // `arouter reload` (the endpoint) reaches one worker; that worker has the primary reload the other
  writeFileSync(file, configFile(sim, 'RELOAD_KEY_A', '0.00003', shared));
  const cli = spawnSync(
    process.execPath,
    ['--import', 'tsx', MAIN, 'reload', '--url', url, '--data-dir', dir, '--config', file],
    { env: { PATH: process.env.PATH, HOME: process.env.HOME }, encoding: 'utf8', timeout: 60_000 },
  );
  assert.equal(cli.status, 0, cli.stderr);
  assert.match(cli.stdout, /^reloaded; changed: .*providers\.openai\.api_key/);
  const again = await s.until('both workers reloaded again', () => {
    const l = s.msgs('config reloaded').slice(2);
    return l.length === 2 && l;
  });
  assert.deepEqual(again.map((l) => l.trigger).sort(), ['SIGHUP', 'admin endpoint']);
  assert.deepEqual(again.map((l) => l.worker_pid).sort(), [...workers].sort());
  sim.reset();
  for (let i = 0; i < 6; i++) assert.equal((await chat(url, key)).status, 200);
  assert.deepEqual(new Set(sim.requests.map((r) => r.headers.authorization)), new Set(['Bearer sk-old-key']));

  s.proc.kill('SIGTERM');
  assert.equal(await new Promise((r) => s.proc.once('exit', r)), 0);
});
