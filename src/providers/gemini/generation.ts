// OpenAI sampling / output / reasoning fields → Gemini `generationConfig` (generative_service.proto
// `GenerationConfig`, `ThinkingConfig`).
//
// Decisions:
// - maxOutputTokens is sent only when the client set max_tokens / max_completion_tokens: Gemini's default is
//   the model's own output limit, so sending the catalog's number adds nothing but the risk of a stale value.
// - candidateCount is never sent (ARouter accepts n=1 only; Gemini's default is 1).
// - Reasoning uses `thinkingBudget` (proto field; also accepted by Gemini 3 for backwards compatibility,
//   https://ai.google.dev/gemini-api/docs/thinking). Gemini's budget counts against maxOutputTokens, so a
//   budget is clamped below the output limit. Effort without an explicit budget: minimal 512, low 1024,
//   medium 8192, high and xhigh 24576; neither → -1 (dynamic, Gemini's own default).
// - thinkingConfig is only sent to models the catalog marks as reasoning-capable: Gemini answers 400 when it
//   is set for a model that cannot think. "Reasoning off" sends thinkingBudget 0 unless the catalog says
//   reasoning is mandatory (2.5 Pro, Gemini 3 Pro cannot turn it off), in which case nothing is sent.
// - response_format json_schema → responseSchema when the schema fits Gemini's Schema subset, else the raw
//   JSON Schema in `responseJsonSchema` (see schema.ts). Objects get `propertyOrdering` in their declared
//   order, because OpenAI clients expect keys in schema order and Gemini otherwise picks its own.
// - Sampling knobs the catalog does not list for the endpoint are dropped, as in the OpenAI dialect: Gemini 2.5
//   answers 400 "Penalty is not enabled for models/gemini-2.5-flash" to presencePenalty/frequencyPenalty, which
//   its supported_parameters therefore leave out. An empty list (operator-defined model) sends everything;
//   provider.require_parameters turns the drop into a routing failure instead.
import type { ChatRequest } from '../../protocol/chat-request.js';
import type { BuildContext } from '../types.js';
import { outputConfig } from './outputs.js';
import { rawJsonSchema, toGeminiSchema } from './schema.js';

// minimal: 512, the lowest budget every 2.5 model takes (Flash-Lite's floor); high: 24576 is Flash's ceiling (a
// larger budget is a 400 there; only Pro goes to 32768); xhigh is the model's ceiling when the catalog has it
export const EFFORT_BUDGETS = { minimal: 512, low: 1024, medium: 8192, high: 24576, xhigh: 24576 } as const;
/** Gemini accepts at most 5 stop sequences (OpenAI at most 4). */
const MAX_STOP_SEQUENCES = 5;

export function buildGenerationConfig(req: ChatRequest, ctx: BuildContext): Record<string, unknown> | undefined {
  const cfg: Record<string, unknown> = {};
  const params = ctx.target.endpoint.supported_parameters ?? ctx.target.model.supported_parameters;
  const allowed = (p: string) => params.length === 0 || params.includes(p);

  if (req.stop != null && allowed('stop')) {
    const stops = (typeof req.stop === 'string' ? [req.stop] : req.stop).filter((s) => s !== '');
    if (stops.length > 0) cfg.stopSequences = stops.slice(0, MAX_STOP_SEQUENCES);
  }
  if (ctx.maxTokensExplicit) cfg.maxOutputTokens = ctx.maxTokens;
  if (req.temperature != null && allowed('temperature')) cfg.temperature = req.temperature;
  if (req.top_p != null && allowed('top_p')) cfg.topP = req.top_p;
  // top_k 0 means "no top-k" to OpenAI-style clients; Gemini would reject it
  if (req.top_k != null && req.top_k >= 1 && allowed('top_k')) cfg.topK = req.top_k;
  // the proto's seed is int32; larger client seeds are wrapped deterministically instead of rejected
  if (req.seed != null && allowed('seed')) cfg.seed = req.seed | 0;
  if (req.presence_penalty != null && allowed('presence_penalty')) cfg.presencePenalty = req.presence_penalty;
  if (req.frequency_penalty != null && allowed('frequency_penalty')) cfg.frequencyPenalty = req.frequency_penalty;

  Object.assign(cfg, responseFormat(req));
  Object.assign(cfg, outputConfig(req));

  const thinking = thinkingConfig(ctx);
  if (thinking) cfg.thinkingConfig = thinking;

  return Object.keys(cfg).length > 0 ? cfg : undefined;
}

function responseFormat(req: ChatRequest): Record<string, unknown> {
  const rf = req.response_format;
  if (!rf || rf.type === 'text') return {};
  if (rf.type === 'json_object') return { responseMimeType: 'application/json' };
  const schema = rf.json_schema.schema;
  if (!schema) return { responseMimeType: 'application/json' };
  const converted = toGeminiSchema(schema, { propertyOrdering: true, param: 'response_format.json_schema.schema' });
  return converted
    ? { responseMimeType: 'application/json', responseSchema: converted }
    : { responseMimeType: 'application/json', responseJsonSchema: rawJsonSchema(schema) };
}

export function thinkingConfig(ctx: BuildContext): Record<string, unknown> | undefined {
  const plan = ctx.reasoning;
  if (!plan) return undefined;
  const info = ctx.target.model.reasoning;
  const params = ctx.target.endpoint.supported_parameters ?? ctx.target.model.supported_parameters;
  if (!info && !params.includes('reasoning')) return undefined;

  if (!plan.enabled) return info?.mandatory ? undefined : { thinkingBudget: 0 };

  let budget: number;
  if (plan.max_tokens != null) budget = plan.max_tokens;
  // xhigh: as much as the model takes, when the catalog knows its ceiling
  else if (plan.effort === 'xhigh' && info?.max_budget) budget = info.max_budget;
  else if (plan.effort) budget = EFFORT_BUDGETS[plan.effort];
  else budget = -1;
  // thoughts and answer share maxOutputTokens: leave the answer at least one token
  if (budget > 0) budget = Math.max(1, Math.min(budget, ctx.maxTokens - 1));
  // then into the model's own range from the catalog (a budget outside it is a 400: Flash 0-24576, Pro
  // 128-32768, Flash-Lite 512-24576); the range wins over the output cap, which Gemini only truncates at
  if (budget > 0) budget = Math.min(Math.max(budget, info?.min_budget ?? 1), info?.max_budget ?? Infinity);
  // an explicit 0 budget asks for no thinking, which a mandatory-reasoning model refuses: let it decide
  if (budget === 0 && info?.mandatory) budget = -1;

  return { includeThoughts: !plan.exclude, thinkingBudget: budget };
}
