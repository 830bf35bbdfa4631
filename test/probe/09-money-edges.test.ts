// Issue 12 items 9 and 7 (admin API edges): amounts storage cannot hold are a 400 naming the field, not a 500;
// expires_at in the form toISOString() gives is accepted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startGateway } from '../helpers/gateway.js';

test('credits and limits beyond what storage holds are 400s naming the field; the maximum itself is accepted', async () => {
  const gw = await startGateway();
  try {
    const post = async (path: string, json: unknown) => {
      const res = await gw.fetch(path, { method: 'POST', json });
      return {
        status: res.status,
        body: (await res.json()) as {
          error?: { param: string; message: string };
          data?: { id: string; credits: number };
        },
      };
    };
    const big = await post('/accounts', { name: 'rich', credits: 99_999_999 });
    assert.equal(big.status, 400);
    assert.equal(big.body.error!.param, 'credits');
    assert.match(big.body.error!.message, /at most \$9223372\.036854775807/);
    const limit = await post('/keys', { name: 'big', limit: '10000000' });
    assert.equal(limit.status, 400);
    assert.equal(limit.body.error!.param, 'limit');
    const max = await post('/accounts', { name: 'max', credits: '9223372.036854775807' });
    assert.equal(max.status, 201);
    const patched = await gw.fetch(`/accounts/${max.body.data!.id}`, {
      method: 'PATCH',
      json: { credits: '9999999999' },
    });
    assert.equal(patched.status, 400);
    assert.equal((await gw.fetch('/health')).status, 200);
  } finally {
    await gw.close();
  }
});

test('expires_at accepts ISO 8601 with milliseconds and offsets, refuses past and malformed values', async () => {
  const gw = await startGateway();
  try {
    const soon = new Date(Date.now() + 3_600_000);
    const ok = await gw.fetch('/keys', { method: 'POST', json: { name: 'ms', expires_at: soon.toISOString() } });
    assert.equal(ok.status, 201);
    assert.equal(((await ok.json()) as { data: { expires_at: string } }).data.expires_at, soon.toISOString());
    const offset = await gw.fetch('/keys', {
      method: 'POST',
      json: { name: 'tz', expires_at: '2999-01-01T09:00:00+09:00' },
    });
    assert.equal(offset.status, 201);
    assert.equal(
      ((await offset.json()) as { data: { expires_at: string } }).data.expires_at,
      '2999-01-01T00:00:00.000Z',
    );
    for (const bad of ['2001-01-01T00:00:00Z', 'tomorrow', '2999-01-01']) {
      const res = await gw.fetch('/keys', { method: 'POST', json: { name: 'bad', expires_at: bad } });
      assert.equal(res.status, 400, bad);
      assert.match(
        ((await res.json()) as { error: { param: string | null; message: string } }).error.message,
        /expires_at/,
      );
    }
  } finally {
    await gw.close();
  }
});
