// CORS through a listening gateway, as a browser page would see it: the preflight, the headers a page needs
// to read answers (errors included), restricted origin lists, and CORS switched off.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startDemoGateway, startGateway, type SimSet, type TestGateway } from '../helpers/gateway.js';

const PAGE = 'https://app.example';
const open: Array<{ gw: TestGateway; sims?: SimSet }> = [];
after(async () => {
  for (const o of open) {
    await o.gw.close();
    await o.sims?.close();
  }
});

const preflight = (gw: TestGateway, origin: string, headers = 'authorization, content-type, x-stainless-os') =>
  gw.fetch('/chat/completions', {
    method: 'OPTIONS',
    key: null,
    headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': headers },
  });

test('default: any origin; the preflight is answered without a key, and pages can read answers and our headers', async () => {
  const { gw, sims } = await startDemoGateway();
  open.push({ gw, sims });

  const pre = await preflight(gw, PAGE);
  assert.equal(pre.status, 204);
  assert.equal(pre.headers.get('access-control-allow-origin'), '*');
  assert.match(pre.headers.get('access-control-allow-methods') ?? '', /\bPOST\b/);
  assert.equal(pre.headers.get('access-control-allow-headers'), 'authorization, content-type, x-stainless-os');
  assert.equal(pre.headers.get('access-control-max-age'), '86400');
  assert.equal(await pre.text(), '');

  const res = await gw.fetch('/chat/completions', {
    method: 'POST',
    headers: { origin: PAGE },
    json: { model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'hi from a page' }] },
  });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('access-control-allow-origin'), '*');
  const exposed = (res.headers.get('access-control-expose-headers') ?? '').split(', ');
  for (const h of ['x-arouter-generation-id', 'x-arouter-route', 'x-request-id', 'retry-after'])
    assert.ok(exposed.includes(h), h);
  assert.equal(((await res.json()) as { object: string }).object, 'chat.completion');

  // an error must be readable by the page too, or it only sees "network error"
  const denied = await gw.fetch('/models', { key: 'lr_live_not-a-key', headers: { origin: PAGE } });
  assert.equal(denied.status, 401);
  assert.equal(denied.headers.get('access-control-allow-origin'), '*');
  assert.equal(
    ((await denied.json()) as { error: { metadata: { code: unknown } } }).error.metadata.code,
    'invalid_api_key',
  );

  // no Origin (a server, curl, the SDK in Node): no CORS headers at all
  const plain = await gw.fetch('/models');
  assert.equal(plain.status, 200);
  assert.equal(plain.headers.get('access-control-allow-origin'), null);
  await plain.text();

  // OPTIONS without a preflight's request-method is not a preflight: the route answers 405
  const bare = await gw.fetch('/chat/completions', { method: 'OPTIONS', key: null, headers: { origin: PAGE } });
  assert.equal(bare.status, 405);
  await bare.text();
});

test('a list of origins: those are echoed (with Vary: Origin); others get no CORS headers and a 403 preflight', async () => {
  const gw = await startGateway({ config: { server: { cors_origins: [`${PAGE}/`, 'http://localhost:3000'] } } });
  open.push({ gw });

  const ok = await preflight(gw, PAGE);
  assert.equal(ok.status, 204);
  assert.equal(ok.headers.get('access-control-allow-origin'), PAGE);
  assert.equal(ok.headers.get('vary'), 'Origin');

  const res = await gw.fetch('/models', { headers: { origin: 'http://localhost:3000' } });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('access-control-allow-origin'), 'http://localhost:3000');
  await res.text();

  const evil = await preflight(gw, 'https://evil.example');
  assert.equal(evil.status, 403);
  assert.equal(evil.headers.get('access-control-allow-origin'), null);
  assert.equal(
    ((await evil.json()) as { error: { metadata: { code: string } } }).error.metadata.code,
    'cors_origin_not_allowed',
  );

  const other = await gw.fetch('/models', { headers: { origin: 'https://evil.example' } });
  assert.equal(
    other.status,
    200,
    'the request itself is served (a key holder may use curl anyway); the browser withholds it',
  );
  assert.equal(other.headers.get('access-control-allow-origin'), null);
  await other.text();
});

test('cors_origins [] (or AROUTER_CORS_ORIGINS=""): CORS off, preflights are not answered', async () => {
  const gw = await startGateway({ env: { AROUTER_CORS_ORIGINS: '' } });
  open.push({ gw });
  const pre = await preflight(gw, PAGE);
  assert.equal(pre.status, 405);
  assert.equal(pre.headers.get('access-control-allow-origin'), null);
  await pre.text();
  const res = await gw.fetch('/models', { headers: { origin: PAGE } });
  assert.equal(res.headers.get('access-control-allow-origin'), null);
  await res.text();
});
