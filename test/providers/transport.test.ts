import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import type { TLSSocket } from 'node:tls';
import { createSecureServer, type Http2ServerRequest, type Http2ServerResponse } from 'node:http2';
import { AbortedByClient, RequestAbort, SseDecoder, Transport } from '../../src/providers/transport.js';
import type { UpstreamError } from '../../src/providers/types.js';
import { Logger } from '../../src/lib/log.js';

test('SseDecoder: events split across reads, CRLF endings, event names, a final event without its blank line', () => {
  const d = new SseDecoder();
  assert.deepEqual(d.feed(Buffer.from('event: message_start\r\ndata: {"a"')), []);
  assert.deepEqual(d.feed(Buffer.from(':1}\r\n\r\ndata: x\n\ndata: y')), [
    { event: 'message_start', data: '{"a":1}' },
    { data: 'x' },
  ]);
  // a multi-byte character split between two reads survives
  const euro = Buffer.from('\n\ndata: €\n\n');
  assert.deepEqual(d.feed(euro.subarray(0, 9)), [{ data: 'y' }]);
  assert.deepEqual(d.feed(euro.subarray(9)), [{ data: '€' }]);
  assert.deepEqual(d.feed(Buffer.from(': comment\n\ndata: last')), []);
  assert.deepEqual(d.end(), [{ data: 'last' }]);
});

const OPTS = {
  connectTimeoutMs: 2_000,
  firstByteTimeoutMs: 2_000,
  idleTimeoutMs: 2_000,
  connectionsPerOrigin: 4,
  keepAliveMs: 1_000,
  maxResponseBytes: 1 << 20,
};

/** a stand-in for the client's ServerResponse: RequestAbort only listens for 'close' */
function fakeClient(): EventEmitter & { writableFinished: boolean } {
  return Object.assign(new EventEmitter(), { writableFinished: false });
}

