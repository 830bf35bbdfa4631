// Where the pipeline delivers an answer: the inbound API's writer (src/http/sinks/). The pipeline decides what
// is said and when (tally, fallbacks, in-band errors, the ledger row before the last bytes); a sink only says it
// in its API's wire format, so every inbound API shares one lifecycle.
import type { ChatResult, ChunkDelta, FinishReason, Logprobs, UpstreamError } from '../protocol/chat-result.js';
import type { AnswerInfo } from '../protocol/inbound.js';
import type { FinalUsage } from '../accounting/usage.js';

export interface AnswerSink {
  /** the client asked for a stream */
  readonly stream: boolean;
  /** the status line and headers are written (a stream opened, possibly by a keep-alive comment) */
  readonly opened: boolean;

  /** a whole answer, not streamed */
  complete(result: ChatResult, info: AnswerInfo, usage: FinalUsage, headers: Record<string, string>): void;

  /** opens the stream with a comment while the first token is awaited (idle timeouts of clients and proxies) */
  keepAlive(headers: Record<string, string>): void;
  /** the committed attempt's identity, before its first event */
  open(info: AnswerInfo, headers: Record<string, string>): void;
  delta(delta: ChunkDelta, logprobs?: Logprobs): void;
  /** the first finish only */
  finish(reason: FinishReason, native: string | null): void;
  /** the stream's end: its error in-band when it failed (the status line was 200), then its usage when known */
  end(usage: FinalUsage | null, err: UpstreamError | null): void;
  /** frames written inside `fn` leave in one write */
  batch(fn: () => void): void;
  /** the client's socket is full: wait for drain before pushing more */
  readonly needsDrain: boolean;
  /** calls `resume` on each drain until the returned function is called */
  onDrain(resume: () => void): () => void;
}
