// Issue 12 item 2: a key revoked (or created) by another process — the `arouter keys` CLI on the same data dir —
// takes effect in a running server within a second, without a restart.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ADMIN_KEY, startGateway } from '../helpers/gateway.js';

const MAIN = new URL('../../src/cli/main.ts', import.meta.url).pathname;

function cli(args: string[], dataDir: string) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', MAIN, ...args, '--data-dir', dataDir], {
    env: { PATH: process.env.PATH, HOME: process.env.HOME, AROUTER_ADMIN_KEY: ADMIN_KEY },
    encoding: 'utf8',
    timeout: 60_000,
  });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

/** ms until GET /v1/key answers `status` for `key` (polling every 20 ms, failing after 5 s) */
async function msUntil(fetchKey: () => Promise<number>, status: number): Promise<number> {
  const t0 = Date.now();
  for (;;) {
    if ((await fetchKey()) === status) return Date.now() - t0;
    if (Date.now() - t0 > 5000) assert.fail(`never answered ${status}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

test('keys revoked and created with the CLI while the server runs take effect within a second', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'arouter-revoke-'));
  const gw = await startGateway({ dataDir });
  try {
    const made = (await (await gw.fetch('/keys', { method: 'POST', json: { name: 'victim' } })).json()) as {
      key: string;
      data: { id: string };
    };
    assert.equal((await gw.fetch('/key', { key: made.key })).status, 200);
    const revokedAt = Date.now();
    cli(['keys', 'revoke', made.data.id], dataDir);
    const afterCli = Date.now() - revokedAt;
    const wait = await msUntil(async () => (await gw.fetch('/key', { key: made.key })).status, 401);
    assert.ok(
      wait < 1000,
      `the revoked key kept working for ${wait} ms after the CLI returned (CLI took ${afterCli} ms)`,
    );
    const body = (await (await gw.fetch('/key', { key: made.key })).json()) as {
      error: { metadata: { code: string } };
    };
    assert.equal(body.error.metadata.code, 'revoked_api_key');

    const created = JSON.parse(cli(['keys', 'create', '--name', 'from-cli', '--json'], dataDir)) as { key: string };
    const accept = await msUntil(async () => (await gw.fetch('/key', { key: created.key })).status, 200);
    assert.ok(accept < 1000, `a CLI-created key was refused for ${accept} ms`);
  } finally {
    await gw.close(false);
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('with AROUTER_ADMIN_KEY set, the CLI creates no hidden operator key', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'arouter-cli-admin-'));
  try {
    cli(['keys', 'create', '--name', 'one'], dataDir);
    const keys = JSON.parse(cli(['keys', 'list', '--json'], dataDir)) as Array<{ name: string; role: string }>;
    assert.deepEqual(
      keys.map((k) => [k.name, k.role]),
      [['one', 'user']],
    );
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});
