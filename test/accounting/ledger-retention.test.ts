// Ledger retention: the cut-off is `days` before now; a pass deletes chunk after chunk until a chunk comes back
// short; a failing store is logged and retried at the next run; stop() waits for the pass in progress and no
// new run starts. With the real SQLite store: rows past the window go, the rest and all spend stay.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LedgerRetention } from '../../src/accounting/ledger-retention.js';
import { Logger } from '../../src/lib/log.js';
import { SqliteStorage } from '../../src/store/sqlite.js';
import type { GenerationRow, Storage } from '../../src/store/types.js';

const NOW = Date.UTC(2026, 10, 30, 12, 0, 0);

function capture(): { log: Logger; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  return { log: new Logger('info', (t) => lines.push(JSON.parse(t) as Record<string, unknown>)), lines };
}

/** a store whose pruneGenerations answers from a script */
function fakeStore(answers: Array<number | Error>, calls: Array<[string, number]>): Storage {
  return {
    async pruneGenerations(before: string, limit: number) {
      calls.push([before, limit]);
      const a = answers.shift() ?? 0;
      if (a instanceof Error) throw a;
      return a;
    },
  } as unknown as Storage;
}

test('a pass deletes chunk after chunk, from days before now, until a chunk comes back short', async () => {
  const calls: Array<[string, number]> = [];
  const { log, lines } = capture();
  const r = new LedgerRetention(fakeStore([3, 3, 1], calls), log, { days: 30, chunk: 3, now: () => NOW });
  assert.equal(await r.run(), 7);
  assert.deepEqual(calls, [
    ['2026-10-31T12:00:00.000Z', 3],
    ['2026-10-31T12:00:00.000Z', 3],
    ['2026-10-31T12:00:00.000Z', 3],
  ]);
  assert.deepEqual(
    lines.map((l) => [l.msg, l.deleted]),
    [['ledger retention', 7]],
  );
  // nothing to delete: nothing logged
  assert.equal(await r.run(), 0);
  assert.equal(lines.length, 1);
});

test('a failing store is logged, not thrown, and the next run tries again', async () => {
  const calls: Array<[string, number]> = [];
  const { log, lines } = capture();
  const r = new LedgerRetention(fakeStore([5, new Error('disk I/O error'), 2], calls), log, {
    days: 1,
    chunk: 5,
    now: () => NOW,
  });
  assert.equal(await r.run(), 5);
  assert.equal(lines[0]!.level, 'error');
  assert.match(String(lines[0]!.error), /disk I\/O error/);
  assert.equal(await r.run(), 2);
});

test('start() runs after the first delay and then every interval; stop() ends it and waits for the pass', async () => {
  const calls: Array<[string, number]> = [];
  const { log } = capture();
  let release: () => void = () => {};
  const gate = new Promise<void>((res) => (release = res));
  const store = {
    async pruneGenerations(before: string, limit: number) {
      calls.push([before, limit]);
      if (calls.length === 2) await gate; // the second run is in progress when stop() is called
      return 0;
    },
  } as unknown as Storage;
  const r = new LedgerRetention(store, log, { days: 1, firstDelayMs: 5, intervalMs: 20, now: () => NOW });
  r.start();
  while (calls.length < 2) await new Promise((res) => setTimeout(res, 5));
  let stopped = false;
  const stopping = r.stop().then(() => (stopped = true));
  await new Promise((res) => setTimeout(res, 30));
  assert.equal(stopped, false, 'stop() waits for the run in progress');
  release();
  await stopping;
  await new Promise((res) => setTimeout(res, 60));
  assert.equal(calls.length, 2, 'no run after stop()');
});

test('with the SQLite store: rows older than the window go, newer rows and every spend total stay', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'arouter-retention-'));
  try {
    const store = new SqliteStorage(join(dir, 'a.db'));
    await store.migrate();
    const row = (id: string, daysAgo: number, cost: bigint): GenerationRow => ({
      id,
      account_id: 'acct',
      key_id: 'key',
      requested_model: 'a/b',
      model: 'a/b',
      provider: 'p',
      endpoint: 'b',
      upstream_id: null,
      attempts: [],
      prompt_tokens: 1,
      completion_tokens: 1,
      reasoning_tokens: 0,
      cached_tokens: 0,
      cache_write_tokens: 0,
      tokens_estimated: false,
      cost_pusd: cost,
      latency_ms: 1,
      ttft_ms: null,
      finish_reason: 'stop',
      status: 200,
      streamed: false,
      cancelled: false,
      route: null,
      kind: 'chat',
      created_at: new Date(NOW - daysAgo * 86_400_000).toISOString(),
    });
    const rows: GenerationRow[] = [];
    for (let i = 0; i < 25; i++) rows.push(row(`old${i}`, 40 - i * 0.1, 1n)); // 40 … 37.6 days ago
    for (let i = 0; i < 5; i++) rows.push(row(`new${i}`, 10 - i, 100n));
    await store.insertGenerations(rows);
    const { log } = capture();
    const r = new LedgerRetention(store, log, { days: 30, chunk: 10, now: () => NOW });
    assert.equal(await r.run(), 25);
    assert.deepEqual((await store.listGenerations({ account_id: 'acct' })).map((g) => g.id).sort(), [
      'new0',
      'new1',
      'new2',
      'new3',
      'new4',
    ]);
    assert.deepEqual(await store.accountSpend(), [{ id: 'acct', spent_pusd: 525n }]);
    await r.stop();
    await store.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
