// Generated image / audio tokens in the cost: at pricing.image_output / audio_output where the catalog has
// them (once, not again as completion), else at the completion price; the worst case covers the dearest.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { computeCost, emptyUsage, worstCaseCost } from '../../src/accounting/cost.js';
import { parseUsd } from '../../src/accounting/money.js';
import type { Pricing } from '../../src/catalog/types.js';

const base: Pricing = {
  prompt: '0.000001',
  completion: '0.000002',
  request: '0',
  image: '0',
  web_search: '0',
  internal_reasoning: '0',
  input_cache_read: '0',
  input_cache_write: '0',
};

test('audio tokens at audio_output, image tokens at image_output, the rest of completion at completion', () => {
  const pricing = { ...base, audio_output: '0.00001511', image_output: '0.00003' };
  const u = {
    ...emptyUsage(),
    prompt_tokens: 10,
    completion_tokens: 1000,
    output_audio_tokens: 300,
    output_image_tokens: 600,
  };
  const c = computeCost(pricing, u);
  assert.equal(c.audio_output, parseUsd('0.00001511') * 300n);
  assert.equal(c.image_output, parseUsd('0.00003') * 600n);
  assert.equal(c.completion, parseUsd('0.000002') * 100n);
  assert.equal(c.total, c.prompt + c.completion + c.audio_output + c.image_output);
});

test('without an output price, media tokens cost the completion price (and are charged once)', () => {
  const u = { ...emptyUsage(), completion_tokens: 1295, output_image_tokens: 1290 };
  const c = computeCost(base, u);
  assert.equal(c.total, parseUsd('0.000002') * 1295n);
  assert.equal(c.image_output, parseUsd('0.000002') * 1290n);
});

test('the worst case covers a completion made entirely of the dearest media', () => {
  const pricing = { ...base, audio_output: '0.00002' };
  const worst = worstCaseCost(pricing, { promptTokens: 10, maxOutputTokens: 100 });
  const all = computeCost(pricing, {
    ...emptyUsage(),
    prompt_tokens: 10,
    completion_tokens: 100,
    output_audio_tokens: 100,
  });
  assert.ok(worst >= all.total, `${worst} < ${all.total}`);
  assert.equal(worst, parseUsd('0.000001') * 10n + parseUsd('0.00002') * 100n);
});

test('prompt audio tokens at pricing.audio (once, not again as prompt), else at the prompt price; worst case covers it', () => {
  const pricing = { ...base, audio: '0.000003' };
  const u = {
    ...emptyUsage(),
    prompt_tokens: 1000,
    cached_read_tokens: 100,
    completion_tokens: 10,
    input_audio_tokens: 400,
  };
  const c = computeCost(pricing, u);
  assert.equal(c.audio_input, parseUsd('0.000003') * 400n);
  assert.equal(c.prompt, parseUsd('0.000001') * 500n); // 1000 − 100 cached − 400 audio
  assert.equal(c.total, c.prompt + c.cache_read + c.completion + c.audio_input);
  // no audio price: audio tokens are prompt tokens
  const plain = computeCost(base, u);
  assert.equal(plain.audio_input, parseUsd('0.000001') * 400n);
  assert.equal(plain.prompt + plain.audio_input, parseUsd('0.000001') * 900n);
  // a count above the uncached prompt never bills more tokens than the prompt had
  const odd = computeCost(pricing, { ...u, input_audio_tokens: 5000 });
  assert.equal(odd.audio_input, parseUsd('0.000003') * 900n);
  assert.equal(odd.prompt, 0n);
  // the reservation prices every prompt token at the dearest input price
  assert.equal(worstCaseCost(pricing, { promptTokens: 1000, maxOutputTokens: 0 }), parseUsd('0.000003') * 1000n);
});
