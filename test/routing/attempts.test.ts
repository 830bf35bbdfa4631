// The fallback loop's health rule: only an UpstreamError (network failure, timeout, error answer, broken body)
// is the endpoint's fault; what an attempt throws otherwise is the request's or ARouter's problem.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ExecFailure, runAttempts, type AttemptTarget } from '../../src/routing/attempts.js';
import { HealthTracker } from '../../src/routing/health.js';
import { Logger } from '../../src/lib/log.js';
import { InvalidRequestError } from '../../src/providers/errors.js';
import type { RequestAbort } from '../../src/providers/transport.js';
import type { UpstreamError } from '../../src/providers/types.js';

const target = (id: string): AttemptTarget =>
  ({
    model: { id: 'acme/m' },
    endpoint: { model: `m-${id}` },
    provider: { id },
    endpointKey: `${id}:acme/m`,
  }) as unknown as AttemptTarget;
const A = target('alpha');
const B = target('beta');
const idle = { aborted: false, reason: null } as unknown as RequestAbort;
const far = () => Date.now() + 60_000;
const upstream500: UpstreamError = {
  status: 502,
  retryable: true,
  type: 'upstream_error',
  code: 'x',
  message: 'boom',
  upstream_status: 500,
};

test('an exception thrown while building the request is rethrown, not retried, and never counts against the endpoint', async () => {
  const health = new HealthTracker({ failureThreshold: 3 });
  const tried: string[] = [];
  for (let i = 0; i < 5; i++) {
    await assert.rejects(
      runAttempts({ health, log: new Logger('silent') }, [A, B], idle, far(), async (a) => {
        tried.push(a.provider.id);
        throw new RangeError('Maximum call stack size exceeded');
      }),
      RangeError,
    );
  }
  // never fell through to beta as if alpha had failed; alpha's breaker stays closed, no failure recorded
  assert.deepEqual(tried, ['alpha', 'alpha', 'alpha', 'alpha', 'alpha']);
  assert.equal(health.status(A.endpointKey), 'closed');
  assert.equal(health.isRecentlyFailing(A.endpointKey), false);
  assert.deepEqual(health.keys(), []);
});

test('an UpstreamError still counts and falls back; three open the breaker', async () => {
  const health = new HealthTracker({ failureThreshold: 3 });
  for (let i = 0; i < 3; i++) {
    const r = await runAttempts({ health, log: new Logger('silent') }, [A, B], idle, far(), async (a) => {
      if (a === A) throw upstream500;
      return { status: 200, value: 'ok' };
    });
    assert.equal(r.attempt, B);
  }
  assert.equal(health.status(A.endpointKey), 'open');
});

test('an InvalidRequestError skips the endpoint, answers 400 when nothing else could, and frees a half-open probe', async () => {
  let now = 1_000_000;
  const health = new HealthTracker({ failureThreshold: 1, cooldownMs: 1000, clock: () => now });
  health.record(A.endpointKey, {
    ok: false,
    status: 502,
    latencyMs: 1,
    ttftMs: null,
    outputTokens: 0,
    generationMs: null,
  });
  now += 2000;
  assert.equal(health.status(A.endpointKey), 'half_open');
  const err = await runAttempts({ health, log: new Logger('silent') }, [A], idle, far(), async () => {
    throw new InvalidRequestError('too big', 'tools[0].function.parameters');
  }).catch((e: unknown) => e);
  assert.ok(err instanceof ExecFailure);
  assert.equal(err.error.status, 400);
  assert.equal(err.invalidRequest?.param, 'tools[0].function.parameters');
  // the probe slot was given back: the next request may probe at once
  assert.equal(health.tryAcquire(A.endpointKey), true);
});
