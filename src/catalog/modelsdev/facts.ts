// Per-entry facts of a models.dev record in our vocabulary: modalities, prices, parameters, reasoning,
// tokenizer, tier, dates and a description of our own wording. Pure functions; build.ts assembles them.
import type { Modality, Pricing, ReasoningInfo } from '../types.js';
import { perMillionToPerToken, perUnit } from './price.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Toml = Record<string, any>;

const INPUTS: Record<string, Modality> = { text: 'text', image: 'image', audio: 'audio', pdf: 'file' };
const OUTPUTS: Record<string, Modality> = { text: 'text', image: 'image', audio: 'audio' };
const ORDER: Modality[] = ['text', 'image', 'audio', 'file', 'embeddings'];

/** chat vs embedding; a model is an embedding model when its name or family says so */
export function isEmbeddingEntry(key: string, d: Toml): boolean {
  return /embed/i.test(key) || /embed/i.test(String(d.family ?? ''));
}

/** our modalities, or the reason we cannot serve the entry through chat completions / embeddings */
export function modalitiesOf(key: string, d: Toml): { input: Modality[]; output: Modality[] } | string {
  if (isEmbeddingEntry(key, d)) return { input: ['text'], output: ['embeddings'] };
  const inRaw: string[] = d.modalities?.input ?? ['text'];
  const outRaw: string[] = d.modalities?.output ?? ['text'];
  if (!inRaw.includes('text')) return 'no text input';
  if (!outRaw.includes('text')) return `generates ${outRaw.join('+')} only (no chat text output)`;
  const input = ORDER.filter((m) => inRaw.some((r) => INPUTS[r] === m));
  const output = ORDER.filter((m) => outRaw.some((r) => OUTPUTS[r] === m));
  return { input, output };
}

/** every price field, converted exactly; null when the entry carries no usable price at all */
export function pricingOf(d: Toml): Pricing | null {
  const c: Toml | undefined = d.cost;
  if (!c || (c.input === undefined && c.output === undefined)) return null;
  const tok = (v: unknown) => (v === undefined || v === null ? '0' : perMillionToPerToken(v as number));
  const out: Pricing = {
    prompt: tok(c.input),
    completion: tok(c.output),
    request: c.request === undefined ? '0' : perUnit(c.request),
    image: c.image === undefined ? '0' : perUnit(c.image),
    web_search: '0',
    internal_reasoning: tok(c.reasoning),
    input_cache_read: tok(c.cache_read ?? c.cached_input ?? c.cache_input),
    input_cache_write: tok(c.cache_write ?? c.cached_write),
  };
  // a separate price for generated audio (DashScope's omni models); models.dev has no image-output price
  if (c.output_audio !== undefined) out.audio_output = tok(c.output_audio);
  // a separate price for audio in the prompt (Gemini, OpenAI audio models, omni models)
  if (c.input_audio !== undefined) out.audio = tok(c.input_audio);
  return out;
}

