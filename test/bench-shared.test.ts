// Keeps the bench's `shared` row (ARouter with storage on PostgreSQL and redis.url set) from rotting: runs
// `bench/run.ts --smoke --only arouter,shared` through tsx and checks the row was measured on PostgreSQL (ledger
// rows counted in its schema), the comparison line is printed, and nothing is left behind (schema dropped, no
// keys under the run's Redis prefix). Skipped when PostgreSQL or Redis is unreachable (.ci/run starts both).
// Nothing here asserts speed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import postgres from 'postgres';
import { Redis } from 'ioredis';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const PG_URL = process.env.AROUTER_TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';
const REDIS_URL = 'redis://127.0.0.1:6379';
// the bench reads its services from these; the test points it at the suite's PostgreSQL
const ENV = { ...process.env, AROUTER_BENCH_DATABASE_URL: PG_URL, AROUTER_BENCH_REDIS_URL: REDIS_URL };

interface Row {
  name: string;
  status: string;
  error: string | null;
  rps: number | null;
  cpu_us_per_req: number | null;
  stream: { streams_per_s: number | null; ttfb_p50_ms: number | null };
}

test('npm run bench --smoke --only arouter,shared: the PostgreSQL + Redis row runs and cleans up', async (t) => {
  // shared-state.ts reads the URLs when it is loaded: set them first, then load it
  process.env.AROUTER_BENCH_DATABASE_URL = PG_URL;
  process.env.AROUTER_BENCH_REDIS_URL = REDIS_URL;
  const { sharedUnreachable } = await import('../bench/shared-state.js');
  const why = await sharedUnreachable();
  if (why) {
    t.skip(`PostgreSQL or Redis unreachable: ${why}`);
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'arouter-bench-shared-'));
  const out = join(dir, 'latest.json');
  try {
    const { code, output } = await new Promise<{ code: number | null; output: string }>((done) => {
      const p = spawn(
        process.execPath,
        ['--import', 'tsx', 'bench/run.ts', '--smoke', '--only', 'arouter,shared', '--out', out],
        { cwd: ROOT, env: ENV, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let output = '';
      p.stdout.on('data', (d) => (output += d));
      p.stderr.on('data', (d) => (output += d));
      p.on('exit', (c) => done({ code: c, output }));
    });
    assert.equal(code, 0, `bench --smoke --only arouter,shared exited ${code}:\n${output}`);
    assert.doesNotMatch(output, /row skipped/, 'the shared row was not skipped');
    assert.match(output, /^\| shared\s+\|\s+[\d,]+ \|/m, 'the table has a shared row');
    assert.match(
      output,
      /info {2}shared state \(PostgreSQL \+ Redis\) vs embedded: req\/s [\d,]+ vs [\d,]+ \([+−][\d.]+ %\); CPU µs\/req .*p99 .*streams\/s /,
      'prints the comparison line',
    );

    const result = JSON.parse(readFileSync(out, 'utf8')) as {
      targets: Row[];
      shared_state: {
        schema: string;
        prefix: string;
        ledger_rows_at_end: number | null;
        redis_keys_at_end: number | null;
        pg_cpu_us_per_request: number | null;
      };
      fixed_rate: { targets: Array<{ name: string; status: string; error: string | null }> } | null;
    };
    const sh = result.targets.find((r) => r.name === 'shared');
    assert.ok(sh, 'a row for shared');
    assert.equal(sh.status, 'ok', `shared: ${sh.error}`);
    assert.ok(sh.rps! > 0 && sh.stream.streams_per_s! > 0, 'shared served requests and streams');
    assert.equal(typeof sh.cpu_us_per_req, 'number');
    const fr = result.fixed_rate?.targets.find((r) => r.name === 'shared');
    assert.ok(fr, 'the fixed-rate table has the shared row');
    assert.notEqual(fr.status, 'errors', `shared at a fixed rate: ${fr.error}`);

    // measured on PostgreSQL: its ledger rows were in the run's schema (counted before the drop)
    const st = result.shared_state;
    assert.match(st.schema, /^bench_\d+_[a-z0-9]+$/);
    assert.ok((st.ledger_rows_at_end ?? 0) > 0, `ledger rows in PostgreSQL: ${st.ledger_rows_at_end}`);
    assert.equal(typeof st.redis_keys_at_end, 'number', 'the Redis prefix was swept');
    assert.equal(typeof st.pg_cpu_us_per_request, 'number', 'PostgreSQL backends sampled');

    // nothing left behind
    const sql = postgres(PG_URL, { max: 1, onnotice: () => {} });
    try {
      const left = await sql`SELECT nspname FROM pg_namespace WHERE nspname = ${st.schema}`;
      assert.equal(left.length, 0, `schema ${st.schema} was dropped`);
    } finally {
      await sql.end({ timeout: 1 });
    }
    const r = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
    try {
      const [, keys] = await r.scan('0', 'MATCH', `${st.prefix}*`, 'COUNT', 10_000);
      assert.deepEqual(keys, [], `no keys left under ${st.prefix}`);
    } finally {
      r.disconnect();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
