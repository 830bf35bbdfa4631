// The client's Responses request → POST {base_url}/responses, as it was sent (src/inbound/responses/native.ts made
// its body: CreateResponse fields only, OpenAI's own reasoning items). What changes is what the endpoint and ARouter
// decide, the same as in the chat dialect (../openai/request.ts):
// - `model` is the endpoint's; `store: false` always (ARouter keeps nothing, so nothing may be kept upstream for it);
// - `max_output_tokens` is what routing settled on (the client's, clamped to the endpoint), absent when the client
//   sent none;
// - `reasoning.effort` is the routing plan's, snapped to the model's efforts (../openai/reasoning.ts); a model that
//   does not reason gets no `reasoning` (OpenAI answers 400 to it), one that does gets `include:
//   ["reasoning.encrypted_content"]`, which is how its reasoning state comes back with store:false;
// - sampling knobs and `text.verbosity` the catalog does not list for the model are dropped (o-series and gpt-5 answer
//   400 "Unsupported parameter: 'temperature'"), as on chat.
import type { ChatRequest } from '../../protocol/chat-request.js';
import type { BuildContext, UpstreamRequest, UpstreamTarget } from '../types.js';
import { upstreamHeaders, upstreamUrl } from '../openai/request.js';
import { reasoningEffort } from '../openai/reasoning.js';

type Obj = Record<string, unknown>;

const ENCRYPTED = 'reasoning.encrypted_content';
/** sampling parameters by their catalog names (supported_parameters) */
const SAMPLING = ['temperature', 'top_p', 'top_logprobs'] as const;

const urls = new WeakMap<object, string>();

function responsesUrl(target: UpstreamTarget): string {
  let url = urls.get(target.provider);
  if (url === undefined) {
    url = upstreamUrl(target, '/responses');
    urls.set(target.provider, url);
  }
  return url;
}

export function buildResponsesRequest(_req: ChatRequest, ctx: BuildContext): UpstreamRequest {
  const native = ctx.native;
  if (native === undefined) throw new Error('the Responses dialect needs the client request (BuildContext.native)');
  const { target } = ctx;
  const params = target.endpoint.supported_parameters ?? target.model.supported_parameters;
  const allowed = (p: string) => params.length === 0 || params.includes(p);
  const body: Obj = { model: target.endpoint.model, ...native.body, store: false };
  if (ctx.stream) body.stream = true;
  else delete body.stream_options;
  if (ctx.maxTokensExplicit) body.max_output_tokens = ctx.maxTokens;
  else delete body.max_output_tokens;
  for (const p of SAMPLING) if (body[p] !== undefined && !allowed(p)) delete body[p];
  const text = body.text as Obj | undefined;
  if (text?.verbosity != null && !allowed('verbosity')) {
    const { verbosity: _verbosity, ...rest } = text;
    body.text = rest;
  }
  reasoningFields(body, ctx);
  return {
    url: responsesUrl(target),
    method: 'POST',
    headers: upstreamHeaders(target, ctx.stream),
    body: JSON.stringify(body),
  };
}

function reasoningFields(body: Obj, ctx: BuildContext): void {
  const info = ctx.target.model.reasoning;
  const effort = reasoningEffort(ctx);
  // null: the catalog says the model does not reason; undefined: it does not know (then only an asked effort says so)
  const reasons = info !== null && (info !== undefined || effort !== undefined);
  const summary = (body.reasoning as Obj | undefined)?.summary;
  if (!reasons) delete body.reasoning;
  else if (effort !== undefined || summary !== undefined)
    body.reasoning = { ...(effort !== undefined ? { effort } : {}), ...(summary !== undefined ? { summary } : {}) };
  const include = Array.isArray(body.include) ? (body.include as string[]).filter((i) => i !== ENCRYPTED) : [];
  if (reasons) include.push(ENCRYPTED);
  if (include.length > 0) body.include = include;
  else delete body.include;
}
