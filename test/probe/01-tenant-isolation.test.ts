// Issue 12 item 1: every admin route × every role. An admin key of one account must not see or touch another
// account (keys, record, credits, generations, activity), nor grant or touch a role above its own; credits and
// providers are the operator's.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startDemoGateway, type SimSet, type TestGateway } from '../helpers/gateway.js';
import { createKey, json } from '../helpers/accounting.js';
import { DEFAULT_ACCOUNT_ID } from '../../src/auth/directory.js';

let gw: TestGateway;
let sims: SimSet;
const k: Record<string, { key: string; id: string }> = {};
let acctB = '';
let acctC = '';

before(async () => {
  ({ gw, sims } = await startDemoGateway());
  acctB = (
    await json<{ data: { id: string } }>(
      gw.fetch('/accounts', { method: 'POST', json: { name: 'b', credits: '5' } }),
      201,
    )
  ).data.id;
  acctC = (
    await json<{ data: { id: string } }>(
      gw.fetch('/accounts', { method: 'POST', json: { name: 'c', credits: '5' } }),
      201,
    )
  ).data.id;
  k.operator = await createKey(gw, { name: 'op', role: 'operator' });
  k.adminDefault = await createKey(gw, { name: 'admin-default', role: 'admin' });
  k.userDefault = await createKey(gw, { name: 'user-default' });
  k.adminB = await createKey(gw, { name: 'admin-b', role: 'admin', account_id: acctB });
  k.userB = await createKey(gw, { name: 'user-b', account_id: acctB });
  k.userC = await createKey(gw, { name: 'user-c', account_id: acctC });
});

after(async () => {
  await gw.close();
  await sims.close();
});

const call = async (key: string, method: string, path: string, body?: unknown) => {
  const res = await gw.fetch(path, { method, key, ...(body === undefined ? {} : { json: body }) });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, any>) : null };
};

test('user keys get 403 on every admin route', async () => {
  for (const [method, path] of [
    ['GET', '/keys'],
    ['POST', '/keys'],
    ['GET', `/keys/${k.userB.id}`],
    ['PATCH', `/keys/${k.userB.id}`],
    ['DELETE', `/keys/${k.userB.id}`],
    ['GET', '/accounts'],
    ['POST', '/accounts'],
    ['GET', `/accounts/${acctB}`],
    ['PATCH', `/accounts/${acctB}`],
  ] as const) {
    const r = await call(
      k.userB.key,
      method,
      path,
      method === 'GET' || method === 'DELETE' ? undefined : { name: 'x' },
    );
    assert.equal(r.status, 403, `${method} ${path}`);
    assert.equal(r.body?.error.type, 'permission_error');
  }
});

test("an account admin lists, reads and manages only its own account's keys", async () => {
  const listed = await call(k.adminB.key, 'GET', '/keys');
  assert.equal(listed.status, 200);
  const ids = (listed.body!.data as Array<{ id: string; account_id: string }>).map((x) => x.id).sort();
  assert.deepEqual(ids, [k.adminB.id, k.userB.id].sort());
  assert.equal((await call(k.adminB.key, 'GET', `/keys?account_id=${DEFAULT_ACCOUNT_ID}`)).status, 404);
  for (const other of [k.userDefault, k.operator, k.userC, k.adminDefault]) {
    for (const method of ['GET', 'PATCH', 'DELETE']) {
      const r = await call(
        k.adminB.key,
        method,
        `/keys/${other.id}`,
        method === 'PATCH' ? { name: 'pwned' } : undefined,
      );
      assert.equal(r.status, 404, `${method} another account's key`);
    }
  }
  // keys in another account cannot be created, nor roles above its own granted
  assert.equal((await call(k.adminB.key, 'POST', '/keys', { name: 'x', account_id: DEFAULT_ACCOUNT_ID })).status, 400);
  assert.equal((await call(k.adminB.key, 'POST', '/keys', { name: 'x', role: 'operator' })).status, 403);
  const made = await call(k.adminB.key, 'POST', '/keys', { name: 'b-worker', limit: '1' });
  assert.equal(made.status, 201);
  assert.equal(made.body!.data.account_id, acctB);
  assert.equal(made.body!.data.role, 'user');
  assert.equal((await call(k.adminB.key, 'PATCH', `/keys/${made.body!.data.id}`, { role: 'operator' })).status, 403);
  assert.equal((await call(k.adminB.key, 'DELETE', `/keys/${made.body!.data.id}`)).status, 200);
  // the operator's keys and the other accounts' still work
  assert.equal((await call(k.userDefault.key, 'GET', '/key')).status, 200);
  assert.equal((await call(k.operator.key, 'GET', '/key')).status, 200);
});

