// Strict checker for Gemini (Generative Language v1beta) REST JSON, driven by the official .proto files
// (github.com/googleapis/googleapis google/ai/generativelanguage/v1beta, compiled to
// ./schemas/gemini-descriptor.json by scripts/extract-upstream-schemas.mjs).
// Proto3 JSON mapping (https://protobuf.dev/programming-guides/json/): field names are lowerCamelCase
// (or the proto name, snake_case, which parsers also accept), enums are names (numbers accepted), int64
// may be strings, bytes are base64, `null` means "default". Errors use the API's wording, observed in
// public issue threads, e.g.
//   Invalid JSON payload received. Unknown name "foo" at 'generation_config': Cannot find field.
//   Invalid JSON payload received. Unknown name "type" at 'tools[0]...': Proto field is not repeating, cannot start list.
//   Invalid value at 'generation_config.response_schema.type' (type.googleapis.com/google.ai.generativelanguage.v1beta.Type), "foo"
// Like the real parser, a single value is accepted where a repeated field is expected.
import descriptor from './schemas/gemini-descriptor.json' with { type: 'json' };

export interface FieldDesc {
  json: string;
  type: string;
  repeated?: boolean;
  map?: [string, string];
  oneof?: string;
  required?: boolean;
}
export interface Descriptor {
  package: string;
  messages: Record<string, { fields: Record<string, FieldDesc> }>;
  enums: Record<string, string[]>;
}
const D = descriptor as unknown as Descriptor;

export interface FieldViolation {
  field?: string;
  description: string;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

const INT_TYPES = new Set([
  'int32',
  'int64',
  'uint32',
  'uint64',
  'sint32',
  'sint64',
  'fixed32',
  'fixed64',
  'sfixed32',
  'sfixed64',
]);
const FLOAT_TYPES = new Set(['float', 'double']);

interface Lookup {
  byName: Map<string, [string, FieldDesc]>;
}
const lookups = new Map<string, Lookup>();
function lookup(type: string): Lookup {
  let l = lookups.get(type);
  if (!l) {
    const byName = new Map<string, [string, FieldDesc]>();
    for (const [proto, f] of Object.entries(D.messages[type].fields)) {
      byName.set(proto, [proto, f]);
      byName.set(f.json, [proto, f]);
    }
    l = { byName };
    lookups.set(type, l);
  }
  return l;
}

const typeUrl = (t: string) =>
  t.startsWith('google.') ? `type.googleapis.com/${t}` : `type.googleapis.com/${D.package}.${t}`;
const show = (v: unknown) => JSON.stringify(v);
const join = (path: string, name: string) => (path ? `${path}.${name}` : name);
const invalidValue = (path: string, typeLabel: string, v: unknown, extra = ''): FieldViolation => ({
  field: path,
  description: `Invalid value at '${path}' (${typeLabel}), ${extra || show(v)}`,
});

function checkScalar(type: string, v: unknown, path: string, out: FieldViolation[]): void {
  const label = `TYPE_${type.toUpperCase()}`;
  if (type === 'string') {
    if (typeof v !== 'string') out.push(invalidValue(path, label, v));
  } else if (type === 'bool') {
    if (typeof v !== 'boolean') out.push(invalidValue(path, label, v));
  } else if (INT_TYPES.has(type)) {
    const ok = (typeof v === 'number' && Number.isInteger(v)) || (typeof v === 'string' && /^-?\d+$/.test(v));
    if (!ok) out.push(invalidValue(path, label, v));
  } else if (FLOAT_TYPES.has(type)) {
    const ok =
      typeof v === 'number' ||
      (typeof v === 'string' &&
        (/^-?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(v) || ['NaN', 'Infinity', '-Infinity'].includes(v)));
    if (!ok) out.push(invalidValue(path, label, v));
  } else if (type === 'bytes') {
    if (typeof v !== 'string') out.push(invalidValue(path, label, v));
    else if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(v) || v.replace(/=+$/, '').length % 4 === 1)
      out.push(invalidValue(path, label, v, `Base64 decoding failed for ${show(v)}`));
  }
}

