// The one upstream error policy (src/providers/upstream-error.ts): the status table, the retry-after parser, and
// the three dialects agreeing on it for the same upstream statuses.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  classifyStatus,
  header,
  isUpstreamError,
  retryAfterSeconds,
  RETRY_AFTER_MAX_SEC,
  upstreamError,
  UpstreamResponseError,
  type UpstreamHeaders,
} from '../../src/providers/upstream-error.js';
import { openaiDialect } from '../../src/providers/openai/index.js';
import { errorFromPayload } from '../../src/providers/openai/errors.js';
import { anthropicDialect } from '../../src/providers/anthropic/index.js';
import { mapStreamError as anthropicStreamError } from '../../src/providers/anthropic/errors.js';
import { geminiDialect } from '../../src/providers/gemini/index.js';
import { mapStreamError as geminiStreamError } from '../../src/providers/gemini/errors.js';
import type { DialectAdapter, UpstreamError } from '../../src/providers/types.js';

/** [upstream status, ARouter's status, type, routing may fall back] */
const TABLE: [number, number, string, boolean][] = [
  [400, 400, 'invalid_request_error', false],
  [404, 400, 'invalid_request_error', false],
  [413, 400, 'invalid_request_error', false],
  [422, 400, 'invalid_request_error', false],
  [401, 502, 'upstream_auth_error', true],
  [403, 502, 'upstream_auth_error', true],
  [402, 502, 'upstream_error', true],
  [405, 502, 'upstream_error', true],
  [409, 502, 'upstream_error', true],
  [410, 502, 'upstream_error', true],
  [425, 502, 'upstream_error', true],
  [408, 408, 'timeout', true],
  [504, 408, 'timeout', true],
  [429, 429, 'rate_limit_error', true],
  [529, 503, 'upstream_overloaded', true],
  [500, 502, 'upstream_error', true],
  [502, 502, 'upstream_error', true],
  [503, 502, 'upstream_error', true],
];

test('classifyStatus: every row of the status policy', () => {
  for (const [upstream, status, type, retryable] of TABLE) {
    assert.deepEqual(classifyStatus(upstream), { status, type, retryable }, `upstream ${upstream}`);
  }
});

test('classifyStatus: only the client-error row ends the walk', () => {
  for (let s = 400; s <= 599; s++) {
    const c = classifyStatus(s);
    assert.equal(c.retryable, c.status !== 400, `upstream ${s}`);
  }
});

test('header(): any case, first of an array, absent', () => {
  const h: UpstreamHeaders = { 'Retry-After': '3', 'x-multi': ['a', 'b'], 'x-none': undefined };
  assert.equal(header(h, 'retry-after'), '3');
  assert.equal(header(h, 'X-Multi'), 'a');
  assert.equal(header(h, 'x-none'), undefined);
  assert.equal(header(h, 'missing'), undefined);
});

test('retryAfterSeconds: retry-after-ms, delta-seconds, HTTP dates, garbage, the bound', () => {
  const now = Date.parse('2026-01-01T00:00:00Z');
  const ra = (h: UpstreamHeaders) => retryAfterSeconds(h, now);
  assert.equal(ra({ 'retry-after-ms': '1500' }), 2);
  assert.equal(ra({ 'retry-after-ms': '1500', 'retry-after': '9' }), 2, 'the ms form is the more precise one');
  assert.equal(ra({ 'retry-after-ms': 'x', 'retry-after': '9' }), 9, 'a bad ms form falls back to retry-after');
  assert.equal(ra({ 'retry-after': '3' }), 3);
  assert.equal(ra({ 'Retry-After': ['2.5'] }), 3);
  assert.equal(ra({ 'retry-after': ' 0 ' }), 0);
  // IMF-fixdate, RFC 850 and asctime (RFC 9110 §5.6.7)
  assert.equal(ra({ 'retry-after': 'Thu, 01 Jan 2026 00:00:30 GMT' }), 30);
  assert.equal(ra({ 'retry-after': 'Thursday, 01-Jan-26 00:00:30 GMT' }), 30);
  assert.equal(ra({ 'retry-after': 'Thu Jan  1 00:00:30 2026' }) !== undefined, true);
  assert.equal(ra({ 'retry-after': 'Wed, 31 Dec 2025 23:00:00 GMT' }), 0, 'a date in the past');
  assert.equal(ra({ 'retry-after': 'Fri, 02 Jan 2026 00:00:00 GMT' }), RETRY_AFTER_MAX_SEC, 'a day away is clamped');
  assert.equal(ra({ 'retry-after': '999999' }), RETRY_AFTER_MAX_SEC);
  // Date.parse alone would take '2026-01-01' and 'Jan 2026'
  for (const garbage of ['soon', '2026-01-01', 'Jan 2026', '-5', '1e3', '', 'Thu, 99 Foo 2026']) {
    assert.equal(ra({ 'retry-after': garbage }), undefined, JSON.stringify(garbage));
  }
  assert.equal(ra({}), undefined);
});

