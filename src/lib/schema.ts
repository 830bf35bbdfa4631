// Shared by request and config validation: compiled TypeBox checks and an error that names the field.
import { Kind, type TSchema } from '@sinclair/typebox';
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';
import { ValueErrorType, type ValueError } from '@sinclair/typebox/errors';

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

/**
 * Errors looked at to pick the most useful one. TypeBox yields them lazily and in document order (a union is
 * one error, its variants' errors are not walked), so stopping early bounds the work by the first few bad
 * values: collecting all of them took 2 s and ~1 GB for a 1.9 MB array of a million wrong items.
 */
export const MAX_SCHEMA_ERRORS = 16;

/** The most useful error of a failed check: unions report the outer mismatch first, so take the deepest. */
export function firstProblem(schema: TSchema, value: unknown): SchemaProblem | null {
  const c = compiled(schema);
  if (c.Check(value)) return null;
  const errors: ValueError[] = [];
  for (const e of c.Errors(value)) {
    errors.push(e);
    if (errors.length === MAX_SCHEMA_ERRORS) break;
  }
  const depth = (e: ValueError) => e.path.split('/').length;
  const deepest = errors.reduce((a, b) => (depth(b) > depth(a) ? b : a), errors[0]);
  const err =
    errors.find((e) => e.type === ValueErrorType.ObjectRequiredProperty && depth(e) >= depth(deepest)) ?? deepest;
  const message = err.type === ValueErrorType.ObjectAdditionalProperties ? 'unknown field' : err.message;
  return { field: fieldPath(err.path), message, value: err.value };
}

/**
 * How many leading segments of `path` (keys and array indexes) `schema` defines: where a value's typed
 * structure ends and free-form content (an Unknown, a Record, a primitive) begins. Names the field of a
 * request body that nests too deeply: `tools[0].function.parameters`, not the client's keys below it.
 */
export function definedSegments(schema: TSchema, path: readonly (string | number)[]): number {
  let level: TSchema[] = [schema];
  let i = 0;
  for (; i < path.length; i++) {
    const seg = path[i];
    const next: TSchema[] = [];
    const visit = (s: TSchema): void => {
      const kind = s[Kind] as string | undefined;
      if (kind === 'Union') for (const v of s.anyOf as TSchema[]) visit(v);
      else if (kind === 'Intersect') for (const v of s.allOf as TSchema[]) visit(v);
      else if (kind === 'Object' && typeof seg === 'string' && Object.hasOwn(s.properties, seg))
        next.push(s.properties[seg] as TSchema);
      else if (kind === 'Array' && typeof seg === 'number') next.push(s.items as TSchema);
    };
    for (const s of level) visit(s);
    if (next.length === 0) break;
    level = next;
  }
  return i;
}
