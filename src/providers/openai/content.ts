// Audio and file parts as OpenAI's Chat Completions API takes them (spec: ChatCompletionRequestMessageContentPartAudio
// / ...PartFile). Clients send the shapes loosely, each way accepted by one SDK or another; the upstream is strict:
// - `input_audio.data` is bare base64: a data URL (what browsers produce) is reduced to its payload, and the
//   format taken from its MIME type when the client left it out or wrote the MIME subtype ("mpeg").
// - `file.file_data` must be a data URL with the file's MIME type ("Invalid file data ... Expected a base64-encoded
//   data URL"): a bare base64 payload gets one when the file name tells the type (a.pdf → application/pdf).
// - a file sent by content needs a `filename` (OpenAI: "Missing required parameter: ...file.filename"):
//   "file.pdf"-style, from the data URL's type, when the client sent none.
// The common case (nothing to change) returns the very same array, so no copy on the hot path.
import { parseDataUrl } from '../convert.js';

type Loose = Record<string, unknown>;

/** MIME type (or its subtype written as a format) → OpenAI's `format` (wav, mp3). */
const AUDIO_FORMATS: Record<string, string> = {
  wav: 'wav',
  wave: 'wav',
  'x-wav': 'wav',
  'vnd.wave': 'wav',
  mp3: 'mp3',
  mpeg: 'mp3',
  mpeg3: 'mp3',
  'x-mp3': 'mp3',
};

const EXT_MIME: Record<string, string> = {
  pdf: 'application/pdf',
  txt: 'text/plain',
  md: 'text/markdown',
  csv: 'text/csv',
  json: 'application/json',
  html: 'text/html',
};
const MIME_EXT: Record<string, string> = Object.fromEntries(Object.entries(EXT_MIME).map(([e, m]) => [m, e]));

function audioFormat(format: unknown, mime: string | null): unknown {
  const own = typeof format === 'string' ? AUDIO_FORMATS[format.toLowerCase()] : undefined;
  if (own !== undefined) return own;
  const sub = mime?.startsWith('audio/') ? AUDIO_FORMATS[mime.slice(6)] : undefined;
  return sub ?? format;
}

function fixAudio(part: Loose): Loose {
  const a = part.input_audio as Loose | undefined;
  if (!a || typeof a !== 'object' || typeof a.data !== 'string') return part;
  const parsed = a.data.startsWith('data:') ? parseDataUrl(a.data) : null;
  const data = parsed?.data ?? a.data;
  const format = audioFormat(a.format, parsed?.mediaType ?? null);
  if (data === a.data && format === a.format) return part;
  return { ...part, input_audio: { ...a, data, format } };
}

function fixFile(part: Loose): Loose {
  const f = part.file as Loose | undefined;
  if (!f || typeof f !== 'object' || typeof f.file_data !== 'string' || f.file_data === '') return part;
  const name = typeof f.filename === 'string' && f.filename !== '' ? f.filename : null;
  let fileData = f.file_data;
  if (!fileData.startsWith('data:')) {
    const ext = /\.([a-z0-9]+)$/i.exec(name ?? '')?.[1]?.toLowerCase();
    // OpenAI documents file_data as "base64 encoded file data"; its API reads PDFs, so that is the default
    fileData = `data:${(ext && EXT_MIME[ext]) ?? 'application/pdf'};base64,${fileData}`;
  }
  let filename = name;
  if (filename === null) {
    const mime = fileData.slice(5, fileData.search(/[;,]/)).toLowerCase();
    filename = `file.${MIME_EXT[mime] ?? 'pdf'}`;
  }
  if (fileData === f.file_data && filename === f.filename) return part;
  return { ...part, file: { ...f, filename, file_data: fileData } };
}

/** Audio and file parts in the upstream's shape; the same array when none needs a change. */
export function fixMediaParts(content: unknown): unknown {
  if (!Array.isArray(content)) return content;
  let out: unknown[] | null = null;
  for (let i = 0; i < content.length; i++) {
    const p = content[i] as Loose;
    let fixed = p;
    if (p && typeof p === 'object') {
      if (p.type === 'input_audio') fixed = fixAudio(p);
      else if (p.type === 'file') fixed = fixFile(p);
    }
    if (out) out.push(fixed);
    else if (fixed !== p) {
      out = content.slice(0, i);
      out.push(fixed);
    }
  }
  return out ?? content;
}
