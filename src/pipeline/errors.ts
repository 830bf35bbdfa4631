// The pipeline's refusals as client errors (src/protocol/errors.ts): routing's, an upstream's, and the 402 of a
// reservation that does not fit. Each inbound API writes them in its own error shape.
import { HttpError } from '../protocol/errors.js';
import type { UpstreamError } from '../protocol/chat-result.js';
import { formatUsd } from '../accounting/money.js';
import { providerNotConfigured, RoutingError } from '../routing/index.js';
import type { AttemptRecord } from '../store/types.js';
import type { PipelineEnv } from './env.js';
import { attemptsHeader } from './ids.js';

export function routingHttpError(err: RoutingError): HttpError {
  return new HttpError(err.status, err.message, err.type, err.code, err.param, {}, err.metadata ?? undefined);
}

export function upstreamHttpError(
  e: UpstreamError,
  attempts: AttemptRecord[],
  headers: Record<string, string>,
): HttpError {
  const h: Record<string, string> = Object.assign({}, headers);
  h['x-arouter-attempts'] = attemptsHeader(attempts);
  if (e.retry_after_sec) h['retry-after'] = String(e.retry_after_sec);
  return new HttpError(e.status, e.message, e.type, e.code, null, h, {
    upstream_status: e.upstream_status,
    ...(e.upstream_body !== undefined ? { upstream_body: e.upstream_body } : {}),
    attempts,
  });
}

/** A dialect could not express the request for any endpoint: the client's mistake, named by its field. */
export function invalidRequestError(
  e: { message: string; param: string | null },
  headers: Record<string, string>,
): HttpError {
  return new HttpError(400, e.message, 'invalid_request_error', 'invalid_request', e.param, headers);
}

/** The 402 for a refused reservation: what the request may cost, what is left, and of which limit. */
export function insufficientQuota(
  r: { reason: 'account_credit' | 'key_limit'; available: bigint },
  worst: bigint,
  basis: string,
  advice: string,
  headers: Record<string, string>,
): HttpError {
  const key = r.reason === 'key_limit';
  return new HttpError(
    402,
    `Insufficient ${key ? 'key limit' : 'credits'}: this request may cost up to $${formatUsd(worst)} (${basis}) ` +
      `but ${key ? "this key's spend limit leaves" : "the account's credits leave"} $${formatUsd(r.available > 0n ? r.available : 0n)}. ${advice}`,
    'insufficient_quota',
    key ? 'key_limit_exceeded' : 'insufficient_credits',
    null,
    headers,
  );
}

/** A model_not_found about a catalog model whose providers all lack a key says so (resolve.ts providerNotConfigured). */
export function explainNotFound(env: PipelineEnv, names: Array<string | undefined>, err: RoutingError): RoutingError {
  if (err.code !== 'model_not_found') return err;
  for (const n of names) {
    if (n === undefined || !err.message.startsWith(`Model "${n}" not found`)) continue;
    return providerNotConfigured(env.catalog, n, new Set(env.providers.configured.keys())) ?? err;
  }
  return err;
}
