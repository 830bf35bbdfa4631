import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Type } from '@sinclair/typebox';
import { MAX_SCHEMA_ERRORS, compiled, firstProblem } from '../../src/lib/schema.js';
import { preview } from '../../src/http/validate.js';

const Item = Type.Object({ name: Type.String() });
const Body = Type.Object({
  model: Type.String(),
  order: Type.Optional(Type.Array(Type.String())),
  items: Type.Optional(Type.Array(Type.Union([Item, Type.String()]))),
  nested: Type.Optional(Type.Object({ inner: Type.Object({ id: Type.Number() }, { additionalProperties: false }) })),
});

/** a value whose every read is counted: how much of it the error search touched */
function counted<T extends object>(target: T, reads: { n: number }): T {
  return new Proxy(target, {
    get(t, k, r) {
      if (typeof k === 'string' && /^\d+$/.test(k)) reads.n++;
      return Reflect.get(t, k, r);
    },
  });
}

describe('firstProblem', () => {
  it('names the deepest error, preferring a missing required property', () => {
    assert.deepEqual(firstProblem(Body, { model: 'm', nested: { inner: {} } }), {
      field: 'nested.inner.id',
      message: 'Expected required property',
      value: undefined,
    });
    assert.equal(firstProblem(Body, { model: 'm', nested: { inner: { id: 1, x: 2 } } })?.message, 'unknown field');
    assert.equal(firstProblem(Body, { model: 'm' }), null);
  });

  it('stops after a few errors: a million wrong items cost what the first few do', () => {
    const order = new Array(1_000_000).fill(1);
    const reads = { n: 0 };
    const value = { model: 'm', order: counted(order, reads) };
    const t = performance.now();
    const p = firstProblem(Body, value);
    const ms = performance.now() - t;
    assert.deepEqual(p, { field: 'order[0]', message: 'Expected string', value: 1 });
    // Check reads the first item and fails; the error walk reads MAX_SCHEMA_ERRORS more (before: all 1M)
    assert.ok(reads.n <= MAX_SCHEMA_ERRORS + 2, `read ${reads.n} items`);
    assert.ok(ms < 1000, `${ms} ms`);
  });

  it('does not walk the variants of a failed union item', () => {
    const items = new Array(100_000).fill({ nope: 1 });
    const p = firstProblem(Body, { model: 'm', items });
    assert.equal(p?.field, 'items[0]');
  });

  it('picks the deepest by segments, not by the length of the path text', () => {
    const order = ['ok', 'ok', 'ok', 'ok', 'ok', 'ok', 'ok', 'ok', 'ok', 'ok', 1, 2];
    assert.equal(firstProblem(Body, { model: 'm', order })?.field, 'order[10]');
    assert.ok(compiled(Body));
  });
});

describe('preview', () => {
  it('matches JSON.stringify cut to the length, and stops early on huge or deep values', () => {
    for (const v of [1, 'x', null, true, [1, 2, { a: 'b' }], { role: 'bogus', x: [1] }, 'y'.repeat(500), {}, []]) {
      assert.equal(preview(v, 80), JSON.stringify(v).slice(0, 80));
    }
    const reads = { n: 0 };
    assert.equal(preview(counted(new Array(1_000_000).fill(1), reads), 80), '[' + '1,'.repeat(39) + '1');
    assert.ok(reads.n <= 41);
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i++) deep = [deep];
    assert.equal(preview(deep, 80), '['.repeat(80));
  });
});
