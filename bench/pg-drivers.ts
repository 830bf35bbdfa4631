// The ledger's batch insert through the two well-kept PostgreSQL drivers, `postgres` (postgres.js, the one
// PostgresStorage uses) and `pg` (node-postgres), with the same statements: a batch of generation rows and its
// per-day spend and activity upserts in one transaction. `pg` is not a dependency: install it anywhere and point
// PG_DRIVER_FROM at that directory, e.g.
//   mkdir /tmp/pgd && npm i --prefix /tmp/pgd pg@8.23.1
//   PG_DRIVER_FROM=/tmp/pgd node --import tsx bench/pg-drivers.ts [postgres://postgres@127.0.0.1:5432/test]
import { createRequire } from 'node:module';
import { join } from 'node:path';
import postgres from 'postgres';
import { ACTIVITY_PARAM_COUNT, activityParams } from '../src/store/activity-daily.js';
import { generationParams, PARAM_COUNT } from '../src/store/generation-params.js';
import { PostgresStorage } from '../src/store/postgres.js';
import { columns, PG_LEDGER_SQL } from '../src/store/postgres-statements.js';
import { spendParams } from '../src/store/spend-daily.js';
import { syntheticRow } from './activity-probe.js';

const URL = process.argv[2] ?? 'postgres://postgres@127.0.0.1:5432/test';
const BATCH = 500;
const BATCHES = 40;
const ROUNDS = Number(process.env.ROUNDS ?? 5);
const from = process.env.PG_DRIVER_FROM;
if (!from) throw new Error('set PG_DRIVER_FROM to a directory where `pg` is installed (see the header)');
const pg: any = createRequire(join(from, 'node_modules', 'x.js'))('pg');
const schema = `arouter_pgbench_${process.pid}`;

let seq = 0;
function batch(): { rows: ReturnType<typeof syntheticRow>[]; params: unknown[][] } {
  const rows = Array.from({ length: BATCH }, () => syntheticRow(seq++, 1e9, 'key_b', 'acct_default', Date.now()));
  return { rows, params: rows.map(generationParams) };
}

/** wall ms and this process's CPU ms (what the gateway's event loop pays) for BATCHES batches */
async function timed(name: string, insert: (b: ReturnType<typeof batch>) => Promise<void>): Promise<[number, number]> {
  const batches = Array.from({ length: BATCHES }, batch);
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  for (const b of batches) await insert(b);
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  const c = process.cpuUsage(cpu0);
  const cpu = (c.user + c.system) / 1000;
  console.log(
    `${name.padEnd(10)} ${BATCHES} × ${BATCH} rows: ${ms.toFixed(0)} ms, ${((BATCHES * BATCH) / (ms / 1000)).toFixed(0)} rows/s, ` +
      `client CPU ${(cpu / BATCHES).toFixed(1)} ms/batch`,
  );
  return [ms, cpu];
}

const store = new PostgresStorage({ url: URL, schema, max: 2 });
await store.migrate();
const pool = new pg.Pool({
  connectionString: URL,
  max: 2,
  options: `-c search_path=${schema}`,
  types: {
    getTypeParser: (oid: number, format: string) => (oid === 20 ? BigInt : pg.types.getTypeParser(oid, format)),
  },
});
const viaPg = async ({ rows, params }: ReturnType<typeof batch>): Promise<void> => {
  const c = await pool.connect();
  try {
    await c.query('BEGIN');
    await c.query({ name: 'g', text: PG_LEDGER_SQL.INSERT_GENERATIONS, values: columns(params, PARAM_COUNT) });
    await c.query({ name: 's', text: PG_LEDGER_SQL.UPSERT_SPEND, values: columns(spendParams(rows), 4) });
    await c.query({
      name: 'a',
      text: PG_LEDGER_SQL.UPSERT_ACTIVITY,
      values: columns(activityParams(rows), ACTIVITY_PARAM_COUNT),
    });
    await c.query('COMMIT');
  } catch (err) {
    await c.query('ROLLBACK');
    throw err;
  } finally {
    c.release();
  }
};
const totals = { postgres: [0, 0], pg: [0, 0] };
try {
  for (let r = 0; r < ROUNDS + 1; r++) {
    // the first round warms both up (connections, prepared statements) and is not counted
    const a = await timed('postgres', ({ rows, params }) => store.insertGenerations(rows, params));
    const b = await timed('pg', viaPg);
    if (r > 0) {
      for (const [t, x] of [
        [totals.postgres, a],
        [totals.pg, b],
      ] as const)
        for (const i of [0, 1]) t[i] += x[i]!;
    }
  }
  for (const [name, [ms, cpu]] of Object.entries(totals)) {
    const rows = ROUNDS * BATCHES * BATCH;
    console.log(
      `${name}: ${(rows / (ms! / 1000)).toFixed(0)} rows/s, client CPU ${((cpu! * 1000) / rows).toFixed(1)} µs/row`,
    );
  }
} finally {
  await pool.end();
  await store.close();
  const sql = postgres(URL, { max: 1, onnotice: () => {} });
  await sql.unsafe(`DROP SCHEMA "${schema}" CASCADE`);
  await sql.end();
}
