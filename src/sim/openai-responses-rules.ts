// What the simulated OpenAI Responses API (POST /v1/responses) checks, and the reduction of a valid request to the
// neutral form content.ts plans replies from.
//
// Schema: CreateResponse of the official spec (schemas/openai-responses-api.json) with unknown top-level parameters
// refused as the live API does. `input` items are checked one by one against their own type's schema: the spec's
// InputItem union is ambiguous (a typed user message matches both EasyInputMessage and InputMessage, so a strict
// oneOf refuses every one), and an assistant message of the history may omit output_text's annotations/logprobs.
// Semantics beyond the schema, with the live API's wording where known:
//   "No tool call found for function call output with call_id call_x." (param input)
//   "Unsupported parameter: 'reasoning.effort' is not supported with this model." (non-reasoning models)
//   "Unsupported parameter: 'temperature' is not supported with this model." (reasoning models; top_p too)
//   "Encrypted content is not supported with this model." (include reasoning.encrypted_content, UNCONFIRMED wording)
//   "The encrypted content for item rs_x could not be verified." (a reasoning item this sim did not issue)
import { IMAGE_TOKENS, approxTokens, type NeutralRequest, type PromptSegment } from './content.js';
import { isObj, knownTopLevel, mapOpenAIError, specValidator, type OpenAIParamError } from './validate.js';

type Obj = Record<string, unknown>;
const BUNDLE = 'openai-responses-api';

/** the sim's reasoning models (the real o-series and gpt-5 family) */
export const isReasoningModel = (model: string): boolean => /^(o\d|gpt-5)/.test(model);

const ITEM_DEFS: Record<string, string> = {
  function_call: 'FunctionToolCall',
  function_call_output: 'FunctionCallOutputItemParam',
  custom_tool_call: 'CustomToolCall',
  custom_tool_call_output: 'CustomToolCallOutput',
  reasoning: 'ReasoningItem',
  item_reference: 'ItemReferenceParam',
};

let topKeys: Set<string> | null = null;

function check(def: string, value: unknown, at: string): OpenAIParamError | null {
  const v = specValidator(BUNDLE, def);
  if (v(value)) return null;
  const errors = (v.errors ?? []).map((e) => ({ ...e, instancePath: at + e.instancePath }));
  return mapOpenAIError(errors, BUNDLE);
}

/** Schema check of a Responses body (CreateResponse). */
export function validateResponsesSchema(body: unknown): OpenAIParamError | null {
  if (!isObj(body))
    return { message: "Invalid type for 'body': expected an object.", param: null, code: 'invalid_type' };
  topKeys ??= knownTopLevel(BUNDLE, 'CreateResponse');
  for (const k of Object.keys(body))
    if (!topKeys.has(k)) return { message: `Unknown parameter: '${k}'.`, param: k, code: 'unknown_parameter' };
  const top = check('CreateResponse', Array.isArray(body.input) ? { ...body, input: '' } : body, '');
  if (top) return top;
  if (!Array.isArray(body.input)) return null;
  for (let i = 0; i < body.input.length; i++) {
    const item: unknown = body.input[i];
    const at = `/input/${i}`;
    if (!isObj(item)) return check('InputItem', item, at);
    const type = item.type ?? 'message';
    const problem =
      type === 'message' ? messageProblem(item, at) : check(ITEM_DEFS[type as string] ?? 'Item', item, at);
    if (problem) return problem;
  }
  return null;
}

function messageProblem(m: Obj, at: string): OpenAIParamError | null {
  if (m.role !== 'assistant' || !Array.isArray(m.content))
    return check(typeof m.content === 'string' ? 'EasyInputMessage' : 'InputMessage', m, at);
  for (let j = 0; j < m.content.length; j++) {
    const p = m.content[j] as Obj;
    const ok =
      isObj(p) &&
      ((p.type === 'output_text' && typeof p.text === 'string') ||
        (p.type === 'refusal' && typeof p.refusal === 'string'));
    if (!ok)
      return {
        message: `Invalid value: '${String(isObj(p) ? p.type : p)}'. Supported values are: 'output_text' and 'refusal'.`,
        param: `input[${at.split('/')[2]}].content[${j}].type`,
        code: 'invalid_value',
      };
  }
  return null;
}

const bad = (message: string, param: string | null, code: string | null = null): OpenAIParamError => ({
  message,
  param,
  code,
});

/** the sim's encrypted reasoning state: the item id and the reasoning text, so a replay can be verified */
export const sealReasoning = (id: string, text: string): string =>
  'gAAAAB' + Buffer.from(JSON.stringify({ id, text })).toString('base64');

function sealedId(enc: string): string | null {
  if (!enc.startsWith('gAAAAB')) return null;
  try {
    const v = JSON.parse(Buffer.from(enc.slice(6), 'base64').toString('utf8')) as { id?: unknown };
    return typeof v.id === 'string' ? v.id : null;
  } catch {
    return null;
  }
}

