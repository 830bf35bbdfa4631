import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomHex } from '../../src/lib/random-hex.js';
import { generationId } from '../../src/pipeline/ids.js';

test('randomHex: the asked length in lower-case hex, no repeats across pool refills', () => {
  const seen = new Set<string>();
  // 2,000 × 10 bytes crosses the 4 KiB pool several times
  for (let i = 0; i < 2_000; i++) {
    const h = randomHex(10);
    assert.match(h, /^[0-9a-f]{20}$/);
    seen.add(h);
  }
  assert.equal(seen.size, 2_000);
  assert.match(randomHex(1), /^[0-9a-f]{2}$/);
  assert.throws(() => randomHex(5_000), RangeError);
});

test('randomHex: the digits are spread evenly (not a counter, not a constant)', () => {
  const counts = new Map<string, number>();
  for (let i = 0; i < 4_000; i++) for (const c of randomHex(8)) counts.set(c, (counts.get(c) ?? 0) + 1);
  assert.equal(counts.size, 16);
  // 64,000 digits: each of the 16 expected ~4,000 times
  for (const n of counts.values()) assert.ok(n > 3_400 && n < 4_600, String(n));
});

test('generation ids: gen-<unix seconds>-<20 hex digits>, time-prefixed', () => {
  const before = Math.floor(Date.now() / 1000);
  const id = generationId();
  const m = /^gen-(\d+)-([0-9a-f]{20})$/.exec(id);
  assert.ok(m, id);
  assert.ok(Number(m[1]) >= before && Number(m[1]) <= Math.ceil(Date.now() / 1000));
  assert.notEqual(generationId(), id);
});
