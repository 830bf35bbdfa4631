// Semantic rules the OpenAI Chat Completions API enforces on top of its schema, and the reduction of a
// (valid) request to the dialect-neutral form content.ts plans replies from.
// Error wording as quoted from real API responses in public issue threads, e.g.
//   "Invalid parameter: messages with role 'tool' must be a response to a preceeding message with 'tool_calls'."
//     (param "messages.[3].role", code null — the typo "preceeding" is the API's)
//   "An assistant message with 'tool_calls' must be followed by tool messages responding to each
//    'tool_call_id'. The following tool_call_ids did not have response messages: call_x"
// Docs: https://platform.openai.com/docs/api-reference/chat/create ,
//       https://platform.openai.com/docs/guides/structured-outputs (strict schema rules)
import {
  IMAGE_TOKENS,
  approxTokens,
  base64Size,
  mediaTokens,
  type NeutralRequest,
  type PromptSegment,
} from './content.js';
import type { OpenAIParamError } from './validate.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Text of a string-or-parts content, parts joined with a space. */
export function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .filter((p) => isObj(p) && (p.type === 'text' || p.type === 'refusal'))
    .map((p) => String((p as Obj).text ?? (p as Obj).refusal ?? ''))
    .join(' ');
}

/**
 * Structured Outputs strict-mode requirements: every object has additionalProperties:false and lists all
 * its properties in `required`. Returns the first violation in the API's "In context=(...)" style.
 */
export function strictSchemaProblem(schema: unknown, context: string[] = []): string | null {
  if (!isObj(schema)) return null;
  const ctx = `In context=(${context.map((c) => `'${c}'`).join(', ')}${context.length === 1 ? ',' : ''})`;
  const isObject =
    schema.type === 'object' ||
    (Array.isArray(schema.type) && schema.type.includes('object')) ||
    isObj(schema.properties);
  if (isObject) {
    if (schema.additionalProperties !== false)
      return `${ctx}, 'additionalProperties' is required to be supplied and to be false.`;
    const props = Object.keys(isObj(schema.properties) ? schema.properties : {});
    const req = Array.isArray(schema.required) ? (schema.required as string[]) : [];
    const missing = props.filter((p) => !req.includes(p));
    if (missing.length)
      return `${ctx}, 'required' is required to be supplied and to be an array including every key in properties. Missing '${missing[0]}'.`;
    for (const p of props) {
      const r = strictSchemaProblem((schema.properties as Obj)[p], [...context, 'properties', p]);
      if (r) return r;
    }
  }
  if (schema.items !== undefined) {
    const r = strictSchemaProblem(schema.items, [...context, 'items']);
    if (r) return r;
  }
  for (const key of ['anyOf', 'allOf'] as const) {
    const arr = schema[key];
    if (Array.isArray(arr))
      for (let i = 0; i < arr.length; i++) {
        const r = strictSchemaProblem(arr[i], [...context, key, String(i)]);
        if (r) return r;
      }
  }
  for (const key of ['$defs', 'definitions'] as const) {
    const defs = schema[key];
    if (isObj(defs))
      for (const [n, d] of Object.entries(defs)) {
        const r = strictSchemaProblem(d, [...context, key, n]);
        if (r) return r;
      }
  }
  return null;
}

const bad = (message: string, param: string | null, code: string | null = null): OpenAIParamError => ({
  message,
  param,
  code,
});

