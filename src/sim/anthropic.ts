// Simulated Anthropic Messages API: POST /v1/messages (JSON and SSE), POST /v1/messages/count_tokens,
// GET /v1/models[/{id}]. Shapes follow the Stainless-hosted OpenAPI spec (Message, MessageStreamEvent,
// ErrorResponse — every response key present, as the spec requires) and
//   https://docs.claude.com/en/api/messages
//   https://docs.claude.com/en/docs/build-with-claude/streaming  (event order: message_start, per block
//     content_block_start / _delta... / _stop, ping, message_delta with cumulative usage, message_stop;
//     `event: error` inside a 200 stream)
//   https://docs.claude.com/en/api/errors  (error types per status, 529 overloaded_error, request_id)
//   https://docs.claude.com/en/api/versioning (anthropic-version header)
import { planReply, splitFragments, splitWords, stableId, approxTokens, type ReplyPlan } from './content.js';
import { checkAfterSchema, checkBeforeSchema, neutralFromMessages, thinkingSignature } from './anthropic-rules.js';
import {
  cutWithError,
  randomId,
  retryHeaders,
  type DialectHandler,
  type SimContext,
  type SimRule,
  type StreamFrame,
} from './server.js';
import { isObj, validateAnthropicSchema } from './validate.js';

export const ANTHROPIC_DEFAULT_MODELS = [
  'claude-sonnet-4-5',
  'claude-sonnet-4-5-20250929',
  'claude-haiku-4-5',
  'claude-opus-4-1',
  'claude-3-5-haiku-20241022',
];
const VERSIONS = ['2023-06-01', '2023-01-01'];
const CACHE_MIN_TOKENS = 1024;

type Obj = Record<string, unknown>;

const requestId = () => `req_011C${randomId(20)}`;

function errorBody(ctx: SimContext, type: string, message: string): Obj {
  return { type: 'error', error: { type, message }, request_id: ctx.headersOut['request-id'] ?? requestId() };
}
function sendError(
  ctx: SimContext,
  status: number,
  type: string,
  message: string,
  headers?: Record<string, string>,
): void {
  ctx.sendJson(status, errorBody(ctx, type, message), headers);
}

const STOP: Record<ReplyPlan['finish'], string> = {
  stop: 'end_turn',
  stop_sequence: 'stop_sequence',
  length: 'max_tokens',
  tool_calls: 'tool_use',
};

interface Block {
  type: string;
  [k: string]: unknown;
}

function blocksFor(plan: ReplyPlan, preamble: string | null, seed: string): Block[] {
  const out: Block[] = [];
  if (plan.reasoning !== null)
    out.push({ type: 'thinking', thinking: plan.reasoning, signature: thinkingSignature(plan.reasoning) });
  const text = plan.text || preamble || '';
  if (text) out.push({ type: 'text', text, citations: null });
  plan.toolCalls.forEach((c, i) =>
    out.push({
      type: 'tool_use',
      id: `toolu_${stableId(`${seed}:${i}`)}`,
      name: c.name,
      input: c.args,
      caller: { type: 'direct' },
    }),
  );
  return out;
}

