// Request validation: an invalid body is a 400 that names the offending field, before any upstream call.
import type { TSchema, Static } from '@sinclair/typebox';
import { compiled, firstProblem } from '../lib/schema.js';
import { badRequest } from './errors.js';

export function validate<T extends TSchema>(schema: T, value: unknown, what = 'request body'): Static<T> {
  if (compiled(schema).Check(value)) return value as Static<T>;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw badRequest(`The ${what} must be a JSON object`);
  const p = firstProblem(schema, value)!;
  const got = p.value === undefined ? 'missing' : JSON.stringify(p.value)?.slice(0, 80);
  throw badRequest(`Invalid ${p.field || what}: ${p.message} (got ${got})`, p.field || null, 'invalid_request');
}