/** Rules beyond the schema; `body` has passed validateOpenAIChatSchema. */
export function checkChatSemantics(body: Obj): OpenAIParamError | null {
  const messages = body.messages as Obj[];
  let pending: Set<string> | null = null;
  let pendingAt = -1;
  for (let i = 0; i < messages.length; i++) {
    const m = messages[i];
    if (m.role === 'tool') {
      const id = String(m.tool_call_id);
      if (!pending || !pending.has(id))
        return bad(
          "Invalid parameter: messages with role 'tool' must be a response to a preceeding message with 'tool_calls'.",
          `messages.[${i}].role`,
        );
      pending.delete(id);
      continue;
    }
    if (pending && pending.size)
      return bad(
        `An assistant message with 'tool_calls' must be followed by tool messages responding to each 'tool_call_id'. The following tool_call_ids did not have response messages: ${[...pending].join(', ')}`,
        `messages.[${pendingAt}].role`,
      );
    const calls = m.role === 'assistant' && Array.isArray(m.tool_calls) ? (m.tool_calls as Obj[]) : [];
    pending = calls.length ? new Set(calls.map((c) => String(c.id))) : null;
    pendingAt = i;
  }
  if (pending && pending.size)
    return bad(
      `An assistant message with 'tool_calls' must be followed by tool messages responding to each 'tool_call_id'. The following tool_call_ids did not have response messages: ${[...pending].join(', ')}`,
      `messages.[${pendingAt}].role`,
    );

  if (body.stream_options != null && body.stream !== true)
    return bad("The 'stream_options' parameter is only allowed when 'stream' is enabled.", 'stream_options');
  const tools = Array.isArray(body.tools) ? (body.tools as Obj[]) : [];
  if (body.tool_choice != null && !tools.length)
    return bad(
      "Invalid value for 'tool_choice': 'tool_choice' is only allowed when 'tools' are specified.",
      'tool_choice',
    );
  if (body.parallel_tool_calls != null && !tools.length)
    return bad(
      "Invalid value for 'parallel_tool_calls': 'parallel_tool_calls' is only allowed when 'tools' are specified.",
      'parallel_tool_calls',
    );
  const names = tools.filter((t) => t.type === 'function').map((t) => String((t.function as Obj).name));
  if (isObj(body.tool_choice) && body.tool_choice.type === 'function') {
    const name = String((body.tool_choice.function as Obj).name);
    if (!names.includes(name))
      return bad(`Invalid value for 'tool_choice': function '${name}' not found in 'tools'.`, 'tool_choice');
  }
  for (let i = 0; i < tools.length; i++) {
    const fn = tools[i].function as Obj | undefined;
    if (tools[i].type !== 'function' || !fn) continue;
    if (!/^[a-zA-Z0-9_-]{1,64}$/.test(String(fn.name)))
      return bad(
        `Invalid 'tools[${i}].function.name': string does not match pattern. Expected a string that matches the pattern '^[a-zA-Z0-9_-]+$'.`,
        `tools[${i}].function.name`,
        'invalid_value',
      );
    if (fn.strict === true) {
      const p = strictSchemaProblem(fn.parameters ?? { type: 'object', properties: {} });
      if (p)
        return bad(
          `Invalid schema for function '${String(fn.name)}': ${p}`,
          `tools[${i}].function.parameters`,
          'invalid_function_parameters',
        );
    }
  }
  const rf = body.response_format as Obj | undefined;
  if (rf?.type === 'json_object') {
    const all = messages.map((m) => contentText(m.content)).join(' ');
    if (!/json/i.test(all))
      return bad(
        "'messages' must contain the word 'json' in some form, to use 'response_format' of type 'json_object'.",
        'messages',
      );
  }
  if (rf?.type === 'json_schema') {
    const js = rf.json_schema as Obj;
    if (js.strict === true) {
      const p = strictSchemaProblem(js.schema ?? {});
      if (p)
        return bad(
          `Invalid schema for response_format '${String(js.name)}': ${p}`,
          'response_format',
          'invalid_json_schema',
        );
    }
  }
  return null;
}

export interface OpenAIPrompt {
  neutral: NeutralRequest;
  promptTokens: number;
  /** of promptTokens, the audio's (prompt_tokens_details.audio_tokens) */
  audioTokens: number;
  segments: PromptSegment[];
}

