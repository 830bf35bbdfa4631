// Keeps `npm run bench` from rotting: runs it in --smoke mode (TypeScript through tsx, no build needed),
// a couple of seconds per target, and checks it exits 0 and writes a result row per target.
// Nothing here asserts speed: CI machines are shared and noisy.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

interface Row {
  name: string;
  status: 'ok' | 'errors' | 'unavailable';
  error: string | null;
  rps: number | null;
  p99_ms: number | null;
  stream: { streams_per_s: number | null; ttfb_p50_ms: number | null };
  peak_rss_mb: number | null;
}

test('npm run bench --smoke: every target runs, results JSON has a row per target', { timeout: 120_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'arouter-bench-smoke-'));
  const out = join(dir, 'latest.json');
  try {
    const { code, output } = await new Promise<{ code: number | null; output: string }>((done) => {
      // results go to a temp file so a developer's bench/results/latest.json is not overwritten by `npm test`
      const p = spawn(process.execPath, ['--import', 'tsx', 'bench/run.ts', '--smoke', '--out', out], {
        cwd: ROOT,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      p.stdout.on('data', (d) => (output += d));
      p.stderr.on('data', (d) => (output += d));
      p.on('exit', (c) => done({ code: c, output }));
    });
    assert.equal(code, 0, `bench --smoke exited ${code}:\n${output}`);
    assert.match(output, /\| target\s+\|\s+req\/s/, 'prints the results table');
    assert.match(output, /(PASS|FAIL|SKIP) {2}non-stream RPS ≥ 0\.95 × bare proxy/, 'prints the pass/fail lines');

    const result = JSON.parse(readFileSync(out, 'utf8')) as {
      targets: Row[];
      checks: Array<{ id: string; pass: boolean | null }>;
    };
    const byName = new Map(result.targets.map((r) => [r.name, r]));
    for (const name of ['direct', 'bare', 'json', 'arouter']) {
      const r = byName.get(name);
      assert.ok(r, `a row for ${name}`);
      assert.equal(r.status, 'ok', `${name}: ${r.error}`);
      assert.equal(typeof r.rps, 'number', `${name} has numeric RPS`);
      assert.ok(r.rps! > 0, `${name} served requests`);
      assert.equal(typeof r.p99_ms, 'number');
      assert.equal(typeof r.stream.streams_per_s, 'number', `${name} streamed`);
      assert.equal(typeof r.stream.ttfb_p50_ms, 'number');
    }
    assert.equal(typeof byName.get('arouter')!.peak_rss_mb, 'number');
    // Portkey is a peer, not a dependency of ARouter: if it cannot run, the row says why instead
    const pk = byName.get('portkey');
    assert.ok(pk, 'a row for portkey');
    if (pk.status === 'unavailable') assert.ok(pk.error && pk.error.length > 0, 'an unavailable Portkey says why');
    else assert.equal(typeof pk.rps, 'number', 'portkey has numeric RPS');
    assert.deepEqual(result.checks.map((c) => c.id).slice(0, 5), [
      'rps_vs_bare',
      'p99_vs_bare',
      'ttfb_added',
      'rss',
      'rps_vs_portkey',
    ]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
