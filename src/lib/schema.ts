// Shared by request and config validation: compiled TypeBox checks and an error that names the field.
import type { TSchema } from '@sinclair/typebox';
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';
import { ValueErrorType } from '@sinclair/typebox/errors';

const cache = new WeakMap<TSchema, TypeCheck<TSchema>>();

export function compiled(schema: TSchema): TypeCheck<TSchema> {
  let c = cache.get(schema);
  if (!c) cache.set(schema, (c = TypeCompiler.Compile(schema)));
  return c;
}

/** "/providers/1/dialect" → "providers[1].dialect" */
export function fieldPath(pointer: string): string {
  return pointer
    .split('/')
    .filter(Boolean)
    .map((s, i) => (/^\d+$/.test(s) ? `[${s}]` : i === 0 ? s : `.${s}`))
    .join('');
}

export interface SchemaProblem {
  /** e.g. messages[0].role; '' for the root */
  field: string;
  message: string;
  value: unknown;
}

/** The most useful error of a failed check: unions report the outer mismatch first, so take the deepest. */
export function firstProblem(schema: TSchema, value: unknown): SchemaProblem | null {
  const c = compiled(schema);
  if (c.Check(value)) return null;
  const errors = [...c.Errors(value)];
  const deepest = errors.reduce((a, b) => (b.path.length > a.path.length ? b : a), errors[0]);
  const err = errors.find((e) => e.type === ValueErrorType.ObjectRequiredProperty && e.path.length >= deepest.path.length) ?? deepest;
  const message = err.type === ValueErrorType.ObjectAdditionalProperties ? 'unknown field' : err.message;
  return { field: fieldPath(err.path), message, value: err.value };
}
