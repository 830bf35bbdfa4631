// Per-provider differences inside the OpenAI-compatible family, keyed by catalog provider id.
// Everything not listed here gets the generic profile; keep this table small and cite a source per entry.

export type MessageRole = 'system' | 'developer' | 'user' | 'assistant' | 'tool';

export interface Quirks {
  /** OpenAI deprecated max_tokens for max_completion_tokens (o-series reject max_tokens); others mostly only know max_tokens */
  maxTokensField: 'max_completion_tokens' | 'max_tokens';
  /** OpenAI rejects top_k; open-weight hosts (Together, Fireworks, DeepInfra, vLLM, Ollama) accept it */
  topK: boolean;
  /** Mistral answers 422 extra_forbidden on stream_options and reports usage on its last chunk anyway */
  streamOptions: boolean;
  /** Mistral names the sampling seed random_seed */
  seedField: 'seed' | 'random_seed';
  /** Mistral rejects `user` */
  user: boolean;
  /** Mistral requires tool-call ids matching ^[a-zA-Z0-9]{9}$ */
  shortToolCallIds: boolean;
  /** only OpenAI is known to accept role "developer"; others get "system" (DeepSeek, Mistral reject the role) */
  developerRole: boolean;
  /**
   * DashScope switches hybrid Qwen3 thinking with `enable_thinking` (+ `thinking_budget`), on by default for the
   * open-weight models, and answers 400 "parameter.enable_thinking must be set to false for non-streaming
   * calls" otherwise (github.com/coze-dev/coze-studio/issues/324).
   */
  enableThinking: boolean;
  /**
   * OpenAI's own request options (service_tier, prompt_cache_key, safety_identifier, store, metadata, prediction,
   * verbosity, tool_choice allowed_tools): compatible hosts answer 400 or ignore them, so only OpenAI gets them
   */
  openaiOptions: boolean;
  /** OpenRouter's `image_config` for image-generating models; OpenAI's spec has no such field */
  imageConfig: boolean;
  /** audio output is streamed only (OpenRouter's docs: "streaming required"; DashScope's omni models) */
  audioStreamOnly: boolean;
  /** keys each message role may carry upstream (strict upstreams reject unknown ones) */
  messageKeys: Record<MessageRole, ReadonlySet<string>>;
}

// The OpenAI spec's ChatCompletionRequest*Message schemas (openai-openapi.yaml). Tool messages have no `name`.
const OPENAI_KEYS: Record<MessageRole, ReadonlySet<string>> = {
  system: new Set(['role', 'content', 'name']),
  developer: new Set(['role', 'content', 'name']),
  user: new Set(['role', 'content', 'name']),
  assistant: new Set(['role', 'content', 'name', 'tool_calls', 'refusal', 'audio', 'function_call']),
  tool: new Set(['role', 'content', 'tool_call_id']),
};

// Mistral validates with pydantic extra=forbid: `name` on user/assistant messages and `refusal` are 422s
// (github.com/Gage-Technologies/mistral-go/issues/3, github.com/nomtek/mistralai_client_dart/issues/44).
const MISTRAL_KEYS: Record<MessageRole, ReadonlySet<string>> = {
  system: new Set(['role', 'content']),
  developer: new Set(['role', 'content']),
  user: new Set(['role', 'content']),
  assistant: new Set(['role', 'content', 'tool_calls', 'prefix']),
  tool: new Set(['role', 'content', 'tool_call_id', 'name']),
};

const GENERIC: Quirks = {
  maxTokensField: 'max_tokens',
  topK: true,
  streamOptions: true,
  seedField: 'seed',
  user: true,
  shortToolCallIds: false,
  developerRole: false,
  enableThinking: false,
  openaiOptions: false,
  imageConfig: false,
  audioStreamOnly: false,
  messageKeys: OPENAI_KEYS,
};

const TABLE: Record<string, Quirks> = {
  openai: {
    ...GENERIC,
    maxTokensField: 'max_completion_tokens',
    topK: false,
    developerRole: true,
    openaiOptions: true,
  },
  // stream_options rejected: github.com/dnakov/anon-kode/issues/53; ids: wire-formats.md §1.7;
  // seed/user: Mistral's ChatCompletionRequest has random_seed and no user.
  mistral: {
    ...GENERIC,
    topK: false,
    streamOptions: false,
    seedField: 'random_seed',
    user: false,
    shortToolCallIds: true,
    messageKeys: MISTRAL_KEYS,
  },
  // DashScope omni models: "only streaming output is supported" (Qwen-Omni docs, OpenAI-compatible mode)
  alibaba: { ...GENERIC, enableThinking: true, audioStreamOnly: true },
  // OpenRouter's chat API: openrouter-reference.md §9 (image_config; audio output "streaming required")
  openrouter: { ...GENERIC, imageConfig: true, audioStreamOnly: true },
};

export function quirksFor(providerId: string): Quirks {
  return TABLE[providerId] ?? GENERIC;
}
