// Upstream errors of the OpenAI-compatible family → ARouter's UpstreamError. Bodies seen in the wild:
// - OpenAI (spec ErrorResponse): {"error":{"message","type","param","code"}}
// - Mistral, older vLLM: unwrapped {"object":"error","message","type","param","code"}, where Mistral's
//   `message` may itself be a pydantic {"detail":[{loc,msg}]} object (github.com/nomtek/mistralai_client_dart/issues/44)
// - Ollama native / some proxies: {"error":"text"}; FastAPI servers: {"detail":"text" | [{loc,msg}]}
// - Google's compat layer: [{"error":{...}}]; load balancers: HTML or plain text.
import { STATUS_CODES } from 'node:http';
import type { UpstreamError } from '../types.js';
import { isRecord, type Loose } from './normalize.js';

/** Used when the caller cannot say which provider answered (DialectAdapter.mapError has no provider argument). */
export const DEFAULT_PROVIDER_LABEL = 'Upstream provider';

/**
 * A 200 answer that is not a usable completion (an error object, no choices, not JSON). The DialectAdapter
 * parse methods can only return results, so they throw this. It is an Error (stack, instanceof) that also
 * carries every UpstreamError field itself, so callers that duck-type thrown UpstreamErrors (the router's
 * isUpstreamError) route it like any other upstream failure; `upstream` is the plain object.
 */
export class UpstreamResponseError extends Error implements UpstreamError {
  readonly status: number;
  readonly retryable: boolean;
  readonly type: string;
  readonly code: string | null;
  readonly upstream_status: number | null;
  readonly upstream_body?: unknown;
  readonly retry_after_sec?: number;

  constructor(public readonly upstream: UpstreamError) {
    super(upstream.message);
    this.name = 'UpstreamResponseError';
    this.status = upstream.status;
    this.retryable = upstream.retryable;
    this.type = upstream.type;
    this.code = upstream.code;
    this.upstream_status = upstream.upstream_status;
    if (upstream.upstream_body !== undefined) this.upstream_body = upstream.upstream_body;
    if (upstream.retry_after_sec !== undefined) this.retry_after_sec = upstream.retry_after_sec;
  }
}

interface ErrorInfo {
  message: string | null;
  type: string | null;
  code: string | null;
  /** a status carried inside the body (OpenRouter-style numeric `code`, Google `code`) */
  status: number | null;
}

function detailText(d: unknown): string | null {
  if (typeof d === 'string') return d;
  if (Array.isArray(d)) {
    const parts = d.map((x) =>
      isRecord(x) && typeof x.msg === 'string'
        ? Array.isArray(x.loc)
          ? `${x.loc.join('.')}: ${x.msg}`
          : x.msg
        : JSON.stringify(x),
    );
    return parts.join('; ');
  }
  return null;
}

function messageText(m: unknown): string | null {
  if (typeof m === 'string') return m.length > 0 ? m : null;
  if (isRecord(m)) return detailText(m.detail) ?? JSON.stringify(m).slice(0, 1000);
  return null;
}

function codeText(c: unknown): string | null {
  if (typeof c === 'string' && c.length > 0) return c;
  if (typeof c === 'number') return String(c);
  return null;
}

function statusIn(v: unknown): number | null {
  return typeof v === 'number' && Number.isInteger(v) && v >= 400 && v <= 599 ? v : null;
}

/** Pulls message/type/code out of any of the known error shapes; null when none matches. */
export function extractError(body: unknown): ErrorInfo | null {
  if (Array.isArray(body)) return body.length > 0 ? extractError(body[0]) : null;
  if (!isRecord(body)) return null;
  const e = body.error;
  if (isRecord(e)) {
    return {
      message: messageText(e.message) ?? detailText(e.detail),
      type: typeof e.type === 'string' ? e.type : typeof e.status === 'string' ? e.status : null,
      code: codeText(e.code),
      status: statusIn(e.code) ?? statusIn(e.status),
    };
  }
  if (typeof e === 'string') return { message: e, type: null, code: null, status: null };
  const message = messageText(body.message) ?? detailText(body.detail);
  if (message === null && body.object !== 'error') return null;
  return {
    message,
    type: typeof body.type === 'string' ? body.type : null,
    code: codeText(body.code),
    status: statusIn(body.code),
  };
}

function header(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  let v = headers[name];
  if (v === undefined) {
    for (const k in headers) {
      if (k.toLowerCase() === name) {
        v = headers[k];
        break;
      }
    }
  }
  return Array.isArray(v) ? v[0] : v;
}

/** retry-after as seconds or an HTTP date (RFC 9110 §10.2.3); OpenAI also sends retry-after-ms. */
export function retryAfterSeconds(headers: Record<string, string | string[] | undefined>): number | undefined {
  const ms = header(headers, 'retry-after-ms');
  if (ms !== undefined && /^\d+(\.\d+)?$/.test(ms.trim())) return Math.ceil(Number(ms) / 1000);
  const ra = header(headers, 'retry-after');
  if (ra === undefined) return undefined;
  const t = ra.trim();
  if (/^\d+(\.\d+)?$/.test(t)) return Math.ceil(Number(t));
  const date = Date.parse(t);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, Math.ceil((date - Date.now()) / 1000));
}

