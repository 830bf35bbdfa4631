// Issue 12 item 12, upstream connection pools, end to end through a listening gateway: streams to a provider
// that speaks HTTP/2 share one TLS connection (the provider here is a local h2 server with the self-signed cert
// of test/fixtures/tls, trusted through upstream.ca_file), and requests that wait for a connection because
// upstream.connections_per_origin is reached are logged.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createSecureServer, type Http2ServerRequest, type Http2ServerResponse } from 'node:http2';
import type { TLSSocket } from 'node:tls';
import { localTinyConfig, startGateway, type TestGateway } from '../helpers/gateway.js';
import { Logger } from '../../src/lib/log.js';
import { ConfigError, loadConfig } from '../../src/config/load.js';

const CERT_FILE = fileURLToPath(new URL('../fixtures/tls/cert.pem', import.meta.url));
const KEY = readFileSync(new URL('../fixtures/tls/key.pem', import.meta.url));

/**
 * An OpenAI-style provider over TLS (h2 and HTTP/1.1). With `hold`, each stream stays open after its first
 * chunk until release(); without, it ends after `delayMs`.
 */
async function h2Provider(opts: { hold: boolean; delayMs?: number }) {
  const versions: string[] = [];
  const sockets = new Set<TLSSocket>();
  let connections = 0;
  let open = 0;
  let maxOpen = 0;
  let waiting: Array<() => void> = [];
  const server = createSecureServer(
    { key: KEY, cert: readFileSync(CERT_FILE), allowHTTP1: true },
    (req: Http2ServerRequest, res: Http2ServerResponse) => {
      versions.push(req.httpVersion);
      req.resume();
      req.on('end', () => {
        open++;
        maxOpen = Math.max(maxOpen, open);
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        const chunk = (delta: object, finish: string | null, usage?: object) =>
          `data: ${JSON.stringify({
            id: 'c1',
            object: 'chat.completion.chunk',
            created: 1,
            model: 'tiny-1',
            choices: [{ index: 0, delta, finish_reason: finish }],
            ...(usage ? { usage } : {}),
          })}\n\n`;
        res.write(chunk({ role: 'assistant', content: 'hel' }, null));
        const finish = () => {
          open--;
          res.write(chunk({ content: 'lo' }, null));
          res.end(chunk({}, 'stop', { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 }) + 'data: [DONE]\n\n');
        };
        if (opts.hold) waiting.push(finish);
        else setTimeout(finish, opts.delayMs ?? 0);
      });
    },
  );
  server.on('secureConnection', (s: TLSSocket) => {
    connections++;
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    url: `https://127.0.0.1:${(server.address() as { port: number }).port}/v1`,
    versions,
    connections: () => connections,
    maxOpen: () => maxOpen,
    held: () => waiting.length,
    /** ends the streams held now */
    release() {
      for (const f of waiting) f();
      waiting = [];
    },
    close: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        for (const s of sockets) s.destroy();
      }),
  };
}

function gatewayFor(providerUrl: string, upstream: Record<string, unknown>, logger?: Logger): Promise<TestGateway> {
  return startGateway({
    env: { LOCAL_KEY: 'k' },
    logger,
    config: { upstream: { ca_file: CERT_FILE, ...upstream }, ...localTinyConfig(providerUrl) },
  });
}

async function stream(gw: TestGateway): Promise<string> {
  const r = await gw.fetch('/chat/completions', {
    method: 'POST',
    json: { model: 'local/tiny', stream: true, messages: [{ role: 'user', content: 'hi' }] },
  });
  assert.equal(r.status, 200);
  const text = await r.text();
  return text
    .split('\n\n')
    .filter((l) => l.startsWith('data: {'))
    .map((l) => JSON.parse(l.slice(6)).choices?.[0]?.delta?.content ?? '')
    .join('');
}

