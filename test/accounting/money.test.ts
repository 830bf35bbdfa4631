import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  MoneyError,
  PUSD_PER_USD,
  addUsd,
  countToBigInt,
  formatUsd,
  maxUsd,
  minUsd,
  mulCount,
  parseUsd,
  sumUsd,
  toNumberUsd,
} from '../../src/accounting/money.js';

test('parseUsd: plain decimals to picodollars', () => {
  assert.equal(parseUsd('0'), 0n);
  assert.equal(parseUsd('12'), 12n * PUSD_PER_USD);
  assert.equal(parseUsd('0.0000025'), 2_500_000n);
  assert.equal(parseUsd('0.000000075'), 75_000n);
  assert.equal(parseUsd('0.000000000001'), 1n);
  assert.equal(parseUsd('1.5'), 1_500_000_000_000n);
  assert.equal(parseUsd('0.000000000000'), 0n);
  // trailing zeros past 12 decimals lose nothing, so they are accepted
  assert.equal(parseUsd('0.00000000000100'), 1n);
  assert.equal(parseUsd('007'), 7n * PUSD_PER_USD);
});

test('parseUsd: rejections name the problem', () => {
  assert.throws(() => parseUsd('1e-7'), /exponent/);
  assert.throws(() => parseUsd('2.5E-6'), /exponent/);
  assert.throws(() => parseUsd('-0.5'), /negative/);
  assert.throws(() => parseUsd('0.0000000000001'), /more than 12 decimals/);
  for (const bad of ['', ' 1', '1 ', '+1', '.5', '5.', 'abc', '1,5', 'NaN', 'Infinity', '0x10', '1.2.3']) {
    assert.throws(() => parseUsd(bad), MoneyError, `should reject ${JSON.stringify(bad)}`);
  }
  assert.throws(() => parseUsd(0.5 as unknown as string), MoneyError);
});

test('formatUsd: canonical strings', () => {
  assert.equal(formatUsd(0n), '0');
  assert.equal(formatUsd(1n), '0.000000000001');
  assert.equal(formatUsd(2_500_000n), '0.0000025');
  assert.equal(formatUsd(12n * PUSD_PER_USD), '12');
  assert.equal(formatUsd(1_500_000_000_000n), '1.5');
  assert.equal(formatUsd(-2_500_000n), '-0.0000025');
  assert.equal(formatUsd(10n ** 30n), '1' + '0'.repeat(18));
});

test('parse/format round trips', () => {
  for (const s of [
    '0',
    '1',
    '0.1',
    '0.0000025',
    '0.000000075',
    '123456.789012345678',
    '0.000000000001',
    '99999999.999999999999',
  ]) {
    assert.equal(formatUsd(parseUsd(s)), s);
  }
  // random bigints round-trip through their string
  let seed = 42;
  const rnd = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  for (let i = 0; i < 2000; i++) {
    const v = BigInt(Math.floor(rnd() * 1e9)) * BigInt(Math.floor(rnd() * 1e9));
    assert.equal(parseUsd(formatUsd(v)), v);
  }
  // non-canonical inputs normalise
  assert.equal(formatUsd(parseUsd('0.50000')), '0.5');
  assert.equal(formatUsd(parseUsd('00.10')), '0.1');
});

test('toNumberUsd is the nearest double', () => {
  assert.equal(toNumberUsd(0n), 0);
  assert.equal(toNumberUsd(2_500_000n), 0.0000025);
  assert.equal(toNumberUsd(parseUsd('0.1')), 0.1);
  assert.equal(toNumberUsd(parseUsd('123456789.123456789012')), 123456789.123456789012);
  assert.equal(toNumberUsd(-parseUsd('0.3')), -0.3);
});

test('helpers: multiply by counts, add, min/max', () => {
  assert.equal(mulCount(2_500_000n, 1000), 2_500_000_000n);
  assert.equal(mulCount(2_500_000n, 0), 0n);
  assert.throws(() => mulCount(1n, 1.5), MoneyError);
  assert.throws(() => mulCount(1n, -1), MoneyError);
  assert.throws(() => countToBigInt(Number.NaN), MoneyError);
  assert.equal(addUsd(1n, 2n, 3n), 6n);
  assert.equal(addUsd(), 0n);
  assert.equal(sumUsd([1n, 2n, 3n]), 6n);
  assert.equal(maxUsd(1n, 2n), 2n);
  assert.equal(minUsd(1n, 2n), 1n);
});

test('exactness: 10,000 costs summed as bigint equal the sum of their strings; floats drift', () => {
  let seed = 7;
  const rnd = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const prices = ['0.0000025', '0.00001', '0.000000075', '0.00000015', '0.0000006', '0.000003', '0.000015'].map(
    parseUsd,
  );
  const costStrings: string[] = [];
  let total = 0n;
  let floatTotal = 0;
  for (let i = 0; i < 10_000; i++) {
    const pin = prices[Math.floor(rnd() * prices.length)];
    const pout = prices[Math.floor(rnd() * prices.length)];
    const cost = mulCount(pin, Math.floor(rnd() * 20_000)) + mulCount(pout, Math.floor(rnd() * 4_000));
    total += cost;
    const s = formatUsd(cost);
    costStrings.push(s);
    floatTotal += toNumberUsd(cost);
  }
  // recompute from the persisted per-request strings, in a different order
  const recomputed = sumUsd(costStrings.slice().reverse().map(parseUsd));
  assert.equal(recomputed, total);
  // the float sum of the same amounts does not land on the exact total
  const exactAsFloat = toNumberUsd(total);
  assert.notEqual(floatTotal, exactAsFloat, 'float accumulation was expected to drift');
  // the textbook case, for the record
  assert.notEqual(0.1 + 0.2, 0.3);
  assert.equal(formatUsd(parseUsd('0.1') + parseUsd('0.2')), '0.3');
});
