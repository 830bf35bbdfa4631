// readBody against real sockets: a client that leaves mid-upload (reset or plain close, before or after the
// handler started reading) is a ClientGoneError, never a generic error that becomes a 500.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage } from 'node:http';
import { connect } from 'node:net';
import { ClientGoneError, readBody } from '../../src/http/body.js';
import { HttpError } from '../../src/http/errors.js';

async function withRequest(
  send: (port: number) => void,
  onReq: (req: IncomingMessage) => Promise<unknown>,
): Promise<unknown> {
  let settle!: (v: unknown) => void;
  const outcome = new Promise((r) => (settle = r));
  const server = createServer((req) => {
    onReq(req).then(settle, settle);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  send((server.address() as { port: number }).port);
  const v = await outcome;
  server.closeAllConnections();
  server.close();
  return v;
}

const head = 'POST / HTTP/1.1\r\nhost: x\r\ncontent-length: 1000\r\n\r\n{"partial":';

test('a reset mid-upload rejects with ClientGoneError', { timeout: 5_000 }, async () => {
  const err = await withRequest(
    (port) => {
      const s = connect(port, '127.0.0.1', () => {
        s.write(head);
        setTimeout(() => s.resetAndDestroy(), 50);
      });
      s.on('error', () => {});
    },
    (req) => readBody(req, 10_000),
  );
  assert.ok(err instanceof ClientGoneError, String(err));
});

test('a client gone before the handler reads rejects at once instead of hanging', { timeout: 5_000 }, async () => {
  const err = await withRequest(
    (port) => {
      const s = connect(port, '127.0.0.1', () => {
        s.write(head);
        setTimeout(() => s.destroy(), 20);
      });
    },
    async (req) => {
      await new Promise((r) => req.once('close', r));
      return readBody(req, 10_000);
    },
  );
  assert.ok(err instanceof ClientGoneError, String(err));
});

test('a declared body over the limit is a 413 before anything is read', async () => {
  const err = await withRequest(
    (port) => {
      const s = connect(port, '127.0.0.1', () => s.write(head));
      s.on('error', () => {});
      setTimeout(() => s.destroy(), 200);
    },
    (req) => readBody(req, 10),
  );
  assert.ok(err instanceof HttpError && err.status === 413, String(err));
});
