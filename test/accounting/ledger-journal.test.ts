// The ledger's write-ahead journal: each accepted row is in the current segment before add() returns; a batch
// rotates to a new segment and deletes the old one once committed (kept while the write fails, and at a shutdown
// that could not write everything); start-up replay stores rows not yet committed, adds the spend of those rows
// only (a row both committed and journaled is not counted twice), and skips a line cut by a crash.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Ledger } from '../../src/accounting/ledger.js';
import { loadConfig } from '../../src/config/load.js';
import { Logger } from '../../src/lib/log.js';
import { LedgerJournal } from '../../src/store/journal.js';
import { generationParams, paramsLine } from '../../src/store/generation-params.js';
import { SqliteStorage } from '../../src/store/sqlite.js';
import type { GenerationRow, Storage } from '../../src/store/types.js';
import { startGateway } from '../helpers/gateway.js';

const OPTS = { flushIntervalMs: 60_000, maxBatch: 1000 };

function row(id: string, cost: bigint, created_at = '2026-12-04T10:00:00.000Z'): GenerationRow {
  return {
    id,
    account_id: 'acct_default',
    key_id: 'key_1',
    requested_model: 'a/b',
    model: 'a/b',
    provider: 'p',
    endpoint: 'b',
    upstream_id: null,
    attempts: [{ provider: 'p', model: 'a/b', endpoint: 'b', status: 200, duration_ms: 3 }],
    prompt_tokens: 10,
    completion_tokens: 5,
    reasoning_tokens: 0,
    cached_tokens: 0,
    cache_write_tokens: 0,
    tokens_estimated: false,
    cost_pusd: cost,
    latency_ms: 12.4,
    ttft_ms: null,
    finish_reason: 'stop',
    status: 200,
    streamed: false,
    cancelled: false,
    route: { rule: 'default' },
    kind: 'chat',
    created_at,
  };
}

function capture(): { log: Logger; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  return { log: new Logger('info', (t) => lines.push(JSON.parse(t) as Record<string, unknown>)), lines };
}

