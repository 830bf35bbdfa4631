// Issue 12 item 5: slow clients must not hold sockets (and file descriptors) for ever. Raw sockets against a
// listening gateway: a body trickled a byte at a time is cut by server.request_timeout_ms; after a refusal
// (401 before the body, 413 declared or mid-body) the server answers `Connection: close` and closes within
// ~2 s instead of reading an endless body; a normal client still reads those answers; and a long stream is
// NOT cut by the request timeout (it bounds receiving the request, never the answer).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDemoGateway, startGateway, type SimSet, type TestGateway } from '../helpers/gateway.js';
import { flood, rawRequest, trickle, within } from '../helpers/raw-http.js';
import { Logger } from '../../src/lib/log.js';

const REQUEST_TIMEOUT_MS = 1_000;
/** the bound asserted on closes: the linger is 2 s, node checks timeouts every 250 ms here; generous for slow CI */
const CLOSE_BOUND_MS = 6_000;
const BODY_LIMIT = 4_096;

let timed: TestGateway;
let sims: SimSet;
let lenient: TestGateway;
const lines: Array<Record<string, unknown>> = [];

before(async () => {
  ({ gw: timed, sims } = await startDemoGateway(
    { server: { request_timeout_ms: REQUEST_TIMEOUT_MS, body_limit_bytes: BODY_LIMIT } },
    new Logger('info', (l) => lines.push(JSON.parse(l) as Record<string, unknown>)),
  ));
  // refusals must close by themselves, not because a request timeout happens to cut them
  lenient = await startGateway({ config: { server: { request_timeout_ms: 60_000, body_limit_bytes: BODY_LIMIT } } });
});
after(async () => {
  await timed.close();
  await lenient.close();
  await sims.close();
});

const portOf = (gw: TestGateway) => Number(new URL(gw.url).port);
const chatHead = (gw: TestGateway, key: string, extra: string[]) => [
  'POST /v1/chat/completions HTTP/1.1',
  `host: 127.0.0.1:${portOf(gw)}`,
  `authorization: Bearer ${key}`,
  'content-type: application/json',
  ...extra,
];

test('a body sent a byte every 200 ms is cut by request_timeout_ms with a 408', async () => {
  const c = await rawRequest(portOf(timed), chatHead(timed, timed.adminKey, ['content-length: 2000']));
  trickle(c.socket, '{', 200);
  const ms = await within(c.closed, CLOSE_BOUND_MS, -1);
  c.destroy();
  assert.ok(ms >= 0, `still open after ${CLOSE_BOUND_MS} ms; got: ${c.received().slice(0, 200)}`);
  assert.ok(ms >= REQUEST_TIMEOUT_MS - 50, `closed after ${ms} ms, before the timeout`);
  assert.match(c.received(), /^HTTP\/1\.1 408/);
  // the access log says what happened, and no error-level line was written for it
  await new Promise((r) => setTimeout(r, 50));
  assert.ok(
    lines.some((l) => l.msg === 'request' && l.status === 408),
    JSON.stringify(lines.filter((l) => l.msg === 'request')),
  );
  assert.deepEqual(
    lines.filter((l) => l.level === 'error'),
    [],
  );
});

test('after a 401 the server closes a connection whose endless body trickles in', async () => {
  const c = await rawRequest(portOf(lenient), chatHead(lenient, 'lr_live_wrong', ['transfer-encoding: chunked']));
  trickle(c.socket, '1\r\na\r\n', 200);
  const ms = await within(c.closed, CLOSE_BOUND_MS, -1);
  c.destroy();
  assert.ok(ms >= 0, `still open after ${CLOSE_BOUND_MS} ms`);
  assert.match(c.received(), /^HTTP\/1\.1 401/);
  assert.match(c.received(), /\r\nconnection: close\r\n/i);
  assert.match(c.received(), /"code":"invalid_api_key"/);
});

test('after a declared oversize 413 the server closes while the client keeps sending', async () => {
  const c = await rawRequest(portOf(lenient), chatHead(lenient, lenient.adminKey, ['content-length: 100000000']));
  trickle(c.socket, 'x'.repeat(1024), 50);
  const ms = await within(c.closed, CLOSE_BOUND_MS, -1);
  c.destroy();
  assert.ok(ms >= 0, `still open after ${CLOSE_BOUND_MS} ms`);
  assert.match(c.received(), /^HTTP\/1\.1 413/);
  assert.match(c.received(), /\r\nconnection: close\r\n/i);
});