async function listen(handler: Parameters<typeof createServer>[1]): Promise<{ server: Server; url: string }> {
  const server = createServer(handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { server, url: `http://127.0.0.1:${(server.address() as { port: number }).port}` };
}

const post = (url: string) => ({ url, method: 'POST' as const, headers: {}, body: '{}' });

test('Transport.fetch: whole body, status, headers parsed on demand', async () => {
  const { server, url } = await listen((req, res) => {
    res.writeHead(429, { 'retry-after': '7', 'content-type': 'application/json' });
    res.end('{"error":"slow down"}');
  });
  const t = new Transport(OPTS);
  const abort = new RequestAbort(fakeClient() as never, 5_000);
  try {
    const r = await t.fetch(post(`${url}/v1/x`), abort);
    assert.equal(r.status, 429);
    assert.equal(r.body.toString(), '{"error":"slow down"}');
    assert.equal(r.headers()['retry-after'], '7');
  } finally {
    abort.dispose();
    await t.close();
    server.close();
  }
});

test('Transport.open: a consumer returning false pauses the upstream read; resume() continues; all bytes arrive', async () => {
  const CHUNK = Buffer.alloc(64 * 1024, 120);
  // 64 MB: more than loopback socket buffers hold (Linux autotunes a receive buffer up to tcp_rmem's maximum, 32 MB
  // on these machines, plus the sender's up to 4 MB); 4 MB fitted whole on some runs and the test hung
  const TOTAL = 1024;
  let written = 0;
  const { server, url } = await listen(async (req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    for (let i = 0; i < TOTAL; i++) {
      written++;
      if (!res.write(CHUNK)) await new Promise((r) => res.once('drain', r));
    }
    res.end();
  });
  const t = new Transport(OPTS);
  const abort = new RequestAbort(fakeClient() as never, 10_000);
  let body: Awaited<ReturnType<Transport['open']>> | null = null;
  try {
    body = await t.open(post(`${url}/stream`), abort);
    let received = 0;
    let full = true;
    const ended = new Promise<void>((resolve, reject) =>
      body!.pipe({ data: (c) => ((received += c.length), !full), end: resolve, fail: reject }),
    );
    await new Promise((r) => setTimeout(r, 300));
    assert.ok(written < TOTAL, `the upstream was held back (${written}/${TOTAL} chunks written while paused)`);
    assert.ok(received < TOTAL * CHUNK.length);
    full = false;
    body.resume();
    await ended;
    assert.equal(received, TOTAL * CHUNK.length);
  } finally {
    // a failed assertion leaves the call paused: cancel it, or closing the pool waits for it for ever
    body?.cancel();
    abort.dispose();
    await t.close();
    server.close();
  }
});

test('Transport: the client leaving aborts the call (AbortedByClient); the total deadline is a retryable 408', async () => {
  const { server, url } = await listen(() => undefined); // never answers
  const t = new Transport(OPTS);
  const client = fakeClient();
  const a1 = new RequestAbort(client as never, 10_000);
  const pending = t.fetch(post(url), a1);
  setTimeout(() => client.emit('close'), 50);
  await assert.rejects(pending, AbortedByClient);
  assert.ok(a1.byClient);
  a1.dispose();

  const a2 = new RequestAbort(fakeClient() as never, 100);
  await assert.rejects(
    t.fetch(post(url), a2),
    (e: UpstreamError) => e.status === 408 && e.retryable && /total deadline/.test(e.message),
  );
  a2.dispose();
  await t.close();
  server.closeAllConnections();
  server.close();
});

test('Transport.fetch: an answer larger than maxResponseBytes fails the attempt (retryable 502) and closes the connection', async () => {
  let closed!: Promise<void>;
  const { server, url } = await listen((req, res) => {
    closed = new Promise((r) => res.once('close', () => r()));
    res.writeHead(200, { 'content-type': 'application/json' });
    // never-ending: only ARouter's cap stops it
    const more = () => {
      while (!res.destroyed && res.write(Buffer.alloc(64 * 1024, 32)));
      if (!res.destroyed) res.once('drain', more);
    };
    more();
  });
  const t = new Transport({ ...OPTS, maxResponseBytes: 256 * 1024 });
  const abort = new RequestAbort(fakeClient() as never, 10_000);
  try {
    await assert.rejects(
      t.fetch(post(url), abort),
      (e: { status: number; code: string; retryable: boolean; message: string }) => {
        assert.equal(e.status, 502);
        assert.equal(e.code, 'upstream_response_too_large');
        assert.equal(e.retryable, true);
        assert.match(e.message, /262144 bytes/);
        return true;
      },
    );
    await closed;
  } finally {
    abort.dispose();
    await t.close();
    server.close();
  }
});

test('Transport.open: text() of an error answer keeps its first 64 KiB and lets go of the rest', async () => {
  const { server, url } = await listen((req, res) => {
    res.writeHead(500, { 'content-type': 'text/plain' });
    res.write('x'.repeat(100 * 1024));
    res.write('y'.repeat(100 * 1024));
    res.end();
  });
  const t = new Transport(OPTS);
  const abort = new RequestAbort(fakeClient() as never, 10_000);
  try {
    const body = await t.open(post(url), abort);
    const text = await body.text();
    assert.equal(text.length, 64 * 1024);
    assert.equal(text, 'x'.repeat(64 * 1024));
  } finally {
    abort.dispose();
    await t.close();
    server.close();
  }
});

test('SseDecoder: an event that never ends past maxEventBytes is an error, not unbounded memory; complete events reset the count', () => {
  const d = new SseDecoder(1024);
  for (let i = 0; i < 10; i++) assert.equal(d.feed(Buffer.from(`data: ${'a'.repeat(600)}\n\n`)).length, 1);
  d.feed(Buffer.from(`data: ${'b'.repeat(600)}`));
  assert.throws(
    () => d.feed(Buffer.from('b'.repeat(600))),
    (e: { code: string; status: number }) => e.code === 'upstream_response_too_large' && e.status === 502,
  );
});

// ---- HTTP/2 (issue 12 item 12): a local TLS h2 server with the committed self-signed cert (test/fixtures/tls)

const TLS_DIR = new URL('../fixtures/tls/', import.meta.url);
const KEY = readFileSync(new URL('key.pem', TLS_DIR));
const CERT = readFileSync(new URL('cert.pem', TLS_DIR));
const H2_OPTS = { ...OPTS, connectionsPerOrigin: null, http2: true, ca: CERT };

interface H2Server {
  url: string;
  /** TLS connections (h2 sessions and HTTP/1.1 sockets) accepted so far */
  connections: () => number;
  /** the protocol of each request, in arrival order ('2.0' or '1.1') */
  versions: string[];
  close: () => Promise<void>;
}

async function listenH2(handler: (req: Http2ServerRequest, res: Http2ServerResponse) => void): Promise<H2Server> {
  const versions: string[] = [];
  let connections = 0;
  const server = createSecureServer({ key: KEY, cert: CERT, allowHTTP1: true }, (req, res) => {
    versions.push(req.httpVersion);
    handler(req, res);
  });
  const sockets = new Set<TLSSocket>();
  server.on('secureConnection', (s: TLSSocket) => {
    connections++;
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    url: `https://127.0.0.1:${(server.address() as { port: number }).port}`,
    connections: () => connections,
    versions,
    close: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        for (const s of sockets) s.destroy(); // the client's keep-alive would hold close() up
      }),
  };
}