async function withStore(
  fn: (s: { dir: string; store: SqliteStorage; journalDir: string }) => Promise<void>,
): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'arouter-journal-'));
  const store = new SqliteStorage(join(dir, 'arouter.db'));
  try {
    await store.migrate();
    await fn({ dir, store, journalDir: join(dir, 'ledger-journal') });
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const segments = (dir: string) =>
  readdirSync(dir)
    .filter((f) => f.endsWith('.jsonl'))
    .sort();
const lines = (dir: string) =>
  segments(dir).flatMap((f) => readFileSync(join(dir, f), 'utf8').split('\n').filter(Boolean));

function spendOf(dbFile: string): { rows: number; spent: bigint } {
  const db = new Database(dbFile, { readonly: true });
  db.defaultSafeIntegers(true);
  try {
    const n = db.prepare('SELECT COUNT(*) AS n FROM generations').get() as { n: bigint };
    const s = db.prepare('SELECT SUM(cost_pusd) AS s FROM spend_daily').get() as { s: bigint | null };
    return { rows: Number(n.n), spent: s.s ?? 0n };
  } finally {
    db.close();
  }
}

test('each row is journaled when accepted; a committed batch deletes its segment; the next rows go to a new one', async () => {
  await withStore(async ({ store, journalDir }) => {
    const journal = new LedgerJournal(journalDir);
    const ledger = new Ledger(store, capture().log, OPTS, journal);
    ledger.add(row('g1', 10n));
    ledger.add(row('g2', 20n));
    assert.equal(segments(journalDir).length, 1);
    assert.deepEqual(
      lines(journalDir).map((l) => JSON.parse(l)[0]),
      ['g1', 'g2'],
      'written synchronously by add()',
    );
    const flushing = ledger.flush();
    ledger.add(row('g3', 30n)); // accepted while the batch is being written: a new segment
    assert.equal(segments(journalDir).length, 2);
    await flushing;
    assert.deepEqual(
      lines(journalDir).map((l) => JSON.parse(l)[0]),
      ['g3'],
      "the committed batch's segment is gone",
    );
    await ledger.close();
    assert.deepEqual(segments(journalDir), [], 'a clean shutdown leaves no journal');
    assert.equal((await store.getGeneration('g3'))?.cost_pusd, 30n);
  });
});

test('a failed batch keeps its segment until a retry commits it; rows unwritten at shutdown are replayed at the next start', async () => {
  await withStore(async ({ dir, store, journalDir }) => {
    let failing = true;
    const flaky = new Proxy(store, {
      get(t, k) {
        if (k === 'insertGenerations' && failing)
          return async () => {
            throw new Error('disk I/O error');
          };
        const v = Reflect.get(t, k);
        return typeof v === 'function' ? v.bind(t) : v;
      },
    }) as Storage;
    const first = new Ledger(flaky, capture().log, OPTS, new LedgerJournal(journalDir));
    first.add(row('g1', 7n));
    await first.flush();
    first.add(row('g2', 8n));
    assert.equal(segments(journalDir).length, 2, 'the failed batch still has its segment');
    await first.close(); // cannot write: the journal keeps the rows
    assert.equal(lines(journalDir).length, 2);

    failing = false;
    const { log, lines: logged } = capture();
    const second = new Ledger(store, log, OPTS, new LedgerJournal(journalDir));
    assert.equal(await second.recover(), 2);
    assert.deepEqual(segments(journalDir), []);
    assert.deepEqual(spendOf(join(dir, 'arouter.db')), { rows: 2, spent: 15n });
    assert.ok(
      logged.some((l) => l.msg === 'ledger journal replayed' && l.recovered === 2),
      JSON.stringify(logged),
    );
  });
});

test('replay is idempotent: a row already committed is not inserted or counted again', async () => {
  await withStore(async ({ dir, store, journalDir }) => {
    const rows = [row('g1', 100n), row('g2', 200n), row('g3', 400n, '2026-12-05T00:00:01.000Z')];
    await store.insertGenerations(rows.slice(0, 2)); // committed, then killed before the segment was deleted
    const journal = new LedgerJournal(journalDir);
    for (const r of rows) journal.append(paramsLine(generationParams(r)));
    journal.rotate();
    const ledger = new Ledger(store, capture().log, OPTS, new LedgerJournal(journalDir));
    assert.equal(await ledger.recover(), 1);
    assert.deepEqual(spendOf(join(dir, 'arouter.db')), { rows: 3, spent: 700n });
    assert.deepEqual(
      (await store.keySpendSince('2026-12-05')).map((s) => [s.id, s.spent_pusd]),
      [['key_1', 400n]],
      "by the row's own day",
    );
    assert.equal(await ledger.recover(), 0, 'nothing left to replay');
    assert.deepEqual(spendOf(join(dir, 'arouter.db')), { rows: 3, spent: 700n });
  });
});

test('a line cut by a crash is skipped with a warning; the whole lines around it are recovered exactly', async () => {
  await withStore(async ({ store, journalDir }) => {
    const big = 10n ** 18n + 1n; // beyond a double's exact range: the cost must round-trip as a decimal string
    const journal = new LedgerJournal(journalDir);
    journal.append(paramsLine(generationParams(row('g1', big))));
    journal.append(paramsLine(generationParams(row('g2', 2n))));
    const cut = paramsLine(generationParams(row('g3', 3n)));
    const file = join(journalDir, segments(journalDir)[0]);
    appendFileSync(file, cut.slice(0, cut.length - 9));
    writeFileSync(join(journalDir, 'older.jsonl'), 'garbage\n');
    const { log, lines: logged } = capture();
    const ledger = new Ledger(store, log, OPTS, new LedgerJournal(journalDir));
    assert.equal(await ledger.recover(), 2);
    assert.equal((await store.getGeneration('g1'))?.cost_pusd, big);
    assert.equal(await store.getGeneration('g3'), null);
    assert.ok(
      logged.some((l) => l.level === 'warn' && l.lines === 2),
      JSON.stringify(logged),
    );
    assert.deepEqual(segments(journalDir), []);
  });
});

test('ledger.journal: on by default, in the data dir; false turns it off', async () => {
  assert.equal(loadConfig({ env: {}, inline: {} }).ledger.journal, true);
  for (const journal of [true, false]) {
    const gw = await startGateway({ config: { ledger: { journal } } });
    try {
      assert.equal(existsSync(join(gw.dataDir, 'ledger-journal')), journal);
    } finally {
      await gw.close();
    }
  }
});
