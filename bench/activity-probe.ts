// Ledger reads under load (issue 12 item 8): a ledger of N generation rows for one user key, then
// (1) /v1/activity latencies one at a time: first page, a deep page, and the storage's daily totals alone, and
// (2) /v1/health latency while the user key keeps 8 /v1/activity polls in flight.
// Usage: npx tsx bench/activity-probe.ts [rows=300000] [seconds=3]
// The row filler and the load are exported for test/probe/08-ledger-reads.test.ts (fewer rows there).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { App } from '../src/app.js';
import { loadConfig } from '../src/config/load.js';
import { encodeCursor } from '../src/http/routes/ledger.js';
import type { GenerationRow, Storage } from '../src/store/types.js';

const DAY_MS = 86_400_000;
const MODELS = [
  ['openai/gpt-4o-mini', 'openai'],
  ['anthropic/claude-3-5-haiku', 'anthropic'],
  ['google/gemini-2.0-flash', 'gemini'],
];

/** row i of the synthetic ledger: 30 days back from `end`, newest last, every 10th pair shares a timestamp */
export function syntheticRow(i: number, n: number, keyId: string, accountId: string, end: number): GenerationRow {
  const at = end - 30 * DAY_MS + Math.floor(((i - (i % 2 === 1 && i % 10 === 1 ? 1 : 0)) * 30 * DAY_MS) / n);
  const [model, provider] = MODELS[i % MODELS.length]!;
  return {
    id: `gen-${String(i).padStart(8, '0')}`,
    account_id: accountId,
    key_id: keyId,
    requested_model: model!,
    model: model!,
    provider: provider!,
    endpoint: model!,
    upstream_id: null,
    attempts: [{ provider: provider!, model: model!, endpoint: model!, status: 200, duration_ms: 120 }],
    prompt_tokens: 100 + (i % 50),
    completion_tokens: 20 + (i % 7),
    reasoning_tokens: 0,
    cached_tokens: 0,
    cache_write_tokens: 0,
    tokens_estimated: false,
    cost_pusd: 1_000_000n + BigInt(i % 1000),
    latency_ms: 300,
    ttft_ms: 80,
    finish_reason: 'stop',
    status: 200,
    streamed: i % 2 === 0,
    cancelled: false,
    route: null,
    kind: 'chat',
    created_at: new Date(at).toISOString(),
  };
}

/** appends n rows through the storage (the ledger writer's path, rollups included), in batches */
export async function fillLedger(
  store: Storage,
  n: number,
  keyId: string,
  accountId: string,
  end = Date.now(),
): Promise<void> {
  const batch = 5_000;
  for (let i = 0; i < n; i += batch) {
    const rows: GenerationRow[] = [];
    for (let j = i; j < Math.min(n, i + batch); j++) rows.push(syntheticRow(j, n, keyId, accountId, end));
    await store.insertGenerations(rows);
  }
}

const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};

export interface PollResult {
  health: { n: number; p50: number; p99: number; max: number };
  activity: { n: number; p50: number; p99: number };
}

/** `inFlight` loops polling `activityPath` with `key` for `ms`, while /v1/health is timed one call after another */
export async function pollWhileTimingHealth(
  baseUrl: string,
  key: string,
  activityPath: string,
  ms: number,
  inFlight = 8,
): Promise<PollResult> {
  const until = performance.now() + ms;
  const activity: number[] = [];
  const health: number[] = [];
  const poll = async () => {
    while (performance.now() < until) {
      const t = performance.now();
      const r = await fetch(baseUrl + activityPath, { headers: { authorization: `Bearer ${key}` } });
      if (r.status !== 200) throw new Error(`activity answered ${r.status}: ${await r.text()}`);
      await r.arrayBuffer();
      activity.push(performance.now() - t);
    }
  };
  const probe = async () => {
    while (performance.now() < until) {
      const t = performance.now();
      const r = await fetch(baseUrl + '/health');
      await r.arrayBuffer();
      health.push(performance.now() - t);
      await new Promise((res) => setTimeout(res, 10));
    }
  };
  await Promise.all([...Array.from({ length: inFlight }, poll), probe()]);
  return {
    health: { n: health.length, p50: pct(health, 50), p99: pct(health, 99), max: Math.max(...health) },
    activity: { n: activity.length, p50: pct(activity, 50), p99: pct(activity, 99) },
  };
}

