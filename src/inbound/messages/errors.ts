// ARouter's client errors in Anthropic's error body: {type:"error", error:{type, message}} with Anthropic's
// error type for the status (https://docs.anthropic.com/en/api/errors). The SDK picks its exception class from
// the status and keeps the body as is, so ARouter's own code and param ride along inside `error`.
import type { ClientError } from '../../protocol/inbound.js';

export function anthropicErrorType(status: number): string {
  switch (status) {
    case 400:
      return 'invalid_request_error';
    case 401:
      return 'authentication_error';
    case 402:
      return 'billing_error';
    case 403:
      return 'permission_error';
    case 404:
      return 'not_found_error';
    case 413:
      return 'request_too_large';
    case 429:
      return 'rate_limit_error';
    case 408:
    case 504:
      return 'timeout_error';
    case 503:
    case 529:
      return 'overloaded_error';
    default:
      return status >= 400 && status < 500 ? 'invalid_request_error' : 'api_error';
  }
}

export function errorPayload(status: number, message: string, code: string | null, param: string | null) {
  const error: Record<string, unknown> = { type: anthropicErrorType(status), message };
  if (code !== null) error.code = code;
  if (param !== null) error.param = param;
  return { type: 'error' as const, error };
}

export function errorBody(err: ClientError): unknown {
  return { ...errorPayload(err.status, err.message, err.code, err.param), request_id: null };
}
