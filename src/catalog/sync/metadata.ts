// A models.dev-format metadata document (`{provider_id: {id, name, models: {model_id: {cost, limit, modalities,
// reasoning, tool_call, release_date, ...}}}}`, USD per million tokens) → what the sync knows per upstream name.
// Only prices and limits are taken; a malformed entry is skipped, never guessed at.
import type { Modality, Pricing } from '../types.js';
import type { ListedModel } from './state.js';

/** our provider ids where models.dev spells them differently */
const MODELS_DEV_IDS: Record<string, string> = {
  together: 'togetherai',
  fireworks: 'fireworks-ai',
  moonshot: 'moonshotai',
};

export function metadataProviderId(provider: string): string {
  return MODELS_DEV_IDS[provider] ?? provider;
}

export type Metadata = Map<string, Map<string, Omit<ListedModel, 'id'>>>;

/**
 * USD per million tokens (a JSON number) → USD per token as a decimal string with at most 12 decimals
 * (the catalog's format). Rounded to 1e-6 per million = 1e-12 per token; null for anything not a price.
 */
export function perMillionToPerToken(v: unknown): string | null {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > 1e9) return null;
  const [int, frac] = v.toFixed(6).split('.');
  const digits = (int + frac).replace(/^0+/, '');
  if (digits === '') return '0';
  const padded = digits.padStart(13, '0');
  const out = `${padded.slice(0, -12).replace(/^0+(?=\d)/, '')}.${padded.slice(-12)}`.replace(/\.?0+$/, '');
  return out;
}

const MODALITIES: ReadonlySet<string> = new Set(['text', 'image', 'audio', 'file', 'embeddings']);

function modalities(v: unknown): Modality[] | undefined {
  if (!Array.isArray(v)) return undefined;
  const out = v
    .map((x) => (x === 'pdf' ? 'file' : x))
    .filter((x): x is Modality => typeof x === 'string' && MODALITIES.has(x));
  return out.length ? [...new Set(out)] : undefined;
}

const obj = (v: unknown): Record<string, unknown> | null =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
const posInt = (v: unknown): number | undefined =>
  typeof v === 'number' && Number.isInteger(v) && v > 0 ? v : undefined;

function pricing(cost: Record<string, unknown> | null): Pricing | undefined {
  if (!cost) return undefined;
  const prompt = perMillionToPerToken(cost.input);
  const completion = perMillionToPerToken(cost.output);
  // a price needs both sides: half a price is as unknown as none
  if (prompt === null || completion === null) return undefined;
  const audio = perMillionToPerToken(cost.output_audio);
  const audioIn = perMillionToPerToken(cost.input_audio);
  return {
    ...(audio !== null && audio !== '0' ? { audio_output: audio } : {}),
    ...(audioIn !== null && audioIn !== '0' ? { audio: audioIn } : {}),
    prompt,
    completion,
    request: '0',
    image: '0',
    web_search: '0',
    internal_reasoning: perMillionToPerToken(cost.reasoning) ?? '0',
    input_cache_read: perMillionToPerToken(cost.cache_read) ?? '0',
    input_cache_write: perMillionToPerToken(cost.cache_write) ?? '0',
  };
}

export function parseMetadata(doc: unknown): Metadata {
  const out: Metadata = new Map();
  const root = obj(doc);
  if (!root) throw new Error('the metadata document is not a JSON object');
  for (const [pid, pv] of Object.entries(root)) {
    const models = obj(obj(pv)?.models);
    if (!models) continue;
    const map = new Map<string, Omit<ListedModel, 'id'>>();
    for (const [mid, mv] of Object.entries(models)) {
      const m = obj(mv);
      if (!m) continue;
      const limit = obj(m.limit);
      const mods = obj(m.modalities);
      const released = typeof m.release_date === 'string' ? Date.parse(m.release_date) : NaN;
      map.set(mid, {
        ...(typeof m.name === 'string' ? { name: m.name } : {}),
        pricing: pricing(obj(m.cost)),
        context_length: posInt(limit?.context),
        max_completion_tokens: posInt(limit?.output),
        input_modalities: modalities(mods?.input),
        output_modalities: modalities(mods?.output),
        ...(typeof m.reasoning === 'boolean' ? { reasoning: m.reasoning } : {}),
        ...(typeof m.tool_call === 'boolean' ? { tool_call: m.tool_call } : {}),
        ...(Number.isFinite(released) ? { released: Math.floor(released / 1000) } : {}),
      });
    }
    out.set(pid, map);
  }
  return out;
}

/** a listed model with what the document says about it (the list's own name wins when both have one) */
export function describe(listed: ListedModel, provider: string, meta: Metadata | null): ListedModel {
  const m = meta?.get(metadataProviderId(provider))?.get(listed.id);
  if (!m) return listed;
  const out: ListedModel = { ...listed };
  for (const [k, v] of Object.entries(m)) {
    if (v !== undefined && (out as unknown as Record<string, unknown>)[k] === undefined)
      (out as unknown as Record<string, unknown>)[k] = v;
  }
  return out;
}
