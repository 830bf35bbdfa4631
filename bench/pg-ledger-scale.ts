// The PostgreSQL ledger at scale: fills N generation rows of one key (30 days, bench/activity-probe.ts's rows)
// into a schema of its own, then times the reads /v1/activity and start-up make and a retention chunk.
//   node --import tsx bench/pg-ledger-scale.ts [rows=1000000] [postgres://postgres@127.0.0.1:5432/test]
import postgres from 'postgres';
import { fillLedger, syntheticRow } from './activity-probe.js';
import { PostgresStorage } from '../src/store/postgres.js';

const N = Number(process.argv[2] ?? 1_000_000);
const URL = process.argv[3] ?? 'postgres://postgres@127.0.0.1:5432/test';
const schema = `arouter_pgscale_${process.pid}`;
const store = new PostgresStorage({ url: URL, schema, max: 4 });

async function ms<T>(name: string, f: () => Promise<T>, runs = 5): Promise<T> {
  let out: T | undefined;
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    out = await f();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  console.log(`${name.padEnd(48)} median ${times[Math.floor(runs / 2)]!.toFixed(1)} ms (min ${times[0]!.toFixed(1)})`);
  return out!;
}

try {
  await store.migrate();
  const end = Date.now();
  const t0 = performance.now();
  await fillLedger(store, N, 'key_s', 'acct_default', end);
  const fill = (performance.now() - t0) / 1000;
  console.log(`fill: ${N} rows in ${fill.toFixed(1)} s (${(N / fill).toFixed(0)} rows/s, batches of 5,000)`);
  const sql = postgres(URL, { max: 1, onnotice: () => {}, connection: { search_path: schema } });
  await sql`VACUUM ANALYZE generations`;
  const f = { account_id: 'acct_default', key_id: 'key_s' };
  await ms('first page (50)', () => store.listGenerations({ ...f, limit: 50 }));
  const mid = syntheticRow(Math.floor(N / 2), N, 'key_s', 'acct_default', end);
  await ms('deep page by cursor (mid-table, 50)', () =>
    store.listGenerations({ ...f, limit: 50, after: { created_at: mid.created_at, id: mid.id } }),
  );
  await ms('deep page by offset (N/2, 50)', () => store.listGenerations({ ...f, limit: 50, offset: N / 2 }), 3);
  await ms('daily totals, 30 days (rollups)', () => store.dailyTotals(f));
  const from = new Date(end - 7 * 86_400_000 + 3_600_000).toISOString();
  await ms('daily totals, 7 days from a partial day', () => store.dailyTotals({ ...f, from }));
  await ms('keySpendSince(a UTC midnight)', () =>
    store.keySpendSince(new Date(end - 30 * 86_400_000).toISOString().slice(0, 10) + 'T00:00:00.000Z'),
  );
  await ms('keySpendSince(24 h ago, an instant: raw rows)', () =>
    store.keySpendSince(new Date(end - 86_400_000).toISOString()),
  );
  await ms('prune a chunk of 1,000 expired rows', () =>
    store.pruneGenerations(new Date(end - 20 * 86_400_000).toISOString(), 1000),
  );
  const size = await sql`SELECT pg_size_pretty(pg_total_relation_size('generations')) AS total,
    pg_size_pretty(pg_relation_size('generations')) AS heap`;
  console.log(`generations: ${size[0]!.heap} heap, ${size[0]!.total} with indexes`);
  const plan = await sql.unsafe(
    `EXPLAIN SELECT * FROM generations WHERE account_id = $1 AND key_id = $2 AND (created_at, id) < ($3, $4)
     ORDER BY created_at DESC, id DESC LIMIT 50`,
    ['acct_default', 'key_s', mid.created_at, mid.id],
  );
  console.log(plan.map((r) => r['QUERY PLAN']).join('\n'));
  await sql.end();
} finally {
  await store.close();
  const sql = postgres(URL, { max: 1, onnotice: () => {} });
  await sql.unsafe(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await sql.end();
}
