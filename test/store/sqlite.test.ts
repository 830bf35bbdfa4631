// The SQLite storage: generation rows go through the off-thread writer (its own connection in a worker)
// and are readable from the main connection once the write resolved; close() waits for the writer. Spend per
// key and UTC day is kept in the same transaction and answers the start-up rebuild of credits and limits.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { MIGRATIONS } from '../../src/store/migrations.js';
import { SqliteStorage } from '../../src/store/sqlite.js';
import type { GenerationRow } from '../../src/store/types.js';

function row(i: number): GenerationRow {
  return {
    id: `gen-t${i}`, account_id: 'acct_default', key_id: 'key_1', requested_model: 'a/b', model: 'a/b', provider: 'p',
    endpoint: 'b', upstream_id: null, attempts: [{ provider: 'p', model: 'a/b', endpoint: 'b', status: 200, duration_ms: 3 }],
    prompt_tokens: 10, completion_tokens: i, reasoning_tokens: 0, cached_tokens: 0, cache_write_tokens: 0,
    tokens_estimated: false, cost_pusd: 10n ** 15n + BigInt(i), latency_ms: 12.4, ttft_ms: null, finish_reason: 'stop',
    status: 200, streamed: false, cancelled: false, route: { rule: 'default' }, kind: 'chat', created_at: new Date().toISOString(),
  };
}

