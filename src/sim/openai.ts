// Simulated OpenAI API: POST /v1/chat/completions (JSON and SSE), POST /v1/embeddings, GET /v1/models[/{id}];
// POST /v1/responses is ./openai-responses.ts.
// Shapes follow the official OpenAPI spec (github.com/openai/openai-openapi, CreateChatCompletionResponse,
// CreateChatCompletionStreamResponse, CreateEmbeddingResponse, ListModelsResponse, ErrorResponse) and
//   https://platform.openai.com/docs/api-reference/chat/create
//   https://platform.openai.com/docs/api-reference/chat-streaming  (data-only SSE, usage chunk with choices:[]
//     when stream_options.include_usage, `usage: null` on the other chunks, `data: [DONE]`)
//   https://platform.openai.com/docs/api-reference/embeddings/create (base64 = little-endian float32)
//   https://platform.openai.com/docs/guides/error-codes
// Reasoning is returned DeepSeek-style as message.reasoning_content / delta.reasoning_content
// (https://api-docs.deepseek.com/guides/reasoning_model), counted in completion_tokens_details.reasoning_tokens.
// Mid-stream errors as `data: {"error":{...}}` are UNCONFIRMED for the real API.
import { embed, planReply, splitFragments, splitWords, stableId, approxTokens } from './content.js';
import { audioFrames, FINISH, logprobsFor, toolCallsOut, usageOf } from './openai-answer.js';
import { mediaFor, outputAsk, stripOpenRouterExtras } from './openai-outputs.js';
import { checkChatSemantics, neutralFromChat } from './openai-rules.js';
import { responsesEndpoint } from './openai-responses.js';
import {
  cutWithError,
  randomId,
  retryHeaders,
  type DialectHandler,
  type SimContext,
  type SimRule,
  type StreamFrame,
} from './server.js';
import { validateOpenAIChatSchema, validateOpenAIEmbeddingsSchema, isObj } from './validate.js';

export const OPENAI_DEFAULT_MODELS = [
  'gpt-4o-mini',
  'gpt-4o',
  'gpt-4.1',
  'o4-mini',
  'text-embedding-3-small',
  'text-embedding-3-large',
];
const SIM_EMBED_DIMS = 8;
const CACHE_MIN_TOKENS = 1024;
const CACHE_GRANULARITY = 128;

type Obj = Record<string, unknown>;

function sendError(
  ctx: SimContext,
  status: number,
  message: string,
  type: string,
  param: string | null,
  code: string | null,
  headers?: Record<string, string>,
): void {
  ctx.sendJson(status, { error: { message, type, param, code } }, headers);
}

const maskKey = (k: string) =>
  k.length > 8 ? `${k.slice(0, 3)}${'*'.repeat(Math.min(20, k.length - 7))}${k.slice(-4)}` : k;

function modelNotFound(ctx: SimContext, model: string): void {
  sendError(
    ctx,
    404,
    `The model \`${model}\` does not exist or you do not have access to it.`,
    'invalid_request_error',
    null,
    'model_not_found',
  );
}

