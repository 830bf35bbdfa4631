import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StreamSession } from '../../src/routing/stream-session.js';
import { AbortedByClient, type BodyConsumer, type UpstreamBody } from '../../src/providers/transport.js';
import type { SseEvent, StreamEvent, StreamTranslator, UpstreamError } from '../../src/providers/types.js';

/** An upstream body driven by the test: push reads, end, fail; records resume/cancel calls. */
class FakeBody implements UpstreamBody {
  status = 200;
  constructor(readonly maxEventBytes = 1 << 20) {}
  consumer: BodyConsumer | null = null;
  resumed = 0;
  cancelled = false;
  headers() {
    return {};
  }
  pipe(c: BodyConsumer) {
    this.consumer = c;
  }
  resume() {
    this.resumed++;
  }
  cancel() {
    this.cancelled = true;
  }
  text() {
    return Promise.resolve('');
  }
  read(sse: string): boolean {
    return this.consumer!.data(Buffer.from(sse));
  }
}

/** data: "x" → a delta with content x; data: "!" → an error event; data: "." → finish */
const translator = (): StreamTranslator => ({
  push(ev: SseEvent): StreamEvent[] {
    if (ev.data === '!') return [{ type: 'error', error: upstreamError('boom') }];
    if (ev.data === '.') return [{ type: 'finish', finish_reason: 'stop', native_finish_reason: 'stop' }];
    if (ev.data === '') return [];
    return [{ type: 'delta', delta: { content: ev.data } }];
  },
  end: () => [
    {
      type: 'usage',
      usage: {
        prompt_tokens: 1,
        completion_tokens: 2,
        cached_read_tokens: 0,
        cache_write_tokens: 0,
        reasoning_tokens: 0,
      } as never,
    },
  ],
});

function upstreamError(message: string): UpstreamError {
  return { status: 502, retryable: true, type: 'upstream_error', code: 'x', message, upstream_status: 200 };
}

/** a session that already committed on a first content read "a" */
async function committed(): Promise<{ body: FakeBody; s: StreamSession }> {
  const body = new FakeBody();
  const s = new StreamSession(body, translator(), 'P');
  const started = s.start();
  body.read('data: a\n\n');
  await started;
  return { body, s };
}

const contents = (evs: StreamEvent[]) => evs.map((e) => (e.type === 'delta' ? e.delta.content : e.type)).join('|');

test('commits at the first content; later reads reach the sink, reads before pipe() are replayed in order', async () => {
  const body = new FakeBody();
  const s = new StreamSession(body, translator(), 'P');
  const started = s.start();
  body.read('data: \n\n'); // no content yet
  body.read('data: a\n\ndata: b\n\n');
  await started;
  assert.equal(contents(s.first), 'a|b');
  body.read('data: c\n\n');
  body.read('data: d\n\n');
  const got: StreamEvent[] = [];
  const piped = s.pipe((evs) => (got.push(...evs), true));
  body.read('data: e\n\n');
  body.consumer!.end();
  await piped;
  assert.equal(contents(got), 'c|d|e|usage');
});

test('an error before any content rejects start() (the executor falls back) and stops reading', async () => {
  const body = new FakeBody();
  const s = new StreamSession(body, translator(), 'P');
  const started = s.start();
  body.read('data: !\n\n');
  await assert.rejects(started, (e: UpstreamError) => e.message === 'boom');
  assert.ok(body.cancelled);
});

test('a stream that ends without content is an empty-stream 502, a network failure before content rejects as is', async () => {
  const a = new FakeBody();
  const s1 = new StreamSession(a, translator(), 'P');
  const p1 = s1.start();
  a.read('data: \n\n');
  a.consumer!.end();
  await assert.rejects(
    p1,
    (e: UpstreamError) => e.code === 'upstream_empty_stream' && e.status === 502 && /P closed/.test(e.message),
  );

  const b = new FakeBody();
  const s2 = new StreamSession(b, translator(), 'P');
  const p2 = s2.start();
  b.consumer!.fail(upstreamError('reset'));
  await assert.rejects(p2, (e: UpstreamError) => e.message === 'reset');
});

test('after content, an upstream failure arrives in-band as an error event and ends the stream', async () => {
  const { body, s } = await committed();
  const got: StreamEvent[] = [];
  const piped = s.pipe((evs) => (got.push(...evs), true));
  body.consumer!.fail(upstreamError('idle timeout'));
  await piped;
  assert.equal(contents(got), 'error');
});

test('an in-band error event from the translator ends the stream and cancels the upstream', async () => {
  const { body, s } = await committed();
  const got: StreamEvent[] = [];
  const piped = s.pipe((evs) => (got.push(...evs), true));
  body.read('data: b\n\ndata: !\n\n');
  await piped;
  assert.equal(contents(got), 'b|error');
  assert.ok(body.cancelled);
  assert.equal(body.read('data: c\n\n'), false, 'nothing is delivered after the end');
  assert.equal(contents(got), 'b|error');
});

test("backpressure: the sink's false pauses the upstream read; resume() asks the upstream for more", async () => {
  const { body, s } = await committed();
  let full = true;
  const got: StreamEvent[] = [];
  const piped = s.pipe((evs) => (got.push(...evs), !full));
  assert.equal(body.read('data: b\n\n'), false, 'a full client pauses the upstream');
  full = false;
  s.resume();
  assert.equal(body.resumed, 1);
  assert.equal(body.read('data: c\n\n'), true);
  body.consumer!.end();
  await piped;
  assert.equal(contents(got), 'b|c|usage');
});

test('a client that left rejects pipe() with AbortedByClient, also when it left before pipe()', async () => {
  const { body, s } = await committed();
  body.consumer!.fail(new AbortedByClient());
  await assert.rejects(
    s.pipe(() => true),
    AbortedByClient,
  );
});

test('a sink that throws rejects pipe() and cancels the upstream instead of throwing into the HTTP client', async () => {
  const { body, s } = await committed();
  const piped = s.pipe(() => {
    throw new Error('socket gone');
  });
  assert.equal(body.read('data: b\n\n'), false);
  await assert.rejects(piped, /socket gone/);
  assert.ok(body.cancelled);
});

test('an SSE event larger than the body allows: before content a rejection worth a fallback, after it an in-band error', async () => {
  const body = new FakeBody(64);
  const s = new StreamSession(body, translator(), 'P');
  const started = s.start();
  body.read(`data: ${'x'.repeat(50)}`);
  body.read('x'.repeat(50));
  await assert.rejects(started, (e: UpstreamError) => e.code === 'upstream_response_too_large' && e.retryable);
  assert.ok(body.cancelled, "the failed endpoint's body is let go before the fallback");

  const { body: b2, s: s2 } = await (async () => {
    const b = new FakeBody(64);
    const ss = new StreamSession(b, translator(), 'P');
    const st = ss.start();
    b.read('data: a\n\n');
    await st;
    return { body: b, s: ss };
  })();
  const got: StreamEvent[] = [];
  const piped = s2.pipe((evs) => (got.push(...evs), true));
  b2.read(`data: ${'y'.repeat(80)}`);
  await piped;
  assert.equal(contents(got), 'error');
  assert.equal((got[0] as { error: UpstreamError }).error.code, 'upstream_response_too_large');
  assert.ok(b2.cancelled, 'the rest of the upstream body is not read');
});
