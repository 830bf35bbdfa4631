// OpenAI `messages[]` → Gemini `systemInstruction` + `contents[]` (content.proto `Content`, `Part`).
//
// Decisions:
// - Every system/developer message, wherever it sits, becomes one text part of `systemInstruction`, in
//   order. Gemini has no system role inside `contents`; keeping the text as an instruction preserves its
//   authority (turning it into user text would not), at the price of moving a mid-conversation system
//   message to the top (wire-formats.md §4.1).
// - Gemini has two roles: assistant → "model"; user and tool → "user". Consecutive turns with the same role
//   are merged (tool results after each other, a user message right after tool results, ...) because the
//   API asks for alternating turns.
// - Tool results become `functionResponse` parts. Gemini requires the function *name*, which OpenAI tool
//   messages don't carry: it is looked up from the earlier assistant `tool_calls` by `tool_call_id`.
//   Our tool-call ids are synthesized (Gemini leaves `functionCall.id` empty), so no id is sent back;
//   Gemini pairs calls and responses by order and name.
// - http(s) image URLs go as `fileData{fileUri}` with a MIME type guessed from the extension (default
//   image/jpeg); we do not download them (SSRF, latency). Whether Gemini fetches arbitrary URLs is
//   UNCONFIRMED (wire-formats.md §4.4): a client needing certainty should send a data URL.
import type { ChatContentPart, ChatMessage } from '../../protocol/chat-request.js';
import { InvalidRequestError } from '../errors.js';
import { parseDataUrl, parseToolArguments } from '../convert.js';

export type GeminiPart = Record<string, unknown>;
export interface GeminiContent {
  role: 'user' | 'model';
  parts: GeminiPart[];
}

export const GEMINI_REASONING_FORMAT = 'google-gemini-v1';

/**
 * Google's documented placeholder for a function call that Gemini itself did not produce (history from
 * another model, or a client that dropped `reasoning_details`): Gemini 3 rejects unsigned calls otherwise.
 * https://ai.google.dev/gemini-api/docs/thought-signatures (FAQ)
 */
export const SKIP_SIGNATURE = 'skip_thought_signature_validator';

export interface ContentsOptions {
  /** put SKIP_SIGNATURE on a model turn's first function call when it has no signature (Gemini 3+) */
  placeholderSignatures: boolean;
}

export interface BuiltContents {
  systemInstruction?: { parts: GeminiPart[] };
  contents: GeminiContent[];
}

export function buildContents(messages: ChatMessage[], opts: ContentsOptions): BuiltContents {
  const system: GeminiPart[] = [];
  const turns: GeminiContent[] = [];
  const toolNames = new Map<string, string>();

  messages.forEach((msg, i) => {
    switch (msg.role) {
      case 'system':
      case 'developer':
        for (const text of textsOf(msg.content)) system.push({ text });
        break;
      case 'user':
        push(turns, 'user', userParts(msg.content, i));
        break;
      case 'assistant':
        for (const tc of msg.tool_calls ?? []) toolNames.set(tc.id, tc.function.name);
        push(turns, 'model', modelParts(msg, i, opts));
        break;
      case 'tool': {
        const name = toolNames.get(msg.tool_call_id) ?? msg.name;
        if (!name) {
          throw new InvalidRequestError(
            `messages[${i}].tool_call_id "${msg.tool_call_id}" matches no earlier assistant tool call; Gemini needs the function name`,
            `messages[${i}].tool_call_id`,
          );
        }
        push(turns, 'user', [{ functionResponse: { name, response: toolResponse(textsOf(msg.content).join('')) } }]);
        break;
      }
    }
  });

  // Gemini requires `contents`: a request made of system messages only is sent as the user's turn
  if (turns.length === 0 && system.length > 0) return { contents: [{ role: 'user', parts: system }] };
  return { ...(system.length > 0 ? { systemInstruction: { parts: system } } : {}), contents: turns };
}