// The sampling parameters each upstream API honours, as the hand-written catalog listed them per dialect.
const SAMPLING: Record<string, string[]> = {
  openai: [
    'max_tokens',
    'temperature',
    'top_p',
    'stop',
    'frequency_penalty',
    'presence_penalty',
    'seed',
    'logprobs',
    'top_logprobs',
    'logit_bias',
  ],
  anthropic: ['max_tokens', 'temperature', 'top_p', 'top_k', 'stop'],
  google: ['max_tokens', 'temperature', 'top_p', 'top_k', 'stop', 'seed'],
  mistral: ['max_tokens', 'temperature', 'top_p', 'stop', 'frequency_penalty', 'presence_penalty', 'seed'],
  xai: ['max_tokens', 'temperature', 'top_p', 'seed', 'logprobs', 'top_logprobs'],
  deepseek: [
    'max_tokens',
    'temperature',
    'top_p',
    'stop',
    'frequency_penalty',
    'presence_penalty',
    'logprobs',
    'top_logprobs',
  ],
  groq: ['max_tokens', 'temperature', 'top_p', 'stop', 'frequency_penalty', 'presence_penalty', 'seed'],
  cerebras: ['max_tokens', 'temperature', 'top_p', 'stop', 'seed', 'logprobs', 'top_logprobs'],
  together: [
    'max_tokens',
    'temperature',
    'top_p',
    'top_k',
    'stop',
    'frequency_penalty',
    'presence_penalty',
    'seed',
    'logprobs',
    'top_logprobs',
  ],
  alibaba: [
    'max_tokens',
    'temperature',
    'top_p',
    'top_k',
    'stop',
    'presence_penalty',
    'seed',
    'logprobs',
    'top_logprobs',
  ],
  moonshot: ['max_tokens', 'temperature', 'top_p', 'stop', 'frequency_penalty', 'presence_penalty'],
  openrouter: [
    'max_tokens',
    'temperature',
    'top_p',
    'top_k',
    'stop',
    'frequency_penalty',
    'presence_penalty',
    'seed',
    'logprobs',
    'top_logprobs',
    'logit_bias',
  ],
};
SAMPLING.fireworks = SAMPLING.together;
SAMPLING.deepinfra = SAMPLING.together;
/** OpenRouter forwards a first-party model to its maker's API, which decides what sampling it honours */
const MAKER_API: Record<string, string> = {
  openai: 'openai',
  anthropic: 'anthropic',
  google: 'google',
  mistralai: 'mistral',
  'x-ai': 'xai',
  deepseek: 'deepseek',
  qwen: 'alibaba',
  moonshotai: 'moonshot',
};
/** providers whose tool calling also takes `parallel_tool_calls` */
const PARALLEL_TOOLS = new Set(['openai', 'mistral', 'xai', 'openrouter']);
/** what a fixed-temperature (reasoning) model stops accepting */
const FIXED_SAMPLING = new Set([
  'temperature',
  'top_p',
  'top_k',
  'frequency_penalty',
  'presence_penalty',
  'logprobs',
  'top_logprobs',
  'logit_bias',
]);

export const PARAM_ORDER = [
  'tools',
  'tool_choice',
  'parallel_tool_calls',
  'max_tokens',
  'temperature',
  'top_p',
  'top_k',
  'reasoning',
  'include_reasoning',
  'structured_outputs',
  'response_format',
  'stop',
  'frequency_penalty',
  'presence_penalty',
  'seed',
  'logprobs',
  'top_logprobs',
  'logit_bias',
  'verbosity',
  'prediction',
  'dimensions',
];

export function sortParams(ps: Iterable<string>): string[] {
  return [...new Set(ps)].sort((a, b) => PARAM_ORDER.indexOf(a) - PARAM_ORDER.indexOf(b));
}

/** supported_parameters of one endpoint (our provider id), from the entry's flags */
export function paramsOf(provider: string, key: string, d: Toml, embedding: boolean): string[] {
  if (embedding) return /^(text-embedding-3|gemini-embedding)/.test(key.split('/').pop() ?? '') ? ['dimensions'] : [];
  const out: string[] = [];
  if (d.tool_call === true) {
    out.push('tools', 'tool_choice');
    if (PARALLEL_TOOLS.has(provider)) out.push('parallel_tool_calls');
  }
  if (d.reasoning === true) out.push('reasoning', 'include_reasoning');
  if (d.structured_output === true) out.push('structured_outputs', 'response_format');
  let sampling = SAMPLING[provider === 'openrouter' ? (MAKER_API[key.split('/')[0]] ?? provider) : provider] ?? [
    'max_tokens',
    'temperature',
    'top_p',
    'stop',
  ];
  if (d.temperature === false) {
    sampling = sampling.filter((p) => !FIXED_SAMPLING.has(p) && !(provider === 'openai' && p === 'stop'));
  }
  out.push(...sampling);
  return sortParams(out);
}

const EFFORTS = ['minimal', 'low', 'medium', 'high'];

/**
 * Reasoning controls from `reasoning_options`: efforts we publish (minimal..high; "xhigh"/"max" are provider
 * extras), optional when the model can be told not to think (a toggle, a token budget, or a "none" effort).
 */
export function reasoningOf(d: Toml): ReasoningInfo | null {
  if (d.reasoning !== true) return null;
  const opts: Toml[] = Array.isArray(d.reasoning_options) ? d.reasoning_options : [];
  const values: string[] = opts.filter((o) => o.type === 'effort').flatMap((o) => o.values ?? []);
  const efforts = EFFORTS.filter((e) => values.includes(e));
  const budgetOpt = opts.find((o) => o.type === 'budget_tokens');
  const budget = budgetOpt !== undefined;
  const optional = budget || opts.some((o) => o.type === 'toggle') || values.includes('none');
  const info: ReasoningInfo = {
    supported_efforts: efforts,
    default_effort: efforts.includes('medium') ? 'medium' : null,
    mandatory: !optional,
    supports_max_tokens: budget,
  };
  // the dialects clamp a client's budget into this range: outside it Gemini answers 400
  if (typeof budgetOpt?.min === 'number') info.min_budget = budgetOpt.min;
  if (typeof budgetOpt?.max === 'number') info.max_budget = budgetOpt.max;
  return info;
}

