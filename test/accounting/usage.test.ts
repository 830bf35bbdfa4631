import { test } from 'node:test';
import assert from 'node:assert/strict';
import { usageJson, usageText, type FinalUsage } from '../../src/accounting/usage.js';

const fu = (over: Partial<FinalUsage['counts']> = {}, estimated = false): FinalUsage => ({
  counts: {
    prompt_tokens: 12,
    completion_tokens: 34,
    cached_read_tokens: 5,
    cache_write_tokens: 6,
    reasoning_tokens: 7,
    input_images: 0,
    web_searches: 0,
    ...over,
  },
  estimated,
  cost: 0n,
});

test('usageText is JSON.stringify(usageJson) byte for byte', () => {
  for (const [f, cost] of [
    [fu(), 0.000123],
    [fu({}, true), 0],
    [fu({ prompt_tokens: 0, completion_tokens: 0 }), 1e-7],
    [fu({ completion_tokens: 123_456_789 }), 12.5],
  ] as const) {
    assert.equal(usageText(f, cost), JSON.stringify(usageJson(f, cost)));
  }
});

test('usageText: a count that is not a finite number is written as JSON writes it (null), not as NaN', () => {
  const f = fu({ cached_read_tokens: Number.NaN });
  const text = usageText(f, 0.5);
  assert.equal(text, JSON.stringify(usageJson(f, 0.5)));
  assert.equal(
    (JSON.parse(text) as { prompt_tokens_details: { cached_tokens: null } }).prompt_tokens_details.cached_tokens,
    null,
  );
});
