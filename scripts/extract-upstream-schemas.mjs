#!/usr/bin/env node
// Extracts the compact request/response schemas the simulated upstreams (src/sim/) validate against,
// from the providers' own machine-readable specs, and writes them into src/sim/schemas/.
//
//   node scripts/extract-upstream-schemas.mjs [specDir] [--check]   (default specDir: ../shared/upstream-specs;
//                                                                   --check: exit 1 if the committed files are stale)
//
// Inputs (see specDir/SOURCES.md for provenance, commits and licenses):
//   openai-openapi.yaml        github.com/openai/openai-openapi  openapi.yaml   (MIT)
//   anthropic-openapi.json     the Stainless-hosted Anthropic spec, via github.com/tryAGI/Anthropic
//   gemini-v1beta-protos/*.proto   github.com/googleapis/googleapis google/ai/generativelanguage/v1beta (Apache-2.0)
//
// Outputs (committed, so a fresh clone works without the spec folder):
//   src/sim/schemas/openai-chat-request.json        CreateChatCompletionRequest, CreateEmbeddingRequest + $ref closure
//   src/sim/schemas/openai-responses.json           CreateChatCompletionResponse, ...StreamResponse, CreateEmbeddingResponse,
//                                                   ListModelsResponse, ErrorResponse + closure (used by tests)
//   src/sim/schemas/openai-responses-api.json       Response, ResponseStreamEvent, CreateResponse + closure (tests of
//                                                   the Responses inbound adapter)
//   src/sim/schemas/anthropic-messages-request.json CreateMessageParams + closure
//   src/sim/schemas/anthropic-responses.json        Message, MessageStreamEvent, ErrorResponse + closure (used by tests)
//   src/sim/schemas/gemini-descriptor.json          messages/enums reachable from the GenerativeService requests and
//                                                   responses, read from the .proto files with a small regex reader
//
// Fixes applied (wire-formats.md §0, SOURCES.md "Validation caveats"):
//   - OpenAPI 3.0 `nullable: true` inside these 3.1 documents → anyOf:[schema, {type:null}]
//   - OpenAI stream chunk `usage` additionally allows null (the live API sends `"usage": null` on every chunk)
//   - annotations (description, example(s), title, x-*, deprecated, default) are dropped to keep files small;
//     a property *named* e.g. "description" is of course kept
//   - `discriminator` keeps only `propertyName` and only where ajv's discriminator support can use it
//     (oneOf of branches that each require the tag with a const/enum value); elsewhere it is removed.
//     A plain oneOf whose branches all qualify on `type` (or `role`) gets one added: the APIs dispatch
//     on that tag, and ajv then reports the selected branch's error instead of every branch's
//   - OpenAI request objects are closed (additionalProperties:false) like the live API, see closeObjects()
//   - Gemini: `thinking_level` (Gemini 3) is not in the proto snapshot; it is added to ThinkingConfig from the
//     public docs (https://ai.google.dev/gemini-api/docs/thinking), marked "ext": "docs"
//   - Gemini response / request roots include google.type.LatLng / Interval and protobuf well-known types as stubs
import { readFileSync, writeFileSync, readdirSync, mkdirSync } from 'node:fs';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';
import Ajv2020 from 'ajv/dist/2020.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const check = args.includes('--check'); // compare with the committed files instead of writing them
const specDir = resolve(repoRoot, args.find((a) => !a.startsWith('--')) ?? '../shared/upstream-specs');
let stale = 0;
const outDir = join(repoRoot, 'src/sim/schemas');
mkdirSync(outDir, { recursive: true });

// ---------------------------------------------------------------- OpenAPI → compact JSON Schema

const ANNOTATIONS = new Set([
  'description',
  'example',
  'examples',
  'title',
  'deprecated',
  'default',
  'externalDocs',
  'readOnly',
  'writeOnly',
]);
const SCHEMA_MAP_KEYS = new Set(['properties', 'patternProperties', '$defs', 'definitions', 'dependentSchemas']);
const SCHEMA_ARRAY_KEYS = new Set(['allOf', 'anyOf', 'oneOf', 'prefixItems']);
const SCHEMA_KEYS = new Set([
  'items',
  'additionalProperties',
  'not',
  'if',
  'then',
  'else',
  'contains',
  'propertyNames',
  'unevaluatedProperties',
  'unevaluatedItems',
  'additionalItems',
]);

