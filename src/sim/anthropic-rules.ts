// Semantic rules the Anthropic Messages API enforces beyond CreateMessageParams, and the reduction of a
// valid request to the neutral form. Messages quoted from real API error bodies in public issue threads
// (anthropics/claude-code and others), unless marked UNCONFIRMED:
//   "messages: text content blocks must be non-empty"
//   "messages: text content blocks must contain non-whitespace text"
//   "messages.0: all messages must have non-empty content except for the optional final assistant message"
//   "messages: at least one message is required"
//   "messages.N.content.M: unexpected `tool_use_id` found in `tool_result` blocks: ID. Each `tool_result` block
//    must have a corresponding `tool_use` block in the previous message."
//   "messages.N: `tool_use` ids were found without `tool_result` blocks immediately after: ID. Each `tool_use`
//    block must have a corresponding `tool_result` block in the next message."
//   "`max_tokens` must be greater than `thinking.budget_tokens`. Please consult our documentation at ..."
//   "messages.1.content.0.type: Expected `thinking` or `redacted_thinking`, but found `tool_use`. When `thinking`
//    is enabled, a final `assistant` message must start with a thinking block (...)"
//   "messages.N.content.M: Invalid `signature` in `thinking` block" (checked for signatures the sim issued)
// Docs: https://docs.claude.com/en/api/messages , https://docs.claude.com/en/docs/build-with-claude/extended-thinking ,
//       https://docs.claude.com/en/docs/agents-and-tools/tool-use/implement-tool-use ,
//       https://docs.claude.com/en/docs/build-with-claude/prompt-caching
import { createHash } from 'node:crypto';
import {
  IMAGE_TOKENS,
  approxTokens,
  base64Size,
  mediaTokens,
  type NeutralRequest,
  type PromptSegment,
} from './content.js';

/** Signatures of thinking blocks the sim emits: prefix + sha256(thinking). Real ones are opaque. */
export const SIM_SIGNATURE_PREFIX = 'EqSim';
export const thinkingSignature = (thinking: string): string =>
  SIM_SIGNATURE_PREFIX + createHash('sha256').update(thinking).digest('base64');

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const blocksOf = (m: Obj): Obj[] => (Array.isArray(m.content) ? (m.content as unknown[]).filter(isObj) : []);

/** Checks run before the schema (the API reports these in its own words, not the schema's). */
export function checkBeforeSchema(body: unknown): string | null {
  if (!isObj(body)) return null;
  if (Array.isArray(body.system)) {
    for (const b of body.system)
      if (isObj(b) && b.type === 'text' && typeof b.text === 'string') {
        if (b.text === '') return 'system: text content blocks must be non-empty';
        if (!b.text.trim()) return 'system: text content blocks must contain non-whitespace text';
      }
  }
  if (!Array.isArray(body.messages)) return null;
  const msgs = body.messages as unknown[];
  for (let i = 0; i < msgs.length; i++) {
    const m = msgs[i];
    if (!isObj(m)) continue;
    const finalAssistant = i === msgs.length - 1 && m.role === 'assistant';
    if (m.content === '' || (Array.isArray(m.content) && m.content.length === 0)) {
      if (!finalAssistant)
        return `messages.${i}: all messages must have non-empty content except for the optional final assistant message`;
      continue;
    }
    const texts =
      typeof m.content === 'string'
        ? [m.content]
        : blocksOf(m)
            .filter((b) => b.type === 'text' && typeof b.text === 'string')
            .map((b) => b.text as string);
    for (const t of texts) {
      if (t === '') return 'messages: text content blocks must be non-empty';
      if (!t.trim() && !finalAssistant) return 'messages: text content blocks must contain non-whitespace text';
    }
    if (finalAssistant && texts.length && /\s$/.test(texts[texts.length - 1]))
      return 'messages: final assistant content cannot end with trailing whitespace'; // UNCONFIRMED prefix
  }
  return null;
}

