// The SQLite storage: generation rows go through the off-thread writer (its own connection in a worker)
// and are readable from the main connection once the write resolved; close() waits for the writer. Spend per
// key and UTC day is kept in the same transaction and answers the start-up rebuild of credits and limits; so
// is activity per key, day, model and provider (daily totals). Ledger reads run on a reader thread: activity
// pages by keyset (after the last row).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from '../../src/store/sqlite-driver.mjs';
import { MIGRATIONS } from '../../src/store/migrations.js';
import { SqliteStorage } from '../../src/store/sqlite.js';
import type { GenerationRow } from '../../src/store/types.js';

function row(i: number): GenerationRow {
  return {
    id: `gen-t${i}`,
    account_id: 'acct_default',
    key_id: 'key_1',
    requested_model: 'a/b',
    model: 'a/b',
    provider: 'p',
    endpoint: 'b',
    upstream_id: null,
    attempts: [{ provider: 'p', model: 'a/b', endpoint: 'b', status: 200, duration_ms: 3 }],
    prompt_tokens: 10,
    completion_tokens: i,
    reasoning_tokens: 0,
    cached_tokens: 0,
    cache_write_tokens: 0,
    tokens_estimated: false,
    cost_pusd: 10n ** 15n + BigInt(i),
    latency_ms: 12.4,
    ttft_ms: null,
    finish_reason: 'stop',
    status: 200,
    streamed: false,
    cancelled: false,
    route: { rule: 'default' },
    kind: 'chat',
    created_at: new Date().toISOString(),
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
      await assert.rejects(
        s.insertGenerations([
          spent('g7', 'k2', 'a1', '2026-11-02T13:00:00.000Z', 1000n),
          spent('g1', 'k1', 'a1', '2026-11-02T13:00:00.000Z', 1n),
        ]),
      );
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

/** rows of two keys over three days, three of every four sharing their timestamp with a neighbour */
function ledger(): GenerationRow[] {
  const models: Array<[string | null, string | null]> = [
    ['m/a', 'p1'],
    ['m/b', 'p1'],
    ['m/a', 'p2'],
    [null, null],
  ];
  const out: GenerationRow[] = [];
  for (let i = 0; i < 60; i++) {
    const [model, provider] = models[i % 4]!;
    const at = new Date(Date.parse('2026-11-01T00:00:00.000Z') + Math.floor(i / 4) * 4.8 * 3_600_000).toISOString();
    out.push({
      ...row(i),
      id: `g${String((i * 37) % 60).padStart(2, '0')}`,
      key_id: i % 3 === 0 ? 'k2' : 'k1',
      account_id: 'a1',
      model,
      provider,
      prompt_tokens: i,
      completion_tokens: 2 * i,
      reasoning_tokens: i % 5,
      cached_tokens: i % 7,
      cost_pusd: 10n ** 13n * BigInt(i + 1),
      created_at: at,
    });
  }
  return out;
}

/** daily totals computed here from the rows themselves (independent of the store's SQL) */
function expectedDaily(
  rows: GenerationRow[],
  f: { key_id?: string; model?: string; provider?: string; from?: string; to?: string },
) {
  const days = new Map<
    string,
    { date: string; requests: number; prompt_tokens: number; completion_tokens: number; cost_pusd: bigint }
  >();
  for (const g of rows) {
    if (
      (f.key_id && g.key_id !== f.key_id) ||
      (f.model && g.model !== f.model) ||
      (f.provider && g.provider !== f.provider)
    )
      continue;
    if ((f.from && g.created_at < f.from) || (f.to && g.created_at >= f.to)) continue;
    const date = g.created_at.slice(0, 10);
    const d = days.get(date) ?? { date, requests: 0, prompt_tokens: 0, completion_tokens: 0, cost_pusd: 0n };
    d.requests++;
    d.prompt_tokens += g.prompt_tokens;
    d.completion_tokens += g.completion_tokens;
    d.cost_pusd += g.cost_pusd;
    days.set(date, d);
  }
  return [...days.values()].sort((a, b) => a.date.localeCompare(b.date));
}

const FILTERS = [
  {},
  { key_id: 'k1' },
  { key_id: 'k2', model: 'm/a' },
  { provider: 'p1' },
  { key_id: 'k1', provider: 'p2', model: 'm/a' },
  { from: '2026-11-02T00:00:00.000Z' },
  { to: '2026-11-03' },
  { from: '2026-11-01', to: '2026-11-02T00:00:00.000Z' },
  // partial first and last days: those days come from the rows
  { from: '2026-11-01T09:00:00.000Z', to: '2026-11-03T10:00:00.000Z' },
  { key_id: 'k1', from: '2026-11-02T05:00:00.000Z' },
  { to: '2026-11-02T14:24:00.000Z', model: 'm/b' },
  { from: '2026-11-02T04:00:00.000Z', to: '2026-11-02T20:00:00.000Z' },
];

for (const offThreadReads of [true, false]) {
  const mode = offThreadReads ? 'reader thread' : 'main thread';

  test(`cursor paging returns every row once, in order, with ties in created_at (${mode})`, async () => {
    await inTempDir(async (dir) => {
      const s = new SqliteStorage(join(dir, 'a.db'), { offThreadReads });
      await s.migrate();
      const rows = ledger();
      await s.insertGenerations(rows);
      for (const key_id of [undefined, 'k1']) {
        const order = rows
          .filter((g) => key_id === undefined || g.key_id === key_id)
          .sort((a, b) =>
            a.created_at === b.created_at ? b.id.localeCompare(a.id) : b.created_at.localeCompare(a.created_at),
          )
          .map((g) => g.id);
        const seen: string[] = [];
        let after: { created_at: string; id: string } | undefined;
        for (let pages = 0; pages < 100; pages++) {
          const page = await s.listGenerations({ account_id: 'a1', key_id, limit: 7, after });
          seen.push(...page.map((g) => g.id));
          if (page.length < 7) break;
          after = page[page.length - 1]!;
        }
        assert.deepEqual(seen, order, `every row exactly once, created_at DESC, id DESC (key ${key_id ?? 'any'})`);
      }
      await s.close();
    });
  });

  test(`daily totals from the per-day rollups equal the rows' totals, by key, model, provider and range (${mode})`, async () => {
    await inTempDir(async (dir) => {
      const s = new SqliteStorage(join(dir, 'a.db'), { offThreadReads });
      await s.migrate();
      const rows = ledger();
      // several batches: the rollups add up across transactions
      await s.insertGenerations(rows.slice(0, 25));
      await s.insertGenerations(rows.slice(25));
      for (const f of FILTERS)
        assert.deepEqual(await s.dailyTotals({ account_id: 'a1', ...f }), expectedDaily(rows, f), JSON.stringify(f));
      assert.deepEqual(await s.dailyTotals({ account_id: 'other' }), []);
      // whole days keep counting rows deleted by ledger retention (like the spend), as the rollups hold them
      assert.equal(await s.pruneGenerations('2026-11-02T00:00:00.000Z', 1000), 20);
      assert.deepEqual(await s.dailyTotals({ account_id: 'a1' }), expectedDaily(rows, {}));
      await s.close();
    });
  });
}

test('migration 4 fills the per-day activity from a ledger written before it existed', async () => {
  await inTempDir(async (dir) => {
    const file = join(dir, 'a.db');
    // a database at the schema before migration 4, with rows written by that release
    const old = new SqliteStorage(file, { offThreadWrites: false });
    const at = MIGRATIONS.findIndex((m) => m.version === 4);
    assert.ok(at > 0, 'migration 4 exists');
    const before = MIGRATIONS.splice(at);
    let rows: GenerationRow[];
    try {
      await old.migrate();
      rows = ledger();
      const db = new Database(file);
      const cols = Object.keys(
        db
          .prepare('SELECT * FROM generations')
          .columns()
          .reduce((o, c) => ({ ...o, [c.name]: 1 }), {}),
      );
      const ins = db.prepare(`INSERT INTO generations (${cols.join(', ')}) VALUES (${cols.map(() => '?').join(', ')})`);
      for (const g of rows) {
        ins.run(
          cols.map((c) => {
            const v = (g as unknown as Record<string, unknown>)[c];
            return typeof v === 'boolean' ? (v ? 1 : 0) : typeof v === 'object' && v !== null ? JSON.stringify(v) : v;
          }),
        );
      }
      db.close();
    } finally {
      MIGRATIONS.push(...before);
      await old.close();
    }
    const s = new SqliteStorage(file);
    await s.migrate();
    for (const f of FILTERS)
      assert.deepEqual(await s.dailyTotals({ account_id: 'a1', ...f }), expectedDaily(rows, f), JSON.stringify(f));
    // migration 6 (run after 4 here) fills the cached tokens per key, day, model and provider
    const days = await s.activityGroups({
      account_id: 'a1',
      from: '2026-11-01',
      to: '2026-12-01',
      by: 'model',
      groups: 10,
    });
    for (const d of days.days) {
      const of = rows.filter((g) => g.created_at.startsWith(d.date) && (g.model ?? '') === d.group);
      assert.equal(
        d.cached_tokens,
        of.reduce((n, g) => n + g.cached_tokens, 0),
        `${d.date} ${d.group}`,
      );
    }
    assert.ok(days.days.some((d) => d.cached_tokens > 0));
    // and new rows add to the backfilled totals
    const more = { ...rows[0]!, id: 'new1', created_at: '2026-11-01T12:00:00.000Z' };
    await s.insertGenerations([more]);
    assert.deepEqual(
      await s.dailyTotals({ account_id: 'a1', key_id: 'k2' }),
      expectedDaily([...rows, more], { key_id: 'k2' }),
    );
    // whole days are answered by the backfilled rollups: they hold the totals once every row is gone
    assert.equal(await s.pruneGenerations('2026-12-01T00:00:00.000Z', 1000), rows.length + 1);
    for (const f of FILTERS.filter((x) =>
      [x.from, x.to].every((b) => b === undefined || b.length === 10 || b.endsWith('T00:00:00.000Z')),
    )) {
      assert.deepEqual(
        await s.dailyTotals({ account_id: 'a1', ...f }),
        expectedDaily([...rows, more], f),
        JSON.stringify(f),
      );
    }
    await s.close();
  });
});

test('the reader thread stops when idle and starts again at the next read', async () => {
  await inTempDir(async (dir) => {
    const s = new SqliteStorage(join(dir, 'a.db'), { readerIdleMs: 20 });
    await s.migrate();
    await s.insertGenerations([row(1)]);
    assert.equal((await s.getGeneration('gen-t1'))?.id, 'gen-t1');
    await new Promise((r) => setTimeout(r, 100));
    await s.insertGenerations([row(2)]);
    assert.deepEqual((await s.listGenerations({ account_id: 'acct_default' })).map((g) => g.id).sort(), [
      'gen-t1',
      'gen-t2',
    ]);
    await s.close();
  });
});