/** reads a whole streamed body through pipe() */
function drain(body: {
  pipe: (c: { data(b: Buffer): boolean; end(): void; fail(e: unknown): void }) => void;
}): Promise<string> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    body.pipe({
      data: (c) => (parts.push(c), true),
      end: () => resolve(Buffer.concat(parts).toString()),
      fail: reject,
    });
  });
}

test('Transport over h2: 30 concurrent streams share ONE connection (the origin learned h2 on the first)', async () => {
  const srv = await listenH2((req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.write('data: 1\n\n');
    setTimeout(() => res.end('data: [DONE]\n\n'), 150); // long enough that all 30 are in flight together
  });
  const t = new Transport(H2_OPTS);
  const aborts: RequestAbort[] = [];
  const open = () => {
    const a = new RequestAbort(fakeClient() as never, 10_000);
    aborts.push(a);
    return t.open(post(`${srv.url}/v1/chat/completions`), a).then(drain);
  };
  try {
    assert.equal(await open(), 'data: 1\n\ndata: [DONE]\n\n');
    const all = await Promise.all(Array.from({ length: 30 }, open));
    assert.ok(all.every((b) => b === 'data: 1\n\ndata: [DONE]\n\n'));
    assert.equal(srv.connections(), 1);
    assert.equal(srv.versions.length, 31);
    assert.ok(
      srv.versions.every((v) => v === '2.0'),
      srv.versions.join(),
    );
  } finally {
    for (const a of aborts) a.dispose();
    await t.close();
    await srv.close();
  }
});

test('Transport over h2: a paused stream holds its upstream back (flow control) while a neighbour on the same connection flows; resume() gets every byte', async () => {
  const CHUNK = Buffer.alloc(64 * 1024, 120);
  const TOTAL = 64; // 4 MB: far more than h2 windows (undici: 256 KiB a stream) and socket buffers hold
  let written = 0;
  const srv = await listenH2(async (req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    const slow = req.url === '/paused';
    for (let i = 0; i < TOTAL; i++) {
      if (slow) written++;
      if (!res.write(CHUNK)) await new Promise((r) => res.once('drain', r));
    }
    res.end();
  });
  const t = new Transport(H2_OPTS);
  const a1 = new RequestAbort(fakeClient() as never, 10_000);
  const a2 = new RequestAbort(fakeClient() as never, 10_000);
  try {
    const body = await t.open(post(`${srv.url}/paused`), a1);
    let received = 0;
    let full = true;
    const ended = new Promise<void>((resolve, reject) =>
      body.pipe({ data: (c) => ((received += c.length), !full), end: resolve, fail: reject }),
    );
    // the neighbour: 4 MB through the same connection while the first stream is paused
    const other = await drain(await t.open(post(`${srv.url}/free`), a2));
    assert.equal(other.length, TOTAL * CHUNK.length);
    assert.ok(written < TOTAL, `the paused upstream was held back (${written}/${TOTAL} chunks written)`);
    assert.ok(received < TOTAL * CHUNK.length);
    full = false;
    body.resume();
    await ended;
    assert.equal(received, TOTAL * CHUNK.length);
    assert.equal(srv.connections(), 1);
  } finally {
    a1.dispose();
    a2.dispose();
    await t.close();
    await srv.close();
  }
});

