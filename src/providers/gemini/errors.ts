// Gemini error bodies, read into an ExtractedError; what ARouter answers is decided in ../upstream-error.ts.
// Gemini answers with a google.rpc.Status body
// `{"error":{"code","message","status","details":[...]}}` (https://ai.google.dev/gemini-api/docs/troubleshooting);
// the streaming endpoint may wrap it in an array. Bodies from proxies in front of Google may be empty or HTML,
// so parsing is lenient and the HTTP status alone decides when there is nothing to read.
//
// Google-specific cases:
// - a bad API key is 400 INVALID_ARGUMENT with ErrorInfo.reason API_KEY_INVALID, not 401: that is ARouter's
//   provider key being wrong, so it is treated like 401/403 (502 upstream_auth_error), never blamed on the user;
// - 429 RESOURCE_EXHAUSTED carries a google.rpc.RetryInfo `retryDelay` ("37s") used when no Retry-After header;
import type { UpstreamError } from '../types.js';
import { upstreamError, type ExtractedError, type UpstreamHeaders } from '../upstream-error.js';

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

/** google.rpc.Status → the shared reading; the code is Google's reason when it gave one, else its status name. */
export function extractError(body: unknown): ExtractedError | null {
  const g = readStatus(body);
  if (g === null) return null;
  return {
    message: g.message,
    code: g.reason ?? g.status,
    impliedStatus: g.code,
    credentialsRefused: g.status === 'UNAUTHENTICATED' || (g.reason !== null && AUTH_REASONS.has(g.reason)),
    retryAfterSec: g.retryDelaySec,
  };
}

export function mapError(status: number, bodyText: string, headers: UpstreamHeaders, provider?: string): UpstreamError {
  return upstreamError.fromResponse(provider ?? PROVIDER, status, bodyText, headers, extractError);
}

/** An `{"error":{...}}` object received inside a 200 stream: its `code` is the HTTP status it stands for. */
export function mapStreamError(body: Json): UpstreamError {
  return upstreamError.fromPayload(PROVIDER, extractError(body), body);
}
