// Local token counting, used before a request goes upstream (context-length checks, credit reservations,
// rate-limit token costs) and as a fallback when a provider reports no usage.
//
// Exact tokenizers: "o200k_base" (GPT-4o, GPT-4.1, GPT-5, o-series) and "cl100k_base" (GPT-4, GPT-3.5),
// via gpt-tokenizer. Every other catalog tokenizer name is an APPROXIMATION: we count with o200k_base and
// scale by a per-family factor. The factors are deliberately coarse; they come from comparing published
// vocabularies and commonly reported English-text token ratios against o200k_base, and round towards
// over-counting because an overestimate only makes a reservation slightly larger, while an underestimate
// could let a request through that the upstream rejects for length:
//
//   claude   1.15  Anthropic's tokenizers (unpublished, smaller vocabularies) are commonly measured at
//                  roughly 10-20% more tokens than o200k on English prose and code.
//   mistral  1.10  Older Mistral models use a 32k SentencePiece vocab; Tekken (131k) is closer to 1.0.
//   llama2   1.20  32k SentencePiece vocab.
//   unknown  1.10  Safety margin for names we do not recognise.
//   gemini, gemma, llama3, llama4, qwen, deepseek, grok, gpt: 1.00 - large (128k-262k) BPE/SentencePiece
//                  vocabularies whose English density is within a few percent of o200k.
//
// The provider's reported usage always wins for billing; these numbers only gate and reserve.

import { createRequire } from 'node:module';

interface Encoding {
  countTokens(text: string, options?: { disallowedSpecial?: Set<string> }): number;
}

export type EncodingName = 'o200k_base' | 'cl100k_base';

export interface TokenizerInfo {
  encoding: EncodingName;
  /** multiplier applied to the encoding's count; 1 and exact=true for the two OpenAI encodings */
  factor: number;
  exact: boolean;
}

/** OpenAI's published floor for one image (low detail); real costs scale with resolution and provider. */
export const IMAGE_TOKENS = 85;
// Audio and files are never tokenised: their base64 is not what the model reads, and BPE over megabytes of
// it would cost seconds of CPU. They are estimated from their size (O(1): the base64 length, never decoded).
// Upstream usage always wins for billing; these only gate and reserve, so they lean high.
/** Gemini counts 32 tokens a second of audio (ai.google.dev/gemini-api/docs/tokens); OpenAI's models fewer. */
export const AUDIO_TOKENS_PER_SECOND = 32;
/** bytes a second assumed per format: 16 kHz 16-bit mono WAV (speech), 128 kbit/s for compressed formats */
const AUDIO_BYTES_PER_SECOND: Record<string, number> = { wav: 32_000, pcm16: 32_000 };
const COMPRESSED_AUDIO_BYTES_PER_SECOND = 16_000;
/**
 * A PDF page is read as text plus an image of the page: Gemini counts 258 tokens a page, Anthropic 1,500-3,000
 * (docs.anthropic.com, PDF support). A page is assumed to be 1,500 tokens and 50 KB, at least one page a file.
 */
export const PDF_TOKENS_PER_PAGE = 1500;
const PDF_BYTES_PER_PAGE = 50_000;
/** other files (text/plain, CSV ...) are read as text: ~4 bytes a token */
const TEXT_FILE_BYTES_PER_TOKEN = 4;

/** decoded size of a base64 payload or base64 data URL, from its length */
function base64Bytes(data: string): number {
  const comma = data.startsWith('data:') ? data.indexOf(',') : -1;
  const pad = data.endsWith('==') ? 2 : data.endsWith('=') ? 1 : 0;
  return Math.max(0, Math.floor(((data.length - comma - 1) * 3) / 4) - pad);
}

/** Estimated prompt tokens of an input_audio part's `input_audio` object. */
export function audioTokens(audio: { data?: unknown; format?: unknown }): number {
  if (typeof audio.data !== 'string') return 0;
  const format = typeof audio.format === 'string' ? audio.format.toLowerCase() : '';
  const perSecond = AUDIO_BYTES_PER_SECOND[format] ?? COMPRESSED_AUDIO_BYTES_PER_SECOND;
  return Math.ceil((base64Bytes(audio.data) / perSecond) * AUDIO_TOKENS_PER_SECOND);
}