async function chatCompletions(ctx: SimContext): Promise<void> {
  if (ctx.badJson) {
    return sendError(
      ctx,
      400,
      "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON. If you have trouble figuring out how to fix this, please contact us through our help center at help.openai.com.)",
      'invalid_request_error',
      null,
      null,
    );
  }
  const extras = isObj(ctx.body) ? stripOpenRouterExtras(ctx.body) : { body: ctx.body, error: null };
  if (extras.error) return sendError(ctx, 400, extras.error.message, 'invalid_request_error', extras.error.param, null);
  const invalid = validateOpenAIChatSchema(extras.body);
  if (invalid) return sendError(ctx, 400, invalid.message, 'invalid_request_error', invalid.param, invalid.code);
  const body = ctx.body as Obj;
  const model = String(body.model);
  if (!ctx.models.accepts(model)) return modelNotFound(ctx, model);
  const sem = checkChatSemantics(body);
  if (sem) return sendError(ctx, 400, sem.message, 'invalid_request_error', sem.param, sem.code);
  const out = outputAsk(body);
  if (out.error)
    return sendError(ctx, 400, out.error.message, 'invalid_request_error', out.error.param, out.error.code);

  const rule = ctx.rule;
  const prompt = neutralFromChat(body);
  const plan = planReply(prompt.neutral, rule);
  const cached = ctx.cache.implicit(prompt.segments, CACHE_MIN_TOKENS, CACHE_GRANULARITY);
  const n = typeof body.n === 'number' ? body.n : 1;
  const calls = toolCallsOut(plan, ctx.rawBody);
  const id = `chatcmpl-${randomId(29)}`;
  const created = Math.floor(Date.now() / 1000);
  const media = mediaFor(out.ask, stableId(prompt.neutral.lastUserText, 32), plan.text, created);
  const usage = usageOf(plan, prompt.promptTokens, cached, n, media, prompt.audioTokens);
  const finish = FINISH[plan.finish];
  const top = typeof body.top_logprobs === 'number' ? body.top_logprobs : 0;
  const lp = (text: string) => (body.logprobs === true ? logprobsFor(text, top) : null);
  ctx.headersOut['openai-processing-ms'] = '42';

  if (body.stream !== true) {
    const message: Obj = {
      role: 'assistant',
      content: plan.text === '' && calls.length ? null : plan.text,
      refusal: null,
      annotations: [],
    };
    if (plan.reasoning !== null) message.reasoning_content = plan.reasoning;
    if (calls.length) message.tool_calls = calls;
    if (media.images.length) message.images = media.images;
    if (media.audio) {
      // OpenAI: the spoken answer is the audio, its text the transcript; content is null
      message.audio = media.audio;
      message.content = null;
    }
    const res: Obj = {
      id,
      object: 'chat.completion',
      created,
      model,
      choices: Array.from({ length: n }, (_, index) => ({
        index,
        message,
        logprobs: lp(plan.text),
        finish_reason: finish,
      })),
      usage,
      service_tier: 'default',
      system_fingerprint: 'fp_sim0001',
    };
    if (rule?.omitUsage) delete res.usage;
    return ctx.sendJson(200, res);
  }

  const so = isObj(body.stream_options) ? body.stream_options : {};
  const includeUsage = so.include_usage === true && !rule?.omitUsage;
  const obfuscate = so.include_obfuscation !== false;
  const chunk = (choices: unknown[], extra: Obj = {}): string => {
    const c: Obj = {
      id,
      object: 'chat.completion.chunk',
      created,
      model,
      service_tier: 'default',
      system_fingerprint: 'fp_sim0001',
      choices,
      ...extra,
    };
    if (includeUsage && !('usage' in extra)) c.usage = null;
    if (obfuscate && choices.length) c.obfuscation = randomId(6);
    return JSON.stringify(c);
  };
  const delta = (index: number, d: Obj, finishReason: string | null = null) => ({
    index,
    delta: d,
    logprobs: typeof d.content === 'string' && d.content ? lp(d.content) : null,
    finish_reason: finishReason,
  });
  const frames: StreamFrame[] = [];
  for (let index = 0; index < n; index++) {
    frames.push({ data: chunk([delta(index, { role: 'assistant', content: '', refusal: null })]) });
    if (plan.reasoning)
      for (const p of splitWords(plan.reasoning))
        frames.push({ data: chunk([delta(index, { reasoning_content: p })]), tokens: approxTokens(p) });
    if (media.audio) frames.push(...audioFrames(media.audio, (d) => chunk([delta(index, d)])));
    else
      for (const p of splitWords(plan.text))
        frames.push({ data: chunk([delta(index, { content: p })]), tokens: approxTokens(p) });
    for (const image of media.images) frames.push({ data: chunk([delta(index, { images: [image] })]) });
    calls.forEach((c, k) => {
      frames.push({
        data: chunk([
          delta(index, {
            tool_calls: [{ index: k, id: c.id, type: 'function', function: { name: c.function.name, arguments: '' } }],
          }),
        ]),
        tokens: approxTokens(c.function.name),
      });
      for (const frag of splitFragments(c.function.arguments, 3))
        frames.push({
          data: chunk([delta(index, { tool_calls: [{ index: k, function: { arguments: frag } }] })]),
          tokens: approxTokens(frag),
        });
    });
    frames.push({ data: chunk([delta(index, {}, finish)]) });
  }
  if (includeUsage) frames.push({ data: chunk([], { usage }) });
  frames.push({ data: '[DONE]' });
  const final = rule?.errorEventMidStream
    ? cutWithError(frames, {
        data: JSON.stringify({
          error: {
            message: 'The server had an error while processing your request. Sorry about that!',
            type: 'server_error',
            param: null,
            code: null,
          },
        }),
      })
    : frames;
  await ctx.stream(final, { contentType: 'text/event-stream; charset=utf-8', encode: (f) => `data: ${f.data}\n\n` });
}

