// Body limits, config validation, restart persistence, request ids.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDemoGateway, startGateway } from '../helpers/gateway.js';
import { loadConfig, ConfigError } from '../../src/config/load.js';

test('a body over the configured size is a 413 JSON error', async () => {
  const gw = await startGateway({ config: { server: { body_limit_bytes: 64 } } });
  try {
    const res = await gw.fetch('/keys', { method: 'POST', json: { name: 'x'.repeat(200) } });
    assert.equal(res.status, 413);
    const body = (await res.json()) as { error: { metadata: { code: string } } };
    assert.equal(body.error.metadata.code, 'payload_too_large');
  } finally {
    await gw.close();
  }
});

test('config validation names the bad field', () => {
  const cases: Array<[unknown, RegExp]> = [
    [{ providers: [{ id: 'x', dialect: 'soap' }] }, /providers\[0\]\.dialect/],
    [{ server: { port: 'eighty' } }, /server\.port/],
    [{ server: { prot: 1 } }, /server.*unknown field|prot/],
    [{ limits: { free_rpm: 0 } }, /limits\.free_rpm/],
    [{ providers: [{ id: 'x', base_url: 'ftp://nope' }] }, /providers\[0\]\.base_url/],
    [{ server: { heap_growing_percent: -5 } }, /server\.heap_growing_percent/],
    [{ ledger: { retention_days: 0 } }, /ledger\.retention_days/],
  ];
  for (const [inline, re] of cases) {
    assert.throws(
      () => loadConfig({ inline, env: {} }),
      (err: unknown) => err instanceof ConfigError && re.test((err as Error).message),
    );
  }
  assert.throws(() => loadConfig({ env: { AROUTER_PORT: 'abc' }, inline: {} }), /AROUTER_PORT/);
  assert.equal(loadConfig({ env: {}, inline: {} }).ledger.retentionDays, null, 'the ledger keeps every row by default');
  assert.equal(loadConfig({ env: {}, inline: { ledger: { retention_days: 90 } } }).ledger.retentionDays, 90);
  assert.equal(loadConfig({ env: {}, inline: {} }).heapGrowingPercent, 30);
  assert.equal(
    loadConfig({ env: { AROUTER_HEAP_GROWING_PERCENT: '0' }, inline: { server: { heap_growing_percent: 50 } } })
      .heapGrowingPercent,
    0,
  );
  const dir = mkdtempSync(join(tmpdir(), 'arouter-cfg-'));
  try {
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, 'server: [unclosed');
    assert.throws(() => loadConfig({ configPath: file, env: {} }), /invalid YAML/);
    writeFileSync(
      file,
      'server:\n  port: 9999\nproviders:\n  - id: local\n    dialect: openai\n    base_url: http://127.0.0.1:11434/v1\n    no_key: true\n',
    );
    const c = loadConfig({ configPath: file, env: {} });
    assert.equal(c.port, 9999);
    assert.equal(c.catalog.providers?.[0].id, 'local');
    assert.equal(loadConfig({ configPath: file, env: { PORT: '1234' } }).port, 1234, 'env overrides the file');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  assert.throws(() => loadConfig({ configPath: '/nonexistent/arouter.yaml', env: {} }), /not found/);
});

test('a new provider from config that lacks its dialect is refused at start', async () => {
  await assert.rejects(
    startGateway({ config: { providers: [{ id: 'mystery', base_url: 'http://127.0.0.1:1/v1' }] } }),
    /provider "mystery"/,
  );
});

test('restart keeps keys; revoked stays revoked', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'arouter-restart-'));
  try {
    let gw = await startGateway({ dataDir });
    const { key } = (await (await gw.fetch('/keys', { method: 'POST', json: { name: 'persist' } })).json()) as {
      key: string;
    };
    const { key: key2, data } = (await (
      await gw.fetch('/keys', { method: 'POST', json: { name: 'gone' } })
    ).json()) as { key: string; data: { id: string } };
    await gw.fetch(`/keys/${data.id}`, { method: 'DELETE' });
    await gw.close(false);

    gw = await startGateway({ dataDir });
    assert.equal((await gw.fetch('/key', { key })).status, 200);
    assert.equal((await gw.fetch('/key', { key: key2 })).status, 401);
    await gw.close(false);
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('every answer carries a distinct x-request-id: JSON, errors, streams, preflights, unknown routes', async () => {
  const { gw, sims } = await startDemoGateway();
  try {
    const chat = (stream: boolean) =>
      gw.fetch('/chat/completions', {
        method: 'POST',
        json: { model: 'openai/gpt-4o-mini', stream, messages: [{ role: 'user', content: 'hi' }] },
      });
    const answers = [
      await gw.fetch('/models'),
      await chat(false),
      await chat(true),
      await gw.fetch('/chat/completions', {
        method: 'POST',
        json: { model: 'no/such-model', messages: [{ role: 'user', content: 'hi' }] },
      }),
      await gw.fetch('/models', { key: 'lr_live_wrong' }),
      await gw.fetch('/nowhere'),
      await gw.fetch('/chat/completions', {
        method: 'OPTIONS',
        key: null,
        headers: { origin: 'https://a.example', 'access-control-request-method': 'POST' },
      }),
      await gw.fetch('/health', { key: null }),
    ];
    const statuses = answers.map((r) => r.status);
    assert.deepEqual(statuses, [200, 200, 200, 404, 401, 404, 204, 200]);
    const ids = answers.map((r) => r.headers.get('x-request-id'));
    for (const [i, id] of ids.entries())
      assert.match(id ?? '', /^req_[0-9a-f]{8}[0-9a-z]+$/, `answer ${i} (${statuses[i]})`);
    assert.equal(new Set(ids).size, ids.length);
    for (const r of answers) await r.arrayBuffer();
  } finally {
    await gw.close();
    await sims.close();
  }
});