/** Cleans one schema node: drops annotations, rewrites $ref and nullable. */
function clean(node) {
  if (Array.isArray(node)) return node.map(clean);
  if (!node || typeof node !== 'object') return node;
  const out = {};
  for (const [k, v] of Object.entries(node)) {
    if (ANNOTATIONS.has(k) || k.startsWith('x-')) continue;
    if (k === 'nullable') continue;
    if (k === '$ref') out.$ref = '#/$defs/' + String(v).split('/').pop();
    else if (SCHEMA_MAP_KEYS.has(k)) out[k] = Object.fromEntries(Object.entries(v).map(([pk, pv]) => [pk, clean(pv)]));
    else if (SCHEMA_ARRAY_KEYS.has(k)) out[k] = v.map(clean);
    else if (SCHEMA_KEYS.has(k)) out[k] = typeof v === 'object' ? clean(v) : v;
    else if (k === 'discriminator') out[k] = { propertyName: v.propertyName };
    else out[k] = v; // type, enum, const, required, minimum, pattern, format, ...
  }
  if (node.nullable === true) {
    const t = out.type;
    if (Array.isArray(t)) return t.includes('null') ? out : { ...out, type: [...t, 'null'] };
    // a `$ref` sibling or composite keywords: wrap
    return { anyOf: [out, { type: 'null' }] };
  }
  return out;
}

function refClosure(schemas, roots) {
  const seen = new Set();
  const visit = (n) => {
    if (Array.isArray(n)) return n.forEach(visit);
    if (!n || typeof n !== 'object') return;
    for (const [k, v] of Object.entries(n)) {
      if (k === '$ref' && typeof v === 'string') {
        const name = v.split('/').pop();
        if (!seen.has(name)) {
          if (!schemas[name]) throw new Error(`missing schema ${name}`);
          seen.add(name);
          visit(schemas[name]);
        }
      } else visit(v);
    }
  };
  for (const r of roots) {
    if (!schemas[r]) throw new Error(`missing root schema ${r}`);
    seen.add(r);
    visit(schemas[r]);
  }
  return [...seen].sort();
}

/** Keeps a discriminator only where ajv's `discriminator: true` support accepts it. */
function fixDiscriminators(defs) {
  const resolveRef = (s) => (s && s.$ref ? defs[s.$ref.replace('#/$defs/', '')] : s);
  const walk = (n) => {
    if (Array.isArray(n)) return n.forEach(walk);
    if (!n || typeof n !== 'object') return;
    // infer a discriminator for plain oneOf unions whose branches all require a distinct `type`/`role`
    // const (the APIs dispatch on it; ajv then reports the error of the selected branch only)
    if (!n.discriminator && Array.isArray(n.oneOf) && n.oneOf.length > 1) {
      for (const tag of ['type', 'role']) {
        n.discriminator = { propertyName: tag };
        if (eligible(n)) break;
        delete n.discriminator;
      }
    }
    if (n.discriminator && !eligible(n)) delete n.discriminator;
    Object.values(n).forEach(walk);
  };
  const eligible = (n) => {
    const tag = n.discriminator.propertyName;
    if (!Array.isArray(n.oneOf) || typeof tag !== 'string') return false;
    const values = new Set();
    for (const br of n.oneOf) {
      const s = resolveRef(br);
      const p = s?.properties?.[tag];
      const req = Array.isArray(s?.required) && s.required.includes(tag);
      const vals = p?.const !== undefined ? [p.const] : Array.isArray(p?.enum) ? p.enum : null;
      if (!p || !req || !vals || vals.some((v) => typeof v !== 'string' || values.has(v))) return false;
      vals.forEach((v) => values.add(v));
    }
    return true;
  };
  walk(defs);
}

function buildOpenApiBundle(doc, id, roots, patch) {
  const schemas = doc.components.schemas;
  const names = refClosure(schemas, roots);
  const defs = {};
  for (const n of names) defs[n] = clean(schemas[n]);
  if (patch) patch(defs);
  fixDiscriminators(defs);
  const bundle = { $schema: 'https://json-schema.org/draft/2020-12/schema', $id: id, $defs: defs };
  // prove it compiles the way src/sim/validate.ts compiles it
  const ajv = new Ajv2020({
    strict: false,
    allErrors: false,
    discriminator: true,
    validateFormats: false,
    logger: false,
  });
  ajv.addSchema(bundle);
  for (const r of roots)
    if (!ajv.getSchema(`${id}#/$defs/${r}`))
      (() => {
        throw new Error(`cannot compile ${r}`);
      })();
  return bundle;
}

