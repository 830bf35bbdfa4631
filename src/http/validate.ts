// Request validation: an invalid body is a 400 that names the offending field, before any upstream call.
import type { TSchema, Static } from '@sinclair/typebox';
import { compiled, firstProblem } from '../lib/schema.js';
import { badRequest } from './errors.js';

export function validate<T extends TSchema>(schema: T, value: unknown, what = 'request body'): Static<T> {
  if (compiled(schema).Check(value)) return value as Static<T>;
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw badRequest(`The ${what} must be a JSON object`);
  const p = firstProblem(schema, value)!;
  const got = p.value === undefined ? 'missing' : preview(p.value, 80);
  throw badRequest(`Invalid ${p.field || what}: ${p.message} (got ${got})`, p.field || null, 'invalid_request');
}

/**
 * The start of a value's JSON text, at most `max` characters. Stops once that much is written: the offending
 * value may be a megabyte-long array, and JSON.stringify of all of it to keep 80 characters is waste. Each
 * level writes a bracket first, so the recursion is at most `max` deep whatever the value's depth.
 */
export function preview(value: unknown, max: number): string {
  let out = '';
  // false once `max` characters are written: stop walking
  const put = (v: unknown): boolean => {
    if (out.length >= max) return false;
    if (Array.isArray(v)) {
      out += '[';
      for (let i = 0; i < v.length; i++) {
        if (i > 0) out += ',';
        if (!put(v[i])) return false;
      }
      out += ']';
    } else if (typeof v === 'object' && v !== null) {
      out += '{';
      let first = true;
      for (const k in v) {
        out += (first ? '' : ',') + JSON.stringify(k.slice(0, max)) + ':';
        first = false;
        if (!put((v as Record<string, unknown>)[k])) return false;
      }
      out += '}';
    } else {
      out += typeof v === 'string' ? JSON.stringify(v.slice(0, max)) : String(JSON.stringify(v));
    }
    return out.length < max;
  };
  put(value);
  return out.slice(0, max);
}
