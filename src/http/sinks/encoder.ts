// The answer of an inbound API other than Chat Completions (Messages, Responses): its adapter turns the canonical
// answer into its wire format; this sink writes the text, unbuffered, with the same backpressure as chat.
import type { ServerResponse } from 'node:http';
import type { ChatResult, ChunkDelta, FinishReason, Logprobs, UpstreamError } from '../../protocol/chat-result.js';
import type { AnswerInfo, AnswerUsage, InboundAdapter, StreamEncoder } from '../../protocol/inbound.js';
import { toNumberUsd } from '../../accounting/money.js';
import type { FinalUsage } from '../../accounting/usage.js';
import type { AnswerSink } from '../../pipeline/sink.js';
import { sendJson } from '../respond.js';
import { SseSink } from './sse-sink.js';

export function answerUsage(f: FinalUsage): AnswerUsage {
  const c = f.counts;
  return {
    prompt_tokens: c.prompt_tokens,
    completion_tokens: c.completion_tokens,
    reasoning_tokens: c.reasoning_tokens,
    cached_read_tokens: c.cached_read_tokens,
    cache_write_tokens: c.cache_write_tokens,
    cost: toNumberUsd(f.cost),
    estimated: f.estimated,
  };
}

const NO_USAGE: AnswerUsage = {
  prompt_tokens: 0,
  completion_tokens: 0,
  reasoning_tokens: 0,
  cached_read_tokens: 0,
  cache_write_tokens: 0,
  cost: 0,
  estimated: false,
};

export class EncoderSink<W> extends SseSink implements AnswerSink {
  private encoder: StreamEncoder | null = null;
  private finishReason: FinishReason = 'stop';

  constructor(
    res: ServerResponse,
    stream: boolean,
    private readonly adapter: InboundAdapter<W>,
    private readonly wire: W,
  ) {
    super(res, stream);
  }

  complete(r: ChatResult, info: AnswerInfo, usage: FinalUsage, headers: Record<string, string>): void {
    sendJson(this.res, 200, this.adapter.complete(r, info, answerUsage(usage), this.wire), headers);
  }

  private write(text: string): void {
    if (text) this.res.write(text);
  }

  open(info: AnswerInfo, headers: Record<string, string>): void {
    this.sse.open(headers);
    if (this.encoder) return;
    this.encoder = this.adapter.stream(this.wire);
    this.write(this.encoder.open(info));
  }

  delta(delta: ChunkDelta, logprobs?: Logprobs): void {
    this.write(this.encoder!.events([{ type: 'delta', delta, logprobs }]));
  }

  finish(reason: FinishReason, native: string | null): void {
    this.finishReason = reason;
    this.write(this.encoder!.events([{ type: 'finish', finish_reason: reason, native_finish_reason: native }]));
  }

  end(usage: FinalUsage | null, err: UpstreamError | null): void {
    const u = usage ? answerUsage(usage) : NO_USAGE;
    this.sse.end(err ? this.encoder!.error(err, u) : this.encoder!.close(u, this.finishReason));
  }
}
