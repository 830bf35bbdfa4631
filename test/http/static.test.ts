// The console's static files (src/http/static.ts, src/http/routes/console.ts) over a real gateway: content types,
// cache headers (hashed assets immutable, index.html revalidated), precompressed encodings, ETag → 304, HEAD,
// the security headers, and no path outside the built folder.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'node:http';
import { gunzipSync, brotliDecompressSync } from 'node:zlib';
import { startGateway, type TestGateway } from '../helpers/gateway.js';
import { StaticSite, contentType, pickEncoding } from '../../src/http/static.js';

let gw: TestGateway;
let base: string;
let dir: string;
const BIG_JS = 'export const x = "' + 'a'.repeat(4000) + '";\n';

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'arouter-static-'));
  mkdirSync(join(dir, 'assets'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>t</title>' + ' '.repeat(400));
  writeFileSync(join(dir, 'assets/main-ABC123.js'), BIG_JS);
  writeFileSync(join(dir, 'assets/main-ABC123.css'), 'body{color:red}');
  writeFileSync(join(dir, 'secret.txt'), 'not an asset');
  gw = await startGateway();
  gw.app.config.console.dir = dir;
  base = gw.url.replace(/\/v1$/, '');
});
after(async () => {
  await gw?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** a raw request: fetch() would decompress, and refuses to send some paths as written */
function raw(
  path: string,
  headers: Record<string, string> = {},
  method = 'GET',
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request(base + '/', { method, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

test('index.html at / and /console/: html, no-cache, strict CSP and the other security headers', async () => {
  for (const path of ['/', '/console', '/console/']) {
    const r = await raw(path);
    assert.equal(r.status, 200, path);
    assert.equal(r.headers['content-type'], 'text/html; charset=utf-8');
    assert.equal(r.headers['cache-control'], 'no-cache');
    const csp = String(r.headers['content-security-policy']);
    assert.match(csp, /default-src 'self'/);
    assert.match(csp, /script-src 'self'(;|$)/);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
    assert.equal(r.headers['x-content-type-options'], 'nosniff');
    assert.equal(r.headers['referrer-policy'], 'no-referrer');
    assert.equal(r.headers['x-frame-options'], 'DENY');
    assert.ok(r.headers['x-request-id']);
  }
});

test('assets: their content type, immutable for a year, compressed as the client accepts', async () => {
  const js = await raw('/console/assets/main-ABC123.js');
  assert.equal(js.status, 200);
  assert.equal(js.headers['content-type'], 'text/javascript; charset=utf-8');
  assert.equal(js.headers['cache-control'], 'public, max-age=31536000, immutable');
  assert.equal(js.headers['content-encoding'], undefined);
  assert.equal(js.body.toString(), BIG_JS);
  const css = await raw('/console/assets/main-ABC123.css');
  assert.equal(css.headers['content-type'], 'text/css; charset=utf-8');

  const br = await raw('/console/assets/main-ABC123.js', { 'accept-encoding': 'gzip, deflate, br' });
  assert.equal(br.headers['content-encoding'], 'br');
  assert.equal(br.headers.vary, 'accept-encoding');
  assert.equal(brotliDecompressSync(br.body).toString(), BIG_JS);
  assert.ok(br.body.length < BIG_JS.length / 10);
  const gz = await raw('/console/assets/main-ABC123.js', { 'accept-encoding': 'gzip, br;q=0' });
  assert.equal(gz.headers['content-encoding'], 'gzip');
  assert.equal(gunzipSync(gz.body).toString(), BIG_JS);
  assert.equal(Number(gz.headers['content-length']), gz.body.length);
});

test('ETag: a current copy is 304 without a body', async () => {
  const first = await raw('/console/assets/main-ABC123.js');
  const etag = String(first.headers.etag);
  assert.match(etag, /^"[\w-]+"$/);
  const again = await raw('/console/assets/main-ABC123.js', { 'if-none-match': etag });
  assert.equal(again.status, 304);
  assert.equal(again.body.length, 0);
  const other = await raw('/console/assets/main-ABC123.js', { 'if-none-match': '"something-else"' });
  assert.equal(other.status, 200);
});

test('HEAD: the headers of GET, no body', async () => {
  const get = await raw('/console/assets/main-ABC123.js');
  const head = await raw('/console/assets/main-ABC123.js', {}, 'HEAD');
  assert.equal(head.status, 200);
  assert.equal(head.body.length, 0);
  assert.equal(head.headers['content-length'], get.headers['content-length']);
  assert.equal((await raw('/', {}, 'HEAD')).status, 200);
});

test('no path reaches outside the assets: traversal, encoded or not, and other files are 404', async () => {
  for (const path of [
    '/console/assets/..%2Fsecret.txt',
    '/console/assets/..%2F..%2F..%2Fpackage.json',
    '/console/assets/%2e%2e%2fsecret.txt',
    '/console/assets/..%5csecret.txt',
    '/console/assets/../secret.txt',
    '/console/assets/%2Fetc%2Fpasswd',
    '/console/assets/main-ABC123.js%00.css',
    '/console/assets/',
    '/console/secret.txt',
    '/secret.txt',
    '/console/assets/index.html',
  ]) {
    const r = await raw(path);
    assert.equal(r.status, 404, path);
    assert.doesNotMatch(r.body.toString(), /not an asset/, path);
    assert.equal(r.headers['content-type'], 'application/json', path);
  }
});

test('the API is not shadowed: /v1 routes answer, unknown /v1 paths stay our JSON 404', async () => {
  assert.equal((await gw.fetch('/health', { key: null })).status, 200);
  const r = await gw.fetch('/nope', { key: null });
  assert.equal(r.status, 404);
  const body = (await r.json()) as any;
  assert.equal(body.error.metadata.code, 'unknown_route');
  assert.equal((await gw.fetch('/models')).status, 200);
});

test('StaticSite: content types, encodings, and a folder without index.html is not a site', async () => {
  assert.equal(contentType('a/b.svg'), 'image/svg+xml');
  assert.equal(contentType('x.unknown'), 'application/octet-stream');
  const site = (await StaticSite.load(dir))!;
  const js = site.get('assets/main-ABC123.js')!;
  assert.equal(pickEncoding(undefined, js), null);
  assert.equal(pickEncoding('gzip;q=0, br;q=0', js), null);
  assert.equal(pickEncoding('*', js), 'gzip');
  assert.equal(pickEncoding('br', site.get('assets/main-ABC123.css')!), null, 'tiny files are not compressed');
  // a build's own .br is served as is
  const prebuilt = mkdtempSync(join(tmpdir(), 'arouter-static-'));
  try {
    writeFileSync(join(prebuilt, 'index.html'), 'x'.repeat(1000));
    writeFileSync(join(prebuilt, 'index.html.br'), 'PRECOMPRESSED');
    const s = (await StaticSite.load(prebuilt))!;
    assert.equal(s.get('index.html')!.br!.toString(), 'PRECOMPRESSED');
    assert.equal(s.get('index.html.br'), undefined);
    assert.equal(await StaticSite.load(join(prebuilt, 'missing')), null);
    rmSync(join(prebuilt, 'index.html'));
    assert.equal(await StaticSite.load(prebuilt), null);
  } finally {
    rmSync(prebuilt, { recursive: true, force: true });
  }
  assert.ok(readFileSync(join(dir, 'secret.txt')));
});
