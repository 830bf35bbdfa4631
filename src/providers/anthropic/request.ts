// ChatRequest → POST {base_url}/v1/messages (spec: CreateMessageParams, additionalProperties:false, so
// only fields Anthropic knows are written, one by one).
import type { ChatRequest } from '../../protocol/chat-request.js';
import type { BuildContext, UpstreamRequest } from '../types.js';
import { narrowAllowedTools } from '../allowed-tools.js';
import { cacheControl } from './content.js';
import { convertMessages } from './messages.js';
import { JSON_TOOL_NAME, saveState, ToolNames } from './state.js';
import { planThinking, reconcileThinking } from './thinking.js';
import { buildTools, jsonTool } from './tools.js';

export const ANTHROPIC_VERSION = '2023-06-01';

function headers(ctx: BuildContext): Record<string, string> {
  const h: Record<string, string> = { 'content-type': 'application/json', 'anthropic-version': ANTHROPIC_VERSION };
  if (ctx.target.apiKey) h['x-api-key'] = ctx.target.apiKey;
  // Operator headers (e.g. anthropic-beta) win; lower-cased so they replace ours instead of duplicating them.
  for (const [k, v] of Object.entries(ctx.target.provider.headers ?? {})) h[k.toLowerCase()] = v;
  return h;
}

function stopSequences(stop: ChatRequest['stop']): string[] {
  const list = stop == null ? [] : typeof stop === 'string' ? [stop] : stop;
  // The API rejects whitespace-only stop sequences.
  return list.filter((s) => s.trim() !== '');
}

export function buildChatRequest(clientReq: ChatRequest, ctx: BuildContext): UpstreamRequest {
  // allowed_tools: only the allowed tools are declared, its mode becomes auto / any
  const req = narrowAllowedTools(clientReq);
  const json = jsonTool(req);
  const names = new ToolNames();
  if (json) names.reserve(JSON_TOOL_NAME);
  names.registerAll((req.tools ?? []).map((t) => t.function.name));
  const converted = convertMessages(req.messages, names);
  const plan = reconcileThinking(planThinking(ctx), converted.messages, ctx);
  const thinking = plan.thinking !== null;

  const body: Record<string, unknown> = { model: ctx.target.endpoint.model, max_tokens: plan.maxTokens };
  if (converted.system.length > 0) body.system = converted.system;
  body.messages = converted.messages;
  Object.assign(body, buildTools(req, names, json, converted.usesTools, thinking));
  if (plan.thinking) body.thinking = plan.thinking;

  const stops = stopSequences(req.stop);
  if (stops.length > 0) body.stop_sequences = stops;
  // Extended thinking requires temperature unset (or 1) and forbids top_k; top_p is limited to ≥0.95.
  // Dropping all three is the only choice that is always accepted, so sampling knobs yield to reasoning.
  if (!thinking) {
    // Anthropic's temperature range is 0..1, OpenAI's 0..2: clamp rather than fail the request.
    if (typeof req.temperature === 'number') body.temperature = Math.min(1, req.temperature);
    // Sonnet 4.5, Haiku 4.5, Opus 4.1 and later answer 400 "temperature and top_p cannot both be specified";
    // when a client sends both, temperature (the knob Anthropic recommends) wins and top_p is dropped.
    else if (typeof req.top_p === 'number') body.top_p = req.top_p;
    if (typeof req.top_k === 'number') body.top_k = req.top_k;
  }
  // seed, frequency_penalty and presence_penalty have no Anthropic equivalent and are dropped.
  if (typeof req.user === 'string' && req.user !== '' && req.user.length <= 512) {
    body.metadata = { user_id: req.user };
  }
  // Top-level automatic prompt caching (OpenRouter accepts it on chat requests too).
  const cc = cacheControl(req);
  if (cc) body.cache_control = cc;
  if (ctx.stream) body.stream = true;

  saveState(ctx, { jsonTool: json ? JSON_TOOL_NAME : null, names });
  return {
    url: `${ctx.target.provider.base_url.replace(/\/+$/, '')}/v1/messages`,
    method: 'POST',
    headers: headers(ctx),
    body: JSON.stringify(body),
  };
}
