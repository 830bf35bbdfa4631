// What a chat request needs from an endpoint, extracted once per (request, tokenizer) so that every
// filter and ranking rule reads the same facts. Prompt tokens depend on the model's tokenizer, which is
// why the auto router extracts features per tokenizer rather than once per request.
import { countChatPromptTokens, estimateChatUpperBound } from '../accounting/tokenizer.js';
import type { Modality } from '../catalog/types.js';
import type { ChatRequest, ChatToolChoice } from '../protocol/chat-request.js';
import { requestedOutputs, type OutputModality } from '../protocol/output-modalities.js';
import type { Variant } from './resolve.js';

export type ResponseFormatKind = 'json_object' | 'json_schema';

/**
 * Prompt tokens of one request under one tokenizer. A cheap byte-based upper bound is known at once; the
 * exact count (BPE, the expensive part, and the reason the tokenizer tables sit in memory) is computed
 * only when a decision needs it. Every decision taken on the bound is the one the exact count would take:
 * `fits` only trusts the bound when it is conclusive.
 */
export class PromptTokens {
  readonly bound: number;
  readonly images: number;
  private exactCount: number | null = null;

  constructor(
    private readonly messages: unknown[],
    private readonly tokenizer: string,
    private readonly tools: unknown[] | undefined,
    /** already counted (embeddings' input): bound and exact are this */
    counted?: number,
  ) {
    if (counted !== undefined) {
      this.bound = this.exactCount = counted;
      this.images = 0;
      return;
    }
    const b = estimateChatUpperBound(messages, tokenizer, tools);
    this.bound = b.tokens;
    this.images = b.images;
  }

  /** the count with the model's tokenizer (memoised) */
  get exact(): number {
    return (this.exactCount ??= countChatPromptTokens(this.messages, this.tokenizer, this.tools).tokens);
  }

  /** exact once counted; before that ~4 bytes a token (English text), never above the bound — for ranking */
  get estimate(): number {
    return this.exactCount ?? Math.min(this.bound, Math.ceil(this.bound / 4) + 4);
  }

  /** prompt + `extra` ≤ `limit`, decided exactly (the bound alone only when it already fits) */
  fits(extra: number, limit: number): boolean {
    // max_tokens alone past the limit (1e9) needs no count of the prompt
    if (extra > limit) return false;
    return this.bound + extra <= limit || this.exact + extra <= limit;
  }
}

export interface RequestFeatures {
  prompt: PromptTokens;
  /** exact prompt tokens (counts on first read: prefer `prompt.fits` / `prompt.estimate` on hot paths) */
  readonly promptTokens: number;
  inputImages: number;
  /** input modalities beyond text the messages carry ("image", "audio", "file") */
  inputModalities: Modality[];
  /** output modalities beyond text the request asks for (`modalities`: "image", "audio") */
  outputModalities: OutputModality[];
  /** the first part carrying each of inputModalities, in the same order: what a 400 names */
  inputParts: InputPart[];
  /** the request defines at least one tool */
  tools: boolean;
  toolChoice: ChatToolChoice | null;
  responseFormat: ResponseFormatKind | null;
  /** reasoning asked for by the client or forced by `:thinking` */
  reasoning: boolean;
  /** max_completion_tokens ?? max_tokens, null when the client set neither */
  maxOutputTokens: number | null;
  /** the name the client gave it, for errors: "max_completion_tokens" when set, else "max_tokens" */
  maxOutputParam: 'max_tokens' | 'max_completion_tokens';
  /** OpenAI/OpenRouter parameter names the request uses, as they appear in supported_parameters */
  parameters: string[];
}

// Sampling / decoding knobs that map 1:1 to a supported_parameters entry when present and non-null.
// The last six arrive through the schema's additionalProperties (OpenRouter extras, logprobs).
const PLAIN_PARAMS = [
  'temperature',
  'top_p',
  'top_k',
  'stop',
  'seed',
  'frequency_penalty',
  'presence_penalty',
  'parallel_tool_calls',
  'logprobs',
  'top_logprobs',
  'logit_bias',
  'min_p',
  'top_a',
  'repetition_penalty',
  'verbosity',
  'prediction',
] as const;

function present(v: unknown): boolean {
  return v !== undefined && v !== null;
}

/**
 * Whether the client asked for reasoning. An explicit `reasoning.enabled: false` is an explicit "off" and
 * wins over an effort or budget given alongside it; `include_reasoning: false` only hides reasoning text,
 * so it does not count as asking (it must not exclude non-reasoning models).
 */
export function reasoningRequested(req: ChatRequest, variant: Variant | null): boolean {
  if (variant === 'thinking') return true;
  const r = req.reasoning;
  if (r !== undefined && r !== null) {
    // `reasoning: {}` means "reason with defaults" (OpenRouter); `{exclude: true}` the same, hidden.
    // A zero budget and effort "none" are other ways of saying "off".
    return r.enabled !== false && r.max_tokens !== 0 && r.effort !== 'none' && req.reasoning_effort !== 'none';
  }
  if (present(req.reasoning_effort)) return req.reasoning_effort !== 'none';
  return req.include_reasoning === true;
}

export function responseFormatKind(req: ChatRequest): ResponseFormatKind | null {
  const t = req.response_format?.type;
  return t === 'json_object' || t === 'json_schema' ? t : null;
}

/** A content part that needs an input modality beyond text, located for error messages. */
export interface InputPart {
  modality: Modality;
  /** the part's `type` as the client wrote it: "image_url", "input_audio", "file" */
  type: string;
  /** e.g. "messages[2].content[1]" */
  param: string;
}