test('an admin of the default account cannot touch the operator keys or raise a role', async () => {
  assert.equal((await call(k.adminDefault.key, 'DELETE', `/keys/${k.operator.id}`)).status, 404);
  assert.equal(
    (await call(k.adminDefault.key, 'PATCH', `/keys/${k.userDefault.id}`, { role: 'operator' })).status,
    403,
  );
  assert.equal(
    (await call(k.adminDefault.key, 'PATCH', `/keys/${k.adminDefault.id}`, { role: 'operator' })).status,
    403,
  );
  const keys = (await call(k.adminDefault.key, 'GET', '/keys')).body!.data as Array<{ role: string }>;
  assert.ok(keys.length > 0 && keys.every((x) => x.role !== 'operator'), 'operator keys are not listed to an admin');
  assert.equal((await call(k.adminDefault.key, 'GET', '/accounts')).body!.data.length, 1);
});

test('accounts, credits and providers are the operator’s', async () => {
  const mine = await call(k.adminB.key, 'GET', '/accounts');
  assert.deepEqual(
    (mine.body!.data as Array<{ id: string }>).map((a) => a.id),
    [acctB],
  );
  assert.equal((await call(k.adminB.key, 'GET', `/accounts/${DEFAULT_ACCOUNT_ID}`)).status, 404);
  assert.equal((await call(k.adminB.key, 'GET', `/accounts/${acctC}`)).status, 404);
  assert.equal((await call(k.adminB.key, 'POST', '/accounts', { name: 'mine' })).status, 403);
  for (const patch of [{ credits: null }, { credits: '1000000' }, { enabled_providers: null }]) {
    const r = await call(k.adminB.key, 'PATCH', `/accounts/${acctB}`, patch);
    assert.equal(r.status, 403, JSON.stringify(patch));
  }
  assert.equal((await call(k.adminB.key, 'PATCH', `/accounts/${DEFAULT_ACCOUNT_ID}`, { name: 'owned' })).status, 404);
  assert.equal(
    (await call(k.adminB.key, 'PATCH', `/accounts/${acctB}`, { name: 'team b' })).status,
    200,
    'an admin may rename its own account',
  );
  const all = await call(k.operator.key, 'GET', '/accounts');
  assert.ok((all.body!.data as Array<{ id: string }>).length >= 3);
  const granted = await call(k.operator.key, 'PATCH', `/accounts/${acctB}`, { credits: '7' });
  assert.equal(granted.status, 200);
  assert.equal(granted.body!.data.credits, 7);
  const def = (await call(k.operator.key, 'GET', `/accounts/${DEFAULT_ACCOUNT_ID}`)).body!.data;
  assert.equal(def.name, 'default', 'nobody but the operator renamed the default account');
});

test('generations and activity: user = own key, admin = own account, operator = any account', async () => {
  const body = { model: 'openai/gpt-4o-mini', max_tokens: 16, messages: [{ role: 'user', content: 'hi' }] };
  const byC = await call(k.userC.key, 'POST', '/chat/completions', body);
  assert.equal(byC.status, 200);
  const byB = await call(k.userB.key, 'POST', '/chat/completions', body);
  assert.equal(byB.status, 200);
  const gen = (key: string, id: string) => call(key, 'GET', `/generation?id=${id}`).then((r) => r.status);
  assert.equal(await gen(k.userC.key, byC.body!.id), 200);
  assert.equal(await gen(k.adminB.key, byC.body!.id), 404);
  assert.equal(await gen(k.adminB.key, byB.body!.id), 200);
  assert.equal(await gen(k.userDefault.key, byB.body!.id), 404);
  assert.equal(await gen(k.operator.key, byC.body!.id), 200);
  assert.equal((await call(k.adminB.key, 'GET', `/activity?account_id=${acctC}`)).status, 404);
  const bAct = await call(k.adminB.key, 'GET', '/activity');
  assert.deepEqual(
    (bAct.body!.data as Array<{ id: string }>).map((g) => g.id),
    [byB.body!.id],
  );
  const cAct = await call(k.operator.key, 'GET', `/activity?account_id=${acctC}`);
  assert.deepEqual(
    (cAct.body!.data as Array<{ id: string }>).map((g) => g.id),
    [byC.body!.id],
  );
  const userAct = await call(k.userB.key, 'GET', `/activity?key_id=${k.adminB.id}`);
  assert.deepEqual(
    (userAct.body!.data as Array<{ id: string }>).map((g) => g.id),
    [byB.body!.id],
    'a user key sees its own rows only',
  );
});
