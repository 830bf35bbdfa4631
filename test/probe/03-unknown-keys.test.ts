// Issue 12 item 3 (bearer tokens): distinct unknown tokens — 15 KB each, as an attacker would send — are refused
// without being remembered; before, each was kept in the key-hash memo (9,900 of them: +153 MB resident).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { startGateway } from '../helpers/gateway.js';

function get(url: string, token: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: { authorization: `Bearer ${token}` }, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });
}

test('thousands of distinct 15 KB unknown tokens are 401s and leave nothing behind', async () => {
  const gw = await startGateway();
  try {
    const memo = () => (gw.app.directory as unknown as { hashMemo: Map<string, string> }).hashMemo.size;
    const before = memo();
    const pad = 'x'.repeat(15_000);
    for (let batch = 0; batch < 20; batch++) {
      const statuses = await Promise.all(
        Array.from({ length: 50 }, (_, i) => get(`${gw.url}/models`, `lr_live_${batch}_${i}_${pad}`)),
      );
      assert.ok(
        statuses.every((s) => s === 401),
        `batch ${batch}: ${statuses.join(',')}`,
      );
    }
    assert.equal(memo(), before, 'no unknown token was retained');
    assert.equal((await gw.fetch('/key')).status, 200, 'real keys still work');
  } finally {
    await gw.close();
  }
});
