// The console's switch and its absence: console.enabled / AROUTER_CONSOLE=off make / an unknown route (our JSON
// 404); a checkout without a built console answers / with how to build it, not a crash; the build's manifest
// holds the first page's size within its budget.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startGateway } from '../helpers/gateway.js';
import { loadConfig } from '../../src/config/load.js';
import { buildOnce } from './browser.js';

test('console.enabled: false answers / and the assets as unknown routes, in our error shape', async () => {
  const gw = await startGateway({ config: { console: { enabled: false } } });
  try {
    gw.app.config.console.dir = await buildOnce();
    const base = gw.url.replace(/\/v1$/, '');
    for (const path of ['/', '/console/', '/console/assets/main.js']) {
      const r = await fetch(base + path);
      assert.equal(r.status, 404, path);
      assert.equal(r.headers.get('content-type'), 'application/json');
      const body = (await r.json()) as any;
      assert.equal(body.error.metadata.code, 'unknown_route');
      assert.match(body.error.message, /^Unknown route: GET \//);
    }
    assert.equal((await gw.fetch('/health', { key: null })).status, 200, 'the API is unaffected');
  } finally {
    await gw.close();
  }
});

test('AROUTER_CONSOLE=off|on wins over the file; anything else names the variable', () => {
  const on = { console: { enabled: true } };
  assert.equal(loadConfig({ inline: on, env: { AROUTER_CONSOLE: 'off' } }).console.enabled, false);
  assert.equal(
    loadConfig({ inline: { console: { enabled: false } }, env: { AROUTER_CONSOLE: 'on' } }).console.enabled,
    true,
  );
  assert.equal(loadConfig({ inline: {}, env: {} }).console.enabled, true, 'on by default');
  assert.throws(
    () => loadConfig({ inline: {}, env: { AROUTER_CONSOLE: 'maybe' } }),
    /AROUTER_CONSOLE: must be on or off/,
  );
  assert.throws(
    () => loadConfig({ inline: { console: { enabled: 'yes' } }, env: {} }),
    /console\/enabled|console\.enabled/,
  );
});

test('without a built console, / says to run npm run build (and the API still works)', async () => {
  const empty = mkdtempSync(join(tmpdir(), 'arouter-nobuild-'));
  const gw = await startGateway();
  try {
    gw.app.config.console.dir = join(empty, 'console');
    const r = await fetch(gw.url.replace(/\/v1$/, '/'));
    assert.equal(r.status, 503);
    assert.match(r.headers.get('content-type')!, /^text\/plain/);
    assert.match(await r.text(), /npm run build/);
    assert.equal((await gw.fetch('/models')).status, 200);
  } finally {
    await gw.close();
    rmSync(empty, { recursive: true, force: true });
  }
});

test('the build: hashed names, an index naming them, and the first page within its 150 KB gzipped budget', async () => {
  const dir = await buildOnce();
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
  assert.match(manifest.entry, /^assets\/main-[A-Z0-9]{8}\.js$/);
  assert.match(manifest.css, /^assets\/main-[A-Z0-9]{8}\.css$/);
  const html = readFileSync(join(dir, 'index.html'), 'utf8');
  assert.ok(html.includes(`src="/console/${manifest.entry}"`));
  assert.ok(html.includes(`href="/console/${manifest.css}"`));
  assert.doesNotMatch(html, /<script>|<script(?![^>]*\bsrc=)[^>]*>/, 'no inline script (the CSP forbids it)');
  assert.equal(manifest.firstPage.budgetGzipBytes, 150 * 1024);
  assert.ok(manifest.firstPage.jsGzipBytes > 1000 && manifest.firstPage.jsGzipBytes <= 150 * 1024);
  assert.ok(
    manifest.firstPage.files.some((f: string) => /\/models-[A-Z0-9]+\.js$/.test(f)),
    'the landing page counts',
  );
  assert.ok(
    !manifest.firstPage.files.some((f: string) => /activity|playground|keys|accounts/.test(f)),
    'other pages are not in the first page',
  );
  assert.ok(existsSync(join(dir, manifest.entry + '.br')) && existsSync(join(dir, manifest.entry + '.gz')));
});
