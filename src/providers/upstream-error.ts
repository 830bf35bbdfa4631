// Every upstream failure ARouter reports is built here: one status policy (classifyStatus), one retry-after
// parser, and named factories for the failures ARouter itself detects (timeouts, broken connections, bodies
// that are too large, empty or cut). A dialect only says how its wire format spells an error (ExtractedError);
// what ARouter answers and whether routing falls back is decided once, the same for every provider.
//
// `retryable` means exactly what the fallback loop (routing/attempts.ts) does with it: another endpoint may be
// tried. It is false only when the client's own request was refused (400) or ARouter stopped the call itself
// (cancel, shutdown). Values stay plain objects: they are spread (combineErrors), compared with deepEqual in
// tests and carried in stream events; a thrown one that needs a stack goes in UpstreamResponseError.
import { STATUS_CODES } from 'node:http';
import type { UpstreamError } from '../protocol/chat-result.js';

export type UpstreamHeaders = Record<string, string | string[] | undefined>;

/** What a dialect reads out of its error body; every field is optional knowledge, null when absent. */
export interface ExtractedError {
  /** the provider's own words */
  message: string | null;
  /** the provider's machine code (OpenAI `code`, Anthropic `error.type`, Google's ErrorInfo reason or status) */
  code: string | null;
  /** a status the body states or implies; used when there is no HTTP status (an error inside a 200 body) */
  impliedStatus?: number | null;
  /** the body says ARouter's own key is refused, whatever the HTTP status (Gemini's 400 API_KEY_INVALID) */
  credentialsRefused?: boolean;
  /** ARouter's account at the provider is out of quota: waiting does not help, so no retry-after is kept */
  quotaExhausted?: boolean;
  /** a retry delay carried in the body (Gemini's RetryInfo); the retry-after headers win over it */
  retryAfterSec?: number | null;
}

export interface StatusClass {
  /** what ARouter answers */
  status: number;
  type: string;
  /** routing may fall back to another endpoint */
  retryable: boolean;
}

const CLIENT_ERROR: StatusClass = { status: 400, type: 'invalid_request_error', retryable: false };
const AUTH: StatusClass = { status: 502, type: 'upstream_auth_error', retryable: true };
const RATE_LIMIT: StatusClass = { status: 429, type: 'rate_limit_error', retryable: true };
const TIMEOUT: StatusClass = { status: 408, type: 'timeout', retryable: true };
const OVERLOADED: StatusClass = { status: 503, type: 'upstream_overloaded', retryable: true };
const FAILED: StatusClass = { status: 502, type: 'upstream_error', retryable: true };

/**
 * The one status policy. The client's own mistakes (400/404/413/422) come back as 400 and end the walk; what the
 * client cannot fix falls back: ARouter's key refused (401/403), ARouter's account out of money (402, DeepSeek's
 * "Insufficient Balance"), transient conflicts (409/425), rate limits (429), timeouts (408/504, answered 408),
 * overload (529, Anthropic's, answered 503), any 5xx, and any other status (a 405 or 410 says the endpoint is
 * misconfigured, not the request wrong).
 */
export function classifyStatus(upstreamStatus: number): StatusClass {
  switch (upstreamStatus) {
    case 400:
    case 404:
    case 413:
    case 422:
      return CLIENT_ERROR;
    case 401:
    case 403:
      return AUTH;
    case 429:
      return RATE_LIMIT;
    case 408:
    case 504:
      return TIMEOUT;
    case 529:
      return OVERLOADED;
    default:
      return FAILED;
  }
}

/** A header's first value, whatever the case of its name (raw header maps keep the upstream's spelling). */
export function header(headers: UpstreamHeaders, name: string): string | undefined {
  let v = headers[name];
  if (v === undefined) {
    const lower = name.toLowerCase();
    for (const k in headers) {
      if (k.toLowerCase() === lower) {
        v = headers[k];
        break;
      }
    }
  }
  return Array.isArray(v) ? v[0] : v;
}

/**
 * Beyond an hour a delay is a quota reset, not a back-off hint: a client told to sleep a day would rather hear
 * "try later"; routing only compares delays.
 */
export const RETRY_AFTER_MAX_SEC = 3600;

const DECIMAL = /^\d+(\.\d+)?$/;
/** RFC 9110 §5.6.7: IMF-fixdate, RFC 850 and asctime all start with a day name; Date.parse alone takes "2026" */
const HTTP_DATE = /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun)[a-z]*,? /i;

/**
 * Seconds to wait from `retry-after-ms` (OpenAI) or `retry-after` as delta-seconds or an HTTP date (RFC 9110
 * §10.2.3), rounded up, clamped to RETRY_AFTER_MAX_SEC; a date in the past is 0; anything else is undefined.
 */