/** Estimated prompt tokens of a file part's `file` object (a file_id counts as one page: its size is unknown). */
export function fileTokens(file: { filename?: unknown; file_data?: unknown }): number {
  if (typeof file.file_data !== 'string' || file.file_data === '') return PDF_TOKENS_PER_PAGE;
  const bytes = base64Bytes(file.file_data);
  const data = file.file_data;
  // a data URL names its type; a bare payload is a PDF unless its name says text (as the dialects read it)
  const pdf = data.startsWith('data:')
    ? data.slice(5, data.search(/[;,]/)).toLowerCase() === 'application/pdf'
    : !/\.(txt|md|csv|json|html?|xml)$/i.test(typeof file.filename === 'string' ? file.filename : '');
  if (!pdf) return Math.ceil(bytes / TEXT_FILE_BYTES_PER_TOKEN);
  return Math.max(1, Math.ceil(bytes / PDF_BYTES_PER_PAGE)) * PDF_TOKENS_PER_PAGE;
}

/** Per-message framing (<|start|>role ... <|end|>) in the OpenAI chat format. */
export const TOKENS_PER_MESSAGE = 3;
/** Every reply is primed with <|start|>assistant<|message|>. */
export const REPLY_PRIMING_TOKENS = 3;
/** A message's `name` field costs one token beyond its text. */
export const TOKENS_PER_NAME = 1;

// Longest prefix first so "llama4" is not swallowed by "llama".
const FAMILIES: Array<[prefix: string, factor: number]> = [
  ['claude', 1.15],
  ['anthropic', 1.15],
  ['mistral', 1.1],
  ['mixtral', 1.1],
  ['llama2', 1.2],
  ['llama3', 1.0],
  ['llama4', 1.0],
  ['llama', 1.05],
  ['gemini', 1.0],
  ['gemma', 1.0],
  ['qwen', 1.0],
  ['deepseek', 1.0],
  ['grok', 1.0],
  ['gpt', 1.0],
];
const UNKNOWN_FACTOR = 1.1;

const infoCache = new Map<string, TokenizerInfo>();

/** How a catalog `architecture.tokenizer` name is counted. */
export function tokenizerInfo(name: string): TokenizerInfo {
  let info = infoCache.get(name);
  if (info !== undefined) return info;
  const norm = String(name ?? '')
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '');
  if (norm === 'o200kbase' || norm === 'o200k') info = { encoding: 'o200k_base', factor: 1, exact: true };
  else if (norm === 'cl100kbase' || norm === 'cl100k') info = { encoding: 'cl100k_base', factor: 1, exact: true };
  else {
    const fam = FAMILIES.find(([prefix]) => norm.startsWith(prefix));
    info = { encoding: 'o200k_base', factor: fam ? fam[1] : UNKNOWN_FACTOR, exact: false };
  }
  if (infoCache.size < 1024) infoCache.set(name, info);
  return info;
}

// --- lazy encoders ----------------------------------------------------------------------------------------
// The BPE tables take ~50-150 ms and tens of MB to load, so they are loaded on first use, synchronously via
// createRequire (gpt-tokenizer's package exports map "./encoding/*" to a CJS build under "require"), which
// keeps the counting API synchronous. Call preloadTokenizers() at startup to keep that off the first request.

const requireCjs = createRequire(import.meta.url);
const encoders: Partial<Record<EncodingName, Encoding>> = {};

function encoder(name: EncodingName): Encoding {
  let enc = encoders[name];
  if (enc === undefined) {
    enc = requireCjs(`gpt-tokenizer/encoding/${name}`) as Encoding;
    encoders[name] = enc;
  }
  return enc;
}

export function preloadTokenizers(names: EncodingName[] = ['o200k_base', 'cl100k_base']): void {
  for (const n of names) encoder(n);
}

// User text may legitimately contain "<|endoftext|>"; it is text, not a control token, and gpt-tokenizer
// would throw on it by default.
const AS_TEXT = { disallowedSpecial: new Set<string>() };

