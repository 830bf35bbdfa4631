// JSON Schema (what OpenAI clients send in tools[].function.parameters and response_format.json_schema)
// → Gemini's `Schema` message, a select subset of OpenAPI 3.0 (content.proto `message Schema`).
//
// Decision: we send the converted `Schema` (`parameters` / `responseSchema`) whenever the JSON Schema can be
// expressed in it, because every Gemini model accepts that form. When it cannot (recursive `$ref`, several
// `anyOf` branches, non-string enums, free-form objects, arrays without `items`, `not`/`if`/tuples, ...),
// `toGeminiSchema` returns null and the caller sends the raw JSON Schema in `parametersJsonSchema` /
// `responseJsonSchema` instead — fields the proto has and which Gemini ≥ 2.5 understands
// (https://ai.google.dev/api/caching#FunctionDeclaration). Silently producing a *different* schema is worse
// than using the newer field, so anything the subset would change in meaning is a "cannot".
// Validation-only keywords the subset lacks (additionalProperties:false, multipleOf, uniqueItems,
// exclusiveMinimum, ...) are dropped: they narrow what the model may produce but do not change its shape.

import { InvalidRequestError } from '../errors.js';

type Json = Record<string, unknown>;
export type GeminiSchema = Record<string, unknown>;

export interface SchemaOptions {
  /** add `propertyOrdering` (the order of `properties`) to objects: Gemini otherwise orders response keys itself */
  propertyOrdering?: boolean;
  /** the request field the schema came from, named in the error when it expands too far */
  param?: string;
}

/**
 * Bounds of the inlined copy. Inlining `$ref`s multiplies: a 3 KB schema whose 24 definitions each refer to
 * the next twice expands to 2^24 nodes (the process ran out of heap; 2^20 blocked the event loop 4.5 s and
 * took 675 MB). Real tool schemas are tens to hundreds of nodes, a few levels deep.
 */
export const MAX_SCHEMA_NODES = 10_000;
export const MAX_SCHEMA_DEPTH = 64;
/** keys, enum values, required names copied along the way: a definition with 50k enum values used 10k times */
const MAX_SCHEMA_ENTRIES = 200_000;

/** What is left of one conversion's budget. */
interface Budget {
  nodes: number;
  entries: number;
  param: string;
}

function spend(budget: Budget, nodes: number, entries: number): void {
  budget.nodes -= nodes;
  budget.entries -= entries;
  if (budget.nodes < 0 || budget.entries < 0) {
    throw new InvalidRequestError(
      `${budget.param}: the schema expands to more than ${MAX_SCHEMA_NODES} nodes (or ${MAX_SCHEMA_ENTRIES} keys and values) once its $refs are inlined`,
      budget.param,
    );
  }
}

/** Thrown inside the converter when the subset cannot express a construct; never escapes this module. */
class Inexpressible extends Error {}

const TYPE_NAMES: Record<string, string> = {
  string: 'STRING',
  number: 'NUMBER',
  integer: 'INTEGER',
  boolean: 'BOOLEAN',
  array: 'ARRAY',
  object: 'OBJECT',
  null: 'NULL',
};

// Keywords that change which values are valid in a way the subset cannot say: we give up instead.
const SHAPE_KEYWORDS = [
  'not',
  'if',
  'then',
  'else',
  'prefixItems',
  'contains',
  'patternProperties',
  'dependentSchemas',
  'propertyNames',
  'unevaluatedProperties',
  'unevaluatedItems',
];

const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The converted schema, or null when the JSON Schema needs the raw `*JsonSchema` field. */
export function toGeminiSchema(root: unknown, opts: SchemaOptions = {}): GeminiSchema | null {
  if (!isObj(root)) return null;
  const budget: Budget = { nodes: MAX_SCHEMA_NODES, entries: MAX_SCHEMA_ENTRIES, param: opts.param ?? 'schema' };
  try {
    return convert(root, root, [], opts, budget);
  } catch (e) {
    if (e instanceof Inexpressible) return null;
    throw e;
  }
}

