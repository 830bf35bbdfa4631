// Error bodies of the OpenAI-compatible family, read into an ExtractedError; what ARouter answers is decided in
// ../upstream-error.ts. Bodies seen in the wild:
// - OpenAI (spec ErrorResponse): {"error":{"message","type","param","code"}}
// - Mistral, older vLLM: unwrapped {"object":"error","message","type","param","code"}, where Mistral's
//   `message` may itself be a pydantic {"detail":[{loc,msg}]} object (github.com/nomtek/mistralai_client_dart/issues/44)
// - Ollama native / some proxies: {"error":"text"}; FastAPI servers: {"detail":"text" | [{loc,msg}]}
// - Google's compat layer: [{"error":{...}}]; load balancers: HTML or plain text.
import type { UpstreamError } from '../types.js';
import { upstreamError, type ExtractedError, type UpstreamHeaders } from '../upstream-error.js';
import { isRecord, type Loose } from './normalize.js';

export { UpstreamResponseError } from '../upstream-error.js';

/** Used when the caller cannot say which provider answered. */
export const DEFAULT_PROVIDER_LABEL = 'Upstream provider';

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

/** The dialect's reading of an error body; null when no known shape matches. */
export function extractOpenAIError(body: unknown): ExtractedError | null {
  const info = extractError(body);
  if (info === null) return null;
  return {
    message: info.message,
    code: info.code,
    impliedStatus: info.status ?? impliedStatus(info),
    quotaExhausted: info.code === 'insufficient_quota' || info.type === 'insufficient_quota',
  };
}

export function mapOpenAIError(
  status: number,
  bodyText: string,
  headers: UpstreamHeaders,
  provider: string = DEFAULT_PROVIDER_LABEL,
): UpstreamError {
  return upstreamError.fromResponse(provider, status, bodyText, headers, extractOpenAIError);
}

/** An error reported inside a 200 body or SSE chunk ({"error":{...}}). */
export function errorFromPayload(payload: Loose, provider: string = DEFAULT_PROVIDER_LABEL): UpstreamError {
  return upstreamError.fromPayload(provider, extractOpenAIError(payload), payload);
}

/** Not JSON / not a completion: ARouter cannot use it. */
export function invalidResponse(detail: string, provider: string = DEFAULT_PROVIDER_LABEL): UpstreamError {
  return upstreamError.invalidResponse(provider, detail);
}
