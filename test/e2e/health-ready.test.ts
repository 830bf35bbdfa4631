// GET /v1/health/ready: 200 when storage answers, a catalog is loaded and the process is not draining; 503 naming the
// failing check otherwise — within about a second when a dependency hangs, so a load balancer's probe never hangs.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startDemoGateway, type SimSet, type TestGateway } from '../helpers/gateway.js';

let gw: TestGateway;
let sims: SimSet;

before(async () => {
  ({ gw, sims } = await startDemoGateway());
});
after(async () => {
  await gw.close();
  await sims.close();
});

interface Ready {
  status: string;
  checks: { storage: string; redis: string; catalog: string; draining: boolean };
}

async function ready(): Promise<{ status: number; body: Ready }> {
  const res = await gw.fetch('/health/ready', { key: null });
  return { status: res.status, body: (await res.json()) as Ready };
}

test('ready: storage answers, a catalog is loaded, not draining, Redis not configured', async () => {
  const r = await ready();
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.status, 'ready');
  assert.equal(r.body.checks.storage, 'ok');
  assert.equal(r.body.checks.redis, 'not configured');
  assert.match(r.body.checks.catalog, /^\d+ models$/);
});

test('a storage that fails or hangs makes it 503 naming the check, within about a second', async () => {
  const store = gw.app.store;
  const original = store.directoryRevision.bind(store);
  try {
    store.directoryRevision = () => Promise.reject(new Error('connection refused'));
    let r = await ready();
    assert.equal(r.status, 503);
    assert.equal(r.body.status, 'not_ready');
    assert.equal(r.body.checks.storage, 'error: connection refused');

    store.directoryRevision = () => new Promise<number>(() => {});
    const t0 = Date.now();
    r = await ready();
    assert.equal(r.status, 503);
    assert.match(r.body.checks.storage, /no answer within 1000 ms/);
    assert.ok(Date.now() - t0 < 3000, `took ${Date.now() - t0} ms`);
  } finally {
    store.directoryRevision = original;
  }
  assert.equal((await ready()).status, 200);
  // liveness never looked at storage
  assert.equal((await gw.fetch('/health', { key: null })).status, 200);
});
