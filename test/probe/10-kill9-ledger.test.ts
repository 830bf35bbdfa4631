// Issue 12 item 10: `kill -9` under load must not lose an answered, billed request. The real server runs as a
// child process (demo upstreams); a burst of concurrent chat completions (half streamed; embeddings take the
// same path, but their first request loads the tokenizer tables, seconds) goes to a user key with a USD limit;
// the process is SIGKILLed once enough answers arrived, with requests still in flight, and restarted on the same
// data dir. Every answered generation must have its ledger row at its answered cost, and the key's usage must
// equal the sum of the ledger's rows (answered ones, plus any request cut by the kill whose row made it: counted
// once). The ledger is set to commit only on demand (a long flush interval, a large batch), so without the
// journal every row accepted after the mid-run listing is lost, deterministically (84 of 131 answered rows).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseUsd } from '../../src/accounting/money.js';
import { startServeProcess, type ServeProcess } from '../helpers/serve-process.js';

const ADMIN = 'lr_live_probe10adminkey00000000000000000000';
const TOTAL = 240;
const CONCURRENCY = 24;
const COMMIT_AFTER = 40; // a listing mid-run commits what is queued (its segments are deleted)
const KILL_AFTER = 120;

type Server = ServeProcess;

const startServer = (dataDir: string, configFile: string): Promise<Server> =>
  startServeProcess(dataDir, { AROUTER_ADMIN_KEY: ADMIN, AROUTER_CONFIG: configFile });

const usd = (n: number): bigint => parseUsd(n.toFixed(12));

test(
  'kill -9 under load: every answered request keeps its ledger row and its spend, counted once',
  { timeout: 90_000 },
  async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'arouter-probe10-'));
    const configFile = join(dataDir, 'config.yaml');
    writeFileSync(configFile, JSON.stringify({ ledger: { flush_interval_ms: 3_600_000, max_batch: 100_000 } }));
    let server = await startServer(dataDir, configFile);
    try {
      const api = (s: Server, path: string, key: string, body?: unknown) =>
        fetch(s.url + path, {
          method: body === undefined ? 'GET' : 'POST',
          headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
          body: body === undefined ? undefined : JSON.stringify(body),
        });
      const created = await api(server, '/keys', ADMIN, { name: 'probe10', limit: 1000 });
      assert.equal(created.status, 201);
      const { key } = (await created.json()) as { key: string };

      const answered = new Map<string, bigint>();
      let started = 0;
      let committed = false;
      let killed = false;
      const one = async (i: number): Promise<void> => {
        const stream = i % 2 === 1;
        const res = await api(server, '/chat/completions', key, {
          model: 'openai/gpt-4o-mini',
          max_tokens: 16,
          stream,
          messages: [{ role: 'user', content: `request ${i}` }],
        });
        assert.equal(res.status, 200);
        const text = await res.text();
        if (stream) {
          // whole only with the usage chunk and [DONE]
          if (!text.includes('data: [DONE]')) return;
          const usage = text
            .split('\n')
            .filter((l) => l.startsWith('data: {'))
            .map((l) => JSON.parse(l.slice(6)))
            .find((c) => c.usage);
          answered.set(res.headers.get('x-arouter-generation-id')!, usd(usage.usage.cost));
        } else {
          const body = JSON.parse(text) as { id: string; usage: { cost: number } };
          answered.set(body.id, usd(body.usage.cost));
        }
        if (answered.size >= COMMIT_AFTER && !committed) {
          committed = true;
          assert.equal((await api(server, '/activity?limit=1', key)).status, 200);
        }
        if (answered.size >= KILL_AFTER && !killed) {
          killed = true;
          server.child.kill('SIGKILL');
        }
      };
      const worker = async (): Promise<void> => {
        while (!killed && started < TOTAL) {
          // a request cut by the kill never received an answer: it is not counted
          await one(started++).catch((err) => {
            if (!killed) throw err;
          });
        }
      };
      await Promise.all(Array.from({ length: CONCURRENCY }, worker));
      assert.ok(killed, `killed after ${KILL_AFTER} answers (got ${answered.size})`);
      assert.equal(await server.exited, null, 'the process died of the signal');
      const cut = started - answered.size;

      server = await startServer(dataDir, configFile);
      const missing: string[] = [];
      for (const [id, cost] of answered) {
        const r = await api(server, `/generation?id=${id}`, key);
        if (r.status !== 200) {
          missing.push(id);
          continue;
        }
        const { data } = (await r.json()) as { data: { total_cost_exact: string } };
        assert.equal(parseUsd(data.total_cost_exact), cost, `${id}: the ledger's cost is the answered cost`);
      }
      assert.deepEqual(missing, [], `${missing.length} of ${answered.size} answered requests have no ledger row`);

      const rows = (
        (await (await api(server, '/activity?limit=1000', key)).json()) as {
          data: Array<{ id: string; total_cost_exact: string }>;
        }
      ).data;
      const inLedger = rows.reduce((s, r) => s + parseUsd(r.total_cost_exact), 0n);
      const extra = rows.filter((r) => !answered.has(r.id));
      assert.ok(
        extra.length <= cut,
        `rows beyond the answered ones (${extra.length}) are requests cut by the kill (${cut})`,
      );
      const sumAnswered = [...answered.values()].reduce((a, b) => a + b, 0n);
      assert.equal(inLedger - extra.reduce((s, r) => s + parseUsd(r.total_cost_exact), 0n), sumAnswered);
      const me = (await (await api(server, '/key', key)).json()) as { data: { usage: number } };
      assert.equal(usd(me.data.usage), inLedger, "the key's usage is the ledger's sum: recovered rows count, and once");
    } finally {
      server.child.kill('SIGKILL');
      await server.exited;
      rmSync(dataDir, { recursive: true, force: true });
    }
  },
);
