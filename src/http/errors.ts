// Every error a client sees is one body both OpenAI's and OpenRouter's clients parse into their typed errors:
// {"error":{"code":<HTTP status>,"message","type","param","metadata":{"code":<our string code>,...}}}. OpenRouter's
// SDKs validate `code` as an integer and keep only code/message/metadata (a string code failed validation and lost
// the message); the openai SDK takes any `code` and reads type/param. So the machine-readable string code lives in
// `metadata.code`, the one place every client hands back. Handlers throw HttpError; the server turns anything
// else into a generic 500 without leaking a stack trace.
import type { ServerResponse } from 'node:http';
import { withCommonHeaders } from './respond.js';

export class HttpError extends Error {
  constructor(
    public status: number,
    message: string,
    public type: string,
    public code: string | null = null,
    public param: string | null = null,
    public headers: Record<string, string> = {},
    public metadata?: Record<string, unknown>,
  ) {
    super(message);
  }
  body(): string {
    const metadata = this.code === null ? (this.metadata ?? null) : { code: this.code, ...this.metadata };
    return JSON.stringify({ error: { code: this.status, message: this.message, type: this.type, param: this.param, metadata } });
  }
}

export const badRequest = (message: string, param: string | null = null, code = 'invalid_request') =>
  new HttpError(400, message, 'invalid_request_error', code, param);
export const unauthorized = (message: string, code = 'invalid_api_key') =>
  new HttpError(401, message, 'authentication_error', code);
export const forbidden = (message: string) => new HttpError(403, message, 'permission_error', 'forbidden');
export const notFound = (message: string, code = 'not_found') => new HttpError(404, message, 'not_found_error', code);

export function sendError(res: ServerResponse, err: HttpError): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = err.body();
  res.writeHead(err.status, withCommonHeaders(res, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
    ...err.headers,
  }));
  res.end(body);
}
