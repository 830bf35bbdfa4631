// A gateway with `redis.url` (SQLite storage) bills exactly as the embedded one: 300 concurrent chats (half
// streamed) against a $0.01 key limit never overspend, every 200 has its ledger row, and the Redis counters, GET
// /v1/key and the ledger agree to the pUSD. A restart on the same Redis keeps the counters (loaded once per
// deployment), and reconcile finds nothing to fix. Keys live under a prefix of this run, deleted at the end.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { startGateway, startSims, type SimSet, type TestGateway } from '../helpers/gateway.js';
import { activity, chat, chatStream, createKey, json, pusd, sumExact, usdNumber } from '../helpers/accounting.js';
import { RedisReservationStore } from '../../src/accounting/redis-reservations.js';
import { reconcile } from '../../src/accounting/reconcile.js';

const URL = process.env.AROUTER_TEST_REDIS_URL || 'redis://127.0.0.1:6379';
const PREFIX = `arouter-test-${process.pid}-${randomBytes(4).toString('hex')}:`;
const MODEL = 'openai/gpt-4o';
const LONG_REPLY = 'All work and no play makes a dull answer. '.repeat(60);

let sims: SimSet;
let dataDir: string;
const raw = new Redis(URL, { maxRetriesPerRequest: 1 });
const start = () =>
  startGateway({ demoUpstreams: sims.urls, dataDir, config: { redis: { url: URL, prefix: PREFIX } } });

before(async () => {
  sims = await startSims();
  dataDir = mkdtempSync(join(tmpdir(), 'arouter-redis-e2e-'));
});
after(async () => {
  await sims.close();
  rmSync(dataDir, { recursive: true, force: true });
  const left: string[] = [];
  for await (const b of raw.scanStream({ match: `${PREFIX}*`, count: 1000 }) as AsyncIterable<string[]>)
    left.push(...b);
  if (left.length) await raw.del(...left);
  await raw.quit();
});

test('with Redis: 300 concurrent chats against a $0.01 key limit bill exactly, survive a restart, reconcile clean', async () => {
  sims.openai.script({ match: { model: 'gpt-4o' }, times: Infinity, reply: LONG_REPLY });
  let gw: TestGateway = await start();
  try {
    assert.ok(gw.app.spend.store instanceof RedisReservationStore, 'redis.url selects the Redis store');
    const { key, id: keyId } = await createKey(gw, { name: 'redis-limit', limit: 0.01 });
    const results = await Promise.all(
      Array.from({ length: 300 }, async (_, i) => {
        const body = { model: MODEL, max_tokens: 40, messages: [{ role: 'user', content: `redis request ${i}` }] };
        if (i % 2) {
          const s = await chatStream(gw, body, key);
          return { status: s.status, id: s.id, cost: s.usage?.cost };
        }
        const r = await chat(gw, body, key);
        return { status: r.status, id: r.body.id as string, cost: r.body.usage?.cost as number };
      }),
    );
    const ok = results.filter((r) => r.status === 200);
    assert.equal(ok.length + results.filter((r) => r.status === 402).length, 300, 'only 200s and 402s');
    assert.ok(ok.length > 0 && ok.length < 300, `${ok.length} answered`);
    const rows = (await activity(gw, '', key)).data;
    assert.equal(rows.length, ok.length, 'one ledger row per 200');
    const byId = new Map(rows.map((g) => [g.id, g]));
    for (const r of ok) assert.equal(byId.get(r.id!)?.total_cost, r.cost);
    const spent = sumExact(rows);
    assert.ok(spent <= pusd('0.01') && spent > pusd('0.008'), `spent ${spent}`);
    // Redis holds exactly the ledger's sum, nothing still reserved
    const st = await gw.app.spend.store.keyStatus(keyId);
    assert.equal(st.usage_total, spent);
    assert.equal(st.usage_daily, spent);
    assert.equal(st.reserved, 0n);
    const k = await json<{ data: { usage: number; limit_remaining: number } }>(gw.fetch('/key', { key }));
    assert.equal(k.data.usage, usdNumber(spent));
    assert.equal(k.data.limit_remaining, usdNumber(pusd('0.01') - spent));

    // a restart on the same Redis: the counters are not reloaded (the marker is there) and still agree
    await gw.close(false);
    gw = await start();
    const again = await json<{ data: { usage: number } }>(gw.fetch('/key', { key }));
    assert.equal(again.data.usage, usdNumber(spent));
    const refused = await chat(gw, { model: MODEL, max_tokens: 40, messages: [{ role: 'user', content: 'x' }] }, key);
    assert.equal(refused.status, 402, 'the limit still binds after the restart');
    const report = await reconcile(gw.app.spend.store as RedisReservationStore, gw.app.store);
    assert.deepEqual(report.differences, [], 'Redis and the ledger agree');
  } finally {
    sims.openai.reset();
    await gw.close(false);
  }
});
