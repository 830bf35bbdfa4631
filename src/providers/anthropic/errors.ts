// Anthropic error bodies, read into an ExtractedError; what ARouter answers is decided in ../upstream-error.ts.
// Body shape (spec: ErrorResponse; https://docs.anthropic.com/en/api/errors):
//   {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"},"request_id":"req_…"}
// A 413 comes from Cloudflare before the API and may be HTML or empty (the shared code keeps an excerpt).
import type { UpstreamError } from '../types.js';
import { upstreamError, type ExtractedError, type UpstreamHeaders } from '../upstream-error.js';

const PROVIDER = 'Anthropic';

/** HTTP status Anthropic uses for each error.type; used for errors that arrive inside a 200 stream. */
const TYPE_STATUS: Record<string, number> = {
  invalid_request_error: 400,
  authentication_error: 401,
  billing_error: 402,
  permission_error: 403,
  not_found_error: 404,
  request_too_large: 413,
  rate_limit_error: 429,
  api_error: 500,
  timeout_error: 504,
  overloaded_error: 529,
};

/** error.type is Anthropic's machine code; its status is implied from it when the HTTP status is gone. */
export function extractError(body: unknown): ExtractedError | null {
  if (typeof body !== 'object' || body === null) return null;
  const err = (body as { error?: unknown }).error;
  if (typeof err === 'string') return { message: err, code: null };
  if (typeof err !== 'object' || err === null) return null;
  const e = err as { type?: unknown; message?: unknown };
  const type = typeof e.type === 'string' ? e.type : null;
  return {
    message: typeof e.message === 'string' ? e.message : null,
    code: type,
    impliedStatus: type !== null ? TYPE_STATUS[type] : undefined,
  };
}

export function mapError(status: number, bodyText: string, headers: UpstreamHeaders, provider?: string): UpstreamError {
  return upstreamError.fromResponse(provider ?? PROVIDER, status, bodyText, headers, extractError);
}

/** `event: error` inside a 200 stream: the HTTP status is gone, so it is implied from error.type. */
export function mapStreamError(data: unknown): UpstreamError {
  return upstreamError.fromPayload(PROVIDER, extractError(data), data);
}
