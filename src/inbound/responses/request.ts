// A Responses request → the canonical ChatRequest. Every model of the catalog answers it: the dialects see an
// ordinary chat request. Fields map one to one where chat has them (max_output_tokens → max_tokens, text.format →
// response_format, reasoning.effort → reasoning.effort); what needs server-side state ARouter does not keep
// (previous_response_id, conversation, background, stored prompts, item references) is a 400 naming the field,
// and `store` is accepted and ignored: nothing is stored, whatever it says (it is the SDK's default true).
import type { ChatAllowedToolsChoice, ChatMessage, ChatRequest } from '../../protocol/chat-request.js';
import type { ChatToolChoice } from '../../protocol/chat-request.js';
import { badRequest } from '../../protocol/errors.js';
import type { ResponsesRequest } from '../../protocol/responses-request.js';
import { attachNativeResponses } from '../../protocol/native-request.js';
import { inputMessages } from './input.js';
import { nativeResponses } from './native.js';
import { DROPPED_TOOL_TYPES, toolPlan } from './tools.js';

// the service tiers chat accepts (ChatRequestSchema); the Responses-only ones are dropped
const CHAT_SERVICE_TIERS = new Set(['auto', 'default', 'flex', 'scale', 'priority', 'fast']);
const LOGPROBS_INCLUDE = 'message.output_text.logprobs';

export function toChat(w: ResponsesRequest): ChatRequest {
  rejectStateful(w);
  const messages: ChatMessage[] = [];
  if (typeof w.instructions === 'string' && w.instructions !== '')
    messages.push({ role: 'system', content: w.instructions });
  if (typeof w.input === 'string') messages.push({ role: 'user', content: w.input });
  else if (Array.isArray(w.input)) messages.push(...inputMessages(w.input));
  if (messages.length === 0)
    throw badRequest('Missing required parameter: input (a string or a list of items)', 'input', 'missing_required');

  const req: ChatRequest = { messages };
  if (w.model !== undefined) req.model = w.model;
  if (w.models !== undefined) req.models = w.models;
  if (w.provider !== undefined) req.provider = w.provider;
  const plan = toolPlan(w);
  if (plan.tools.length > 0) req.tools = plan.tools;
  if (w.tool_choice !== undefined) req.tool_choice = chatToolChoice(w.tool_choice);
  if (typeof w.parallel_tool_calls === 'boolean') req.parallel_tool_calls = w.parallel_tool_calls;
  const format = w.text?.format;
  if (format?.type === 'json_schema') {
    const { name, schema, description, strict } = format;
    req.response_format = {
      type: 'json_schema',
      json_schema: { name, schema, ...(description !== undefined ? { description } : {}), strict: strict ?? null },
    };
  } else if (format) req.response_format = { type: format.type };
  if (w.text?.verbosity) req.verbosity = w.text.verbosity;
  const r = w.reasoning;
  if (r) {
    const reasoning: NonNullable<ChatRequest['reasoning']> = {};
    if (r.effort) reasoning.effort = r.effort === 'max' ? 'xhigh' : r.effort;
    if (r.max_tokens !== undefined) reasoning.max_tokens = r.max_tokens;
    if (r.exclude !== undefined) reasoning.exclude = r.exclude;
    if (r.enabled !== undefined) reasoning.enabled = r.enabled;
    if (Object.keys(reasoning).length > 0) req.reasoning = reasoning;
  }
  if (typeof w.max_output_tokens === 'number') req.max_tokens = w.max_output_tokens;
  if (w.temperature !== undefined) req.temperature = w.temperature;
  if (w.top_p !== undefined) req.top_p = w.top_p;
  // the Responses API returns logprobs only when `include` asks for them; top_logprobs alone sizes them
  if (w.include?.includes(LOGPROBS_INCLUDE) || (w.top_logprobs ?? 0) > 0) {
    req.logprobs = true;
    if (typeof w.top_logprobs === 'number') req.top_logprobs = w.top_logprobs;
  }
  if (w.user !== undefined) req.user = w.user;
  if (w.safety_identifier !== undefined) req.safety_identifier = w.safety_identifier;
  if (w.prompt_cache_key !== undefined) req.prompt_cache_key = w.prompt_cache_key;
  if (typeof w.service_tier === 'string' && CHAT_SERVICE_TIERS.has(w.service_tier))
    req.service_tier = w.service_tier as ChatRequest['service_tier'];
  // ARouter's extension, as on chat: the Responses API has no cache marks, and Anthropic caches only where marked
  const cc = (w as Record<string, unknown>).cache_control;
  if (cc) (req as Record<string, unknown>).cache_control = cc;
  if (w.stream === true) {
    req.stream = true;
    req.stream_options = { include_usage: true };
  }
  // for endpoints whose provider speaks the Responses API itself (src/providers/openai-responses/)
  attachNativeResponses(req, nativeResponses(w));
  return req;
}