function write(name, obj) {
  const p = join(outDir, name);
  const text = JSON.stringify(obj) + '\n';
  if (check) {
    let old = '';
    try {
      old = readFileSync(p, 'utf8');
    } catch {
      /* missing */
    }
    if (old !== text) {
      stale++;
      console.log(`stale: ${p}`);
    } else console.log(`up to date: ${p}`);
    return;
  }
  writeFileSync(p, text);
  console.log(`wrote ${p} (${text.length} bytes)`);
}

const openai = YAML.parse(readFileSync(join(specDir, 'openai-openapi.yaml'), 'utf8'), { maxAliasCount: -1 });
/**
 * The live OpenAI API rejects unknown keys anywhere in a request ("Unknown parameter:
 * 'messages[0].content[0].cache_control'.", code unknown_parameter) although the spec leaves most objects
 * open. Close every object schema that lists `properties` and says nothing about additional ones,
 * except allOf members (closing those would reject the sibling members' keys; the top level, which is
 * an allOf, is checked against the union of its members' properties in src/sim/validate.ts).
 */
function closeObjects(defs) {
  const allOfRefs = new Set();
  const inAllOf = new Set();
  const scan = (n) => {
    if (Array.isArray(n)) return n.forEach(scan);
    if (!n || typeof n !== 'object') return;
    if (Array.isArray(n.allOf))
      for (const m of n.allOf) {
        if (m.$ref) allOfRefs.add(m.$ref.replace('#/$defs/', ''));
        else inAllOf.add(m);
      }
    Object.values(n).forEach(scan);
  };
  scan(defs);
  const close = (n, name) => {
    if (Array.isArray(n)) return n.forEach((x) => close(x));
    if (!n || typeof n !== 'object') return;
    if (
      n.properties &&
      typeof n.properties === 'object' &&
      n.additionalProperties === undefined &&
      n.unevaluatedProperties === undefined &&
      !n.allOf &&
      !inAllOf.has(n) &&
      !(name && allOfRefs.has(name))
    )
      n.additionalProperties = false;
    for (const [k, v] of Object.entries(n)) {
      if (k === 'properties' && v && typeof v === 'object') Object.values(v).forEach((x) => close(x));
      else close(v);
    }
  };
  for (const [name, d] of Object.entries(defs)) close(d, name);
}

write(
  'openai-chat-request.json',
  buildOpenApiBundle(
    openai,
    'openai-chat-request',
    ['CreateChatCompletionRequest', 'CreateEmbeddingRequest'],
    closeObjects,
  ),
);
write(
  'openai-responses.json',
  buildOpenApiBundle(
    openai,
    'openai-responses',
    [
      'CreateChatCompletionResponse',
      'CreateChatCompletionStreamResponse',
      'CreateEmbeddingResponse',
      'ListModelsResponse',
      'ErrorResponse',
    ],
    (defs) => {
      // caveat 2: chunk usage is null on every chunk except the final usage chunk
      const chunk = defs.CreateChatCompletionStreamResponse;
      if (chunk?.properties?.usage) chunk.properties.usage = { anyOf: [chunk.properties.usage, { type: 'null' }] };
    },
  ),
);

// the Responses API's answer, stream events and request (tests of src/inbound/responses/; CreateResponse left open:
// it documents the wire request, the inbound schema is src/protocol/responses-request.ts)
write(
  'openai-responses-api.json',
  buildOpenApiBundle(openai, 'openai-responses-api', ['Response', 'ResponseStreamEvent', 'CreateResponse'], (defs) => {
    // CompoundFilter nests itself through draft 2019's $recursiveAnchor/$recursiveRef, which 2020-12 dropped
    for (const [name, d] of Object.entries(defs)) {
      if (d.$recursiveAnchor === undefined) continue;
      delete d.$recursiveAnchor;
      const walk = (n) => {
        if (!n || typeof n !== 'object') return;
        if (n.$recursiveRef === '#') {
          delete n.$recursiveRef;
          n.$ref = `#/$defs/${name}`;
        }
        Object.values(n).forEach(walk);
      };
      walk(d);
    }
  }),
);

