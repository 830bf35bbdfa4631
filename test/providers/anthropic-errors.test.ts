// Error mapping for the anthropic dialect, on Anthropic's error bodies (spec: ErrorResponse).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { anthropicDialect } from '../../src/providers/anthropic/index.js';
import { retryAfterSeconds as retryAfterSec } from '../../src/providers/upstream-error.js';
import { fixtureJson } from '../fixtures/anthropic/helpers.js';

interface Case {
  status: number;
  body: string;
  headers?: Record<string, string>;
}
const cases = fixtureJson<Record<string, Case>>('errors.json');
const map = (name: string) => {
  const c = cases[name];
  return anthropicDialect.mapError(c.status, c.body, c.headers ?? {});
};

test('529 overloaded → 503 upstream_overloaded, retryable', () => {
  const e = map('overloaded');
  assert.deepEqual(
    {
      status: e.status,
      retryable: e.retryable,
      type: e.type,
      code: e.code,
      message: e.message,
      upstream_status: e.upstream_status,
    },
    {
      status: 503,
      retryable: true,
      type: 'upstream_overloaded',
      code: 'overloaded_error',
      message: 'Anthropic: Overloaded',
      upstream_status: 529,
    },
  );
  assert.deepEqual(e.upstream_body, JSON.parse(cases.overloaded.body));
});

test('400 / 404 / 413 → 400 invalid_request_error with the provider message, not retryable', () => {
  const inv = map('invalid');
  assert.equal(inv.status, 400);
  assert.equal(inv.type, 'invalid_request_error');
  assert.equal(inv.message, 'Anthropic: max_tokens: Field required');
  assert.equal(inv.retryable, false);
  const nf = map('not_found');
  assert.equal(nf.status, 400);
  assert.equal(nf.message, 'Anthropic: model: claude-nonexistent');
  assert.equal(nf.code, 'not_found_error');
  const big = map('too_large_html');
  assert.equal(big.status, 400);
  assert.equal(big.retryable, false);
  assert.equal(big.upstream_status, 413);
  assert.match(big.message, /^Anthropic: 413 Request Entity Too Large/);
  assert.equal(big.upstream_body, undefined);
  assert.equal(anthropicDialect.mapError(422, '{}', {}).status, 400);
});

test('401 / 403 → 502 upstream_auth_error, falls back', () => {
  for (const name of ['auth', 'permission']) {
    const e = map(name);
    assert.equal(e.status, 502);
    assert.equal(e.type, 'upstream_auth_error');
    assert.equal(e.retryable, true);
  }
  assert.equal(map('auth').message, 'Anthropic: invalid x-api-key');
});

test('429 → 429 rate_limit_error with retry_after_sec', () => {
  const e = map('rate_limit');
  assert.equal(e.status, 429);
  assert.equal(e.type, 'rate_limit_error');
  assert.equal(e.retryable, true);
  assert.equal(e.retry_after_sec, 17);
  assert.match(e.message, /^Anthropic: Number of request tokens/);
});

test('5xx → 502 upstream_error; 504/408 → 408 timeout; all retryable', () => {
  const api = map('api_error');
  assert.deepEqual([api.status, api.type, api.retryable], [502, 'upstream_error', true]);
  const to = map('timeout');
  assert.deepEqual([to.status, to.type, to.retryable], [408, 'timeout', true]);
  const to408 = anthropicDialect.mapError(408, '', {});
  assert.deepEqual([to408.status, to408.retryable], [408, true]);
  const empty = map('empty_502');
  assert.deepEqual(
    [empty.status, empty.type, empty.retryable, empty.message],
    [502, 'upstream_error', true, 'Anthropic: 502 Bad Gateway'],
  );
  for (const s of [402, 405, 409, 425, 503])
    assert.equal(anthropicDialect.mapError(s, '', {}).retryable, true, String(s));
  for (const s of [400, 404]) assert.equal(anthropicDialect.mapError(s, '', {}).retryable, false, String(s));
});

test('retry-after: seconds, HTTP date, array values, any header case', () => {
  assert.equal(retryAfterSec({ 'Retry-After': '3' }), 3);
  assert.equal(retryAfterSec({ 'retry-after': ['2.5'] }), 3);
  const now = Date.parse('2026-01-01T00:00:00Z');
  assert.equal(retryAfterSec({ 'retry-after': 'Thu, 01 Jan 2026 00:00:30 GMT' }, now), 30);
  assert.equal(retryAfterSec({ 'retry-after': 'soon' }), undefined);
  assert.equal(retryAfterSec({}), undefined);
});
