// Gemini `:streamGenerateContent?alt=sse` → OpenAI-shaped stream events (wire-formats.md §3.3, §4.7).
// Every SSE event is a whole GenerateContentResponse holding only the *new* parts; there are no event names
// and no [DONE]: the stream ends when the connection closes, so the finish (and the usage) go out in end().
// - text / thought parts → content / reasoning deltas at once;
// - a functionCall part arrives complete → one tool_calls delta with a new index, the id, name and the
//   full JSON arguments (fragments never occur on this API, so there is nothing to assemble);
// - usageMetadata is cumulative and repeated → the last one wins;
// - finishReason comes on the last chunk (old models sent STOP on every chunk, so it never ends the stream);
// - the final event is a candidate with finishReason, or a promptFeedback.blockReason without candidates (a
//   blocked prompt gets nothing else); a stream that closes after chunks but before either was cut: an
//   `upstream_stream_truncated` error, no finish and no usage (usageMetadata before the last chunk may lack
//   the output count; what was delivered is counted locally);
// - `{"error":{...}}` inside the stream → an error event; no finish follows it.
import type { BuildContext, FinishReason, SseEvent, StreamEvent, StreamTranslator, UpstreamError } from '../types.js';
import { truncatedStream } from '../truncated.js';
import { mapStreamError } from './errors.js';
import { createPartTranslator, mapFinishReason, normalizeUsage, readResponse } from './response.js';

export function createStreamTranslator(ctx: BuildContext): StreamTranslator {
  const parts = createPartTranslator(ctx);
  const provider = ctx.target.provider.name;
  let usage: unknown = undefined;
  let finishReason: string | null = null;
  let blockReason: string | null = null;
  let sawChunk = false;
  let failed = false;
  let done = false;

  return {
    push(ev: SseEvent): StreamEvent[] {
      if (done || failed) return [];
      const data = ev.data.trim();
      if (data === '' || data === '[DONE]') return [];
      let body: unknown;
      try {
        body = JSON.parse(data);
      } catch {
        // not a JSON event (a proxy's keep-alive, a comment): nothing to translate
        return [];
      }
      if (Array.isArray(body)) body = body[0];
      if (typeof body !== 'object' || body === null) return [];
      if ('error' in body) {
        failed = true;
        return [{ type: 'error', error: mapStreamError(body as Record<string, unknown>) }];
      }

      sawChunk = true;
      const r = readResponse(body);
      if (r.usage !== undefined) usage = r.usage;
      if (r.finishReason) finishReason = r.finishReason;
      if (r.blockReason && !r.hasCandidate) blockReason = r.blockReason;

      const out: StreamEvent[] = [];
      for (const p of r.parts) {
        const delta = parts.part(p, r.responseId);
        if (delta) out.push({ type: 'delta', delta });
      }
      return out;
    },

    end(): StreamEvent[] {
      if (done || failed) return [];
      done = true;
      if (!sawChunk) return [{ type: 'error', error: emptyStreamError() }];
      if (finishReason === null && blockReason === null) return truncatedStream(provider);
      let finish: FinishReason;
      let native: string | null;
      if (blockReason && parts.toolCallCount === 0 && finishReason === null) {
        finish = 'content_filter';
        native = blockReason;
      } else {
        finish = mapFinishReason(finishReason, parts.toolCallCount > 0);
        native = finishReason;
      }
      const out: StreamEvent[] = [{ type: 'finish', finish_reason: finish, native_finish_reason: native }];
      const u = normalizeUsage(usage);
      if (u) out.push({ type: 'usage', usage: u });
      return out;
    },
  };
}

/** The connection closed before a single response object: nothing was generated, another endpoint may work. */
function emptyStreamError(): UpstreamError {
  return {
    status: 502,
    retryable: true,
    type: 'upstream_error',
    code: null,
    message: 'Gemini: the stream ended before any data',
    upstream_status: 200,
  };
}
