// One streamed chat answer: the body of POST /v1/chat/completions (stream: true) read as it arrives, each chunk
// folded into an Answer. ARouter's stream (README, API): chunks carry `id` (the generation id), `model` (the
// model really used), `provider`; `delta.reasoning` apart from `delta.content`; a failure after the first token
// is a chunk with `error` and finish_reason "error"; the last chunk before `[DONE]` has `choices: []` and the
// usage with `cost` in USD.
import { createSseParser } from './sse.js';

export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens?: number;
  prompt_tokens_details?: { cached_tokens?: number; cache_write_tokens?: number };
  completion_tokens_details?: { reasoning_tokens?: number };
  /** USD */
  cost?: number;
  /** counted locally with the model's tokenizer: the upstream gave none */
  estimated?: boolean;
}

export interface StreamFailure {
  message: string;
  /** our machine code (metadata.code), e.g. upstream_stream_truncated */
  code: string | null;
  status: number | null;
}

export interface Answer {
  /** the generation id (GET /v1/generation?id=) */
  id: string | null;
  model: string | null;
  provider: string | null;
  content: string;
  reasoning: string;
  /** `delta.refusal` (OpenAI, Anthropic): the model declined, in its words */
  refusal: string;
  finishReason: string | null;
  usage: Usage | null;
  /** the error chunk of a stream that failed after it started */
  failure: StreamFailure | null;
  /** [DONE] arrived */
  done: boolean;
}

export function emptyAnswer(): Answer {
  return {
    id: null,
    model: null,
    provider: null,
    content: '',
    reasoning: '',
    refusal: '',
    finishReason: null,
    usage: null,
    failure: null,
    done: false,
  };
}

interface Chunk {
  id?: unknown;
  model?: unknown;
  provider?: unknown;
  choices?: Array<{
    delta?: { content?: unknown; reasoning?: unknown; refusal?: unknown };
    finish_reason?: unknown;
  }>;
  usage?: Usage | null;
  error?: { message?: unknown; code?: unknown; metadata?: { code?: unknown } };
}

/** folds one chunk (parsed JSON) into `a` */
export function applyChunk(a: Answer, chunk: Chunk): void {
  if (typeof chunk.id === 'string' && a.id === null) a.id = chunk.id;
  if (typeof chunk.model === 'string') a.model = chunk.model;
  if (typeof chunk.provider === 'string') a.provider = chunk.provider;
  const choice = chunk.choices?.[0];
  if (choice) {
    const d = choice.delta;
    if (typeof d?.reasoning === 'string') a.reasoning += d.reasoning;
    if (typeof d?.content === 'string') a.content += d.content;
    if (typeof d?.refusal === 'string') a.refusal += d.refusal;
    if (typeof choice.finish_reason === 'string') a.finishReason = choice.finish_reason;
  }
  if (chunk.usage && typeof chunk.usage === 'object') a.usage = chunk.usage;
  const e = chunk.error;
  if (e && typeof e === 'object') {
    a.failure = {
      message: typeof e.message === 'string' ? e.message : 'The answer failed mid-stream.',
      code: typeof e.metadata?.code === 'string' ? e.metadata.code : null,
      status: typeof e.code === 'number' ? e.code : null,
    };
  }
}

/**
 * Reads `res`'s event stream to its end, calling `onChange` after each network read that changed `answer`
 * (not per chunk: one render per read). Throws what the reader throws (an AbortError when stopped; a
 * TypeError when the connection broke).
 */
export async function readChatStream(res: Response, answer: Answer, onChange: () => void): Promise<void> {
  if (!res.body) throw new Error('The server sent no stream.');
  let changed = false;
  const parser = createSseParser((data) => {
    if (data === '[DONE]') {
      answer.done = true;
      changed = true;
      return;
    }
    let chunk: Chunk;
    try {
      chunk = JSON.parse(data) as Chunk;
    } catch {
      return; // not ours to show; the usage chunk still comes
    }
    applyChunk(answer, chunk);
    changed = true;
  });
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      parser.feed(decoder.decode(value, { stream: true }));
      if (changed) {
        changed = false;
        onChange();
      }
    }
    parser.feed(decoder.decode());
    parser.end();
    if (changed) onChange();
  } finally {
    reader.releaseLock();
  }
}
