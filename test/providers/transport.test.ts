import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { EventEmitter } from 'node:events';
import { AbortedByClient, RequestAbort, SseDecoder, Transport } from '../../src/providers/transport.js';
import type { UpstreamError } from '../../src/providers/types.js';

test('SseDecoder: events split across reads, CRLF endings, event names, a final event without its blank line', () => {
  const d = new SseDecoder();
  assert.deepEqual(d.feed(Buffer.from('event: message_start\r\ndata: {"a"')), []);
  assert.deepEqual(d.feed(Buffer.from(':1}\r\n\r\ndata: x\n\ndata: y')), [{ event: 'message_start', data: '{"a":1}' }, { data: 'x' }]);
  // a multi-byte character split between two reads survives
  const euro = Buffer.from('\n\ndata: €\n\n');
  assert.deepEqual(d.feed(euro.subarray(0, 9)), [{ data: 'y' }]);
  assert.deepEqual(d.feed(euro.subarray(9)), [{ data: '€' }]);
  assert.deepEqual(d.feed(Buffer.from(': comment\n\ndata: last')), []);
  assert.deepEqual(d.end(), [{ data: 'last' }]);
});


const OPTS = { connectTimeoutMs: 2_000, firstByteTimeoutMs: 2_000, idleTimeoutMs: 2_000, connectionsPerOrigin: 4, keepAliveMs: 1_000, maxResponseBytes: 1 << 20 };

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
  const TOTAL = 64; // 4 MB: far more than socket buffers hold
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
  try {
    const body = await t.open(post(`${url}/stream`), abort);
    let received = 0;
    let full = true;
    const ended = new Promise<void>((resolve, reject) =>
      body.pipe({ data: (c) => ((received += c.length), !full), end: resolve, fail: reject }),
    );
    await new Promise((r) => setTimeout(r, 300));
    assert.ok(written < TOTAL, `the upstream was held back (${written}/${TOTAL} chunks written while paused)`);
    assert.ok(received < TOTAL * CHUNK.length);
    full = false;
    body.resume();
    await ended;
    assert.equal(received, TOTAL * CHUNK.length);
  } finally {
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
  await assert.rejects(t.fetch(post(url), a2), (e: UpstreamError) => e.status === 408 && e.retryable && /total deadline/.test(e.message));
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
    await assert.rejects(t.fetch(post(url), abort), (e: { status: number; code: string; retryable: boolean; message: string }) => {
      assert.equal(e.status, 502);
      assert.equal(e.code, 'upstream_response_too_large');
      assert.equal(e.retryable, true);
      assert.match(e.message, /262144 bytes/);
      return true;
    });
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
  assert.throws(() => d.feed(Buffer.from('b'.repeat(600))), (e: { code: string; status: number }) => e.code === 'upstream_response_too_large' && e.status === 502);
});
