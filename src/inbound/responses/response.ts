// The Response object (spec: Response) both the JSON answer and the stream's response.* events carry: ARouter's
// answer plus the request's settings echoed back, as the spec requires them (instructions, tools, tool_choice,
// temperature, top_p, parallel_tool_calls, metadata are required, null or a default when the client sent none).
// `store` is always false: ARouter stores nothing. `provider` and `usage.cost` are ARouter's extras, as on chat.
import type { AnswerInfo, AnswerUsage } from '../../protocol/inbound.js';
import type { FinishReason, Logprobs } from '../../protocol/chat-result.js';
import type { ResponsesRequest } from '../../protocol/responses-request.js';
import { responseId } from './ids.js';
import { toolPlan } from './tools.js';

type Obj = Record<string, unknown>;

export type ResponseStatus = 'in_progress' | 'completed' | 'incomplete' | 'failed';
export type IncompleteReason = 'max_output_tokens' | 'content_filter';

/** the request's settings as a Response repeats them; computed once per request */
export type Echo = Obj;

export function echoOf(w: ResponsesRequest): Echo {
  // the client's tools less the hosted ones ARouter dropped (./tools.ts)
  const tools = toolPlan(w).echo;
  const echo: Obj = {
    instructions: w.instructions ?? null,
    max_output_tokens: w.max_output_tokens ?? null,
    parallel_tool_calls: w.parallel_tool_calls ?? true,
    previous_response_id: null,
    reasoning: { effort: w.reasoning?.effort ?? null, summary: w.reasoning?.summary ?? null },
    store: false,
    temperature: w.temperature ?? null,
    text: { format: w.text?.format ?? { type: 'text' }, verbosity: w.text?.verbosity ?? 'medium' },
    tool_choice: w.tool_choice ?? 'auto',
    tools,
    top_p: w.top_p ?? null,
    truncation: w.truncation ?? 'disabled',
    metadata: w.metadata ?? {},
  };
  if (typeof w.top_logprobs === 'number') echo.top_logprobs = w.top_logprobs;
  if (typeof w.service_tier === 'string') echo.service_tier = w.service_tier;
  if (w.user !== undefined) echo.user = w.user;
  if (typeof w.safety_identifier === 'string') echo.safety_identifier = w.safety_identifier;
  if (typeof w.prompt_cache_key === 'string') echo.prompt_cache_key = w.prompt_cache_key;
  return echo;
}

export interface ResponseParts {
  info: AnswerInfo;
  echo: Echo;
  status: ResponseStatus;
  output: Obj[];
  usage?: AnswerUsage;
  incomplete?: IncompleteReason | null;
  error?: { code: string; message: string } | null;
}

export function responseObject(p: ResponseParts): Obj {
  const body: Obj = {
    id: responseId(p.info.id),
    object: 'response',
    created_at: p.info.created,
    status: p.status,
    error: p.error ?? null,
    incomplete_details: p.incomplete ? { reason: p.incomplete } : null,
    model: p.info.model,
    provider: p.info.provider,
    output: p.output,
    ...p.echo,
  };
  if (p.usage) body.usage = responseUsage(p.usage);
  return body;
}

/** AnswerUsage (OpenAI semantics: prompt includes cached, completion includes reasoning) → ResponseUsage */
export function responseUsage(u: AnswerUsage): Obj {
  return {
    input_tokens: u.prompt_tokens,
    input_tokens_details: { cached_tokens: u.cached_read_tokens, cache_write_tokens: u.cache_write_tokens },
    output_tokens: u.completion_tokens,
    output_tokens_details: { reasoning_tokens: u.reasoning_tokens },
    total_tokens: u.prompt_tokens + u.completion_tokens,
    cost: u.cost,
  };
}

/** how a finish reason ends a response: `length` and `content_filter` make it incomplete, `error` failed */
export function endOf(finish: FinishReason): { status: ResponseStatus; incomplete: IncompleteReason | null } {
  if (finish === 'length') return { status: 'incomplete', incomplete: 'max_output_tokens' };
  if (finish === 'content_filter') return { status: 'incomplete', incomplete: 'content_filter' };
  if (finish === 'error') return { status: 'failed', incomplete: null };
  return { status: 'completed', incomplete: null };
}

/** the error a response ended by finish reason `error` carries (the upstream said nothing more) */
export const FINISH_ERROR = { code: 'server_error', message: 'The model provider ended the answer with an error' };

/** chat `logprobs.content` → the Responses output_text part's `logprobs` (every entry with its bytes) */
export function partLogprobs(lp: Logprobs | null | undefined): Obj[] {
  const content = lp?.content;
  if (!Array.isArray(content)) return [];
  return content.filter(isEntry).map((e) => ({
    token: e.token,
    logprob: e.logprob,
    bytes: Array.isArray(e.bytes) ? e.bytes : [],
    top_logprobs: (Array.isArray(e.top_logprobs) ? e.top_logprobs : [])
      .filter(isEntry)
      .map((t) => ({ token: t.token, logprob: t.logprob, bytes: Array.isArray(t.bytes) ? t.bytes : [] })),
  }));
}

/** chat `logprobs.content` → a stream delta event's `logprobs` (ResponseLogProb: no bytes) */
export function deltaLogprobs(lp: Logprobs | null | undefined): Obj[] {
  return partLogprobs(lp).map((e) => ({
    token: e.token,
    logprob: e.logprob,
    top_logprobs: (e.top_logprobs as Obj[]).map((t) => ({ token: t.token, logprob: t.logprob })),
  }));
}

interface Entry {
  token: string;
  logprob: number;
  bytes?: unknown;
  top_logprobs?: unknown;
}
const isEntry = (e: unknown): e is Entry =>
  typeof e === 'object' &&
  e !== null &&
  typeof (e as Entry).token === 'string' &&
  typeof (e as Entry).logprob === 'number';
