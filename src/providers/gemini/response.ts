// Gemini `GenerateContentResponse` (generative_service.proto) → OpenAI-shaped ChatResult, plus the
// per-part, finish-reason and usage translations the stream translator shares.
//
// Decisions:
// - Tool-call ids: the Developer API leaves `functionCall.id` empty, so we synthesize
//   `call_` + 24 hex chars of sha256(responseId, call ordinal, name, args). The same response always yields
//   the same ids (a retried parse, a replayed fixture), and ids differ across responses. A non-empty
//   `functionCall.id` from Gemini is used as-is.
// - A `thoughtSignature` on any part becomes a `reasoning_details` entry
//   `{type:"reasoning.encrypted", data, format:"google-gemini-v1", id}` where `id` is the tool-call id of
//   the functionCall part that carried it, or null for a text part; messages.ts puts it back on that part.
// - finish_reason: see FINISH_REASONS. MALFORMED_FUNCTION_CALL (and the other tool/image failures) map to
//   "stop": OpenAI's enum (stop, length, tool_calls, content_filter, function_call) has no "error", and the
//   `openai` SDK's types and strict clients reject other values; "tool_calls" would send clients looking for
//   calls that are not there. native_finish_reason keeps Gemini's reason for clients that want to retry.
//   Tool calls present → "tool_calls" (Gemini ends them with STOP).
// - A blocked prompt (HTTP 200, no candidates, promptFeedback.blockReason) → content_filter with null content;
//   native_finish_reason carries the block reason.
// - Usage (wire-formats.md §4.8): prompt = promptTokenCount (already includes cached content) +
//   toolUsePromptTokenCount; completion = candidatesTokenCount + thoughtsTokenCount (candidates exclude
//   thoughts); cached_read = cachedContentTokenCount; Gemini has no cache-write count.
import { createHash } from 'node:crypto';
import type {
  BuildContext,
  ChatResult,
  ChunkDelta,
  FinishReason,
  ImageOut,
  NormalizedUsage,
  ReasoningDetail,
} from '../types.js';
import { GEMINI_REASONING_FORMAT } from './messages.js';
import { imageOfPart, mediaTokens } from './outputs.js';

type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);

const FINISH_REASONS: Record<string, FinishReason> = {
  FINISH_REASON_UNSPECIFIED: 'stop',
  STOP: 'stop',
  OTHER: 'stop',
  MAX_TOKENS: 'length',
  SAFETY: 'content_filter',
  RECITATION: 'content_filter',
  LANGUAGE: 'content_filter',
  BLOCKLIST: 'content_filter',
  PROHIBITED_CONTENT: 'content_filter',
  SPII: 'content_filter',
  IMAGE_SAFETY: 'content_filter',
  IMAGE_PROHIBITED_CONTENT: 'content_filter',
  IMAGE_RECITATION: 'content_filter',
  MALFORMED_FUNCTION_CALL: 'stop',
  UNEXPECTED_TOOL_CALL: 'stop',
  TOO_MANY_TOOL_CALLS: 'stop',
  IMAGE_OTHER: 'stop',
  NO_IMAGE: 'stop',
};

export function mapFinishReason(native: string | null, hasToolCalls: boolean): FinishReason {
  if (hasToolCalls) return 'tool_calls';
  if (native === null) return 'stop';
  return FINISH_REASONS[native] ?? 'stop';
}

export function normalizeUsage(meta: unknown): NormalizedUsage | null {
  if (!isObj(meta)) return null;
  const thoughts = num(meta.thoughtsTokenCount);
  const out: NormalizedUsage = {
    prompt_tokens: num(meta.promptTokenCount) + num(meta.toolUsePromptTokenCount),
    completion_tokens: num(meta.candidatesTokenCount) + thoughts,
    cached_read_tokens: num(meta.cachedContentTokenCount),
    cache_write_tokens: 0,
    reasoning_tokens: thoughts,
  };
  // generated images (IMAGE) and audio (AUDIO) are part of candidatesTokenCount
  const media = mediaTokens(meta.candidatesTokensDetails);
  if (media.image > 0) out.output_image_tokens = media.image;
  if (media.audio > 0) out.output_audio_tokens = media.audio;
  // the prompt's audio (promptTokensDetails has the same {modality, tokenCount} shape), priced apart where listed
  const audioIn = mediaTokens(meta.promptTokensDetails).audio;
  if (audioIn > 0) out.input_audio_tokens = audioIn;
  return out;
}

export function toolCallId(
  nativeId: unknown,
  responseId: string | null,
  ordinal: number,
  name: string,
  args: string,
): string {
  if (typeof nativeId === 'string' && nativeId !== '') return nativeId;
  const hash = createHash('sha256')
    .update(`${responseId ?? ''}\u0000${ordinal}\u0000${name}\u0000${args}`)
    .digest('hex');
  return `call_${hash.slice(0, 24)}`;
}