function embeddings(ctx: SimContext): void {
  if (ctx.badJson)
    return sendError(
      ctx,
      400,
      'We could not parse the JSON body of your request.',
      'invalid_request_error',
      null,
      null,
    );
  const invalid = validateOpenAIEmbeddingsSchema(ctx.body);
  if (invalid) return sendError(ctx, 400, invalid.message, 'invalid_request_error', invalid.param, invalid.code);
  const body = ctx.body as Obj;
  const model = String(body.model);
  if (!ctx.models.accepts(model)) return modelNotFound(ctx, model);
  if (body.dimensions !== undefined && model === 'text-embedding-ada-002')
    return sendError(
      ctx,
      400,
      'This model does not support specifying dimensions.',
      'invalid_request_error',
      null,
      null,
    );
  const raw = body.input;
  const inputs: Array<string | number[]> =
    typeof raw === 'string'
      ? [raw]
      : (raw as Array<string | number | number[]>).every((x) => typeof x === 'number')
        ? [raw as number[]]
        : (raw as Array<string | number[]>);
  if (inputs.some((x) => x === '' || (Array.isArray(x) && x.length === 0)))
    return sendError(
      ctx,
      400,
      "'$.input' is invalid. Please check the API reference: https://platform.openai.com/docs/api-reference.",
      'invalid_request_error',
      null,
      null,
    );
  const dims = typeof body.dimensions === 'number' ? body.dimensions : SIM_EMBED_DIMS;
  const base64 = body.encoding_format === 'base64';
  let tokens = 0;
  const data = inputs.map((inp, index) => {
    const text = typeof inp === 'string' ? inp : inp.join(' ');
    tokens += typeof inp === 'string' ? approxTokens(inp) : inp.length;
    const vec = embed(text, dims);
    let embedding: number[] | string = vec;
    if (base64) {
      const buf = Buffer.alloc(vec.length * 4);
      vec.forEach((v, i) => buf.writeFloatLE(v, i * 4));
      embedding = buf.toString('base64');
    }
    return { object: 'embedding', index, embedding };
  });
  const out: Obj = { object: 'list', data, model, usage: { prompt_tokens: tokens, total_tokens: tokens } };
  if (ctx.rule?.omitUsage) delete out.usage;
  ctx.sendJson(200, out);
}

