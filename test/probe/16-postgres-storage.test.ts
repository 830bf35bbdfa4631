// Issue 16 item 1: PostgreSQL storage. Two gateways started together on one PostgreSQL schema (as two instances
// of a deployment would be) migrate once and share keys, accounts and the ledger: a key made on one works on the
// other, a revoke on one is refused by the other within a second, and each one's ledger rows and spend are read
// back exactly by the other. `arouter migrate` migrates the configured database. PostgreSQL is expected at
// AROUTER_TEST_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test); each run uses schemas of its own.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { POSTGRES_MIGRATIONS } from '../../src/store/postgres-schema.js';
import postgres from 'postgres';
import { startGateway, startSims, type TestGateway } from '../helpers/gateway.js';

const PG_URL = process.env.AROUTER_TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';
const RUN = `arouter_probe16_${process.pid}_${Date.now().toString(36)}`;
const MAIN = new URL('../../src/cli/main.ts', import.meta.url).pathname;
const schemas: string[] = [];

after(async () => {
  const sql = postgres(PG_URL, { max: 1, onnotice: () => {} });
  for (const s of schemas) await sql.unsafe(`DROP SCHEMA IF EXISTS "${s}" CASCADE`);
  await sql.end({ timeout: 1 });
});

function schema(name: string): string {
  schemas.push(`${RUN}_${name}`);
  return `${RUN}_${name}`;
}

/** ms until `probe` answers `status` (every 20 ms, failing after 5 s) */
async function msUntil(probe: () => Promise<number>, status: number): Promise<number> {
  const t0 = Date.now();
  for (;;) {
    if ((await probe()) === status) return Date.now() - t0;
    if (Date.now() - t0 > 5000) assert.fail(`never answered ${status}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

test('16 two gateways on one PostgreSQL schema share keys, revocations and the ledger', async () => {
  const sims = await startSims();
  const config = { storage: { url: PG_URL, schema: schema('shared') } };
  let a: TestGateway | undefined;
  let b: TestGateway | undefined;
  try {
    // started together on an empty schema: one migrates and creates the default account, the other waits for it
    [a, b] = await Promise.all([
      startGateway({ config, demoUpstreams: sims.urls }),
      startGateway({ config, demoUpstreams: sims.urls }),
    ]);
    const made = (await (await a.fetch('/keys', { method: 'POST', json: { name: 'shared' } })).json()) as {
      key: string;
      data: { id: string };
    };
    const onB = await msUntil(async () => (await b!.fetch('/key', { key: made.key })).status, 200);
    assert.ok(onB < 1000, `a key made on A was refused by B for ${onB} ms`);

    const chat = async (gw: TestGateway) => {
      const r = await gw.fetch('/chat/completions', {
        key: made.key,
        method: 'POST',
        json: { model: 'openai/gpt-4o', messages: [{ role: 'user', content: 'hi' }] },
      });
      const body = (await r.json()) as { id: string; usage: { cost: number } };
      assert.equal(r.status, 200, JSON.stringify(body));
      return body;
    };
    const fromA = await chat(a);
    const fromB = await chat(b);
    await Promise.all([a.app.ledger.flush(), b.app.ledger.flush()]);
    // each instance reads the other's rows: one table
    for (const [gw, id] of [
      [a, fromB.id],
      [b, fromA.id],
    ] as const) {
      const r = await gw.fetch(`/generation?id=${id}`, { key: made.key });
      assert.equal(r.status, 200, `${id} not found through the other instance`);
    }
    const spent = (await a.app.store.keySpendSince('1970-01-01T00:00:00.000Z')).find((s) => s.id === made.data.id);
    const rows = await a.app.store.listGenerations({ account_id: 'acct_default', key_id: made.data.id });
    assert.equal(rows.length, 2);
    assert.equal(spent?.spent_pusd, rows[0]!.cost_pusd + rows[1]!.cost_pusd, 'spend per day = the rows, exactly');

    assert.equal((await a.fetch(`/keys/${made.data.id}`, { method: 'DELETE' })).status, 200);
    const revoked = await msUntil(async () => (await b!.fetch('/key', { key: made.key })).status, 401);
    assert.ok(revoked < 1000, `a key revoked on A kept working on B for ${revoked} ms`);
  } finally {
    await Promise.all([a?.close(), b?.close()]);
    await sims.close();
  }
});

test('16 arouter migrate migrates the configured PostgreSQL database, once', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'arouter-migrate-'));
  const name = schema('cli');
  try {
    const file = join(dir, 'arouter.config.yaml');
    writeFileSync(file, `storage:\n  schema: ${name}\n`);
    const run = () =>
      spawnSync(process.execPath, ['--import', 'tsx', MAIN, 'migrate', '--config', file, '--json'], {
        env: { PATH: process.env.PATH, HOME: process.env.HOME, AROUTER_DATABASE_URL: PG_URL },
        encoding: 'utf8',
        timeout: 60_000,
      });
    for (let i = 0; i < 2; i++) {
      const r = run();
      assert.equal(r.status, 0, r.stderr);
      assert.equal(JSON.parse(r.stdout).migrated, true);
    }
    const sql = postgres(PG_URL, { max: 1, onnotice: () => {} });
    try {
      const versions = await sql.unsafe(`SELECT version FROM "${name}".schema_migrations ORDER BY version`);
      assert.deepEqual(
        versions.map((v) => v.version),
        // every version once (the portable ones, then PostgreSQL's own from 1001)
        POSTGRES_MIGRATIONS.map((m) => m.version),
      );
    } finally {
      await sql.end({ timeout: 1 });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('16 without a storage url the embedded SQLite file is used and PostgreSQL is never asked', async () => {
  const gw = await startGateway({ env: { AROUTER_DATABASE_URL: '' } });
  try {
    assert.equal(gw.app.store.constructor.name, 'SqliteStorage');
    assert.equal((await gw.fetch('/key')).status, 200);
  } finally {
    await gw.close();
  }
});