/** The first candidate's parts, its finish reason, and the prompt block reason of one response object. */
export function readResponse(body: unknown): {
  hasCandidate: boolean;
  parts: Json[];
  finishReason: string | null;
  blockReason: string | null;
  responseId: string | null;
  usage: unknown;
} {
  const b = isObj(body) ? body : {};
  const cand = Array.isArray(b.candidates) && isObj(b.candidates[0]) ? b.candidates[0] : null;
  const content = cand && isObj(cand.content) ? cand.content : null;
  const parts = content && Array.isArray(content.parts) ? content.parts.filter(isObj) : [];
  const finish = cand && typeof cand.finishReason === 'string' && cand.finishReason !== '' ? cand.finishReason : null;
  const feedback = isObj(b.promptFeedback) ? b.promptFeedback : null;
  const block =
    feedback && typeof feedback.blockReason === 'string' && feedback.blockReason !== '' ? feedback.blockReason : null;
  return {
    hasCandidate: cand !== null,
    parts,
    finishReason: finish,
    blockReason: block,
    responseId: typeof b.responseId === 'string' && b.responseId !== '' ? b.responseId : null,
    usage: b.usageMetadata,
  };
}

export interface PartTranslator {
  /** One Gemini part → the delta it contributes (null when it contributes nothing). */
  part(p: Json, responseId: string | null): ChunkDelta | null;
  readonly toolCallCount: number;
}

/** Stateful so that tool-call indices and ids keep counting across stream chunks. */
export function createPartTranslator(ctx: BuildContext): PartTranslator {
  return new GeminiParts(ctx.reasoning?.exclude === true);
}

// a class rather than an object literal with a getter (V8 builds those ~50× slower)
class GeminiParts implements PartTranslator {
  private calls = 0;
  constructor(private readonly exclude: boolean) {}

  get toolCallCount(): number {
    return this.calls;
  }

  part(p: Json, responseId: string | null): ChunkDelta | null {
    const delta: ChunkDelta = {};
    let callId: string | null = null;
    if (isObj(p.functionCall)) {
      const fc = p.functionCall;
      const name = typeof fc.name === 'string' ? fc.name : '';
      const args = JSON.stringify(isObj(fc.args) ? fc.args : {});
      callId = toolCallId(fc.id, responseId, this.calls, name, args);
      delta.tool_calls = [{ index: this.calls, id: callId, type: 'function', function: { name, arguments: args } }];
      this.calls++;
    } else if (typeof p.text === 'string' && p.text !== '') {
      if (p.thought === true) {
        if (!this.exclude) delta.reasoning = p.text;
      } else delta.content = p.text;
    } else if (p.inlineData !== undefined && p.thought !== true) {
      // a generated image (responseModalities IMAGE); draft images of the thinking phase are not the answer
      const image = imageOfPart(p.inlineData);
      if (image) delta.images = [image];
    }
    // executableCode / codeExecutionResult outputs: ARouter requests none of them
    if (typeof p.thoughtSignature === 'string' && p.thoughtSignature !== '') {
      const detail: ReasoningDetail = {
        type: 'reasoning.encrypted',
        data: p.thoughtSignature,
        format: GEMINI_REASONING_FORMAT,
        id: callId,
      };
      delta.reasoning_details = [detail];
    }
    return Object.keys(delta).length > 0 ? delta : null;
  }
}

export function parseChatResponse(body: unknown, ctx: BuildContext): ChatResult {
  const r = readResponse(body);
  const translator = createPartTranslator(ctx);
  let content = '';
  let reasoning = '';
  const details: ReasoningDetail[] = [];
  const toolCalls: ChatResult['tool_calls'] = [];
  const images: ImageOut[] = [];
  for (const p of r.parts) {
    const d = translator.part(p, r.responseId);
    if (!d) continue;
    if (d.content) content += d.content;
    if (d.reasoning) reasoning += d.reasoning;
    if (d.reasoning_details) details.push(...d.reasoning_details);
    if (d.images) images.push(...d.images);
    for (const tc of d.tool_calls ?? []) {
      toolCalls.push({
        id: tc.id ?? '',
        type: 'function',
        function: { name: tc.function.name ?? '', arguments: tc.function.arguments ?? '{}' },
      });
    }
  }

  let finish: FinishReason;
  let native: string | null;
  if (!r.hasCandidate) {
    native = r.blockReason;
    // no candidate and no block reason: nothing was generated, which is not a normal stop
    finish = r.blockReason ? 'content_filter' : 'error';
  } else {
    native = r.finishReason;
    finish = mapFinishReason(native, toolCalls.length > 0);
  }

  return {
    content: content === '' ? null : content,
    reasoning: reasoning === '' ? null : reasoning,
    reasoning_details: details,
    tool_calls: toolCalls,
    finish_reason: finish,
    native_finish_reason: native,
    usage: normalizeUsage(r.usage),
    upstream_id: r.responseId,
    refusal: null,
    ...(images.length > 0 ? { images } : {}),
  };
}
