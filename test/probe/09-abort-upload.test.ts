// Issue 12 item 9 (part): a client that leaves in the middle of its upload is an ordinary outcome: no
// error-level "unhandled" line with a stack, an access-log line with status 499, and nothing written to the
// dead socket. The gateway keeps serving.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startGateway, type TestGateway } from '../helpers/gateway.js';
import { rawRequest } from '../helpers/raw-http.js';
import { Logger } from '../../src/lib/log.js';

let gw: TestGateway;
const lines: Array<Record<string, unknown>> = [];

before(async () => {
  gw = await startGateway({ logger: new Logger('info', (l) => lines.push(JSON.parse(l) as Record<string, unknown>)) });
});
after(() => gw.close());

async function waitFor<T>(find: () => T | undefined, ms = 3_000): Promise<T | undefined> {
  const end = Date.now() + ms;
  for (;;) {
    const v = find();
    if (v !== undefined || Date.now() > end) return v;
    await new Promise((r) => setTimeout(r, 20));
  }
}

for (const [name, path, framing] of [
  ['chat, declared length', '/v1/chat/completions', 'content-length: 50000'],
  ['chat, chunked', '/v1/chat/completions', 'transfer-encoding: chunked'],
  ['admin keys route', '/v1/keys', 'content-length: 50000'],
] as const) {
  test(`a client that aborts mid-upload (${name}) is a quiet 499`, async () => {
    const before = lines.length;
    const port = Number(new URL(gw.url).port);
    const c = await rawRequest(port, [
      `POST ${path} HTTP/1.1`,
      'host: x',
      `authorization: Bearer ${gw.adminKey}`,
      'content-type: application/json',
      framing,
    ]);
    c.socket.write(
      framing.startsWith('transfer') ? '10\r\n{"model":"openai\r\n' : '{"model":"openai/gpt-4o","messages":[',
    );
    await new Promise((r) => setTimeout(r, 100));
    c.socket.resetAndDestroy();
    const access = await waitFor(() => lines.slice(before).find((l) => l.msg === 'request' && l.route === path));
    assert.ok(access, 'no access-log line');
    assert.equal(access.status, 499);
    assert.equal(access.aborted, true);
    assert.deepEqual(
      lines.slice(before).filter((l) => l.level === 'error'),
      [],
    );
    assert.equal(c.received(), '', 'nothing is written to a client that has left');
    assert.equal((await gw.fetch('/health')).status, 200);
  });
}

test('a plain close (FIN, no reset) mid-upload is the same quiet 499', async () => {
  const before = lines.length;
  const port = Number(new URL(gw.url).port);
  const c = await rawRequest(port, [
    'POST /v1/chat/completions HTTP/1.1',
    'host: x',
    `authorization: Bearer ${gw.adminKey}`,
    'content-length: 50000',
  ]);
  c.socket.write('{"model":');
  await new Promise((r) => setTimeout(r, 100));
  c.socket.destroy();
  const access = await waitFor(() => lines.slice(before).find((l) => l.msg === 'request'));
  assert.equal(access?.status, 499);
  assert.deepEqual(
    lines.slice(before).filter((l) => l.level === 'error'),
    [],
  );
});
