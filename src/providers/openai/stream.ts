// chat.completion.chunk SSE events → StreamEvents. Chunks are already OpenAI-shaped, so this mostly passes
// deltas through, normalising the compatible servers' differences:
// - reasoning in `delta.reasoning` or `delta.reasoning_content`, or Mistral's thinking content parts;
// - tool calls without an id (Ollama) or without an index get one; object arguments are stringified;
// - usage on any chunk (xAI: second-to-last, Groq: `x_groq.usage`): the last non-null wins, emitted once at
//   [DONE]/end() — after the finish event, which is OpenAI's own order (finish chunk, then usage chunk);
// - finish exactly once. The final event is `[DONE]` or a choice's finish_reason (some compatible servers
//   omit [DONE], Ollama and older vLLM among them); a stream that ends after `[DONE]` without a finish_reason
//   finishes "stop" (or "tool_calls"); one that ends with neither was cut (a clean FIN mid-answer): an
//   `upstream_stream_truncated` error, its usage withheld (what was delivered is counted locally). Not a
//   single chunk: nothing (an empty stream is the upstream's failure, and the router reports it as such);
// - `{"error":{...}}` chunks and unparsable data end the translation with an error event.
import type {
  BuildContext,
  ChunkDelta,
  NormalizedUsage,
  SseEvent,
  StreamEvent,
  StreamTranslator,
  ToolCallDelta,
} from '../types.js';
import { truncatedStream } from '../truncated.js';
import { errorFromPayload, invalidResponse } from './errors.js';
import { audioDeltaOf, imagesOf } from './outputs.js';
import {
  argumentsString,
  generateToolCallId,
  isRecord,
  mapFinishReason,
  reasoningDetailsOf,
  splitContentParts,
  usageOf,
  type Loose,
} from './normalize.js';

class OpenAIStreamTranslator implements StreamTranslator {
  private readonly provider: string;
  private readonly exclude: boolean;
  private usage: NormalizedUsage | null = null;
  private usageSent = false;
  private finished = false;
  private sawDone = false;
  /** whether any chunk arrived: a stream with none gets no synthetic finish, so the router sees it as empty */
  private sawChunk = false;
  /** after an error event nothing more is emitted */
  private dead = false;
  /** tool-call indexes seen so far: the first fragment of each gets an id if the upstream sent none */
  private readonly seenTools = new Set<number>();
  private lastToolIndex = -1;

  constructor(ctx: BuildContext) {
    this.provider = ctx.target.provider.name;
    this.exclude = ctx.reasoning?.exclude === true;
  }

  push(ev: SseEvent): StreamEvent[] {
    if (this.dead) return [];
    // OpenAI-style streams have no `event:` lines; some servers add keep-alive or metadata events.
    if (ev.event !== undefined && ev.event !== 'message' && ev.event !== 'error') return [];
    const data = ev.data;
    if (data.length === 0) return [];
    if (data.charCodeAt(0) === 0x5b /* [ */ && data.trim() === '[DONE]') {
      this.sawDone = true;
      return this.flushUsage();
    }
    let chunk: unknown;
    try {
      chunk = JSON.parse(data);
    } catch {
      return this.fail(invalidResponse(`malformed JSON in stream chunk: ${data.slice(0, 200)}`, this.provider));
    }
    if (!isRecord(chunk)) return [];
    this.sawChunk = true;
    if ((chunk.error !== undefined && chunk.error !== null) || ev.event === 'error') {
      return this.fail(errorFromPayload(chunk, this.provider));
    }
    const u = usageOf(chunk);
    if (u) this.usage = u;

    const choice = Array.isArray(chunk.choices) ? chunk.choices[0] : undefined;
    if (!isRecord(choice)) return [];
    const out: StreamEvent[] = [];
    const logprobs = isRecord(choice.logprobs) ? choice.logprobs : undefined;
    if (isRecord(choice.delta)) {
      const delta = this.translateDelta(choice.delta);
      if (delta) out.push(logprobs ? { type: 'delta', delta, logprobs } : { type: 'delta', delta });
      else if (logprobs) out.push({ type: 'delta', delta: {}, logprobs });
    }
    const native = choice.finish_reason;
    if (typeof native === 'string' && native.length > 0 && !this.finished) {
      this.finished = true;
      out.push({
        type: 'finish',
        finish_reason: mapFinishReason(native, this.seenTools.size > 0),
        native_finish_reason: native,
      });
    }
    return out;
  }

