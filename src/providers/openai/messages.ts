// Makes the client's messages acceptable to a strict OpenAI-compatible upstream. The common case (nothing to
// change) returns the very same array: this runs on every request, so no copies unless a message needs one.
// What gets changed: keys the upstream does not know (ARouter's `reasoning`/`reasoning_details` echoes, the
// `annotations` OpenAI SDKs echo back, DeepSeek-style `reasoning_content`, ...) are dropped; "developer"
// becomes "system" where the role is unknown; Mistral gets 9-character tool-call ids.
import { createHash } from 'node:crypto';
import type { ChatMessage } from '../../protocol/chat-request.js';
import { fixMediaParts } from './content.js';
import type { MessageRole, Quirks } from './quirks.js';

const MISTRAL_ID = /^[a-zA-Z0-9]{9}$/;
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/**
 * Mistral only accepts ids matching ^[a-zA-Z0-9]{9}$ (400 "Tool call id was … but must be a-z, A-Z, 0-9, with
 * a length of 9", github.com/langchain-ai/langchain/pull/24668). Ids from other providers (call_…, toolu_…)
 * are hashed: deterministic, so an assistant tool call and its tool result map to the same id without state,
 * and the same history maps identically on every later turn. 62^9 ≈ 2^53.6, collisions are negligible.
 */
export function mistralToolCallId(id: string): string {
  if (MISTRAL_ID.test(id)) return id;
  let n = createHash('sha256').update(id).digest().readBigUInt64BE(0);
  let out = '';
  for (let i = 0; i < 9; i++) {
    out += BASE62[Number(n % 62n)];
    n /= 62n;
  }
  return out;
}

type Loose = Record<string, unknown>;

function rewriteToolCalls(calls: unknown): { calls: unknown; changed: boolean } {
  if (!Array.isArray(calls)) return { calls, changed: false };
  let changed = false;
  const out = calls.map((tc: Loose) => {
    const id = typeof tc.id === 'string' ? mistralToolCallId(tc.id) : tc.id;
    // Rebuilt field by field: Mistral also rejects extras such as a streamed `index` echoed back by clients.
    if (id !== tc.id || Object.keys(tc).some((k) => k !== 'id' && k !== 'type' && k !== 'function')) changed = true;
    return { id, type: 'function', function: tc.function };
  });
  return { calls: out, changed };
}

function fixMessage(m: ChatMessage, q: Quirks): ChatMessage | Loose {
  const src = m as unknown as Loose;
  const role: MessageRole = m.role === 'developer' && !q.developerRole ? 'system' : m.role;
  const allowed = q.messageKeys[role];
  let dirty = role !== m.role;
  if (!dirty) {
    for (const k in src) {
      if (!allowed.has(k) && src[k] !== undefined) {
        dirty = true;
        break;
      }
    }
  }
  let toolCalls: unknown = src.tool_calls;
  let toolCallId: unknown = src.tool_call_id;
  // Anthropic-style `cache_control` on content parts (OpenRouter clients send it) is an unknown parameter
  // to OpenAI-compatible servers: their caching is implicit, so the hint is dropped.
  let content: unknown = src.content;
  if (Array.isArray(content) && content.some((p: Loose) => p && typeof p === 'object' && 'cache_control' in p)) {
    content = content.map((p: Loose) => {
      if (!p || typeof p !== 'object' || !('cache_control' in p)) return p;
      const { cache_control: _drop, ...rest } = p;
      return rest;
    });
    dirty = true;
  }
  if (m.role === 'user' && Array.isArray(content)) {
    const media = fixMediaParts(content);
    if (media !== content) {
      content = media;
      dirty = true;
    }
  }
  // `tool_calls: []` (some SDKs always send the key) is "empty array, expected minimum length 1" at OpenAI
  if (Array.isArray(toolCalls) && toolCalls.length === 0) {
    toolCalls = undefined;
    dirty = true;
  }
  if (q.shortToolCallIds) {
    if (Array.isArray(toolCalls)) {
      const r = rewriteToolCalls(toolCalls);
      toolCalls = r.calls;
      dirty ||= r.changed;
    }
    if (typeof toolCallId === 'string') {
      const short = mistralToolCallId(toolCallId);
      dirty ||= short !== toolCallId;
      toolCallId = short;
    }
  }
  if (!dirty) return m;
  const copy: Loose = {};
  for (const k in src) if (allowed.has(k) && src[k] !== undefined) copy[k] = src[k];
  copy.role = role;
  if (toolCalls === undefined) delete copy.tool_calls;
  else if (copy.tool_calls !== undefined) copy.tool_calls = toolCalls;
  if (copy.tool_call_id !== undefined) copy.tool_call_id = toolCallId;
  if (copy.content !== undefined) copy.content = content;
  return copy;
}

export function prepareMessages(messages: ChatMessage[], q: Quirks): unknown[] {
  let out: unknown[] | null = null;
  for (let i = 0; i < messages.length; i++) {
    const m = messages[i];
    const fixed = fixMessage(m, q);
    if (out) out.push(fixed);
    else if (fixed !== m) {
      out = messages.slice(0, i);
      out.push(fixed);
    }
  }
  return out ?? messages;
}
