// Deterministic reply planning shared by the three simulated upstreams. Each dialect reduces its request
// to a NeutralRequest; planReply() decides text / reasoning / tool calls / finish and counts tokens
// (ceil(chars/4) per text, IMAGE_TOKENS per image), so tests can assert exact content and usage.
import { createHash } from 'node:crypto';
import { exampleFromSchema } from './schema-example.js';
import type { SimRule } from './server.js';

export const IMAGE_TOKENS = 85;
export const approxTokens = (s: string): number => Math.ceil(s.length / 4);

/** decoded bytes of a base64 payload (or base64 data URL), from its length */
export function base64Size(data: string): number {
  const comma = data.startsWith('data:') ? data.indexOf(',') : -1;
  const pad = data.endsWith('==') ? 2 : data.endsWith('=') ? 1 : 0;
  return Math.max(0, Math.floor(((data.length - comma - 1) * 3) / 4) - pad);
}
/** the simulators' audio / document tokens: one per 100 decoded bytes (deterministic, for usage assertions) */
export const mediaTokens = (bytes: number): number => Math.ceil(bytes / 100);

export interface ToolSpec {
  name: string;
  /** JSON Schema or Gemini Schema of the arguments (may be undefined) */
  schema: unknown;
}

export interface NeutralRequest {
  model: string;
  /** joined text of the last user message ('' when none) */
  lastUserText: string;
  /** non-null when the last message carries tool results: their text contents, in order */
  toolResults: string[] | null;
  /** images anywhere in the request */
  imageCount: number;
  /** audio and files anywhere in the request, described for the reply ("audio (wav, 1234 bytes)") */
  received?: string[];
  tools: ToolSpec[];
  /** 'named' forces `name`; 'required' forces some tool */
  toolChoice: { mode: 'auto' | 'none' | 'required' | 'named'; name?: string };
  /** more than one tool call may be made in one turn */
  parallel: boolean;
  /** JSON output requested: schema null = any JSON object */
  json: { schema: unknown } | null;
  reasoning: boolean;
  /** completion budget (reasoning + text) or null */
  maxTokens: number | null;
  stop: string[];
}

export interface PlannedToolCall {
  name: string;
  args: Record<string, unknown>;
  /** serialized arguments (JSON) */
  json: string;
}

export interface ReplyPlan {
  reasoning: string | null;
  text: string;
  toolCalls: PlannedToolCall[];
  finish: 'stop' | 'length' | 'tool_calls' | 'stop_sequence';
  /** the stop sequence that ended the text, when finish is stop_sequence */
  stopSequence: string | null;
  reasoningTokens: number;
  /** text + tool-call argument tokens */
  outputTokens: number;
  /** reasoning + output */
  completionTokens: number;
}

export function defaultReplyText(req: NeutralRequest): string {
  if (req.toolResults) return `Tool results: ${req.toolResults.join('; ')}`;
  return `Hello from ${req.model}. You said: ${req.lastUserText.slice(0, 40)}`;
}

function reasoningText(req: NeutralRequest, calls: PlannedToolCall[]): string {
  if (req.toolResults) return 'The tool results are in; I will summarise them for the user.';
  if (calls.length) return `The user needs data from ${calls.map((c) => c.name).join(' and ')}; I will call it first.`;
  return `The user said "${req.lastUserText.slice(0, 40)}". A short, direct answer is best.`;
}

function truncateToTokens(s: string, tokens: number): string {
  return s.length <= tokens * 4 ? s : s.slice(0, Math.max(0, tokens * 4));
}

export function planReply(req: NeutralRequest, rule?: SimRule | null): ReplyPlan {
  let calls: PlannedToolCall[] = [];
  if (rule?.toolCalls) {
    calls = rule.toolCalls.map((c) => ({
      name: c.name,
      args: c.arguments ?? {},
      json: JSON.stringify(c.arguments ?? {}),
    }));
  } else if (
    req.tools.length &&
    req.toolResults === null &&
    req.toolChoice.mode !== 'none' &&
    rule?.reply === undefined
  ) {
    let chosen: ToolSpec[];
    if (req.toolChoice.mode === 'named')
      chosen = [
        req.tools.find((t) => t.name === req.toolChoice.name) ?? { name: req.toolChoice.name ?? '', schema: undefined },
      ];
    else chosen = req.parallel && req.tools.length >= 2 ? req.tools.slice(0, 2) : req.tools.slice(0, 1);
    calls = chosen.map((t) => {
      const ex = exampleFromSchema(t.schema ?? { type: 'object', properties: {} });
      const args = (typeof ex === 'object' && ex !== null && !Array.isArray(ex) ? ex : {}) as Record<string, unknown>;
      return { name: t.name, args, json: JSON.stringify(args) };
    });
  }

  let text = '';
  if (rule?.reply !== undefined) text = rule.reply;
  else if (!calls.length) {
    const received = req.received?.length ? ` I received ${req.received.join('; ')}.` : '';
    const plain = defaultReplyText(req) + (req.imageCount > 0 ? ` I see ${req.imageCount} image(s).` : '') + received;
    if (req.json) text = JSON.stringify(req.json.schema ? exampleFromSchema(req.json.schema) : { reply: plain });
    else text = plain;
  }

  let reasoning = req.reasoning ? reasoningText(req, calls) : null;
  let finish: ReplyPlan['finish'] = calls.length ? 'tool_calls' : 'stop';
  let stopSequence: string | null = null;

  // stop sequences cut the text before the earliest match
  let cut = -1;
  for (const s of req.stop) {
    if (!s) continue;
    const at = text.indexOf(s);
    if (at >= 0 && (cut < 0 || at < cut)) {
      cut = at;
      stopSequence = s;
    }
  }
  if (cut >= 0) {
    text = text.slice(0, cut);
    finish = 'stop_sequence';
  }

  // max tokens: reasoning spends the budget first, then text; tool calls are never cut
  const budget = req.maxTokens ?? Infinity;
  if (reasoning !== null && approxTokens(reasoning) > budget) {
    reasoning = truncateToTokens(reasoning, budget);
    text = '';
    calls = [];
    finish = 'length';
    stopSequence = null;
  } else {
    const left = budget - (reasoning ? approxTokens(reasoning) : 0);
    if (approxTokens(text) > left) {
      text = truncateToTokens(text, left);
      finish = 'length';
      stopSequence = null;
    }
  }
  const reasoningTokens = reasoning ? approxTokens(reasoning) : 0;
  const outputTokens = approxTokens(text) + calls.reduce((n, c) => n + approxTokens(c.name) + approxTokens(c.json), 0);
  return {
    reasoning,
    text,
    toolCalls: calls,
    finish,
    stopSequence,
    reasoningTokens,
    outputTokens,
    completionTokens: reasoningTokens + outputTokens,
  };
}