/** median of `n` sequential GETs of `path` in ms, and the last answer's body */
export async function timeGet(baseUrl: string, key: string, path: string, n = 9): Promise<{ ms: number; body: any }> {
  const times: number[] = [];
  let body: any;
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    const r = await fetch(baseUrl + path, { headers: { authorization: `Bearer ${key}` } });
    body = await r.json();
    if (r.status !== 200) throw new Error(`${path} answered ${r.status}: ${JSON.stringify(body)}`);
    times.push(performance.now() - t);
  }
  return { ms: pct(times, 50), body };
}

async function main(): Promise<void> {
  const rows = Number(process.argv[2] ?? 300_000);
  const seconds = Number(process.argv[3] ?? 3);
  const dataDir = mkdtempSync(join(tmpdir(), 'arouter-activity-probe-'));
  const adminKey = 'lr_live_benchadminkey000000000000000000000';
  const env = { AROUTER_ADMIN_KEY: adminKey, AROUTER_LOG_LEVEL: 'silent' };
  const config = loadConfig({ inline: {}, env, flags: { port: 0, host: '127.0.0.1', dataDir } });
  const app = new App({ config, env, demoUpstreams: null });
  try {
    await app.init();
    const base = `http://127.0.0.1:${(await app.listen()).port}/v1`;
    const created = await fetch(base + '/keys', {
      method: 'POST',
      headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'poller' }),
    });
    const { key, data } = (await created.json()) as { key: string; data: { id: string; account_id?: string } };
    const account = (await app.store.getKey(data.id))!.account_id;
    let t = performance.now();
    const end = Date.now();
    await fillLedger(app.store, rows, data.id, account, end);
    console.log(`filled ${rows} rows in ${Math.round(performance.now() - t)} ms`);
    const first = await timeGet(base, key, '/activity');
    console.log(`activity first page (100 rows + daily): ${first.ms.toFixed(1)} ms`);
    for (const offset of [10_000, Math.floor(rows / 2)]) {
      const r = await timeGet(base, key, `/activity?offset=${offset}`, 3).catch((e: Error) => ({
        ms: NaN,
        body: e.message,
      }));
      console.log(
        `activity offset=${offset}: ${Number.isNaN(r.ms) ? String(r.body).slice(0, 120) : r.ms.toFixed(1) + ' ms'}`,
      );
    }
    const mid = syntheticRow(Math.floor(rows / 2), rows, data.id, account, end);
    const deep = await timeGet(base, key, `/activity?cursor=${encodeCursor(mid)}`, 5);
    console.log(
      `activity cursor at row ${Math.floor(rows / 2)}: ${deep.ms.toFixed(1)} ms (${deep.body.data?.length ?? '?'} rows, first ${deep.body.data?.[0]?.id})`,
    );
    t = performance.now();
    await app.store.dailyTotals({ account_id: account, key_id: data.id });
    console.log(`store.dailyTotals (30 days, ${rows} rows): ${(performance.now() - t).toFixed(1)} ms`);
    const idle = await pollWhileTimingHealth(base, key, '/activity', 500, 0);
    console.log(`health idle: p50 ${idle.health.p50.toFixed(1)} ms, p99 ${idle.health.p99.toFixed(1)} ms`);
    const r = await pollWhileTimingHealth(base, key, '/activity', seconds * 1000);
    console.log(
      `under 8 polls in flight for ${seconds} s: health p50 ${r.health.p50.toFixed(1)} ms, p99 ${r.health.p99.toFixed(1)} ms, ` +
        `max ${r.health.max.toFixed(1)} ms (n=${r.health.n}); activity p50 ${r.activity.p50.toFixed(1)} ms, p99 ${r.activity.p99.toFixed(1)} ms (n=${r.activity.n})`,
    );
  } finally {
    await app.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
