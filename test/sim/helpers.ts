// Shared helpers for the simulated-upstream tests: HTTP calls, SSE parsing, and validators built from the
// providers' own response schemas (src/sim/schemas/*-responses.json, generated from the official specs).
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import openaiResponses from '../../src/sim/schemas/openai-responses.json' with { type: 'json' };
import anthropicResponses from '../../src/sim/schemas/anthropic-responses.json' with { type: 'json' };

const ajv = new Ajv2020({ strict: false, allErrors: true, discriminator: true, validateFormats: false, logger: false });
ajv.addSchema(openaiResponses as object, 'openai-responses');
ajv.addSchema(anthropicResponses as object, 'anthropic-responses');

/** Throws with ajv's errors when `data` does not match `#/$defs/<def>` of a response bundle. */
export function assertSpec(bundle: 'openai-responses' | 'anthropic-responses', def: string, data: unknown): void {
  const v = ajv.getSchema(`${bundle}#/$defs/${def}`) as ValidateFunction;
  if (!v(data))
    throw new Error(
      `${def} does not match the spec: ${ajv.errorsText(v.errors)}\n${JSON.stringify(data).slice(0, 2000)}`,
    );
}

export interface HttpResult {
  status: number;
  headers: Headers;
  text: string;
  json: any;
}

export async function http(
  url: string,
  init: { method?: string; headers?: Record<string, string>; body?: unknown } = {},
): Promise<HttpResult> {
  const res = await fetch(url, {
    method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
    headers: { 'content-type': 'application/json', ...(init.headers ?? {}) },
    body: init.body === undefined ? undefined : typeof init.body === 'string' ? init.body : JSON.stringify(init.body),
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}

/** Parses an SSE body with a standards-compliant parser. */
export function parseSse(text: string): EventSourceMessage[] {
  const out: EventSourceMessage[] = [];
  const p = createParser({ onEvent: (e) => out.push(e) });
  p.feed(text);
  return out;
}

/** Reads a streaming response incrementally, recording when each chunk arrived. */
export async function readTimed(
  url: string,
  init: { headers?: Record<string, string>; body: unknown },
): Promise<{
  status: number;
  chunks: Array<{ at: number; text: string }>;
  error: unknown;
  start: number;
  headersAt: number;
}> {
  const start = Date.now();
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(init.headers ?? {}) },
    body: JSON.stringify(init.body),
  });
  const headersAt = Date.now();
  const chunks: Array<{ at: number; text: string }> = [];
  const dec = new TextDecoder();
  let error: unknown = null;
  try {
    for await (const c of res.body as unknown as AsyncIterable<Uint8Array>)
      chunks.push({ at: Date.now(), text: dec.decode(c, { stream: true }) });
  } catch (e) {
    error = e;
  }
  return { status: res.status, chunks, error, start, headersAt };
}

export const OPENAI_AUTH = { authorization: 'Bearer sk-test' };
export const ANTHROPIC_AUTH = { 'x-api-key': 'sk-ant-test', 'anthropic-version': '2023-06-01' };
export const GEMINI_AUTH = { 'x-goog-api-key': 'AIza-test' };
