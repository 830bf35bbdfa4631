// ChatRequest → POST {base_url}/chat/completions. The body is built field by field from the standard OpenAI
// fields, so ARouter-only fields (models, provider, reasoning, usage, include_reasoning, transforms, ...) and
// anything unknown never reach the upstream; one JSON.stringify at the end.
// Sampling knobs the catalog does not list for the endpoint are dropped rather than sent: o-series/gpt-5
// answer 400 "Unsupported parameter: 'temperature'", xAI reasoning models 400 on stop/penalties, Groq on any
// property it does not know. That is OpenRouter's behaviour too (unsupported parameters are ignored); clients
// that want a hard failure use provider.require_parameters, which routing enforces. An empty list means the
// catalog knows nothing (operator-defined models) and everything is sent.
import type { ChatRequest } from '../../protocol/chat-request.js';
import type { BuildContext, UpstreamRequest, UpstreamTarget } from '../types.js';
import { narrowAllowedTools } from '../allowed-tools.js';
import { prepareMessages } from './messages.js';
import { outputOptions } from './outputs.js';
import { quirksFor } from './quirks.js';
import { dashscopeThinking, reasoningEffort } from './reasoning.js';

export function upstreamUrl(target: UpstreamTarget, path: string): string {
  const base = target.provider.base_url;
  return (base.endsWith('/') ? base.replace(/\/+$/, '') : base) + path;
}

/** Bearer auth (omitted for keyless Ollama/vLLM), then the provider's own headers, which may override ours. */
function buildHeaders(target: UpstreamTarget, stream: boolean): Record<string, string> {
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    accept: stream ? 'text/event-stream' : 'application/json',
  };
  if (target.apiKey) headers.authorization = `Bearer ${target.apiKey}`;
  const extra = target.provider.headers;
  if (extra) for (const k in extra) headers[k.toLowerCase()] = extra[k];
  return headers;
}

interface Prepared {
  apiKey: string;
  url: string;
  json: Readonly<Record<string, string>>;
  sse: Readonly<Record<string, string>>;
}

/** per provider definition: the chat URL and both header sets are the same for every request (the transport
 *  only reads them), so they are built once rather than per request */
const prepared = new WeakMap<object, Prepared>();

function preparedFor(target: UpstreamTarget): Prepared {
  let p = prepared.get(target.provider);
  if (p === undefined || p.apiKey !== target.apiKey) {
    p = {
      apiKey: target.apiKey,
      url: upstreamUrl(target, '/chat/completions'),
      json: Object.freeze(buildHeaders(target, false)),
      sse: Object.freeze(buildHeaders(target, true)),
    };
    prepared.set(target.provider, p);
  }
  return p;
}

export function upstreamHeaders(target: UpstreamTarget, stream: boolean): Readonly<Record<string, string>> {
  const p = preparedFor(target);
  return stream ? p.sse : p.json;
}

export function buildChatRequest(clientReq: ChatRequest, ctx: BuildContext): UpstreamRequest {
  const { target } = ctx;
  const q = quirksFor(target.provider.id);
  // allowed_tools is OpenAI's; elsewhere only the allowed tools are declared and its mode is the tool_choice
  const req = q.openaiOptions ? clientReq : narrowAllowedTools(clientReq);
  const params = target.endpoint.supported_parameters ?? target.model.supported_parameters;
  const allowed = (p: string) => params.length === 0 || params.includes(p);
  const body: Record<string, unknown> = {
    model: target.endpoint.model,
    messages: prepareMessages(req.messages, q),
  };
  if (ctx.stream) {
    body.stream = true;
    // always ask for usage so the gateway bills from the upstream's own counts
    if (q.streamOptions) body.stream_options = { include_usage: true };
  }
  if (ctx.maxTokensExplicit) body[q.maxTokensField] = ctx.maxTokens;
  // OpenAI answers 400 to tool_choice / parallel_tool_calls without tools, and to an empty tools array.
  if (req.tools !== undefined && req.tools.length > 0) {
    body.tools = req.tools;
    if (req.tool_choice !== undefined) body.tool_choice = req.tool_choice;
    if (req.parallel_tool_calls !== undefined) body.parallel_tool_calls = req.parallel_tool_calls;
  }
  if (req.response_format !== undefined) body.response_format = req.response_format;
  if (req.stop != null && allowed('stop')) body.stop = req.stop;
  if (req.temperature != null && allowed('temperature')) body.temperature = req.temperature;
  if (req.top_p != null && allowed('top_p')) body.top_p = req.top_p;
  if (req.top_k !== undefined && q.topK && allowed('top_k')) body.top_k = req.top_k;
  if (req.seed != null && allowed('seed')) body[q.seedField] = req.seed;
  if (req.frequency_penalty != null && allowed('frequency_penalty')) body.frequency_penalty = req.frequency_penalty;
  if (req.presence_penalty != null && allowed('presence_penalty')) body.presence_penalty = req.presence_penalty;
  // token ids are the model's own tokenizer's: meaningful only where the catalog lists the parameter
  if (req.logit_bias != null && allowed('logit_bias')) body.logit_bias = req.logit_bias;
  if (req.logprobs != null && allowed('logprobs')) body.logprobs = req.logprobs;
  // top_logprobs without logprobs:true is a 400 at OpenAI
  if (req.top_logprobs != null && req.logprobs === true && allowed('top_logprobs'))
    body.top_logprobs = req.top_logprobs;
  if (req.n !== undefined) body.n = req.n;
  if (req.user !== undefined && q.user) body.user = req.user;
  if (q.openaiOptions) Object.assign(body, openaiOptions(req, allowed));
  const effort = reasoningEffort(ctx);
  if (effort !== undefined) body.reasoning_effort = effort;
  if (q.enableThinking) Object.assign(body, dashscopeThinking(ctx, q));
  Object.assign(body, outputOptions(req, q));
  const p = preparedFor(target);
  return { url: p.url, method: 'POST', headers: ctx.stream ? p.sse : p.json, body: JSON.stringify(body) };
}

/**
 * OpenAI-only options, copied when set. verbosity (GPT-5 family) and prediction (GPT-4o / 4.1) are per model —
 * other models answer 400 "Unsupported parameter" — so they follow the catalog's supported_parameters.
 */
function openaiOptions(req: ChatRequest, allowed: (p: string) => boolean): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (req.service_tier != null) out.service_tier = req.service_tier;
  if (req.prompt_cache_key != null) out.prompt_cache_key = req.prompt_cache_key;
  if (req.safety_identifier != null) out.safety_identifier = req.safety_identifier;
  if (req.store != null) out.store = req.store;
  if (req.metadata != null) out.metadata = req.metadata;
  if (req.prediction != null && allowed('prediction')) out.prediction = req.prediction;
  if (req.verbosity != null && allowed('verbosity')) out.verbosity = req.verbosity;
  return out;
}
