import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pricing } from '../../src/catalog/types.js';
import { computeCost, emptyUsage, parsePricing, worstCaseCost, type UsageCounts } from '../../src/accounting/cost.js';
import { formatUsd, parseUsd } from '../../src/accounting/money.js';

// Distinct prices per field so every component is identifiable in the totals.
const FULL: Pricing = {
  prompt: '0.000003', // $3 / M
  completion: '0.000015', // $15 / M
  request: '0.001',
  image: '0.0048',
  web_search: '0.01',
  internal_reasoning: '0.00002',
  input_cache_read: '0.0000003',
  input_cache_write: '0.00000375',
};

const ZEROES: Pricing = {
  prompt: '0',
  completion: '0',
  request: '0',
  image: '0',
  web_search: '0',
  internal_reasoning: '0',
  input_cache_read: '0',
  input_cache_write: '0',
};

const u = (over: Partial<UsageCounts>): UsageCounts => ({ ...emptyUsage(), ...over });

test('all eight price fields', () => {
  const c = computeCost(
    FULL,
    u({
      prompt_tokens: 10_000, // 6,000 uncached + 3,000 cache read + 1,000 cache write
      cached_read_tokens: 3_000,
      cache_write_tokens: 1_000,
      completion_tokens: 2_000, // 500 of which reasoning
      reasoning_tokens: 500,
      input_images: 2,
      web_searches: 3,
    }),
  );
  assert.equal(formatUsd(c.prompt), '0.018'); // 6000 * 3e-6
  assert.equal(formatUsd(c.cache_read), '0.0009'); // 3000 * 3e-7
  assert.equal(formatUsd(c.cache_write), '0.00375'); // 1000 * 3.75e-6
  assert.equal(formatUsd(c.completion), '0.0225'); // 1500 * 1.5e-5
  assert.equal(formatUsd(c.reasoning), '0.01'); // 500 * 2e-5
  assert.equal(formatUsd(c.request), '0.001');
  assert.equal(formatUsd(c.image), '0.0096');
  assert.equal(formatUsd(c.web_search), '0.03');
  assert.equal(formatUsd(c.total), '0.09575');
  assert.equal(
    c.total,
    c.prompt + c.cache_read + c.cache_write + c.completion + c.reasoning + c.request + c.image + c.web_search,
  );
  // raw and pre-parsed pricing agree
  assert.deepEqual(
    computeCost(parsePricing(FULL), u({ prompt_tokens: 7, completion_tokens: 3 })),
    computeCost(FULL, u({ prompt_tokens: 7, completion_tokens: 3 })),
  );
});

test('cache price "0" means no published discount: cached tokens at the prompt price', () => {
  const p = { ...FULL, input_cache_read: '0', input_cache_write: '0' };
  const c = computeCost(p, u({ prompt_tokens: 1000, cached_read_tokens: 400, cache_write_tokens: 100 }));
  assert.equal(c.cache_read, parseUsd('0.0012')); // 400 * 3e-6
  assert.equal(c.cache_write, parseUsd('0.0003')); // 100 * 3e-6
  assert.equal(c.prompt, parseUsd('0.0015')); // 500 * 3e-6
  // so the total equals "no caching at all"
  const plain = computeCost(p, u({ prompt_tokens: 1000 }));
  assert.equal(c.total, plain.total);
});

test('free model stays free whatever the usage', () => {
  const c = computeCost(
    ZEROES,
    u({
      prompt_tokens: 5000,
      cached_read_tokens: 1000,
      cache_write_tokens: 1000,
      completion_tokens: 900,
      reasoning_tokens: 800,
      input_images: 3,
      web_searches: 1,
    }),
  );
  assert.equal(c.total, 0n);
});

