// Issue 12 item 7: wrong statuses. A max_tokens or a prompt too big for every endpoint is the client's 400
// (naming max_tokens / the context limit), not a 503 to retry; a provider refusing the OPERATOR's key gives
// the client an error naming the provider and nothing of the provider's answer (account ids, key hints),
// while the operator's log has it all — and another endpoint still serves the request when there is one.
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { startDemoGateway, type SimSet, type TestGateway } from '../helpers/gateway.js';
import { Logger } from '../../src/lib/log.js';

let gw: TestGateway;
let sims: SimSet;
const lines: Array<Record<string, unknown>> = [];

before(async () => {
  ({ gw, sims } = await startDemoGateway(
    {},
    new Logger('info', (l) => lines.push(JSON.parse(l) as Record<string, unknown>)),
  ));
});
after(async () => {
  await gw.close();
  await sims.close();
});
beforeEach(() => sims.resetAll());

interface ErrorBody {
  error: {
    message: string;
    type: string;
    code: number;
    param: string | null;
    metadata: { code: string } & Record<string, unknown>;
  };
}

async function chat(
  body: Record<string, unknown> | string,
): Promise<{ status: number; text: string; body: ErrorBody }> {
  const res = await gw.fetch('/chat/completions', {
    method: 'POST',
    body: typeof body === 'string' ? body : JSON.stringify(body),
    headers: { 'content-type': 'application/json' },
  });
  const text = await res.text();
  return { status: res.status, text, body: JSON.parse(text) as ErrorBody };
}

const hi = [{ role: 'user', content: 'hi' }];

test('max_tokens 1e308 and 1e9 (above every endpoint maximum) → 400 naming max_tokens and the largest limit', async () => {
  // 1e308 passes an integer schema (Number.isInteger(1e308) is true): it reaches the planner as written
  const huge = await chat(`{"model":"openai/gpt-4o","max_tokens":1e308,"messages":[{"role":"user","content":"hi"}]}`);
  assert.equal(huge.status, 400, huge.text);
  assert.equal(huge.body.error.param, 'max_tokens');
  assert.equal(huge.body.error.metadata.code, 'max_tokens_exceeded');
  assert.match(huge.body.error.message, /largest output limit of openai\/gpt-4o: 16384 tokens/);
  const big = await chat({ model: 'meta-llama/llama-3.3-70b-instruct', max_tokens: 1e9, messages: hi });
  assert.equal(big.status, 400, big.text);
  assert.equal(big.body.error.param, 'max_tokens');
  assert.match(big.body.error.message, /: 131072 tokens$/);
  const named = await chat({ model: 'openai/gpt-4o', max_completion_tokens: 1e9, messages: hi });
  assert.equal(named.status, 400, named.text);
  assert.equal(named.body.error.param, 'max_completion_tokens');
  assert.equal(sims.openai.requests.length, 0, 'no upstream was called');
});

test('a 7.5 MB prompt far over every context → 400 context_length_exceeded naming the limit', async () => {
  const content = 'lorem ipsum dolor sit amet '.repeat(Math.ceil(7.5e6 / 27));
  const r = await chat({ model: 'openai/gpt-4o', messages: [{ role: 'user', content }] });
  assert.equal(r.status, 400, r.text.slice(0, 500));
  assert.equal(r.body.error.metadata.code, 'context_length_exceeded');
  assert.equal(r.body.error.param, 'messages');
  assert.equal(r.body.error.type, 'invalid_request_error');
  assert.match(r.body.error.message, /largest context of openai\/gpt-4o: 128000 tokens < \d+ prompt tokens/);
  assert.equal(sims.openai.requests.length, 0);
});

const SECRET = 'Incorrect API key provided: sk-proj-****WXYZ. Organization org-Acme7731 (billing: ops@acme.example)';

test('an upstream 401 on the only endpoint → 502 naming the provider, none of its words; the log has them', async () => {
  const before = lines.length;
  sims.openai.script({ status: 401, message: SECRET });
  const r = await chat({ model: 'openai/gpt-4o', messages: hi });
  assert.equal(r.status, 502, r.text);
  assert.equal(r.body.error.type, 'upstream_auth_error');
  assert.match(r.body.error.message, /^OpenAI refused ARouter's credentials \(HTTP 401\)/);
  for (const leak of ['sk-proj', 'org-Acme7731', 'ops@acme', 'Incorrect API key', 'upstream_body']) {
    assert.ok(!r.text.includes(leak), `the client's answer contains ${leak}: ${r.text}`);
  }
  const logged = lines.slice(before).filter((l) => l.msg === 'provider refused ARouter credentials');
  assert.equal(logged.length, 1, 'one log line per occurrence');
  assert.equal(logged[0].level, 'error');
  assert.equal(logged[0].provider, 'openai');
  assert.match(String(logged[0].message), /org-Acme7731/);
  assert.ok(JSON.stringify(logged[0].upstream_body).includes('sk-proj-****WXYZ'));
});

test('a streamed request refused the same way: the same clean error', async () => {
  sims.openai.script({ status: 403, message: SECRET });
  const r = await chat({ model: 'openai/gpt-4o', stream: true, messages: hi });
  assert.equal(r.status, 502, r.text);
  assert.ok(!r.text.includes('org-Acme7731'), r.text);
  assert.match(r.body.error.message, /OpenAI refused ARouter's credentials \(HTTP 403\)/);
});

test('an upstream 401 on one endpoint still falls back to the next, and the attempt log is clean', async () => {
  const before = lines.length;
  sims.openai.script({ status: 401, message: SECRET });
  const res = await gw.fetch('/chat/completions', {
    method: 'POST',
    json: { model: 'meta-llama/llama-3.3-70b-instruct', messages: hi },
  });
  const text = await res.text();
  assert.equal(res.status, 200, text);
  const attempts = res.headers.get('x-arouter-attempts') ?? '';
  assert.ok(!attempts.includes('org-Acme7731') && !text.includes('org-Acme7731'), attempts);
  assert.equal(sims.openai.requests.length, 2, 'the refused endpoint, then another');
  assert.equal(lines.slice(before).filter((l) => l.msg === 'provider refused ARouter credentials').length, 1);
});