/** Appends parts as a turn, merging into the previous turn when the role repeats. Empty turns are dropped. */
function push(turns: GeminiContent[], role: 'user' | 'model', parts: GeminiPart[]): void {
  if (parts.length === 0) return;
  const last = turns[turns.length - 1];
  if (last && last.role === role) last.parts.push(...parts);
  else turns.push({ role, parts });
}

/** Non-empty texts of a string-or-text-parts content (Gemini rejects empty text parts). */
function textsOf(content: string | Array<{ type: 'text'; text: string }> | null | undefined): string[] {
  if (content == null) return [];
  if (typeof content === 'string') return content === '' ? [] : [content];
  return content.map((p) => p.text).filter((t) => t !== '');
}

function userParts(content: string | ChatContentPart[], i: number): GeminiPart[] {
  if (typeof content === 'string') return content === '' ? [] : [{ text: content }];
  const parts: GeminiPart[] = [];
  content.forEach((part, j) => {
    const param = `messages[${i}].content[${j}]`;
    switch (part.type) {
      case 'text':
        if (part.text !== '') parts.push({ text: part.text });
        break;
      case 'image_url':
        parts.push(mediaPart(part.image_url.url, 'image/jpeg', `${param}.image_url.url`));
        break;
      case 'input_audio':
        parts.push(audioPart(part.input_audio, `${param}.input_audio`));
        break;
      case 'file':
        parts.push(filePart(part.file, param));
        break;
    }
  });
  return parts;
}

// OpenAI's `format` (wav, mp3; clients also send other names) → the MIME types Gemini lists for audio
// (ai.google.dev/gemini-api/docs/audio: audio/wav, audio/mp3, audio/aiff, audio/aac, audio/ogg, audio/flac).
const AUDIO_MIME: Record<string, string> = {
  wav: 'audio/wav',
  wave: 'audio/wav',
  'x-wav': 'audio/wav',
  mp3: 'audio/mp3',
  mpeg: 'audio/mp3',
  aiff: 'audio/aiff',
  aif: 'audio/aiff',
  aac: 'audio/aac',
  ogg: 'audio/ogg',
  oga: 'audio/ogg',
  opus: 'audio/ogg',
  flac: 'audio/flac',
  m4a: 'audio/mp4',
  mp4: 'audio/mp4',
  webm: 'audio/webm',
  pcm16: 'audio/l16',
};

