// Shared fixtures and context builders for the openai dialect tests.
import { readFileSync } from 'node:fs';
import type { EndpointDef, ModelDef, ProviderDef, ReasoningInfo } from '../../src/catalog/types.js';
import type { ChatRequest } from '../../src/protocol/chat-request.js';
import type {
  BuildContext,
  ReasoningPlan,
  SseEvent,
  StreamEvent,
  StreamTranslator,
} from '../../src/providers/types.js';

const FIXTURES = new URL('../fixtures/openai/', import.meta.url);

export function fixtureText(name: string): string {
  return readFileSync(new URL(name, FIXTURES), 'utf8');
}

export function fixtureJson<T = unknown>(name: string): T {
  return JSON.parse(fixtureText(name)) as T;
}

/** Minimal SSE framing (the transport's job in production): events split on blank lines, data lines joined. */
export function sseEvents(text: string): SseEvent[] {
  const out: SseEvent[] = [];
  for (const block of text.split(/\r?\n\r?\n/)) {
    const data: string[] = [];
    let event: string | undefined;
    for (const line of block.split(/\r?\n/)) {
      if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
      else if (line.startsWith('event:')) event = line.slice(6).trim();
    }
    if (data.length > 0) out.push(event === undefined ? { data: data.join('\n') } : { event, data: data.join('\n') });
  }
  return out;
}

export function runStream(t: StreamTranslator, events: SseEvent[]): StreamEvent[] {
  const out: StreamEvent[] = [];
  for (const ev of events) out.push(...t.push(ev));
  out.push(...t.end());
  return out;
}

const PRICING = {
  prompt: '0',
  completion: '0',
  request: '0',
  image: '0',
  web_search: '0',
  internal_reasoning: '0',
  input_cache_read: '0',
  input_cache_write: '0',
};

export interface CtxOptions {
  providerId?: string;
  providerName?: string;
  baseUrl?: string;
  headers?: Record<string, string>;
  apiKey?: string;
  endpointModel?: string;
  reasoningInfo?: ReasoningInfo | null;
  reasoning?: Partial<ReasoningPlan> | null;
  stream?: boolean;
  maxTokens?: number;
  maxTokensExplicit?: boolean;
  /** the model's supported_parameters (empty = unknown, everything is sent) */
  supportedParameters?: string[];
}

export function makeCtx(o: CtxOptions = {}): BuildContext {
  const provider: ProviderDef = {
    id: o.providerId ?? 'openai',
    name: o.providerName ?? 'OpenAI',
    dialect: 'openai',
    base_url: o.baseUrl ?? 'https://api.openai.com/v1',
    api_key_env: 'X_API_KEY',
    ...(o.headers ? { headers: o.headers } : {}),
  };
  const endpoint: EndpointDef = {
    provider: provider.id,
    model: o.endpointModel ?? 'gpt-4o-mini-2024-07-18',
    pricing: PRICING,
    context_length: 128000,
    max_completion_tokens: 16384,
    quantization: null,
    is_moderated: false,
  };
  const model: ModelDef = {
    id: 'test/model',
    canonical_slug: 'test/model',
    name: 'Test model',
    created: 0,
    description: '',
    context_length: 128000,
    architecture: { input_modalities: ['text'], output_modalities: ['text'], tokenizer: 'GPT', instruct_type: null },
    supported_parameters: o.supportedParameters ?? [],
    default_parameters: null,
    expiration_date: null,
    quality_tier: 2,
    endpoints: [endpoint],
  };
  if (o.reasoningInfo !== undefined) model.reasoning = o.reasoningInfo;
  const reasoning: ReasoningPlan | null =
    o.reasoning == null ? null : { enabled: true, effort: null, max_tokens: null, exclude: false, ...o.reasoning };
  return {
    target: { provider, endpoint, model, apiKey: o.apiKey ?? 'sk-test' },
    stream: o.stream ?? false,
    reasoning,
    maxTokens: o.maxTokens ?? 16384,
    maxTokensExplicit: o.maxTokensExplicit ?? false,
  };
}

export function chatRequest(over: Partial<ChatRequest> = {}): ChatRequest {
  return { model: 'test/model', messages: [{ role: 'user', content: 'Hi' }], ...over };
}