async function messages(ctx: SimContext): Promise<void> {
  if (ctx.badJson)
    return sendError(ctx, 400, 'invalid_request_error', 'There was an error parsing the request body: invalid JSON'); // UNCONFIRMED wording
  const pre = checkBeforeSchema(ctx.body);
  if (pre) return sendError(ctx, 400, 'invalid_request_error', pre);
  const invalid = validateAnthropicSchema(ctx.body);
  if (invalid) return sendError(ctx, 400, 'invalid_request_error', invalid);
  const body = ctx.body as Obj;
  const model = String(body.model);
  if (!ctx.models.accepts(model)) return sendError(ctx, 404, 'not_found_error', `model: ${model}`);
  const sem = checkAfterSchema(body);
  if (sem) return sendError(ctx, 400, 'invalid_request_error', sem);

  const rule = ctx.rule;
  const prompt = neutralFromMessages(body);
  const plan = planReply(prompt.neutral, rule);
  const autoCall = plan.toolCalls.length > 0 && !rule?.toolCalls && prompt.neutral.toolChoice.mode === 'auto';
  const preamble = autoCall ? `I'll use the ${plan.toolCalls.map((c) => c.name).join(' and ')} tool.` : null;
  const blocks = blocksFor(plan, preamble, ctx.rawBody);
  const outputTokens = plan.completionTokens + (preamble && !plan.text ? approxTokens(preamble) : 0);
  const { read, write } = ctx.cache.explicit(prompt.segments, CACHE_MIN_TOKENS);
  const usage = {
    input_tokens: prompt.promptTokens - read - write,
    output_tokens: outputTokens,
    cache_creation_input_tokens: write,
    cache_read_input_tokens: read,
    cache_creation: {
      ephemeral_5m_input_tokens: prompt.cacheTtl === '1h' ? 0 : write,
      ephemeral_1h_input_tokens: prompt.cacheTtl === '1h' ? write : 0,
    },
    server_tool_use: null,
    service_tier: 'standard',
    inference_geo: null,
  };
  const message: Obj = {
    id: `msg_01${randomId(22)}`,
    type: 'message',
    role: 'assistant',
    model,
    content: blocks,
    stop_reason: STOP[plan.finish],
    stop_sequence: plan.stopSequence,
    stop_details: null,
    container: null,
    usage,
  };
  if (rule?.omitUsage) delete message.usage;
  if (body.stream !== true) return ctx.sendJson(200, message);

  const ev = (type: string, data: Obj, tokens = 0): StreamFrame => ({
    event: type,
    data: JSON.stringify({ type, ...data }),
    tokens,
  });
  const frames: StreamFrame[] = [];
  const start: Obj = { ...message, content: [], stop_reason: null, stop_sequence: null };
  if (!rule?.omitUsage) start.usage = { ...usage, output_tokens: 1 };
  frames.push(ev('message_start', { message: start }));
  blocks.forEach((b, index) => {
    if (b.type === 'thinking') {
      frames.push(
        ev('content_block_start', { index, content_block: { type: 'thinking', thinking: '', signature: '' } }),
      );
      for (const p of splitWords(String(b.thinking)))
        frames.push(
          ev('content_block_delta', { index, delta: { type: 'thinking_delta', thinking: p } }, approxTokens(p)),
        );
      frames.push(ev('content_block_delta', { index, delta: { type: 'signature_delta', signature: b.signature } }));
    } else if (b.type === 'text') {
      frames.push(ev('content_block_start', { index, content_block: { type: 'text', text: '', citations: null } }));
      for (const p of splitWords(String(b.text)))
        frames.push(ev('content_block_delta', { index, delta: { type: 'text_delta', text: p } }, approxTokens(p)));
    } else {
      frames.push(ev('content_block_start', { index, content_block: { ...b, input: {} } }));
      frames.push(ev('content_block_delta', { index, delta: { type: 'input_json_delta', partial_json: '' } }));
      for (const p of splitFragments(JSON.stringify(b.input), 3))
        frames.push(
          ev('content_block_delta', { index, delta: { type: 'input_json_delta', partial_json: p } }, approxTokens(p)),
        );
    }
    frames.push(ev('content_block_stop', { index }));
    if (index === 0) frames.push(ev('ping', {}));
  });
  if (!blocks.length) frames.push(ev('ping', {}));
  const delta: Obj = {
    delta: {
      stop_reason: message.stop_reason,
      stop_sequence: message.stop_sequence,
      stop_details: null,
      container: null,
    },
  };
  if (!rule?.omitUsage) {
    delta.usage = {
      input_tokens: usage.input_tokens,
      cache_creation_input_tokens: write,
      cache_read_input_tokens: read,
      output_tokens: outputTokens,
      server_tool_use: null,
    };
  }
  frames.push(ev('message_delta', delta));
  frames.push(ev('message_stop', {}));
  const final = rule?.errorEventMidStream
    ? cutWithError(frames, ev('error', { error: { type: 'overloaded_error', message: 'Overloaded' } }))
    : frames;
  await ctx.stream(final, {
    contentType: 'text/event-stream; charset=utf-8',
    encode: (f) => `event: ${f.event}\ndata: ${f.data}\n\n`,
  });
}

function countTokens(ctx: SimContext): void {
  if (ctx.badJson || !isObj(ctx.body))
    return sendError(ctx, 400, 'invalid_request_error', 'There was an error parsing the request body: invalid JSON');
  const b = ctx.body;
  if (!Array.isArray(b.messages)) return sendError(ctx, 400, 'invalid_request_error', 'messages: Field required');
  if (typeof b.model !== 'string') return sendError(ctx, 400, 'invalid_request_error', 'model: Field required');
  const pre = checkBeforeSchema(b);
  if (pre) return sendError(ctx, 400, 'invalid_request_error', pre);
  if (!b.messages.length)
    return sendError(ctx, 400, 'invalid_request_error', 'messages: at least one message is required');
  const prompt = neutralFromMessages({ ...b, max_tokens: 1 });
  ctx.sendJson(200, { input_tokens: prompt.promptTokens });
}