interface Turn {
  role: string;
  items: Array<{ msg: number; block: number; b: Obj }>;
}

/** Checks run after the schema passed. */
export function checkAfterSchema(body: Obj): string | null {
  const messages = body.messages as Obj[];
  if (messages.length === 0) return 'messages: at least one message is required';
  const thinking = body.thinking as Obj | undefined;
  const maxTokens = body.max_tokens as number;
  if (thinking?.type === 'enabled') {
    if ((thinking.budget_tokens as number) >= maxTokens)
      return '`max_tokens` must be greater than `thinking.budget_tokens`. Please consult our documentation at https://docs.claude.com/en/docs/build-with-claude/extended-thinking#max-tokens-and-context-window-size';
    // UNCONFIRMED wording for the next two
    if (body.temperature !== undefined && body.temperature !== 1)
      return '`temperature` may only be set to 1 when thinking is enabled. Please consult our documentation at https://docs.claude.com/en/docs/build-with-claude/extended-thinking#feature-compatibility';
    const tc = body.tool_choice as Obj | undefined;
    if (tc && (tc.type === 'any' || tc.type === 'tool'))
      return 'Thinking may not be enabled when tool_choice forces tool use.';
  }
  // Sonnet 4.5, Haiku 4.5, Opus 4.1 and later (every model the simulator answers as)
  if (body.temperature !== undefined && body.top_p !== undefined)
    return '`temperature` and `top_p` cannot both be specified for this model. Please use only one.'; // UNCONFIRMED wording
  const stops = (body.stop_sequences as string[] | undefined) ?? [];
  for (const s of stops)
    if (!s.trim()) return 'stop_sequences: each stop sequence must contain non-whitespace characters'; // UNCONFIRMED wording
  const tools = ((body.tools as Obj[] | undefined) ?? []).filter(isObj);
  if (body.tool_choice && (body.tool_choice as Obj).type !== 'none' && !tools.length)
    return 'tool_choice may only be specified while providing tools.'; // UNCONFIRMED wording
  const names = tools.map((t) => String(t.name));
  if (new Set(names).size !== names.length) return 'tools: Tool names must be unique.';

  // consecutive same-role messages are merged into one turn by the API
  const turns: Turn[] = [];
  messages.forEach((m, i) => {
    const blocks = typeof m.content === 'string' ? [{ type: 'text', text: m.content }] : blocksOf(m);
    const items = blocks.map((b, j) => ({ msg: i, block: j, b }));
    const last = turns[turns.length - 1];
    if (last && last.role === m.role) last.items.push(...items);
    else turns.push({ role: String(m.role), items });
  });
  // with thinking on, in a tool loop the assistant turn before the final tool results must start with thinking
  const thinkingOn = thinking?.type === 'enabled' || thinking?.type === 'adaptive';
  const lastTurn = turns[turns.length - 1];
  if (
    thinkingOn &&
    turns.length >= 2 &&
    lastTurn.role === 'user' &&
    lastTurn.items.some((x) => x.b.type === 'tool_result')
  ) {
    const asst = turns[turns.length - 2];
    const first = asst.role === 'assistant' ? asst.items[0] : undefined;
    if (first && first.b.type !== 'thinking' && first.b.type !== 'redacted_thinking')
      return `messages.${first.msg}.content.${first.block}.type: Expected \`thinking\` or \`redacted_thinking\`, but found \`${String(first.b.type)}\`. When \`thinking\` is enabled, a final \`assistant\` message must start with a thinking block (preceeding the lastmost set of \`tool_use\` and \`tool_result\` blocks). We recommend you include thinking blocks from previous turns. To avoid this requirement, disable \`thinking\`. Please consult our documentation at https://docs.claude.com/en/docs/build-with-claude/extended-thinking`;
  }
  // thinking blocks the sim produced carry a checkable signature: edited thinking text is rejected
  for (const t of turns)
    for (const x of t.items) {
      if (
        x.b.type === 'thinking' &&
        typeof x.b.signature === 'string' &&
        x.b.signature.startsWith(SIM_SIGNATURE_PREFIX) &&
        x.b.signature !== thinkingSignature(String(x.b.thinking))
      )
        return `messages.${x.msg}.content.${x.block}: Invalid \`signature\` in \`thinking\` block`;
    }
  for (let k = 0; k < turns.length; k++) {
    const t = turns[k];
    if (t.role === 'user') {
      const prev = k > 0 && turns[k - 1].role === 'assistant' ? turns[k - 1] : null;
      const useIds = new Set(prev ? prev.items.filter((x) => x.b.type === 'tool_use').map((x) => String(x.b.id)) : []);
      for (const x of t.items) {
        if (x.b.type === 'tool_result' && !useIds.has(String(x.b.tool_use_id)))
          return `messages.${x.msg}.content.${x.block}: unexpected \`tool_use_id\` found in \`tool_result\` blocks: ${String(x.b.tool_use_id)}. Each \`tool_result\` block must have a corresponding \`tool_use\` block in the previous message.`;
      }
    } else if (k + 1 < turns.length) {
      const uses = t.items.filter((x) => x.b.type === 'tool_use');
      const answered = new Set(
        turns[k + 1].items.filter((x) => x.b.type === 'tool_result').map((x) => String(x.b.tool_use_id)),
      );
      const missing = uses.filter((x) => !answered.has(String(x.b.id)));
      if (missing.length)
        return `messages.${missing[0].msg}: \`tool_use\` ids were found without \`tool_result\` blocks immediately after: ${missing.map((x) => String(x.b.id)).join(', ')}. Each \`tool_use\` block must have a corresponding \`tool_result\` block in the next message.`;
    }
  }
  return null;
}

