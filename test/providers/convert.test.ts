import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDataUrl, parseToolArguments } from '../../src/providers/convert.js';
import { InvalidRequestError } from '../../src/providers/errors.js';

test('parseDataUrl: base64, percent-encoded and untyped data URLs; anything else is null', () => {
  assert.deepEqual(parseDataUrl('data:image/PNG;base64,iVBORw0='), { mediaType: 'image/png', data: 'iVBORw0=' });
  assert.deepEqual(parseDataUrl('data:text/plain,hello%20world'), {
    mediaType: 'text/plain',
    data: Buffer.from('hello world').toString('base64'),
  });
  assert.deepEqual(parseDataUrl('data:,x'), { mediaType: '', data: Buffer.from('x').toString('base64') });
  assert.equal(parseDataUrl('https://example.com/a.png'), null);
  assert.equal(parseDataUrl('data:image/png;base64'), null);
  assert.equal(parseDataUrl('data:text/plain,%E0%A4%A'), null);
});

test('parseToolArguments: "" is {}, objects pass, anything else is a 400 naming the field and provider', () => {
  assert.deepEqual(parseToolArguments('  ', 'p', 'Gemini'), {});
  assert.deepEqual(parseToolArguments('{"city":"Paris"}', 'p', 'Gemini'), { city: 'Paris' });
  for (const bad of ['{"city":', '[1]', '"x"', 'null']) {
    assert.throws(
      () => parseToolArguments(bad, 'messages[1].tool_calls[0].function.arguments', 'Anthropic'),
      (e: unknown) =>
        e instanceof InvalidRequestError &&
        e.param === 'messages[1].tool_calls[0].function.arguments' &&
        /Anthropic/.test(e.message),
    );
  }
});