const anthropic = JSON.parse(readFileSync(join(specDir, 'anthropic-openapi.json'), 'utf8'));
write(
  'anthropic-messages-request.json',
  buildOpenApiBundle(anthropic, 'anthropic-messages-request', ['CreateMessageParams']),
);
write(
  'anthropic-responses.json',
  buildOpenApiBundle(anthropic, 'anthropic-responses', ['Message', 'MessageStreamEvent', 'ErrorResponse']),
);

// ---------------------------------------------------------------- .proto → compact descriptor

function tokenize(src) {
  const toks = [];
  const re =
    /\s+|\/\/[^\n]*|\/\*[\s\S]*?\*\/|"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|[A-Za-z_][\w.]*|-?\d+(?:\.\d+)?|[{}[\]()=;<>,:.-]/gy;
  let m;
  while (re.lastIndex < src.length) {
    const at = re.lastIndex;
    m = re.exec(src);
    if (!m) throw new Error(`proto tokenizer stuck at ${src.slice(at, at + 40)}`);
    const t = m[0];
    if (/^\s/.test(t) || t.startsWith('//') || t.startsWith('/*')) continue;
    toks.push(t);
  }
  return toks;
}

function parseProto(src, out) {
  const t = tokenize(src);
  let i = 0;
  let pkg = '';
  const skipBlock = () => {
    // at '{'
    let depth = 0;
    do {
      if (t[i] === '{') depth++;
      else if (t[i] === '}') depth--;
      i++;
    } while (depth > 0);
  };
  const skipStatement = () => {
    while (t[i] !== ';' && t[i] !== '{') i++;
    if (t[i] === '{') {
      skipBlock();
      if (t[i] === ';') i++;
    } else i++;
  };
  const parseOptions = () => {
    // at '[' → {json_name, behaviors[]}
    const opts = { behaviors: [] };
    i++;
    let depth = 1;
    while (depth > 0) {
      if (t[i] === '[' || t[i] === '{') depth++;
      else if (t[i] === ']' || t[i] === '}') depth--;
      else if (t[i] === 'json_name' && t[i + 1] === '=') opts.json_name = JSON.parse(t[i + 2]);
      else if (t[i] === 'google.api.field_behavior' && t[i + 1] === ')' && t[i + 2] === '=')
        opts.behaviors.push(t[i + 3]);
      i++;
    }
    return opts;
  };
  const parseEnum = (fullName) => {
    i += 2; // enum Name
    i++; // {
    const values = [];
    while (t[i] !== '}') {
      if (t[i] === 'option' || t[i] === 'reserved') {
        skipStatement();
        continue;
      }
      values.push(t[i]); // NAME = N [opts];
      while (t[i] !== ';') {
        if (t[i] === '[') parseOptions();
        else i++;
      }
      i++;
    }
    i++;
    out.enums[fullName] = values;
  };
  const parseField = (msg, oneof) => {
    let label = null;
    if (t[i] === 'repeated' || t[i] === 'optional') label = t[i++];
    let type;
    let map = null;
    if (t[i] === 'map') {
      map = [t[i + 2], t[i + 4]];
      i += 6;
      type = 'map';
    } else type = t[i++];
    const name = t[i++];
    i += 2; // = N
    let opts = { behaviors: [] };
    if (t[i] === '[') opts = parseOptions();
    if (t[i] !== ';')
      throw new Error(`expected ; after field ${name}, got ${t[i]} near ${t.slice(i - 8, i + 3).join(' ')}`);
    i++;
    const f = { json: opts.json_name ?? name.replace(/_([a-z0-9])/g, (_, c) => c.toUpperCase()), type };
    if (map) f.map = map;
    if (label === 'repeated') f.repeated = true;
    if (oneof) f.oneof = oneof;
    if (opts.behaviors.includes('REQUIRED')) f.required = true;
    msg.fields[name] = f;
  };
  const parseMessage = (fullName, scope) => {
    i += 2;
    i++; // message Name {
    const msg = { fields: {}, scope };
    out.messages[fullName] = msg;
    while (t[i] !== '}') {
      if (t[i] === 'message') parseMessage(`${fullName}.${t[i + 1]}`, fullName);
      else if (t[i] === 'enum') parseEnum(`${fullName}.${t[i + 1]}`);
      else if (t[i] === 'option' || t[i] === 'reserved' || t[i] === 'extensions') skipStatement();
      else if (t[i] === 'oneof') {
        const oneofName = t[i + 1];
        i += 3;
        while (t[i] !== '}') {
          if (t[i] === 'option') skipStatement();
          else parseField(msg, oneofName);
        }
        i++;
      } else parseField(msg, null);
    }
    i++;
  };
  while (i < t.length) {
    if (t[i] === 'package') {
      pkg = t[i + 1];
      i += 3;
    } else if (t[i] === 'message') parseMessage(t[i + 1], '');
    else if (t[i] === 'enum') parseEnum(t[i + 1]);
    else skipStatement();
  }
  return pkg;
}

