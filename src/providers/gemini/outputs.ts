// Generated images through Gemini (generative_service.proto): the client's `modalities` become
// `generationConfig.responseModalities` (enum GenerationConfig.Modality: TEXT, IMAGE, AUDIO) and
// `image_config.aspect_ratio` becomes `imageConfig.aspectRatio`. The proto's ImageConfig has no size field, so
// OpenRouter's `image_config.image_size` is not sent (the upstream rejects unknown fields). The answer's
// image parts are `inlineData {mimeType, data}` (base64), which become data URLs.
import type { ChatRequest } from '../../protocol/chat-request.js';
import type { ImageOut } from '../types.js';

const MODALITY = { text: 'TEXT', image: 'IMAGE', audio: 'AUDIO' } as const;

/** the generationConfig fields for the requested output modalities (none for a text-only request) */
export function outputConfig(req: ChatRequest): Record<string, unknown> {
  const m = req.modalities;
  if (m == null || m.length === 0 || (m.length === 1 && m[0] === 'text')) return {};
  const out: Record<string, unknown> = { responseModalities: [...new Set(m)].map((x) => MODALITY[x]) };
  const aspect = req.image_config?.aspect_ratio;
  if (m.includes('image') && typeof aspect === 'string') out.imageConfig = { aspectRatio: aspect };
  return out;
}

/** an answer part's inlineData as an image, or null when the part carries none (or not an image) */
export function imageOfPart(inline: unknown): ImageOut | null {
  if (typeof inline !== 'object' || inline === null) return null;
  const { mimeType, data } = inline as { mimeType?: unknown; data?: unknown };
  if (typeof data !== 'string' || data === '') return null;
  const mime = typeof mimeType === 'string' && mimeType !== '' ? mimeType : 'image/png';
  if (!mime.startsWith('image/')) return null;
  return { type: 'image_url', image_url: { url: `data:${mime};base64,${data}` } };
}

/** image / audio tokens from usageMetadata.candidatesTokensDetails or promptTokensDetails [{modality, tokenCount}] */
export function mediaTokens(details: unknown): { image: number; audio: number } {
  let image = 0;
  let audio = 0;
  if (!Array.isArray(details)) return { image, audio };
  for (const d of details) {
    if (typeof d !== 'object' || d === null) continue;
    const { modality, tokenCount } = d as { modality?: unknown; tokenCount?: unknown };
    const n = typeof tokenCount === 'number' && Number.isFinite(tokenCount) && tokenCount > 0 ? tokenCount : 0;
    if (modality === 'IMAGE') image += n;
    else if (modality === 'AUDIO') audio += n;
  }
  return { image, audio };
}
