// Workers of `arouter serve --workers N` share one ledger journal directory: a process replaying the journal at
// start takes the segments of dead writers (and its own pid's, an earlier run's) and leaves alone those a live
// sibling is still appending to.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LedgerJournal } from '../../src/store/journal.js';
import { generationParams, paramsLine } from '../../src/store/generation-params.js';
import type { GenerationRow } from '../../src/store/types.js';

const ROW: GenerationRow = {
  id: 'gen_1',
  account_id: 'acct_default',
  key_id: 'key_1',
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
  cost_pusd: 5n,
  latency_ms: 1,
  ttft_ms: null,
  finish_reason: 'stop',
  status: 200,
  streamed: false,
  cancelled: false,
  route: { rule: 'default' },
  kind: 'chat',
  created_at: '2026-12-04T10:00:00.000Z',
};

test('readAll skips the segments of a live writer, takes dead and own-pid ones', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'arouter-journal-live-'));
  const sibling = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
  try {
    const dead = spawn(process.execPath, ['-e', '0'], { stdio: 'ignore' });
    await new Promise((r) => dead.once('exit', r));
    const line = paramsLine(generationParams(ROW));
    const stamp = Date.now().toString(36);
    writeFileSync(join(dir, `${stamp}-${sibling.pid}-1.jsonl`), line);
    writeFileSync(join(dir, `${stamp}-${dead.pid}-1.jsonl`), line);
    writeFileSync(join(dir, `${stamp}-${process.pid}-1.jsonl`), line);
    const got = new LedgerJournal(dir).readAll();
    const names = got.files.map((f) => f.slice(dir.length + 1)).sort();
    assert.deepEqual(names, [`${stamp}-${dead.pid}-1.jsonl`, `${stamp}-${process.pid}-1.jsonl`].sort());
    assert.equal(got.rows.length, 2);
    sibling.kill('SIGKILL');
    await new Promise((r) => sibling.once('exit', r));
    assert.equal(new LedgerJournal(dir).readAll().files.length, 3, 'once its writer is gone, the segment is replayed');
  } finally {
    sibling.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
});
