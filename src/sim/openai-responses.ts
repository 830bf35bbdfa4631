// Simulated OpenAI Responses API: POST /v1/responses, JSON and the typed SSE stream, deterministic answers
// (content.ts), validated by ./openai-responses-rules.ts. Shapes follow the official spec (Response, OutputItem,
// ResponseStreamEvent) and https://platform.openai.com/docs/api-reference/responses-streaming : response.created,
// response.in_progress, then per output item output_item.added → (reasoning_summary_part / content_part) added →
// deltas → done events → output_item.done, then response.completed (response.incomplete when max_output_tokens cut
// the answer); every event carries `sequence_number`. Reasoning models (o-series, gpt-5) always reason: the item's
// summary only when `reasoning.summary` asks, its encrypted_content only with include reasoning.encrypted_content.
// `store` is not kept: a reasoning item comes back only by its encrypted_content.
import { approxTokens, planReply, splitFragments, splitWords, stableId } from './content.js';
import {
  checkResponsesSemantics,
  neutralFromResponses,
  sealReasoning,
  validateResponsesSchema,
} from './openai-responses-rules.js';
import { cutWithError, type SimContext, type StreamFrame } from './server.js';
import { isObj } from './validate.js';

type Obj = Record<string, unknown>;
type SendError = (status: number, message: string, param: string | null, code: string | null) => void;

const CACHE_MIN_TOKENS = 1024;
const CACHE_GRANULARITY = 128;

export async function responsesEndpoint(
  ctx: SimContext,
  sendError: SendError,
  notFound: (model: string) => void,
): Promise<void> {
  if (ctx.badJson) return sendError(400, 'We could not parse the JSON body of your request.', null, null);
  const invalid = validateResponsesSchema(ctx.body);
  if (invalid) return sendError(400, invalid.message, invalid.param, invalid.code);
  const body = ctx.body as Obj;
  if (typeof body.model !== 'string') return sendError(400, "Missing required parameter: 'model'.", 'model', null);
  if (!ctx.models.accepts(body.model)) return notFound(body.model);
  const sem = checkResponsesSemantics(body);
  if (sem) return sendError(400, sem.message, sem.param, sem.code);

  const prompt = neutralFromResponses(body);
  const plan = planReply(prompt.neutral, ctx.rule);
  const cached = ctx.cache.implicit(prompt.segments, CACHE_MIN_TOKENS, CACHE_GRANULARITY);
  const seed = stableId(ctx.rawBody, 24);
  const r = isObj(body.reasoning) ? body.reasoning : {};
  const include = Array.isArray(body.include) ? (body.include as string[]) : [];
  const items: Obj[] = [];
  if (plan.reasoning !== null) {
    const id = `rs_${seed}`;
    const item: Obj = {
      id,
      type: 'reasoning',
      summary: r.summary != null ? [{ type: 'summary_text', text: plan.reasoning }] : [],
    };
    if (include.includes('reasoning.encrypted_content')) item.encrypted_content = sealReasoning(id, plan.reasoning);
    items.push(item);
  }
  if (plan.text !== '' || plan.toolCalls.length === 0)
    items.push({
      id: `msg_${seed}`,
      type: 'message',
      status: plan.finish === 'length' ? 'incomplete' : 'completed',
      role: 'assistant',
      content: [{ type: 'output_text', text: plan.text, annotations: [], logprobs: [] }],
    });
  plan.toolCalls.forEach((c, k) => {
    const call_id = `call_${stableId(`${ctx.rawBody}:${k}`)}`;
    if (prompt.custom.has(c.name))
      items.push({
        id: `ctc_${seed}_${k}`,
        type: 'custom_tool_call',
        call_id,
        name: c.name,
        input: typeof c.args.input === 'string' ? c.args.input : c.json,
      });
    else
      items.push({
        id: `fc_${seed}_${k}`,
        type: 'function_call',
        status: 'completed',
        call_id,
        name: c.name,
        arguments: c.json,
      });
  });
  const incomplete = plan.finish === 'length';
  const response = (status: string, output: Obj[], withUsage: boolean): Obj => {
    const out: Obj = {
      id: `resp_${seed}`,
      object: 'response',
      created_at: Math.floor(Date.now() / 1000),
      status,
      error: null,
      incomplete_details: status === 'incomplete' ? { reason: 'max_output_tokens' } : null,
      instructions: body.instructions ?? null,
      max_output_tokens: body.max_output_tokens ?? null,
      model: body.model,
      output,
      parallel_tool_calls: body.parallel_tool_calls ?? true,
      previous_response_id: null,
      reasoning: { effort: r.effort ?? null, summary: r.summary ?? null },
      service_tier: 'default',
      store: body.store ?? true,
      temperature: body.temperature ?? 1,
      text: body.text ?? { format: { type: 'text' } },
      tool_choice: body.tool_choice ?? 'auto',
      tools: body.tools ?? [],
      top_p: body.top_p ?? 1,
      truncation: body.truncation ?? 'disabled',
      metadata: body.metadata ?? {},
    };
    if (withUsage && !ctx.rule?.omitUsage)
      out.usage = {
        input_tokens: prompt.promptTokens,
        input_tokens_details: { cached_tokens: cached, cache_write_tokens: 0 },
        output_tokens: plan.completionTokens,
        output_tokens_details: { reasoning_tokens: plan.reasoningTokens },
        total_tokens: prompt.promptTokens + plan.completionTokens,
      };
    return out;
  };
  ctx.headersOut['openai-processing-ms'] = '42';
  const final = response(incomplete ? 'incomplete' : 'completed', items, true);
  if (body.stream !== true) return ctx.sendJson(200, final);

  const frames = streamFrames(items, response('in_progress', [], false), final);
  const out = ctx.rule?.errorEventMidStream
    ? cutWithError(frames, {
        event: 'error',
        data: JSON.stringify({
          type: 'error',
          sequence_number: -1,
          code: 'server_error',
          message: 'The server had an error while processing your request. Sorry about that!',
          param: null,
        }),
      })
    : frames;
  let seq = 0;
  await ctx.stream(out, {
    contentType: 'text/event-stream; charset=utf-8',
    // sequence numbers are stamped as events are written (the error frame of a cut stream gets the next one)
    encode: (f) =>
      `event: ${f.event}\ndata: ${f.data.replace(/"sequence_number":-1/, `"sequence_number":${seq++}`)}\n\n`,
  });
}

