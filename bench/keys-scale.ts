// Keys at a hosted service's scale (issue 16 item 5): N keys in storage, then a fresh ARouter process (the App,
// as `arouter serve` builds it) is timed from construction to listening, its resident memory read after start and
// after authenticating M distinct random keys (more than the key cache holds), and the latency of one key lookup
// measured for hot keys (cached: synchronous) and cold ones (a cache miss: one indexed storage read).
//   node --import tsx bench/keys-scale.ts [--keys N (1000000)] [--engine sqlite|postgres] [--lookups M (200000)]
//        [--pg URL (postgres://postgres@127.0.0.1:5432/test)] [--cache N (auth.key_cache_size, default 100000)]
// Keys are generated as `lr_live_bench` + the index padded to 35 digits, so the measuring process knows each
// presented key without reading any of them back. The fill is one transaction of prepared inserts (SQLite) or
// one INSERT … SELECT over generate_series hashing in SQL (PostgreSQL): it is not what is measured.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { argValue, numArg } from './common.js';

const T0 = '2026-01-01T00:00:00.000Z';
export const benchKey = (i: number): string => `lr_live_bench${String(i).padStart(35, '0')}`;

export interface KeysScaleResult {
  engine: string;
  keys: number;
  cache: number;
  fill_s: number;
  start_ms: number;
  rss_start_mb: number;
  rss_after_mb: number;
  cached_after: number;
  cached_after_cold: number;
  lookups: number;
  hot_p50_us: number;
  hot_p99_us: number;
  cold_p50_us: number;
  cold_p99_us: number;
}

async function fillSqlite(file: string, n: number): Promise<void> {
  const { SqliteStorage } = await import('../src/store/sqlite.js');
  const store = new SqliteStorage(file, { offThreadWrites: false, offThreadReads: false });
  await store.migrate();
  await store.close();
  const { default: Database } = await import('../src/store/sqlite-driver.mjs');
  const db = new Database(file);
  db.prepare(`INSERT INTO accounts (id, name, created_at) VALUES ('acct_default', 'default', ?)`).run(T0);
  const ins = db.prepare(
    `INSERT INTO api_keys (id, account_id, name, hash, label, role, created_at, updated_at, rev)
     VALUES (?, 'acct_default', ?, ?, ?, 'user', ?, ?, 1)`,
  );
  db.transaction(() => {
    for (let i = 0; i < n; i++) {
      const k = benchKey(i);
      ins.run(`key_b${i}`, `bench-${i}`, createHash('sha256').update(k).digest('hex'), k.slice(0, 11), T0, T0);
    }
    // an operator key exists, so the measured start creates none
    ins.run('key_bop', 'op', 'op-hash', 'lr_live_op', T0, T0);
    db.prepare(`UPDATE api_keys SET role = 'operator' WHERE id = 'key_bop'`).run();
    db.prepare('UPDATE directory_rev SET rev = 1 WHERE id = 1').run();
  })();
  db.close();
}

async function fillPostgres(url: string, schema: string, n: number): Promise<void> {
  const { PostgresStorage } = await import('../src/store/postgres.js');
  const store = new PostgresStorage({ url, schema, max: 2 });
  await store.migrate();
  await store.close();
  const { default: postgres } = await import('postgres');
  const sql = postgres(url, { max: 1, onnotice: () => {}, connection: { search_path: schema } });
  try {
    await sql.unsafe(`INSERT INTO accounts (id, name, created_at) VALUES ('acct_default', 'default', '${T0}')`);
    await sql.unsafe(`INSERT INTO api_keys (id, account_id, name, hash, label, role, created_at, updated_at, rev)
      SELECT 'key_b' || i, 'acct_default', 'bench-' || i,
        encode(sha256(convert_to('lr_live_bench' || lpad(i::text, 35, '0'), 'UTF8')), 'hex'), 'lr_live_ben', 'user',
        '${T0}', '${T0}', 1
      FROM generate_series(0, ${n - 1}) AS i`);
    await sql.unsafe(`INSERT INTO api_keys (id, account_id, name, hash, label, role, created_at, updated_at, rev)
      VALUES ('key_bop', 'acct_default', 'op', 'op-hash', 'lr_live_op', 'operator', '${T0}', '${T0}', 1)`);
    await sql.unsafe('UPDATE directory_rev SET rev = 1 WHERE id = 1');
    await sql.unsafe('VACUUM ANALYZE api_keys');
  } finally {
    await sql.end({ timeout: 1 });
  }
}

