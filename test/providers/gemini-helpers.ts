// Shared by the gemini*.test.ts files: a BuildContext factory, fixture loading, SSE splitting, and a strict
// checker of request bodies against the Gemini protos (src/sim/schemas/gemini-descriptor.json, extracted from
// the googleapis .proto files): unknown fields, wrong scalar kinds, unknown enum values, two members of one
// oneof, and missing REQUIRED fields are reported — what the simulated upstream answers 400 for.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ModelDef } from '../../src/catalog/types.js';
import type { BuildContext, ReasoningPlan, SseEvent } from '../../src/providers/types.js';
import type { Descriptor } from '../../src/sim/proto-check.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
export const fixture = (name: string): string => readFileSync(join(root, 'test/fixtures/gemini', name), 'utf8');
export const fixtureJson = <T = unknown>(name: string): T => JSON.parse(fixture(name)) as T;

/** Splits an SSE transcript into events the way the transport's parser would (data lines joined by \n). */
export function sseEvents(text: string): SseEvent[] {
  return text
    .replace(/\r\n/g, '\n')
    .split(/\n\n+/)
    .map((block) =>
      block
        .split('\n')
        .filter((l) => l.startsWith('data:'))
        .map((l) => l.slice(5).replace(/^ /, '')),
    )
    .filter((lines) => lines.length > 0)
    .map((lines) => ({ data: lines.join('\n') }));
}

export function makeCtx(
  over: {
    model?: string;
    reasoning?: ReasoningPlan | null;
    stream?: boolean;
    maxTokens?: number;
    maxTokensExplicit?: boolean;
    modelReasoning?: ModelDef['reasoning'];
    apiKey?: string;
    baseUrl?: string;
    headers?: Record<string, string>;
    supportedParameters?: string[];
  } = {},
): BuildContext {
  const pricing = {
    prompt: '0',
    completion: '0',
    request: '0',
    image: '0',
    web_search: '0',
    internal_reasoning: '0',
    input_cache_read: '0',
    input_cache_write: '0',
  };
  const endpoint = {
    provider: 'google',
    model: over.model ?? 'gemini-2.5-flash',
    pricing,
    context_length: 1048576,
    max_completion_tokens: 65536,
    quantization: null,
    is_moderated: false,
  };
  const model: ModelDef = {
    id: 'google/gemini-2.5-flash',
    canonical_slug: 'google/gemini-2.5-flash',
    name: 'Gemini 2.5 Flash',
    created: 0,
    description: '',
    context_length: 1048576,
    architecture: {
      input_modalities: ['text', 'image'],
      output_modalities: ['text'],
      tokenizer: 'Gemini',
      instruct_type: null,
    },
    // the catalog's list for gemini-2.5-flash (no penalties: Gemini 2.5 refuses them)
    supported_parameters: over.supportedParameters ?? [
      'tools',
      'tool_choice',
      'max_tokens',
      'temperature',
      'top_p',
      'top_k',
      'reasoning',
      'include_reasoning',
      'structured_outputs',
      'response_format',
      'stop',
      'seed',
    ],
    default_parameters: null,
    expiration_date: null,
    quality_tier: 2,
    reasoning:
      over.modelReasoning === undefined
        ? {
            supported_efforts: ['low', 'medium', 'high'],
            default_effort: null,
            mandatory: false,
            supports_max_tokens: true,
          }
        : over.modelReasoning,
    endpoints: [endpoint],
  };
  return {
    target: {
      provider: {
        id: 'google',
        name: 'Google AI Studio',
        dialect: 'gemini',
        base_url: over.baseUrl ?? 'https://generativelanguage.googleapis.com/v1beta/',
        api_key_env: 'GEMINI_API_KEY',
        ...(over.headers ? { headers: over.headers } : {}),
      },
      endpoint,
      model,
      apiKey: over.apiKey ?? 'test-key',
    },
    stream: over.stream ?? false,
    reasoning: over.reasoning === undefined ? null : over.reasoning,
    maxTokens: over.maxTokens ?? 65536,
    maxTokensExplicit: over.maxTokensExplicit ?? false,
  };
}

