// Issue 16 item 7: three ARouter processes on one PostgreSQL schema and one Redis prefix share a key's USD limit,
// revocations and the ledger exactly. 600 concurrent requests at one key with a small limit, spread across the
// three: the spend recorded never exceeds the limit, every 200 has its ledger row, and the sum of the answered
// `usage.cost` is the ledger's sum to the picodollar. A revoke through A is refused by B and C within a second. A
// `kill -9` of one process under load leaves the others serving; after it restarts (replaying its journal) and a
// reconcile, the shared spend counters agree with the ledger.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import { Redis } from 'ioredis';
import { parseUsd } from '../../src/accounting/money.js';
import { startServeProcess, type ServeProcess } from '../helpers/serve-process.js';

const PG_URL = process.env.AROUTER_TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';
const REDIS_URL = process.env.AROUTER_TEST_REDIS_URL || 'redis://127.0.0.1:6379';
const RUN = `arouter_probe16mp_${process.pid}_${Date.now().toString(36)}`;
const PREFIX = `${RUN}:`;
const ADMIN = 'lr_live_probe16mpadminkey000000000000000000';
const dirs: string[] = [];

after(async () => {
  const sql = postgres(PG_URL, { max: 1, onnotice: () => {} });
  await sql.unsafe(`DROP SCHEMA IF EXISTS "${RUN}" CASCADE`);
  await sql.end({ timeout: 1 });
  const redis = new Redis(REDIS_URL);
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${PREFIX}*`, 'COUNT', 1000);
    if (keys.length) await redis.del(...keys);
    cursor = next;
  } while (cursor !== '0');
  await redis.quit();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

type Server = ServeProcess;

function configFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'arouter-probe16mp-'));
  dirs.push(dir);
  const file = join(dir, 'config.json');
  writeFileSync(
    file,
    JSON.stringify({ storage: { url: PG_URL, schema: RUN }, redis: { url: REDIS_URL, prefix: PREFIX } }),
  );
  return file;
}

async function startServer(config: string, dataDir?: string): Promise<Server> {
  const dir = dataDir ?? mkdtempSync(join(tmpdir(), 'arouter-probe16mp-data-'));
  if (!dataDir) dirs.push(dir);
  return startServeProcess(dir, { AROUTER_ADMIN_KEY: ADMIN, AROUTER_CONFIG: config }, 40_000);
}

const api = (s: Server, path: string, key: string, body?: unknown, method?: string) =>
  fetch(s.url + path, {
    method: method ?? (body === undefined ? 'GET' : 'POST'),
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });

const usd = (n: number): bigint => parseUsd(n.toFixed(12));
const ASK = { model: 'openai/gpt-4o-mini', max_tokens: 16, messages: [{ role: 'user', content: 'hello' }] };

/** the ledger's rows and sum for one key, straight from PostgreSQL */
async function ledger(keyId: string): Promise<{ rows: number; sum: bigint; ids: Set<string> }> {
  const sql = postgres(PG_URL, { max: 1, onnotice: () => {} });
  try {
    const rows = await sql.unsafe(`SELECT id, cost_pusd FROM "${RUN}".generations WHERE key_id = $1`, [keyId]);
    return {
      rows: rows.length,
      sum: rows.reduce((s, r) => s + BigInt(r.cost_pusd as string), 0n),
      ids: new Set(rows.map((r) => r.id as string)),
    };
  } finally {
    await sql.end({ timeout: 1 });
  }
}

test(
  '16 three processes on PostgreSQL + Redis: one key limit, revocation and the ledger, exactly; kill -9 recovers',
  { timeout: 180_000 },
  async () => {
    const config = configFile();
    const servers = await Promise.all([startServer(config), startServer(config), startServer(config)]);
    try {
      // what one answer costs, then a limit that admits roughly a third of 600 worst cases
      const probeKey = (await (await api(servers[0], '/keys', ADMIN, { name: 'probe' })).json()) as { key: string };
      const one = (await (await api(servers[0], '/chat/completions', probeKey.key, ASK)).json()) as {
        usage: { cost: number };
      };
      const limit = one.usage.cost * 200;
      const made = (await (await api(servers[0], '/keys', ADMIN, { name: 'shared-limit', limit })).json()) as {
        key: string;
        data: { id: string };
      };
      // the key must be known to all three before the burst
      for (const s of servers) {
        const t0 = Date.now();
        while ((await api(s, '/key', made.key)).status !== 200) {
          assert.ok(Date.now() - t0 < 2000, 'the new key never reached every process');
          await new Promise((r) => setTimeout(r, 20));
        }
      }

      const answered = new Map<string, bigint>();
      let refused = 0;
      await Promise.all(
        Array.from({ length: 600 }, async (_, i) => {
          const res = await api(servers[i % 3], '/chat/completions', made.key, {
            ...ASK,
            messages: [{ role: 'user', content: `request ${i}` }],
          });
          const body = (await res.json()) as { id: string; usage: { cost: number } };
          if (res.status === 200) answered.set(body.id, usd(body.usage.cost));
          else {
            assert.equal(res.status, 402, JSON.stringify(body));
            refused++;
          }
        }),
      );
      assert.ok(answered.size > 0 && refused > 0, `${answered.size} answered, ${refused} refused`);
      for (const s of servers) await api(s, '/activity?limit=1', ADMIN); // flushes each one's ledger
      const l = await ledger(made.data.id);
      const answeredSum = [...answered.values()].reduce((a, b) => a + b, 0n);
      assert.equal(l.rows, answered.size, 'one ledger row per answer');
      assert.equal(l.sum, answeredSum, 'the ledger sums what the clients were told, exactly');
      assert.ok(l.sum <= usd(limit), `spent ${l.sum} pUSD over the limit ${usd(limit)}`);

      // revoke through A: B and C refuse within a second
      assert.equal((await api(servers[0], `/keys/${made.data.id}`, ADMIN, undefined, 'DELETE')).status, 200);
      const t0 = Date.now();
      for (const s of servers.slice(1)) {
        while ((await api(s, '/key', made.key)).status !== 401) {
          assert.ok(Date.now() - t0 < 1000, `a revoked key still worked after ${Date.now() - t0} ms`);
          await new Promise((r) => setTimeout(r, 10));
        }
      }

      // kill -9 of one process under load: the others keep serving; after its restart and a reconcile, the
      // shared counters agree with the ledger
      const k2 = (await (await api(servers[1], '/keys', ADMIN, { name: 'kill9', limit: 1000 })).json()) as {
        key: string;
        data: { id: string };
      };
      for (const s of servers)
        while ((await api(s, '/key', k2.key)).status !== 200) await new Promise((r) => setTimeout(r, 20));
      let killed = false;
      const ok: number[] = [0, 0, 0];
      await Promise.all(
        Array.from({ length: 150 }, async (_, i) => {
          const s = i % 3;
          if (i === 60) {
            killed = true;
            servers[2].child.kill('SIGKILL');
          }
          const res = await api(servers[s], '/chat/completions', k2.key, ASK).catch(() => null);
          if (res?.status === 200) ok[s]++;
          else if (!(killed && s === 2)) assert.fail(`process ${s} failed: ${res?.status}`);
        }),
      );
      assert.ok(ok[0] > 0 && ok[1] > 0, 'the survivors kept serving');
      await servers[2].exited;
      servers[2] = await startServer(config, servers[2].dataDir);
      const reconcile = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'reconcile'], {
        env: { ...process.env, AROUTER_CONFIG: config, AROUTER_LOG_LEVEL: 'warn' },
        encoding: 'utf8',
      });
      assert.equal(reconcile.status, 0, reconcile.stderr + reconcile.stdout);
      for (const s of servers) await api(s, '/activity?limit=1', ADMIN);
      const after = await ledger(k2.data.id);
      const usage = (await (await api(servers[0], '/key', k2.key)).json()) as { data: { usage: number } };
      assert.equal(usd(usage.data.usage), after.sum, 'key usage (shared counters) = the ledger, after recovery');
    } finally {
      for (const s of servers) s.child.kill('SIGKILL');
    }
  },
);
