// The client's Responses request as OpenAI's own /v1/responses may receive it (src/protocol/native-request.ts):
// only CreateResponse fields go (unknown and ARouter-only ones stay here, as every dialect builds field by field),
// the hosted tools ARouter drops are dropped here too (their output items could not be carried back to other
// models), and reasoning items are what OpenAI issued: ARouter's carries (`arouter.v1.…`, ./reasoning-carry.ts)
// are unwrapped to the OpenAI reasoning items they carry, and ones that carry only other providers' state are left
// out, as the canonical request leaves them out for OpenAI's chat API. Input item ids are not sent: with
// store:false they name nothing OpenAI kept, and most are ARouter's (msg_/fc_<generation>), which it never issued;
// a reasoning item keeps OpenAI's own id, which its encrypted_content belongs to.
//
// Built after toChat() accepted the request, so everything refused there (stateful fields, unknown item and tool
// types, unreadable carries) never gets here.
import { OPENAI_RESPONSES_REASONING_FORMAT, type NativeResponses } from '../../protocol/native-request.js';
import type { ResponsesRequest } from '../../protocol/responses-request.js';
import { decodeDetails } from './reasoning-carry.js';
import { customArguments, DROPPED_TOOL_TYPES, flatName } from './tools.js';

type Obj = Record<string, unknown>;

/** CreateResponse fields passed as the client sent them (model, store, stream, input, tools, tool_choice and
 *  reasoning are set apart: the dialect or this file decides them) */
const PASSED = [
  'instructions',
  'parallel_tool_calls',
  'text',
  'max_output_tokens',
  'max_tool_calls',
  'temperature',
  'top_p',
  'top_logprobs',
  'metadata',
  'user',
  'safety_identifier',
  'prompt_cache_key',
  'prompt_cache_retention',
  'service_tier',
  'include',
  'truncation',
  'stream_options',
] as const;

/** built on first use: a request routed to another provider never pays for it */
class Native implements NativeResponses {
  private built: Obj | undefined;
  constructor(private readonly w: ResponsesRequest) {}
  get body(): Obj {
    return (this.built ??= nativeBody(this.w));
  }
  toolName(name: string, namespace: string | undefined): string {
    return flatName(name, namespace);
  }
  customArguments(input: string): string {
    return customArguments(input);
  }
}

export const nativeResponses = (w: ResponsesRequest): NativeResponses => new Native(w);

function nativeBody(w: ResponsesRequest): Obj {
  const src = w as Obj;
  const body: Obj = {};
  for (const k of PASSED) if (src[k] !== undefined && src[k] !== null) body[k] = src[k];
  if (w.input !== undefined) body.input = typeof w.input === 'string' ? w.input : nativeInput(w.input);
  const tools = (w.tools ?? []).filter((t) => !DROPPED_TOOL_TYPES.has(t.type));
  if (tools.length > 0) {
    body.tools = tools;
    if (w.tool_choice !== undefined) body.tool_choice = toolChoice(w.tool_choice);
  } else delete body.parallel_tool_calls;
  // effort is the dialect's (snapped to what the endpoint's model takes); summary is the client's
  if (w.reasoning?.summary != null) body.reasoning = { summary: w.reasoning.summary };
  return body;
}

function toolChoice(c: NonNullable<ResponsesRequest['tool_choice']>): unknown {
  if (typeof c === 'string' || c.type !== 'allowed_tools') return c;
  const o = c as Obj;
  // toChat() made sure some allowed tool is not a dropped one
  const tools = (o.tools as Obj[]).filter((t) => !(typeof t.type === 'string' && DROPPED_TOOL_TYPES.has(t.type)));
  return { ...o, tools };
}

/** items of one assistant turn of the history, as a response's `output` lists them */
const isTurnItem = (i: Obj): boolean =>
  i.type === 'reasoning' ||
  i.type === 'function_call' ||
  i.type === 'custom_tool_call' ||
  ((i.type === undefined || i.type === 'message') && i.role === 'assistant');

function nativeInput(items: readonly Obj[]): Obj[] {
  const out: Obj[] = [];
  // where the current assistant turn starts, and how many reasoning items lead it: OpenAI emits reasoning first,
  // but a streamed answer whose reasoning had no summary lists its reasoning item last (the Responses encoder
  // learns the state only at the item's end), so a client echoes it after the calls it preceded
  let turnStart = -1;
  let leading = 0;
  for (const item of items) {
    if (!isTurnItem(item)) turnStart = -1;
    else if (turnStart < 0) {
      turnStart = out.length;
      leading = 0;
    }
    if (item.type !== 'reasoning') {
      if (item.id === undefined) out.push(item);
      else {
        const { id: _id, ...rest } = item;
        out.push(rest);
      }
      continue;
    }
    const enc = item.encrypted_content;
    // a summary alone cannot be replayed (toChat drops it too)
    if (typeof enc !== 'string' || enc === '') continue;
    for (const d of decodeDetails(enc) ?? []) {
      if (d.type !== 'reasoning.encrypted' || d.format !== OPENAI_RESPONSES_REASONING_FORMAT) continue;
      if (typeof d.data !== 'string' || d.data === '') continue;
      const id = typeof d.id === 'string' ? d.id : item.id;
      const reasoning = {
        type: 'reasoning',
        ...(typeof id === 'string' ? { id } : {}),
        summary: Array.isArray(item.summary) ? item.summary : [],
        encrypted_content: d.data,
      };
      out.splice(turnStart + leading++, 0, reasoning);
    }
  }
  return out;
}
