// The SQLite storage: generation rows go through the off-thread writer (its own connection in a worker)
// and are readable from the main connection once the write resolved; close() waits for the writer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

for (const offThreadWrites of [true, false]) {
  test(`generation rows round-trip exactly (${offThreadWrites ? 'worker' : 'main-thread'} writer)`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'arouter-store-'));
    const file = join(dir, 'a.db');
    try {
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
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