const descriptor = JSON.parse(readFileSync(join(root, 'src/sim/schemas/gemini-descriptor.json'), 'utf8')) as Descriptor;

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

/** Errors of `value` as JSON of proto message `type`; `pathBound` names top-level fields the URL supplies. */
export function protoErrors(value: unknown, type: string, pathBound: string[] = []): string[] {
  const errors: string[] = [];
  checkMessage(value, type, '$', errors, new Set(pathBound));
  return errors;
}

function checkMessage(value: unknown, type: string, path: string, errors: string[], pathBound: Set<string>): void {
  const msg = descriptor.messages[type];
  if (!msg) return void errors.push(`${path}: unknown message type ${type}`);
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return void errors.push(`${path}: ${type} must be an object`);
  const byJson = new Map(Object.values(msg.fields).map((f) => [f.json, f]));
  const oneofs = new Map<string, string>();
  for (const [key, v] of Object.entries(value)) {
    const f = byJson.get(key);
    if (!f) {
      errors.push(`${path}.${key}: unknown field of ${type}`);
      continue;
    }
    if (f.oneof) {
      if (oneofs.has(f.oneof)) errors.push(`${path}: oneof ${f.oneof} has both ${oneofs.get(f.oneof)} and ${key}`);
      oneofs.set(f.oneof, key);
    }
    if (f.map) {
      if (typeof v !== 'object' || v === null || Array.isArray(v)) errors.push(`${path}.${key}: map must be an object`);
      else for (const [mk, mv] of Object.entries(v)) checkValue(mv, f.map[1], `${path}.${key}.${mk}`, errors);
    } else if (f.repeated) {
      if (!Array.isArray(v)) errors.push(`${path}.${key}: repeated field must be an array`);
      else v.forEach((item, i) => checkValue(item, f.type, `${path}.${key}[${i}]`, errors));
    } else checkValue(v, f.type, `${path}.${key}`, errors);
  }
  for (const f of Object.values(msg.fields)) {
    if (f.required && !(f.json in value) && !pathBound.has(f.json))
      errors.push(`${path}.${f.json}: REQUIRED field of ${type} missing`);
  }
}

function checkValue(v: unknown, type: string, path: string, errors: string[]): void {
  if (type === 'google.protobuf.Value') return;
  if (type === 'google.protobuf.Struct') {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) errors.push(`${path}: Struct must be an object`);
    return;
  }
  if (type === 'string') return void (typeof v !== 'string' && errors.push(`${path}: expected string`));
  if (type === 'bool') return void (typeof v !== 'boolean' && errors.push(`${path}: expected bool`));
  if (type === 'double' || type === 'float')
    return void (typeof v !== 'number' && errors.push(`${path}: expected number`));
  if (INT_TYPES.has(type)) {
    const ok = (typeof v === 'number' && Number.isInteger(v)) || (typeof v === 'string' && /^-?\d+$/.test(v));
    if (!ok) errors.push(`${path}: expected integer`);
    if (type === 'int32' && typeof v === 'number' && (v > 2147483647 || v < -2147483648))
      errors.push(`${path}: int32 out of range`);
    return;
  }
  if (type === 'bytes') {
    // proto JSON accepts standard and URL-safe base64, padded or not
    if (typeof v !== 'string' || !/^[A-Za-z0-9+/_-]*={0,2}$/.test(v)) errors.push(`${path}: expected base64 bytes`);
    return;
  }
  const en = descriptor.enums[type];
  if (en) {
    if (typeof v !== 'string' || !en.includes(v)) errors.push(`${path}: ${JSON.stringify(v)} is not a ${type} value`);
    return;
  }
  checkMessage(v, type, path, errors, new Set());
}