function scriptedError(
  ctx: SimContext,
  status: number,
  rule: SimRule,
): { status: number; body: unknown; headers?: Record<string, string> } {
  const model = isObj(ctx.body) && typeof ctx.body.model === 'string' ? ctx.body.model : 'gpt-4o-mini';
  const e = (message: string, type: string, code: string | null) => ({
    error: { message: rule.message ?? message, type, param: null, code },
  });
  let body;
  switch (status) {
    case 400:
      body = e('Invalid request (scripted).', 'invalid_request_error', null);
      break;
    case 401:
      body = e(
        'Incorrect API key provided: sk-sim***. You can find your API key at https://platform.openai.com/account/api-keys.',
        'invalid_request_error',
        'invalid_api_key',
      );
      break;
    case 403:
      body = e('You are not allowed to access this resource (scripted).', 'invalid_request_error', null);
      break;
    case 404:
      body = e(
        `The model \`${model}\` does not exist or you do not have access to it.`,
        'invalid_request_error',
        'model_not_found',
      );
      break;
    case 429:
      body = e(
        `Rate limit reached for ${model} in organization org-sim on requests per min (RPM): Limit 3, Used 3, Requested 1. Please try again in ${rule.retryAfterSec ?? 1}s. Visit https://platform.openai.com/account/rate-limits to learn more.`,
        'requests',
        'rate_limit_exceeded',
      );
      break;
    case 500:
      body = e('The server had an error while processing your request. Sorry about that!', 'server_error', null);
      break;
    case 503:
      body = e('The server is overloaded or not ready yet.', 'server_error', null);
      break;
    default:
      body =
        status >= 500
          ? e('The server had an error while processing your request. Sorry about that!', 'server_error', null)
          : e(`Request failed with status ${status} (scripted).`, 'invalid_request_error', null);
  }
  const headers = retryHeaders(status, rule);
  if (status === 429)
    Object.assign(headers, {
      'x-ratelimit-limit-requests': '3',
      'x-ratelimit-remaining-requests': '0',
      'x-ratelimit-reset-requests': `${rule.retryAfterSec ?? 1}s`,
    });
  return { status, body, headers };
}

export function openaiHandler(): DialectHandler {
  return {
    modelOf: (_path, body) => (isObj(body) && typeof body.model === 'string' ? body.model : undefined),
    scriptedError,
    async handle(ctx) {
      ctx.headersOut['x-request-id'] = `req_${randomId(32).toLowerCase()}`;
      ctx.headersOut['openai-version'] = '2020-10-01';
      const auth = String(ctx.headers.authorization ?? '');
      const m = /^Bearer\s+(.+)$/i.exec(auth.trim());
      if (!m) {
        return sendError(
          ctx,
          401,
          "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY), or as the password field (with blank username) if you're accessing the API from your browser and are prompted for a username and password. You can obtain an API key from https://platform.openai.com/account/api-keys.",
          'invalid_request_error',
          null,
          null,
        );
      }
      if (ctx.opts.apiKey !== undefined && m[1] !== ctx.opts.apiKey) {
        return sendError(
          ctx,
          401,
          `Incorrect API key provided: ${maskKey(m[1])}. You can find your API key at https://platform.openai.com/account/api-keys.`,
          'invalid_request_error',
          null,
          'invalid_api_key',
        );
      }
      const models = ctx.models.list(OPENAI_DEFAULT_MODELS);
      const modelObj = (id: string) => ({ id, object: 'model', created: 1686935002, owned_by: 'system' });
      if (ctx.method === 'POST' && ctx.path === '/v1/chat/completions') return chatCompletions(ctx);
      if (ctx.method === 'POST' && ctx.path === '/v1/embeddings') return embeddings(ctx);
      if (ctx.method === 'POST' && ctx.path === '/v1/responses')
        return responsesEndpoint(
          ctx,
          (status, message, param, code) => sendError(ctx, status, message, 'invalid_request_error', param, code),
          (model) => modelNotFound(ctx, model),
        );
      if (ctx.method === 'GET' && ctx.path === '/v1/models')
        return ctx.sendJson(200, { object: 'list', data: models.map(modelObj) });
      const one = /^\/v1\/models\/(.+)$/.exec(ctx.path);
      if (ctx.method === 'GET' && one) {
        const id = decodeURIComponent(one[1]);
        return models.includes(id) ? ctx.sendJson(200, modelObj(id)) : modelNotFound(ctx, id);
      }
      sendError(ctx, 404, `Invalid URL (${ctx.method} ${ctx.path})`, 'invalid_request_error', null, null);
    },
  };
}
