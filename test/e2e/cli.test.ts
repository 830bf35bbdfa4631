// The `arouter` command as a user runs it: keys create/list/revoke, models with filters, serve --demo
// (first-start admin key file, a real request, graceful SIGTERM that flushes the ledger), and the
// no-provider-key hint.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from '../../src/store/sqlite-driver.mjs';

const MAIN = new URL('../../src/cli/main.ts', import.meta.url).pathname;
const BASE_ENV: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, AROUTER_LOG_LEVEL: 'info' };

function cli(args: string[], env: NodeJS.ProcessEnv = {}) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', MAIN, ...args], {
    env: { ...BASE_ENV, ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('keys create / list / revoke on the local data dir', () => {
  const dir = mkdtempSync(join(tmpdir(), 'arouter-cli-'));
  try {
    const created = cli([
      'keys',
      'create',
      '--name',
      'ci',
      '--limit',
      '2.5',
      '--limit-reset',
      'weekly',
      '--rpm',
      '30',
      '--json',
      '--data-dir',
      dir,
    ]);
    assert.equal(created.code, 0, created.stderr);
    const { id, key } = JSON.parse(created.stdout) as { id: string; key: string };
    assert.match(key, /^lr_live_[0-9A-Za-z]{32,}$/);
    const listed = cli(['keys', 'list', '--json', '--data-dir', dir]);
    assert.equal(listed.code, 0);
    const rows = JSON.parse(listed.stdout) as Array<{
      id: string;
      name: string;
      limit: string;
      limit_reset: string;
      rate_limit_rpm: number;
    }>;
    const row = rows.find((r) => r.id === id)!;
    assert.deepEqual([row.name, row.limit, row.limit_reset, row.rate_limit_rpm], ['ci', '2.5', 'weekly', 30]);
    assert.ok(!listed.stdout.includes(key), 'the secret is never listed');
    assert.equal(cli(['keys', 'revoke', id, '--data-dir', dir]).code, 0);
    const after = JSON.parse(cli(['keys', 'list', '--json', '--data-dir', dir]).stdout) as Array<{ id: string }>;
    assert.ok(!after.some((r) => r.id === id), 'revoked keys are hidden by default');
    assert.equal(cli(['keys', 'revoke', 'key_nope', '--data-dir', dir]).code, 1);
    const bad = cli(['keys', 'create', '--data-dir', dir]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--name/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('models lists what the API would, with the same filters', () => {
  const none = cli(['models', '--json']);
  assert.equal(none.code, 0);
  assert.equal((JSON.parse(none.stdout) as { data: unknown[] }).data.length, 0, 'no provider key: nothing listed');
  const openai = JSON.parse(cli(['models', '--json'], { OPENAI_API_KEY: 'x' }).stdout) as {
    data: Array<{ id: string; architecture: { output_modalities: string[] } }>;
  };
  assert.ok(openai.data.length > 5);
  assert.ok(openai.data.every((m) => m.id.startsWith('openai/') && m.architecture.output_modalities.includes('text')));
  const emb = JSON.parse(cli(['models', '--json', '--all-providers', '--output-modalities', 'embeddings']).stdout) as {
    data: Array<{ id: string }>;
  };
  assert.ok(emb.data.some((m) => m.id === 'openai/text-embedding-3-small'));
  assert.ok(!emb.data.some((m) => m.id === 'openai/gpt-4o'));
  const tools = JSON.parse(
    cli(['models', '--json', '--all-providers', '--supported-parameters', 'tools,reasoning']).stdout,
  ) as { data: Array<{ supported_parameters: string[] }> };
  assert.ok(
    tools.data.length > 0 &&
      tools.data.every((m) => m.supported_parameters.includes('tools') && m.supported_parameters.includes('reasoning')),
  );
  const bad = cli(['models', '--output-modalities', 'video']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /video/);
});

async function waitFor(proc: ReturnType<typeof spawn>, re: RegExp, stream: 'stdout' | 'stderr'): Promise<string> {
  let buf = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timeout waiting for ${re}; got:\n${buf}`)), 30_000);
    proc[stream]!.on('data', (d: Buffer) => {
      buf += d.toString();
      const m = re.exec(buf);
      if (m) {
        clearTimeout(timer);
        resolve(buf);
      }
    });
    proc.once('exit', (code) => reject(new Error(`exited ${code}:\n${buf}`)));
  });
}

test('serve --demo: first start prints and saves the admin key, serves chat, SIGTERM flushes the ledger', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'arouter-serve-'));
  try {
    const proc = spawn(
      process.execPath,
      ['--import', 'tsx', MAIN, 'serve', '--demo', '--port', '0', '--data-dir', dir],
      {
        env: { ...BASE_ENV, AROUTER_LOG_LEVEL: 'info' },
      },
    );
    const stdout: string[] = [];
    proc.stdout.on('data', (d: Buffer) => stdout.push(d.toString()));
    const err = await waitFor(proc, /listening on (http:\/\/\S+\/v1)/, 'stderr');
    const url = /listening on (http:\/\/\S+\/v1)/.exec(err)![1];
    const file = join(dir, 'admin-key.txt');
    const key = readFileSync(file, 'utf8').trim();
    assert.ok(err.includes(key), 'the admin key is printed once');
    assert.equal(statSync(file).mode & 0o777, 0o600);
    const secret = 'a-private-prompt-7731';
    const res = await fetch(`${url}/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'mistralai/mistral-large', messages: [{ role: 'user', content: secret }] }),
    });
    assert.equal(res.status, 200);
    const body = (await res.json()) as { id: string; provider: string };
    assert.equal(body.provider, 'mistral');
    const exited = new Promise<number | null>((resolve) => proc.once('exit', resolve));
    proc.kill('SIGTERM');
    assert.equal(await exited, 0);
    // graceful shutdown wrote the batched ledger row
    const db = new Database(join(dir, 'arouter.db'), { readonly: true });
    const row = db.prepare('SELECT model, provider, status FROM generations WHERE id = ?').get(body.id) as {
      model: string;
      provider: string;
      status: number;
    };
    db.close();
    assert.deepEqual(row, { model: 'mistralai/mistral-large', provider: 'mistral', status: 200 });
    // structured access log: one JSON line per request, without prompt contents
    const lines = stdout
      .join('')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const access = lines.find((l) => l.msg === 'request' && l.route === '/v1/chat/completions')!;
    assert.ok(access.id && access.key_id && access.status === 200 && typeof access.duration_ms === 'number');
    assert.ok(!stdout.join('').includes(secret), 'prompt text is not logged');
    // second start: no new admin key
    const again = spawn(
      process.execPath,
      ['--import', 'tsx', MAIN, 'serve', '--demo', '--port', '0', '--data-dir', dir],
      { env: BASE_ENV },
    );
    const err2 = await waitFor(again, /listening on/, 'stderr');
    assert.ok(!err2.includes('First start'));
    const exited2 = new Promise((resolve) => again.once('exit', resolve));
    again.kill('SIGTERM');
    await exited2;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('serve without provider keys says how to run the demo', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'arouter-nokeys-'));
  try {
    const proc = spawn(process.execPath, ['--import', 'tsx', MAIN, 'serve', '--port', '0', '--data-dir', dir], {
      env: BASE_ENV,
    });
    const err = await waitFor(proc, /--demo/, 'stderr');
    assert.match(err, /No provider is configured/);
    const exited = new Promise((resolve) => proc.once('exit', resolve));
    proc.kill('SIGTERM');
    await exited;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a bad config file stops the start with the field named', () => {
  const dir = mkdtempSync(join(tmpdir(), 'arouter-badcfg-'));
  try {
    const file = join(dir, 'arouter.config.yaml');
    writeFileSync(file, 'providers:\n  - id: x\n    dialect: soap\n');
    const r = cli(['serve', '--config', file, '--data-dir', dir]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /providers\[0\]\.dialect/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('every launcher starts node the same way: npm start, npm run demo, the arouter bin (and the bench)', async () => {
  const { SERVE_ENV, SERVE_NODE_FLAGS } = await import('../../src/cli/node-flags.js');
  const root = new URL('../../', import.meta.url);
  const pkg = JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as { scripts: Record<string, string> };
  const env = Object.entries(SERVE_ENV)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
  const flags = SERVE_NODE_FLAGS.join(' ');
  assert.ok(flags.length > 0 && env.length > 0);
  for (const script of ['start', 'demo'])
    assert.ok(pkg.scripts[script].includes(`&& ${env} node ${flags} dist/src/cli/main.js serve`), script);
  const shebang = readFileSync(new URL('bin/arouter.js', root), 'utf8').split('\n')[0];
  assert.equal(shebang, `#!/usr/bin/env -S ${env} node ${flags}`);
  const bench = readFileSync(new URL('bench/targets.ts', root), 'utf8');
  assert.ok(bench.includes('[...SERVE_NODE_FLAGS, ...o.nodeFlags]'));
  assert.match(bench, /env: \{\s*\.\.\.SERVE_ENV,\s*\.\.\.baseEnv\(\),/);
});

test("arouter <command> --help prints that command's help and exits 0, without running it", () => {
  for (const [cmd, mention] of [
    ['serve', '--demo'],
    ['keys', 'keys create'],
    ['models', '--output-modalities'],
    ['sim', '--dialect'],
  ]) {
    const r = cli([cmd, '--help']);
    assert.equal(r.code, 0, `${cmd}: ${r.stderr}`);
    assert.match(r.stdout, new RegExp(`^arouter ${cmd} — `), cmd);
    assert.ok(r.stdout.includes(mention), `${cmd} help mentions ${mention}`);
    // `sim --help` used to start the simulators (and `serve --help` a server): nothing listens, nothing is printed
    assert.doesNotMatch(r.stdout, /simulated upstream: http|listening/i, cmd);
  }
  assert.equal(cli(['keys', 'create', '-h']).code, 0);
  assert.match(cli(['--help']).stdout, /<command> --help/);
});
