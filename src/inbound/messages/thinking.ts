// Anthropic thinking blocks ⇄ the canonical `reasoning_details`, in both directions, so that what a Messages
// client echoes back is what the outbound dialects read. Anthropic's own blocks map one to one onto the entries
// the outbound Anthropic dialect reads (src/providers/anthropic/messages.ts): a signed `reasoning.text` is a
// `thinking` block, a `reasoning.encrypted` a `redacted_thinking` one, both in format anthropic-claude-v1.
// Other providers' entries (Gemini thought signatures, OpenAI encrypted reasoning) have no Anthropic block: they
// travel as a thinking block whose signature is the entry itself, prefixed, which every Anthropic client keeps
// and echoes verbatim because it must (the real API verifies signatures); Gemini 3 rejects a tool loop whose
// thought signatures were dropped, so a Claude Code session on a Gemini model needs them back.
import type { ReasoningDetail } from '../../protocol/chat-result.js';

/** The format the outbound Anthropic dialect writes and reads (src/providers/anthropic/messages.ts). */
export const ANTHROPIC_FORMAT = 'anthropic-claude-v1';

/** Marks a signature that carries another provider's reasoning entry (base64url JSON after it). */
export const FOREIGN_PREFIX = 'arouter.v1.';

export type ThinkingBlock =
  { type: 'thinking'; thinking: string; signature: string } | { type: 'redacted_thinking'; data: string };

export const isAnthropicDetail = (d: ReasoningDetail) => d.format === undefined || d.format === ANTHROPIC_FORMAT;

export function encodeForeign(d: ReasoningDetail): string {
  return FOREIGN_PREFIX + Buffer.from(JSON.stringify(d), 'utf8').toString('base64url');
}

function decodeForeign(signature: string): ReasoningDetail | null {
  try {
    const d = JSON.parse(Buffer.from(signature.slice(FOREIGN_PREFIX.length), 'base64url').toString('utf8')) as unknown;
    return d && typeof d === 'object' && typeof (d as ReasoningDetail).type === 'string'
      ? (d as ReasoningDetail)
      : null;
  } catch {
    return null;
  }
}

/** An echoed thinking / redacted_thinking block → the canonical entry. */
export function blockToDetail(b: ThinkingBlock): ReasoningDetail {
  if (b.type === 'redacted_thinking') return { type: 'reasoning.encrypted', data: b.data, format: ANTHROPIC_FORMAT };
  if (b.signature.startsWith(FOREIGN_PREFIX)) {
    const foreign = decodeForeign(b.signature);
    if (foreign) return foreign;
  }
  const d: ReasoningDetail = { type: 'reasoning.text', text: b.thinking, format: ANTHROPIC_FORMAT };
  // an empty signature is a thinking block ARouter made from a provider's plain reasoning text: nothing to verify
  if (b.signature !== '') d.signature = b.signature;
  return d;
}

/**
 * A whole answer's reasoning → thinking blocks, in order. Anthropic entries carry their text in pieces closed
 * by the signed one (the outbound stream translator emits them so); reasoning text no entry carries (OpenAI-style
 * providers, DeepSeek) becomes one unsigned block first, so the client still sees it.
 */
export function detailsToBlocks(details: ReasoningDetail[], reasoning: string | null): ThinkingBlock[] {
  const out: ThinkingBlock[] = [];
  let text = '';
  let carriesText = false;
  for (const d of details) {
    if (!isAnthropicDetail(d)) {
      out.push({ type: 'thinking', thinking: '', signature: encodeForeign(d) });
    } else if (d.type === 'reasoning.text') {
      if (typeof d.text === 'string' && d.text !== '') {
        text += d.text;
        carriesText = true;
      }
      if (typeof d.signature === 'string' && d.signature !== '') {
        out.push({ type: 'thinking', thinking: text, signature: d.signature });
        text = '';
      }
    } else if (d.type === 'reasoning.encrypted' && typeof d.data === 'string' && d.data !== '') {
      out.push({ type: 'redacted_thinking', data: d.data });
    }
  }
  if (text !== '') out.push({ type: 'thinking', thinking: text, signature: '' });
  if (!carriesText && reasoning) out.unshift({ type: 'thinking', thinking: reasoning, signature: '' });
  return out;
}
