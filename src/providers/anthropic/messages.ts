// OpenAI message list → Anthropic `system` + alternating `messages` turns.
//
// System and developer messages: ALL of them, wherever they appear, are hoisted into the top-level
// `system` array as text blocks, in order (Portkey does the same; see wire-formats.md §4.1). Anthropic has
// no system role inside `messages`, and turning a mid-conversation instruction into a user turn would let
// the model treat it as user-authored text, which is worse for instruction following than moving it up.
//
// Turns: consecutive messages with the same Anthropic role are merged into one turn. Tool messages become
// `tool_result` blocks of a user turn, so the N results of one parallel call land in ONE user turn right
// after the assistant turn that called them, and a user message that follows them joins that turn
// (Anthropic requires tool_result blocks first in that turn, so they are moved ahead of other blocks).
import type { ChatMessage } from '../../protocol/chat-request.js';
import type { ReasoningDetail } from '../types.js';
import { InvalidRequestError } from '../errors.js';
import { parseToolArguments } from '../convert.js';
import { type Block, textBlocks, userBlocks, withCache } from './content.js';
import { type ToolNames, wireToolId } from './state.js';

export interface Turn {
  role: 'user' | 'assistant';
  content: Block[];
}

export interface ConvertedMessages {
  system: Block[];
  messages: Turn[];
  /** true when the history holds tool_use / tool_result blocks (Anthropic then wants `tools` defined) */
  usesTools: boolean;
}

export const REASONING_FORMAT = 'anthropic-claude-v1';

/**
 * Echoed `reasoning_details` → thinking / redacted_thinking blocks. Details of other providers (another
 * `format`) are skipped: their signatures mean nothing to Anthropic. A stream's details arrive as text pieces
 * closed by a signed entry (./stream.ts): consecutive text entries are joined up to the one with the signature.
 * Text without a signature cannot be replayed (the API verifies signatures), so it is skipped.
 */
function reasoningBlocks(details: Record<string, unknown>[] | undefined): Block[] {
  const out: Block[] = [];
  let text = '';
  for (const d of details ?? []) {
    if (d.format !== undefined && d.format !== REASONING_FORMAT) continue;
    if (d.type === 'reasoning.text' && typeof d.text === 'string') {
      text += d.text;
      if (typeof d.signature === 'string' && d.signature) {
        out.push({ type: 'thinking', thinking: text, signature: d.signature });
        text = '';
      }
    } else if (d.type === 'reasoning.encrypted' && typeof d.data === 'string' && d.data) {
      text = '';
      out.push({ type: 'redacted_thinking', data: d.data });
    }
  }
  return out;
}

function assistantBlocks(m: Extract<ChatMessage, { role: 'assistant' }>, i: number, names: ToolNames): Block[] {
  const blocks = reasoningBlocks(m.reasoning_details as ReasoningDetail[] | undefined);
  blocks.push(...textBlocks(m.content));
  (m.tool_calls ?? []).forEach((tc, k) => {
    // cache_control on a tool call / tool message is not OpenAI's: the Messages inbound API puts Anthropic's there
    blocks.push(
      withCache(
        {
          type: 'tool_use',
          id: wireToolId(tc.id),
          name: names.wire(tc.function.name),
          input: parseToolArguments(
            tc.function.arguments,
            `messages[${i}].tool_calls[${k}].function.arguments`,
            'Anthropic',
          ),
        },
        tc,
      ),
    );
  });
  return blocks;
}

function toolResultBlock(m: Extract<ChatMessage, { role: 'tool' }>): Block {
  const block: Block = { type: 'tool_result', tool_use_id: wireToolId(m.tool_call_id) };
  if (typeof m.content === 'string') {
    if (m.content !== '') block.content = m.content;
  } else {
    const parts = textBlocks(m.content);
    if (parts.length > 0) block.content = parts;
  }
  // is_error: an extra key of tool messages that came in through the Messages API (src/inbound/messages/)
  if ((m as { is_error?: unknown }).is_error === true) block.is_error = true;
  return withCache(block, m);
}

export function convertMessages(messages: ChatMessage[], names: ToolNames): ConvertedMessages {
  const system: Block[] = [];
  const turns: Turn[] = [];
  let usesTools = false;

  messages.forEach((m, i) => {
    let role: Turn['role'];
    let blocks: Block[];
    switch (m.role) {
      case 'system':
      case 'developer':
        system.push(...textBlocks(m.content));
        return;
      case 'user':
        role = 'user';
        blocks = userBlocks(m.content, `messages[${i}]`);
        break;
      case 'tool':
        role = 'user';
        blocks = [toolResultBlock(m)];
        usesTools = true;
        break;
      case 'assistant':
        role = 'assistant';
        blocks = assistantBlocks(m, i, names);
        if ((m.tool_calls?.length ?? 0) > 0) usesTools = true;
        break;
    }
    // A message with nothing left (e.g. assistant content "") is dropped, and its neighbours may then merge.
    if (blocks.length === 0) return;
    const prev = turns[turns.length - 1];
    if (prev && prev.role === role) prev.content.push(...blocks);
    else turns.push({ role, content: blocks });
  });

  for (const t of turns) {
    if (t.role === 'user') {
      // Stable partition: tool results first, then the user's own blocks.
      t.content = [
        ...t.content.filter((b) => b.type === 'tool_result'),
        ...t.content.filter((b) => b.type !== 'tool_result'),
      ];
    }
  }
  trimFinalAssistant(turns);
  if (turns.length === 0) {
    // OpenAI accepts a system-only conversation; Anthropic needs at least one message. Sending the
    // instructions as the user turn gets an answer instead of a certain upstream 400.
    if (system.length === 0) {
      throw new InvalidRequestError('Anthropic needs at least one message with non-empty content', 'messages');
    }
    return { system: [], messages: [{ role: 'user', content: system }], usesTools };
  }
  return { system, messages: turns, usesTools };
}

/** The API rejects a final (prefill) assistant turn that ends in whitespace. */
function trimFinalAssistant(turns: Turn[]): void {
  const last = turns[turns.length - 1];
  if (!last || last.role !== 'assistant') return;
  const tail = last.content[last.content.length - 1];
  if (tail?.type !== 'text' || typeof tail.text !== 'string') return;
  const trimmed = tail.text.trimEnd();
  if (trimmed !== '') tail.text = trimmed;
  else {
    last.content.pop();
    if (last.content.length === 0) turns.pop();
  }
}