/** the tokenizer family name src/accounting/tokenizer.ts counts with */
export function tokenizerOf(id: string): string {
  const [author, slug] = id.split('/');
  if (author === 'openai') {
    if (/^(gpt-4o|gpt-4\.1|gpt-5|o\d|gpt-oss|gpt-audio|gpt-chat|chatgpt|codex)/.test(slug)) return 'o200k_base';
    return 'cl100k_base';
  }
  if (slug.includes('distill-llama')) return 'llama3';
  if (slug.includes('distill-qwen')) return 'qwen';
  if (/llama-?4/.test(slug)) return 'llama4';
  if (/llama-?3|l3/.test(slug)) return 'llama3';
  if (author === 'google') return slug.startsWith('gemma') ? 'gemma' : 'gemini';
  const byAuthor: Record<string, string> = {
    anthropic: 'claude',
    qwen: 'qwen',
    'x-ai': 'grok',
    'meta-llama': 'llama3',
    mistralai: 'mistral',
    deepseek: 'deepseek',
    moonshotai: 'kimi',
    'z-ai': 'glm',
    minimax: 'minimax',
  };
  return byAuthor[author] ?? 'other';
}

/**
 * 1 (best) .. 5 from the output price of the primary paid endpoint, USD per million tokens: ≥ $10 → 1,
 * ≥ $4 → 2, ≥ $1 → 3, ≥ $0.20 → 4, cheaper → 5; embedding models sit at 3 (they never compete with chat).
 * Price tracks the providers' own positioning of a model (flagship / mid / small) better than any other
 * fact the database has; the curated overrides pin the tiers the auto-router tests rely on.
 */
export function qualityTierOf(completionPerToken: string, embedding: boolean): number {
  if (embedding) return 3;
  const perM = Number(completionPerToken) * 1e6;
  if (perM >= 10) return 1;
  if (perM >= 4) return 2;
  if (perM >= 1) return 3;
  if (perM >= 0.2) return 4;
  return 5;
}

/** unix seconds of a "YYYY-MM-DD" or "YYYY-MM" release date (UTC midnight) */
export function createdOf(date: unknown): number | null {
  const m = /^(\d{4})-(\d{2})(?:-(\d{2}))?/.exec(String(date ?? ''));
  if (!m) return null;
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3] ?? 1)) / 1000;
}

const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

function tokens(n: number): string {
  if (n >= 1_000_000) return `${+(n / 1_000_000).toFixed(1)}M`;
  return `${Math.round(n / 1000)}K`;
}

export interface DescribeFacts {
  maker: string;
  name: string;
  created: number;
  context: number;
  input: Modality[];
  output: Modality[];
  reasoning: ReasoningInfo | null;
  tools: boolean;
  openWeights: boolean;
  providers: number;
}

/** a one-sentence summary generated from facts, in our own words */
export function describe(f: DescribeFacts): string {
  const when = new Date(f.created * 1000);
  const kind = f.output.includes('embeddings')
    ? 'text embedding model'
    : f.reasoning
      ? f.reasoning.mandatory
        ? 'reasoning model'
        : 'chat model with optional reasoning'
      : 'chat model';
  const and = (xs: string[]) => xs.join(', ').replace(/, ([^,]*)$/, ' and $1');
  const extraIn = f.input.filter((m) => m !== 'text');
  const extraOut = f.output.filter((m) => m !== 'text' && m !== 'embeddings');
  const traits = [`a ${tokens(f.context)}-token context`];
  if (extraIn.length) traits.push(`${and(extraIn)} input`);
  if (extraOut.length) traits.push(`${and(extraOut)} output`);
  if (f.tools) traits.push('tool calling');
  const released = `${MONTHS[when.getUTCMonth()]} ${when.getUTCFullYear()}`;
  const parts = [
    `${f.name}: ${f.maker}'s ${f.openWeights ? 'open-weight ' : ''}${kind} of ${released}`,
    `with ${and(traits)}`,
  ];
  const served = f.providers === 1 ? 'one provider' : `${f.providers} providers`;
  return `${parts.join(', ')}; served here by ${served}.`;
}
