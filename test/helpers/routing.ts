// Shared plumbing of the routing end-to-end tests (test/e2e/routing-*.test.ts): a demo gateway whose
// providers are tagged with an `x-sim-provider` header (several providers share a dialect, hence a sim, and
// some even share the provider-side model name), plus small fetch wrappers that keep status, headers, body.
import type { RecordedRequest } from '../../src/sim/index.js';
import { readFileSync } from 'node:fs';
import { loadBuiltinCatalog } from '../../src/catalog/catalog.js';
import { startDemoGateway, type SimSet, type TestGateway } from './gateway.js';
import type { AttemptRecord } from '../../src/store/types.js';

const PROVIDER_IDS = loadBuiltinCatalog().providers.map((p) => p.id);

/** config fragment: every catalog provider sends `x-sim-provider: <id>` upstream */
export const TAGGED_PROVIDERS = PROVIDER_IDS.map((id) => ({ id, headers: { 'x-sim-provider': id } }));

export async function startRoutingGateway(
  config: Record<string, unknown> = {},
): Promise<{ gw: TestGateway; sims: SimSet }> {
  const providers = [...TAGGED_PROVIDERS, ...((config.providers as unknown[] | undefined) ?? [])];
  return startDemoGateway({ ...config, providers });
}

/** which catalog provider sent a recorded upstream request */
export function providerOf(r: RecordedRequest): string {
  return String(r.headers['x-sim-provider'] ?? '?');
}

/** the provider-side model of a recorded request (Gemini names it in the URL) */
export function upstreamModel(r: RecordedRequest): string {
  const b = r.body as { model?: unknown } | undefined;
  if (typeof b?.model === 'string') return b.model;
  const m = /\/models\/([^:]+):/.exec(r.path);
  return m ? m[1] : '?';
}

/** chat-like upstream calls only (the sims also serve model listings etc.) */
export function chatCalls(sims: SimSet): RecordedRequest[] {
  return [...sims.openai.requests, ...sims.anthropic.requests, ...sims.gemini.requests]
    .filter((r) => r.method === 'POST' && /chat\/completions|\/messages$|generateContent/i.test(r.path))
    .sort((a, b) => a.receivedAt - b.receivedAt);
}

export interface Answer<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

export async function post<T = any>(gw: TestGateway, path: string, json: unknown, key?: string): Promise<Answer<T>> {
  const res = await gw.fetch(path, { method: 'POST', json, key });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // SSE or plain text: keep the text
  }
  return { status: res.status, headers: res.headers, body: body as T };
}

export const chat = <T = any>(gw: TestGateway, json: Record<string, unknown>, key?: string) =>
  post<T>(gw, '/chat/completions', { messages: [{ role: 'user', content: 'Say hello' }], ...json }, key);

export type AttemptRow = AttemptRecord;

export interface GenerationJson {
  id: string;
  requested_model: string;
  model: string | null;
  provider_name: string | null;
  provider_model: string | null;
  status: number;
  streamed: boolean;
  finish_reason: string | null;
  attempts: AttemptRow[];
  route: {
    rule: string;
    requested: string;
    chosen?: { model: string; provider: string };
    candidates: Array<{ model: string; provider: string; endpoint_model: string }>;
    dropped: Array<{ model: string; provider: string; endpoint_model: string; reason: string; detail: string }>;
    auto?: {
      chosen: string;
      rule: string;
      dropped: Array<{ model: string; reason: string }>;
      ranking: Array<{ model: string }>;
    };
  };
}

export async function generation(gw: TestGateway, id: string, key?: string): Promise<GenerationJson> {
  const res = await gw.fetch(`/generation?id=${encodeURIComponent(id)}`, { key });
  const body = (await res.json()) as { data: GenerationJson };
  if (res.status !== 200) throw new Error(`GET /generation ${id}: ${res.status} ${JSON.stringify(body)}`);
  return body.data;
}

/** "groq=500(7ms), fireworks=200(89ms)" → [["groq","500"],["fireworks","200"]] */
export function parseAttemptsHeader(h: string | null): Array<[string, string]> {
  if (!h) return [];
  return h.split(', ').map((part) => {
    const m = /^([^=]+)=([^(]+)\((\d+)ms\)$/.exec(part);
    if (!m) throw new Error(`bad x-arouter-attempts part: ${part}`);
    return [m[1], m[2]];
  });
}

/** reads an SSE chat stream as JSON chunks (without the [DONE] line) */
export function sseChunks(text: string): any[] {
  return text
    .split('\n\n')
    .map((block) =>
      block
        .split('\n')
        .filter((l) => l.startsWith('data: '))
        .map((l) => l.slice(6))
        .join('\n'),
    )
    .filter((d) => d.length > 0 && d !== '[DONE]')
    .map((d) => JSON.parse(d));
}

export const streamText = (chunks: any[]): string => chunks.map((c) => c.choices?.[0]?.delta?.content ?? '').join('');

/**
 * Model definitions of the hand-written catalog that preceded the imported one (frozen in
 * test/fixtures/catalog/hand-written-models.json), to pass as config `models` overrides: routing tests whose
 * subject is a preference rule, not the catalog's data, keep the multi-provider topology their comments
 * describe (e.g. llama-3.3-70b on deepinfra, groq, together and fireworks at four different prices).
 */
export function handWrittenModels(ids: string[]): Array<Record<string, unknown>> {
  const all = JSON.parse(
    readFileSync(new URL('../fixtures/catalog/hand-written-models.json', import.meta.url), 'utf8'),
  ) as Array<{ id: string }>;
  return ids.map((id) => {
    const m = all.find((x) => x.id === id);
    if (!m) throw new Error(`no hand-written model ${id}`);
    return m;
  });
}
