// Every error a client sees is {"error":{"code":<status>,"message","type","param","metadata":{"code",...}}} with the
// right HTTP status (src/protocol/errors.ts). Handlers throw HttpError; the server turns anything else into a generic 500 without
// leaking a stack trace.
import type { ServerResponse } from 'node:http';
import { withCommonHeaders } from './respond.js';

export { HttpError, badRequest, unauthorized, forbidden, notFound } from '../protocol/errors.js';
import type { HttpError } from '../protocol/errors.js';

export function sendError(res: ServerResponse, err: HttpError, shape?: (err: HttpError) => string): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = shape ? shape(err) : err.body();
  res.writeHead(
    err.status,
    withCommonHeaders(res, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(body),
      ...err.headers,
    }),
  );
  res.end(body);
}
