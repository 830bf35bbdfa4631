import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  MAX_SCHEMA_DEPTH,
  MAX_SCHEMA_NODES,
  declaresNoParameters,
  rawJsonSchema,
  toGeminiSchema,
} from '../../src/providers/gemini/schema.js';
import { InvalidRequestError } from '../../src/providers/errors.js';
import { protoErrors } from './gemini-helpers.js';

describe('gemini JSON Schema → Schema conversion', () => {
  it('converts a Pydantic-style schema: $defs/$ref inlined, allOf wrapper, Optional, enum, formats', () => {
    const schema = {
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      title: 'Order',
      type: 'object',
      additionalProperties: false,
      properties: {
        id: { type: 'integer', format: 'int64', minimum: 1, exclusiveMaximum: 1e12 },
        status: { $ref: '#/$defs/Status' },
        placed: { type: 'string', format: 'date-time', examples: ['2025-01-01T00:00:00Z'] },
        customer: { allOf: [{ $ref: '#/$defs/Customer' }], description: 'Who ordered' },
        note: { anyOf: [{ type: 'string', maxLength: 200 }, { type: 'null' }], default: null },
        tags: { type: ['array', 'null'], items: { type: 'string' }, uniqueItems: true, maxItems: 5 },
        color: { const: 'red' },
        price: { type: 'number', multipleOf: 0.01 },
      },
      required: ['id', 'status', 'ghost'],
      $defs: {
        Status: { type: 'string', enum: ['new', 'paid', null] },
        Customer: { type: 'object', properties: { name: { type: 'string' } }, required: ['name'] },
      },
    };
    const out = toGeminiSchema(schema);
    assert.deepEqual(out, {
      type: 'OBJECT',
      title: 'Order',
      properties: {
        id: { type: 'INTEGER', format: 'int64', minimum: 1 },
        status: { type: 'STRING', enum: ['new', 'paid'], nullable: true },
        placed: { type: 'STRING', format: 'date-time', example: '2025-01-01T00:00:00Z' },
        customer: {
          type: 'OBJECT',
          description: 'Who ordered',
          properties: { name: { type: 'STRING' } },
          required: ['name'],
        },
        note: { type: 'STRING', maxLength: 200, nullable: true, default: null },
        tags: { type: 'ARRAY', nullable: true, items: { type: 'STRING' }, maxItems: 5 },
        color: { type: 'STRING', enum: ['red'] },
        price: { type: 'NUMBER' },
      },
      required: ['id', 'status'],
    });
    assert.deepEqual(protoErrors(out, 'Schema'), []);
  });

  it('adds propertyOrdering on request, keeping a given one', () => {
    const out = toGeminiSchema(
      {
        type: 'object',
        properties: {
          b: { type: 'string' },
          a: { type: 'object', properties: { y: { type: 'boolean' } }, propertyOrdering: ['y'] },
        },
      },
      { propertyOrdering: true },
    );
    assert.deepEqual(out?.propertyOrdering, ['b', 'a']);
    assert.deepEqual((out?.properties as any).a.propertyOrdering, ['y']);
  });

  it('returns null for what the Schema subset cannot express', () => {
    const cannot: Record<string, unknown> = {
      recursion: { type: 'object', properties: { next: { $ref: '#' } } },
      union: { type: 'object', properties: { v: { oneOf: [{ type: 'string' }, { type: 'number' }] } } },
      typeUnion: { type: 'object', properties: { v: { type: ['string', 'number'] } } },
      numericEnum: { type: 'object', properties: { v: { type: 'integer', enum: [1, 2] } } },
      freeForm: { type: 'object', properties: { meta: { type: 'object', additionalProperties: { type: 'string' } } } },
      anyValue: { type: 'object', properties: { v: {} } },
      tuple: { type: 'object', properties: { v: { type: 'array', prefixItems: [{ type: 'string' }] } } },
      noItems: { type: 'object', properties: { v: { type: 'array' } } },
      not: { type: 'object', properties: { v: { not: { type: 'string' } } } },
      remoteRef: { type: 'object', properties: { v: { $ref: 'https://example.com/s.json' } } },
      allOfMany: { allOf: [{ type: 'object' }, { properties: { a: { type: 'string' } } }] },
    };
    for (const [name, schema] of Object.entries(cannot)) assert.equal(toGeminiSchema(schema), null, name);
  });

  it('knows a parameterless function schema', () => {
    assert.equal(declaresNoParameters({ type: 'object', properties: {} }), true);
    assert.equal(declaresNoParameters({ type: 'object', additionalProperties: false, $schema: 'x' }), true);
    assert.equal(declaresNoParameters({}), true);
    assert.equal(declaresNoParameters({ type: 'object', properties: { a: { type: 'string' } } }), false);
    assert.equal(declaresNoParameters({ type: 'object', additionalProperties: { type: 'string' } }), false);
    assert.equal(declaresNoParameters({ anyOf: [{ type: 'object' }] }), false);
  });

  it('strips only $schema for the raw JSON Schema field', () => {
    assert.deepEqual(rawJsonSchema({ $schema: 'x', type: 'object', additionalProperties: false }), {
      type: 'object',
      additionalProperties: false,
    });
  });

  it('refuses a schema whose $refs fan out past the node budget, naming the field, without expanding it', () => {
    // 24 definitions, each referring to the next twice: 2^24 nodes inlined (the process ran out of heap)
    const defs: Record<string, unknown> = { d24: { type: 'string' } };
    for (let i = 0; i < 24; i++)
      defs[`d${i}`] = {
        type: 'object',
        properties: { a: { $ref: `#/$defs/d${i + 1}` }, b: { $ref: `#/$defs/d${i + 1}` } },
      };
    const schema = { type: 'object', properties: { root: { $ref: '#/$defs/d0' } }, $defs: defs };
    assert.ok(JSON.stringify(schema).length < 4000);
    const t = performance.now();
    assert.throws(
      () => toGeminiSchema(schema, { param: 'tools[0].function.parameters' }),
      (e: unknown) =>
        e instanceof InvalidRequestError && e.param === 'tools[0].function.parameters' && /10000 nodes/.test(e.message),
    );
    assert.ok(performance.now() - t < 1000);
    // a referenced definition's enum is copied at every use: it counts against the budget too
    const wide = { type: 'string', enum: Array.from({ length: 100_000 }, (_, i) => `v${i}`) };
    const reused = {
      type: 'object',
      properties: { a: { $ref: '#/$defs/e' }, b: { $ref: '#/$defs/e' }, c: { $ref: '#/$defs/e' } },
      $defs: { e: wide },
    };
    assert.throws(() => toGeminiSchema(reused), InvalidRequestError);
    // so do the keys of a definition copied at every use
    const junk = { type: 'string', ...Object.fromEntries(Array.from({ length: 50_000 }, (_, i) => [`x${i}`, 1])) };
    const props = Object.fromEntries(Array.from({ length: 5 }, (_, i) => [`p${i}`, { $ref: '#/$defs/j' }]));
    assert.throws(() => toGeminiSchema({ type: 'object', properties: props, $defs: { j: junk } }), InvalidRequestError);
    // below the budget the same shape converts as before
    const small = { type: 'object', properties: { root: { $ref: '#/$defs/d20' } }, $defs: defs };
    const out = toGeminiSchema(small) as {
      properties: { root: { properties: { a: { properties: { a: unknown } } } } };
    };
    assert.ok(out.properties.root.properties.a.properties.a);
    assert.ok(MAX_SCHEMA_NODES >= 10_000);
  });

  it('refuses a $ref chain nested deeper than the depth cap (a stack overflow before)', () => {
    const defs: Record<string, unknown> = { d5000: { type: 'string' } };
    for (let i = 0; i < 5000; i++)
      defs[`d${i}`] = { type: 'object', properties: { next: { $ref: `#/$defs/d${i + 1}` } } };
    const schema = { type: 'object', properties: { root: { $ref: '#/$defs/d0' } }, $defs: defs };
    assert.throws(
      () => toGeminiSchema(schema, { param: 'response_format.json_schema.schema' }),
      (e: unknown) =>
        e instanceof InvalidRequestError &&
        e.param === 'response_format.json_schema.schema' &&
        e.message.includes(`${MAX_SCHEMA_DEPTH} levels`),
    );
  });
});
