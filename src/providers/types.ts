// The one interface every provider dialect implements. A dialect turns ARouter's validated OpenAI-shaped
// request into the provider's own wire request, and turns the provider's answer (JSON or SSE events)
// back into OpenAI-shaped pieces. Transport (pools, timeouts, SSE framing, aborts) lives in
// src/providers/transport.ts so that dialects stay pure and unit-testable on recorded-shape fixtures.
import type { Dialect, EndpointDef, ModelDef, ProviderDef } from '../catalog/types.js';
import type { ChatRequest, EmbeddingsRequest } from '../protocol/chat-request.js';
import type { ChatResult, EmbeddingsResult, StreamEvent, UpstreamError } from '../protocol/chat-result.js';
import type { NativeResponses } from '../protocol/native-request.js';

export type {
  AudioOut,
  ImageOut,
  FinishReason,
  NormalizedUsage,
  ToolCallOut,
  ReasoningDetail,
  ChatResult,
  Logprobs,
  ToolCallDelta,
  ChunkDelta,
  StreamEvent,
  UpstreamError,
  EmbeddingsResult,
} from '../protocol/chat-result.js';

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
  /** the client's own Responses request, set only when the Responses dialect (openai-responses/) serves it */
  native?: NativeResponses;
}

export interface UpstreamRequest {
  /** absolute URL */
  url: string;
  method: 'POST' | 'GET';
  /** complete: a POST's builder sets content-type itself (the transport sends them as they are) */
  headers: Record<string, string>;
  body: string;
}

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

export interface DialectAdapter {
  readonly id: Dialect;
  buildChatRequest(req: ChatRequest, ctx: BuildContext): UpstreamRequest;
  parseChatResponse(body: unknown, ctx: BuildContext): ChatResult;
  createStreamTranslator(ctx: BuildContext): StreamTranslator;
  /**
   * True when the upstream answers this (non-stream) request only as a stream (audio output on some
   * providers): the router then sends it as a stream and assembles the answer (assemble.ts). Absent = never.
   */
  streamOnly?(req: ChatRequest, ctx: BuildContext): boolean;
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
