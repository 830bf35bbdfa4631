import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SseDecoder } from '../../src/providers/transport.js';

test('SseDecoder: events split across reads, CRLF endings, event names, a final event without its blank line', () => {
  const d = new SseDecoder();
  assert.deepEqual(d.feed(Buffer.from('event: message_start\r\ndata: {"a"')), []);
  assert.deepEqual(d.feed(Buffer.from(':1}\r\n\r\ndata: x\n\ndata: y')), [{ event: 'message_start', data: '{"a":1}' }, { data: 'x' }]);
  // a multi-byte character split between two reads survives
  const euro = Buffer.from('\n\ndata: €\n\n');
  assert.deepEqual(d.feed(euro.subarray(0, 9)), [{ data: 'y' }]);
  assert.deepEqual(d.feed(euro.subarray(9)), [{ data: '€' }]);
  assert.deepEqual(d.feed(Buffer.from(': comment\n\ndata: last')), []);
  assert.deepEqual(d.end(), [{ data: 'last' }]);
});