async function until(what: string, ok: () => boolean, ms = 5_000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

test('probe 12: 40 concurrent streams to an h2 provider run at once over ONE TLS connection (upstream.http2 on by default)', async () => {
  const up = await h2Provider({ hold: true });
  const gw = await gatewayFor(up.url, {});
  try {
    // the first call teaches the pool that the origin speaks h2: a cold burst would open a connection per
    // request before the first TLS handshake answers, then multiplex on each
    const first = stream(gw);
    await until('the first stream', () => up.held() === 1);
    up.release();
    assert.equal(await first, 'hello');
    const N = 40;
    const all = Array.from({ length: N }, () => stream(gw));
    await until(`${N} streams held open at the provider together`, () => up.held() === N);
    up.release();
    assert.deepEqual(await Promise.all(all), Array(N).fill('hello'));
    assert.equal(up.connections(), 1, 'one TLS connection for every stream');
    assert.equal(up.maxOpen(), N, 'all streams were open at the same time');
    assert.ok(
      up.versions.every((v) => v === '2.0'),
      up.versions.join(),
    );
  } finally {
    await gw.close();
    await up.close();
  }
});

test('probe 12: with upstream.connections_per_origin reached, waiting requests are logged (origin, how many, the key); upstream.http2 false speaks HTTP/1.1', async () => {
  const up = await h2Provider({ hold: false, delayMs: 150 });
  const lines: string[] = [];
  const gw = await gatewayFor(
    up.url,
    { http2: false, connections_per_origin: 2 },
    new Logger('warn', (l) => lines.push(l)),
  );
  try {
    assert.deepEqual(await Promise.all(Array.from({ length: 6 }, () => stream(gw))), Array(6).fill('hello'));
    assert.ok(up.connections() <= 2, `at most 2 connections (saw ${up.connections()})`);
    assert.ok(
      up.versions.every((v) => v === '1.1'),
      up.versions.join(),
    );
    const warnings = lines
      .map((l) => JSON.parse(l))
      .filter((l) => l.msg === 'upstream requests are waiting for a connection');
    assert.equal(warnings.length, 1, lines.join(''));
    assert.equal(warnings[0].level, 'warn');
    assert.equal(warnings[0].origin, new URL(up.url).origin);
    assert.ok(warnings[0].waiting >= 1);
    assert.match(warnings[0].hint, /upstream\.connections_per_origin/);
  } finally {
    await gw.close();
    await up.close();
  }
});

test('probe 12: upstream config: connections_per_origin unbounded and http2 on by default; ca_file read at start, a bad one refused', () => {
  const d = loadConfig({ env: {}, inline: {} }).upstream;
  assert.equal(d.connectionsPerOrigin, null);
  assert.equal(d.http2, true);
  assert.equal(d.ca, null);
  const c = loadConfig({
    env: {},
    inline: { upstream: { connections_per_origin: 64, http2: false, ca_file: CERT_FILE } },
  }).upstream;
  assert.equal(c.connectionsPerOrigin, 64);
  assert.equal(c.http2, false);
  assert.match(c.ca ?? '', /BEGIN CERTIFICATE/);
  assert.equal(
    loadConfig({ env: {}, inline: { upstream: { connections_per_origin: null } } }).upstream.connectionsPerOrigin,
    null,
  );
  assert.throws(
    () => loadConfig({ env: {}, inline: { upstream: { ca_file: '/nonexistent/ca.pem' } } }),
    (e: unknown) =>
      e instanceof ConfigError && /upstream\.ca_file: cannot read \/nonexistent\/ca\.pem \(ENOENT\)/.test(e.message),
  );
  assert.throws(
    () => loadConfig({ env: {}, inline: { upstream: { ca_file: fileURLToPath(import.meta.url) } } }),
    /holds no PEM certificate/,
  );
  assert.throws(() => loadConfig({ env: {}, inline: { upstream: { connections_per_origin: 0 } } }), ConfigError);
});