  end(): StreamEvent[] {
    if (this.dead) return [];
    if (!this.finished && !this.sawDone && this.sawChunk) {
      this.dead = true;
      return truncatedStream(this.provider);
    }
    const out = this.flushUsage();
    if (!this.finished && this.sawChunk) {
      this.finished = true;
      out.push({
        type: 'finish',
        finish_reason: this.seenTools.size > 0 ? 'tool_calls' : 'stop',
        native_finish_reason: null,
      });
    }
    return out;
  }

  private flushUsage(): StreamEvent[] {
    if (this.usageSent || this.usage === null) return [];
    this.usageSent = true;
    return [{ type: 'usage', usage: this.usage }];
  }

  private fail(error: ReturnType<typeof invalidResponse>): StreamEvent[] {
    this.dead = true;
    return [{ type: 'error', error }];
  }

  private translateDelta(d: Loose): ChunkDelta | null {
    let delta: ChunkDelta | null = null;
    const c = d.content;
    if (typeof c === 'string') {
      if (c.length > 0) delta = { content: c };
    } else if (Array.isArray(c)) {
      const parts = splitContentParts(c);
      if (parts.text.length > 0) delta = { content: parts.text };
      if (parts.reasoning.length > 0 && !this.exclude) (delta ??= {}).reasoning = parts.reasoning;
    }
    if (!this.exclude) {
      const r = typeof d.reasoning === 'string' && d.reasoning.length > 0 ? d.reasoning : d.reasoning_content;
      if (typeof r === 'string' && r.length > 0) (delta ??= {}).reasoning = r;
    }
    if (Array.isArray(d.reasoning_details)) {
      const details = reasoningDetailsOf(d.reasoning_details, this.exclude);
      if (details.length > 0) (delta ??= {}).reasoning_details = details;
    }
    // as OpenAI streams it (delta.refusal), so clients see the same field the non-streamed message.refusal has
    if (typeof d.refusal === 'string' && d.refusal.length > 0) (delta ??= {}).refusal = d.refusal;
    if (Array.isArray(d.images)) {
      const images = imagesOf(d.images);
      if (images.length > 0) (delta ??= {}).images = images;
    }
    if (isRecord(d.audio)) {
      const audio = audioDeltaOf(d.audio);
      if (audio !== null) (delta ??= {}).audio = audio;
    }
    if (Array.isArray(d.tool_calls) && d.tool_calls.length > 0) {
      const calls: ToolCallDelta[] = [];
      for (const tc of d.tool_calls) if (isRecord(tc)) calls.push(this.toolCallDelta(tc));
      if (calls.length > 0) (delta ??= {}).tool_calls = calls;
    } else if (isRecord(d.function_call)) {
      // legacy functions streaming: one call, index 0
      (delta ??= {}).tool_calls = [this.toolCallDelta({ index: 0, function: d.function_call })];
    }
    return delta;
  }

  private toolCallDelta(tc: Loose): ToolCallDelta {
    const fn = isRecord(tc.function) ? tc.function : {};
    const hasId = typeof tc.id === 'string' && tc.id.length > 0;
    let index: number;
    if (typeof tc.index === 'number') index = tc.index;
    // no index: a fragment naming a call starts a new one, anything else continues the last one
    else if (hasId || typeof fn.name === 'string') index = this.lastToolIndex + 1;
    else index = Math.max(this.lastToolIndex, 0);
    if (index > this.lastToolIndex) this.lastToolIndex = index;

    const out: ToolCallDelta = { index, function: {} };
    if (!this.seenTools.has(index)) {
      this.seenTools.add(index);
      out.id = hasId ? (tc.id as string) : generateToolCallId();
      out.type = 'function';
    } else {
      if (hasId) out.id = tc.id as string;
      if (tc.type !== undefined) out.type = 'function';
    }
    if (typeof fn.name === 'string') out.function.name = fn.name;
    const args = argumentsString(fn.arguments);
    if (args !== undefined) out.function.arguments = args;
    return out;
  }
}

export function createStreamTranslator(ctx: BuildContext): StreamTranslator {
  return new OpenAIStreamTranslator(ctx);
}
