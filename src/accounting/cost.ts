// Request cost from catalog pricing and upstream usage, exact in pUSD (see money.ts).
//
// Usage follows OpenAI semantics, which provider adapters must normalise to before calling this:
// - prompt_tokens INCLUDES cached_read_tokens and cache_write_tokens
//   (Anthropic reports them separately; its adapter adds them back in);
// - completion_tokens INCLUDES reasoning_tokens.
// Inconsistent reports (cached > prompt, reasoning > completion) are not trusted to produce negative
// components: the "remaining" parts are floored at 0 and the explicit counts are still charged.

import {
  MEDIA_PRICE_FIELDS,
  PRICE_FIELDS,
  type MediaPriceField,
  type PriceField,
  type Pricing,
} from '../catalog/types.js';
import { maxUsd, mulCount, parseUsd, type Pusd } from './money.js';

export interface UsageCounts {
  prompt_tokens: number;
  completion_tokens: number;
  cached_read_tokens: number;
  cache_write_tokens: number;
  reasoning_tokens: number;
  input_images: number;
  web_searches: number;
  /** generated image / audio tokens, part of completion_tokens (absent = none) */
  output_image_tokens?: number;
  output_audio_tokens?: number;
  /** audio tokens of the prompt, part of prompt_tokens (absent = none) */
  input_audio_tokens?: number;
}

/** Catalog pricing with every field parsed to pUSD once, so the per-request path does no string work. */
export type ParsedPricing = Readonly<Record<PriceField | MediaPriceField, Pusd>> & { readonly __parsed: true };

/** Every component in pUSD; `total` is their exact sum. */
export interface CostBreakdown {
  /** uncached prompt tokens at the prompt price */
  prompt: Pusd;
  /** cached-read tokens at the effective cache-read price */
  cache_read: Pusd;
  /** cache-write tokens at the effective cache-write price */
  cache_write: Pusd;
  /** completion tokens that are not reasoning, at the completion price */
  completion: Pusd;
  /** reasoning tokens at the effective reasoning price */
  reasoning: Pusd;
  /** generated image tokens at the effective image-output price */
  image_output: Pusd;
  /** generated audio tokens at the effective audio-output price */
  audio_output: Pusd;
  /** prompt audio tokens at the effective audio-input price */
  audio_input: Pusd;
  request: Pusd;
  image: Pusd;
  web_search: Pusd;
  total: Pusd;
}

export function parsePricing(p: Pricing): ParsedPricing {
  const out: Partial<Record<PriceField | MediaPriceField, Pusd>> = {};
  for (const f of [...PRICE_FIELDS, ...MEDIA_PRICE_FIELDS]) {
    const raw = (p as Partial<Pricing>)[f];
    // A field missing from an operator override means "no charge for this"; a present but malformed value
    // is a configuration error worth failing loudly on, so parseUsd's error is rethrown with the field name.
    if (raw === undefined || raw === null) {
      out[f] = 0n;
      continue;
    }
    try {
      out[f] = parseUsd(raw);
    } catch (e) {
      throw new Error(`pricing.${f}: ${(e as Error).message}`, { cause: e });
    }
  }
  return Object.freeze({ ...(out as Record<PriceField | MediaPriceField, Pusd>), __parsed: true as const });
}

function isParsed(p: Pricing | ParsedPricing): p is ParsedPricing {
  return (p as ParsedPricing).__parsed === true;
}

// Parsing is cheap but not free; callers that pass raw catalog objects repeatedly get memoised parses.
const parseCache = new WeakMap<Pricing, ParsedPricing>();

export function asParsed(p: Pricing | ParsedPricing): ParsedPricing {
  if (isParsed(p)) return p;
  let parsed = parseCache.get(p);
  if (parsed === undefined) {
    parsed = parsePricing(p);
    parseCache.set(p, parsed);
  }
  return parsed;
}

/**
 * Effective per-token prices after the catalog's "0 means not published" rules:
 *
 * - input_cache_read / input_cache_write = "0": catalogs (the OpenRouter Models API included) put "0" in
 *   these fields when the provider publishes no cache pricing, not when cached tokens are free. A provider
 *   that reports cached tokens without a published discount bills them as normal input, so we charge the
 *   prompt price. A genuinely free model has prompt = "0" too, and so still costs nothing.
 * - internal_reasoning = "0": reasoning tokens are billed as output by every provider we know of unless a
 *   separate reasoning price is published, so they fall back to the completion price. Reasoning tokens are
 *   part of completion_tokens, so they are charged once, in `reasoning`, and excluded from `completion`.
 * - image_output / audio_output absent or "0": generated image and audio tokens are completion tokens at the
 *   completion price (Gemini image models' published `completion` is their image price); where a separate
 *   price exists (DashScope omni audio $15.11/M vs text $1.66/M) they are charged at it, once, and excluded
 *   from `completion` like reasoning.
 * - audio absent or "0": prompt audio tokens cost the prompt price; where a separate price exists (Gemini 2.5 Flash:
 *   $1/M audio vs $0.30/M text) they are charged at it, once, and excluded from `prompt`.
 */
