// Anthropic error bodies → ARouter's UpstreamError.
// Body shape (spec: ErrorResponse; https://docs.anthropic.com/en/api/errors):
//   {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"},"request_id":"req_…"}
// Bodies are parsed leniently: a 413 comes from Cloudflare before the API and may be HTML or empty.
import type { UpstreamError } from '../types.js';

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

const DEFAULT_MESSAGE: Record<number, string> = {
  401: 'authentication failed',
  403: 'permission denied',
  404: 'not found',
  413: 'request too large',
  429: 'rate limited',
  529: 'overloaded',
};

type Headers = Record<string, string | string[] | undefined>;

function header(headers: Headers, name: string): string | undefined {
  for (const [k, v] of Object.entries(headers)) {
    if (k.toLowerCase() === name) return Array.isArray(v) ? v[0] : v;
  }
  return undefined;
}

/** `retry-after` is either delta-seconds or an HTTP date. */
export function retryAfterSec(headers: Headers, now = Date.now()): number | undefined {
  const raw = header(headers, 'retry-after')?.trim();
  if (!raw) return undefined;
  if (/^\d+(\.\d+)?$/.test(raw)) return Math.ceil(Number(raw));
  const at = Date.parse(raw);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - now) / 1000));
}

interface ParsedBody {
  body?: unknown;
  errType: string | null;
  message: string | null;
}

function parseBody(text: string): ParsedBody {
  try {
    const body: unknown = JSON.parse(text);
    const err = (body as { error?: unknown } | null)?.error;
    if (err && typeof err === 'object') {
      const e = err as { type?: unknown; message?: unknown };
      return {
        body,
        errType: typeof e.type === 'string' ? e.type : null,
        message: typeof e.message === 'string' ? e.message : null,
      };
    }
    return { body, errType: null, message: typeof err === 'string' ? err : null };
  } catch {
    // HTML or plain text: keep a short, tag-free excerpt so the user still sees something real.
    const excerpt = text
      .replace(/<[^>]*>/g, ' ')
      .replace(/\s+/g, ' ')
      .trim()
      .slice(0, 300);
    return { errType: null, message: excerpt || null };
  }
}

/** Classifies an upstream failure; shared by HTTP errors and `event: error` inside a stream. */
function classify(status: number, errType: string | null, msg: string | null): Omit<UpstreamError, 'upstream_status'> {
  const message = `${PROVIDER}: ${msg ?? DEFAULT_MESSAGE[status] ?? `HTTP ${status}`}`;
  const code = errType;
  if (status === 529 || errType === 'overloaded_error') {
    return { status: 503, retryable: true, type: 'upstream_overloaded', code, message };
  }
  if (status === 408 || status === 504) return { status: 408, retryable: true, type: 'timeout', code, message };
  if (status === 429) return { status: 429, retryable: true, type: 'rate_limit_error', code, message };
  if (status === 401 || status === 403) {
    // ARouter's own provider key is wrong or lacks access: not the client's fault.
    return { status: 502, retryable: false, type: 'upstream_auth_error', code, message };
  }
  if (status === 402) return { status: 502, retryable: false, type: 'upstream_error', code, message };
  if (status === 409 || status === 425 || status >= 500 || status < 400) {
    return { status: 502, retryable: true, type: 'upstream_error', code, message };
  }
  // 400/404/413/422 and any other 4xx: the request itself was refused; show the provider's reason.
  return { status: 400, retryable: false, type: 'invalid_request_error', code, message };
}

export function mapError(status: number, bodyText: string, headers: Headers): UpstreamError {
  const parsed = parseBody(bodyText);
  const out: UpstreamError = { ...classify(status, parsed.errType, parsed.message), upstream_status: status };
  if (parsed.body !== undefined) out.upstream_body = parsed.body;
  const retry = retryAfterSec(headers);
  if (retry !== undefined) out.retry_after_sec = retry;
  return out;
}

/** `event: error` inside a 200 stream: the HTTP status is gone, so it is implied from error.type. */
export function mapStreamError(data: unknown): UpstreamError {
  const err = (data as { error?: { type?: unknown; message?: unknown } } | null)?.error;
  const errType = typeof err?.type === 'string' ? err.type : null;
  const message = typeof err?.message === 'string' ? err.message : null;
  const status = (errType && TYPE_STATUS[errType]) || 500;
  return { ...classify(status, errType, message), upstream_status: status, upstream_body: data };
}
