// Keeps `npm run bench` from rotting: runs it in --smoke mode (TypeScript through tsx, no build needed),
// a couple of seconds per target, and checks it exits 0 and writes a result row per target, for the saturation
// table and for the fixed-rate (open-loop) latency table.
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

interface RateRow {
  name: string;
  status: 'ok' | 'saturated' | 'errors';
  error: string | null;
  rate: number;
  achieved_per_s: number | null;
  p50_ms: number | null;
  p90_ms: number | null;
  p99_ms: number | null;
  p999_ms: number | null;
  added_p50_ms: number | null;
  added_p99_ms: number | null;
  added_p50_over_bare_ms: number | null;
  send_lag_p99_ms: number | null;
  stream: { rate: number; ttfb_p50_ms: number | null; added_ttfb_p50_ms: number | null } | null;
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
    assert.match(output, /Fixed rate \(open loop\): 200 req\/s and 20 streams\/s/, 'prints the fixed-rate heading');
    assert.match(
      output,
      /\| target\s+\|\s+asked\/s \|\s+done\/s \| p50 ms \| p90 ms \| p99 ms \| p99\.9 ms \|/,
      'prints the fixed-rate table',
    );
    assert.match(output, /\| arouter\s+\|\s+200 \|/, 'the fixed-rate table has an ARouter row');
    assert.match(
      output,
      /info {2}at 200 req\/s \(open loop\), ARouter adds [+−][\d,.]+ (µs|ms) p50/,
      'prints the headline',
    );

    const result = JSON.parse(readFileSync(out, 'utf8')) as {
      targets: Row[];
      checks: Array<{ id: string; pass: boolean | null }>;
      fixed_rate: { rate: number; stream_rate: number; targets: RateRow[] } | null;
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

    const fixed = result.fixed_rate;
    assert.ok(fixed, 'the JSON has the fixed-rate run');
    assert.equal(fixed.rate, 200);
    assert.equal(fixed.stream_rate, 20);
    const rateRows = new Map(fixed.targets.map((r) => [r.name, r]));
    // Portkey saturates far below the rates this run is for: it is left out of it
    assert.deepEqual([...rateRows.keys()].sort(), ['arouter', 'bare', 'direct', 'json']);
    for (const [name, r] of rateRows) {
      // a loaded CI machine may not keep up even at 200/s (status "saturated"); errors are never fine
      assert.notEqual(r.status, 'errors', `${name} at a fixed rate: ${r.error}`);
      assert.ok(r.achieved_per_s! > 0, `${name} answered at a fixed rate`);
      for (const k of ['p50_ms', 'p90_ms', 'p99_ms', 'p999_ms', 'send_lag_p99_ms'] as const)
        assert.equal(typeof r[k], 'number', `${name} ${k}`);
      assert.ok(r.p50_ms! <= r.p90_ms! && r.p90_ms! <= r.p99_ms! && r.p99_ms! <= r.p999_ms!, `${name} percentiles`);
      assert.equal(typeof r.stream?.ttfb_p50_ms, 'number', `${name} streamed at a fixed rate`);
    }
    const ar = rateRows.get('arouter')!;
    assert.equal(typeof ar.added_p50_ms, 'number', 'ARouter added p50 over direct');
    assert.equal(typeof ar.added_p99_ms, 'number', 'ARouter added p99 over direct');
    assert.equal(typeof ar.added_p50_over_bare_ms, 'number', 'ARouter added p50 over the bare proxy');
    assert.equal(typeof ar.stream?.added_ttfb_p50_ms, 'number', 'ARouter added TTFB over direct');
    assert.equal(rateRows.get('direct')!.added_p50_ms, 0, 'direct adds nothing over itself');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
