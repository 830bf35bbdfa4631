// Writes chat answers in OpenAI's shapes. Streams: SSE with chunks built from a pre-serialised prefix
// (id/object/created/model/provider never change within a stream), so each chunk costs one small
// JSON.stringify of its delta.
import type { ServerResponse } from 'node:http';
import { withCommonHeaders } from './respond.js';
import type { ChunkDelta, FinishReason, Logprobs, UpstreamError } from '../providers/types.js';

export class SseWriter {
  opened = false;
  private prefix = '';
  private sentRole = false;
  constructor(private res: ServerResponse) {}

  get response(): ServerResponse {
    return this.res;
  }

  open(headers: Record<string, string>): void {
    if (this.opened) return;
    this.opened = true;
    this.res.writeHead(
      200,
      withCommonHeaders(this.res, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
        ...headers,
      }),
    );
    // no flushHeaders(): the first frame's write carries the headers (one syscall instead of two)
  }

  /** Frames written between batch() and its callback's end leave in one write (res.cork/uncork). */
  batch(fn: () => void): void {
    this.res.cork();
    try {
      fn();
    } finally {
      // done() may have flushed and ended the response already
      if (this.res.writableCorked > 0) this.res.uncork();
    }
  }

  /** an SSE comment: clients ignore it; it keeps proxies and clients from timing out while we wait */
  comment(text: string): void {
    this.res.write(`: ${text}\n\n`);
  }

  setIdentity(id: string, created: number, model: string, provider: string): void {
    this.prefix = `{"id":${JSON.stringify(id)},"object":"chat.completion.chunk","created":${created},"model":${JSON.stringify(model)},"provider":${JSON.stringify(provider)}`;
  }

  /**
   * A reasoning piece also goes out as a `reasoning_details` text piece in the same chunk, as OpenRouter streams
   * it: OpenAI-style clients read `reasoning`, OpenRouter's (TanStack's adapter, the AI SDK provider) read only the
   * details, and showed no reasoning for OpenAI and Gemini models. Costs a second copy of the piece's text on
   * reasoning chunks only; the Anthropic translator sends its pieces with their format already.
   */
  delta(delta: ChunkDelta, logprobs?: Logprobs): void {
    if (delta.reasoning && !delta.reasoning_details?.some((x) => x.type === 'reasoning.text')) {
      delta = {
        ...delta,
        reasoning_details: [{ type: 'reasoning.text', text: delta.reasoning }, ...(delta.reasoning_details ?? [])],
      };
    }
    const d = this.sentRole ? delta : { role: 'assistant', ...delta };
    this.sentRole = true;
    const lp = logprobs === undefined ? 'null' : JSON.stringify(logprobs);
    this.res.write(
      `data: ${this.prefix},"choices":[{"index":0,"delta":${JSON.stringify(d)},"finish_reason":null,"native_finish_reason":null,"logprobs":${lp}}]}\n\n`,
    );
  }

  finish(reason: FinishReason, native: string | null): void {
    const d = this.sentRole ? '{}' : '{"role":"assistant","content":""}';
    this.sentRole = true;
    this.res.write(
      `data: ${this.prefix},"choices":[{"index":0,"delta":${d},"finish_reason":"${reason}","native_finish_reason":${JSON.stringify(native)},"logprobs":null}]}\n\n`,
    );
  }

  /**
   * The in-band error chunk, shaped as HTTP error bodies are (errors.ts): OpenRouter's SDK validates `code` as an
   * integer and `metadata.error_type` as present (a chunk without them crashed its stream with a ZodError).
   */
  error(err: UpstreamError): void {
    const metadata = { error_type: streamErrorType(err.status), code: err.code, upstream_status: err.upstream_status };
    const e = { code: err.status, message: err.message, type: err.type, metadata };
    this.res.write(
      `data: ${this.prefix},"error":${JSON.stringify(e)},"choices":[{"index":0,"delta":{"content":""},"finish_reason":"error","native_finish_reason":null,"logprobs":null}]}\n\n`,
    );
  }

  /** the final usage chunk; `usage` is JSON text (usageText) */
  usage(usage: string): void {
    this.res.write(`data: ${this.prefix},"choices":[],"usage":${usage}}\n\n`);
  }

  done(): void {
    this.end('data: [DONE]\n\n');
  }

  /** the stream's last bytes (if any), then its end */
  end(last?: string): void {
    // Node 24 drops the frames a corked response still holds when end() comes before uncork() (the usage chunk
    // and [DONE] never reached the client): flush them first
    while (this.res.writableCorked > 0) this.res.uncork();
    if (last === undefined) this.res.end();
    else this.res.end(last);
  }
}

/** OpenRouter's canonical error type (its ApiErrorType) for an HTTP status */
export function streamErrorType(status: number): string {
  switch (status) {
    case 400:
      return 'invalid_request';
    case 401:
      return 'authentication';
    case 402:
      return 'payment_required';
    case 403:
      return 'permission_denied';
    case 404:
      return 'not_found';
    case 408:
    case 504:
      return 'timeout';
    case 413:
      return 'payload_too_large';
    case 422:
      return 'unprocessable';
    case 429:
      return 'rate_limit_exceeded';
    case 502:
    case 503:
      return 'provider_unavailable';
    case 529:
      return 'provider_overloaded';
    default:
      return 'server';
  }
}

/**
 * A whole chat.completion answer as JSON text: the fixed frame from a template (as the stream chunks are), the
 * parts that may hold arbitrary text (ids, names, the message, logprobs) through JSON.stringify. Same bytes as
 * JSON.stringify of the object with these keys in this order.
 */
export function completionText(
  id: string,
  created: number,
  model: string,
  provider: string,
  message: Record<string, unknown>,
  r: {
    logprobs?: Logprobs | null;
    finish_reason: FinishReason;
    native_finish_reason: string | null;
    system_fingerprint?: string;
  },
  usage: string,
): string {
  // the spec types system_fingerprint as an optional string (the openai SDK: `system_fingerprint?: string`):
  // the upstream's when it sent one, else absent rather than null
  const fp =
    typeof r.system_fingerprint === 'string' ? `"system_fingerprint":${JSON.stringify(r.system_fingerprint)},` : '';
  return (
    `{"id":${JSON.stringify(id)},"object":"chat.completion","created":${created},"model":${JSON.stringify(model)},` +
    `"provider":${JSON.stringify(provider)},${fp}"choices":[{"index":0,"message":${JSON.stringify(message)},` +
    `"logprobs":${JSON.stringify(r.logprobs ?? null)},"finish_reason":${JSON.stringify(r.finish_reason)},` +
    `"native_finish_reason":${JSON.stringify(r.native_finish_reason)}}],"usage":${usage}}`
  );
}
