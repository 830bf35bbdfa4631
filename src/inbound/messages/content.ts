// Anthropic `system` and `messages` → canonical chat messages. Each Anthropic block has one canonical home:
// text/image/document → content parts (cache_control kept on the part, where the outbound Anthropic dialect
// reads it), tool_use → assistant tool_calls, tool_result → `tool` messages ahead of the user's other blocks,
// thinking/redacted_thinking → assistant reasoning_details (./thinking.ts). Keys the canonical schema does not
// name (cache_control on tools, tool calls and tool messages; is_error) ride as extra keys the outbound
// Anthropic dialect forwards, so an Anthropic request round-trips; other dialects build field by field and
// never see them.
import type { ChatContentPart, ChatMessage, ChatToolCall } from '../../protocol/chat-request.js';
import type { ReasoningDetail } from '../../protocol/chat-result.js';
import { badRequest } from '../../protocol/errors.js';
import type { MessagesContentBlock, MessagesMessage, MessagesRequest } from '../../protocol/messages-request.js';
import { blockToDetail } from './thinking.js';

type Part = ChatContentPart & { cache_control?: unknown };
type TextPart = { type: 'text'; text: string; cache_control?: unknown };

function withCache<T extends object>(target: T, block: { cache_control?: unknown }): T {
  return block.cache_control ? { ...target, cache_control: block.cache_control } : target;
}

type Block<K extends MessagesContentBlock['type']> = Extract<MessagesContentBlock, { type: K }>;

function imagePart(b: Block<'image'>, where: string): Part {
  const s = b.source;
  if (s.type === 'base64') {
    return withCache({ type: 'image_url', image_url: { url: `data:${s.media_type};base64,${s.data}` } }, b);
  }
  if (!/^https?:\/\//i.test(s.url)) throw badRequest('image source url must be an http(s) URL', `${where}.source.url`);
  return withCache({ type: 'image_url', image_url: { url: s.url } }, b);
}

/** PDFs and plain text become `file` parts with a data URL, as the outbound dialects read them. */
function documentPart(b: Block<'document'>, where: string): Part {
  const s = b.source;
  const filename = typeof b.title === 'string' && b.title !== '' ? b.title : undefined;
  let fileData: string;
  if (s.type === 'base64') {
    if (s.media_type !== 'application/pdf') {
      throw badRequest('base64 documents must be application/pdf', `${where}.source.media_type`);
    }
    fileData = `data:application/pdf;base64,${s.data}`;
  } else if (s.type === 'text') {
    fileData = `data:text/plain;base64,${Buffer.from(s.data, 'utf8').toString('base64')}`;
  } else {
    // a URL would have to be fetched by ARouter to reach non-Anthropic models; content sources are rare
    throw badRequest(
      `document sources of type "${s.type}" are not supported; send base64 or text`,
      `${where}.source.type`,
    );
  }
  return withCache({ type: 'file', file: { ...(filename ? { filename } : {}), file_data: fileData } }, b);
}

function mediaPart(b: Block<'text' | 'image' | 'document'>, where: string): Part {
  if (b.type === 'text') return withCache({ type: 'text', text: b.text }, b);
  return b.type === 'image' ? imagePart(b, where) : documentPart(b, where);
}

/** One tool_result → a tool message; its images and documents go to the user turn after it (`carried`). */
function toolMessage(b: Block<'tool_result'>, where: string, carried: Part[]): ChatMessage {
  let content: string | TextPart[] = '';
  if (typeof b.content === 'string') content = b.content;
  else if (b.content) {
    const texts: TextPart[] = [];
    b.content.forEach((c, k) => {
      const part = mediaPart(c, `${where}.content[${k}]`);
      if (part.type === 'text') texts.push(part as TextPart);
      else carried.push(part);
    });
    content = texts;
  }
  const msg: Record<string, unknown> = { role: 'tool', tool_call_id: b.tool_use_id, content };
  if (b.is_error === true) msg.is_error = true;
  return withCache(msg, b) as ChatMessage;
}

function userMessages(m: MessagesMessage, i: number): ChatMessage[] {
  if (typeof m.content === 'string') return [{ role: 'user', content: m.content }];
  const tools: ChatMessage[] = [];
  const carried: Part[] = [];
  const own: Part[] = [];
  m.content.forEach((b, j) => {
    const where = `messages[${i}].content[${j}]`;
    switch (b.type) {
      case 'tool_result':
        tools.push(toolMessage(b, where, carried));
        break;
      case 'text':
      case 'image':
      case 'document':
        own.push(mediaPart(b, where));
        break;
      default:
        throw badRequest(`${b.type} blocks may only appear in assistant messages`, `${where}.type`);
    }
  });
  const parts = [...carried, ...own];
  return parts.length > 0 ? [...tools, { role: 'user', content: parts }] : tools;
}

function assistantMessage(m: MessagesMessage, i: number): ChatMessage {
  if (typeof m.content === 'string') return { role: 'assistant', content: m.content };
  const texts: TextPart[] = [];
  const calls: ChatToolCall[] = [];
  const details: ReasoningDetail[] = [];
  m.content.forEach((b, j) => {
    switch (b.type) {
      case 'text':
        texts.push(withCache({ type: 'text', text: b.text }, b));
        break;
      case 'tool_use':
        calls.push(
          withCache({ id: b.id, type: 'function', function: { name: b.name, arguments: JSON.stringify(b.input) } }, b),
        );
        break;
      case 'thinking':
      case 'redacted_thinking':
        details.push(blockToDetail(b));
        break;
      default:
        throw badRequest(`${b.type} blocks may only appear in user messages`, `messages[${i}].content[${j}].type`);
    }
  });
  const plain = texts.length === 1 && texts[0].cache_control === undefined;
  const msg: ChatMessage = { role: 'assistant', content: texts.length === 0 ? null : plain ? texts[0].text : texts };
  if (calls.length > 0) msg.tool_calls = calls;
  if (details.length > 0) msg.reasoning_details = details;
  return msg;
}

/** A system message inside `messages` (Claude Code's, for models it does not know): text only. */
function systemMessage(m: MessagesMessage, i: number): ChatMessage {
  if (typeof m.content === 'string') return { role: 'system', content: m.content };
  return {
    role: 'system',
    content: m.content.map((b, j) => {
      if (b.type !== 'text')
        throw badRequest('system messages may only hold text blocks', `messages[${i}].content[${j}].type`);
      return withCache({ type: 'text' as const, text: b.text }, b);
    }),
  };
}

export function toChatMessages(wire: Pick<MessagesRequest, 'system' | 'messages'>): ChatMessage[] {
  const out: ChatMessage[] = [];
  if (typeof wire.system === 'string') {
    if (wire.system !== '') out.push({ role: 'system', content: wire.system });
  } else if (wire.system && wire.system.length > 0) {
    out.push({
      role: 'system',
      content: wire.system.map((b) => withCache({ type: 'text' as const, text: b.text }, b)),
    });
  }
  wire.messages.forEach((m, i) => {
    if (m.role === 'user') out.push(...userMessages(m, i));
    else if (m.role === 'system') out.push(systemMessage(m, i));
    else out.push(assistantMessage(m, i));
  });
  return out;
}
