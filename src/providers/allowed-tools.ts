// OpenAI's `tool_choice: {type:"allowed_tools", allowed_tools:{mode, tools}}` for upstreams that do not know it
// (every one but OpenAI itself): the nearest equivalent is to declare only the allowed tools and make `mode` the
// tool_choice (auto → auto, required → required). The model then sees fewer tools than the client declared,
// which is what the choice asks for; only prompt caching of the tool list differs from OpenAI's behaviour.
import type { ChatAllowedToolsChoice, ChatRequest } from '../protocol/chat-request.js';

function isAllowedTools(tc: ChatRequest['tool_choice']): tc is ChatAllowedToolsChoice {
  return typeof tc === 'object' && tc !== null && tc.type === 'allowed_tools';
}

/** a tool reference in the list: `{type:"function",function:{name}}` (Chat Completions) or `{type,name}` (Responses) */
function nameOf(ref: Record<string, unknown>): string | undefined {
  const fn = ref.function as { name?: unknown } | undefined;
  const name = fn?.name ?? ref.name;
  return typeof name === 'string' ? name : undefined;
}

/** the request with an allowed_tools choice applied to `tools`; the same object when there is none */
export function narrowAllowedTools(req: ChatRequest): ChatRequest {
  const tc = req.tool_choice;
  if (!isAllowedTools(tc)) return req;
  const names = new Set(tc.allowed_tools.tools.map(nameOf).filter((n): n is string => n !== undefined));
  const tools = (req.tools ?? []).filter((t) => names.has(t.function.name));
  // none of the declared tools is allowed: the model may call nothing
  if (tools.length === 0) return { ...req, tools: undefined, tool_choice: undefined };
  return { ...req, tools, tool_choice: tc.allowed_tools.mode };
}
