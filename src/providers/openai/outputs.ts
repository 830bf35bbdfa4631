// Generated images and audio through chat completions, in the OpenAI-compatible family.
// Request: `modalities` and `audio` {voice, format} are OpenAI's (CreateChatCompletionRequest); OpenRouter adds
// "image" to modalities and `image_config` {aspect_ratio, image_size}, which only it is sent (OpenAI answers
// 400 "Unknown parameter: 'image_config'").
// Answer: OpenRouter puts images in `message.images` / `delta.images` as [{type:"image_url", image_url:{url:
// "data:image/png;base64,…"}}]; OpenAI puts audio in `message.audio` {id, data, transcript, expires_at} and
// streams it as `delta.audio` pieces (id first, then data / transcript fragments).
import type { ChatRequest } from '../../protocol/chat-request.js';
import { wantsAudio } from '../../protocol/output-modalities.js';
import type { AudioOut, BuildContext, ImageOut } from '../types.js';
import { isRecord, type Loose } from './normalize.js';
import type { Quirks } from './quirks.js';

/** the output fields of the upstream body (none when the client asked for text only) */
export function outputOptions(req: ChatRequest, q: Quirks): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const m = req.modalities;
  if (m == null || m.length === 0) return out;
  out.modalities = m;
  if (wantsAudio(req) && req.audio != null) out.audio = { voice: req.audio.voice, format: req.audio.format };
  if (q.imageConfig && m.includes('image') && req.image_config != null) out.image_config = req.image_config;
  return out;
}

/**
 * Whether this upstream answers the request only as a stream: OpenRouter documents streaming as required for
 * audio output, and DashScope's omni models stream only. The router then streams upstream and assembles the
 * answer for a client that did not ask to stream (routing/execute.ts).
 */
export function streamOnly(req: ChatRequest, ctx: BuildContext, q: Quirks): boolean {
  return !ctx.stream && q.audioStreamOnly && wantsAudio(req);
}

/** `message.images` / `delta.images` items that carry a URL, in our shape */
export function imagesOf(v: unknown): ImageOut[] {
  if (!Array.isArray(v)) return [];
  const out: ImageOut[] = [];
  for (const item of v) {
    if (!isRecord(item)) continue;
    const iu = item.image_url;
    const url = isRecord(iu) ? iu.url : typeof iu === 'string' ? iu : undefined;
    if (typeof url === 'string' && url.length > 0) out.push({ type: 'image_url', image_url: { url } });
  }
  return out;
}

/** `message.audio` of a non-stream answer; null when absent or empty */
export function audioOf(v: unknown): AudioOut | null {
  if (!isRecord(v)) return null;
  const data = typeof v.data === 'string' ? v.data : '';
  const transcript = typeof v.transcript === 'string' ? v.transcript : '';
  if (data === '' && transcript === '') return null;
  return {
    id: typeof v.id === 'string' ? v.id : '',
    data,
    transcript,
    expires_at: typeof v.expires_at === 'number' ? v.expires_at : 0,
  };
}

/** one `delta.audio` piece, passed on with only the fields it carries */
export function audioDeltaOf(v: Loose): Partial<AudioOut> | null {
  const out: Partial<AudioOut> = {};
  if (typeof v.id === 'string' && v.id !== '') out.id = v.id;
  if (typeof v.data === 'string' && v.data !== '') out.data = v.data;
  if (typeof v.transcript === 'string' && v.transcript !== '') out.transcript = v.transcript;
  if (typeof v.expires_at === 'number') out.expires_at = v.expires_at;
  return Object.keys(out).length > 0 ? out : null;
}
