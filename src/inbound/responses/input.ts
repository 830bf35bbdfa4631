// Responses `input` items → canonical chat messages, in order.
//
// An assistant turn of the history arrives as several items (reasoning, message, function_call…, as a response's
// `output` lists them); they fold into ONE assistant message, as a chat client would send it: reasoning and
// function calls join the trailing assistant message, assistant text joins it unless it already called tools.
// function_call_output and custom_tool_call_output items become tool messages; custom_tool_call items are the
// function calls the model made them from (./tools.ts), namespaced calls carry their flattened name. A reasoning item is kept only when its encrypted_content
// carries provider details (./reasoning-carry.ts); a summary alone cannot be replayed to any provider, so it is
// dropped, and an assistant message left with nothing but reasoning is dropped with it.
import type { ChatContentPart, ChatMessage, ChatToolCall } from '../../protocol/chat-request.js';
import type { ReasoningDetail } from '../../protocol/chat-result.js';
import { badRequest } from '../../protocol/errors.js';
import {
  CustomToolCallItem,
  CustomToolCallOutputItem,
  FunctionCallItem,
  FunctionCallOutputItem,
  InputFilePart,
  InputImagePart,
  InputTextPart,
  MessageItem,
  OutputTextPart,
  ReasoningItem,
  RefusalPart,
} from '../../protocol/responses-request.js';
import { checkShape } from './check.js';
import { decodeDetails } from './reasoning-carry.js';
import { customArguments, flatName } from './tools.js';

type Obj = Record<string, unknown>;
type TextPart = { type: 'text'; text: string };

interface AssistantDraft {
  role: 'assistant';
  parts: TextPart[];
  refusal: string | null;
  tool_calls: ChatToolCall[];
  details: ReasoningDetail[];
}
type Draft = ChatMessage | AssistantDraft;

const isAssistant = (m: Draft | undefined): m is AssistantDraft => m !== undefined && 'parts' in m;

export function inputMessages(items: readonly Obj[]): ChatMessage[] {
  const out: Draft[] = [];
  items.forEach((item, i) => {
    const at = `input[${i}]`;
    const type = item.type ?? (item.role !== undefined ? 'message' : undefined);
    switch (type) {
      case 'message': {
        const m = checkShape(MessageItem, item, at);
        if (m.role === 'assistant') {
          const last = out[out.length - 1];
          const t = isAssistant(last) && last.tool_calls.length === 0 ? last : null;
          assistantContent(t ?? pushNew(out), m.content, `${at}.content`);
        } else if (m.role === 'user') out.push({ role: 'user', content: userContent(m.content, `${at}.content`) });
        else out.push({ role: m.role, content: textOnly(m.content, `${at}.content`, 'a system message') });
        return;
      }
      case 'function_call': {
        const c = checkShape(FunctionCallItem, item, at);
        turn(out).tool_calls.push({
          id: c.call_id,
          type: 'function',
          function: { name: flatName(c.name, c.namespace), arguments: c.arguments },
        });
        return;
      }
      case 'custom_tool_call': {
        // the model made it as a function call with `{"input": …}` (./tools.ts): it goes back the same way
        const c = checkShape(CustomToolCallItem, item, at);
        turn(out).tool_calls.push({
          id: c.call_id,
          type: 'function',
          function: { name: flatName(c.name, c.namespace), arguments: customArguments(c.input) },
        });
        return;
      }
      case 'function_call_output':
      case 'custom_tool_call_output': {
        const o = checkShape(
          type === 'custom_tool_call_output' ? CustomToolCallOutputItem : FunctionCallOutputItem,
          item,
          at,
        );
        const content = typeof o.output === 'string' ? o.output : textOnly(o.output, `${at}.output`, 'a tool output');
        out.push({ role: 'tool', tool_call_id: o.call_id, content });
        return;
      }
      case 'reasoning': {
        const r = checkShape(ReasoningItem, item, at);
        if (typeof r.encrypted_content !== 'string' || r.encrypted_content === '') return;
        const details = decodeDetails(r.encrypted_content);
        if (!details)
          throw badRequest(
            `Invalid ${at}.encrypted_content: not reasoning state ARouter issued (send the item back unchanged)`,
            `${at}.encrypted_content`,
          );
        if (details.length > 0) turn(out).details.push(...details);
        return;
      }
      case 'item_reference':
        throw badRequest(
          `${at} is an item_reference: ARouter stores no responses or items, so it cannot resolve one; ` +
            'send the item itself',
          at,
          'unsupported_parameter',
        );
      default:
        throw badRequest(
          typeof type === 'string'
            ? `Input items of type '${type}' are not supported by ARouter (messages, function_call, ` +
                'function_call_output, custom_tool_call, custom_tool_call_output and reasoning items are)'
            : `Invalid ${at}: an input item needs a \`type\` (or a \`role\` for a message)`,
          `${at}.type`,
          typeof type === 'string' ? 'unsupported_parameter' : 'invalid_request',
        );
    }
  });
  return finish(out);
}