function streamFrames(items: Obj[], started: Obj, final: Obj): StreamFrame[] {
  const frames: StreamFrame[] = [];
  const ev = (type: string, fields: Obj, tokens?: number): void => {
    frames.push({ event: type, data: JSON.stringify({ type, sequence_number: -1, ...fields }), tokens });
  };
  ev('response.created', { response: started });
  ev('response.in_progress', { response: started });
  items.forEach((item, output_index) => {
    const at = { item_id: item.id, output_index };
    if (item.type === 'reasoning') {
      ev('response.output_item.added', { output_index, item: { ...item, summary: [], encrypted_content: undefined } });
      (item.summary as Obj[]).forEach((part, summary_index) => {
        const text = String(part.text);
        ev('response.reasoning_summary_part.added', { ...at, summary_index, part: { type: 'summary_text', text: '' } });
        for (const p of splitWords(text))
          ev('response.reasoning_summary_text.delta', { ...at, summary_index, delta: p }, approxTokens(p));
        ev('response.reasoning_summary_text.done', { ...at, summary_index, text });
        ev('response.reasoning_summary_part.done', { ...at, summary_index, part });
      });
    } else if (item.type === 'message') {
      const part = (item.content as Obj[])[0];
      const text = String(part.text);
      ev('response.output_item.added', { output_index, item: { ...item, status: 'in_progress', content: [] } });
      ev('response.content_part.added', { ...at, content_index: 0, part: { ...part, text: '' } });
      for (const p of splitWords(text))
        ev('response.output_text.delta', { ...at, content_index: 0, delta: p, logprobs: [] }, approxTokens(p));
      ev('response.output_text.done', { ...at, content_index: 0, text, logprobs: [] });
      ev('response.content_part.done', { ...at, content_index: 0, part });
    } else if (item.type === 'function_call') {
      const args = String(item.arguments);
      ev(
        'response.output_item.added',
        { output_index, item: { ...item, status: 'in_progress', arguments: '' } },
        approxTokens(String(item.name)),
      );
      for (const f of splitFragments(args, 3))
        ev('response.function_call_arguments.delta', { ...at, delta: f }, approxTokens(f));
      ev('response.function_call_arguments.done', { ...at, name: item.name, arguments: args });
    } else {
      const input = String(item.input);
      ev('response.output_item.added', { output_index, item: { ...item, input: '' } }, approxTokens(String(item.name)));
      for (const f of splitFragments(input, 3))
        ev('response.custom_tool_call_input.delta', { ...at, delta: f }, approxTokens(f));
      ev('response.custom_tool_call_input.done', { ...at, input });
    }
    ev('response.output_item.done', { output_index, item });
  });
  ev(final.status === 'incomplete' ? 'response.incomplete' : 'response.completed', { response: final });
  return frames;
}