test('Transport over h2: a stream paused longer than the idle timeout (a slow client) is not timed out, as over HTTP/1.1', async () => {
  const CHUNK = Buffer.alloc(64 * 1024, 120);
  const TOTAL = 32;
  const srv = await listenH2(async (req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    for (let i = 0; i < TOTAL; i++) if (!res.write(CHUNK)) await new Promise((r) => res.once('drain', r));
    res.end();
  });
  const t = new Transport({ ...H2_OPTS, idleTimeoutMs: 200 });
  const abort = new RequestAbort(fakeClient() as never, 10_000);
  try {
    const body = await t.open(post(`${srv.url}/x`), abort);
    let received = 0;
    let full = true;
    let failed: unknown = null;
    const ended = new Promise<void>((resolve, reject) =>
      body.pipe({ data: (c) => ((received += c.length), !full), end: resolve, fail: (e) => ((failed = e), reject(e)) }),
    );
    ended.catch(() => undefined);
    await new Promise((r) => setTimeout(r, 700)); // 3.5 idle timeouts
    assert.equal(failed, null);
    full = false;
    body.resume();
    await ended;
    assert.equal(received, TOTAL * CHUNK.length);
  } finally {
    abort.dispose();
    await t.close();
    await srv.close();
  }
});

test('Transport over h2: after a pause and resume(), an upstream that stalls still hits the idle timeout (retryable 408)', async () => {
  const CHUNK = Buffer.alloc(64 * 1024, 120);
  const srv = await listenH2(async (req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    for (let i = 0; i < 32; i++) if (!res.write(CHUNK)) await new Promise((r) => res.once('drain', r));
    // then nothing more, never the end
  });
  const t = new Transport({ ...H2_OPTS, idleTimeoutMs: 200 });
  const abort = new RequestAbort(fakeClient() as never, 10_000);
  try {
    const body = await t.open(post(`${srv.url}/x`), abort);
    let received = 0;
    let full = true;
    const failed = new Promise<UpstreamError>((resolve) =>
      body.pipe({
        data: (c) => ((received += c.length), !full),
        end: () => assert.fail('no end'),
        fail: (e) => resolve(e as UpstreamError),
      }),
    );
    await new Promise((r) => setTimeout(r, 400));
    full = false;
    body.resume();
    const e = await failed;
    assert.equal(received, 32 * CHUNK.length);
    assert.equal(e.status, 408);
    assert.match(e.message, /idle/);
  } finally {
    abort.dispose();
    await t.close();
    await srv.close();
  }
});

