// Pieces shared by the JSON and the stream parsers: finish reasons, usage, content parts, generated ids.
import { randomHex } from '../../lib/random-hex.js';
import type { FinishReason, NormalizedUsage, ReasoningDetail } from '../types.js';

export type Loose = Record<string, unknown>;

export function isRecord(v: unknown): v is Loose {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Ollama (and some vLLM tool parsers) omit tool-call ids; clients need one to answer the call. */
export function generateToolCallId(): string {
  return `call_${randomHex(12)}`;
}

/**
 * Upstream finish_reason → ARouter's. Beyond OpenAI's own values: `function_call` (legacy), DeepSeek's
 * `insufficient_system_resource` (Portkey finishReasonMap), Mistral's `model_length` and `error`.
 * A missing or unknown value counts as a normal stop. Tool calls turn a plain stop into `tool_calls`
 * (Ollama and vLLM say "stop" there); length/content_filter/error are kept since the calls may be cut off.
 */
export function mapFinishReason(native: string | null | undefined, hasToolCalls: boolean): FinishReason {
  let r: FinishReason;
  switch (native) {
    case 'length':
    case 'model_length':
    case 'max_tokens':
      r = 'length';
      break;
    case 'tool_calls':
    case 'function_call':
      r = 'tool_calls';
      break;
    case 'content_filter':
      r = 'content_filter';
      break;
    case 'error':
    case 'insufficient_system_resource':
      r = 'error';
      break;
    default:
      r = 'stop';
  }
  return r === 'stop' && hasToolCalls ? 'tool_calls' : r;
}

function count(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : undefined;
}

/**
 * OpenAI CompletionUsage → NormalizedUsage. OpenAI semantics already match ours (prompt includes cached,
 * completion includes reasoning). Provider extras: DeepSeek `prompt_cache_hit_tokens` (documented as part of
 * prompt_tokens, see docs.stigg.io/documentation/ai-agents/providers/deepseek), Moonshot-style top-level
 * `cached_tokens` [UNCONFIRMED]. Returns null when no counts are present.
 */
export function normalizeUsage(u: unknown): NormalizedUsage | null {
  if (!isRecord(u)) return null;
  const prompt = count(u.prompt_tokens);
  let completion = count(u.completion_tokens);
  const total = count(u.total_tokens);
  if (prompt === undefined && completion === undefined) return null;
  if (completion === undefined && total !== undefined && prompt !== undefined) completion = Math.max(0, total - prompt);
  const pd = isRecord(u.prompt_tokens_details) ? u.prompt_tokens_details : undefined;
  const cd = isRecord(u.completion_tokens_details) ? u.completion_tokens_details : undefined;
  const out: NormalizedUsage = {
    prompt_tokens: prompt ?? 0,
    completion_tokens: completion ?? 0,
    cached_read_tokens: count(pd?.cached_tokens) ?? count(u.prompt_cache_hit_tokens) ?? count(u.cached_tokens) ?? 0,
    cache_write_tokens: count(pd?.cache_write_tokens) ?? 0,
    reasoning_tokens: count(cd?.reasoning_tokens) ?? 0,
  };
  // generated media (OpenAI audio_tokens, OpenRouter image_tokens), priced apart where the catalog says so
  const image = count(cd?.image_tokens);
  const audio = count(cd?.audio_tokens);
  if (image) out.output_image_tokens = image;
  if (audio) out.output_audio_tokens = audio;
  const audioIn = count(pd?.audio_tokens);
  if (audioIn) out.input_audio_tokens = audioIn;
  return out;
}

/** Usage of a response or chunk: standard `usage`, else Groq's `x_groq.usage` (github.com/vercel/ai/issues/1651). */
export function usageOf(obj: Loose): NormalizedUsage | null {
  const u = normalizeUsage(obj.usage);
  if (u) return u;
  const xg = obj.x_groq;
  return isRecord(xg) ? normalizeUsage(xg.usage) : null;
}

/** Reasoning text of a message or delta: OpenRouter/vLLM ≥0.10 `reasoning`, DeepSeek/older vLLM `reasoning_content`. */
export function reasoningOf(m: Loose): string | null {
  const r = m.reasoning;
  if (typeof r === 'string' && r.length > 0) return r;
  const rc = m.reasoning_content;
  return typeof rc === 'string' && rc.length > 0 ? rc : null;
}

/**
 * Content given as an array of parts: Mistral's reasoning models answer
 * [{type:"thinking", thinking:[{type:"text",text}]}, {type:"text",text}] instead of a string.
 */
export function splitContentParts(parts: unknown[]): { text: string; reasoning: string } {
  let text = '';
  let reasoning = '';
  for (const p of parts) {
    if (typeof p === 'string') text += p;
    else if (!isRecord(p)) continue;
    else if (p.type === 'text' && typeof p.text === 'string') text += p.text;
    else if (p.type === 'thinking') {
      const t = p.thinking;
      if (typeof t === 'string') reasoning += t;
      else if (Array.isArray(t)) for (const x of t) if (isRecord(x) && typeof x.text === 'string') reasoning += x.text;
    }
  }
  return { text, reasoning };
}

/** Passes an upstream's OpenRouter-style reasoning_details through; with `exclude`, text-bearing ones are dropped. */
export function reasoningDetailsOf(v: unknown, exclude: boolean): ReasoningDetail[] {
  if (!Array.isArray(v) || v.length === 0) return [];
  const out: ReasoningDetail[] = [];
  for (const d of v) {
    if (!isRecord(d) || typeof d.type !== 'string') continue;
    if (exclude && (d.type === 'reasoning.text' || d.type === 'reasoning.summary')) continue;
    out.push(d as ReasoningDetail);
  }
  return out;
}

/** Tool-call arguments as a JSON string: some hosts send an object. */
export function argumentsString(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (v === undefined || v === null) return undefined;
  return JSON.stringify(v);
}
