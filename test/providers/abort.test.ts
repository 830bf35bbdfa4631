import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { AbortedByClient, RequestAbort } from '../../src/providers/abort.js';

function fakeClient(): EventEmitter & { writableFinished: boolean } {
  return Object.assign(new EventEmitter(), { writableFinished: false });
}

/** a RequestAbort with an upstream call bound, recording why it was aborted */
function bound(ms: number, log: string[], name: string): RequestAbort {
  const a = new RequestAbort(fakeClient() as never, ms);
  a.bind((reason) => log.push(`${name}:${reason.name}`));
  return a;
}

test('deadlines pass in order; disposed requests never fire, whichever place they held', async () => {
  const log: string[] = [];
  const a = bound(40, log, 'a');
  const b = bound(40, log, 'b');
  await sleep(10);
  const c = bound(40, log, 'c');
  const d = bound(40, log, 'd');
  a.dispose(); // the oldest, whose deadline the timer was armed for
  c.dispose(); // one in the middle
  await sleep(80);
  assert.deepEqual(log, ['b:TimeoutError', 'd:TimeoutError']);
  assert.ok(b.aborted && d.aborted && !a.aborted && !c.aborted);
  assert.match(b.reason!.message, /total deadline of 40 ms exceeded/);
  b.dispose(); // after expiry: harmless
  d.dispose();
});

test('different deadline lengths keep their own order; a fresh request after the list emptied is timed again', async () => {
  const log: string[] = [];
  const long = bound(120, log, 'long');
  const short = bound(30, log, 'short');
  await sleep(70);
  assert.deepEqual(log, ['short:TimeoutError']);
  await sleep(90);
  assert.deepEqual(log, ['short:TimeoutError', 'long:TimeoutError']);
  short.dispose();
  long.dispose();
  const again = bound(20, log, 'again');
  await sleep(60);
  assert.deepEqual(log.at(-1), 'again:TimeoutError');
  again.dispose();
});

test('the client leaving aborts at once; a request that finished in time is never aborted', async () => {
  const log: string[] = [];
  const client = fakeClient();
  const a = new RequestAbort(client as never, 10_000);
  a.bind((reason) => log.push(reason instanceof AbortedByClient ? 'client' : reason.name));
  client.emit('close');
  assert.deepEqual(log, ['client']);
  assert.ok(a.byClient);
  a.dispose();
  const ok = bound(30, log, 'ok');
  ok.dispose();
  await sleep(60);
  assert.deepEqual(log, ['client']);
  assert.equal(ok.aborted, false);
});