test('Transport over h2: cancel() resets the stream (the upstream sees it close) and the connection serves the next call', async () => {
  let closed!: Promise<void>;
  const srv = await listenH2((req, res) => {
    if (req.url === '/short') return res.end('ok');
    closed = new Promise((r) => res.once('close', () => r()));
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    const timer = setInterval(() => res.write('data: x\n\n'), 10); // never ends by itself
    res.once('close', () => clearInterval(timer));
  });
  const t = new Transport(H2_OPTS);
  const a1 = new RequestAbort(fakeClient() as never, 10_000);
  const a2 = new RequestAbort(fakeClient() as never, 10_000);
  try {
    const body = await t.open(post(`${srv.url}/forever`), a1);
    let events = 0;
    let failed: unknown = null;
    await new Promise<void>((resolve) =>
      body.pipe({
        data: () => {
          if (++events === 3) {
            body.cancel();
            resolve();
          }
          return true;
        },
        end: () => assert.fail('a cancelled stream does not end'),
        fail: (e) => (failed = e),
      }),
    );
    await closed;
    assert.equal(failed, null, 'the consumer hears nothing after cancel()');
    assert.equal(await drain(await t.open(post(`${srv.url}/short`), a2)), 'ok');
    assert.equal(srv.connections(), 1);
  } finally {
    a1.dispose();
    a2.dispose();
    await t.close();
    await srv.close();
  }
});

test('Transport over h2: the client leaving resets the stream (AbortedByClient); the connection stays', async () => {
  let closed!: Promise<void>;
  const srv = await listenH2((req, res) => {
    closed = new Promise((r) => res.once('close', () => r()));
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.write('data: 1\n\n'); // and nothing more
  });
  const t = new Transport(H2_OPTS);
  const client = fakeClient();
  const abort = new RequestAbort(client as never, 10_000);
  try {
    const body = await t.open(post(`${srv.url}/x`), abort);
    const failed = new Promise<unknown>((resolve) =>
      body.pipe({ data: () => true, end: () => resolve('end'), fail: resolve }),
    );
    client.emit('close');
    assert.ok((await failed) instanceof AbortedByClient);
    await closed;
  } finally {
    abort.dispose();
    await t.close();
    await srv.close();
  }
});

test('Transport over h2: a body that ends with trailers arrives whole, also when the consumer paused before the trailers came', async () => {
  const srv = await listenH2((req, res) => {
    res.addTrailers({ 'x-usage': '42' });
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    for (let i = 0; i < 20; i++) res.write(`data: ${i}\n\n`);
    res.end();
  });
  const t = new Transport(H2_OPTS);
  const abort = new RequestAbort(fakeClient() as never, 10_000);
  try {
    const body = await t.open(post(`${srv.url}/x`), abort);
    let text = '';
    let paused = true;
    const ended = new Promise<void>((resolve, reject) =>
      body.pipe({ data: (c) => ((text += c.toString()), !paused), end: resolve, fail: reject }),
    );
    await new Promise((r) => setTimeout(r, 200)); // the trailers are in by now
    paused = false;
    body.resume();
    await ended;
    assert.equal(text, Array.from({ length: 20 }, (_, i) => `data: ${i}\n\n`).join(''));
  } finally {
    abort.dispose();
    await t.close();
    await srv.close();
  }
});

test('Transport: http:// origins and upstream.http2 false speak HTTP/1.1', async () => {
  let plainVersion = '';
  const { server, url } = await listen((req, res) => ((plainVersion = req.httpVersion), res.end('ok')));
  const srv = await listenH2((req, res) => res.end('ok'));
  const on = new Transport(H2_OPTS);
  const off = new Transport({ ...H2_OPTS, http2: false });
  const abort = new RequestAbort(fakeClient() as never, 10_000);
  try {
    assert.equal(await drain(await on.open(post(`${url}/x`), abort)), 'ok');
    assert.equal(plainVersion, '1.1');
    assert.equal(await drain(await off.open(post(`${srv.url}/x`), abort)), 'ok');
    assert.deepEqual(srv.versions, ['1.1']);
  } finally {
    abort.dispose();
    await on.close();
    await off.close();
    server.close();
    await srv.close();
  }
});