const ERRORS: Record<number, [string, string]> = {
  400: ['invalid_request_error', 'Invalid request (scripted).'],
  401: ['authentication_error', 'invalid x-api-key'],
  402: [
    'billing_error',
    'Your credit balance is too low to access the Anthropic API. Please go to Plans & Billing to upgrade or purchase credits.',
  ],
  403: ['permission_error', 'Your API key does not have permission to use the specified resource.'],
  404: ['not_found_error', 'Not Found'],
  413: ['request_too_large', 'Request exceeds the maximum allowed number of bytes.'],
  429: [
    'rate_limit_error',
    'Number of request tokens has exceeded your per-minute rate limit (https://docs.claude.com/en/api/rate-limits); see the response headers for current usage. Please reduce the prompt length or the maximum tokens requested, or try again later.',
  ],
  500: ['api_error', 'Internal server error'],
  504: ['timeout_error', 'Request timed out'],
  529: ['overloaded_error', 'Overloaded'],
};

function scriptedError(
  ctx: SimContext,
  status: number,
  rule: SimRule,
): { status: number; body: unknown; headers?: Record<string, string> } {
  const [type, msg] =
    ERRORS[status] ??
    (status >= 500
      ? ['api_error', 'Internal server error']
      : ['invalid_request_error', `Request failed with status ${status} (scripted).`]);
  const rid = requestId();
  const headers: Record<string, string> = { 'request-id': rid, ...retryHeaders(status, rule) };
  if (status === 429)
    Object.assign(headers, {
      'anthropic-ratelimit-requests-limit': '50',
      'anthropic-ratelimit-requests-remaining': '0',
      'anthropic-ratelimit-requests-reset': new Date(Date.now() + (rule.retryAfterSec ?? 1) * 1000).toISOString(),
    });
  void ctx;
  return { status, body: { type: 'error', error: { type, message: rule.message ?? msg }, request_id: rid }, headers };
}

export function anthropicHandler(): DialectHandler {
  return {
    modelOf: (_p, body) => (isObj(body) && typeof body.model === 'string' ? body.model : undefined),
    scriptedError,
    async handle(ctx) {
      ctx.headersOut['request-id'] = requestId();
      ctx.headersOut['anthropic-organization-id'] = '00000000-0000-4000-8000-000000000000';
      const key = ctx.headers['x-api-key'];
      if (typeof key !== 'string' || !key)
        return sendError(ctx, 401, 'authentication_error', 'x-api-key header is required');
      if (ctx.opts.apiKey !== undefined && key !== ctx.opts.apiKey)
        return sendError(ctx, 401, 'authentication_error', 'invalid x-api-key');
      const version = ctx.headers['anthropic-version'];
      if (typeof version !== 'string' || !version)
        return sendError(ctx, 400, 'invalid_request_error', 'anthropic-version: header is required');
      if (!VERSIONS.includes(version))
        return sendError(
          ctx,
          400,
          'invalid_request_error',
          `anthropic-version: ${JSON.stringify(version)} is not a valid version`,
        );
      const models = ctx.models.list(ANTHROPIC_DEFAULT_MODELS);
      const modelObj = (id: string) => ({ type: 'model', id, display_name: id, created_at: '2025-09-29T00:00:00Z' });
      if (ctx.method === 'POST' && ctx.path === '/v1/messages') return messages(ctx);
      if (ctx.method === 'POST' && ctx.path === '/v1/messages/count_tokens') return countTokens(ctx);
      if (ctx.method === 'GET' && ctx.path === '/v1/models') {
        // the real API: limit 1..1000 (default 20), after_id / before_id cursors, has_more + first_id/last_id
        const limit = ctx.query.has('limit') ? Number(ctx.query.get('limit')) : 20;
        if (!Number.isInteger(limit) || limit < 1 || limit > 1000) {
          return sendError(ctx, 400, 'invalid_request_error', 'limit: Input should be less than or equal to 1000');
        }
        const after = ctx.query.get('after_id');
        const start = after ? models.indexOf(after) + 1 : 0;
        if (after && start === 0)
          return sendError(ctx, 400, 'invalid_request_error', `after_id: ${after} is not a valid model id`); // UNCONFIRMED wording
        const p = ctx.models.page(models, limit, start);
        return ctx.sendJson(200, {
          data: p.items.map(modelObj),
          has_more: p.next !== null,
          first_id: p.items[0] ?? null,
          last_id: p.items[p.items.length - 1] ?? null,
        });
      }
      const one = /^\/v1\/models\/(.+)$/.exec(ctx.path);
      if (ctx.method === 'GET' && one) {
        const id = decodeURIComponent(one[1]);
        return models.includes(id)
          ? ctx.sendJson(200, modelObj(id))
          : sendError(ctx, 404, 'not_found_error', `model: ${id}`);
      }
      sendError(ctx, 404, 'not_found_error', 'Not Found');
    },
  };
}
