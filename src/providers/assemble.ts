// A whole SSE answer, already buffered, folded into the ChatResult a JSON answer would have given: for
// requests a provider serves only as a stream (audio output on OpenRouter and DashScope) while the client
// asked for one JSON answer. The dialect's own stream translator reads the events, so the result is exactly
// what the streamed answer delivers; an error event, or a stream that ends without its final event, fails the
// attempt as a stream would.
import type { ChatResult, FinishReason, NormalizedUsage, StreamTranslator, UpstreamError } from './types.js';
import { SseDecoder } from './transport.js';

export function assembleStream(body: Buffer, translator: StreamTranslator, providerName: string): ChatResult {
  const decoder = new SseDecoder();
  const events = [...decoder.feed(body), ...decoder.end()];
  let content = '';
  let reasoning = '';
  let refusal = '';
  const r: ChatResult = {
    content: null,
    reasoning: null,
    reasoning_details: [],
    tool_calls: [],
    finish_reason: 'stop',
    native_finish_reason: null,
    usage: null,
    upstream_id: null,
    refusal: null,
  };
  let finish: FinishReason | null = null;
  let usage: NormalizedUsage | null = null;
  const out = [...events.flatMap((e) => translator.push(e)), ...translator.end()];
  for (const ev of out) {
    if (ev.type === 'error') throw ev.error;
    if (ev.type === 'usage') usage = ev.usage;
    else if (ev.type === 'finish') {
      finish = ev.finish_reason;
      r.native_finish_reason = ev.native_finish_reason;
    } else if (ev.type === 'delta') {
      const d = ev.delta;
      if (d.content) content += d.content;
      if (d.reasoning) reasoning += d.reasoning;
      if (d.refusal) refusal += d.refusal;
      if (d.reasoning_details) r.reasoning_details.push(...d.reasoning_details);
      if (d.images) (r.images ??= []).push(...d.images);
      if (d.audio) {
        const a = (r.audio ??= { id: '', data: '', transcript: '', expires_at: 0 });
        if (d.audio.id) a.id = d.audio.id;
        if (d.audio.data) a.data += d.audio.data;
        if (d.audio.transcript) a.transcript += d.audio.transcript;
        if (d.audio.expires_at !== undefined) a.expires_at = d.audio.expires_at;
      }
      for (const tc of d.tool_calls ?? []) {
        let call = r.tool_calls[tc.index];
        if (call === undefined) {
          call = { id: tc.id ?? '', type: 'function', function: { name: '', arguments: '' } };
          r.tool_calls[tc.index] = call;
        }
        if (tc.id) call.id = tc.id;
        if (tc.function.name) call.function.name += tc.function.name;
        if (tc.function.arguments) call.function.arguments += tc.function.arguments;
      }
    }
  }
  if (finish === null) throw emptyStream(providerName);
  r.tool_calls = r.tool_calls.filter((c) => c !== undefined);
  r.finish_reason = finish;
  r.usage = usage;
  r.content = content === '' && (r.tool_calls.length > 0 || r.audio) ? null : content;
  r.reasoning = reasoning === '' ? null : reasoning;
  r.refusal = refusal === '' ? null : refusal;
  return r;
}

function emptyStream(provider: string): UpstreamError {
  return {
    status: 502,
    retryable: true,
    type: 'upstream_error',
    code: 'upstream_invalid_response',
    message: `${provider}: the stream ended without an answer`,
    upstream_status: 200,
  };
}
