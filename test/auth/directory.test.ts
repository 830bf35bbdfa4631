// The key directory: presented tokens that match no key are never retained (issue 12: 9,900 distinct 15 KB
// tokens kept +153 MB resident), and writes made through another Directory on the same storage (another
// process) are picked up by refresh().
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SqliteStorage } from '../../src/store/sqlite.js';
import { Directory } from '../../src/auth/directory.js';

async function open(): Promise<{ store: SqliteStorage; dir: Directory }> {
  const store = new SqliteStorage(':memory:');
  await store.migrate();
  const dir = new Directory(store);
  await dir.load();
  await dir.bootstrap({ adminKey: false });
  return { store, dir };
}

test('unknown presented keys are not remembered; known ones are', async () => {
  const { store, dir } = await open();
  const memo = () => (dir as unknown as { hashMemo: Map<string, string> }).hashMemo.size;
  for (let i = 0; i < 500; i++) assert.equal(dir.findByKey(`lr_live_${i}`.padEnd(15_000, 'x')), null);
  assert.equal(dir.findByKey('x'.repeat(300)), null);
  assert.equal(memo(), 0);
  const { key, row } = await dir.createKey({ name: 'real' });
  assert.equal(dir.findByKey(key)?.id, row.id);
  assert.equal(dir.findByKey(key)?.id, row.id);
  assert.equal(memo(), 1);
  await store.close();
});

test('refresh() applies what another directory on the same storage wrote, revocations included', async () => {
  const { store, dir } = await open();
  await dir.refresh(); // its own bootstrap write
  const other = new Directory(store);
  await other.load();
  const { key, row } = await other.createKey({ name: 'elsewhere' });
  assert.equal(dir.findByKey(key), null);
  assert.equal(await dir.refresh(), 1);
  assert.equal(dir.findByKey(key)?.id, row.id);
  await other.revokeKey(row.id);
  assert.equal(dir.findByKey(key)?.revoked_at, null, 'not seen before the refresh');
  await dir.refresh();
  assert.ok(dir.findByKey(key)?.revoked_at);
  assert.equal(await dir.refresh(), 0, 'nothing new: nothing applied');
  const acct = await other.createAccount('team', null, null);
  let changed = 0;
  dir.onAccountsChanged = () => changed++;
  await dir.refresh();
  assert.equal(dir.getAccount(acct.id)?.name, 'team');
  assert.equal(changed, 1);
  await store.close();
});