const SCALARS = new Set([
  'double',
  'float',
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
  'bool',
  'string',
  'bytes',
]);
const WELL_KNOWN = new Set([
  'google.protobuf.Struct',
  'google.protobuf.Value',
  'google.protobuf.ListValue',
  'google.protobuf.Duration',
  'google.protobuf.Timestamp',
  'google.protobuf.FieldMask',
  'google.protobuf.Empty',
]);

function buildGeminiDescriptor() {
  const dir = join(specDir, 'gemini-v1beta-protos');
  const parsed = { messages: {}, enums: {} };
  let pkg = '';
  for (const f of readdirSync(dir)
    .filter((n) => n.endsWith('.proto'))
    .sort())
    pkg = parseProto(readFileSync(join(dir, f), 'utf8'), parsed) || pkg;
  // stubs for google.type.* (google/type/latlng.proto, interval.proto)
  parsed.messages['google.type.LatLng'] = {
    fields: { latitude: { json: 'latitude', type: 'double' }, longitude: { json: 'longitude', type: 'double' } },
    scope: '',
  };
  parsed.messages['google.type.Interval'] = {
    fields: {
      start_time: { json: 'startTime', type: 'google.protobuf.Timestamp' },
      end_time: { json: 'endTime', type: 'google.protobuf.Timestamp' },
    },
    scope: '',
  };
  // Gemini 3 thinking_level: documented, not in this proto snapshot
  parsed.enums['ThinkingConfig.ThinkingLevel'] = ['THINKING_LEVEL_UNSPECIFIED', 'MINIMAL', 'LOW', 'MEDIUM', 'HIGH'];
  parsed.messages.ThinkingConfig.fields.thinking_level = {
    json: 'thinkingLevel',
    type: 'ThinkingConfig.ThinkingLevel',
    ext: 'docs',
  };

  const resolveType = (type, scope) => {
    if (SCALARS.has(type) || WELL_KNOWN.has(type) || type === 'map') return type;
    const rel = type.startsWith(pkg + '.') ? type.slice(pkg.length + 1) : type;
    for (let s = scope; ; s = s.includes('.') ? s.slice(0, s.lastIndexOf('.')) : '') {
      const cand = s ? `${s}.${rel}` : rel;
      if (parsed.messages[cand] || parsed.enums[cand]) return cand;
      if (!s) break;
    }
    throw new Error(`cannot resolve proto type ${type} in ${scope}`);
  };
  const out = { package: pkg, messages: {}, enums: {} };
  const queue = [
    'GenerateContentRequest',
    'GenerateContentResponse',
    'EmbedContentRequest',
    'EmbedContentResponse',
    'BatchEmbedContentsRequest',
    'BatchEmbedContentsResponse',
    'CountTokensRequest',
    'CountTokensResponse',
    'ListModelsResponse',
    'Model',
  ];
  const need = (name) => {
    if (SCALARS.has(name) || WELL_KNOWN.has(name)) return;
    if (parsed.enums[name]) {
      out.enums[name] = parsed.enums[name];
      return;
    }
    if (!out.messages[name]) queue.push(name);
  };
  while (queue.length) {
    const name = queue.shift();
    if (out.messages[name]) continue;
    const m = parsed.messages[name];
    if (!m) throw new Error(`missing proto message ${name}`);
    const fields = {};
    for (const [fname, f] of Object.entries(m.fields)) {
      const g = { ...f };
      if (f.map) {
        g.map = [f.map[0], resolveType(f.map[1], name)];
        need(g.map[1]);
      } else {
        g.type = resolveType(f.type, name);
        need(g.type);
      }
      fields[fname] = g;
    }
    out.messages[name] = { fields };
  }
  out.messages = Object.fromEntries(Object.entries(out.messages).sort(([a], [b]) => a.localeCompare(b)));
  out.enums = Object.fromEntries(Object.entries(out.enums).sort(([a], [b]) => a.localeCompare(b)));
  return out;
}

write('gemini-descriptor.json', buildGeminiDescriptor());
if (stale) process.exit(1);
