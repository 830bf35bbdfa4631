// Request bodies: size-limited (413 before reading more than the limit) and parsed as JSON (400 on bad JSON).
// What happens to the rest of a refused body (drained a little, then the connection closed) is the server's
// call (server.ts), for every error answered before the body has arrived, not only this one.
import type { IncomingMessage } from 'node:http';
import { HttpError, badRequest } from './errors.js';
import { requestHeader } from '../lib/request-headers.js';
import type { TSchema } from '@sinclair/typebox';
import { definedSegments } from '../lib/schema.js';
import { MAX_JSON_DEPTH, fieldName, pathAt, tooDeepAt } from './json-depth.js';

/** The client closed its connection (or was timed out) before its body had arrived: nobody to answer. */
export class ClientGoneError extends Error {
  constructor() {
    super('the client closed the connection before sending its whole request');
    this.name = 'ClientGoneError';
  }
}

export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(requestHeader(req, 'content-length'));
  if (Number.isFinite(declared) && declared > limit) return Promise.reject(tooLarge(limit));
  // gone before the handler got here ('close' has been emitted already: the listeners below would never fire)
  if (req.destroyed && !req.complete) return Promise.reject(new ClientGoneError());
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        req.removeAllListeners('data');
        reject(tooLarge(limit));
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)));
    // a socket reset mid-upload ('aborted', ECONNRESET) is the client leaving, not a server fault; 'close'
    // without 'end' covers a destroy that emits no error (a settled promise ignores both after 'end')
    req.on('error', () => reject(new ClientGoneError()));
    req.on('close', () => {
      if (!req.complete) reject(new ClientGoneError());
    });
  });
}

function tooLarge(limit: number): HttpError {
  return new HttpError(
    413,
    // base64 audio and PDFs reach the limit first: the message says which setting raises it
    `Request body exceeds the limit of ${limit} bytes (server.body_limit_bytes, env AROUTER_BODY_LIMIT); ` +
      'large audio or PDF inputs need a higher limit',
    'invalid_request_error',
    'payload_too_large',
  );
}

/** `schema`, the body's request schema, only names the field of a body nested too deeply (json-depth.ts). */
export async function readJson(req: IncomingMessage, limit: number, schema?: TSchema): Promise<unknown> {
  const buf = await readBody(req, limit);
  if (buf.length === 0) throw badRequest('Request body is empty; expected a JSON object', null, 'invalid_json');
  const deep = tooDeepAt(buf);
  if (deep >= 0) {
    const path = pathAt(buf, deep);
    const field = fieldName(path, schema && definedSegments(schema, path));
    throw badRequest(
      `${field || 'The request body'} is nested too deeply: a request body may nest at most ${MAX_JSON_DEPTH} levels`,
      field || null,
      'too_deep',
    );
  }
  try {
    return JSON.parse(buf.toString('utf8'));
  } catch (err) {
    throw badRequest(`Request body is not valid JSON: ${(err as Error).message}`, null, 'invalid_json');
  }
}