/** runs `fn` with a fresh directory, removed afterwards */
async function inTempDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'arouter-store-'));
  try {
    await fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

for (const offThreadWrites of [true, false]) {
  test(`generation rows round-trip exactly (${offThreadWrites ? 'worker' : 'main-thread'} writer)`, async () => {
    await inTempDir(async (dir) => {
      const file = join(dir, 'a.db');
      const s = new SqliteStorage(file, { offThreadWrites });
      await s.migrate();
      await s.insertGenerations([row(1), row(2), row(3)]);
      const got = await s.getGeneration('gen-t2');
      assert.deepEqual(got, { ...row(2), created_at: got!.created_at, latency_ms: 12 });
      assert.equal((await s.dailyTotals({ account_id: 'acct_default' }))[0].cost_pusd, 3n * 10n ** 15n + 6n);
      // a duplicate id fails the whole batch, and the error reaches the caller
      await assert.rejects(s.insertGenerations([row(4), row(1)]));
      assert.equal(await s.getGeneration('gen-t4'), null, 'the failed batch left nothing behind');
      await s.insertGenerations([row(5)]);
      await s.close();
      const again = new SqliteStorage(file, { offThreadWrites });
      await again.migrate();
      assert.equal((await again.listGenerations({ account_id: 'acct_default' })).length, 4);
      await again.close();
    });
  });
}

/** a row of `key` in `account`, at `at` (ISO), costing `cost` */
function spent(id: string, key: string, account: string, at: string, cost: bigint): GenerationRow {
  return { ...row(0), id, key_id: key, account_id: account, created_at: at, cost_pusd: cost };
}

const byId = (xs: Array<{ id: string; spent_pusd: bigint }>) => Object.fromEntries(xs.map((x) => [x.id, x.spent_pusd]));

for (const offThreadWrites of [true, false]) {
  test(`spend per key and day is kept with the rows, in their transaction (${offThreadWrites ? 'worker' : 'main-thread'} writer)`, async () => {
    await inTempDir(async (dir) => {
      const s = new SqliteStorage(join(dir, 'a.db'), { offThreadWrites });
      await s.migrate();
      await s.insertGenerations([
        spent('g1', 'k1', 'a1', '2026-11-01T10:00:00.000Z', 5n),
        spent('g2', 'k1', 'a1', '2026-11-01T23:59:59.999Z', 7n), // same key, same day: one total
        spent('g3', 'k1', 'a1', '2026-11-02T00:00:00.000Z', 11n),
        spent('g4', 'k2', 'a1', '2026-11-02T08:00:00.000Z', 13n),
        spent('g5', 'k3', 'a2', '2026-10-31T08:00:00.000Z', 10n ** 18n), // beyond 2^53: exact as bigint
      ]);
      await s.insertGenerations([spent('g6', 'k1', 'a1', '2026-11-02T12:00:00.000Z', 17n)]); // adds to an existing day
      assert.deepEqual(byId(await s.accountSpend()), { a1: 53n, a2: 10n ** 18n });
      assert.deepEqual(byId(await s.keySpendSince('0000')), { k1: 40n, k2: 13n, k3: 10n ** 18n });
      assert.deepEqual(byId(await s.keySpendSince('2026-11-02T00:00:00.000Z')), { k1: 28n, k2: 13n });
      // not a day start: answered from the rows, to the millisecond
      assert.deepEqual(byId(await s.keySpendSince('2026-11-02T10:00:00.000Z')), { k1: 17n });
      // a failed batch (duplicate id) adds no spend either
      await assert.rejects(s.insertGenerations([spent('g7', 'k2', 'a1', '2026-11-02T13:00:00.000Z', 1000n), spent('g1', 'k1', 'a1', '2026-11-02T13:00:00.000Z', 1n)]));
      assert.deepEqual(byId(await s.accountSpend()), { a1: 53n, a2: 10n ** 18n });
      await s.close();
    });
  });
}

test('migration 2 fills the per-day spend from a ledger written before it existed', async () => {
  await inTempDir(async (dir) => {
    const file = join(dir, 'a.db');
    // a database at schema version 1, as an earlier release left it
    const old = new Database(file);
    old.exec('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)');
    for (const sql of MIGRATIONS[0]!.sql) old.exec(sql);
    old.prepare('INSERT INTO schema_migrations (version, applied_at) VALUES (1, ?)').run(new Date().toISOString());
    const ins = old.prepare(`INSERT INTO generations (id, account_id, key_id, requested_model, attempts, prompt_tokens,
      completion_tokens, reasoning_tokens, cached_tokens, cache_write_tokens, tokens_estimated, cost_pusd, latency_ms, status,
      streamed, cancelled, kind, created_at) VALUES (?, ?, ?, 'a/b', '[]', 1, 1, 0, 0, 0, 0, ?, 1, 200, 0, 0, 'chat', ?)`);
    ins.run('o1', 'a1', 'k1', 5n, '2026-11-01T10:00:00.000Z');
    ins.run('o2', 'a1', 'k1', 7n, '2026-11-01T11:00:00.000Z');
    ins.run('o3', 'a1', 'k2', 9n, '2026-11-02T11:00:00.000Z');
    old.close();

    const s = new SqliteStorage(file, { offThreadWrites: false });
    await s.migrate();
    assert.deepEqual(byId(await s.accountSpend()), { a1: 21n });
    assert.deepEqual(byId(await s.keySpendSince('2026-11-02T00:00:00.000Z')), { k2: 9n });
    // and new rows add to the backfilled totals
    await s.insertGenerations([spent('n1', 'k1', 'a1', '2026-11-01T12:00:00.000Z', 100n)]);
    assert.deepEqual(byId(await s.keySpendSince('0000')), { k1: 112n, k2: 9n });
    await s.close();
  });
});

for (const offThreadWrites of [true, false]) {
  test(`pruning deletes expired rows among the oldest, chunk by chunk, and keeps the spend (${offThreadWrites ? 'worker' : 'main-thread'} writer)`, async () => {
    await inTempDir(async (dir) => {
      const s = new SqliteStorage(join(dir, 'a.db'), { offThreadWrites });
      await s.migrate();
      // appended in time order, as the ledger does; o5 finished out of order (an old start time, written late)
      await s.insertGenerations([
        spent('o1', 'k1', 'a1', '2026-01-01T00:00:00.000Z', 1n),
        spent('o2', 'k1', 'a1', '2026-01-02T00:00:00.000Z', 2n),
        spent('o3', 'k2', 'a1', '2026-01-03T00:00:00.000Z', 4n),
        spent('n1', 'k1', 'a1', '2026-03-01T00:00:00.000Z', 8n),
        spent('n1b', 'k1', 'a1', '2026-03-01T01:00:00.000Z', 16n),
        spent('o5', 'k2', 'a1', '2026-01-04T00:00:00.000Z', 32n),
        spent('n2', 'k2', 'a1', '2026-03-02T00:00:00.000Z', 64n),
      ]);
      const before = '2026-02-01T00:00:00.000Z';
      assert.equal(await s.pruneGenerations(before, 2), 2, 'a full chunk: o1, o2');
      assert.equal(await s.pruneGenerations(before, 2), 1, 'the oldest two now are o3 and n1: only o3 is expired');
      assert.equal(await s.pruneGenerations(before, 2), 0, 'the oldest two are n1 and n1b: o5 waits behind them');
      assert.equal(await s.pruneGenerations(before, 10), 1, 'a wider window reaches o5');
      assert.equal(await s.pruneGenerations(before, 10), 0, 'nothing expired is left');
      assert.deepEqual((await s.listGenerations({ account_id: 'a1' })).map((g) => g.id).sort(), ['n1', 'n1b', 'n2']);
      assert.equal(await s.getGeneration('o1'), null);
      assert.deepEqual(byId(await s.accountSpend()), { a1: 127n }, 'the spend of deleted rows still counts');
      assert.deepEqual(byId(await s.keySpendSince('2026-01-03T00:00:00.000Z')), { k1: 24n, k2: 100n });
      await s.close();
    });
  });
}
