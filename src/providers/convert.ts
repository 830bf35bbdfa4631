// Conversions every non-OpenAI dialect needs on the way out: data URLs to base64 payloads, and OpenAI's
// JSON-string tool arguments to the JSON objects Anthropic and Gemini take.
import { InvalidRequestError } from './errors.js';

export interface DataUrl {
  /** lower-cased media type ("" when the URL names none) */
  mediaType: string;
  /** base64 payload (percent-encoded data URLs are re-encoded) */
  data: string;
}

/** Splits `data:[<type>][;params][;base64],<payload>`; null when the string is not a usable data URL. */
export function parseDataUrl(url: string): DataUrl | null {
  const comma = url.indexOf(',');
  if (!url.startsWith('data:') || comma < 0) return null;
  const params = url
    .slice(5, comma)
    .split(';')
    .map((s) => s.trim());
  const mediaType = params[0].toLowerCase();
  const payload = url.slice(comma + 1);
  if (params.slice(1).some((p) => p.toLowerCase() === 'base64')) return { mediaType, data: payload };
  try {
    return { mediaType, data: Buffer.from(decodeURIComponent(payload), 'utf8').toString('base64') };
  } catch {
    return null;
  }
}

/** Tool-call arguments (a JSON string on the OpenAI side) as the object `provider` needs; "" means {}. */
export function parseToolArguments(args: string, param: string, provider: string): Record<string, unknown> {
  if (args.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(args);
  } catch {
    throw new InvalidRequestError(`${param} is not valid JSON; ${provider} needs a JSON object`, param);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new InvalidRequestError(`${param} must be a JSON object for ${provider}`, param);
  }
  return parsed as Record<string, unknown>;
}