test('fromStatus: retry-after is kept for 429/503/529 only, never for an exhausted quota; headers beat the body', () => {
  const h = { 'retry-after': '7' };
  const x = { message: 'm', code: null };
  assert.equal(upstreamError.fromStatus('P', 429, x, { headers: h }).retry_after_sec, 7);
  assert.equal(upstreamError.fromStatus('P', 503, x, { headers: h }).retry_after_sec, 7);
  assert.equal(upstreamError.fromStatus('P', 529, x, { headers: h }).retry_after_sec, 7);
  assert.equal(upstreamError.fromStatus('P', 500, x, { headers: h }).retry_after_sec, undefined);
  assert.equal(upstreamError.fromStatus('P', 400, x, { headers: h }).retry_after_sec, undefined);
  const quota = upstreamError.fromStatus('P', 429, { ...x, quotaExhausted: true }, { headers: h });
  assert.equal(quota.retry_after_sec, undefined);
  assert.match(quota.message, /^P: ARouter's account at this provider has exhausted its quota: m$/);
  const body = { ...x, retryAfterSec: 37 };
  assert.equal(upstreamError.fromStatus('P', 429, body, { headers: h }).retry_after_sec, 7);
  assert.equal(upstreamError.fromStatus('P', 429, body, { headers: {} }).retry_after_sec, 37);
});

test('fromResponse: non-JSON bodies give an excerpt as the message and no upstream_body', () => {
  const html = upstreamError.fromResponse('P', 502, '<html><h1>Bad   gateway</h1></html>', {}, () => null);
  assert.equal(html.message, 'P: Bad gateway');
  assert.equal(html.upstream_body, undefined);
  const empty = upstreamError.fromResponse('P', 503, '  ', {}, () => null);
  assert.equal(empty.message, 'P: 503 Service Unavailable');
  const json = upstreamError.fromResponse('P', 500, '{"weird":1}', {}, () => null);
  assert.deepEqual([json.message, json.upstream_body], ['P: 500 Internal Server Error', { weird: 1 }]);
});

test('factories: plain objects that survive spread and JSON; UpstreamResponseError is one too', () => {
  const all: UpstreamError[] = [
    upstreamError.invalidResponse('P', 'no choices'),
    upstreamError.tooLarge(10, 'an answer'),
    upstreamError.emptyStream('P'),
    upstreamError.truncated('P'),
    upstreamError.timeout('connecting'),
    upstreamError.deadlineExceeded(),
    upstreamError.network('ECONNRESET'),
    upstreamError.noEndpoint(4),
    upstreamError.credentialsRefused('P', 401),
    upstreamError.invalidRequest('bad'),
    upstreamError.cancelled(),
    upstreamError.shuttingDown(),
  ];
  for (const e of all) {
    assert.ok(isUpstreamError(e), e.code ?? '');
    assert.deepEqual(JSON.parse(JSON.stringify(e)), { ...e });
    assert.equal(typeof e.code, 'string');
  }
  const codes = all.map((e) => e.code);
  assert.equal(new Set(codes).size, codes.length, 'each failure has its own stable code');
  const thrown = new UpstreamResponseError(all[0]);
  assert.ok(thrown instanceof Error && isUpstreamError(thrown));
  assert.deepEqual([thrown.status, thrown.code, thrown.retryable], [502, 'upstream_invalid_response', true]);
  assert.ok(thrown.stack?.includes('upstream-error.test.ts'));
});

const DIALECTS: [string, DialectAdapter, (status: number) => string][] = [
  ['openai', openaiDialect, () => JSON.stringify({ error: { message: 'boom', type: 'x', code: 'y' } })],
  [
    'anthropic',
    anthropicDialect,
    () => JSON.stringify({ type: 'error', error: { type: 'api_error', message: 'boom' } }),
  ],
  ['gemini', geminiDialect, (s) => JSON.stringify({ error: { code: s, message: 'boom', status: 'INTERNAL' } })],
];

test('dialect conformance: the same upstream status means the same answer in every dialect', () => {
  for (const [upstream, status, type, retryable] of TABLE) {
    for (const [name, dialect, body] of DIALECTS) {
      for (const text of [body(upstream), '', '<html>proxy</html>']) {
        const e = dialect.mapError(upstream, text, { 'retry-after': '7' }, 'Prov');
        const what = `${name} ${upstream} ${JSON.stringify(text.slice(0, 20))}`;
        assert.deepEqual([e.status, e.type, e.retryable], [status, type, retryable], what);
        assert.equal(e.upstream_status, upstream, what);
        assert.match(e.message, /^Prov: /, what);
        const keepsDelay = upstream === 429 || upstream === 503 || upstream === 529;
        assert.equal(e.retry_after_sec, keepsDelay ? 7 : undefined, what);
      }
    }
  }
});

test('dialect conformance: errors inside a 200 stream', () => {
  const overloaded = [
    errorFromPayload({ error: { message: 'busy', type: 'overloaded_error' } }),
    anthropicStreamError({ type: 'error', error: { type: 'overloaded_error', message: 'busy' } }),
    geminiStreamError({ error: { code: 529, message: 'busy', status: 'UNAVAILABLE' } }),
  ];
  for (const e of overloaded) assert.deepEqual([e.status, e.type, e.retryable], [503, 'upstream_overloaded', true]);
  const refused = [
    errorFromPayload({ error: { message: 'too long', type: 'invalid_request_error' } }),
    anthropicStreamError({ type: 'error', error: { type: 'invalid_request_error', message: 'too long' } }),
    geminiStreamError({ error: { code: 400, message: 'too long', status: 'INVALID_ARGUMENT' } }),
  ];
  for (const e of refused) assert.deepEqual([e.status, e.retryable], [400, false]);
  const unknown = [errorFromPayload({ error: {} }), anthropicStreamError({}), geminiStreamError({})];
  for (const e of unknown) assert.deepEqual([e.status, e.type, e.retryable], [502, 'upstream_error', true]);
});

test("Gemini's API_KEY_INVALID on a 400 is ARouter's key refused, not the client's mistake", () => {
  const body = JSON.stringify({
    error: {
      code: 400,
      message: 'API key not valid.',
      status: 'INVALID_ARGUMENT',
      details: [{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'API_KEY_INVALID' }],
    },
  });
  const e = geminiDialect.mapError(400, body, {});
  assert.deepEqual([e.status, e.type, e.retryable, e.upstream_status], [502, 'upstream_auth_error', true, 400]);
});
