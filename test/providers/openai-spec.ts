// Validates built request bodies against OpenAI's official OpenAPI spec (the file the simulated OpenAI upstream
// uses), made strict about unknown keys at the top level and in messages, as the real API is.
// Returns null when the spec is not available (the tests then skip).
import { existsSync, readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';

const SPEC_PATH = process.env.OPENAI_OPENAPI_SPEC ?? '/work/shared/upstream-specs/openai-openapi.yaml';

/** OpenAPI 3.0's `nullable: true` survives in this 3.1 document; JSON Schema validators need anyOf+null. */
function shimNullable(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(shimNullable);
  if (typeof node !== 'object' || node === null) return node;
  const o: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) o[k] = shimNullable(v);
  if (o.nullable === true) {
    delete o.nullable;
    return { anyOf: [o, { type: 'null' }] };
  }
  return o;
}

let cached: ValidateFunction | null | undefined;

export function chatRequestValidator(): ValidateFunction | null {
  if (cached !== undefined) return cached;
  if (!existsSync(SPEC_PATH)) return (cached = null);
  const spec = parse(readFileSync(SPEC_PATH, 'utf8')) as {
    components: { schemas: Record<string, Record<string, unknown>> };
  };
  const schemas = spec.components.schemas;
  for (const name of [
    'ChatCompletionRequestSystemMessage',
    'ChatCompletionRequestDeveloperMessage',
    'ChatCompletionRequestUserMessage',
    'ChatCompletionRequestAssistantMessage',
    'ChatCompletionRequestToolMessage',
  ]) {
    schemas[name] = { ...schemas[name], additionalProperties: false };
  }
  const doc = shimNullable({ $id: 'openai-spec', components: spec.components }) as Record<string, unknown>;
  const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false });
  ajv.addSchema(doc);
  cached = ajv.compile({
    $ref: 'openai-spec#/components/schemas/CreateChatCompletionRequest',
    unevaluatedProperties: false,
  });
  return cached;
}
