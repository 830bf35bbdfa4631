// The Chat Completions answer: JSON from a template (completionText), streams through SseWriter's pre-serialised
// chunk prefix, so the hot path costs what it did before the pipeline existed.
import type { ChatResult, ChunkDelta, FinishReason, Logprobs, UpstreamError } from '../../protocol/chat-result.js';
import type { AnswerInfo } from '../../protocol/inbound.js';
import { toNumberUsd } from '../../accounting/money.js';
import { usageText, type FinalUsage } from '../../accounting/usage.js';
import type { AnswerSink } from '../../pipeline/sink.js';
import { completionText } from '../chat-output.js';
import { SseSink } from './sse-sink.js';
import { sendJson } from '../respond.js';

export class ChatSink extends SseSink implements AnswerSink {
  complete(r: ChatResult, info: AnswerInfo, usage: FinalUsage, headers: Record<string, string>): void {
    const message: Record<string, unknown> = { role: 'assistant', content: r.content, refusal: r.refusal };
    if (r.reasoning !== null) message.reasoning = r.reasoning;
    if (r.reasoning_details.length) message.reasoning_details = r.reasoning_details;
    if (r.tool_calls.length) message.tool_calls = r.tool_calls;
    if (r.images?.length) message.images = r.images;
    if (r.audio) message.audio = r.audio;
    const body = completionText(
      info.id,
      info.created,
      info.model,
      info.provider,
      message,
      r,
      usageText(usage, toNumberUsd(usage.cost)),
    );
    sendJson(this.res, 200, body, headers);
  }

  open(info: AnswerInfo, headers: Record<string, string>): void {
    this.sse.open(headers);
    this.sse.setIdentity(info.id, info.created, info.model, info.provider);
  }

  delta(delta: ChunkDelta, logprobs?: Logprobs): void {
    this.sse.delta(delta, logprobs);
  }

  finish(reason: FinishReason, native: string | null): void {
    this.sse.finish(reason, native);
  }

  end(usage: FinalUsage | null, err: UpstreamError | null): void {
    if (err) this.sse.error(err);
    if (usage) this.sse.usage(usageText(usage, toNumberUsd(usage.cost)));
    this.sse.done();
  }
}
