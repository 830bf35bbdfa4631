// OpenAI's Response object → ChatResult (spec: Response, OutputItem). Output items in order: reasoning (its summary
// texts are the reasoning, its encrypted_content the canonical reasoning state, `reasoning.encrypted` of format
// openai-responses-v1 with the item's id, so the next turn can hand OpenAI the same item back), messages
// (output_text → content with its logprobs, refusal → refusal), function_call and custom_tool_call items → tool
// calls under their canonical names (a custom tool's input as `{"input": …}` arguments, namespaced tools
// flattened: BuildContext.native says how). Hosted tools' items are never asked for (ARouter drops those tools).
// `status` failed (or an `error`) is the upstream's failure; incomplete is a finish reason.
import { OPENAI_RESPONSES_REASONING_FORMAT } from '../../protocol/native-request.js';
import type {
  BuildContext,
  ChatResult,
  FinishReason,
  NormalizedUsage,
  ReasoningDetail,
  ToolCallOut,
} from '../types.js';
import { errorFromPayload, invalidResponse, UpstreamResponseError } from '../openai/errors.js';
import { isRecord, type Loose } from '../openai/normalize.js';

const count = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : 0);

/** ResponseUsage (input includes cached, output includes reasoning: OpenAI semantics, as canonical) */
export function responsesUsage(u: unknown): NormalizedUsage | null {
  if (!isRecord(u) || typeof u.input_tokens !== 'number' || typeof u.output_tokens !== 'number') return null;
  const inDetails = isRecord(u.input_tokens_details) ? u.input_tokens_details : {};
  const outDetails = isRecord(u.output_tokens_details) ? u.output_tokens_details : {};
  return {
    prompt_tokens: count(u.input_tokens),
    completion_tokens: count(u.output_tokens),
    cached_read_tokens: count(inDetails.cached_tokens),
    // the spec's newer field (explicit cache breakpoints); absent = 0, and a "0" write price bills it as prompt
    cache_write_tokens: count(inDetails.cache_write_tokens),
    reasoning_tokens: count(outDetails.reasoning_tokens),
  };
}

/** a finished response's status (+ incomplete_details.reason) → the canonical finish and its native name */
export function finishOf(r: Loose, toolCalls: boolean): { finish: FinishReason; native: string | null } {
  if (r.status === 'incomplete') {
    const reason = isRecord(r.incomplete_details) ? r.incomplete_details.reason : undefined;
    const native = typeof reason === 'string' ? reason : 'incomplete';
    return { finish: native === 'content_filter' ? 'content_filter' : 'length', native };
  }
  return { finish: toolCalls ? 'tool_calls' : 'stop', native: typeof r.status === 'string' ? r.status : null };
}

/** a reasoning item's state as canonical details (empty when the item carries no encrypted_content) */
export function reasoningDetails(item: Loose): ReasoningDetail[] {
  const data = item.encrypted_content;
  if (typeof data !== 'string' || data === '') return [];
  const d: ReasoningDetail = { type: 'reasoning.encrypted', data, format: OPENAI_RESPONSES_REASONING_FORMAT };
  if (typeof item.id === 'string') d.id = item.id;
  return [d];
}

export function summaryTexts(item: Loose): string[] {
  return (Array.isArray(item.summary) ? item.summary : [])
    .filter((s): s is Loose => isRecord(s) && typeof s.text === 'string' && s.text !== '')
    .map((s) => s.text as string);
}

/** a function_call / custom_tool_call item → the canonical call; null for any other item */
export function toolCallOf(item: Loose, ctx: BuildContext): ToolCallOut | null {
  const native = ctx.native;
  if ((item.type !== 'function_call' && item.type !== 'custom_tool_call') || native === undefined) return null;
  const ns = typeof item.namespace === 'string' ? item.namespace : undefined;
  const name = native.toolName(typeof item.name === 'string' ? item.name : '', ns);
  const args =
    item.type === 'custom_tool_call'
      ? native.customArguments(typeof item.input === 'string' ? item.input : '')
      : typeof item.arguments === 'string'
        ? item.arguments
        : '';
  const id = typeof item.call_id === 'string' ? item.call_id : typeof item.id === 'string' ? item.id : '';
  return { id, type: 'function', function: { name, arguments: args } };
}

/** the body's error, when it reports a failure (`status: failed` or a non-null `error`) */
export function failureOf(r: Loose, provider: string) {
  if (r.status !== 'failed' && (r.error === undefined || r.error === null)) return null;
  const error = isRecord(r.error) ? r.error : { message: 'the response failed', type: 'server_error', code: null };
  return errorFromPayload({ error }, provider);
}

export function parseResponsesResponse(body: unknown, ctx: BuildContext): ChatResult {
  const provider = ctx.target.provider.name;
  if (!isRecord(body)) throw new UpstreamResponseError(invalidResponse('body is not a JSON object', provider));
  const failed = failureOf(body, provider);
  if (failed) throw new UpstreamResponseError(failed);
  if (!Array.isArray(body.output))
    throw new UpstreamResponseError(invalidResponse('no output in the response', provider));
  const exclude = ctx.reasoning?.exclude === true;
  let content: string | null = null;
  let refusal: string | null = null;
  const reasoning: string[] = [];
  const details: ReasoningDetail[] = [];
  const tool_calls: ToolCallOut[] = [];
  const logprobs: unknown[] = [];
  for (const item of body.output) {
    if (!isRecord(item)) continue;
    if (item.type === 'reasoning') {
      reasoning.push(...summaryTexts(item));
      details.push(...reasoningDetails(item));
    } else if (item.type === 'message' && Array.isArray(item.content)) {
      for (const part of item.content) {
        if (!isRecord(part)) continue;
        if (part.type === 'output_text' && typeof part.text === 'string') {
          content = (content ?? '') + part.text;
          if (Array.isArray(part.logprobs)) logprobs.push(...(part.logprobs as unknown[]));
        } else if (part.type === 'refusal' && typeof part.refusal === 'string')
          refusal = (refusal ?? '') + part.refusal;
      }
    } else {
      const call = toolCallOf(item, ctx);
      if (call) tool_calls.push(call);
    }
  }
  const { finish, native } = finishOf(body, tool_calls.length > 0);
  return {
    content,
    reasoning: exclude || reasoning.length === 0 ? null : reasoning.join('\n\n'),
    reasoning_details: details,
    tool_calls,
    finish_reason: finish,
    native_finish_reason: native,
    usage: responsesUsage(body.usage),
    upstream_id: typeof body.id === 'string' ? body.id : null,
    refusal: refusal !== null && refusal !== '' ? refusal : null,
    logprobs: logprobs.length > 0 ? { content: logprobs, refusal: null } : null,
  };
}
