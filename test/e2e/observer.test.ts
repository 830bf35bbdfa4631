// The observer seam (src/routing/observer.ts) through a real gateway: a recording observer sees each request's
// start, every upstream attempt (a fallback included) with its outcome, the first token of a stream and one end
// with the ledger's numbers; the headers an attempt's watcher returns reach the upstream; two observers both see
// everything; a request refused before routing still ends once.
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import type { SimSet, TestGateway } from '../helpers/gateway.js';
import { chat, chatCalls, generation, post, startRoutingGateway } from '../helpers/routing.js';
import type {
  AttemptEnd,
  AttemptStart,
  RequestEnd,
  RequestObserver,
  RequestStart,
} from '../../src/routing/observer.js';

const LLAMA = 'meta-llama/llama-3.3-70b-instruct';
const GROQ_LLAMA = 'llama-3.3-70b-versatile';
const GROQ_FIRST = { order: ['groq', 'deepinfra'] };

interface Seen {
  start: RequestStart;
  attempts: Array<{ start: AttemptStart; sent: boolean; end: AttemptEnd | null }>;
  firstToken: number | null;
  ends: RequestEnd[];
}

function recorder(tag: string): { observer: RequestObserver; seen: Seen[] } {
  const seen: Seen[] = [];
  const observer: RequestObserver = {
    request(start) {
      const s: Seen = { start, attempts: [], firstToken: null, ends: [] };
      seen.push(s);
      return {
        attempt(a) {
          const rec = { start: a, sent: false, end: null as AttemptEnd | null };
          s.attempts.push(rec);
          return {
            outbound() {
              rec.sent = true;
              return { [`x-observed-${tag}`]: `${a.provider}-${a.index}` };
            },
            end(e) {
              assert.equal(rec.end, null, 'an attempt ends once');
              rec.end = e;
            },
          };
        },
        firstToken(at) {
          s.firstToken = at;
        },
        end(e) {
          s.ends.push(e);
        },
      };
    },
  };
  return { observer, seen };
}

let gw: TestGateway;
let sims: SimSet;
const one = recorder('a');
const two = recorder('b');
before(async () => {
  ({ gw, sims } = await startRoutingGateway({ routing: { breaker_failures: 1000 } }));
  gw.app.addObserver(one.observer);
  gw.app.addObserver(two.observer);
});
after(async () => {
  await gw.close();
  await sims.close();
});
beforeEach(() => {
  sims.resetAll();
  one.seen.length = 0;
  two.seen.length = 0;
});

test('a fallback: two attempts (503, then ok), one end with the ledger row’s numbers', async () => {
  sims.openai.script({ match: { model: GROQ_LLAMA }, status: 503 });
  const res = await chat(gw, { model: LLAMA, provider: GROQ_FIRST });
  assert.equal(res.status, 200);
  const g = await generation(gw, res.body.id);
  for (const { seen } of [one, two]) {
    assert.equal(seen.length, 1);
    const [s] = seen;
    assert.equal(s.start.api, 'chat');
    assert.equal(s.start.route, '/v1/chat/completions');
    assert.equal(s.start.requestedModel, LLAMA);
    assert.equal(s.start.stream, false);
    assert.equal(s.start.incoming.url, '/v1/chat/completions');
    assert.deepEqual(
      s.attempts.map((a) => [a.start.provider, a.start.index, a.start.fallback, a.sent, a.end?.outcome, a.end?.status]),
      [
        ['groq', 0, false, true, 'http', 503],
        ['deepinfra', 1, true, true, 'ok', 200],
      ],
    );
    assert.deepEqual(s.attempts[0].end!.record, g.attempts[0], 'the attempt log entry, as in the ledger');
    assert.equal(s.firstToken, null, 'no first token for a JSON answer');
    assert.equal(s.ends.length, 1);
    const e = s.ends[0];
    assert.equal(e.status, 200);
    assert.equal(e.model, LLAMA);
    assert.equal(e.provider, 'deepinfra');
    assert.equal(e.usage!.input, res.body.usage.prompt_tokens);
    assert.equal(e.usage!.output, res.body.usage.completion_tokens);
    assert.equal(e.attempts.length, 2);
    assert.ok(e.costPusd > 0n);
  }
  // both observers' headers went on each attempt's upstream request
  const calls = chatCalls(sims);
  assert.deepEqual(
    calls.map((c) => [c.headers['x-observed-a'], c.headers['x-observed-b']]),
    [
      ['groq-0', 'groq-0'],
      ['deepinfra-1', 'deepinfra-1'],
    ],
  );
});

test('a stream: first token, then the end with its ttft; the attempt ends with the answer', async () => {
  const res = await chat(gw, { model: LLAMA, provider: GROQ_FIRST, stream: true });
  assert.equal(res.status, 200);
  const [s] = one.seen;
  assert.equal(s.start.stream, true);
  assert.ok(s.firstToken !== null);
  assert.equal(s.attempts.length, 1);
  assert.equal(s.attempts[0].end!.outcome, 'ok');
  assert.equal(s.ends.length, 1);
  assert.ok(s.ends[0].ttftMs !== null && s.ends[0].ttftMs >= 0);
  assert.ok(s.ends[0].latencyMs >= s.ends[0].ttftMs);
});

test('refused before routing (unknown model): one end, its status, no attempt', async () => {
  const res = await chat(gw, { model: 'nobody/nothing-at-all' });
  assert.equal(res.status, 404);
  const [s] = one.seen;
  assert.equal(s.start.requestedModel, 'nobody/nothing-at-all');
  assert.equal(s.attempts.length, 0);
  assert.deepEqual(
    s.ends.map((e) => [e.status, e.model]),
    [[404, null]],
  );
});

test('every endpoint fails: each attempt ends http, the request ends with the error once', async () => {
  sims.openai.script({ match: { model: GROQ_LLAMA }, status: 500 });
  sims.openai.script({ status: 500 });
  const res = await chat(gw, { model: LLAMA, provider: { ...GROQ_FIRST, allow_fallbacks: false } });
  assert.equal(res.status, 502);
  const [s] = one.seen;
  assert.ok(s.attempts.length >= 1);
  for (const a of s.attempts) assert.equal(a.end!.outcome, 'http');
  assert.equal(s.ends.length, 1);
  assert.equal(s.ends[0].status, 502);
  assert.equal(s.ends[0].model, null);
});

test('embeddings and the Messages API report through the same seam', async () => {
  const emb = await post(gw, '/embeddings', { model: 'openai/text-embedding-3-small', input: 'hello' });
  assert.equal(emb.status, 200);
  const msg = await post(gw, '/messages', {
    model: LLAMA,
    max_tokens: 64,
    messages: [{ role: 'user', content: 'Say hello' }],
  });
  assert.equal(msg.status, 200, JSON.stringify(msg.body));
  assert.deepEqual(
    one.seen.map((s) => [s.start.api, s.attempts.map((a) => a.end?.outcome), s.ends.length, s.ends[0].status]),
    [
      ['embeddings', ['ok'], 1, 200],
      ['messages', ['ok'], 1, 200],
    ],
  );
  assert.equal(one.seen[0].ends[0].usage!.input, emb.body.usage.prompt_tokens);
});