function statusLine(status: number): string {
  const text = STATUS_CODES[status];
  return text ? `${status} ${text}` : `HTTP ${status}`;
}

/**
 * The status mapping shared by HTTP errors and in-stream errors. ARouter answers 400 for the client's own
 * mistakes, 502 for what the client cannot fix (ARouter's key, odd upstream statuses), and keeps 429/408/503.
 */
export function classify(
  upstreamStatus: number,
  info: ErrorInfo | null,
  provider: string,
): Pick<UpstreamError, 'status' | 'retryable' | 'type' | 'message'> {
  const own = info?.message ?? statusLine(upstreamStatus);
  const s = upstreamStatus;
  if (s === 400 || s === 404 || s === 413 || s === 422) {
    return { status: 400, retryable: false, type: 'invalid_request_error', message: `${provider}: ${own}` };
  }
  if (s === 401 || s === 403) {
    return {
      status: 502,
      retryable: false,
      type: 'upstream_auth_error',
      message: `${provider} rejected ARouter's credentials (${statusLine(s)}): ${own}`,
    };
  }
  if (s === 429) {
    const quota = info?.code === 'insufficient_quota' || info?.type === 'insufficient_quota';
    // Quota exhaustion is not cured by waiting, but another provider may still serve the request: stay retryable.
    const message = quota
      ? `${provider}: ARouter's account at this provider has exhausted its quota (insufficient_quota): ${own}`
      : `${provider}: ${own}`;
    return { status: 429, retryable: true, type: 'rate_limit_error', message };
  }
  if (s === 408 || s === 504) return { status: 408, retryable: true, type: 'timeout', message: `${provider}: ${own}` };
  if (s === 529) return { status: 503, retryable: true, type: 'upstream_overloaded', message: `${provider}: ${own}` };
  if (s >= 500) return { status: 502, retryable: true, type: 'upstream_error', message: `${provider}: ${own}` };
  // 402 (DeepSeek "Insufficient Balance"): ARouter's account, not the request, is the problem → another
  // provider may work. 409/425: transient by definition.
  if (s === 402 || s === 409 || s === 425) {
    return { status: 502, retryable: true, type: 'upstream_error', message: `${provider}: ${own}` };
  }
  return { status: 502, retryable: false, type: 'upstream_error', message: `${provider}: ${own}` };
}

function parseLenient(bodyText: string): unknown {
  const t = bodyText.trim();
  if (t.length === 0 || (t[0] !== '{' && t[0] !== '[')) return undefined;
  try {
    return JSON.parse(t);
  } catch {
    return undefined;
  }
}

export function mapOpenAIError(
  status: number,
  bodyText: string,
  headers: Record<string, string | string[] | undefined>,
  provider: string = DEFAULT_PROVIDER_LABEL,
): UpstreamError {
  const parsed = parseLenient(bodyText);
  const info = extractError(parsed);
  const err: UpstreamError = {
    ...classify(status, info, provider),
    code: info?.code ?? null,
    upstream_status: status,
    // non-JSON bodies (HTML error pages) are kept, shortened, for the logs
    upstream_body: parsed !== undefined ? parsed : bodyText.length > 0 ? bodyText.slice(0, 2000) : undefined,
  };
  if (status === 429 || status === 503 || status === 529) {
    const quota = info?.code === 'insufficient_quota';
    const ra = quota ? undefined : retryAfterSeconds(headers);
    if (ra !== undefined) err.retry_after_sec = ra;
  }
  return err;
}

/** Status implied by an in-stream error object that carries no numeric status. */
function impliedStatus(info: ErrorInfo): number {
  const k = `${info.type ?? ''} ${info.code ?? ''}`.toLowerCase();
  if (k.includes('rate_limit') || k.includes('insufficient_quota') || k.includes('resource_exhausted')) return 429;
  if (k.includes('overloaded')) return 529;
  if (k.includes('timeout')) return 504;
  if (k.includes('authentication') || k.includes('permission')) return 401;
  if (k.includes('invalid_request') || k.includes('context_length')) return 400;
  return 500;
}

/** An error reported inside a 200 body or SSE chunk ({"error":{...}}). */
export function errorFromPayload(payload: Loose, provider: string = DEFAULT_PROVIDER_LABEL): UpstreamError {
  const info = extractError(payload) ?? { message: null, type: null, code: null, status: null };
  const status = info.status ?? impliedStatus(info);
  return {
    ...classify(status, info.message === null ? { ...info, message: 'error reported mid-response' } : info, provider),
    code: info.code,
    upstream_status: info.status,
    upstream_body: payload,
  };
}

/** Not JSON / not a completion: ARouter cannot use it, and the same upstream would answer the same way. */
export function invalidResponse(detail: string, provider: string = DEFAULT_PROVIDER_LABEL): UpstreamError {
  return {
    status: 502,
    retryable: false,
    type: 'upstream_invalid_response',
    code: null,
    message: `${provider}: invalid response: ${detail}`,
    upstream_status: null,
  };
}
