// Anthropic Messages request → canonical ChatRequest (the top level: tools, tool_choice, thinking, sampling).
// What cannot be honoured for every model and would change the answer is a 400 naming the field; what only
// tunes Anthropic's own service (service_tier, context_management, …) is ignored.
import type { ChatRequest, ChatTool } from '../../protocol/chat-request.js';
import { badRequest } from '../../protocol/errors.js';
import type { CountTokensRequest, MessagesRequest } from '../../protocol/messages-request.js';
import { toChatMessages } from './content.js';

type Wire = MessagesRequest | CountTokensRequest;

/** Top-level fields of Anthropic features ARouter cannot provide on other models. */
const UNSUPPORTED: Record<string, string> = {
  mcp_servers: 'remote MCP servers (the mcp-client beta) are not supported; declare the tools instead',
  container: 'containers (code execution) are not supported',
};

function rejectUnsupported(wire: Record<string, unknown>): void {
  for (const [field, why] of Object.entries(UNSUPPORTED)) {
    const v = wire[field];
    if (v !== undefined && v !== null && !(Array.isArray(v) && v.length === 0)) throw badRequest(why, field);
  }
}

function tools(wire: Wire): ChatTool[] | undefined {
  if (!wire.tools) return undefined;
  return wire.tools.map((t, i) => {
    if (t.type != null && t.type !== 'custom') {
      throw badRequest(
        `Anthropic server tool "${t.type}" is not supported: ARouter serves every model, and only client tools ` +
          '(name, description, input_schema) work on all of them',
        `tools[${i}].type`,
      );
    }
    if (!t.input_schema) throw badRequest('a custom tool needs input_schema', `tools[${i}].input_schema`);
    const fn: ChatTool['function'] = { name: t.name, parameters: t.input_schema };
    if (t.description !== undefined) fn.description = t.description;
    if (t.strict !== undefined) fn.strict = t.strict;
    const tool: ChatTool & { cache_control?: unknown } = { type: 'function', function: fn };
    if (t.cache_control) tool.cache_control = t.cache_control;
    return tool;
  });
}

function toolChoice(wire: Wire, req: ChatRequest): void {
  const tc = wire.tool_choice;
  if (!tc) return;
  if (tc.type === 'auto') req.tool_choice = 'auto';
  else if (tc.type === 'any') req.tool_choice = 'required';
  else if (tc.type === 'none') req.tool_choice = 'none';
  else req.tool_choice = { type: 'function', function: { name: tc.name } };
  if (tc.type !== 'none' && tc.disable_parallel_tool_use === true) req.parallel_tool_calls = false;
}

/**
 * thinking + output_config.effort → the canonical `reasoning`: a budget stays a budget (max_tokens), disabled is
 * enabled:false, adaptive is "on at the model's own effort". Anthropic's `max` effort is OpenAI's `xhigh`.
 */
function reasoning(wire: Wire): ChatRequest['reasoning'] {
  const t = wire.thinking;
  const e = wire.output_config?.effort ?? null;
  const effort = e === 'max' ? 'xhigh' : e;
  if (t?.type === 'disabled') return { enabled: false };
  if (t?.type === 'enabled') return { enabled: true, max_tokens: t.budget_tokens, ...(effort ? { effort } : {}) };
  if (t?.type === 'adaptive') return { enabled: true, ...(effort ? { effort } : {}) };
  return effort ? { effort } : undefined;
}

function translate(wire: Wire): ChatRequest {
  rejectUnsupported(wire as Record<string, unknown>);
  const req: ChatRequest = { model: wire.model, messages: toChatMessages(wire) };
  if (wire.models) req.models = wire.models;
  if (wire.provider) req.provider = wire.provider;
  if (wire.max_tokens !== undefined) req.max_tokens = wire.max_tokens;
  const ts = tools(wire);
  if (ts) req.tools = ts;
  toolChoice(wire, req);
  const r = reasoning(wire);
  if (r) req.reasoning = r;
  const format = wire.output_config?.format;
  if (format) {
    req.response_format = { type: 'json_schema', json_schema: { name: 'output', schema: format.schema, strict: true } };
  }
  if (wire.stop_sequences && wire.stop_sequences.length > 0) req.stop = wire.stop_sequences;
  if (wire.temperature !== undefined) req.temperature = wire.temperature;
  if (wire.top_p !== undefined) req.top_p = wire.top_p;
  if (wire.top_k !== undefined) req.top_k = wire.top_k;
  if (typeof wire.metadata?.user_id === 'string' && wire.metadata.user_id !== '') req.user = wire.metadata.user_id;
  if (wire.stream === true) req.stream = true;
  // top-level automatic prompt caching; the outbound Anthropic dialect reads it from the same key
  if (wire.cache_control) (req as Record<string, unknown>).cache_control = wire.cache_control;
  return req;
}

export const toChat = (wire: MessagesRequest): ChatRequest => translate(wire);

/** count_tokens: the same translation; max_tokens is optional there and nothing is generated. */
export function countTokensRequest(wire: CountTokensRequest): ChatRequest {
  const req = translate(wire);
  delete req.stream;
  return req;
}