// Agent workloads resend the same multi-KB system prompt and tool schemas on every call. Counting them is
// ~10x slower than hashing, so large strings are memoised (LRU by Map order, bounded by total characters).
const CACHE_MIN_CHARS = 2048;
const CACHE_MAX_CHARS = 8_000_000;
const countCache: Record<EncodingName, Map<string, number>> = { o200k_base: new Map(), cl100k_base: new Map() };
let cachedChars = 0;

// BPE merging of one pre-tokenized piece (a run without spaces: letters, CJK text) costs far more than
// linear in its length: 10k "a" took 1.45 s, 100k "a" 21 s, 100k CJK characters 108 s (a 300 KB body).
// Text is counted in slices of at most SLICE_CHARS, cut where both encodings' pre-tokenizers start a new
// piece anyway, so the count stays exact: before a space that follows a non-space, or before punctuation
// that follows a letter (minified JSON). A run with neither is cut hard, and then counts a token or so more
// per slice, the safe direction. A multiple of 3: digits are pre-tokenized in groups of three, so a long
// number still counts exactly. ~0.3 µs per character at worst.
const SLICE_CHARS = 510;
const PIECE_START = /\S |\p{L}[^\s\p{L}\p{M}\p{N}']/uy;

function countSliced(text: string, enc: EncodingName): number {
  const e = encoder(enc);
  if (text.length <= SLICE_CHARS) return e.countTokens(text, AS_TEXT);
  let n = 0;
  let start = 0;
  while (text.length - start > SLICE_CHARS) {
    let cut = start + SLICE_CHARS;
    const floor = start + SLICE_CHARS / 2;
    for (; cut > floor; cut--) {
      PIECE_START.lastIndex = cut - 1;
      if (PIECE_START.test(text)) break;
    }
    if (cut === floor) {
      cut = start + SLICE_CHARS;
      // never between the halves of a surrogate pair
      const c = text.charCodeAt(cut);
      if (c >= 0xdc00 && c <= 0xdfff) cut--;
    }
    n += e.countTokens(text.slice(start, cut), AS_TEXT);
    start = cut;
  }
  return n + e.countTokens(text.slice(start), AS_TEXT);
}

function rawCount(text: string, enc: EncodingName): number {
  if (text.length === 0) return 0;
  if (text.length < CACHE_MIN_CHARS) return countSliced(text, enc);
  const cache = countCache[enc];
  const hit = cache.get(text);
  if (hit !== undefined) {
    cache.delete(text);
    cache.set(text, hit);
    return hit;
  }
  const n = countSliced(text, enc);
  if (text.length <= CACHE_MAX_CHARS / 4) {
    cache.set(text, n);
    cachedChars += text.length;
    while (cachedChars > CACHE_MAX_CHARS) {
      // evict from whichever cache holds the oldest entry; both are small, either order is fine
      const victimCache = countCache.o200k_base.size > 0 ? countCache.o200k_base : countCache.cl100k_base;
      const oldest = victimCache.keys().next().value as string;
      victimCache.delete(oldest);
      cachedChars -= oldest.length;
    }
  }
  return n;
}

function scale(raw: number, factor: number): number {
  return factor === 1 ? raw : Math.ceil(raw * factor);
}

/** Tokens of a plain string under a catalog tokenizer name (exact or approximate, see the header). */
export function countTextTokens(text: string, tokenizer: string): number {
  const info = tokenizerInfo(tokenizer);
  return scale(rawCount(text, info.encoding), info.factor);
}

function utf8Bytes(text: string): number {
  return text.length === 0 ? 0 : Buffer.byteLength(text, 'utf8');
}

/**
 * A cheap bound, O(n) without tokenizing: the UTF-8 byte length, scaled by the family factor when it is
 * above 1. Byte-level BPE tokens (and SentencePiece byte-fallback tokens) each cover at least one byte, so
 * bytes bound the real count, and since o200k count <= bytes, the result also bounds countTextTokens().
 * Use it to skip exact counting when a prompt is far below the context length.
 */
export function estimateUpperBound(text: string, tokenizer?: string): number {
  const factor = tokenizer === undefined ? 1 : tokenizerInfo(tokenizer).factor;
  return Math.ceil(utf8Bytes(text) * Math.max(1, factor));
}

// --- chat -------------------------------------------------------------------------------------------------

export interface ChatCount {
  tokens: number;
  images: number;
}

interface Tally {
  raw: number;
  framing: number;
  images: number;
  /** audio and file estimates: already tokens, not scaled by the tokenizer factor */
  media: number;
}

function isObj(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

const IMAGE_PART_TYPES = new Set(['image_url', 'input_image', 'image']);

function walkContent(content: unknown, t: Tally, measure: (s: string) => number): void {
  if (typeof content === 'string') {
    t.raw += measure(content);
    return;
  }
  if (!Array.isArray(content)) return;
  for (const part of content) {
    if (typeof part === 'string') {
      t.raw += measure(part);
      continue;
    }
    if (!isObj(part)) continue;
    const type = part.type;
    if (typeof type === 'string' && IMAGE_PART_TYPES.has(type)) {
      // never tokenise the URL / base64 payload: it is not what the model sees
      t.images++;
    } else if (typeof part.text === 'string') {
      t.raw += measure(part.text);
    } else if (type === 'input_audio' && isObj(part.input_audio)) {
      t.media += audioTokens(part.input_audio);
    } else if (type === 'file' && isObj(part.file)) {
      // file contents are parsed upstream (PDF text etc.): estimated from their size, plus the name
      if (typeof part.file.filename === 'string') t.raw += measure(part.file.filename);
      t.media += fileTokens(part.file);
    }
  }
}

function walkFunction(fn: unknown, t: Tally, measure: (s: string) => number): void {
  if (!isObj(fn)) return;
  if (typeof fn.name === 'string') t.raw += measure(fn.name);
  if (typeof fn.arguments === 'string') t.raw += measure(fn.arguments);
  else if (fn.arguments !== undefined) t.raw += measure(JSON.stringify(fn.arguments) ?? '');
}

function walkChat(messages: unknown[], tools: unknown[] | undefined, measure: (s: string) => number): Tally {
  const t: Tally = { raw: 0, framing: REPLY_PRIMING_TOKENS, images: 0, media: 0 };
  for (const m of messages ?? []) {
    t.framing += TOKENS_PER_MESSAGE;
    if (typeof m === 'string') {
      t.raw += measure(m);
      continue;
    }
    if (!isObj(m)) continue;
    if (typeof m.role === 'string') t.raw += measure(m.role);
    if (typeof m.name === 'string') {
      t.raw += measure(m.name);
      t.framing += TOKENS_PER_NAME;
    }
    walkContent(m.content, t, measure);
    if (typeof m.refusal === 'string') t.raw += measure(m.refusal);
    if (Array.isArray(m.tool_calls)) {
      for (const call of m.tool_calls) if (isObj(call)) walkFunction(call.function, t, measure);
    }
    // legacy single function_call on assistant messages
    walkFunction(m.function_call, t, measure);
  }
  // Tool schemas are rendered by the provider in its own format; their JSON is a slight overestimate of
  // OpenAI's rendering, which is the safe direction for gating and reservations.
  if (tools !== undefined && tools.length > 0) t.raw += measure(JSON.stringify(tools) ?? '');
  return t;
}

/**
 * Prompt tokens of an OpenAI chat request: text parts, names, tool calls (name + arguments) and tool
 * definitions through the tokenizer; per-message framing and reply priming as fixed overhead; each image
 * as IMAGE_TOKENS (a floor - high-detail images cost more) with the image count returned for pricing.
 */
export function countChatPromptTokens(messages: unknown[], tokenizer: string, tools?: unknown[]): ChatCount {
  const info = tokenizerInfo(tokenizer);
  // Scale the summed text once rather than per piece, so rounding does not inflate many small messages.
  const t = walkChat(messages, tools, (s) => rawCount(s, info.encoding));
  return { tokens: scale(t.raw, info.factor) + t.framing + t.images * IMAGE_TOKENS + t.media, images: t.images };
}

/** Same walk as countChatPromptTokens with byte lengths instead of BPE: always >= its result, much cheaper. */
export function estimateChatUpperBound(messages: unknown[], tokenizer: string, tools?: unknown[]): ChatCount {
  const factor = Math.max(1, tokenizerInfo(tokenizer).factor);
  const t = walkChat(messages, tools, utf8Bytes);
  return { tokens: Math.ceil(t.raw * factor) + t.framing + t.images * IMAGE_TOKENS + t.media, images: t.images };
}
