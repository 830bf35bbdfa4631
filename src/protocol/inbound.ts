// What an inbound API (Chat Completions, Anthropic Messages, OpenAI Responses) implements to run on the one
// request pipeline: its wire request becomes the canonical ChatRequest, and the canonical answer (ChatResult,
// or StreamEvents as they arrive) becomes its wire answer. Adapters are pure: no I/O, no clock, no catalog.
import type { ChatRequest } from './chat-request.js';
import type { ChatResult, FinishReason, StreamEvent, UpstreamError } from './chat-result.js';

/** Who answered, as the client is told. */
export interface AnswerInfo {
  /** ARouter's generation id (gen-…) */
  id: string;
  /** unix seconds */
  created: number;
  /** catalog id of the model really used (e.g. anthropic/claude-sonnet-4.6) */
  model: string;
  /** provider id of the endpoint that answered */
  provider: string;
}

/** Final tokens and cost of an answer, in OpenAI semantics (prompt includes cached; completion includes reasoning). */
export interface AnswerUsage {
  prompt_tokens: number;
  completion_tokens: number;
  reasoning_tokens: number;
  cached_read_tokens: number;
  cache_write_tokens: number;
  /** USD, exact to the picodollar as a JS number */
  cost: number;
  /** tokens counted locally because the upstream reported none */
  estimated: boolean;
}

/** An error the client is answered with, before or instead of an answer. */
export interface ClientError {
  status: number;
  message: string;
  type: string;
  code: string | null;
  param: string | null;
}

/**
 * One streamed answer in an inbound API's wire format. Each method returns the SSE text to write (possibly
 * empty); the pipeline writes it in order and never buffers the stream.
 */
export interface StreamEncoder {
  /** once, before the first events: the stream's opening (message_start, response.created, …) */
  open(info: AnswerInfo): string;
  /** a batch of canonical events as they arrive (deltas and finish; usage and error events are the pipeline's) */
  events(evs: StreamEvent[]): string;
  /** the end of an answer that completed: final usage and finish reason are known */
  close(usage: AnswerUsage, finish: FinishReason): string;
  /** the stream failed after it opened: the error goes in-band (the status line was already 200) */
  error(err: UpstreamError, usage: AnswerUsage): string;
}

export interface InboundAdapter<Wire> {
  /** the canonical request for the wire request (already schema-valid); throws HttpError 400 naming the field */
  toChat(wire: Wire): ChatRequest;
  /**
   * the non-streamed answer's body; `wire` is the request it answers (the Responses API's answer repeats the
   * request's settings: instructions, tools, temperature, …)
   */
  complete(result: ChatResult, info: AnswerInfo, usage: AnswerUsage, wire: Wire): unknown;
  /** a fresh encoder for one streamed answer */
  stream(wire: Wire): StreamEncoder;
  /** an error's body in the shape this API's SDKs parse */
  errorBody(err: ClientError): unknown;
  /**
   * The request's reasoning is a preference, not a requirement (Anthropic's `thinking: adaptive`, a Responses
   * `reasoning.effort` as Codex always sends it): a model that cannot reason answers without it instead of the
   * request failing. Absent = reasoning asked for is required, as in Chat Completions.
   */
  softReasoning?(wire: Wire): boolean;
  /**
   * `max_tokens` is a ceiling the client must send, not a demand (Anthropic's: Claude Code sends 32,000 to every
   * model): above the model's largest output it is lowered to it rather than refused.
   */
  readonly maxTokensIsCeiling?: boolean;
}
