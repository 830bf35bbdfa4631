// Non-stream chat.completion → ChatResult. Lenient about everything optional (compatible servers differ),
// strict only about what ARouter needs: an object with a first choice.
import type { BuildContext, ChatResult, ToolCallOut } from '../types.js';
import { audioOf, imagesOf } from './outputs.js';
import { errorFromPayload, invalidResponse, UpstreamResponseError } from './errors.js';
import {
  argumentsString,
  generateToolCallId,
  isRecord,
  mapFinishReason,
  reasoningDetailsOf,
  reasoningOf,
  splitContentParts,
  usageOf,
  type Loose,
} from './normalize.js';

function toolCallsOf(msg: Loose): ToolCallOut[] {
  const out: ToolCallOut[] = [];
  if (Array.isArray(msg.tool_calls)) {
    for (const tc of msg.tool_calls) {
      if (!isRecord(tc)) continue;
      const fn = isRecord(tc.function) ? tc.function : {};
      out.push({
        id: typeof tc.id === 'string' && tc.id.length > 0 ? tc.id : generateToolCallId(),
        type: 'function',
        function: { name: typeof fn.name === 'string' ? fn.name : '', arguments: argumentsString(fn.arguments) ?? '' },
      });
    }
  } else if (isRecord(msg.function_call)) {
    // legacy functions API answer from older compatible servers
    const fc = msg.function_call;
    out.push({
      id: generateToolCallId(),
      type: 'function',
      function: { name: typeof fc.name === 'string' ? fc.name : '', arguments: argumentsString(fc.arguments) ?? '' },
    });
  }
  return out;
}

export function parseChatResponse(body: unknown, ctx: BuildContext): ChatResult {
  const provider = ctx.target.provider.name;
  if (!isRecord(body)) throw new UpstreamResponseError(invalidResponse('body is not a JSON object', provider));
  // some hosts (OpenRouter-style proxies) report failures inside a 200
  if (body.error !== undefined && body.error !== null)
    throw new UpstreamResponseError(errorFromPayload(body, provider));
  const choice = Array.isArray(body.choices) ? body.choices[0] : undefined;
  if (!isRecord(choice)) throw new UpstreamResponseError(invalidResponse('no choices in the completion', provider));
  const msg: Loose = isRecord(choice.message) ? choice.message : {};
  const exclude = ctx.reasoning?.exclude === true;

  let content: string | null = null;
  let reasoning = reasoningOf(msg);
  if (typeof msg.content === 'string') content = msg.content;
  else if (Array.isArray(msg.content)) {
    const parts = splitContentParts(msg.content);
    content = parts.text;
    if (reasoning === null && parts.reasoning.length > 0) reasoning = parts.reasoning;
  }

  const tool_calls = toolCallsOf(msg);
  const native = typeof choice.finish_reason === 'string' ? choice.finish_reason : null;
  const images = imagesOf(msg.images);
  const audio = audioOf(msg.audio);
  return {
    ...(images.length > 0 ? { images } : {}),
    ...(audio !== null ? { audio } : {}),
    content,
    reasoning: exclude ? null : reasoning,
    reasoning_details: reasoningDetailsOf(msg.reasoning_details, exclude),
    tool_calls,
    finish_reason: mapFinishReason(native, tool_calls.length > 0),
    native_finish_reason: native,
    usage: usageOf(body),
    upstream_id: typeof body.id === 'string' ? body.id : null,
    refusal: typeof msg.refusal === 'string' && msg.refusal.length > 0 ? msg.refusal : null,
    logprobs: isRecord(choice.logprobs) ? choice.logprobs : null,
    ...(typeof body.system_fingerprint === 'string' ? { system_fingerprint: body.system_fingerprint } : {}),
  };
}
