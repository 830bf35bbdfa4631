// What a reload leaves to the requests already running, in-process (App.reload with a freshly loaded config): a
// request whose first attempt fails after the reload falls back with the keys it started with, not the new ones;
// a replaced transport is closed once the stream using it ended; the pools and breaker history of a provider the
// reload removed are let go once nothing running uses them; a provider's api_key_file is read again.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startGateway, ADMIN_KEY, type TestGateway } from '../helpers/gateway.js';
import { startSimUpstream, type SimUpstream } from '../../src/sim/index.js';
import { loadBuiltinCatalog } from '../../src/catalog/catalog.js';
import { loadConfig, type ConfigError } from '../../src/config/load.js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Logger } from '../../src/lib/log.js';
import type { EndpointDef } from '../../src/catalog/types.js';
import { readSse } from '../helpers/sse.js';

const MODEL = 'openai/gpt-4o-mini';
const ENDPOINT = loadBuiltinCatalog()
  .models.find((m) => m.id === MODEL)!
  .endpoints.find((e) => e.provider === 'openai')!;
const ENV = {
  AROUTER_ADMIN_KEY: ADMIN_KEY,
  AROUTER_LOG_LEVEL: 'silent',
  MAIN_KEY_1: 'sk-main-1',
  BACKUP_KEY_1: 'sk-backup-1',
  MAIN_KEY_2: 'sk-main-2',
  BACKUP_KEY_2: 'sk-backup-2',
};

/** the model on two OpenAI-dialect providers, each a simulator of its own */
function inline(main: SimUpstream, backup: SimUpstream | null, keys: 1 | 2, connectMs = 10_000) {
  const endpoints: EndpointDef[] = [ENDPOINT];
  const providers: Array<Record<string, unknown>> = [
    { id: 'openai', base_url: main.url, api_key_env: `MAIN_KEY_${keys}` },
  ];
  if (backup) {
    providers.push({ id: 'backup', dialect: 'openai', base_url: backup.url, api_key_env: `BACKUP_KEY_${keys}` });
    endpoints.push({ ...ENDPOINT, provider: 'backup' });
  }
  return {
    catalog: { sync_interval: 0 },
    upstream: { connect_timeout_ms: connectMs },
    providers,
    models: [{ id: MODEL, endpoints }],
  };
}

function reload(gw: TestGateway, config: Record<string, unknown>) {
  return gw.app.reload(
    loadConfig({ inline: config, env: ENV, flags: { port: 0, host: '127.0.0.1', dataDir: gw.dataDir } }),
  );
}

const ask = (gw: TestGateway, extra: Record<string, unknown> = {}) =>
  gw.fetch('/chat/completions', {
    method: 'POST',
    json: { model: MODEL, messages: [{ role: 'user', content: 'hi' }], ...extra },
  });