const pct = (sorted: number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;
const rssMb = (): number => Math.round(process.memoryUsage().rss / 1048576);

/** the measuring process: a fresh App on the filled storage */
async function measure(dataDir: string, n: number, lookups: number, cache: number, pg: string | null, schema: string) {
  const { loadConfig } = await import('../src/config/load.js');
  const { App } = await import('../src/app.js');
  const inline: Record<string, unknown> = { catalog: { sync_interval: 0 }, auth: { key_cache_size: cache } };
  if (pg) inline.storage = { url: pg, schema };
  const env = { AROUTER_LOG_LEVEL: 'silent' };
  const t0 = performance.now();
  const config = loadConfig({ inline, env, flags: { port: 0, host: '127.0.0.1', dataDir } });
  const app = new App({ config, env });
  await app.init();
  await app.listen();
  const start_ms = performance.now() - t0;
  const rss_start_mb = rssMb();
  // cold: distinct keys scattered over the table (a stride prime to n visits each index once), more than the
  // cache holds: every lookup is a miss
  const cold: number[] = [];
  const STRIDE = 1_000_003;
  for (let i = 0; i < Math.min(lookups, n); i++) {
    const k = benchKey((i * STRIDE + 17) % n);
    const t = performance.now();
    const r = app.directory.findByKey(k);
    const row = r instanceof Promise ? await r : r;
    cold.push((performance.now() - t) * 1000);
    if (!row) throw new Error(`bench key ${k} not found`);
  }
  const misses = app.directory.cachedKeys;
  // hot: 1,000 keys looked up once, then 100 times each (all cached)
  const hotKeys = Array.from({ length: 1000 }, (_, i) => benchKey(i * Math.floor(n / 1000)));
  for (const k of hotKeys) await app.directory.findByKey(k);
  const hot: number[] = [];
  for (let round = 0; round < 100; round++) {
    for (const k of hotKeys) {
      const t = performance.now();
      const r = app.directory.findByKey(k);
      if (r instanceof Promise) throw new Error('a hot key was not cached');
      hot.push((performance.now() - t) * 1000);
    }
  }
  const rss_after_mb = rssMb();
  cold.sort((a, b) => a - b);
  hot.sort((a, b) => a - b);
  const out = {
    start_ms: Math.round(start_ms),
    rss_start_mb,
    rss_after_mb,
    cached_after: app.directory.cachedKeys,
    cached_after_cold: misses,
    lookups,
    hot_p50_us: +pct(hot, 0.5).toFixed(2),
    hot_p99_us: +pct(hot, 0.99).toFixed(2),
    cold_p50_us: +pct(cold, 0.5).toFixed(1),
    cold_p99_us: +pct(cold, 0.99).toFixed(1),
  };
  await app.close();
  return out;
}

export async function runKeysScale(opts: {
  keys: number;
  engine: 'sqlite' | 'postgres';
  lookups: number;
  cache: number;
  pg: string;
}): Promise<KeysScaleResult> {
  const dataDir = mkdtempSync(join(tmpdir(), 'arouter-keys-scale-'));
  const schema = `arouter_keys_scale_${process.pid}`;
  try {
    const t0 = performance.now();
    if (opts.engine === 'sqlite') await fillSqlite(join(dataDir, 'arouter.db'), opts.keys);
    else await fillPostgres(opts.pg, schema, opts.keys);
    const fill_s = +((performance.now() - t0) / 1000).toFixed(1);
    // measured in a process of its own: the fill's memory is not counted
    const child = spawnSync(
      process.execPath,
      [
        '--import',
        'tsx',
        new URL(import.meta.url).pathname,
        '--child',
        dataDir,
        '--keys',
        String(opts.keys),
        '--lookups',
        String(opts.lookups),
        '--cache',
        String(opts.cache),
        ...(opts.engine === 'postgres' ? ['--pg', opts.pg, '--schema', schema] : []),
      ],
      { encoding: 'utf8', maxBuffer: 1 << 20 },
    );
    if (child.status !== 0) throw new Error(`keys-scale measure failed: ${child.stderr}`);
    const m = JSON.parse(child.stdout.trim().split('\n').pop()!) as Omit<
      KeysScaleResult,
      'engine' | 'keys' | 'cache' | 'fill_s'
    >;
    return { engine: opts.engine, keys: opts.keys, cache: opts.cache, fill_s, ...m };
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
    if (opts.engine === 'postgres') {
      const { default: postgres } = await import('postgres');
      const sql = postgres(opts.pg, { max: 1, onnotice: () => {} });
      await sql.unsafe(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await sql.end({ timeout: 1 });
    }
  }
}

export function keysScaleTable(rows: KeysScaleResult[]): string {
  const head =
    'engine    keys       cache    fill s  start ms  RSS start MB  RSS after MB  hot p50/p99 µs  cold p50/p99 µs';
  return [
    head,
    ...rows.map((r) =>
      [
        r.engine.padEnd(9),
        String(r.keys).padEnd(10),
        String(r.cache).padEnd(8),
        String(r.fill_s).padStart(6),
        String(r.start_ms).padStart(9),
        String(r.rss_start_mb).padStart(13),
        `${r.rss_after_mb} (${r.cached_after} cached)`.padStart(13),
        `${r.hot_p50_us}/${r.hot_p99_us}`.padStart(15),
        `${r.cold_p50_us}/${r.cold_p99_us}`.padStart(16),
      ].join(' '),
    ),
  ].join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const argv = process.argv.slice(2);
  const keys = numArg(argv, 'keys', 1_000_000);
  const lookups = numArg(argv, 'lookups', 200_000);
  const cache = numArg(argv, 'cache', 100_000);
  const pg = argValue(argv, 'pg') ?? 'postgres://postgres@127.0.0.1:5432/test';
  const childDir = argValue(argv, 'child');
  if (childDir) {
    const pgUrl = argValue(argv, 'pg') ?? null;
    console.log(JSON.stringify(await measure(childDir, keys, lookups, cache, pgUrl, argValue(argv, 'schema') ?? '')));
  } else {
    const engines = (argValue(argv, 'engine') ?? 'sqlite').split(',') as Array<'sqlite' | 'postgres'>;
    const rows: KeysScaleResult[] = [];
    for (const engine of engines) rows.push(await runKeysScale({ keys, engine, lookups, cache, pg }));
    console.log(keysScaleTable(rows));
    console.log(JSON.stringify(rows));
  }
}