export function effectivePrices(p: ParsedPricing): {
  cacheRead: Pusd;
  cacheWrite: Pusd;
  reasoning: Pusd;
  imageOutput: Pusd;
  audioOutput: Pusd;
  audioInput: Pusd;
} {
  return {
    cacheRead: p.input_cache_read === 0n ? p.prompt : p.input_cache_read,
    cacheWrite: p.input_cache_write === 0n ? p.prompt : p.input_cache_write,
    reasoning: p.internal_reasoning === 0n ? p.completion : p.internal_reasoning,
    imageOutput: p.image_output === 0n ? p.completion : p.image_output,
    audioOutput: p.audio_output === 0n ? p.completion : p.audio_output,
    audioInput: p.audio === 0n ? p.prompt : p.audio,
  };
}

/**
 * Upstream counts are JSON numbers; anything non-finite or negative counts as 0, and a fractional count
 * (never seen in practice) is rounded up so a malformed report never undercharges.
 */
function n(x: number | undefined): number {
  if (typeof x !== 'number' || !Number.isFinite(x) || x <= 0) return 0;
  return Number.isInteger(x) ? x : Math.ceil(x);
}

export function computeCost(pricing: Pricing | ParsedPricing, u: UsageCounts): CostBreakdown {
  const p = asParsed(pricing);
  const eff = effectivePrices(p);

  const promptTokens = n(u.prompt_tokens);
  const cachedRead = n(u.cached_read_tokens);
  const cacheWrite = n(u.cache_write_tokens);
  const completionTokens = n(u.completion_tokens);
  const reasoningTokens = n(u.reasoning_tokens);
  const imageTokens = n(u.output_image_tokens);
  const audioTokens = n(u.output_audio_tokens);
  const audioIn = n(u.input_audio_tokens);

  const uncached = Math.max(0, promptTokens - cachedRead - cacheWrite - audioIn);
  const plainCompletion = Math.max(0, completionTokens - reasoningTokens - imageTokens - audioTokens);

  const prompt = mulCount(p.prompt, uncached);
  const cache_read = mulCount(eff.cacheRead, cachedRead);
  const cache_write = mulCount(eff.cacheWrite, cacheWrite);
  const completion = mulCount(p.completion, plainCompletion);
  const reasoning = mulCount(eff.reasoning, reasoningTokens);
  const image_output = mulCount(eff.imageOutput, imageTokens);
  const audio_output = mulCount(eff.audioOutput, audioTokens);
  const audio_input = mulCount(eff.audioInput, Math.min(audioIn, Math.max(0, promptTokens - cachedRead - cacheWrite)));
  const request = p.request;
  const image = mulCount(p.image, n(u.input_images));
  const web_search = mulCount(p.web_search, n(u.web_searches));

  return {
    prompt,
    cache_read,
    cache_write,
    completion,
    reasoning,
    image_output,
    audio_output,
    audio_input,
    request,
    image,
    web_search,
    total:
      prompt +
      cache_read +
      cache_write +
      completion +
      reasoning +
      image_output +
      audio_output +
      audio_input +
      request +
      image +
      web_search,
  };
}

export interface WorstCaseInput {
  promptTokens: number;
  maxOutputTokens: number;
  inputImages?: number;
  /** web searches the request may trigger (web plugin max_results etc.); 0 when none */
  webSearches?: number;
}

/**
 * Upper bound of computeCost(...).total for ANY usage with prompt_tokens <= promptTokens,
 * completion_tokens <= maxOutputTokens, input_images <= inputImages, web_searches <= webSearches,
 * used to reserve credit before calling an upstream.
 *
 * Each prompt token is charged at one of prompt / cache-read / cache-write prices, so the max of the three
 * bounds any split; each completion token at the completion, reasoning, image- or audio-output price, likewise. Cache-read is
 * included in the max because nothing in the catalog forbids a "cache read" dearer than input.
 */
// The dearest input and output price of a pricing, per parsed pricing: the worst case runs for every
// planned attempt of every request.
const worstPrices = new WeakMap<ParsedPricing, { input: Pusd; output: Pusd }>();

export function worstCaseCost(pricing: Pricing | ParsedPricing, w: WorstCaseInput): Pusd {
  const p = asParsed(pricing);
  let wp = worstPrices.get(p);
  if (wp === undefined) {
    const eff = effectivePrices(p);
    wp = {
      // an input token may be text, cached or audio: the dearest bounds any mix
      input: maxUsd(maxUsd(p.prompt, eff.audioInput), maxUsd(eff.cacheRead, eff.cacheWrite)),
      // an output token may be text, reasoning, image or audio: the dearest of the four bounds any mix
      output: maxUsd(maxUsd(p.completion, eff.reasoning), maxUsd(eff.imageOutput, eff.audioOutput)),
    };
    worstPrices.set(p, wp);
  }
  return (
    mulCount(wp.input, n(w.promptTokens)) +
    mulCount(wp.output, n(w.maxOutputTokens)) +
    p.request +
    mulCount(p.image, n(w.inputImages)) +
    mulCount(p.web_search, n(w.webSearches))
  );
}

/** All-zero usage, handy as a base for adapters that fill in what their provider reports. */
export function emptyUsage(): UsageCounts {
  return {
    prompt_tokens: 0,
    completion_tokens: 0,
    cached_read_tokens: 0,
    cache_write_tokens: 0,
    reasoning_tokens: 0,
    input_images: 0,
    web_searches: 0,
  };
}
