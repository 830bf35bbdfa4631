// Request bodies: size-limited (413 before reading more than the limit) and parsed as JSON (400 on bad JSON).
import type { IncomingMessage } from 'node:http';
import { HttpError, badRequest } from './errors.js';
import { requestHeader } from './request-headers.js';
import type { TSchema } from '@sinclair/typebox';
import { definedSegments } from '../lib/schema.js';
import { MAX_JSON_DEPTH, fieldName, pathAt, tooDeepAt } from './json-depth.js';

export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(requestHeader(req, 'content-length'));
  if (Number.isFinite(declared) && declared > limit) {
    req.resume();
    return Promise.reject(tooLarge(limit));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        req.removeAllListeners('data');
        req.resume();
        reject(tooLarge(limit));
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function tooLarge(limit: number): HttpError {
  return new HttpError(413, `Request body exceeds the limit of ${limit} bytes`, 'invalid_request_error', 'payload_too_large');
}

/** `schema`, the body's request schema, only names the field of a body nested too deeply (json-depth.ts). */
export async function readJson(req: IncomingMessage, limit: number, schema?: TSchema): Promise<unknown> {
  const buf = await readBody(req, limit);
  if (buf.length === 0) throw badRequest('Request body is empty; expected a JSON object', null, 'invalid_json');
  const deep = tooDeepAt(buf);
  if (deep >= 0) {
    const path = pathAt(buf, deep);
    const field = fieldName(path, schema && definedSegments(schema, path));
    throw badRequest(`${field || 'The request body'} is nested too deeply: a request body may nest at most ${MAX_JSON_DEPTH} levels`, field || null, 'too_deep');
  }
  try {
    return JSON.parse(buf.toString('utf8'));
  } catch (err) {
    throw badRequest(`Request body is not valid JSON: ${(err as Error).message}`, null, 'invalid_json');
  }
}
