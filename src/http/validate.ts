// Compiled request validation (TypeBox): an invalid body is a 400 that names the offending field.
import type { TSchema, Static } from '@sinclair/typebox';
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';
import { ValueErrorType } from '@sinclair/typebox/errors';
import { badRequest } from './errors.js';

const cache = new WeakMap<TSchema, TypeCheck<TSchema>>();

function fieldName(path: string): string {
  // "/messages/0/content" → "messages[0].content"
  return path
    .split('/')
    .filter(Boolean)
    .map((s, i) => (/^\d+$/.test(s) ? `[${s}]` : i === 0 ? s : `.${s}`))
    .join('');
}

export function validate<T extends TSchema>(schema: T, value: unknown, what = 'request body'): Static<T> {
  let c = cache.get(schema);
  if (!c) cache.set(schema, (c = TypeCompiler.Compile(schema)));
  if (c.Check(value)) return value as Static<T>;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw badRequest(`The ${what} must be a JSON object`);
  const errors = [...c.Errors(value)];
  // unions report the outer mismatch first; the deepest error names the actual bad field
  const deepest = errors.reduce((a, b) => (b.path.length > a.path.length ? b : a), errors[0]);
  const err = errors.find((e) => e.type === ValueErrorType.ObjectRequiredProperty && e.path.length >= deepest.path.length) ?? deepest;
  const field = fieldName(err.path);
  const got = err.value === undefined ? 'missing' : JSON.stringify(err.value)?.slice(0, 80);
  throw badRequest(`Invalid ${field || what}: ${err.message} (got ${got})`, field || null, 'invalid_request');
}
