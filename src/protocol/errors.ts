// The error every client sees, whichever layer decides it (validation, limits, routing, an upstream): a status
// and an OpenAI-shaped body {"error":{"message","type","code","param",...}}. At the bottom of the import graph so
// accounting and routing can refuse a request without importing the HTTP layer; src/http/errors.ts writes it.
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
    const error: Record<string, unknown> = {
      message: this.message,
      type: this.type,
      code: this.code,
      param: this.param,
    };
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