test('reasoning: at internal_reasoning when set, else at completion price, never double-charged', () => {
  const withPrice = computeCost(FULL, u({ completion_tokens: 1000, reasoning_tokens: 400 }));
  assert.equal(withPrice.reasoning, 400n * parseUsd('0.00002'));
  assert.equal(withPrice.completion, 600n * parseUsd('0.000015'));

  const noPrice = computeCost(
    { ...FULL, internal_reasoning: '0' },
    u({ completion_tokens: 1000, reasoning_tokens: 400 }),
  );
  assert.equal(noPrice.reasoning, 400n * parseUsd('0.000015'));
  assert.equal(noPrice.completion, 600n * parseUsd('0.000015'));
  // total equals 1000 completion tokens, i.e. reasoning was not charged on top
  assert.equal(noPrice.total - noPrice.request, 1000n * parseUsd('0.000015'));
});

test('inconsistent reports are floored, never negative', () => {
  const c = computeCost(
    FULL,
    u({ prompt_tokens: 100, cached_read_tokens: 150, completion_tokens: 10, reasoning_tokens: 20 }),
  );
  assert.equal(c.prompt, 0n);
  assert.equal(c.cache_read, 150n * parseUsd('0.0000003'));
  assert.equal(c.completion, 0n);
  assert.equal(c.reasoning, 20n * parseUsd('0.00002'));
  // garbage counts are treated as zero, fractional ones rounded up
  const g = computeCost(FULL, u({ prompt_tokens: Number.NaN, completion_tokens: -5, input_images: 1.2 }));
  assert.equal(g.prompt, 0n);
  assert.equal(g.completion, 0n);
  assert.equal(g.image, 2n * parseUsd('0.0048'));
});

test('request fee is charged once, even with zero tokens', () => {
  assert.equal(computeCost(FULL, emptyUsage()).total, parseUsd('0.001'));
});

test('parsePricing rejects bad fields with the field name; missing override fields are 0', () => {
  assert.throws(() => parsePricing({ ...FULL, image: '1e-3' }), /pricing\.image: .*exponent/);
  const partial = parsePricing({ prompt: '0.000001', completion: '0.000002' } as unknown as Pricing);
  assert.equal(partial.request, 0n);
  assert.equal(partial.prompt, 1_000_000n);
});

test('worst case bounds every usage within the limits', () => {
  let seed = 99;
  const rnd = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const ri = (n: number) => Math.floor(rnd() * (n + 1));
  const pricings: Pricing[] = [
    FULL,
    ZEROES,
    { ...FULL, input_cache_read: '0', input_cache_write: '0', internal_reasoning: '0' },
    // a cache write dearer than input and reasoning dearer than output: the max must cover them
    { ...FULL, input_cache_write: '0.00001', internal_reasoning: '0.0001' },
    // an odd catalog with cache read above input
    { ...FULL, input_cache_read: '0.00005' },
  ];
  for (const pr of pricings) {
    const parsed = parsePricing(pr);
    for (let i = 0; i < 2000; i++) {
      const promptTokens = ri(50_000);
      const maxOutputTokens = ri(8_000);
      const inputImages = ri(4);
      const webSearches = ri(2);
      const worst = worstCaseCost(parsed, { promptTokens, maxOutputTokens, inputImages, webSearches });
      const prompt_tokens = ri(promptTokens);
      const cached_read_tokens = ri(prompt_tokens);
      const cache_write_tokens = ri(prompt_tokens - cached_read_tokens);
      const completion_tokens = ri(maxOutputTokens);
      const usage = {
        prompt_tokens,
        cached_read_tokens,
        cache_write_tokens,
        completion_tokens,
        reasoning_tokens: ri(completion_tokens),
        input_images: ri(inputImages),
        web_searches: ri(webSearches),
      };
      const actual = computeCost(parsed, usage).total;
      assert.ok(actual <= worst, `actual ${actual} > worst ${worst} for ${JSON.stringify(usage)}`);
    }
  }
  // and the bound is attained: every prompt token written to cache at the max price, all output reasoning
  const parsed = parsePricing({ ...FULL, input_cache_write: '0.00001', internal_reasoning: '0.0001' });
  const worst = worstCaseCost(parsed, { promptTokens: 1000, maxOutputTokens: 100, inputImages: 1 });
  const actual = computeCost(
    parsed,
    u({
      prompt_tokens: 1000,
      cache_write_tokens: 1000,
      completion_tokens: 100,
      reasoning_tokens: 100,
      input_images: 1,
    }),
  ).total;
  assert.equal(actual, worst);
});