/** Splits text into stream pieces of about two words each (whitespace kept, concatenation is lossless). */
export function splitWords(text: string, per = 2): string[] {
  const words = text.match(/\s*\S+/g) ?? [];
  const out: string[] = [];
  for (let i = 0; i < words.length; i += per) out.push(words.slice(i, i + per).join(''));
  const tail = text.slice(out.join('').length);
  if (tail && out.length) out[out.length - 1] += tail;
  else if (tail) out.push(tail);
  return out;
}

/** Splits a string into `n` roughly equal, non-empty fragments (lossless). */
export function splitFragments(s: string, n = 3): string[] {
  if (s.length <= 1) return [s];
  const size = Math.ceil(s.length / n);
  const out: string[] = [];
  for (let i = 0; i < s.length; i += size) out.push(s.slice(i, i + size));
  return out;
}

/** Deterministic id body (alphanumeric, `len` chars) from a seed. */
export function stableId(seed: string, len = 24): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  let out = '';
  for (let round = 0; out.length < len; round++) {
    for (const b of createHash('sha256').update(`${round}:${seed}`).digest()) out += alphabet[b % alphabet.length];
  }
  return out.slice(0, len);
}

/** Deterministic unit-length embedding from a hash of the input. */
export function embed(input: string, dims: number): number[] {
  const out: number[] = [];
  for (let block = 0; out.length < dims; block++) {
    const h = createHash('sha256').update(`${block}:${input}`).digest();
    for (let i = 0; i + 4 <= h.length && out.length < dims; i += 4) out.push(h.readUInt32LE(i) / 0xffffffff - 0.5);
  }
  const norm = Math.sqrt(out.reduce((s, x) => s + x * x, 0)) || 1;
  return out.map((x) => Math.fround(x / norm));
}

/** One prompt item (tools, system, message, block) for prefix caching. */
export interface PromptSegment {
  key: string;
  tokens: number;
  /** Anthropic cache_control on this item */
  breakpoint?: boolean;
}

/**
 * Prompt-prefix cache shared by a server's requests. `implicit` models OpenAI/Gemini automatic caching
 * (longest previously seen prefix at an item boundary, at least `min` tokens, rounded down to
 * `granularity`); `explicit` models Anthropic cache_control breakpoints (read = longest seen breakpoint
 * prefix, write = the rest up to the last breakpoint when that prefix is new).
 */
export class PromptCache {
  private seen = new Set<string>();

  private prefixes(segs: PromptSegment[]): Array<{ hash: string; tokens: number; breakpoint: boolean }> {
    let h = '';
    let t = 0;
    return segs.map((s) => {
      h = createHash('sha1')
        .update(h + '\u0000' + s.key)
        .digest('hex');
      t += s.tokens;
      return { hash: h, tokens: t, breakpoint: !!s.breakpoint };
    });
  }

  implicit(segs: PromptSegment[], min: number, granularity = 1): number {
    const ps = this.prefixes(segs);
    let cached = 0;
    for (const p of ps)
      if (this.seen.has(p.hash) && p.tokens >= min) cached = Math.floor(p.tokens / granularity) * granularity;
    for (const p of ps) if (p.tokens >= min) this.seen.add(p.hash);
    return cached;
  }

  explicit(segs: PromptSegment[], min: number): { read: number; write: number } {
    const bps = this.prefixes(segs).filter((p) => p.breakpoint && p.tokens >= min);
    if (!bps.length) return { read: 0, write: 0 };
    let read = 0;
    for (const p of bps) if (this.seen.has(p.hash)) read = p.tokens;
    const last = bps[bps.length - 1];
    const write = this.seen.has(last.hash) ? 0 : last.tokens - read;
    for (const p of bps) this.seen.add(p.hash);
    return { read, write };
  }

  clear(): void {
    this.seen.clear();
  }
}
