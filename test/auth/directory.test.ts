// The key directory: presented tokens that match no key are never retained (issue 12: 9,900 distinct 15 KB
// tokens kept +153 MB resident), keys live in a bounded LRU in front of storage (issue 16: 1 M keys), and writes
// made through another Directory on the same storage (another process) are picked up by refresh().
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { SqliteStorage } from '../../src/store/sqlite.js';
import { Directory } from '../../src/auth/directory.js';
import type { KeyRow, Storage } from '../../src/store/types.js';

async function open(opts: { keyCacheSize?: number; store?: SqliteStorage } = {}) {
  const store = opts.store ?? new SqliteStorage(':memory:');
  await store.migrate();
  const dir = new Directory(store, null, { keyCacheSize: opts.keyCacheSize });
  await dir.load();
  await dir.bootstrap({ adminKey: false });
  return { store, dir };
}

/** counts the storage reads by hash (cache misses) */
function countReads(store: Storage): { reads: number } {
  const n = { reads: 0 };
  const orig = store.findKeyByHash.bind(store);
  store.findKeyByHash = (h) => {
    n.reads++;
    return orig(h);
  };
  return n;
}

test('unknown presented keys are not remembered; known ones are', async () => {
  const { store, dir } = await open();
  const memo = () => (dir as unknown as { hashMemo: Map<string, string> }).hashMemo.size;
  for (let i = 0; i < 500; i++) assert.equal(await dir.findByKey(`lr_live_${i}`.padEnd(15_000, 'x')), null);
  assert.equal(await dir.findByKey('x'.repeat(300)), null);
  assert.equal(memo(), 0);
  const { key, row } = await dir.createKey({ name: 'real' });
  assert.equal((await dir.findByKey(key))?.id, row.id);
  assert.equal((await dir.findByKey(key))?.id, row.id);
  assert.equal(memo(), 1);
  await store.close();
});

test('a cached key is found synchronously; a cold one with one storage read, then cached', async () => {
  const { store, dir } = await open();
  const other = new Directory(store);
  await other.load();
  const { key, row } = await other.createKey({ name: 'cold' });
  const n = countReads(store);
  const first = dir.findByKey(key);
  assert.ok(first instanceof Promise, 'a key not cached is read from storage');
  // concurrent requests with one cold key share the read
  const [a, b] = await Promise.all([first, dir.findByKey(key)]);
  assert.equal(a?.id, row.id);
  assert.equal(b?.id, row.id);
  assert.equal(n.reads, 1);
  const hot = dir.findByKey(key);
  assert.ok(!(hot instanceof Promise), 'a cached key answers without a promise');
  assert.equal((hot as KeyRow).id, row.id);
  assert.equal(n.reads, 1);
  await store.close();
});

test('the cache holds at most key_cache_size keys, evicting the least recently used', async () => {
  const { store, dir } = await open({ keyCacheSize: 3 });
  const other = new Directory(store);
  await other.load();
  const made = [];
  for (let i = 0; i < 5; i++) made.push(await other.createKey({ name: `k${i}` }));
  const n = countReads(store);
  for (const m of made) assert.equal((await dir.findByKey(m.key))?.id, m.row.id);
  assert.equal(n.reads, 5);
  assert.equal(dir.cachedKeys, 3);
  // k2, k3, k4 are cached; k2 used again becomes the most recent, so k5's read evicts k3
  assert.ok(!(dir.findByKey(made[2]!.key) instanceof Promise));
  assert.ok(dir.findByKey(made[0]!.key) instanceof Promise, 'k0 was evicted');
  await dir.findByKey(made[0]!.key);
  assert.ok(!(dir.findByKey(made[2]!.key) instanceof Promise), 'k2 survived: recently used');
  assert.ok(dir.findByKey(made[3]!.key) instanceof Promise, 'k3 was the least recently used');
  assert.equal(dir.cachedKeys, 3);
  await store.close();
});

test('100,000 random bearer tokens leave the caches bounded', async () => {
  const { store, dir } = await open({ keyCacheSize: 1000 });
  const { key } = await dir.createKey({ name: 'real' });
  const internals = dir as unknown as { absent: { size: number }; hashMemo: Map<string, string> };
  for (let i = 0; i < 100_000; i++) {
    const r = dir.findByKey(`lr_live_${randomBytes(30).toString('base64url')}`);
    assert.equal(r instanceof Promise ? await r : r, null);
  }
  assert.equal(dir.cachedKeys, 1, 'only the real key is cached');
  assert.ok(internals.absent.size <= 4096, `negative cache bounded (${internals.absent.size})`);
  assert.equal(internals.hashMemo.size, 0);
  assert.ok(await dir.findByKey(key));
  await store.close();
});

