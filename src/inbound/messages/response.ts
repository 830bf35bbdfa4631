// Canonical ChatResult → Anthropic `Message` (the non-streamed answer), blocks in Anthropic's order: thinking,
// text, tool_use. Fields the spec's Message requires but ARouter has nothing for (stop_details outside refusals,
// container, usage.service_tier, …) are null, as the API sends them.
import type { ChatResult } from '../../protocol/chat-result.js';
import type { AnswerInfo, AnswerUsage } from '../../protocol/inbound.js';
import { messageId, stopReason, toolUseId, wireUsage } from './answer.js';
import { detailsToBlocks } from './thinking.js';

/**
 * Tool arguments are JSON text in the canonical answer and an object in Anthropic's. Arguments that are not a
 * JSON object (a model that wrote broken JSON) become {}: the client's tool then reports the missing input to
 * the model, which retries, where an unparsable block would make the SDK throw.
 */
export function toolInput(args: string): Record<string, unknown> {
  try {
    const v = JSON.parse(args) as unknown;
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

export function complete(result: ChatResult, info: AnswerInfo, usage: AnswerUsage): unknown {
  const content: Record<string, unknown>[] = [...detailsToBlocks(result.reasoning_details, result.reasoning)];
  const text = result.content ?? (result.finish_reason === 'content_filter' ? result.refusal : null);
  if (text) content.push({ type: 'text', text, citations: null });
  result.tool_calls.forEach((tc, n) => {
    content.push({
      type: 'tool_use',
      id: toolUseId(tc.id, info, n),
      name: tc.function.name,
      input: toolInput(tc.function.arguments),
      caller: { type: 'direct' },
    });
  });
  const stop = stopReason(result.finish_reason, result.native_finish_reason, result.tool_calls.length);
  return {
    id: messageId(info),
    type: 'message',
    role: 'assistant',
    model: info.model,
    content,
    stop_reason: stop,
    stop_sequence: null,
    stop_details: stop === 'refusal' ? { type: 'refusal', category: null, explanation: result.refusal ?? null } : null,
    container: null,
    usage: {
      ...wireUsage(usage),
      cache_creation: null,
      inference_geo: null,
      service_tier: null,
    },
    // ARouter's extra, as on chat completions: which provider answered
    provider: info.provider,
  };
}
