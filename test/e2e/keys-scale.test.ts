// Issue 16 item 5: keys at a hosted service's scale. Through a real gateway: keys not cached (written by another
// process) authenticate with one storage read, the cache stays within auth.key_cache_size, and /v1/keys and
// /v1/accounts page by cursor, every key exactly once, scoped by role.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startGateway, type TestGateway } from '../helpers/gateway.js';
import { Directory } from '../../src/auth/directory.js';

let gw: TestGateway;
/** keys written by "another process": a Directory of its own on the gateway's storage */
const cold: Array<{ key: string; id: string }> = [];

before(async () => {
  gw = await startGateway({ config: { auth: { key_cache_size: 10 } } });
  const other = new Directory(gw.app.store);
  await other.load();
  for (let i = 0; i < 240; i++) {
    const { key, row } = await other.createKey({ name: `bulk-${i}` });
    cold.push({ key, id: row.id });
  }
});

after(() => gw.close());

type KeysPage = { data: Array<{ id: string; role: string; account_id: string }>; next_cursor: string | null };

async function walk(path: string, key?: string): Promise<{ ids: string[]; pages: number }> {
  const ids: string[] = [];
  let pages = 0;
  for (let cursor: string | null = null; ;) {
    const sep = path.includes('?') ? '&' : '?';
    const res = await gw.fetch(`${path}${cursor ? `${sep}cursor=${encodeURIComponent(cursor)}` : ''}`, { key });
    assert.equal(res.status, 200, await res.clone().text());
    const body = (await res.json()) as KeysPage;
    pages++;
    ids.push(...body.data.map((k) => k.id));
    if (!body.next_cursor) return { ids, pages };
    cursor = body.next_cursor;
  }
}

test('keys not cached authenticate with a storage read; the cache stays bounded', async () => {
  for (const c of cold.slice(0, 40)) {
    const res = await gw.fetch('/key', { key: c.key });
    assert.equal(res.status, 200);
    assert.equal(((await res.json()) as { data: { id: string } }).data.id, c.id);
  }
  assert.ok(gw.app.directory.cachedKeys <= 10, `cached: ${gw.app.directory.cachedKeys}`);
  const wrong = await gw.fetch('/key', { key: 'lr_live_' + 'z'.repeat(40) });
  assert.equal(wrong.status, 401);
});

test('a revoked key that was cached is refused within the poll interval (another process revoked it)', async () => {
  const victim = cold[200]!;
  assert.equal((await gw.fetch('/key', { key: victim.key })).status, 200);
  const other = new Directory(gw.app.store);
  await other.load();
  await other.revokeKey(victim.id);
  const t0 = Date.now();
  while ((await gw.fetch('/key', { key: victim.key })).status !== 401) {
    assert.ok(Date.now() - t0 < 2000, 'still accepted after 2 s');
    await new Promise((r) => setTimeout(r, 20));
  }
  assert.ok(Date.now() - t0 < 1000, `refused after ${Date.now() - t0} ms`);
});

test('GET /v1/keys pages by cursor: every key once', async () => {
  const { ids, pages } = await walk('/keys?limit=100&include_revoked=true');
  // the bootstrap operator key is not created with AROUTER_ADMIN_KEY set: the 240 bulk keys are all
  assert.equal(pages, 3);
  assert.equal(new Set(ids).size, ids.length, 'no key twice');
  // (created_at, id) order: keys created in the same millisecond come by id
  assert.deepEqual([...ids].sort(), cold.map((c) => c.id).sort());
  const live = await walk('/keys');
  assert.equal(live.ids.length, 239, 'the revoked key is left out by default');
  const def = (await (await gw.fetch('/keys')).json()) as KeysPage;
  assert.equal(def.data.length, 100, 'default page: 100');
});

test('limit and cursor are validated, naming the parameter', async () => {
  for (const q of ['limit=0', 'limit=1001', 'limit=abc', 'cursor=nonsense']) {
    const res = await gw.fetch(`/keys?${q}`);
    assert.equal(res.status, 400, q);
    const body = (await res.json()) as { error: { param: string } };
    assert.equal(body.error.param, q.split('=')[0]);
  }
  assert.equal((await gw.fetch('/keys?limit=1000')).status, 200);
});

test('an admin pages its own account only, without keys above its role; accounts page too', async () => {
  const accounts: string[] = [];
  for (let i = 0; i < 5; i++) {
    const res = await gw.fetch('/accounts', { method: 'POST', json: { name: `team-${i}` } });
    assert.equal(res.status, 201);
    accounts.push(((await res.json()) as { data: { id: string } }).data.id);
  }
  const all = await walk('/accounts?limit=2');
  assert.equal(all.pages, 3);
  assert.deepEqual(all.ids, ['acct_default', ...accounts]);
  const made = async (json: unknown) =>
    (await (await gw.fetch('/keys', { method: 'POST', json })).json()) as { key: string; data: { id: string } };
  const admin = await made({ name: 'adm', role: 'admin', account_id: accounts[0] });
  const user = await made({ name: 'usr', account_id: accounts[0] });
  await made({ name: 'op2', role: 'operator' });
  const mine = await walk('/keys?limit=1', admin.key);
  assert.deepEqual(mine.ids, [admin.data.id, user.data.id]);
  const theirs = await walk('/accounts', admin.key);
  assert.deepEqual(theirs.ids, [accounts[0]]);
  // a default-account admin does not see the operator keys
  const defAdmin = await made({ name: 'defadm', role: 'admin' });
  const seen = await walk('/keys?limit=1000', defAdmin.key);
  assert.ok(seen.ids.includes(defAdmin.data.id));
  const rows = (await (await gw.fetch('/keys?limit=1000', { key: defAdmin.key })).json()) as KeysPage;
  assert.ok(rows.data.every((k) => k.role !== 'operator'));
});
