import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage } from 'node:http';
import { connect } from 'node:net';
import { requestHeader } from '../../src/lib/request-headers.js';

/** sends raw request bytes; the server answers what requestHeader and node's req.headers each read */
async function both(rawHead: string): Promise<Array<[string, string | undefined, string | undefined]>> {
  const names = ['authorization', 'origin', 'content-length', 'x-missing'];
  let seen: Array<[string, string | undefined, string | undefined]> = [];
  const server = createServer((req: IncomingMessage, res) => {
    seen = names.map((n) => [n, requestHeader(req, n), req.headers[n] as string | undefined]);
    req.resume();
    res.end('ok');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve, reject) => {
    const s = connect(port, '127.0.0.1', () => s.write(rawHead));
    s.on('data', () => s.end());
    s.on('close', () => resolve());
    s.on('error', reject);
  });
  server.close();
  return seen;
}

test('requestHeader reads what req.headers would: any case, first of repeats, absent as undefined', async () => {
  const seen = await both(
    'POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nAUTHORIZATION: Bearer first\r\nOrigin: https://a.example\r\n' +
      'authorization: Bearer second\r\norigin: https://b.example\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}',
  );
  assert.equal(seen.length, 4);
  for (const [name, ours, node] of seen) assert.equal(ours, node, name);
  assert.deepEqual(
    seen.map((s) => s[1]),
    ['Bearer first', 'https://a.example, https://b.example', '2', undefined],
  );
});
