// What the fidelity matrix's API drivers share: a neutral Ask each driver turns into its API's wire request, and
// the neutral Answer each driver reads the API's answer (JSON or SSE) into.
import assert from 'node:assert/strict';
import type { SseEvent } from '../helpers/sse.js';

export interface ToolDef {
  name: string;
  description: string;
  parameters: Record<string, unknown>;
}

export interface Ask {
  model: string;
  user: string;
  /** a system prompt (long, for the cache cells) */
  system?: string;
  /** the API's prompt-cache mark on the system prompt (Anthropic caches only at marks) */
  cacheMark?: boolean;
  /** a data: URL */
  image?: string;
  tools?: ToolDef[];
  parallel?: boolean;
  reasoning?: boolean;
  jsonSchema?: Record<string, unknown>;
  maxTokens?: number;
  stream?: boolean;
}

/** an earlier answer with tool calls and the results to send back */
export interface History {
  prev: Answer;
  results: string[];
}

export interface Usage {
  /** OpenAI semantics: includes cached read and write tokens */
  input: number;
  output: number;
  cached: number;
  cacheWrite: number;
  reasoning: number;
  cost: number;
}

export interface Answer {
  text: string;
  reasoning: string;
  toolCalls: Array<{ id: string; name: string; args: Record<string, unknown> }>;
  finish: 'stop' | 'tool' | 'length' | 'error';
  usage: Usage | null;
  /** the in-band error of a stream that failed */
  error: { type: string; message: string } | null;
  /** the API's answer as received (JSON body, or the final object a stream built) */
  raw: any;
}

export interface StreamReader {
  /** one SSE event; returns the answer text it carries ('' when none) */
  push(ev: SseEvent): string;
  /** the whole answer, after the last event (asserts the stream ended as the API ends streams) */
  finish(): Answer;
}

export interface ApiDriver {
  path: string;
  headers(key: string): Record<string, string>;
  body(ask: Ask, history?: History): Record<string, unknown>;
  parse(body: any): Answer;
  reader(): StreamReader;
  /** the error of a refused request: status, error type and message as the API's body carries them */
  errorOf(body: any): { type: string; message: string };
}

export const parseArgs = (s: string): Record<string, unknown> =>
  JSON.parse(s === '' ? '{}' : s) as Record<string, unknown>;
export const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

export function dataUrlParts(url: string): { mediaType: string; data: string } {
  const m = /^data:([^;]+);base64,(.*)$/.exec(url);
  assert.ok(m, 'a base64 data URL');
  return { mediaType: m[1], data: m[2] };
}
