import { test } from 'node:test';
import assert from 'node:assert/strict';
import { attemptsHeader } from '../../src/http/chat-output.js';

test('x-arouter-attempts: each attempt as provider=status(duration), skipped breakers named, safe and bounded', () => {
  assert.equal(attemptsHeader([]), '');
  assert.equal(
    attemptsHeader([
      { provider: 'openai', status: 0, duration_ms: 0, error: 'circuit_open' },
      { provider: 'azure', status: 502, duration_ms: 120 },
      { provider: 'together', status: 200, duration_ms: 340 },
    ]),
    'openai=skipped(0ms), azure=502(120ms), together=200(340ms)',
  );
  assert.equal(attemptsHeader([{ provider: 'prövider\n', status: 200, duration_ms: 1 }]), 'pr?vider?=200(1ms)');
  const many = Array.from({ length: 100 }, (_, i) => ({ provider: `provider-${i}`, status: 503, duration_ms: i }));
  const h = attemptsHeader(many);
  assert.equal(h.length, 512);
  assert.ok(h.startsWith('provider-0=503(0ms), provider-1=503(1ms)'));
});
