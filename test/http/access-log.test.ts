import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Logger } from '../../src/lib/log.js';
import { accessLogFields } from '../../src/http/access-log.js';
import type { RequestContext } from '../../src/http/context.js';

function ctx(
  over: Partial<RequestContext> & { finished?: boolean; status?: number; headersSent?: boolean },
): RequestContext {
  return {
    id: 'req_abc1',
    req: { method: 'POST' },
    res: {
      statusCode: over.status ?? 200,
      writableEnded: over.finished ?? true,
      headersSent: over.headersSent ?? true,
    },
    key: null,
    log: {},
    ...over,
  } as unknown as RequestContext;
}

function line(c: RequestContext, route: string, ms: number): Record<string, unknown> {
  const out: string[] = [];
  new Logger('info', (s) => out.push(s)).logJson('info', 'request', accessLogFields(c, route, ms));
  assert.equal(out.length, 1);
  assert.ok(out[0].endsWith('}\n'));
  return JSON.parse(out[0]) as Record<string, unknown>;
}

test('access-log line: the request, its key, duration, and what answered', () => {
  const c = ctx({
    key: { id: 'key_1' } as never,
    log: { generationId: 'gen-1-ab', model: 'openai/gpt-4o', provider: 'openai' },
  });
  const l = line(c, '/v1/chat/completions', 3.14159);
  assert.deepEqual(Object.keys(l), [
    't',
    'level',
    'msg',
    'id',
    'method',
    'route',
    'status',
    'key_id',
    'duration_ms',
    'generation_id',
    'model',
    'provider',
  ]);
  assert.equal(l.msg, 'request');
  assert.equal(l.level, 'info');
  assert.equal(l.key_id, 'key_1');
  assert.equal(l.duration_ms, 3.14);
  assert.equal(l.model, 'openai/gpt-4o');
  assert.ok(!Number.isNaN(Date.parse(l.t as string)));
});

test('access-log line: unknown paths are quoted, missing facts are null or absent, aborts are marked', () => {
  const l = line(
    ctx({ status: 404, finished: false, log: { generationId: 'gen-2', model: null, provider: null } }),
    '/v1/"odd"\\path',
    0.5,
  );
  assert.equal(l.route, '/v1/"odd"\\path');
  assert.equal(l.key_id, null);
  assert.equal(l.status, 404);
  assert.equal(l.model, null);
  assert.equal(l.aborted, true);
  const plain = line(ctx({}), '/v1/models', 1);
  assert.ok(!('generation_id' in plain) && !('model' in plain) && !('aborted' in plain));
});

test('access-log line: a request the client left before any answer is a 499, not the default 200', () => {
  const l = line(ctx({ status: 200, finished: false, headersSent: false }), '/v1/chat/completions', 2);
  assert.equal(l.status, 499);
  assert.equal(l.aborted, true);
  // a stream the client left after its headers keeps the status it was answered with
  assert.equal(line(ctx({ status: 200, finished: false, headersSent: true }), '/v1/chat/completions', 2).status, 200);
  // a status the server chose without writing it (a request timeout's 408) stays
  assert.equal(line(ctx({ status: 408, finished: false, headersSent: false }), '/v1/chat/completions', 2).status, 408);
});

test('a silenced logger writes nothing', () => {
  const out: string[] = [];
  new Logger('silent', (s) => out.push(s)).logJson('info', 'request', '"id":"x"');
  new Logger('warn', (s) => out.push(s)).logJson('info', 'request', '"id":"x"');
  assert.equal(out.length, 0);
});
