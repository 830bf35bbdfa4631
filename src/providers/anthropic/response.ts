// Anthropic `Message` (non-stream) → ChatResult. Parsed leniently: older responses lack stop_details,
// container, caller, cache_creation … (wire-formats.md §2.2), and unknown block types (server tools,
// web search results) are skipped rather than failing the request.
import type { ChatResult, ReasoningDetail, ToolCallOut, BuildContext } from '../types.js';
import { REASONING_FORMAT } from './messages.js';
import { loadState } from './state.js';
import { type AnthropicUsage, finishReason, normalizeUsage } from './usage.js';

interface ContentBlock {
  type?: unknown;
  text?: unknown;
  thinking?: unknown;
  signature?: unknown;
  data?: unknown;
  id?: unknown;
  name?: unknown;
  input?: unknown;
}

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);

export function parseChatResponse(body: unknown, ctx: BuildContext): ChatResult {
  const msg = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
  const blocks = Array.isArray(msg.content) ? (msg.content as ContentBlock[]) : [];
  const state = loadState(ctx);
  const exclude = ctx.reasoning?.exclude === true;

  let text = '';
  let hasText = false;
  let reasoning = '';
  let thinkingChars = 0;
  let json: string | null = null;
  const details: ReasoningDetail[] = [];
  const toolCalls: ToolCallOut[] = [];

  for (const b of blocks) {
    switch (b.type) {
      case 'text':
        text += str(b.text) ?? '';
        hasText = true;
        break;
      case 'thinking': {
        const t = str(b.thinking) ?? '';
        thinkingChars += t.length;
        // With exclude, the thinking text stays out of the response entirely, details included.
        if (!exclude) {
          reasoning += t;
          const detail: ReasoningDetail = { type: 'reasoning.text', text: t, format: REASONING_FORMAT };
          if (str(b.signature)) detail.signature = b.signature;
          details.push(detail);
        }
        break;
      }
      case 'redacted_thinking':
        // Opaque and unreadable, so it is returned even with exclude: clients need it to continue tool loops.
        if (str(b.data)) details.push({ type: 'reasoning.encrypted', data: b.data, format: REASONING_FORMAT });
        break;
      case 'tool_use': {
        const name = str(b.name) ?? '';
        const input = b.input && typeof b.input === 'object' ? b.input : {};
        if (state.jsonTool !== null && name === state.jsonTool) {
          json = (json ?? '') + JSON.stringify(input);
          break;
        }
        toolCalls.push({
          id: str(b.id) ?? '',
          type: 'function',
          function: { name: state.names.client(name), arguments: JSON.stringify(input) },
        });
        break;
      }
    }
  }

  const native = str(msg.stop_reason);
  const usage =
    msg.usage && typeof msg.usage === 'object' ? normalizeUsage(msg.usage as AnthropicUsage, thinkingChars) : null;
  const stopDetails = msg.stop_details as { explanation?: unknown } | null | undefined;
  // In JSON mode the tool input IS the answer; any text beside it was preamble (LiteLLM does the same).
  const content = json ?? (hasText || toolCalls.length === 0 ? text : null);

  return {
    content,
    reasoning: reasoning.length > 0 ? reasoning : null,
    reasoning_details: details,
    tool_calls: toolCalls,
    finish_reason: finishReason(native, toolCalls.length),
    native_finish_reason: native,
    usage,
    upstream_id: str(msg.id),
    refusal: native === 'refusal' ? (str(stopDetails?.explanation) ?? null) : null,
  };
}