/** `input_audio` → inlineData; a data URL in `data` (browsers produce them) gives its payload and type. */
function audioPart(audio: { data: string; format: string }, param: string): GeminiPart {
  const format = audio.format.toLowerCase().replace(/^audio\//, '');
  let mimeType = AUDIO_MIME[format] ?? `audio/${format}`;
  let data = audio.data;
  if (data.startsWith('data:')) {
    const parsed = parseDataUrl(data);
    if (!parsed) throw new InvalidRequestError(`${param}.data: malformed data URL`, `${param}.data`);
    data = parsed.data;
    if (AUDIO_MIME[format] === undefined && parsed.mediaType.startsWith('audio/'))
      mimeType = AUDIO_MIME[parsed.mediaType.slice(6)] ?? parsed.mediaType;
  }
  if (data === '') throw new InvalidRequestError(`${param}.data is empty`, `${param}.data`);
  return { inlineData: { mimeType, data } };
}

function filePart(file: { filename?: string; file_data?: string; file_id?: string }, param: string): GeminiPart {
  const guessed = guessMime(file.filename ?? '') ?? 'application/pdf';
  if (file.file_data) {
    if (file.file_data.startsWith('data:')) return mediaPart(file.file_data, guessed, `${param}.file.file_data`);
    // a bare base64 payload: the filename's extension tells the type
    return { inlineData: { mimeType: guessed, data: file.file_data } };
  }
  // a Gemini Files API URI can be referenced; an OpenAI file id means nothing to Google
  if (file.file_id && /^https?:\/\//.test(file.file_id))
    return { fileData: { mimeType: guessed, fileUri: file.file_id } };
  throw new InvalidRequestError(
    `${param}.file: Gemini needs file_data (a data URL) or an https file URI`,
    `${param}.file`,
  );
}

function mediaPart(url: string, defaultMime: string, param: string): GeminiPart {
  if (url.startsWith('data:')) {
    const parsed = parseDataUrl(url);
    if (!parsed) throw new InvalidRequestError(`${param}: malformed data URL`, param);
    return { inlineData: { mimeType: canonicalMime(parsed.mediaType) || defaultMime, data: parsed.data } };
  }
  return { fileData: { mimeType: guessMime(url) ?? defaultMime, fileUri: url } };
}

// Clients write data:image/jpg (not a registered type); Gemini answers 400 "Unsupported MIME type: image/jpg".
const MIME_ALIASES: Record<string, string> = { 'image/jpg': 'image/jpeg', 'image/pjpeg': 'image/jpeg' };
const canonicalMime = (mime: string): string => MIME_ALIASES[mime.toLowerCase()] ?? mime;

const MIME_BY_EXT: Record<string, string> = {
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  png: 'image/png',
  gif: 'image/gif',
  webp: 'image/webp',
  heic: 'image/heic',
  heif: 'image/heif',
  pdf: 'application/pdf',
  txt: 'text/plain',
  mp3: 'audio/mp3',
  wav: 'audio/wav',
  flac: 'audio/flac',
  ogg: 'audio/ogg',
  aac: 'audio/aac',
  mp4: 'video/mp4',
  mov: 'video/mov',
  webm: 'video/webm',
};

export function guessMime(urlOrName: string): string | null {
  const path = urlOrName.split(/[?#]/)[0];
  const m = /\.([a-z0-9]+)$/i.exec(path);
  return m ? (MIME_BY_EXT[m[1].toLowerCase()] ?? null) : null;
}

/** A tool result as the `response` Struct: a JSON object result is passed as-is, anything else wrapped. */
function toolResponse(text: string): Record<string, unknown> {
  const trimmed = text.trim();
  if (trimmed.startsWith('{')) {
    try {
      const parsed: unknown = JSON.parse(trimmed);
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
    } catch {
      // not JSON: wrapped below
    }
  }
  return { result: text };
}

type AssistantMessage = Extract<ChatMessage, { role: 'assistant' }>;

function modelParts(msg: AssistantMessage, i: number, opts: ContentsOptions): GeminiPart[] {
  const { byCallId, unattached } = signaturesOf(msg.reasoning_details);
  // thought summaries (`msg.reasoning`) are not sent back: Gemini only wants the signatures
  const parts: GeminiPart[] = textsOf(msg.content).map((text) => ({ text }));
  const textCount = parts.length;

  (msg.tool_calls ?? []).forEach((tc, k) => {
    const part: GeminiPart = {
      functionCall: {
        name: tc.function.name,
        args: parseToolArguments(tc.function.arguments, `messages[${i}].tool_calls[${k}].function.arguments`, 'Gemini'),
      },
    };
    const sig = byCallId.get(tc.id);
    if (sig) part.thoughtSignature = sig;
    parts.push(part);
  });

  if (unattached) {
    // a signature Gemini put on a text part (no call id): the text comes back as one part, so it goes there
    const host = textCount > 0 ? parts[textCount - 1] : parts[0];
    if (host && !host.thoughtSignature) host.thoughtSignature = unattached;
  }
  if (opts.placeholderSignatures) {
    const firstCall = parts.find((p) => p.functionCall);
    if (firstCall && !firstCall.thoughtSignature) firstCall.thoughtSignature = SKIP_SIGNATURE;
  }
  return parts;
}

function signaturesOf(details: Array<Record<string, unknown>> | undefined): {
  byCallId: Map<string, string>;
  unattached: string | null;
} {
  const byCallId = new Map<string, string>();
  let unattached: string | null = null;
  for (const d of details ?? []) {
    // only Gemini's own signatures: another provider's opaque blob would be rejected
    if (d.type !== 'reasoning.encrypted' || d.format !== GEMINI_REASONING_FORMAT || typeof d.data !== 'string')
      continue;
    if (typeof d.id === 'string' && d.id !== '') byCallId.set(d.id, d.data);
    else unattached = d.data;
  }
  return { byCallId, unattached };
}
