// Deterministic example values from a schema: JSON Schema (OpenAI `parameters`/`json_schema.schema`,
// Anthropic `input_schema`/`output_config.format.schema`, Gemini `parametersJsonSchema`/`responseJsonSchema`)
// or Gemini's OpenAPI-subset `Schema` (type STRING/NUMBER/..., `nullable`, `anyOf`, `propertyOrdering`).
// Rules: strings "example" (enum → first value, const → const, a few formats get a valid sample),
// numbers/integers 1 clamped into [minimum, maximum], booleans true, arrays one item (or minItems),
// objects their `required` properties (all properties when there is no `required`).

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

const FORMAT_SAMPLES: Record<string, string> = {
  'date-time': '2024-01-01T00:00:00Z',
  date: '2024-01-01',
  time: '00:00:00',
  email: 'user@example.com',
  uri: 'https://example.com',
  url: 'https://example.com',
  uuid: '00000000-0000-4000-8000-000000000000',
  ipv4: '127.0.0.1',
  hostname: 'example.com',
};

function resolveRef(ref: string, root: unknown): unknown {
  if (!ref.startsWith('#/')) return {};
  let cur: unknown = root;
  for (const part of ref.slice(2).split('/')) {
    if (!isObj(cur)) return {};
    cur = cur[part.replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  return cur ?? {};
}

function firstType(t: unknown): string | undefined {
  if (Array.isArray(t)) return (t.find((x) => String(x).toLowerCase() !== 'null') ?? t[0]) as string | undefined;
  return typeof t === 'string' ? t : undefined;
}

function mergeAllOf(parts: unknown[], root: unknown): Obj {
  const out: Obj = { type: 'object', properties: {}, required: [] as string[] };
  for (const p0 of parts) {
    const p = isObj(p0) && typeof p0.$ref === 'string' ? resolveRef(p0.$ref, root) : p0;
    if (!isObj(p)) continue;
    Object.assign(out.properties as Obj, (p.properties as Obj | undefined) ?? {});
    (out.required as string[]).push(...(((p.required as string[] | undefined) ?? []) as string[]));
    for (const [k, v] of Object.entries(p))
      if (!['properties', 'required', 'allOf'].includes(k) && !(k in out)) out[k] = v;
  }
  if ((out.required as string[]).length === 0) delete out.required;
  return out;
}

/** Values (and padding characters) one example may produce: in `serve --demo` the simulators run in the
 * gateway's process, and a client's schema could otherwise fan out through `$ref`s or ask for minItems 1e9. */
const EXAMPLE_BUDGET = 100_000;

export function exampleFromSchema(
  schema: unknown,
  root: unknown = schema,
  depth = 0,
  budget = { left: EXAMPLE_BUDGET },
): unknown {
  if (--budget.left < 0) return null;
  if (depth > 12 || schema === true || !isObj(schema)) return depth > 12 ? null : 'example';
  if (typeof schema.$ref === 'string') return exampleFromSchema(resolveRef(schema.$ref, root), root, depth + 1, budget);
  if ('const' in schema) return schema.const;
  if (Array.isArray(schema.enum) && schema.enum.length) return schema.enum[0];
  const union = (schema.anyOf ?? schema.oneOf ?? schema.any_of) as unknown[] | undefined;
  if (Array.isArray(union) && union.length) {
    const pick = union.find((b) => !(isObj(b) && String(firstType(b.type) ?? '').toLowerCase() === 'null')) ?? union[0];
    return exampleFromSchema(pick, root, depth + 1, budget);
  }
  if (Array.isArray(schema.allOf)) return exampleFromSchema(mergeAllOf(schema.allOf, root), root, depth + 1, budget);

  let type = firstType(schema.type)?.toLowerCase();
  if (!type) type = isObj(schema.properties) ? 'object' : schema.items !== undefined ? 'array' : 'string';
  switch (type) {
    case 'object': {
      const props = (isObj(schema.properties) ? schema.properties : {}) as Obj;
      const required = Array.isArray(schema.required) ? (schema.required as string[]) : Object.keys(props);
      const order = Array.isArray(schema.propertyOrdering) ? (schema.propertyOrdering as string[]) : Object.keys(props);
      // Sets: a client's list of 100k names must not make this quadratic
      const requiredSet = new Set(required);
      const orderSet = new Set(order);
      const keys = [...order.filter((k) => requiredSet.has(k)), ...required.filter((k) => !orderSet.has(k))];
      const out: Obj = {};
      for (const k of keys) out[k] = exampleFromSchema(props[k] ?? {}, root, depth + 1, budget);
      return out;
    }
    case 'array': {
      if (Array.isArray(schema.prefixItems))
        return schema.prefixItems.map((s) => exampleFromSchema(s, root, depth + 1, budget));
      const min =
        typeof schema.minItems === 'number'
          ? schema.minItems
          : typeof schema.min_items === 'number'
            ? schema.min_items
            : 1;
      const max = typeof schema.maxItems === 'number' ? schema.maxItems : Infinity;
      const n = Math.max(0, Math.min(Math.max(min, 1), max, budget.left));
      return Array.from({ length: n }, () => exampleFromSchema(schema.items ?? {}, root, depth + 1, budget));
    }
    case 'integer':
    case 'number': {
      let v = 1;
      const min =
        typeof schema.minimum === 'number'
          ? schema.minimum
          : typeof schema.exclusiveMinimum === 'number'
            ? schema.exclusiveMinimum + (type === 'integer' ? 1 : 0.5)
            : undefined;
      const max =
        typeof schema.maximum === 'number'
          ? schema.maximum
          : typeof schema.exclusiveMaximum === 'number'
            ? schema.exclusiveMaximum - (type === 'integer' ? 1 : 0.5)
            : undefined;
      if (min !== undefined && v < min) v = type === 'integer' ? Math.ceil(min) : min;
      if (max !== undefined && v > max) v = type === 'integer' ? Math.floor(max) : max;
      return v;
    }
    case 'boolean':
      return true;
    case 'null':
      return null;
    default: {
      let s = (typeof schema.format === 'string' && FORMAT_SAMPLES[schema.format]) || 'example';
      const minLen = typeof schema.minLength === 'number' ? schema.minLength : 0;
      const maxLen = typeof schema.maxLength === 'number' ? schema.maxLength : Infinity;
      if (s.length < minLen) {
        const len = Math.min(minLen, Math.max(0, budget.left));
        budget.left -= len;
        s = s.padEnd(len, 'x');
      }
      if (s.length > maxLen) s = s.slice(0, maxLen);
      return s;
    }
  }
}
