// Final token counts and cost of a generation. Upstream usage wins when given; otherwise (or for a
// stream cut short) tokens are counted locally with the model's tokenizer, and an estimate never exceeds
// what the request could have produced (its prompt plus its max output tokens).
import type { Pricing } from '../catalog/types.js';
import type { NormalizedUsage } from '../providers/types.js';
import { computeCost, type UsageCounts } from './cost.js';
import { countTextTokens } from './tokenizer.js';
import type { Pusd } from './money.js';

export interface GeneratedText {
  content: string;
  reasoning: string;
  /** tool names + argument JSON */
  tools: string;
}

export interface FinalUsage {
  counts: UsageCounts;
  estimated: boolean;
  cost: Pusd;
}

export function finalUsage(opts: {
  upstream: NormalizedUsage | null;
  /** local prompt count, only called when the upstream reported no usage */
  promptTokens: () => number;
  inputImages: number;
  generated: GeneratedText;
  tokenizer: string;
  maxTokens: number;
  pricing: Pricing;
  /** nothing was delivered (failed request): cost is zero */
  delivered: boolean;
}): FinalUsage {
  let counts: UsageCounts;
  let estimated = false;
  const u = opts.upstream;
  if (u) {
    counts = {
      prompt_tokens: u.prompt_tokens,
      completion_tokens: u.completion_tokens,
      cached_read_tokens: u.cached_read_tokens,
      cache_write_tokens: u.cache_write_tokens,
      reasoning_tokens: u.reasoning_tokens,
      input_images: opts.inputImages,
      web_searches: 0,
    };
    if (u.output_image_tokens) counts.output_image_tokens = u.output_image_tokens;
    if (u.output_audio_tokens) counts.output_audio_tokens = u.output_audio_tokens;
    if (u.input_audio_tokens) counts.input_audio_tokens = u.input_audio_tokens;
  } else {
    estimated = true;
    const g = opts.generated;
    const reasoning = g.reasoning ? countTextTokens(g.reasoning, opts.tokenizer) : 0;
    const visible =
      (g.content ? countTextTokens(g.content, opts.tokenizer) : 0) +
      (g.tools ? countTextTokens(g.tools, opts.tokenizer) : 0);
    const completion = Math.min(reasoning + visible, opts.maxTokens);
    counts = {
      prompt_tokens: opts.promptTokens(),
      completion_tokens: completion,
      cached_read_tokens: 0,
      cache_write_tokens: 0,
      reasoning_tokens: Math.min(reasoning, completion),
      input_images: opts.inputImages,
      web_searches: 0,
    };
  }
  const cost = opts.delivered ? computeCost(opts.pricing, counts).total : 0n;
  return { counts, estimated, cost };
}

/** the OpenAI `usage` object, extended with cost (USD number) and token details */
export function usageJson(f: FinalUsage, costUsd: number) {
  const c = f.counts;
  return {
    prompt_tokens: c.prompt_tokens,
    completion_tokens: c.completion_tokens,
    total_tokens: c.prompt_tokens + c.completion_tokens,
    prompt_tokens_details: { cached_tokens: c.cached_read_tokens, cache_write_tokens: c.cache_write_tokens },
    completion_tokens_details: {
      reasoning_tokens: c.reasoning_tokens,
      ...(c.output_image_tokens ? { image_tokens: c.output_image_tokens } : {}),
      ...(c.output_audio_tokens ? { audio_tokens: c.output_audio_tokens } : {}),
    },
    cost: costUsd,
    is_byok: false,
    ...(f.estimated ? { estimated: true } : {}),
  };
}

/**
 * usageJson(f, costUsd) as JSON text, byte for byte what JSON.stringify makes of it, from a template: it is
 * written for every answer and every stream, and nothing in it needs escaping (integers, a finite number).
 */
export function usageText(f: FinalUsage, costUsd: number): string {
  const c = f.counts;
  // generated media is rare: those answers take the generic way rather than widen the template
  if (c.output_image_tokens || c.output_audio_tokens) return JSON.stringify(usageJson(f, costUsd));
  // counts come from upstreams: anything not a finite number goes the generic way (JSON writes it as null)
  if (
    !Number.isFinite(
      c.prompt_tokens +
        c.completion_tokens +
        c.cached_read_tokens +
        c.cache_write_tokens +
        c.reasoning_tokens +
        costUsd,
    )
  ) {
    return JSON.stringify(usageJson(f, costUsd));
  }
  return (
    `{"prompt_tokens":${c.prompt_tokens},"completion_tokens":${c.completion_tokens},"total_tokens":${c.prompt_tokens + c.completion_tokens},` +
    `"prompt_tokens_details":{"cached_tokens":${c.cached_read_tokens},"cache_write_tokens":${c.cache_write_tokens}},` +
    `"completion_tokens_details":{"reasoning_tokens":${c.reasoning_tokens}},"cost":${costUsd},"is_byok":false${f.estimated ? ',"estimated":true' : ''}}`
  );
}
