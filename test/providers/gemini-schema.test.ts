import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { declaresNoParameters, rawJsonSchema, toGeminiSchema } from '../../src/providers/gemini/schema.js';
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
        customer: { type: 'OBJECT', description: 'Who ordered', properties: { name: { type: 'STRING' } }, required: ['name'] },
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
      { type: 'object', properties: { b: { type: 'string' }, a: { type: 'object', properties: { y: { type: 'boolean' } }, propertyOrdering: ['y'] } } },
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
    assert.deepEqual(rawJsonSchema({ $schema: 'x', type: 'object', additionalProperties: false }), { type: 'object', additionalProperties: false });
  });
});