function checkValue(type: string, v: unknown, path: string, out: FieldViolation[]): void {
  if (D.messages[type]) return checkMessage(type, v, path, out);
  if (D.enums[type]) {
    const vals = D.enums[type];
    const ok =
      (typeof v === 'string' && vals.some((n) => n.toLowerCase() === v.toLowerCase())) ||
      (typeof v === 'number' && Number.isInteger(v) && v >= 0 && v < vals.length);
    if (!ok) out.push(invalidValue(path, typeUrl(type), v));
    return;
  }
  switch (type) {
    case 'google.protobuf.Value':
      return;
    case 'google.protobuf.Struct':
      if (!isObj(v)) out.push(invalidValue(path, typeUrl(type), v));
      return;
    case 'google.protobuf.ListValue':
      if (!Array.isArray(v)) out.push(invalidValue(path, typeUrl(type), v));
      return;
    case 'google.protobuf.Duration':
      if (typeof v !== 'string' || !/^-?\d+(\.\d{1,9})?s$/.test(v)) out.push(invalidValue(path, typeUrl(type), v));
      return;
    case 'google.protobuf.Timestamp':
      if (typeof v !== 'string' || Number.isNaN(Date.parse(v))) out.push(invalidValue(path, typeUrl(type), v));
      return;
    case 'google.protobuf.FieldMask':
      if (typeof v !== 'string') out.push(invalidValue(path, typeUrl(type), v));
      return;
    default:
      checkScalar(type, v, path, out);
  }
}

function checkMessage(type: string, v: unknown, path: string, out: FieldViolation[]): void {
  if (!isObj(v)) {
    out.push(
      path
        ? invalidValue(path, typeUrl(type), v)
        : { description: `Invalid JSON payload received. Expected an object, got ${show(v)}.` },
    );
    return;
  }
  const { byName } = lookup(type);
  const oneofSet = new Map<string, string>();
  for (const [key, val] of Object.entries(v)) {
    const hit = byName.get(key);
    if (!hit) {
      const where = path ? ` at '${path}'` : '';
      out.push({
        ...(path ? { field: path } : {}),
        description: `Invalid JSON payload received. Unknown name ${show(key)}${where}: Cannot find field.`,
      });
      continue;
    }
    const [proto, f] = hit;
    if (val === null && f.type !== 'google.protobuf.Value') continue;
    if (f.oneof) {
      const prev = oneofSet.get(f.oneof);
      if (prev) {
        out.push({
          field: path,
          description: `Invalid JSON payload received. Oneof field '${f.oneof}' is already set. Cannot set '${key}'`,
        });
        continue;
      }
      oneofSet.set(f.oneof, key);
    }
    const fpath = join(path, proto);
    if (f.map) {
      if (!isObj(val)) {
        out.push(invalidValue(fpath, typeUrl(f.map[1]), val));
        continue;
      }
      Object.values(val).forEach((item, i) => checkValue(f.map![1], item, `${fpath}[${i}].value`, out));
      continue;
    }
    if (Array.isArray(val)) {
      if (!f.repeated && f.type !== 'google.protobuf.Value' && f.type !== 'google.protobuf.ListValue') {
        out.push({
          field: path || undefined,
          description: `Invalid JSON payload received. Unknown name ${show(key)}${path ? ` at '${path}'` : ''}: Proto field is not repeating, cannot start list.`,
        });
        continue;
      }
      if (f.repeated) {
        val.forEach((item, i) => checkValue(f.type, item, `${fpath}[${i}]`, out));
        continue;
      }
    }
    checkValue(f.type, val, fpath, out);
  }
}

/** Checks a REST JSON body against a proto message of the descriptor; returns every violation found. */
export function checkProtoJson(type: string, value: unknown): FieldViolation[] {
  if (!D.messages[type]) throw new Error(`unknown proto message ${type}`);
  const out: FieldViolation[] = [];
  checkMessage(type, value, '', out);
  return out.map((o) => (o.field === undefined || o.field === '' ? { description: o.description } : o));
}

/**
 * Returns a copy with every known field renamed to its JSON (lowerCamelCase) name, repeated fields given
 * as a single value wrapped in an array, and enum numbers/lowercase names turned into canonical names;
 * Struct/Value contents are left untouched. Call on checked input only.
 */
export function normalizeProtoJson(type: string, value: unknown): unknown {
  if (D.enums[type]) {
    const vals = D.enums[type];
    if (typeof value === 'number') return vals[value] ?? value;
    if (typeof value === 'string') return vals.find((n) => n.toLowerCase() === value.toLowerCase()) ?? value;
    return value;
  }
  if (!D.messages[type] || !isObj(value)) return value;
  const { byName } = lookup(type);
  const out: Obj = {};
  for (const [key, val] of Object.entries(value)) {
    const hit = byName.get(key);
    if (!hit || val === null) continue;
    const f = hit[1];
    if (f.map && isObj(val))
      out[f.json] = Object.fromEntries(Object.entries(val).map(([k, x]) => [k, normalizeProtoJson(f.map![1], x)]));
    else if (f.repeated) out[f.json] = (Array.isArray(val) ? val : [val]).map((x) => normalizeProtoJson(f.type, x));
    else out[f.json] = normalizeProtoJson(f.type, val);
  }
  return out;
}

/** JSON names of the fields of a message (for tests checking responses use only real field names). */
export function protoFieldNames(type: string): string[] {
  return Object.values(D.messages[type]?.fields ?? {}).map((f) => f.json);
}
