import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { geminiDialect } from '../../src/providers/gemini/index.js';
import { fixture } from './gemini-helpers.js';

const map = (status: number, body: string, headers: Record<string, string | string[] | undefined> = {}) =>
  geminiDialect.mapError(status, body, headers);

describe('gemini mapError', () => {
  it('treats an invalid API key (400 API_KEY_INVALID) as ARouter’s upstream auth failure', () => {
    const e = map(400, fixture('error-api-key.json'));
    assert.equal(e.status, 502);
    assert.equal(e.type, 'upstream_auth_error');
    assert.equal(e.retryable, true);
    assert.equal(e.code, 'API_KEY_INVALID');
    assert.equal(e.upstream_status, 400);
    assert.equal(e.message, 'Gemini: API key not valid. Please pass a valid API key.');
    assert.deepEqual(e.upstream_body, JSON.parse(fixture('error-api-key.json')));
  });

  it('treats 403 PERMISSION_DENIED the same way', () => {
    const e = map(403, fixture('error-permission.json'));
    assert.equal(e.status, 502);
    assert.equal(e.type, 'upstream_auth_error');
  });

  it('passes Gemini’s own words for a bad request and a missing model as 400', () => {
    const bad = map(400, fixture('error-invalid-argument.json'));
    assert.equal(bad.status, 400);
    assert.equal(bad.type, 'invalid_request_error');
    assert.equal(bad.retryable, false);
    assert.equal(bad.code, 'INVALID_ARGUMENT');
    assert.match(bad.message, /^Gemini: Invalid JSON payload received\. Unknown name "foo"/);
    const missing = map(404, fixture('error-not-found.json'));
    assert.equal(missing.status, 400);
    assert.match(missing.message, /^Gemini: models\/gemini-0\.9-ultra is not found/);
  });

  it('maps RESOURCE_EXHAUSTED to a retryable 429, with Retry-After or else RetryInfo', () => {
    const fromBody = map(429, fixture('error-rate-limit.json'));
    assert.equal(fromBody.status, 429);
    assert.equal(fromBody.type, 'rate_limit_error');
    assert.equal(fromBody.retryable, true);
    assert.equal(fromBody.retry_after_sec, 37);
    assert.equal(map(429, fixture('error-rate-limit.json'), { 'Retry-After': '5' }).retry_after_sec, 5);
    assert.equal(map(429, '', {}).retry_after_sec, undefined);
  });

  it('maps INTERNAL (even array-wrapped) and UNAVAILABLE to a retryable 502', () => {
    const e = map(500, fixture('error-internal.json'));
    assert.equal(e.status, 502);
    assert.equal(e.type, 'upstream_error');
    assert.equal(e.retryable, true);
    assert.match(e.message, /^Gemini: An internal error has occurred/);
    const u = map(503, '{"error":{"code":503,"message":"The model is overloaded.","status":"UNAVAILABLE"}}');
    assert.deepEqual([u.status, u.retryable, u.code], [502, true, 'UNAVAILABLE']);
  });

  it('maps DEADLINE_EXCEEDED and 408 to a retryable 408 timeout', () => {
    const e = map(504, fixture('error-deadline.json'));
    assert.deepEqual([e.status, e.type, e.retryable], [408, 'timeout', true]);
    assert.equal(map(408, '').status, 408);
  });

  it('handles empty and HTML bodies from proxies', () => {
    const html = map(502, '<html><body><h1>502 Bad Gateway</h1></body></html>');
    assert.deepEqual([html.status, html.retryable, html.message], [502, true, 'Gemini: 502 Bad Gateway']);
    assert.equal(html.upstream_body, undefined);
    const empty = map(401, '');
    assert.deepEqual([empty.status, empty.type, empty.retryable], [502, 'upstream_auth_error', true]);
    assert.equal(map(529, '').status, 503);
    assert.equal(map(413, 'Request Entity Too Large').message, 'Gemini: Request Entity Too Large');
  });
});