test('refresh() applies what another directory on the same storage wrote, revocations included', async () => {
  const { store, dir } = await open();
  await dir.refresh(); // its own bootstrap write
  const other = new Directory(store);
  await other.load();
  const { key, row } = await other.createKey({ name: 'elsewhere' });
  // read from storage on first use: a key created by another process works at once
  assert.equal((await dir.findByKey(key))?.id, row.id);
  assert.equal(await dir.refresh(), 1);
  await other.revokeKey(row.id);
  assert.equal((await dir.findByKey(key))?.revoked_at, null, 'the cached row, until the refresh');
  await dir.refresh();
  assert.ok((await dir.findByKey(key))?.revoked_at, 'the refresh replaced the cached row');
  assert.equal(await dir.refresh(), 0, 'nothing new: nothing applied');
  const acct = await other.createAccount('team', null, null);
  let changed = 0;
  dir.onAccountsChanged = () => changed++;
  await dir.refresh();
  assert.equal(dir.getAccount(acct.id)?.name, 'team');
  assert.equal(changed, 1);
  await store.close();
});

test('a revoked cached key is refused within the poll interval', async () => {
  const { store, dir } = await open();
  const other = new Directory(store);
  await other.load();
  const { key, row } = await other.createKey({ name: 'victim' });
  assert.equal((await dir.findByKey(key))?.revoked_at, null);
  dir.watch(50, (err) => assert.fail(String(err)));
  try {
    await other.revokeKey(row.id);
    const t0 = Date.now();
    while (!(await dir.findByKey(key))?.revoked_at) {
      assert.ok(Date.now() - t0 < 1000, 'still not revoked after 1 s');
      await new Promise((r) => setTimeout(r, 10));
    }
    assert.ok(Date.now() - t0 <= 200, `revoked after ${Date.now() - t0} ms (poll: 50 ms)`);
  } finally {
    dir.unwatch();
    await store.close();
  }
});

test('a storage read overtaken by a refresh answers but is not cached (it may be older than the refresh)', async () => {
  const { store, dir } = await open();
  const other = new Directory(store);
  await other.load();
  const { key, row } = await other.createKey({ name: 'raced' });
  await dir.refresh();
  // the read returns the row as it was, then the revocation lands and a refresh applies it before the read ends
  const orig = store.findKeyByHash.bind(store);
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  store.findKeyByHash = async (h) => {
    const r = await orig(h);
    await gate;
    return r;
  };
  const pending = dir.findByKey(key);
  await new Promise((r) => setTimeout(r, 5));
  await other.revokeKey(row.id);
  await dir.refresh();
  release();
  assert.equal((await pending)?.revoked_at, null, 'the old row answers the request that read it');
  store.findKeyByHash = orig;
  assert.ok((await dir.findByKey(key))?.revoked_at, 'the next request reads storage again');
  await store.close();
});

test('a hash found absent is forgotten when that key is written', async () => {
  const { store, dir } = await open();
  await dir.refresh();
  const presented = 'lr_live_' + 'A'.repeat(40);
  assert.equal(await dir.findByKey(presented), null);
  const n = countReads(store);
  assert.equal(await dir.findByKey(presented), null);
  assert.equal(n.reads, 0, 'a repeated wrong key is answered from the bounded negative cache');
  const { hashKey, keyLabel } = await import('../../src/auth/keys.js');
  const now = new Date().toISOString();
  // a key imported by another process with exactly that material
  await store.createKey({
    id: 'key_imported',
    account_id: 'acct_default',
    name: 'imported',
    hash: hashKey(presented),
    label: keyLabel(presented),
    role: 'user',
    disabled: false,
    limit_pusd: null,
    limit_reset: 'never',
    rate_limit_rpm: null,
    rate_limit_tpm: null,
    expires_at: null,
    revoked_at: null,
    created_at: now,
    updated_at: now,
  });
  await dir.refresh();
  assert.equal((await dir.findByKey(presented))?.id, 'key_imported');
  await store.close();
});
