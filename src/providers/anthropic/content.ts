// Content parts of one OpenAI message → Anthropic content blocks (text, image, document).
// Anthropic rejects empty text blocks ("text content blocks must be non-empty") and whitespace-only ones,
// so such text is dropped here; it carries no meaning.
import type { ChatContentPart } from '../../protocol/chat-request.js';
import { InvalidRequestError } from '../errors.js';
import { parseDataUrl } from '../convert.js';

export type Block = Record<string, unknown> & { type: string };

/** Media types Anthropic accepts for base64 images (spec: Base64ImageSource.media_type). */
const IMAGE_TYPES = new Set(['image/jpeg', 'image/png', 'image/gif', 'image/webp']);

/**
 * Anthropic prompt caching: clients (OpenRouter-style) may put `cache_control` on a content part or at the
 * top level. The request schema lets unknown keys through, so it is read here and forwarded only when it
 * has Anthropic's exact shape (spec: CacheControlEphemeral), never blindly.
 */
export function cacheControl(source: unknown): Record<string, string> | undefined {
  const cc = (source as { cache_control?: unknown } | null)?.cache_control as
    { type?: unknown; ttl?: unknown } | undefined;
  if (!cc || typeof cc !== 'object' || cc.type !== 'ephemeral') return undefined;
  return cc.ttl === '5m' || cc.ttl === '1h' ? { type: 'ephemeral', ttl: cc.ttl } : { type: 'ephemeral' };
}

export function withCache(block: Block, part: unknown): Block {
  const cc = cacheControl(part);
  return cc ? { ...block, cache_control: cc } : block;
}

/** Anthropic rejects empty and whitespace-only text blocks ("text content blocks must contain non-whitespace text"). */
export function textBlock(text: string, part?: unknown): Block[] {
  return text.trim().length > 0 ? [withCache({ type: 'text', text }, part)] : [];
}

function imageBlock(url: string, param: string): Block {
  if (/^https?:\/\//i.test(url)) return { type: 'image', source: { type: 'url', url } };
  const parsed = parseDataUrl(url);
  if (!parsed) throw new InvalidRequestError('image_url must be an http(s) URL or a base64 data URL', param);
  // image/jpg is a common misspelling of the registered type; accept it rather than fail the request.
  const mediaType = parsed.mediaType === 'image/jpg' ? 'image/jpeg' : parsed.mediaType;
  if (!IMAGE_TYPES.has(mediaType)) {
    throw new InvalidRequestError(
      `Anthropic accepts only image/jpeg, image/png, image/gif and image/webp images, got ${parsed.mediaType}`,
      param,
    );
  }
  return { type: 'image', source: { type: 'base64', media_type: mediaType, data: parsed.data } };
}

/** `file` parts: PDFs become `document` blocks (as LiteLLM does); plain text becomes a text document. */
function fileBlock(file: { filename?: string; file_data?: string; file_id?: string }, param: string): Block {
  if (file.file_data === undefined || file.file_data === '') {
    throw new InvalidRequestError(
      file.file_id !== undefined
        ? 'file_id references cannot be sent to Anthropic; send the file inline as file_data'
        : 'file part needs file_data',
      param,
    );
  }
  const parsed = parseDataUrl(file.file_data);
  // OpenAI documents file_data as base64; accept a bare payload when the file name says it is a PDF.
  // a data URL that names no type is text/plain (RFC 2397)
  const mediaType = parsed
    ? parsed.mediaType || 'text/plain'
    : /\.pdf$/i.test(file.filename ?? '')
      ? 'application/pdf'
      : null;
  const data = parsed?.data ?? file.file_data;
  // the file name tells the model which document is which (spec: RequestDocumentBlock.title, 1..500 chars)
  const title = file.filename ? { title: file.filename.slice(0, 500) } : {};
  if (mediaType === 'application/pdf') {
    return { type: 'document', source: { type: 'base64', media_type: 'application/pdf', data }, ...title };
  }
  if (mediaType === 'text/plain') {
    const text = Buffer.from(data, 'base64').toString('utf8');
    return { type: 'document', source: { type: 'text', media_type: 'text/plain', data: text }, ...title };
  }
  throw new InvalidRequestError(
    `Anthropic accepts only PDF (application/pdf) and text/plain files, got ${mediaType ?? 'an unknown type'}`,
    param,
  );
}

/** User content → blocks. `param` is the message's path, e.g. `messages[3]`. */
export function userBlocks(content: string | ChatContentPart[], param: string): Block[] {
  if (typeof content === 'string') return textBlock(content);
  const out: Block[] = [];
  content.forEach((part, j) => {
    const where = `${param}.content[${j}]`;
    switch (part.type) {
      case 'text':
        out.push(...textBlock(part.text, part));
        break;
      case 'image_url':
        // `detail` has no Anthropic equivalent and is dropped.
        out.push(withCache(imageBlock(part.image_url.url, where), part));
        break;
      case 'file':
        out.push(withCache(fileBlock(part.file, where), part));
        break;
      case 'input_audio':
        throw new InvalidRequestError('Anthropic does not accept audio input', where);
    }
  });
  return out;
}

/** System / assistant / tool content (string or text parts) → text blocks. */
export function textBlocks(content: string | { type: 'text'; text: string }[] | null | undefined): Block[] {
  if (content == null) return [];
  if (typeof content === 'string') return textBlock(content);
  return content.flatMap((p) => textBlock(p.text, p));
}
