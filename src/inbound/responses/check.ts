// An input item or tool checked against its type's own schema: the 400 names the exact field under the item's
// path (`input[3].content[0].image_url`), which a check of the whole body's unions cannot (TypeBox reports a
// failed union once, at the item).
import type { Static, TSchema } from '@sinclair/typebox';
import { compiled, firstProblem } from '../../lib/schema.js';
import { badRequest } from '../../protocol/errors.js';

export function checkShape<T extends TSchema>(schema: T, value: unknown, path: string): Static<T> {
  if (compiled(schema).Check(value)) return value as Static<T>;
  const p = firstProblem(schema, value)!;
  const field = p.field === '' ? path : p.field.startsWith('[') ? `${path}${p.field}` : `${path}.${p.field}`;
  throw badRequest(`Invalid ${field}: ${p.message}`, field);
}
