// The one interface every provider dialect implements. A dialect turns ARouter's validated OpenAI-shaped
// request into the provider's own wire request, and turns the provider's answer (JSON or SSE events)
// back into OpenAI-shaped pieces. Transport (pools, timeouts, SSE framing, aborts) lives in
// src/providers/transport.ts so that dialects stay pure and unit-testable on recorded-shape fixtures.
import type { Dialect, EndpointDef, ModelDef, ProviderDef } from '../catalog/types.js';
import type { ChatRequest, EmbeddingsRequest } from '../protocol/chat-request.js';

export type FinishReason = 'stop' | 'length' | 'tool_calls' | 'content_filter' | 'error';

export interface UpstreamTarget {
  provider: ProviderDef;
  endpoint: EndpointDef;
  model: ModelDef;
  /** resolved API key (empty string for no_key providers) */
  apiKey: string;
}

export type ReasoningEffort = 'minimal' | 'low' | 'medium' | 'high' | 'xhigh';

/** Reasoning as routing resolved it (request `reasoning`/`reasoning_effort`, the `:thinking` variant). */
export interface ReasoningPlan {
  enabled: boolean;
  /** `none` is not an effort: it resolves to enabled:false */
  effort: ReasoningEffort | null;
  /** explicit thinking budget in tokens, when the client gave one */
  max_tokens: number | null;
  /** reason upstream but omit reasoning text from the response */
  exclude: boolean;
}

export interface BuildContext {
  target: UpstreamTarget;
  stream: boolean;
  /** null = the client did not ask and the variant did not force it: send nothing reasoning-related */
  reasoning: ReasoningPlan | null;
  /** the client's max output tokens, else the endpoint's max (what is reserved; Anthropic's dialect sends less) */
  maxTokens: number;
  /** true when the client's own request carried max_tokens / max_completion_tokens */
  maxTokensExplicit: boolean;
}

export interface UpstreamRequest {
  /** absolute URL */
  url: string;
  method: 'POST' | 'GET';
  /** complete: a POST's builder sets content-type itself (the transport sends them as they are) */
  headers: Record<string, string>;
  body: string;
}

/** Token usage in OpenAI semantics: prompt includes cached read/write; completion includes reasoning. */
export interface NormalizedUsage {
  prompt_tokens: number;
  completion_tokens: number;
  cached_read_tokens: number;
  cache_write_tokens: number;
  reasoning_tokens: number;
}

export interface ToolCallOut {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

/** Opaque provider reasoning blocks (Anthropic thinking + signature, Gemini thought signatures), echoed back by clients. */
export type ReasoningDetail = Record<string, unknown> & { type: string };

export interface ChatResult {
  content: string | null;
  reasoning: string | null;
  reasoning_details: ReasoningDetail[];
  tool_calls: ToolCallOut[];
  finish_reason: FinishReason;
  native_finish_reason: string | null;
  /** null when the upstream reported none (the gateway then counts locally) */
  usage: NormalizedUsage | null;
  upstream_id: string | null;
  /** upstream refusal text, when the provider reports one */
  refusal: string | null;
  /** OpenAI `choices[].logprobs` as the upstream sent it (asked with `logprobs: true`); absent = null */
  logprobs?: Logprobs | null;
  /** the upstream's `system_fingerprint`, when it sent one (the spec's type is string; absent, not null) */
  system_fingerprint?: string;
}

/** OpenAI's per-choice log probabilities ({content: [{token, logprob, bytes, top_logprobs}], refusal}), passed through. */
export type Logprobs = Record<string, unknown>;

export interface ToolCallDelta {
  index: number;
  id?: string;
  type?: 'function';
  function: { name?: string; arguments?: string };
}

export interface ChunkDelta {
  content?: string;
  /** OpenAI's `delta.refusal`: the model's refusal text, kept apart from content as the non-stream message does */
  refusal?: string;
  reasoning?: string;
  reasoning_details?: ReasoningDetail[];
  tool_calls?: ToolCallDelta[];
}

export type StreamEvent =
  | { type: 'delta'; delta: ChunkDelta; logprobs?: Logprobs }
  | { type: 'finish'; finish_reason: FinishReason; native_finish_reason: string | null }
  | { type: 'usage'; usage: NormalizedUsage }
  | { type: 'error'; error: UpstreamError };

/** One SSE event as the transport parsed it. */
export interface SseEvent {
  event?: string;
  data: string;
}

export interface StreamTranslator {
  /** Called for every SSE event, in order; returns the OpenAI-shaped events it produces (often none). */
  push(ev: SseEvent): StreamEvent[];
  /** Called when the upstream closes the stream normally; flushes a pending finish/usage. */
  end(): StreamEvent[];
}

export interface UpstreamError {
  /** status ARouter should answer with (see mapError docs) */
  status: number;
  /** routing may try another endpoint (429/529/5xx/timeouts/connection errors) */
  retryable: boolean;
  /** OpenAI-style error type, e.g. invalid_request_error, rate_limit_error, upstream_error */
  type: string;
  code: string | null;
  /** human message, including the provider's own words */
  message: string;
  /** the provider's status code */
  upstream_status: number | null;
  /** the provider's parsed error body, when it had one */
  upstream_body?: unknown;
  retry_after_sec?: number;
}

export interface EmbeddingsResult {
  vectors: number[][];
  prompt_tokens: number | null;
}

export interface DialectAdapter {
  readonly id: Dialect;
  buildChatRequest(req: ChatRequest, ctx: BuildContext): UpstreamRequest;
  parseChatResponse(body: unknown, ctx: BuildContext): ChatResult;
  createStreamTranslator(ctx: BuildContext): StreamTranslator;
  /**
   * Maps an upstream HTTP error (status + raw body text) to ARouter's error. `providerName` (e.g. "DeepSeek")
   * prefixes the message so users see which provider said what; single-provider dialects may ignore it.
   */
  mapError(
    status: number,
    bodyText: string,
    headers: Record<string, string | string[] | undefined>,
    providerName?: string,
  ): UpstreamError;
  /** Absent when the dialect has no embeddings API. Vectors are always requested as floats. */
  buildEmbeddingsRequest?(req: EmbeddingsRequest, target: UpstreamTarget): UpstreamRequest;
  parseEmbeddingsResponse?(body: unknown, req: EmbeddingsRequest): EmbeddingsResult;
}
