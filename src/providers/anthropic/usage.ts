// Anthropic usage and stop_reason → OpenAI semantics; shared by the JSON and the stream paths.
import type { FinishReason, NormalizedUsage } from '../types.js';

export interface AnthropicUsage {
  input_tokens?: number | null;
  output_tokens?: number | null;
  cache_creation_input_tokens?: number | null;
  cache_read_input_tokens?: number | null;
}

const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);

/**
 * input_tokens counts only uncached input, so the OpenAI prompt total is input + cache reads + cache writes.
 * output_tokens already includes thinking. Anthropic reports no reasoning count: we estimate it as
 * ceil(thinking characters / 4), capped at output_tokens (LiteLLM also estimates, with a tokenizer;
 * chars/4 avoids loading one per request). Redacted thinking has no readable text and counts as 0.
 */
export function normalizeUsage(u: AnthropicUsage, thinkingChars: number): NormalizedUsage {
  const cachedRead = num(u.cache_read_input_tokens);
  const cacheWrite = num(u.cache_creation_input_tokens);
  const completion = num(u.output_tokens);
  return {
    prompt_tokens: num(u.input_tokens) + cachedRead + cacheWrite,
    completion_tokens: completion,
    cached_read_tokens: cachedRead,
    cache_write_tokens: cacheWrite,
    reasoning_tokens: Math.min(completion, Math.ceil(thinkingChars / 4)),
  };
}

/**
 * wire-formats.md §2.7. `refusal` → content_filter is our choice (Portkey has no entry);
 * `model_context_window_exceeded` (newer/beta, not in the 2026 spec's enum) is a truncation → length.
 */
export function mapStopReason(reason: string | null | undefined): FinishReason {
  switch (reason) {
    case 'max_tokens':
    case 'model_context_window_exceeded':
      return 'length';
    case 'tool_use':
      return 'tool_calls';
    case 'refusal':
      return 'content_filter';
    default:
      // end_turn, stop_sequence, pause_turn (server-tool turn paused), null and unknown values
      return 'stop';
  }
}

/**
 * Final finish_reason: an answer with client tool calls ends in `tool_calls`. `tool_use` without any
 * client tool call means the only tool used was the JSON-output tool, whose input became the text: `stop`.
 */
export function finishReason(native: string | null, clientToolCalls: number): FinishReason {
  if (clientToolCalls > 0) return 'tool_calls';
  const mapped = mapStopReason(native);
  return mapped === 'tool_calls' ? 'stop' : mapped;
}
