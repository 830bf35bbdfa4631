import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_JSON_DEPTH, fieldAt, tooDeepAt } from '../../src/http/json-depth.js';

const buf = (s: string) => Buffer.from(s, 'utf8');
const nested = (n: number, open: string, inner: string, close: string) => open.repeat(n) + inner + close.repeat(n);
const fieldOf = (s: string) => {
  const b = buf(s);
  const at = tooDeepAt(b);
  assert.ok(at >= 0, 'expected the body to be too deep');
  return fieldAt(b, at);
};

describe('JSON nesting depth on the raw body', () => {
  it('allows exactly the limit and refuses one level more', () => {
    assert.equal(tooDeepAt(buf(nested(MAX_JSON_DEPTH, '[', '', ']'))), -1);
    assert.equal(tooDeepAt(buf(nested(MAX_JSON_DEPTH + 1, '[', '', ']'))), MAX_JSON_DEPTH);
    assert.equal(tooDeepAt(buf(nested(3, '{"a":', '1', '}')), 2), 10);
  });

  it('ignores brackets inside strings, escaped quotes included, and multi-byte text', () => {
    const s = JSON.stringify({ a: '[[[[{{{{\\"[[[[', b: 'é中😀[[[' + '"'.repeat(3) + '{{{{', c: [[1]] });
    assert.equal(tooDeepAt(buf(s), 3), -1);
    assert.equal(tooDeepAt(buf(s), 2), buf(s).indexOf('[[1') + 1);
  });

  it('names the field that nests too deeply, however the nesting is built', () => {
    const deep = nested(100_000, '[', '', ']');
    assert.equal(fieldOf(`{"model":"m","messages":[{"role":"user","content":"x"},{"role":"user","content":${deep}}]}`), 'messages[1].content');
    assert.equal(fieldOf(`{"model":"m","temperature":${deep}}`), 'temperature');
    assert.equal(fieldOf(`{"tools":[{"type":"function","function":{"name":"f","parameters":${nested(100_000, '{"x":', '1', '}')}}}]}`), 'tools[0].function.parameters');
    const schema = nested(10_000, '{"type":"object","properties":{"a":', '{"type":"string"}', '}}');
    assert.equal(fieldOf(`{"response_format":{"type":"json_schema","json_schema":{"name":"x","schema":${schema}}}}`), 'response_format.json_schema.schema');
    assert.equal(fieldOf(`{"a\\"b":${deep}}`), 'a"b');
    assert.equal(fieldOf(deep), '');
  });

  it('costs about a microsecond per KB on a typical chat body (the hot path)', () => {
    const body = buf(JSON.stringify({
      model: 'openai/gpt-5-mini',
      messages: [
        { role: 'system', content: 'You are a helpful assistant. '.repeat(10) },
        { role: 'user', content: [{ type: 'text', text: 'Summarise the following text: ' + 'lorem ipsum dolor sit amet '.repeat(40) }] },
      ],
      tools: [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } } }],
      temperature: 0.2,
    }));
    assert.ok(body.length > 1500 && body.length < 2500);
    for (let i = 0; i < 2000; i++) tooDeepAt(body);
    const n = 20_000;
    const t = performance.now();
    for (let i = 0; i < n; i++) tooDeepAt(body);
    const us = ((performance.now() - t) * 1000) / n;
    // informative, not asserted tightly: the machine may be busy
    console.log(`tooDeepAt: ${us.toFixed(2)} µs for a ${body.length}-byte body`);
    assert.ok(us < 1000);
  });
});
