// OpenAI's typed Responses stream (`event: response.*` + data with the same `type`, spec: ResponseStreamEvent) →
// canonical StreamEvents:
// - response.output_text.delta → content (its logprobs as chat's `content` entries), response.refusal.delta → refusal,
//   response.reasoning_summary_text.delta → reasoning (summary parts joined by a blank line, as the JSON parser
//   joins them); a reasoning item's encrypted_content, known at its output_item.done → reasoning_details;
// - a function_call item opens a tool call at output_item.added (its call_id and canonical name), its
//   function_call_arguments.delta events are the arguments; a custom_tool_call's input is sent whole at its
//   output_item.done, as `{"input": …}` (the Responses encoder only reads it there);
// - response.completed / response.incomplete: the finish, then the usage (chat's order);
// - response.failed and `error` events: the canonical upstream error (before the first content the router falls
//   back, after it the client gets it in-band). A stream that ends before its final event was cut
//   (`upstream_stream_truncated`); one with no event at all is the router's empty-stream failure.
import type { BuildContext, ChunkDelta, SseEvent, StreamEvent, StreamTranslator, UpstreamError } from '../types.js';
import { truncatedStream } from '../truncated.js';
import { errorFromPayload, invalidResponse } from '../openai/errors.js';
import { isRecord, type Loose } from '../openai/normalize.js';
import { failureOf, finishOf, reasoningDetails, responsesUsage, toolCallOf } from './response.js';

class ResponsesStreamTranslator implements StreamTranslator {
  private readonly provider: string;
  private readonly exclude: boolean;
  /** output_index → canonical tool-call index, and whether arguments arrived as deltas */
  private readonly calls = new Map<number, { index: number; streamed: boolean }>();
  private reasoningShown = false;
  private sawEvent = false;
  private done = false;

  constructor(private readonly ctx: BuildContext) {
    this.provider = ctx.target.provider.name;
    this.exclude = ctx.reasoning?.exclude === true;
  }

  push(ev: SseEvent): StreamEvent[] {
    if (this.done || ev.data.length === 0) return [];
    let data: unknown;
    try {
      data = JSON.parse(ev.data);
    } catch {
      return this.fail(invalidResponse(`malformed JSON in stream event: ${ev.data.slice(0, 200)}`, this.provider));
    }
    if (!isRecord(data)) return [];
    this.sawEvent = true;
    switch (data.type ?? ev.event) {
      case 'response.output_text.delta':
        return typeof data.delta === 'string' && data.delta !== ''
          ? [this.deltaEvent({ content: data.delta }, data.logprobs)]
          : [];
      case 'response.refusal.delta':
        return typeof data.delta === 'string' && data.delta !== '' ? [this.deltaEvent({ refusal: data.delta })] : [];
      case 'response.reasoning_summary_part.added':
        // a second summary part (of this item or a later one) starts after a blank line
        return this.reasoningShown && !this.exclude ? [this.deltaEvent({ reasoning: '\n\n' })] : [];
      case 'response.reasoning_summary_text.delta':
        if (this.exclude || typeof data.delta !== 'string' || data.delta === '') return [];
        this.reasoningShown = true;
        return [this.deltaEvent({ reasoning: data.delta })];
      case 'response.output_item.added':
        return this.itemAdded(data);
      case 'response.function_call_arguments.delta':
        return this.argumentsDelta(data);
      case 'response.output_item.done':
        return this.itemDone(data);
      case 'response.completed':
      case 'response.incomplete':
        return this.finish(data.response);
      case 'response.failed':
        return this.fail(
          (isRecord(data.response) ? failureOf(data.response, this.provider) : null) ??
            errorFromPayload({ error: { message: 'the response failed', type: 'server_error' } }, this.provider),
        );
      case 'error':
        // the spec's ResponseErrorEvent carries code/message itself; some servers nest them in `error`
        return this.fail(errorFromPayload(isRecord(data.error) ? data : { error: data }, this.provider));
      default:
        return [];
    }
  }

  end(): StreamEvent[] {
    if (this.done || !this.sawEvent) return [];
    this.done = true;
    return truncatedStream(this.provider);
  }

  private deltaEvent(delta: ChunkDelta, logprobs?: unknown): StreamEvent {
    return Array.isArray(logprobs) && logprobs.length > 0
      ? { type: 'delta', delta, logprobs: { content: logprobs, refusal: null } }
      : { type: 'delta', delta };
  }

  private itemAdded(data: Loose): StreamEvent[] {
    const item = data.item;
    if (!isRecord(item) || typeof data.output_index !== 'number') return [];
    const call = toolCallOf(item, this.ctx);
    if (call === null) return [];
    const index = this.calls.size;
    this.calls.set(data.output_index, { index, streamed: false });
    return [
      this.deltaEvent({
        tool_calls: [{ index, id: call.id, type: 'function', function: { name: call.function.name, arguments: '' } }],
      }),
    ];
  }

  private argumentsDelta(data: Loose): StreamEvent[] {
    const call = typeof data.output_index === 'number' ? this.calls.get(data.output_index) : undefined;
    if (call === undefined || typeof data.delta !== 'string' || data.delta === '') return [];
    call.streamed = true;
    return [this.deltaEvent({ tool_calls: [{ index: call.index, function: { arguments: data.delta } }] })];
  }

  private itemDone(data: Loose): StreamEvent[] {
    const item = data.item;
    if (!isRecord(item)) return [];
    if (item.type === 'reasoning') {
      const details = reasoningDetails(item);
      return details.length > 0 ? [this.deltaEvent({ reasoning_details: details })] : [];
    }
    const call = typeof data.output_index === 'number' ? this.calls.get(data.output_index) : undefined;
    if (call === undefined || call.streamed) return [];
    // a custom tool's input, or a function's arguments that came whole
    const args = toolCallOf(item, this.ctx)?.function.arguments ?? '';
    return args === '' ? [] : [this.deltaEvent({ tool_calls: [{ index: call.index, function: { arguments: args } }] })];
  }

  private finish(response: unknown): StreamEvent[] {
    this.done = true;
    const r = isRecord(response) ? response : {};
    const { finish, native } = finishOf(r, this.calls.size > 0);
    const out: StreamEvent[] = [{ type: 'finish', finish_reason: finish, native_finish_reason: native }];
    const usage = responsesUsage(r.usage);
    if (usage) out.push({ type: 'usage', usage });
    return out;
  }

  private fail(error: UpstreamError): StreamEvent[] {
    this.done = true;
    return [{ type: 'error', error }];
  }
}

export function createResponsesStreamTranslator(ctx: BuildContext): StreamTranslator {
  return new ResponsesStreamTranslator(ctx);
}