const PART_MODALITY: Record<string, Modality> = { image_url: 'image', input_audio: 'audio', file: 'file' };
const NO_PARTS: InputPart[] = [];

/** The first part of each non-text modality, in order of appearance (text-only requests allocate nothing). */
export function inputParts(messages: ChatRequest['messages']): InputPart[] {
  let out = NO_PARTS;
  for (let i = 0; i < messages.length; i++) {
    const content = messages[i].content;
    if (!Array.isArray(content)) continue;
    for (let j = 0; j < content.length; j++) {
      const type = (content[j] as { type?: unknown }).type;
      const modality = typeof type === 'string' ? PART_MODALITY[type] : undefined;
      if (modality === undefined || out.some((p) => p.modality === modality)) continue;
      if (out === NO_PARTS) out = [];
      out.push({ modality, type: type as string, param: `messages[${i}].content[${j}]` });
    }
  }
  return out;
}

/** Parameter names a request uses, for `provider.require_parameters`. */
export function usedParameters(req: ChatRequest, variant: Variant | null): string[] {
  const out: string[] = [];
  const r = req as Record<string, unknown>;
  for (const p of PLAIN_PARAMS) if (present(r[p])) out.push(p);
  if ((req.tools?.length ?? 0) > 0) out.push('tools');
  if (present(req.tool_choice)) out.push('tool_choice');
  const rf = responseFormatKind(req);
  if (rf !== null) out.push('response_format');
  // strict JSON schemas are a separate capability in the catalog (json_object-only endpoints exist)
  if (rf === 'json_schema') out.push('structured_outputs');
  if (present(req.max_tokens) || present(req.max_completion_tokens)) out.push('max_tokens');
  if (reasoningRequested(req, variant)) out.push('reasoning');
  if (present(req.include_reasoning)) out.push('include_reasoning');
  return out;
}

export function extractFeatures(req: ChatRequest, tokenizer: string, variant: Variant | null = null): RequestFeatures {
  const tools = (req.tools?.length ?? 0) > 0;
  return fromCount(req, new PromptTokens(req.messages, tokenizer, tools ? req.tools : undefined), variant);
}

function fromCount(req: ChatRequest, prompt: PromptTokens, variant: Variant | null): RequestFeatures {
  return new Features(req, prompt, variant);
}

/** A class, not an object literal with a getter: V8 builds those ~50× slower (measured 0.6 µs vs 12 ns). */
class Features implements RequestFeatures {
  readonly inputImages: number;
  readonly inputModalities: Modality[];
  readonly outputModalities: OutputModality[];
  readonly inputParts: InputPart[];
  readonly tools: boolean;
  readonly toolChoice: ChatToolChoice | null;
  readonly responseFormat: ResponseFormatKind | null;
  readonly reasoning: boolean;
  readonly maxOutputTokens: number | null;
  readonly maxOutputParam: 'max_tokens' | 'max_completion_tokens';
  readonly parameters: string[];

  constructor(
    req: ChatRequest,
    readonly prompt: PromptTokens,
    variant: Variant | null,
  ) {
    this.inputImages = prompt.images;
    this.inputParts = inputParts(req.messages);
    this.inputModalities = this.inputParts.map((p) => p.modality);
    this.outputModalities = requestedOutputs(req);
    this.tools = (req.tools?.length ?? 0) > 0;
    this.toolChoice = req.tool_choice ?? null;
    this.responseFormat = responseFormatKind(req);
    this.reasoning = reasoningRequested(req, variant);
    this.maxOutputTokens = req.max_completion_tokens ?? req.max_tokens ?? null;
    this.maxOutputParam = req.max_completion_tokens != null ? 'max_completion_tokens' : 'max_tokens';
    this.parameters = usedParameters(req, variant);
  }

  get promptTokens(): number {
    return this.prompt.exact;
  }
}

/** The features of a request that is only a counted input (embeddings): no output, tools or parameters. */
export function countedFeatures(promptTokens: number): RequestFeatures {
  const prompt = new PromptTokens([], '', undefined, promptTokens);
  return {
    prompt,
    promptTokens,
    inputImages: 0,
    inputModalities: [],
    inputParts: [],
    outputModalities: [],
    tools: false,
    toolChoice: null,
    responseFormat: null,
    reasoning: false,
    maxOutputTokens: 0,
    maxOutputParam: 'max_tokens',
    parameters: [],
  };
}

export type FeaturesFor = (tokenizer: string, variant?: Variant | null) => RequestFeatures;

/**
 * Features of one request for any (tokenizer, variant): the auto router and `models[]` score many models,
 * most sharing a handful of tokenizers, and counting a long prompt is the only expensive part - so counts
 * are shared per tokenizer and only the cheap variant-dependent fields are rebuilt.
 */
export function featureCache(req: ChatRequest): FeaturesFor {
  const counts = new Map<string, PromptTokens>();
  const built = new Map<string, RequestFeatures>();
  const tools = (req.tools?.length ?? 0) > 0 ? req.tools : undefined;
  return (tokenizer, variant = null) => {
    const key = `${variant ?? ''}|${tokenizer}`;
    let f = built.get(key);
    if (f === undefined) {
      let c = counts.get(tokenizer);
      if (c === undefined) {
        c = new PromptTokens(req.messages, tokenizer, tools);
        counts.set(tokenizer, c);
      }
      f = fromCount(req, c, variant);
      built.set(key, f);
    }
    return f;
  };
}
