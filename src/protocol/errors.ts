// The error every client sees, whichever layer decides it (validation, limits, routing, an upstream): a status and
// the body {"error":{"code":<status>,"message","type","param","metadata":{"code":<string code>,...}}}. At the bottom
// of the import graph so accounting and routing can refuse a request without importing the HTTP layer;
// src/http/errors.ts writes it.
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
  /**
   * One body both OpenAI's and OpenRouter's clients parse into their typed errors: OpenRouter's SDKs validate
   * `code` as an integer and keep only code/message/metadata (a string code failed validation and lost the
   * message); the openai SDK takes any `code` and reads type/param. So `code` is the HTTP status and our
   * machine-readable string code lives in `metadata.code`, the one place every client hands back.
   */
  body(): string {
    const metadata = this.code === null ? (this.metadata ?? null) : { code: this.code, ...this.metadata };
    return JSON.stringify({
      error: { code: this.status, message: this.message, type: this.type, param: this.param, metadata },
    });
  }
}

export const badRequest = (message: string, param: string | null = null, code = 'invalid_request') =>
  new HttpError(400, message, 'invalid_request_error', code, param);
export const unauthorized = (message: string, code = 'invalid_api_key') =>
  new HttpError(401, message, 'authentication_error', code);
export const forbidden = (message: string) => new HttpError(403, message, 'permission_error', 'forbidden');
export const notFound = (message: string, code = 'not_found') => new HttpError(404, message, 'not_found_error', code);
