import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isoTime } from '../../src/lib/clock.js';

test('isoTime equals Date#toISOString for every millisecond layout and across seconds', () => {
  const base = Date.UTC(2026, 10, 29, 23, 59, 58, 0);
  for (let ms = base; ms < base + 3_000; ms += 7) assert.equal(isoTime(ms), new Date(ms).toISOString());
  for (const ms of [0, 1, 9, 10, 99, 100, 999, 1000, Date.UTC(1999, 11, 31, 23, 59, 59, 999), Date.UTC(2000, 0, 1)]) {
    assert.equal(isoTime(ms), new Date(ms).toISOString());
  }
  // going back in time (clock adjustments) must not reuse a later second's text
  assert.equal(isoTime(base + 5_123), new Date(base + 5_123).toISOString());
  assert.equal(isoTime(base + 1_001), new Date(base + 1_001).toISOString());
});

test('isoTime outside the four-digit years falls back to the full conversion', () => {
  const far = Date.UTC(12000, 0, 1, 0, 0, 0, 5);
  assert.equal(isoTime(far), new Date(far).toISOString());
  const bc = Date.UTC(-5, 0, 1, 0, 0, 0, 5);
  assert.equal(isoTime(bc), new Date(bc).toISOString());
});

test('isoTime without an argument is now', () => {
  const before = Date.now();
  const t = Date.parse(isoTime());
  assert.ok(t >= before && t <= Date.now());
});
