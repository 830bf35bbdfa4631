// Gemini HTTP errors → ARouter's UpstreamError. Gemini answers with a google.rpc.Status body
// `{"error":{"code","message","status","details":[...]}}` (https://ai.google.dev/gemini-api/docs/troubleshooting);
// the streaming endpoint may wrap it in an array. Bodies from proxies in front of Google may be empty or HTML,
// so parsing is lenient and the HTTP status alone decides when there is nothing to read.
//
// Google-specific cases:
// - a bad API key is 400 INVALID_ARGUMENT with ErrorInfo.reason API_KEY_INVALID, not 401: that is ARouter's
//   provider key being wrong, so it is treated like 401/403 (502 upstream_auth_error), never blamed on the user;
// - 429 RESOURCE_EXHAUSTED carries a google.rpc.RetryInfo `retryDelay` ("37s") used when no Retry-After header;
// - 504 DEADLINE_EXCEEDED → 408 timeout; 500 INTERNAL / 503 UNAVAILABLE → 502, retryable.
import type { UpstreamError } from '../types.js';

const PROVIDER = 'Gemini';
type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** google.rpc.Status reasons meaning "ARouter's key/credentials are wrong", whatever the HTTP status. */
const AUTH_REASONS = new Set(['API_KEY_INVALID', 'API_KEY_EXPIRED', 'API_KEY_SERVICE_BLOCKED', 'ACCESS_TOKEN_EXPIRED']);

interface GoogleStatus {
  code: number | null;
  message: string | null;
  status: string | null;
  reason: string | null;
  retryDelaySec: number | null;
}

function readStatus(parsed: unknown): GoogleStatus | null {
  const root = Array.isArray(parsed) ? parsed[0] : parsed;
  if (!isObj(root) || !isObj(root.error)) return null;
  const e = root.error;
  let reason: string | null = null;
  let retryDelaySec: number | null = null;
  for (const d of Array.isArray(e.details) ? e.details.filter(isObj) : []) {
    if (typeof d.reason === 'string' && !reason) reason = d.reason;
    if (typeof d.retryDelay === 'string') retryDelaySec = parseDuration(d.retryDelay);
  }
  return {
    code: typeof e.code === 'number' ? e.code : null,
    message: typeof e.message === 'string' ? e.message : null,
    status: typeof e.status === 'string' ? e.status : null,
    reason,
    retryDelaySec,
  };
}

/** protobuf Duration JSON ("37s", "1.5s") → whole seconds, rounded up. */
function parseDuration(s: string): number | null {
  const m = /^(\d+(?:\.\d+)?)s$/.exec(s.trim());
  return m ? Math.ceil(Number(m[1])) : null;
}

function headerValue(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  for (const [k, v] of Object.entries(headers)) {
    if (k.toLowerCase() === name) return Array.isArray(v) ? v[0] : v;
  }
  return undefined;
}

function parseRetryAfter(value: string | undefined): number | null {
  if (!value) return null;
  if (/^\d+(\.\d+)?$/.test(value.trim())) return Math.ceil(Number(value.trim()));
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, Math.ceil((at - Date.now()) / 1000));
}

function fallbackMessage(status: number, bodyText: string): string {
  const text = bodyText.trim();
  // an HTML error page says nothing useful in an API error message
  if (text === '' || text.startsWith('<')) return `HTTP ${status} with no error details`;
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}

export function mapError(
  status: number,
  bodyText: string,
  headers: Record<string, string | string[] | undefined>,
): UpstreamError {
  let parsed: unknown;
  try {
    parsed = bodyText.trim() === '' ? undefined : JSON.parse(bodyText);
  } catch {
    parsed = undefined;
  }
  const g = readStatus(parsed);
  const retryAfter = parseRetryAfter(headerValue(headers, 'retry-after')) ?? g?.retryDelaySec ?? null;
  return fromStatus(status, g, fallbackMessage(status, bodyText), parsed, retryAfter);
}

/** An `{"error":{...}}` object received inside a 200 stream: its `code` is the HTTP status it stands for. */
export function mapStreamError(body: Json): UpstreamError {
  const g = readStatus(body);
  const status = g?.code ?? 500;
  return fromStatus(status, g, 'error inside the stream', body, g?.retryDelaySec ?? null);
}

function fromStatus(
  status: number,
  g: GoogleStatus | null,
  fallback: string,
  upstreamBody: unknown,
  retryAfter: number | null,
): UpstreamError {
  const message = `${PROVIDER}: ${g?.message ?? fallback}`;
  const code = g?.reason ?? g?.status ?? null;
  const base = { code, message, upstream_status: status, upstream_body: upstreamBody };
  const authFailure =
    status === 401 ||
    status === 403 ||
    g?.status === 'UNAUTHENTICATED' ||
    (g?.reason != null && AUTH_REASONS.has(g.reason));

  if (authFailure) return { ...base, status: 502, retryable: false, type: 'upstream_auth_error' };
  if (status === 429) {
    return {
      ...base,
      status: 429,
      retryable: true,
      type: 'rate_limit_error',
      ...(retryAfter != null ? { retry_after_sec: retryAfter } : {}),
    };
  }
  if (status === 408 || status === 504) return { ...base, status: 408, retryable: true, type: 'timeout' };
  if (status === 529) return { ...base, status: 503, retryable: true, type: 'upstream_overloaded' };
  if (status === 400 || status === 404 || status === 413 || status === 422) {
    return { ...base, status: 400, retryable: false, type: 'invalid_request_error' };
  }
  if (status === 409 || status === 425 || status >= 500)
    return { ...base, status: 502, retryable: true, type: 'upstream_error' };
  return { ...base, status: 502, retryable: false, type: 'upstream_error' };
}