export function retryAfterSeconds(headers: UpstreamHeaders, now: number = Date.now()): number | undefined {
  const ms = header(headers, 'retry-after-ms')?.trim();
  if (ms !== undefined && DECIMAL.test(ms)) return clampDelay(Number(ms) / 1000);
  const ra = header(headers, 'retry-after')?.trim();
  if (ra === undefined || ra === '') return undefined;
  if (DECIMAL.test(ra)) return clampDelay(Number(ra));
  if (!HTTP_DATE.test(ra)) return undefined;
  const at = Date.parse(ra);
  return Number.isNaN(at) ? undefined : clampDelay((at - now) / 1000);
}

function clampDelay(sec: number): number {
  return Math.min(RETRY_AFTER_MAX_SEC, Math.max(0, Math.ceil(sec)));
}

/** statuses whose Retry-After means "ask again then" (RFC 9110 §10.2.3 for 503, RFC 6585 §4 for 429) */
const RETRY_AFTER_STATUSES = new Set([429, 503, 529]);

export function statusLine(status: number): string {
  const text = STATUS_CODES[status];
  return text ? `${status} ${text}` : `HTTP ${status}`;
}

/** Lenient JSON: error answers come from load balancers and proxies too (HTML, plain text, empty). */
export function parseLenient(bodyText: string): unknown {
  const t = bodyText.trim();
  if (t.length === 0 || (t[0] !== '{' && t[0] !== '[')) return undefined;
  try {
    return JSON.parse(t);
  } catch {
    return undefined;
  }
}