/** True for a tool parameter schema that declares no parameters (Gemini rejects an OBJECT with no properties). */
export function declaresNoParameters(schema: unknown): boolean {
  if (!isObj(schema)) return true;
  const keys = Object.keys(schema).filter(
    (k) =>
      ![
        '$schema',
        'type',
        'properties',
        'additionalProperties',
        'required',
        'title',
        'description',
        '$defs',
        'definitions',
      ].includes(k),
  );
  if (keys.length > 0) return false;
  if (schema.type !== undefined && schema.type !== 'object') return false;
  if (isObj(schema.additionalProperties)) return false;
  return !isObj(schema.properties) || Object.keys(schema.properties).length === 0;
}

/** The raw JSON Schema for `parametersJsonSchema` / `responseJsonSchema`: `$schema` only names a dialect. */
export function rawJsonSchema(schema: Json): Json {
  const { $schema: _ignored, ...rest } = schema;
  return rest;
}

function resolveRef(ref: string, root: Json): Json {
  if (ref === '#') return root;
  const m = /^#\/(\$defs|definitions)\/(.+)$/.exec(ref);
  if (!m) throw new Inexpressible(`non-local $ref ${ref}`);
  const name = m[2].replace(/~1/g, '/').replace(/~0/g, '~');
  const defs = root[m[1]];
  const target = isObj(defs) ? defs[name] : undefined;
  if (!isObj(target)) throw new Inexpressible(`unresolved $ref ${ref}`);
  return target;
}

/** Annotations that may sit beside `$ref` / a single `anyOf` branch and override the referenced schema's. */
function siblingAnnotations(node: Json): Json {
  const out: Json = {};
  for (const k of ['description', 'title', 'default', 'example', 'examples', 'nullable'])
    if (k in node) out[k] = node[k];
  return out;
}

