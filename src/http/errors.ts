// Every error a client sees is OpenAI-shaped: {"error":{"message","type","code","param",...}} with the
// right HTTP status. Handlers throw HttpError; the server turns anything else into a generic 500 without
// leaking a stack trace.
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
    const error: Record<string, unknown> = { message: this.message, type: this.type, code: this.code, param: this.param };
    if (this.metadata) error.metadata = this.metadata;
    return JSON.stringify({ error });
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