function rejectStateful(w: ResponsesRequest): void {
  if (typeof w.previous_response_id === 'string' && w.previous_response_id !== '')
    throw stateful(
      'previous_response_id',
      'ARouter stores no responses, so previous_response_id cannot be resolved: send the whole conversation ' +
        "in `input` instead (the earlier turns' items, the previous response's output items included)",
    );
  if (w.conversation !== undefined && w.conversation !== null)
    throw stateful('conversation', 'ARouter stores no conversations: send the whole conversation in `input` instead');
  if (w.background === true)
    throw stateful('background', 'background responses need stored responses, which ARouter does not keep');
  const prompt = (w as Record<string, unknown>).prompt;
  if (prompt !== undefined && prompt !== null)
    throw stateful('prompt', 'stored prompt templates are not supported by ARouter: send instructions and input');
}

const stateful = (param: string, message: string) => badRequest(message, param, 'unsupported_parameter');

function chatToolChoice(c: NonNullable<ResponsesRequest['tool_choice']>): ChatToolChoice {
  if (typeof c === 'string') return c;
  const o = c as Record<string, unknown>;
  // a custom tool is a function tool for the model (./tools.ts)
  if ((o.type === 'function' || o.type === 'custom') && typeof o.name === 'string' && o.name !== '')
    return { type: 'function', function: { name: o.name } };
  if (o.type === 'function' || o.type === 'custom')
    throw badRequest('Missing required parameter: tool_choice.name', 'tool_choice.name', 'missing_required');
  if (o.type === 'allowed_tools' && Array.isArray(o.tools)) {
    const tools: { type: 'function'; function: { name: string } }[] = [];
    (o.tools as Record<string, unknown>[]).forEach((t, k) => {
      // a dropped hosted tool allowed here is simply not available
      if (typeof t.type === 'string' && DROPPED_TOOL_TYPES.has(t.type)) return;
      if ((t.type !== 'function' && t.type !== 'custom') || typeof t.name !== 'string' || t.name === '')
        throw badRequest(
          'Only function and custom tools ({"type":"function","name":…}) can be allowed tools on ARouter',
          `tool_choice.tools[${k}]`,
          'unsupported_parameter',
        );
      tools.push({ type: 'function', function: { name: t.name } });
    });
    if (tools.length === 0)
      throw badRequest(
        'tool_choice allows only hosted tools, which ARouter cannot run: allow a function or custom tool',
        'tool_choice.tools',
        'unsupported_parameter',
      );
    const choice: ChatAllowedToolsChoice = {
      type: 'allowed_tools',
      allowed_tools: { mode: o.mode as 'auto' | 'required', tools },
    };
    return choice;
  }
  throw badRequest(
    `tool_choice of type '${c.type}' is not supported by ARouter: it forces a hosted tool ARouter cannot run ` +
      '(use none, auto, required, a function or custom tool, or allowed_tools)',
    'tool_choice.type',
    'unsupported_parameter',
  );
}