/** Rules beyond the schema; `body` has passed validateResponsesSchema. */
export function checkResponsesSemantics(body: Obj): OpenAIParamError | null {
  const model = String(body.model);
  const reasoner = isReasoningModel(model);
  const r = isObj(body.reasoning) ? body.reasoning : null;
  if (!reasoner && r?.effort != null)
    return bad("Unsupported parameter: 'reasoning.effort' is not supported with this model.", 'reasoning.effort');
  if (reasoner)
    for (const p of ['temperature', 'top_p'])
      if (body[p] != null) return bad(`Unsupported parameter: '${p}' is not supported with this model.`, p);
  const include = Array.isArray(body.include) ? (body.include as string[]) : [];
  if (!reasoner && include.includes('reasoning.encrypted_content'))
    return bad('Encrypted content is not supported with this model.', 'include');
  const calls = new Set<string>();
  const input = Array.isArray(body.input) ? (body.input as Obj[]) : [];
  for (const item of input) {
    if (item.type === 'function_call' || item.type === 'custom_tool_call') calls.add(String(item.call_id));
    if (
      (item.type === 'function_call_output' || item.type === 'custom_tool_call_output') &&
      !calls.has(String(item.call_id))
    )
      return bad(`No tool call found for function call output with call_id ${String(item.call_id)}.`, 'input');
    if (item.type === 'reasoning' && typeof item.encrypted_content === 'string') {
      const id = sealedId(item.encrypted_content);
      if (id === null || (typeof item.id === 'string' && item.id !== id))
        return bad(
          `The encrypted content for item ${String(item.id)} could not be verified.`,
          null,
          'invalid_encrypted_content',
        );
    }
  }
  const tools = Array.isArray(body.tools) ? (body.tools as Obj[]) : [];
  const tc = body.tool_choice;
  if (isObj(tc) && (tc.type === 'function' || tc.type === 'custom') && !tools.some((t) => t.name === tc.name))
    return bad(`Tool choice '${String(tc.name)}' not found in 'tools' parameter.`, 'tool_choice');
  return null;
}

const textOf = (content: unknown): string =>
  typeof content === 'string'
    ? content
    : Array.isArray(content)
      ? (content as Obj[])
          .filter((p) => typeof p.text === 'string' || typeof p.refusal === 'string')
          .map((p) => String(p.text ?? p.refusal))
          .join(' ')
      : '';

export interface ResponsesPrompt {
  neutral: NeutralRequest;
  promptTokens: number;
  segments: PromptSegment[];
  /** the tools the model may call, by name: custom ones take free text */
  custom: Set<string>;
}

/** Reduces a valid Responses body to the neutral request, its prompt tokens and cache segments. */
export function neutralFromResponses(body: Obj): ResponsesPrompt {
  const input: Obj[] =
    typeof body.input === 'string' ? [{ role: 'user', content: body.input }] : ((body.input as Obj[]) ?? []);
  const segments: PromptSegment[] = [];
  const tools = Array.isArray(body.tools) ? (body.tools as Obj[]) : [];
  if (tools.length) segments.push({ key: JSON.stringify(tools), tokens: approxTokens(JSON.stringify(tools)) });
  if (typeof body.instructions === 'string')
    segments.push({ key: body.instructions, tokens: approxTokens(body.instructions) });
  let images = 0;
  for (const item of input) {
    let t = approxTokens(textOf(item.content ?? item.output ?? item.arguments ?? item.input ?? ''));
    if (Array.isArray(item.content))
      for (const p of item.content as Obj[])
        if (p.type === 'input_image') {
          images++;
          t += IMAGE_TOKENS;
        }
    segments.push({ key: JSON.stringify(item), tokens: t });
  }
  const last = input[input.length - 1] ?? {};
  const isOutput = (i: Obj) => i.type === 'function_call_output' || i.type === 'custom_tool_call_output';
  let toolResults: string[] | null = null;
  if (isOutput(last)) {
    toolResults = [];
    for (let i = input.length - 1; i >= 0 && isOutput(input[i]); i--) toolResults.unshift(textOf(input[i].output));
  }
  const lastUser = [...input].reverse().find((i) => i.role === 'user');
  const custom = new Set(tools.filter((t) => t.type === 'custom').map((t) => String(t.name)));
  const callable = tools
    .filter((t) => t.type === 'function' || t.type === 'custom')
    .map((t) => ({
      name: String(t.name),
      schema:
        t.type === 'custom'
          ? { type: 'object', properties: { input: { type: 'string' } }, required: ['input'] }
          : t.parameters,
    }));
  const tc = body.tool_choice;
  let toolChoice: NeutralRequest['toolChoice'] = { mode: 'auto' };
  if (tc === 'none') toolChoice = { mode: 'none' };
  else if (tc === 'required') toolChoice = { mode: 'required' };
  else if (isObj(tc) && (tc.type === 'function' || tc.type === 'custom'))
    toolChoice = { mode: 'named', name: String(tc.name) };
  const format = isObj(body.text) && isObj(body.text.format) ? body.text.format : null;
  const json =
    format?.type === 'json_object'
      ? { schema: null }
      : format?.type === 'json_schema'
        ? { schema: format.schema }
        : null;
  const r = isObj(body.reasoning) ? body.reasoning : {};
  return {
    neutral: {
      model: String(body.model),
      lastUserText: lastUser ? textOf(lastUser.content) : '',
      toolResults,
      imageCount: images,
      tools: last.role === 'user' ? callable : [],
      toolChoice,
      parallel: body.parallel_tool_calls !== false,
      json,
      // reasoning models reason unless told not to
      reasoning: isReasoningModel(String(body.model)) && r.effort !== 'none',
      maxTokens: typeof body.max_output_tokens === 'number' ? body.max_output_tokens : null,
      stop: [],
    },
    promptTokens: segments.reduce((n, s) => n + s.tokens, 0),
    segments,
    custom,
  };
}
