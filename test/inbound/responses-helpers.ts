// Shared by the Responses adapter tests: the OpenAI spec's own schemas (src/sim/schemas/openai-responses-api.json,
// extracted from openai-openapi.yaml) and a parser of the encoder's SSE text.
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import bundle from '../../src/sim/schemas/openai-responses-api.json' with { type: 'json' };
import type { AnswerInfo, AnswerUsage } from '../../src/protocol/inbound.js';

const ajv = new Ajv2020({ strict: false, allErrors: true, discriminator: true, validateFormats: false, logger: false });
ajv.addSchema(bundle as object, 'api');
const defs = (bundle as { $defs: Record<string, { properties?: { type?: { enum?: string[] } } }> }).$defs;

/** Throws with ajv's errors when `data` does not match `#/$defs/<def>` of the spec. */
export function assertSpec(def: string, data: unknown): void {
  const v = ajv.getSchema(`api#/$defs/${def}`) as ValidateFunction;
  if (!v(data))
    throw new Error(
      `${def} does not match the spec: ${ajv.errorsText(v.errors)}\n${JSON.stringify(data).slice(0, 3000)}`,
    );
}

// stream event type → its schema (ResponseStreamEvent is an anyOf: checking the member names the real mismatch)
const eventDefs = new Map<string, string>();
for (const r of (defs.ResponseStreamEvent as unknown as { anyOf: { $ref: string }[] }).anyOf) {
  const name = r.$ref.split('/').pop()!;
  for (const t of defs[name].properties?.type?.enum ?? []) eventDefs.set(t, name);
}

export function assertEvent(ev: { type: string }): void {
  const def = eventDefs.get(ev.type);
  if (!def) throw new Error(`no stream event named ${ev.type} in the spec`);
  assertSpec(def, ev);
}

export interface Sse {
  event: string;
  data: Record<string, unknown> & { type: string; sequence_number: number };
}

/** `event: x\ndata: {...}\n\n` frames → objects; throws on a frame of another shape or an event/type mismatch */
export function parseSse(text: string): Sse[] {
  if (text === '') return [];
  if (!text.endsWith('\n\n'))
    throw new Error(`SSE text does not end with a blank line: ${JSON.stringify(text.slice(-40))}`);
  return text
    .slice(0, -2)
    .split('\n\n')
    .map((frame) => {
      const m = /^event: ([^\n]+)\ndata: ([^\n]+)$/.exec(frame);
      if (!m) throw new Error(`bad SSE frame: ${JSON.stringify(frame)}`);
      const data = JSON.parse(m[2]) as Sse['data'];
      if (data.type !== m[1]) throw new Error(`event ${m[1]} carries type ${data.type}`);
      return { event: m[1], data };
    });
}

export const info: AnswerInfo = {
  id: 'gen-1700000000-0123456789abcdef0123',
  created: 1700000000,
  model: 'anthropic/claude-sonnet-4.6',
  provider: 'anthropic',
};

export const usage = (u: Partial<AnswerUsage> = {}): AnswerUsage => ({
  prompt_tokens: 100,
  completion_tokens: 40,
  reasoning_tokens: 10,
  cached_read_tokens: 30,
  cache_write_tokens: 5,
  cost: 0.00123,
  estimated: false,
  ...u,
});