/** three streams in flight when the server sends GOAWAY with `code`; what became of each, and of a call after */
async function goawayCase(code: number) {
  const seen = new Map<string, number>();
  let goaway: (() => void) | null = null;
  let hold = false; // the calls' streams stay open until the GOAWAY went out
  const srv = await listenH2((req, res) => {
    seen.set(req.url, (seen.get(req.url) ?? 0) + 1);
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.write('data: 1\n\n');
    if (seen.size === 4) goaway = () => req.stream.session?.goaway(code, req.stream.id!);
    const timer = setInterval(() => {
      if (!hold) res.end('data: 2\n\n');
    }, 20);
    res.once('close', () => clearInterval(timer));
  });
  const t = new Transport(H2_OPTS);
  const aborts: RequestAbort[] = [];
  const call = async (path: string) => {
    const a = new RequestAbort(fakeClient() as never, 10_000);
    aborts.push(a);
    try {
      return await drain(await t.open(post(`${srv.url}${path}`), a));
    } catch {
      return 'fail';
    }
  };
  try {
    await call('/warm');
    hold = true;
    const inFlight = [0, 1, 2].map((i) => call(`/call-${i}`));
    await until('3 streams at the server', () => goaway !== null);
    (goaway as unknown as () => void)();
    hold = false;
    const results = await Promise.all(inFlight);
    const after = await call('/after');
    await new Promise((r) => setTimeout(r, 100)); // a re-send would have arrived by now
    return { results, after, seen, connections: srv.connections() };
  } finally {
    for (const a of aborts) a.dispose();
    await t.close();
    await srv.close();
  }
}

async function until(what: string, ok: () => boolean, ms = 5_000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

test(
  'Transport over h2: a graceful GOAWAY (no error) lets the streams in flight finish; the next call opens a new connection',
  { timeout: 15_000 },
  async () => {
    const { results, after, seen, connections } = await goawayCase(0);
    assert.deepEqual(results, Array(3).fill('data: 1\n\ndata: 2\n\n'));
    assert.equal(after, 'data: 1\n\ndata: 2\n\n');
    assert.equal(connections, 2);
    for (const [path, n] of seen) assert.equal(n, 1, `${path} reached the upstream ${n} times`);
  },
);

test(
  'Transport over h2: a GOAWAY with an error fails the streams in flight (retryable) and never sends a call twice',
  { timeout: 15_000 },
  async () => {
    const { results, after, seen } = await goawayCase(2); // INTERNAL_ERROR
    assert.ok(
      results.every((r) => r === 'fail' || r.endsWith('data: 2\n\n')),
      results.join(),
    );
    assert.equal(after, 'data: 1\n\ndata: 2\n\n');
    for (const [path, n] of seen) assert.equal(n, 1, `${path} reached the upstream ${n} times`);
  },
);

test('Transport: requests waiting for a connection (connections_per_origin reached) are logged, at most once per 10 s per origin', async () => {
  const { server, url } = await listen((req, res) => setTimeout(() => res.end('ok'), 100));
  const lines: string[] = [];
  const t = new Transport({ ...OPTS, connectionsPerOrigin: 2 }, new Logger('info', (l) => lines.push(l)));
  const aborts: RequestAbort[] = [];
  const call = () => {
    const a = new RequestAbort(fakeClient() as never, 10_000);
    aborts.push(a);
    return t.open(post(`${url}/x`), a).then(drain);
  };
  try {
    assert.deepEqual(await Promise.all(Array.from({ length: 2 }, call)), ['ok', 'ok']);
    assert.equal(lines.length, 0, 'no warning while every request has a connection');
    assert.deepEqual(await Promise.all(Array.from({ length: 5 }, call)), ['ok', 'ok', 'ok', 'ok', 'ok']);
    assert.equal(lines.length, 1, lines.join());
    const w = JSON.parse(lines[0]);
    assert.equal(w.level, 'warn');
    assert.equal(w.origin, url);
    assert.ok(w.waiting >= 1, `waiting: ${w.waiting}`);
    assert.equal(w.limit, 2);
    assert.match(w.hint, /upstream\.connections_per_origin/);
    await Promise.all(Array.from({ length: 5 }, call));
    assert.equal(lines.length, 1, 'rate-limited');
  } finally {
    for (const a of aborts) a.dispose();
    await t.close();
    server.close();
  }
});
