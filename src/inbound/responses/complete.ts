// A whole canonical answer → the Response JSON body. Output items in the order a Responses model emits them:
// the reasoning item (summary = the reasoning text; encrypted_content = the provider's reasoning details, see
// ./reasoning-carry.ts), the assistant message (output_text with its logprobs, a refusal part), then one
// function_call item per tool call (a custom_tool_call for a custom tool, ./tools.ts).
import type { AnswerInfo, AnswerUsage } from '../../protocol/inbound.js';
import type { ChatResult } from '../../protocol/chat-result.js';
import type { ResponsesRequest } from '../../protocol/responses-request.js';
import { customCallItemId, functionCallItemId, messageItemId, reasoningItemId } from './ids.js';
import { encodeDetails } from './reasoning-carry.js';
import { echoOf, endOf, FINISH_ERROR, partLogprobs, responseObject } from './response.js';
import { callItem, toolPlan } from './tools.js';

type Obj = Record<string, unknown>;

export function completeResponse(r: ChatResult, info: AnswerInfo, usage: AnswerUsage, wire: ResponsesRequest): Obj {
  const end = endOf(r.finish_reason);
  const itemStatus = end.status === 'completed' ? 'completed' : 'incomplete';
  const output: Obj[] = [];
  const reasoning = r.reasoning ?? '';
  const carried = encodeDetails(r.reasoning_details);
  if (reasoning !== '' || carried !== null) {
    const item: Obj = {
      id: reasoningItemId(info.id),
      type: 'reasoning',
      summary: reasoning !== '' ? [{ type: 'summary_text', text: reasoning }] : [],
    };
    if (carried !== null) item.encrypted_content = carried;
    output.push(item);
  }
  const content: Obj[] = [];
  // an empty text beside tool calls is no message; with nothing else it is, so output_text is ''
  if (r.content !== null && (r.content !== '' || (r.tool_calls.length === 0 && r.refusal === null)))
    content.push({ type: 'output_text', text: r.content, annotations: [], logprobs: partLogprobs(r.logprobs) });
  if (r.refusal !== null) content.push({ type: 'refusal', refusal: r.refusal });
  if (content.length > 0)
    output.push({ id: messageItemId(info.id), type: 'message', status: itemStatus, role: 'assistant', content });
  const plan = toolPlan(wire);
  r.tool_calls.forEach((tc, k) =>
    output.push(
      callItem(
        plan,
        { function: functionCallItemId(info.id, k), custom: customCallItemId(info.id, k) },
        { call_id: tc.id, name: tc.function.name, arguments: tc.function.arguments },
        itemStatus,
      ),
    ),
  );
  return responseObject({
    info,
    echo: echoOf(wire),
    status: end.status,
    output,
    usage,
    incomplete: end.incomplete,
    error: end.status === 'failed' ? FINISH_ERROR : null,
  });
}