/** A tag-free, one-line excerpt of a non-JSON body, so the user still reads what the proxy said. */
export function textExcerpt(bodyText: string): string | null {
  const t = bodyText
    .replace(/<[^>]*>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  if (t.length === 0) return null;
  return t.length > 300 ? `${t.slice(0, 300)}…` : t;
}

const NOTHING: ExtractedError = { message: null, code: null };

function build(
  provider: string,
  upstreamStatus: number,
  x: ExtractedError,
  fallbackMessage: string,
  upstreamBody: unknown,
): UpstreamError {
  const c = classifyStatus(x.credentialsRefused ? 401 : upstreamStatus);
  const own = x.message ?? fallbackMessage;
  const message = x.quotaExhausted
    ? `${provider}: ARouter's account at this provider has exhausted its quota: ${own}`
    : `${provider}: ${own}`;
  const e: UpstreamError = { ...c, code: x.code, message, upstream_status: upstreamStatus };
  if (upstreamBody !== undefined) e.upstream_body = upstreamBody;
  return e;
}

export const upstreamError = {
  /** An HTTP error answer, already read by the dialect (`extracted`). */
  fromStatus(
    provider: string,
    upstreamStatus: number,
    extracted: ExtractedError | null,
    opts: { headers?: UpstreamHeaders; body?: unknown; fallbackMessage?: string } = {},
  ): UpstreamError {
    const x = extracted ?? NOTHING;
    const e = build(provider, upstreamStatus, x, opts.fallbackMessage ?? statusLine(upstreamStatus), opts.body);
    if (RETRY_AFTER_STATUSES.has(upstreamStatus) && !x.quotaExhausted) {
      const ra = (opts.headers ? retryAfterSeconds(opts.headers) : undefined) ?? x.retryAfterSec ?? undefined;
      if (ra !== undefined) e.retry_after_sec = Math.min(ra, RETRY_AFTER_MAX_SEC);
    }
    return e;
  },

  /** An HTTP error answer as received: parsed leniently, read by the dialect's `extract`. */
  fromResponse(
    provider: string,
    upstreamStatus: number,
    bodyText: string,
    headers: UpstreamHeaders,
    extract: (body: unknown) => ExtractedError | null,
  ): UpstreamError {
    const body = parseLenient(bodyText);
    const extracted = body === undefined ? null : extract(body);
    const fallbackMessage = (body === undefined ? textExcerpt(bodyText) : null) ?? statusLine(upstreamStatus);
    return upstreamError.fromStatus(provider, upstreamStatus, extracted, { headers, body, fallbackMessage });
  },

  /** An error object inside a 200 body or stream: the HTTP status is gone, the body's implied status stands. */
  fromPayload(provider: string, extracted: ExtractedError | null, payload: unknown): UpstreamError {
    const x = extracted ?? NOTHING;
    const status = x.impliedStatus ?? 500;
    const e = build(provider, status, x, 'error reported mid-response', payload);
    if (x.retryAfterSec != null && RETRY_AFTER_STATUSES.has(status) && !x.quotaExhausted) {
      e.retry_after_sec = Math.min(x.retryAfterSec, RETRY_AFTER_MAX_SEC);
    }
    return e;
  },

  /** A 2xx answer ARouter cannot use (not JSON, no choices, an unreadable stream event). */
  invalidResponse(provider: string, detail: string, upstreamStatus: number | null = 200): UpstreamError {
    return fail(502, 'upstream_invalid_response', `${provider}: invalid response: ${detail}`, upstreamStatus);
  },

  /** The answer or one SSE event exceeded upstream.max_response_bytes. */
  tooLarge(limit: number, what: string): UpstreamError {
    const message = `Upstream sent ${what} larger than ${limit} bytes (upstream.max_response_bytes)`;
    return fail(502, 'upstream_response_too_large', message, 200);
  },

  /** A 2xx stream that closed before any content. */
  emptyStream(provider: string, upstreamStatus: number | null = 200): UpstreamError {
    const message = `${provider} closed the stream without any content`;
    return fail(502, 'upstream_empty_stream', message, upstreamStatus);
  },

  /** A stream ended cleanly before its final event (see truncated.ts). */
  truncated(provider: string): UpstreamError {
    const message = `${provider} ended the stream before its final event: the answer is incomplete`;
    return fail(502, 'upstream_stream_truncated', message, 200);
  },

  /** connect / first byte / idle / total deadline; `what` completes "Upstream timed out …" */
  timeout(what: string): UpstreamError {
    return { ...TIMEOUT, code: 'upstream_timeout', message: `Upstream timed out ${what}`, upstream_status: null };
  },

  /** The request's total deadline passed between attempts. */
  deadlineExceeded(): UpstreamError {
    const message = 'Total deadline exceeded before trying every endpoint';
    return { ...TIMEOUT, code: 'deadline_exceeded', message, upstream_status: null };
  },

  /** The connection failed (refused, reset, TLS, DNS); `detail` names the cause. */
  network(detail: string): UpstreamError {
    return fail(502, 'upstream_connection_error', `Upstream connection failed: ${detail}`, null);
  },

  /** Every endpoint was skipped by an open circuit breaker. */
  noEndpoint(retryAfterSec?: number): UpstreamError {
    return {
      status: 503,
      retryable: true,
      type: 'service_unavailable_error',
      code: 'no_endpoint_available',
      message: 'No endpoint could be tried: every circuit breaker is open',
      upstream_status: null,
      ...(retryAfterSec !== undefined ? { retry_after_sec: Math.min(retryAfterSec, RETRY_AFTER_MAX_SEC) } : {}),
    };
  },

  /** What the client may read of a provider refusing ARouter's key (the provider's words go to the log only). */
  credentialsRefused(providerName: string, upstreamStatus: number | null): UpstreamError {
    const status = upstreamStatus !== null ? ` (HTTP ${upstreamStatus})` : '';
    return {
      ...AUTH,
      code: 'upstream_auth_failed',
      message:
        `${providerName} refused ARouter's credentials${status}: the gateway's key for ${providerName} is missing, ` +
        "invalid or not allowed this model; the gateway's operator must fix it",
      upstream_status: upstreamStatus,
    };
  },

  /** No endpoint's wire format could express the request (InvalidRequestError while building it). */
  invalidRequest(message: string): UpstreamError {
    return { ...CLIENT_ERROR, code: 'invalid_request', message, upstream_status: null };
  },

  /** ARouter stopped reading (the consumer saw enough): nobody's failure, never retried. */
  cancelled(): UpstreamError {
    return {
      status: 499,
      retryable: false,
      type: 'cancelled',
      code: 'cancelled',
      message: 'cancelled by ARouter',
      upstream_status: null,
    };
  },

  /** ARouter's own shutdown cut the answer: no time is left for another endpoint. */
  shuttingDown(): UpstreamError {
    return {
      status: 503,
      retryable: false,
      type: 'server_error',
      code: 'server_shutting_down',
      message:
        'ARouter is shutting down: the answer was cut after the shutdown grace period (server.shutdown_grace_ms)',
      upstream_status: null,
    };
  },
};

function fail(status: number, code: string, message: string, upstreamStatus: number | null): UpstreamError {
  return { status, retryable: true, type: 'upstream_error', code, message, upstream_status: upstreamStatus };
}

/** Anything with the UpstreamError fields (thrown plain objects and UpstreamResponseError alike). */
export function isUpstreamError(x: unknown): x is UpstreamError {
  return typeof x === 'object' && x !== null && 'retryable' in x && 'status' in x && 'upstream_status' in x;
}

/**
 * An UpstreamError to throw where only results can be returned (a dialect's parse of an unusable 200 body):
 * an Error (stack, instanceof) that also carries every UpstreamError field itself, so isUpstreamError routes it
 * like any other upstream failure; `upstream` is the plain object.
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