function blockText(b: Obj): string {
  if (b.type === 'text') return String(b.text ?? '');
  if (b.type === 'tool_result') return resultText(b.content);
  if (b.type === 'tool_use') return `${String(b.name)} ${JSON.stringify(b.input ?? {})}`;
  if (b.type === 'thinking') return String(b.thinking ?? '');
  return '';
}

function resultText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .filter((c) => isObj(c) && c.type === 'text')
    .map((c) => String((c as Obj).text))
    .join(' ');
}

function countImages(b: Obj): number {
  if (b.type === 'image') return 1;
  if (b.type === 'tool_result' && Array.isArray(b.content))
    return (b.content as unknown[]).filter((c) => isObj(c) && c.type === 'image').length;
  return 0;
}

/** A document block, described for the reply and counted: "document (a.pdf, application/pdf, 1234 bytes)". */
function documentOf(b: Obj): { text: string; tokens: number } | null {
  if (b.type !== 'document' || !isObj(b.source)) return null;
  const src = b.source;
  const title = typeof b.title === 'string' ? `${b.title}, ` : '';
  if (src.type === 'base64') {
    const bytes = base64Size(String(src.data));
    return { text: `document (${title}${String(src.media_type)}, ${bytes} bytes)`, tokens: mediaTokens(bytes) };
  }
  if (src.type === 'text') {
    const data = String(src.data);
    return { text: `document (${title}text/plain, ${data.length} chars)`, tokens: approxTokens(data) };
  }
  return { text: `document (${title}${String(src.type)})`, tokens: 0 };
}

export interface AnthropicPrompt {
  neutral: NeutralRequest;
  promptTokens: number;
  segments: PromptSegment[];
  /** ttl of the last cache breakpoint ('5m' | '1h') */
  cacheTtl: string;
}