test('after a 413 mid-body the server stops reading an endless chunked flood', async () => {
  const c = await rawRequest(portOf(lenient), chatHead(lenient, lenient.adminKey, ['transfer-encoding: chunked']));
  const chunk = Buffer.from(`4000\r\n${'x'.repeat(0x4000)}\r\n`);
  flood(c.socket, chunk);
  const ms = await within(c.closed, CLOSE_BOUND_MS, -1);
  c.destroy();
  assert.ok(ms >= 0, `still open after ${CLOSE_BOUND_MS} ms`);
  assert.match(c.received(), /^HTTP\/1\.1 413/);
  assert.match(c.received(), /"code":"payload_too_large"/);
});

test('a normal client still reads the 401 and the 413 as JSON', async () => {
  const big = JSON.stringify({ model: 'openai/gpt-4o', messages: [{ role: 'user', content: 'x'.repeat(200_000) }] });
  for (let i = 0; i < 5; i++) {
    const bad = await lenient.fetch('/chat/completions', {
      method: 'POST',
      key: 'lr_live_wrong',
      body: big,
      headers: { 'content-type': 'application/json' },
    });
    assert.equal(bad.status, 401);
    assert.equal(
      ((await bad.json()) as { error: { metadata: { code: string } } }).error.metadata.code,
      'invalid_api_key',
    );
    const tooBig = await lenient.fetch('/chat/completions', {
      method: 'POST',
      body: big,
      headers: { 'content-type': 'application/json' },
    });
    assert.equal(tooBig.status, 413);
    assert.equal(
      ((await tooBig.json()) as { error: { metadata: { code: string } } }).error.metadata.code,
      'payload_too_large',
    );
  }
  // and a keep-alive connection without a body stays usable after an error
  const health = await lenient.fetch('/health');
  assert.equal(health.status, 200);
});

test('a stream answering for several times request_timeout_ms is not cut', async () => {
  const words = Array.from({ length: 16 }, (_, i) => `word${i}`).join(' ');
  sims.openai.script({ match: { model: 'gpt-4o' }, reply: words, tokensPerSecond: 5 });
  const t0 = Date.now();
  const res = await timed.fetch('/chat/completions', {
    method: 'POST',
    json: { model: 'openai/gpt-4o', stream: true, messages: [{ role: 'user', content: 'hi' }] },
  });
  assert.equal(res.status, 200);
  const text = await res.text();
  const ms = Date.now() - t0;
  assert.ok(ms > 2 * REQUEST_TIMEOUT_MS + 500, `the stream took only ${ms} ms: the test proves nothing`);
  assert.match(text, /data: \[DONE\]/);
  assert.match(text, /word15/);
  assert.doesNotMatch(text, /"error"/);
});

test('server.max_connections: past the cap new connections are closed at once, earlier ones keep working', async () => {
  const capped = await startGateway({ config: { server: { max_connections: 2 } } });
  try {
    const port = portOf(capped);
    const open = await Promise.all([0, 1].map(() => rawRequest(port, ['GET /v1/health HTTP/1.1', 'host: x'])));
    const third = connect({ port, host: '127.0.0.1' });
    third.on('error', () => {});
    const closed = await within(new Promise<boolean>((r) => third.once('close', () => r(true))), CLOSE_BOUND_MS, false);
    assert.ok(closed, 'the third connection was accepted');
    await new Promise((r) => setTimeout(r, 50));
    for (const c of open) assert.match(c.received(), /^HTTP\/1\.1 200/);
    for (const c of open) c.destroy();
    await Promise.all(open.map((c) => c.closed));
    await new Promise((r) => setTimeout(r, 50));
    assert.equal((await capped.fetch('/health')).status, 200, 'a slot freed is usable again');
  } finally {
    await capped.close();
  }
});

test('serve warns at start when the open-files limit is low, saying what to do', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'arouter-fd-'));
  const main = new URL('../../src/cli/main.ts', import.meta.url).pathname;
  // lowering a soft limit needs no privilege
  const proc = spawn(
    'sh',
    ['-c', `ulimit -n 1024 && exec "${process.execPath}" --import tsx "${main}" serve --port 0 --data-dir "${dir}"`],
    {
      env: { PATH: process.env.PATH, HOME: process.env.HOME, AROUTER_LOG_LEVEL: 'info' },
    },
  );
  try {
    let out = '';
    const seen = await within(
      new Promise<boolean>((resolve) => {
        proc.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          if (out.includes('open-files limit')) resolve(true);
        });
        proc.once('exit', () => resolve(false));
      }),
      30_000,
      false,
    );
    assert.ok(seen, `no warning; stdout: ${out}`);
    const line = JSON.parse(out.split('\n').find((l) => l.includes('open-files limit')) as string) as Record<
      string,
      unknown
    >;
    assert.equal(line.level, 'warn');
    assert.equal(line.open_files_limit, 1024);
    assert.equal(line.max_connections, 448);
    assert.match(String(line.msg), /ulimit -n/);
  } finally {
    if (proc.exitCode === null && proc.signalCode === null) {
      const exited = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGTERM');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  }
});