/** the trailing assistant message, or a new one */
function turn(out: Draft[]): AssistantDraft {
  const last = out[out.length - 1];
  return isAssistant(last) ? last : pushNew(out);
}

function pushNew(out: Draft[]): AssistantDraft {
  const m: AssistantDraft = { role: 'assistant', parts: [], refusal: null, tool_calls: [], details: [] };
  out.push(m);
  return m;
}

function assistantContent(m: AssistantDraft, content: string | Obj[], at: string): void {
  if (typeof content === 'string') {
    if (content !== '') m.parts.push({ type: 'text', text: content });
    return;
  }
  content.forEach((p, j) => {
    const path = `${at}[${j}]`;
    if (p.type === 'output_text') m.parts.push({ type: 'text', text: checkShape(OutputTextPart, p, path).text });
    else if (p.type === 'input_text') m.parts.push({ type: 'text', text: checkShape(InputTextPart, p, path).text });
    else if (p.type === 'refusal') m.refusal = (m.refusal ?? '') + checkShape(RefusalPart, p, path).refusal;
    else throw unsupportedPart(p.type, `${path}.type`, 'an assistant message');
  });
}

function userContent(content: string | Obj[], at: string): string | ChatContentPart[] {
  if (typeof content === 'string') return content;
  return content.map((p, j): ChatContentPart => {
    const path = `${at}[${j}]`;
    switch (p.type) {
      case 'input_text':
        return { type: 'text', text: checkShape(InputTextPart, p, path).text };
      case 'input_image': {
        const img = checkShape(InputImagePart, p, path);
        if (typeof img.image_url === 'string') {
          // `original` (full resolution) has no chat equivalent; `high` is the closest
          const detail = img.detail === 'original' ? 'high' : (img.detail ?? undefined);
          return { type: 'image_url', image_url: { url: img.image_url, ...(detail ? { detail } : {}) } };
        }
        if (typeof img.file_id === 'string') return { type: 'file', file: { file_id: img.file_id } };
        throw badRequest(`Invalid ${path}: input_image needs an image_url or a file_id`, `${path}.image_url`);
      }
      case 'input_file': {
        const f = checkShape(InputFilePart, p, path);
        if (typeof f.file_url === 'string')
          throw badRequest(
            `${path}.file_url is not supported by ARouter: send the file inline as file_data (a data URL)`,
            `${path}.file_url`,
            'unsupported_parameter',
          );
        const filename = typeof f.filename === 'string' ? { filename: f.filename } : {};
        if (typeof f.file_data === 'string') return { type: 'file', file: { ...filename, file_data: f.file_data } };
        if (typeof f.file_id === 'string') return { type: 'file', file: { ...filename, file_id: f.file_id } };
        throw badRequest(`Invalid ${path}: input_file needs file_data or a file_id`, `${path}.file_data`);
      }
      default:
        throw unsupportedPart(p.type, `${path}.type`, 'a user message');
    }
  });
}

/** system/developer messages and tool outputs: text parts only, as the canonical request holds them */
function textOnly(content: string | Obj[], at: string, what: string): string | TextPart[] {
  if (typeof content === 'string') return content;
  return content.map((p, j) => {
    const path = `${at}[${j}]`;
    if (p.type === 'input_text') return { type: 'text', text: checkShape(InputTextPart, p, path).text };
    throw unsupportedPart(p.type, `${path}.type`, what);
  });
}

function unsupportedPart(type: unknown, param: string, where: string) {
  return badRequest(
    `Content parts of type ${JSON.stringify(type)} are not supported in ${where} by ARouter`,
    param,
    'unsupported_parameter',
  );
}

/** drafts → messages; an assistant draft with neither text, refusal nor calls is dropped */
function finish(drafts: Draft[]): ChatMessage[] {
  const out: ChatMessage[] = [];
  for (const d of drafts) {
    if (!isAssistant(d)) {
      out.push(d);
      continue;
    }
    if (d.parts.length === 0 && d.refusal === null && d.tool_calls.length === 0) continue;
    const content = d.parts.length === 0 ? null : d.parts.length === 1 ? d.parts[0].text : d.parts;
    out.push({
      role: 'assistant',
      content,
      ...(d.refusal !== null ? { refusal: d.refusal } : {}),
      ...(d.tool_calls.length > 0 ? { tool_calls: d.tool_calls } : {}),
      ...(d.details.length > 0 ? { reasoning_details: d.details } : {}),
    });
  }
  return out;
}