/** Neutral request + prompt segments in cache order (tools, system, messages) with cache_control breakpoints. */
export function neutralFromMessages(body: Obj): AnthropicPrompt {
  const messages = body.messages as Obj[];
  const segments: PromptSegment[] = [];
  let ttl = '5m';
  const bp = (x: Obj): boolean => {
    const cc = x.cache_control as Obj | null | undefined;
    if (cc) ttl = cc.ttl === '1h' ? '1h' : '5m';
    return !!cc;
  };
  const tools = ((body.tools as Obj[] | undefined) ?? []).filter(isObj);
  for (const t of tools)
    segments.push({ key: JSON.stringify(t), tokens: approxTokens(JSON.stringify(t)), breakpoint: bp(t) });
  if (typeof body.system === 'string')
    segments.push({ key: `system:${body.system}`, tokens: approxTokens(body.system) });
  else if (Array.isArray(body.system))
    for (const b of body.system as Obj[])
      segments.push({ key: JSON.stringify(b), tokens: approxTokens(String(b.text ?? '')), breakpoint: bp(b) });
  let images = 0;
  const received: string[] = [];
  messages.forEach((m, i) => {
    if (typeof m.content === 'string')
      segments.push({ key: `${i}:${String(m.role)}:${m.content}`, tokens: approxTokens(m.content) });
    else
      for (const b of blocksOf(m)) {
        const n = countImages(b);
        images += n;
        const doc = documentOf(b);
        if (doc) received.push(doc.text);
        segments.push({
          key: `${String(m.role)}:${JSON.stringify(b)}`,
          tokens: approxTokens(blockText(b)) + n * IMAGE_TOKENS + (doc?.tokens ?? 0),
          breakpoint: bp(b),
        });
      }
  });
  if (isObj(body.cache_control) && segments.length) {
    segments[segments.length - 1].breakpoint = true;
    ttl = body.cache_control.ttl === '1h' ? '1h' : '5m';
  }

  const last = messages[messages.length - 1];
  const lastBlocks = typeof last.content === 'string' ? [] : blocksOf(last);
  const results = last.role === 'user' ? lastBlocks.filter((b) => b.type === 'tool_result') : [];
  const lastUser = [...messages]
    .reverse()
    .find((m) => m.role === 'user' && (typeof m.content === 'string' || blocksOf(m).some((b) => b.type === 'text')));
  const lastUserText = !lastUser
    ? ''
    : typeof lastUser.content === 'string'
      ? lastUser.content
      : blocksOf(lastUser)
          .filter((b) => b.type === 'text')
          .map((b) => String(b.text))
          .join(' ');

  const custom = tools.filter((t) => t.type === undefined || t.type === null || t.type === 'custom');
  const tc = body.tool_choice as Obj | undefined;
  let toolChoice: NeutralRequest['toolChoice'] = { mode: 'auto' };
  if (tc?.type === 'none') toolChoice = { mode: 'none' };
  else if (tc?.type === 'any') toolChoice = { mode: 'required' };
  else if (tc?.type === 'tool') toolChoice = { mode: 'named', name: String(tc.name) };
  const thinking = body.thinking as Obj | undefined;
  const fmt = (body.output_config as Obj | undefined)?.format as Obj | null | undefined;
  return {
    neutral: {
      model: String(body.model),
      lastUserText,
      toolResults: results.length ? results.map((r) => resultText(r.content)) : null,
      imageCount: images,
      received,
      tools: last.role === 'user' ? custom.map((t) => ({ name: String(t.name), schema: t.input_schema })) : [],
      toolChoice,
      parallel: tc?.disable_parallel_tool_use !== true,
      json: fmt?.type === 'json_schema' ? { schema: fmt.schema ?? {} } : null,
      reasoning: thinking?.type === 'enabled' || thinking?.type === 'adaptive',
      maxTokens: body.max_tokens as number,
      stop: (body.stop_sequences as string[] | undefined) ?? [],
    },
    promptTokens: segments.reduce((n, s) => n + s.tokens, 0),
    segments,
    cacheTtl: ttl,
  };
}