function convert(
  node: Json,
  root: Json,
  refStack: string[],
  opts: SchemaOptions,
  budget: Budget,
  depth = 0,
): GeminiSchema {
  // every path below copies the node's keys once (rest spreads, the output's fields)
  spend(budget, 1, Object.keys(node).length);
  if (depth > MAX_SCHEMA_DEPTH) {
    throw new InvalidRequestError(
      `${budget.param}: the schema nests deeper than ${MAX_SCHEMA_DEPTH} levels once its $refs are inlined`,
      budget.param,
    );
  }
  for (const k of SHAPE_KEYWORDS) if (k in node) throw new Inexpressible(k);

  if (typeof node.$ref === 'string') {
    const ref = node.$ref;
    // local refs are inlined; a ref already on the stack is recursion, which an inline copy cannot express
    if (refStack.includes(ref)) throw new Inexpressible(`recursive $ref ${ref}`);
    const { $ref: _r, ...rest } = node;
    const target = resolveRef(ref, root);
    return convert({ ...target, ...stripDefs(rest) }, root, [...refStack, ref], opts, budget, depth + 1);
  }

  if (Array.isArray(node.allOf)) {
    // Pydantic wraps a described nested model as allOf:[{$ref}]; more branches would need a real merge
    if (node.allOf.length !== 1 || !isObj(node.allOf[0])) throw new Inexpressible('allOf');
    const { allOf: _a, ...rest } = node;
    return convert({ ...node.allOf[0], ...siblingAnnotations(rest) }, root, refStack, opts, budget, depth + 1);
  }

  const union = Array.isArray(node.anyOf) ? node.anyOf : Array.isArray(node.oneOf) ? node.oneOf : null;
  if (union) {
    // the common optional-field idiom anyOf:[X, {type:null}] is X + nullable; real unions need JSON Schema
    const branches = union.filter((b) => !(isObj(b) && b.type === 'null' && Object.keys(b).length === 1));
    if (branches.length !== 1 || !isObj(branches[0])) throw new Inexpressible('anyOf');
    const { anyOf: _u, oneOf: _o, ...rest } = node;
    const nullable = branches.length < union.length || rest.nullable === true;
    const out = convert({ ...branches[0], ...siblingAnnotations(rest) }, root, refStack, opts, budget, depth + 1);
    if (nullable) out.nullable = true;
    return out;
  }

  let nullable = node.nullable === true;
  let type = node.type;
  if (Array.isArray(type)) {
    const nonNull = type.filter((t) => t !== 'null');
    if (nonNull.length < type.length) nullable = true;
    if (nonNull.length > 1) throw new Inexpressible('type union');
    type = nonNull[0] ?? 'null';
  }

  let enumValues: unknown[] | undefined = Array.isArray(node.enum) ? node.enum : undefined;
  // a referenced definition is copied at every use: its lists count against the budget each time
  const lists =
    (enumValues?.length ?? 0) +
    (Array.isArray(node.required) ? node.required.length : 0) +
    (Array.isArray(node.propertyOrdering) ? node.propertyOrdering.length : 0);
  spend(budget, 0, lists);
  if ('const' in node) enumValues = [node.const];
  if (enumValues) {
    if (enumValues.includes(null)) nullable = true;
    enumValues = enumValues.filter((v) => v !== null);
    // the proto's `enum` is `repeated string`: a numeric enum sent as strings would change the args' types
    if (!enumValues.every((v) => typeof v === 'string')) throw new Inexpressible('non-string enum');
  }

  if (type === undefined) type = inferType(node, enumValues);
  if (typeof type !== 'string' || !(type in TYPE_NAMES)) throw new Inexpressible(`type ${String(type)}`);
  if (enumValues && type !== 'string') throw new Inexpressible('enum on non-string');

  const out: GeminiSchema = { type: TYPE_NAMES[type] };
  copyIf(node, out, 'format', 'string');
  copyIf(node, out, 'title', 'string');
  copyIf(node, out, 'description', 'string');
  if (nullable) out.nullable = true;
  if (enumValues) out.enum = enumValues;
  if ('default' in node) out.default = node.default;
  if ('example' in node) out.example = node.example;
  else if (Array.isArray(node.examples) && node.examples.length > 0) out.example = node.examples[0];

  switch (type) {
    case 'string':
      copyIf(node, out, 'minLength', 'number');
      copyIf(node, out, 'maxLength', 'number');
      copyIf(node, out, 'pattern', 'string');
      break;
    case 'number':
    case 'integer':
      copyIf(node, out, 'minimum', 'number');
      copyIf(node, out, 'maximum', 'number');
      break;
    case 'array': {
      if (!isObj(node.items)) throw new Inexpressible('array without a single items schema');
      out.items = convert(node.items, root, refStack, opts, budget, depth + 1);
      copyIf(node, out, 'minItems', 'number');
      copyIf(node, out, 'maxItems', 'number');
      break;
    }
    case 'object': {
      const props = isObj(node.properties) ? node.properties : {};
      const names = Object.keys(props);
      // a free-form map (no properties, or typed additionalProperties) has no Schema equivalent
      if (names.length === 0) throw new Inexpressible('object without properties');
      if (isObj(node.additionalProperties) && Object.keys(node.additionalProperties).length > 0) {
        throw new Inexpressible('typed additionalProperties');
      }
      const properties: Record<string, GeminiSchema> = {};
      for (const name of names) {
        const p = props[name];
        if (!isObj(p)) throw new Inexpressible(`boolean schema for ${name}`);
        properties[name] = convert(p, root, refStack, opts, budget, depth + 1);
      }
      out.properties = properties;
      if (Array.isArray(node.required)) {
        const required = node.required.filter((r): r is string => typeof r === 'string' && r in properties);
        if (required.length > 0) out.required = required;
      }
      copyIf(node, out, 'minProperties', 'number');
      copyIf(node, out, 'maxProperties', 'number');
      const ordering = Array.isArray(node.propertyOrdering)
        ? node.propertyOrdering
        : opts.propertyOrdering
          ? names
          : null;
      if (ordering) out.propertyOrdering = ordering;
      break;
    }
    default:
      break;
  }
  return out;
}

function inferType(node: Json, enumValues: unknown[] | undefined): string {
  if (isObj(node.properties)) return 'object';
  if ('items' in node) return 'array';
  if (enumValues) return 'string';
  // `{}` (any value) has no Schema type
  throw new Inexpressible('untyped schema');
}

/** `$defs` beside a `$ref` belong to the root lookup, not to the inlined copy. */
function stripDefs(node: Json): Json {
  const { $defs: _d, definitions: _f, ...rest } = node;
  return rest;
}

function copyIf(from: Json, to: GeminiSchema, key: string, kind: 'string' | 'number'): void {
  if (typeof from[key] === kind) to[key] = from[key];
}
