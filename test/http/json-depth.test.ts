import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_JSON_DEPTH, fieldName, pathAt, tooDeepAt } from '../../src/http/json-depth.js';
import { ChatRequestSchema } from '../../src/protocol/chat-request.js';
import { definedSegments } from '../../src/lib/schema.js';

const buf = (s: string) => Buffer.from(s, 'utf8');
const nested = (n: number, open: string, inner: string, close: string) => open.repeat(n) + inner + close.repeat(n);
const pathOf = (s: string) => {
  const b = buf(s);
  const at = tooDeepAt(b);
  assert.ok(at >= 0, 'expected the body to be too deep');
  return pathAt(b, at);
};
/** named as the chat route names it (with its schema), and as a route without a schema would */
const fieldOf = (s: string) => {
  const path = pathOf(s);
  return [fieldName(path, definedSegments(ChatRequestSchema, path)), fieldName(path)];
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
    const objects = nested(100_000, '{"x":', '1', '}');
    const content = (c: string) =>
      `{"model":"m","messages":[{"role":"user","content":"x"},{"role":"user","content":${c}}]}`;
    assert.deepEqual(fieldOf(content(deep)), ['messages[1].content', 'messages[1].content']);
    assert.deepEqual(fieldOf(content(objects)), ['messages[1].content', 'messages[1].content.x']);
    assert.deepEqual(fieldOf(content(`[{"type":"text","text":${deep}}]`)), [
      'messages[1].content[0].text',
      'messages[1].content',
    ]);
    assert.deepEqual(fieldOf(`{"model":"m","temperature":${deep}}`), ['temperature', 'temperature']);
    assert.deepEqual(fieldOf(`{"model":"m","temperature":${objects}}`), ['temperature', 'temperature.x.x.x']);
    const tool = (p: string) => `{"tools":[{"type":"function","function":{"name":"f","parameters":${p}}}]}`;
    assert.deepEqual(fieldOf(tool(objects)), ['tools[0].function.parameters', 'tools[0].function.parameters']);
    const schema = nested(10_000, '{"type":"object","properties":{"a":', '{"type":"string"}', '}}');
    const format = `{"response_format":{"type":"json_schema","json_schema":{"name":"x","schema":${schema}}}}`;
    assert.deepEqual(fieldOf(format), ['response_format.json_schema.schema', 'response_format.json_schema.schema']);
    assert.deepEqual(fieldOf(`{"a\\"b":${deep}}`), ['', 'a"b']);
    assert.deepEqual(pathOf(`{"a":1,"b":[1,"]",[2],${deep}]}`).slice(0, 3), ['b', 3, 0]);
    assert.deepEqual(fieldOf(deep), ['', '']);
  });

  it('costs about a microsecond per KB on a typical chat body (the hot path)', () => {
    const body = buf(
      JSON.stringify({
        model: 'openai/gpt-5-mini',
        messages: [
          { role: 'system', content: 'You are a helpful assistant. '.repeat(10) },
          {
            role: 'user',
            content: [
              { type: 'text', text: 'Summarise the following text: ' + 'lorem ipsum dolor sit amet '.repeat(40) },
            ],
          },
        ],
        tools: [
          {
            type: 'function',
            function: {
              name: 'get_weather',
              parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
            },
          },
        ],
        temperature: 0.2,
      }),
    );
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