/** Reduces a valid Chat Completions body to the neutral request + prompt token count and cache segments. */
export function neutralFromChat(body: Obj): OpenAIPrompt {
  const messages = body.messages as Obj[];
  let images = 0;
  const segments: PromptSegment[] = [];
  const tools = (Array.isArray(body.tools) ? (body.tools as Obj[]) : []).filter((t) => t.type === 'function');
  if (tools.length) segments.push({ key: JSON.stringify(tools), tokens: approxTokens(JSON.stringify(tools)) });
  const received: string[] = [];
  let audioTokens = 0;
  for (const m of messages) {
    let t = approxTokens(contentText(m.content));
    if (Array.isArray(m.content))
      for (const p of m.content as Obj[])
        if (p.type === 'image_url') {
          images++;
          t += IMAGE_TOKENS;
        } else if (p.type === 'input_audio') {
          const a = p.input_audio as Obj;
          const bytes = base64Size(String(a.data));
          received.push(`audio (${String(a.format)}, ${bytes} bytes)`);
          audioTokens += mediaTokens(bytes);
          t += mediaTokens(bytes);
        } else if (p.type === 'file') {
          const f = p.file as Obj;
          if (typeof f.file_data === 'string') {
            const data = f.file_data;
            const mime = data.startsWith('data:') ? data.slice(5, data.search(/[;,]/)) : 'no type';
            const bytes = base64Size(data);
            received.push(`file (${String(f.filename ?? 'unnamed')}, ${mime}, ${bytes} bytes)`);
            t += mediaTokens(bytes);
          } else received.push(`file (${String(f.file_id)})`);
        }
    if (Array.isArray(m.tool_calls)) t += approxTokens(JSON.stringify(m.tool_calls));
    segments.push({ key: JSON.stringify(m), tokens: t });
  }
  const last = messages[messages.length - 1];
  let toolResults: string[] | null = null;
  if (last.role === 'tool') {
    toolResults = [];
    for (let i = messages.length - 1; i >= 0 && messages[i].role === 'tool'; i--)
      toolResults.unshift(contentText(messages[i].content));
  }
  const lastUser = [...messages].reverse().find((m) => m.role === 'user');

  let allowed = tools.map((t) => ({ name: String((t.function as Obj).name), schema: (t.function as Obj).parameters }));
  const tc = body.tool_choice;
  let toolChoice: NeutralRequest['toolChoice'] = { mode: 'auto' };
  if (tc === 'none') toolChoice = { mode: 'none' };
  else if (tc === 'required') toolChoice = { mode: 'required' };
  else if (isObj(tc) && tc.type === 'function') toolChoice = { mode: 'named', name: String((tc.function as Obj).name) };
  else if (isObj(tc) && tc.type === 'allowed_tools') {
    const at = tc.allowed_tools as Obj;
    const names = ((at.tools as Obj[]) ?? []).map((t) => String((t.function as Obj | undefined)?.name ?? t.name));
    allowed = allowed.filter((t) => names.includes(t.name));
    toolChoice = { mode: at.mode === 'required' ? 'required' : 'auto' };
  }
  const rf = body.response_format as Obj | undefined;
  const json =
    rf?.type === 'json_object'
      ? { schema: null }
      : rf?.type === 'json_schema'
        ? { schema: (rf.json_schema as Obj).schema ?? {} }
        : null;
  const stop = typeof body.stop === 'string' ? [body.stop] : Array.isArray(body.stop) ? (body.stop as string[]) : [];
  const maxTokens = (body.max_completion_tokens ?? body.max_tokens ?? null) as number | null;
  return {
    neutral: {
      model: String(body.model),
      lastUserText: lastUser ? contentText(lastUser.content) : '',
      toolResults,
      imageCount: images,
      received,
      tools: last.role === 'user' ? allowed : [],
      toolChoice,
      parallel: body.parallel_tool_calls !== false,
      json,
      reasoning: typeof body.reasoning_effort === 'string' && body.reasoning_effort !== 'none',
      maxTokens,
      stop,
    },
    promptTokens: segments.reduce((n, s) => n + s.tokens, 0),
    audioTokens,
    segments,
  };
}
