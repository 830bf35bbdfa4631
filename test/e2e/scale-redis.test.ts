// Two gateways on one PostgreSQL schema and one Redis prefix (two processes' worth): a key revoked on A is
// refused by B within a second through the pub/sub push (B's storage poll is stopped, so the push alone is
// measured), a key's requests-per-minute budget is shared by both, and a catalog change on A reaches B.
// Real services: PostgreSQL at 127.0.0.1:5432 database `test` (a schema of this run, dropped at the end) and
// Redis at 127.0.0.1:6379 (a prefix of this run, its keys deleted at the end).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import postgres from 'postgres';
import { startGateway, startSims, type SimSet, type TestGateway } from '../helpers/gateway.js';
import { dropPrefix, REDIS_URL, requireRedis, testPrefix, within } from '../helpers/redis-shared.js';

const PG_URL = process.env.AROUTER_TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';
const schema = `arouter_test_${process.pid}_${Date.now().toString(36)}_scale`;
const prefix = testPrefix('scale');
let sims: SimSet;
let a: TestGateway;
let b: TestGateway;

const config = () => ({ storage: { url: PG_URL, schema }, redis: { url: REDIS_URL, prefix } });

before(async () => {
  await requireRedis();
  sims = await startSims();
  a = await startGateway({ demoUpstreams: sims.urls, config: config() });
  b = await startGateway({ demoUpstreams: sims.urls, config: config() });
});

after(async () => {
  await a?.close();
  await b?.close();
  await sims?.close();
  await dropPrefix(prefix);
  const sql = postgres(PG_URL, { max: 1, onnotice: () => {} });
  await sql.unsafe(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await sql.end({ timeout: 1 });
});

async function newKey(gw: TestGateway, body: Record<string, unknown>): Promise<{ id: string; key: string }> {
  const res = await gw.fetch('/keys', { method: 'POST', json: body });
  assert.equal(res.status, 201, await res.clone().text());
  const j = (await res.json()) as { data: { id: string }; key: string };
  return { id: j.data.id, key: j.key };
}

const chat = (gw: TestGateway, key: string) =>
  gw.fetch('/chat/completions', {
    method: 'POST',
    key,
    json: { model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }], max_tokens: 5 },
  });

test('a key created on A works on B, and revoked on A is refused by B within 1 s (push, not poll)', async () => {
  // the poll stays as a fallback in production; stopped here so only the push can make B see the writes
  b.app.directory.unwatch();
  try {
    const k = await newKey(a, { name: 'roaming' });
    const seen = await within(1000, async () => (await b.fetch('/key', { key: k.key })).status === 200);
    assert.equal((await chat(b, k.key)).status, 200);

    const res = await a.fetch(`/keys/${k.id}`, { method: 'DELETE' });
    assert.equal(res.status, 200);
    const t0 = performance.now();
    await within(1000, async () => (await b.fetch('/key', { key: k.key })).status === 401);
    const revoked = performance.now() - t0;
    assert.equal((await chat(b, k.key)).status, 401);
    console.log(
      `# created on A → usable on B after ${seen.toFixed(1)} ms; revoked → refused after ${revoked.toFixed(1)} ms`,
    );
  } finally {
    b.app.directory.watch(250, () => {});
  }
});

test("a key's requests-per-minute budget is one budget for both gateways: 429 with Retry-After either side", async () => {
  const into = Date.now() % 60_000;
  if (into > 55_000) await new Promise((r) => setTimeout(r, 60_000 - into + 100));
  const k = await newKey(a, { name: 'limited', rate_limit: { requests_per_minute: 4 } });
  await within(1000, () => b.app.directory.getKey(k.id) !== null);
  const statuses: number[] = [];
  for (const gw of [a, b, a, b]) {
    const r = await chat(gw, k.key);
    statuses.push(r.status);
    await r.arrayBuffer();
  }
  assert.deepEqual(statuses, [200, 200, 200, 200]);
  for (const gw of [a, b]) {
    const r = await chat(gw, k.key);
    assert.equal(r.status, 429);
    assert.equal(r.headers.get('x-ratelimit-limit'), '4');
    assert.equal(r.headers.get('x-ratelimit-remaining'), '0');
    assert.ok(Number(r.headers.get('retry-after')) >= 1);
    const body = (await r.json()) as { error: { metadata: { code: string } } };
    assert.equal(body.error.metadata.code, 'rate_limit_exceeded');
  }
});

test('a catalog change on A is announced: B rebuilds its catalog', async () => {
  const before = b.app.catalogVersion;
  a.app.setCatalog(a.app.catalog);
  await within(1000, () => b.app.catalogVersion > before);
  // B's rebuild is not announced again (no ping-pong between processes)
  const aVersion = a.app.catalogVersion;
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(a.app.catalogVersion, aVersion);
});
