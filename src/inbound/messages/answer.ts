// What the non-streamed and the streamed Anthropic answers share: the message id, stop reason, usage and
// tool_use ids, each derived from the canonical answer and ARouter's AnswerInfo / AnswerUsage.
import type { FinishReason } from '../../protocol/chat-result.js';
import type { AnswerInfo, AnswerUsage } from '../../protocol/inbound.js';

export type StopReason = 'end_turn' | 'max_tokens' | 'stop_sequence' | 'tool_use' | 'pause_turn' | 'refusal';

/** msg_<ARouter generation id>: the SDK shows the id to users, and ARouter's id finds the generation's record. */
export const messageId = (info: AnswerInfo) => `msg_${info.id}`;

/** The generation id back from a message id (null when it is not one of ours). */
export const generationId = (msgId: string): string | null => (msgId.startsWith('msg_') ? msgId.slice(4) : null);

/**
 * Canonical finish → Anthropic stop_reason. `stop_sequence` only when the upstream said so (Anthropic's own
 * native reason): an OpenAI `stop` does not tell a stop sequence from a natural end, so that is end_turn.
 * A finish of `tool_calls` without a tool call to show (or tool calls under another finish) follows the blocks.
 */
export function stopReason(finish: FinishReason, native: string | null, toolUses: number): StopReason {
  if (toolUses > 0 && (finish === 'tool_calls' || finish === 'stop')) return 'tool_use';
  switch (finish) {
    case 'length':
      return 'max_tokens';
    case 'content_filter':
      return 'refusal';
    default:
      return native === 'stop_sequence' ? 'stop_sequence' : 'end_turn';
  }
}

/**
 * Anthropic usage from OpenAI-semantics usage: Anthropic's input_tokens excludes cache reads and writes (both
 * reported beside it), OpenAI's prompt_tokens includes them. output_tokens includes thinking in both.
 * `cost` (USD) is ARouter's extra: the SDK keeps unknown usage keys, the spec's Usage is open.
 */
export function wireUsage(u: AnswerUsage) {
  return {
    input_tokens: Math.max(0, u.prompt_tokens - u.cached_read_tokens - u.cache_write_tokens),
    output_tokens: u.completion_tokens,
    cache_creation_input_tokens: u.cache_write_tokens,
    cache_read_input_tokens: u.cached_read_tokens,
    server_tool_use: null,
    cost: u.cost,
  };
}

/** tool_use ids must match ^[a-zA-Z0-9_-]+$ (clients echo them in tool_result.tool_use_id, which is checked). */
export function toolUseId(id: string | undefined, info: AnswerInfo, n: number): string {
  const clean = (id ?? '').replace(/[^a-zA-Z0-9_-]/g, '_');
  return clean !== '' ? clean : `toolu_${info.id.replace(/[^a-zA-Z0-9_-]/g, '_')}_${n}`;
}
