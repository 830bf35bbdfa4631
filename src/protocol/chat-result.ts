// The canonical answer every inbound API is translated from and every provider dialect is translated to:
// the result of a chat call, its stream events, usage and upstream errors, in OpenAI Chat Completions
// semantics. Depends on nothing else in src/, so dialects (outbound) and inbound adapters share one vocabulary.

export type FinishReason = 'stop' | 'length' | 'tool_calls' | 'content_filter' | 'error';

/** Token usage in OpenAI semantics: prompt includes cached read/write; completion includes reasoning. */
export interface NormalizedUsage {
  prompt_tokens: number;
  completion_tokens: number;
  cached_read_tokens: number;
  cache_write_tokens: number;
  reasoning_tokens: number;
  /** generated image tokens (OpenAI completion_tokens_details.image_tokens, Gemini candidatesTokensDetails IMAGE), part of completion_tokens */
  output_image_tokens?: number;
  /** generated audio tokens (completion_tokens_details.audio_tokens), part of completion_tokens */
  output_audio_tokens?: number;
  /** audio tokens in the prompt (prompt_tokens_details.audio_tokens), part of prompt_tokens */
  input_audio_tokens?: number;
}

export interface ToolCallOut {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

/** Opaque provider reasoning blocks (Anthropic thinking + signature, Gemini thought signatures), echoed back by clients. */
export type ReasoningDetail = Record<string, unknown> & { type: string };

/** A generated image as OpenRouter returns it in `message.images` / `delta.images` (a data URL, usually PNG). */
export interface ImageOut {
  type: 'image_url';
  image_url: { url: string };
}

/** Generated audio as OpenAI returns it in `message.audio` (base64 `data` in the requested format). */
export interface AudioOut {
  id: string;
  data: string;
  transcript: string;
  /** unix seconds */
  expires_at: number;
}

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
  /** images the model generated (output modality image) */
  images?: ImageOut[];
  /** audio the model generated (output modality audio) */
  audio?: AudioOut | null;
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
  images?: ImageOut[];
  /** OpenAI streams audio as pieces: `id` first, then `data` and `transcript` fragments, `expires_at` once */
  audio?: Partial<AudioOut>;
}

export type StreamEvent =
  | { type: 'delta'; delta: ChunkDelta; logprobs?: Logprobs }
  | { type: 'finish'; finish_reason: FinishReason; native_finish_reason: string | null }
  | { type: 'usage'; usage: NormalizedUsage }
  | { type: 'error'; error: UpstreamError };

export interface UpstreamError {
  /** status ARouter should answer with (see mapError docs) */
  status: number;
  /** routing may try another endpoint: false only for the client's own mistakes (see providers/upstream-error.ts) */
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