async function until(what: string, check: () => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`not within ${ms} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

test('a fallback after the reload uses the keys its request started with; new requests the new keys', async (t) => {
  const [main, backup] = await Promise.all([
    startSimUpstream({ dialect: 'openai' }),
    startSimUpstream({ dialect: 'openai' }),
  ]);
  const gw = await startGateway({ env: ENV, config: inline(main, backup, 1) });
  t.after(async () => {
    await gw.close();
    await Promise.all([main.close(), backup.close()]);
  });

  // the first attempt fails after a while; the reload lands while it waits
  main.script({ latencyMs: 800, status: 500 });
  const pending = ask(gw, { provider: { order: ['openai', 'backup'] } });
  await until('the first attempt upstream', () => main.requests.length === 1);
  const report = reload(gw, inline(main, backup, 2));
  assert.deepEqual(report.changed.sort(), [
    'providers.backup',
    'providers.backup.api_key',
    'providers.openai',
    'providers.openai.api_key',
  ]);
  const res = await pending;
  assert.equal(res.status, 200, await res.clone().text());
  assert.equal(main.requests[0].headers.authorization, 'Bearer sk-main-1');
  assert.equal(backup.requests.length, 1);
  assert.equal(backup.requests[0].headers.authorization, 'Bearer sk-backup-1', 'the fallback kept the old key');

  const fresh = await ask(gw, { provider: { order: ['openai', 'backup'] } });
  assert.equal(fresh.status, 200);
  assert.equal(main.requests[1].headers.authorization, 'Bearer sk-main-2');
});

/** a stream from `provider`, paced slowly; resolves once its first event arrived, with a reader of the rest */
async function slowStream(gw: TestGateway, sim: SimUpstream, provider: string): Promise<() => Promise<string>> {
  sim.script({ tokensPerSecond: 3 });
  const res = await ask(gw, { stream: true, provider: { order: [provider] } });
  assert.equal(res.status, 200);
  const events = readSse(res.body!);
  const content = (data: string) =>
    (JSON.parse(data) as { choices: Array<{ delta: { content?: string } }> }).choices[0]?.delta.content ?? '';
  let text = content((await events.next()).value!.data);
  return async () => {
    for await (const e of events) {
      if (e.data === '[DONE]') break;
      text += content(e.data);
    }
    return text;
  };
}

test('a removed provider and a replaced transport are let go once the streams that used them ended', async (t) => {
  const [main, backup] = await Promise.all([
    startSimUpstream({ dialect: 'openai' }),
    startSimUpstream({ dialect: 'openai' }),
  ]);
  const lines: Array<Record<string, unknown>> = [];
  const logger = new Logger('info', (text) => {
    for (const l of text.split('\n')) if (l) lines.push(JSON.parse(l) as Record<string, unknown>);
  });
  const env = { ...ENV, AROUTER_LOG_LEVEL: 'info' };
  const gw = await startGateway({ env, config: inline(main, backup, 1), logger });
  const reloadTo = (config: Record<string, unknown>) =>
    gw.app.reload(loadConfig({ inline: config, env, flags: { port: 0, host: '127.0.0.1', dataDir: gw.dataDir } }));
  t.after(async () => {
    await gw.close();
    await Promise.all([main.close(), backup.close()]);
  });
  // one answer from each provider: both origins have a pool, both endpoints a history
  for (const order of [['openai'], ['backup']]) assert.equal((await ask(gw, { provider: { order } })).status, 200);
  assert.deepEqual(gw.app.health.keys().sort(), [`backup:${MODEL}`, `openai:${MODEL}`]);

  // backup removed under a stream of its own: gone for new requests, its pool closed once the stream ended
  let rest = await slowStream(gw, backup, 'backup');
  const transport = gw.app.transport;
  assert.deepEqual(reloadTo(inline(main, null, 1)).changed.sort(), ['models.openai/gpt-4o-mini', 'providers.backup']);
  assert.equal(gw.app.transport, transport, 'the same pool settings: the same transport');
  assert.equal(
    (await ask(gw, { provider: { order: ['backup'], allow_fallbacks: false } })).status,
    503,
    'backup is gone for new requests',
  );
  await new Promise((r) => setTimeout(r, 1_500));
  assert.ok(!lines.some((l) => l.msg === 'config reload: released'), 'nothing let go while the stream runs');
  assert.match(await rest(), /^Hello from gpt-4o-mini\. You said: hi$/, 'the stream ended intact');
  await until('the release', () => lines.some((l) => l.msg === 'config reload: released'));
  const released = lines.find((l) => l.msg === 'config reload: released')!;
  assert.deepEqual([released.pools, released.endpoints], [[new URL(backup.url).origin], 1]);
  assert.deepEqual(gw.app.health.keys(), [`openai:${MODEL}`], "the removed endpoint's history is forgotten");

  // a pool setting changed under a stream: a new transport for new requests, the old one closed after the stream
  rest = await slowStream(gw, main, 'openai');
  reloadTo(inline(main, null, 1, 5_000));
  assert.notEqual(gw.app.transport, transport);
  assert.ok(gw.app.retired.has(transport), 'the old transport waits for the stream');
  assert.equal((await ask(gw)).status, 200, 'new requests run on the new transport');
  await new Promise((r) => setTimeout(r, 1_500));
  assert.ok(gw.app.retired.has(transport), 'still streaming: not closed');
  assert.match(await rest(), /^Hello from gpt-4o-mini\. You said: hi$/, 'the stream ended intact on its transport');
  await until('the old transport closed', () => !gw.app.retired.has(transport));
});

test('api_key_file: a rotated secret file is read again at the reload; an unreadable one refuses it', async (t) => {
  const main = await startSimUpstream({ dialect: 'openai' });
  const dir = mkdtempSync(join(tmpdir(), 'arouter-keyfile-'));
  const secret = join(dir, 'openai-key');
  writeFileSync(secret, 'sk-file-1\n');
  const config = (file: string) => ({
    catalog: { sync_interval: 0 },
    providers: [{ id: 'openai', base_url: main.url, api_key_file: file }],
  });
  const gw = await startGateway({ env: ENV, config: config(secret) });
  t.after(async () => {
    await gw.close();
    await main.close();
    rmSync(dir, { recursive: true, force: true });
  });
  assert.equal((await ask(gw)).status, 200);
  assert.equal(main.requests[0].headers.authorization, 'Bearer sk-file-1');

  writeFileSync(secret, 'sk-file-2\n');
  assert.deepEqual(reload(gw, config(secret)).changed, ['providers.openai.api_key'], 'named, never shown');
  assert.equal((await ask(gw)).status, 200);
  assert.equal(main.requests[1].headers.authorization, 'Bearer sk-file-2');

  assert.throws(
    () => reload(gw, config(join(dir, 'missing'))),
    (err: ConfigError) =>
      err.field === 'providers[0].api_key_file' && /cannot read .*missing \(ENOENT\)/.test(err.message),
  );
  assert.equal((await ask(gw)).status, 200);
  assert.equal(main.requests[2].headers.authorization, 'Bearer sk-file-2', 'the refused reload changed nothing');
});
