// A reasoning item's `encrypted_content` carries the answer's canonical `reasoning_details` (Anthropic thinking
// signatures, Gemini thought signatures) to the client and back: the Responses API has no other field a client
// echoes opaque reasoning state in, and ARouter stores nothing between requests. Stateless clients (Codex with
// store:false, SDK loops that append `response.output` to the next `input`) send the item back unchanged, and
// the provider gets its signed blocks again; without them Anthropic refuses a thinking turn that called tools.
//
// Format: `arouter.v1.` + base64url(JSON array of details). Not encrypted: the details are the provider's own
// opaque values (already signed or encrypted by it) plus reasoning text the client was shown anyway.
import type { ReasoningDetail } from '../../protocol/chat-result.js';
import { OPENAI_RESPONSES_REASONING_FORMAT } from '../../protocol/native-request.js';

const PREFIX = 'arouter.v1.';
/** the format tag of an encrypted_content ARouter did not make (e.g. OpenAI's own): kept, no dialect replays it */
export const FOREIGN_FORMAT = OPENAI_RESPONSES_REASONING_FORMAT;

/**
 * The encrypted_content for an answer's details, or null when none of them can be replayed. A stream's
 * thinking arrives as text pieces closed by a signed entry (src/providers/anthropic/stream.ts): the pieces are
 * joined into the signed entry, as the Anthropic dialect joins them when they come back. Unsigned text and
 * summaries are left out: the reasoning item's summary shows them, and no provider accepts them back.
 */
export function encodeDetails(details: readonly ReasoningDetail[]): string | null {
  const out: ReasoningDetail[] = [];
  let pending = '';
  for (const d of details) {
    if (d.type === 'reasoning.text' && typeof d.text === 'string') {
      if (typeof d.signature === 'string' && d.signature !== '') {
        out.push({ ...d, text: pending + d.text });
        pending = '';
      } else pending += d.text;
    } else if (d.type === 'reasoning.summary') continue;
    else {
      pending = '';
      out.push(d);
    }
  }
  return out.length > 0 ? PREFIX + Buffer.from(JSON.stringify(out)).toString('base64url') : null;
}

/**
 * The details an `encrypted_content` carries; null when ARouter's prefix holds something unreadable (the
 * caller answers 400). Another issuer's value becomes one opaque detail of FOREIGN_FORMAT.
 */
export function decodeDetails(value: string): ReasoningDetail[] | null {
  if (!value.startsWith(PREFIX)) return [{ type: 'reasoning.encrypted', data: value, format: FOREIGN_FORMAT }];
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(value.slice(PREFIX.length), 'base64url').toString('utf8'));
  } catch {
    return null;
  }
  if (!Array.isArray(parsed)) return null;
  const out: ReasoningDetail[] = [];
  for (const d of parsed) {
    if (typeof d !== 'object' || d === null || Array.isArray(d)) return null;
    if (typeof (d as { type?: unknown }).type !== 'string') return null;
    out.push(d as ReasoningDetail);
  }
  return out;
}
