// Simulated Gemini API (Generative Language v1beta): POST /v1beta/models/{model}:generateContent,
// :streamGenerateContent (?alt=sse → SSE; otherwise the streamed JSON array), :embedContent,
// :batchEmbedContents, :countTokens; GET /v1beta/models[/{model}].
// Request bodies are checked field by field against the official protos (proto-check.ts); shapes follow
// GenerateContentResponse / Candidate / UsageMetadata in generative_service.proto and
//   https://ai.google.dev/api/generate-content  (usageMetadata: promptTokenCount includes cached,
//     candidatesTokenCount excludes thoughts, totalTokenCount = prompt + candidates + thoughts)
//   https://ai.google.dev/gemini-api/docs/text-generation#streaming (SSE: `data: {...}` events, no [DONE])
//   https://ai.google.dev/gemini-api/docs/thinking (thought:true parts, thoughtsTokenCount, thoughtSignature)
//   https://ai.google.dev/gemini-api/docs/api-key (x-goog-api-key header or ?key=)
//   https://ai.google.dev/gemini-api/docs/troubleshooting (google.rpc.Status errors: 400 INVALID_ARGUMENT,
//     403 PERMISSION_DENIED, 404 NOT_FOUND, 429 RESOURCE_EXHAUSTED, 500 INTERNAL, 503 UNAVAILABLE, 504 DEADLINE_EXCEEDED)
// functionCall parts carry no id (as the Developer API sends them), arrive whole in one stream chunk, and
// finish with STOP. Responses are pretty-printed JSON like the real service; SSE lines end in \r\n.
// UNCONFIRMED: the in-stream error object (errorEventMidStream), and no retry-after header on 429 (RetryInfo only).
import { createHash } from 'node:crypto';
import { embed, planReply, splitWords, approxTokens, type ReplyPlan } from './content.js';
import { checkGenerateSemantics, neutralFromGenerate } from './gemini-rules.js';
import { checkProtoJson, normalizeProtoJson, type FieldViolation } from './proto-check.js';
import {
  cutWithError,
  randomId,
  type DialectHandler,
  type SimContext,
  type SimRule,
  type StreamFrame,
} from './server.js';
import { isObj } from './validate.js';
import { IMAGE_OUTPUT_TOKENS, simImageBase64 } from './media.js';

export const GEMINI_DEFAULT_MODELS = [
  'gemini-2.5-flash',
  'gemini-2.5-pro',
  'gemini-2.5-flash-lite',
  'gemini-3-pro-preview',
  'text-embedding-004',
  'gemini-embedding-001',
];
const SIM_EMBED_DIMS = 8;
const CACHE_MIN_TOKENS = 1024;

type Obj = Record<string, unknown>;

const STATUS: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  409: 'ABORTED',
  429: 'RESOURCE_EXHAUSTED',
  500: 'INTERNAL',
  501: 'NOT_IMPLEMENTED',
  503: 'UNAVAILABLE',
  504: 'DEADLINE_EXCEEDED',
};
const statusName = (code: number) => STATUS[code] ?? (code >= 500 ? 'UNAVAILABLE' : 'FAILED_PRECONDITION');

function rpcError(code: number, message: string, details?: unknown[]): Obj {
  return { error: { code, message, status: statusName(code), ...(details ? { details } : {}) } };
}
function sendError(ctx: SimContext, code: number, message: string, details?: unknown[]): void {
  ctx.sendJson(code, rpcError(code, message, details), {}, true);
}
function sendViolations(ctx: SimContext, v: FieldViolation[]): void {
  sendError(ctx, 400, v.map((x) => x.description).join('\n'), [
    { '@type': 'type.googleapis.com/google.rpc.BadRequest', fieldViolations: v },
  ]);
}

const notFound = (model: string, method: string) =>
  `models/${model} is not found for API version v1beta, or is not supported for ${method}. Call ListModels to see the list of available models and their supported methods.`;

/** Checks + normalizes a request body of proto type `type`; sends the error and returns null when invalid. */
function parseBody(ctx: SimContext, type: string): Obj | null {
  if (ctx.badJson) {
    sendError(ctx, 400, 'Invalid JSON payload received. Unexpected token.');
    return null;
  }
  const violations = checkProtoJson(type, ctx.body ?? {});
  if (violations.length) {
    sendViolations(ctx, violations);
    return null;
  }
  return normalizeProtoJson(type, ctx.body ?? {}) as Obj;
}

const FINISH: Record<ReplyPlan['finish'], string> = {
  stop: 'STOP',
  stop_sequence: 'STOP',
  tool_calls: 'STOP',
  length: 'MAX_TOKENS',
};
const signature = (seed: string) => createHash('sha256').update(`sig:${seed}`).digest('base64');

/** the inlineData part of an answer to responseModalities IMAGE (Gemini 3 signs it when thinking), else null */
function imageAnswer(body: Obj, seed: string, thoughtSignature: string | null): { part: Obj; tokens: number } | null {
  const gc = isObj(body.generationConfig) ? body.generationConfig : {};
  if (!Array.isArray(gc.responseModalities) || !gc.responseModalities.includes('IMAGE')) return null;
  const part: Obj = { inlineData: { mimeType: 'image/png', data: simImageBase64(seed) } };
  if (thoughtSignature) part.thoughtSignature = thoughtSignature;
  return { part, tokens: IMAGE_OUTPUT_TOKENS };
}

async function generate(ctx: SimContext, model: string, stream: boolean): Promise<void> {
  const body = parseBody(ctx, 'GenerateContentRequest');
  if (!body) return;
  const sem = checkGenerateSemantics(body, model);
  if (sem) return sendError(ctx, 400, sem);
  const prompt = neutralFromGenerate(body, model);
  const rule =
    prompt.enumAnswer !== null && ctx.rule?.reply === undefined
      ? { ...(ctx.rule ?? {}), reply: prompt.enumAnswer }
      : ctx.rule;
  const plan = planReply(prompt.neutral, rule);
  const cached = ctx.cache.implicit(prompt.segments, CACHE_MIN_TOKENS);
  const n = prompt.candidateCount;
  const thoughts = prompt.thinking ? plan.reasoningTokens : 0;
  const image = imageAnswer(body, prompt.neutral.lastUserText, prompt.thinking ? signature(ctx.rawBody) : null);
  const usage = (text: number, thought: number, images = 0): Obj => {
    const candidates = text + images;
    const u: Obj = {
      promptTokenCount: prompt.promptTokens,
      candidatesTokenCount: candidates,
      totalTokenCount: prompt.promptTokens + candidates + thought,
    };
    if (images)
      u.candidatesTokensDetails = [
        { modality: 'TEXT', tokenCount: text },
        { modality: 'IMAGE', tokenCount: images },
      ];
    const details = [{ modality: 'TEXT', tokenCount: prompt.promptTokens - prompt.imageTokens }];
    if (prompt.imageTokens) details.push({ modality: 'IMAGE', tokenCount: prompt.imageTokens });
    u.promptTokensDetails = details;
    if (thought) u.thoughtsTokenCount = thought;
    if (cached) {
      u.cachedContentTokenCount = cached;
      u.cacheTokensDetails = [{ modality: 'TEXT', tokenCount: cached }];
    }
    return u;
  };
  const responseId = randomId(22);
  const calls = plan.toolCalls.map((c, i) => {
    const part: Obj = { functionCall: { name: c.name, args: c.args } };
    if (i === 0 && prompt.thinking) part.thoughtSignature = signature(ctx.rawBody);
    return part;
  });
  const finishReason = FINISH[plan.finish];
  const wrap = (parts: Obj[], index: number, extra: Obj = {}): Obj => ({
    content: parts.length ? { parts, role: 'model' } : { role: 'model' },
    ...extra,
    index,
  });
  const envelope = (candidates: Obj[], u: Obj | null): Obj => ({
    candidates,
    ...(u && !rule?.omitUsage ? { usageMetadata: u } : {}),
    modelVersion: model,
    responseId,
  });

  if (!stream) {
    const parts: Obj[] = [];
    if (plan.reasoning && prompt.includeThoughts) parts.push({ text: plan.reasoning, thought: true });
    if (plan.text) parts.push({ text: plan.text });
    if (image) parts.push(image.part);
    parts.push(...calls);
    const candidates = Array.from({ length: n }, (_, i) => wrap(parts, i, { finishReason }));
    const u = usage(plan.outputTokens * n, thoughts * n, (image?.tokens ?? 0) * n);
    return ctx.sendJson(200, envelope(candidates, u), {}, true);
  }

  // stream: incremental text parts, functionCall parts whole, cumulative usage, finishReason on the last chunk
  const pieces: Array<{ part: Obj; tokens: number; thought: boolean }> = [];
  if (plan.reasoning && prompt.includeThoughts)
    for (const p of splitWords(plan.reasoning))
      pieces.push({ part: { text: p, thought: true }, tokens: approxTokens(p), thought: true });
  for (const p of splitWords(plan.text)) pieces.push({ part: { text: p }, tokens: approxTokens(p), thought: false });
  const chunks: Array<{ parts: Obj[]; tokens: number; thought: boolean }> = pieces.map((p) => ({
    parts: [p.part],
    tokens: p.tokens,
    thought: p.thought,
  }));
  // the image arrives whole in one chunk, after the text (as Gemini streams inlineData)
  if (image) chunks.push({ parts: [image.part], tokens: 0, thought: false });
  if (calls.length)
    chunks.push({
      parts: calls,
      tokens: plan.toolCalls.reduce((s, c) => s + approxTokens(c.name) + approxTokens(c.json), 0),
      thought: false,
    });
  if (!chunks.length) chunks.push({ parts: [{ text: '' }], tokens: 0, thought: false });
  let outSoFar = 0;
  let thoughtSoFar = prompt.includeThoughts ? 0 : thoughts;
  const frames: StreamFrame[] = chunks.map((c, i) => {
    const lastChunk = i === chunks.length - 1;
    if (c.thought) thoughtSoFar = Math.min(thoughts, thoughtSoFar + c.tokens);
    else outSoFar = Math.min(plan.outputTokens, outSoFar + c.tokens);
    const u = lastChunk ? usage(plan.outputTokens, thoughts, image?.tokens ?? 0) : usage(outSoFar, thoughtSoFar);
    return {
      data: JSON.stringify(envelope([wrap(c.parts, 0, lastChunk ? { finishReason } : {})], u)),
      tokens: Math.max(1, c.tokens),
    };
  });
  const final = rule?.errorEventMidStream
    ? cutWithError(frames, { data: JSON.stringify(rpcError(503, 'The model is overloaded. Please try again later.')) })
    : frames;
  if (ctx.query.get('alt') === 'sse') {
    await ctx.stream(final, { contentType: 'text/event-stream', encode: (f) => `data: ${f.data}\r\n\r\n` });
  } else {
    const pretty = (d: string) => {
      try {
        return JSON.stringify(JSON.parse(d), null, 2);
      } catch {
        return d;
      }
    };
    await ctx.stream(final, {
      contentType: 'application/json; charset=UTF-8',
      encode: (f, i) => `${i === 0 ? '[' : ',\r\n'}${pretty(f.data)}\n`,
      trailer: ']',
    });
  }
}

function contentText(c: unknown): string {
  return ((isObj(c) ? (c.parts as Obj[] | undefined) : undefined) ?? []).map((p) => String(p.text ?? '')).join(' ');
}

function embedOne(req: Obj): number[] {
  const dims = req.outputDimensionality === undefined ? SIM_EMBED_DIMS : Number(req.outputDimensionality);
  return embed(contentText(req.content), dims);
}

function embedContent(ctx: SimContext, model: string): void {
  const body = parseBody(ctx, 'EmbedContentRequest');
  if (!body) return;
  if (!isObj(body.content)) return sendError(ctx, 400, '* EmbedContentRequest.content: content is not specified\n'); // UNCONFIRMED wording
  if (!((body.content.parts as unknown[] | undefined) ?? []).length)
    return sendError(ctx, 400, '* EmbedContentRequest.content.parts: contents.parts must not be empty.\n');
  void model;
  ctx.sendJson(200, { embedding: { values: embedOne(body) } }, {}, true);
}

function batchEmbed(ctx: SimContext, model: string): void {
  const body = parseBody(ctx, 'BatchEmbedContentsRequest');
  if (!body) return;
  const reqs = (body.requests as Obj[] | undefined) ?? [];
  if (!reqs.length) return sendError(ctx, 400, '* BatchEmbedContentsRequest.requests: requests is not specified\n'); // UNCONFIRMED wording
  for (let i = 0; i < reqs.length; i++) {
    const m = String(reqs[i].model ?? '');
    if (m !== `models/${model}`)
      return sendError(
        ctx,
        400,
        `* BatchEmbedContentsRequest.requests[${i}].model: model must be "models/${model}", the model of the batch request.\n`,
      ); // UNCONFIRMED wording
    if (!isObj(reqs[i].content) || !((reqs[i].content as Obj).parts as unknown[] | undefined)?.length)
      return sendError(
        ctx,
        400,
        `* BatchEmbedContentsRequest.requests[${i}].content.parts: contents.parts must not be empty.\n`,
      );
  }
  ctx.sendJson(200, { embeddings: reqs.map((r) => ({ values: embedOne(r) })) }, {}, true);
}

function countTokens(ctx: SimContext, model: string): void {
  const body = parseBody(ctx, 'CountTokensRequest');
  if (!body) return;
  const gen = isObj(body.generateContentRequest) ? body.generateContentRequest : { contents: body.contents ?? [] };
  const sem = checkGenerateSemantics(gen, model);
  if (sem) return sendError(ctx, 400, sem.replace('GenerateContentRequest', 'CountTokensRequest'));
  const p = neutralFromGenerate(gen, model);
  ctx.sendJson(
    200,
    {
      totalTokens: p.promptTokens,
      promptTokensDetails: [{ modality: 'TEXT', tokenCount: p.promptTokens - p.imageTokens }],
    },
    {},
    true,
  );
}

function modelInfo(id: string): Obj {
  const embedding = id.includes('embedding');
  return {
    name: `models/${id}`,
    version: '001',
    displayName: id,
    description: `Simulated ${id}`,
    inputTokenLimit: embedding ? 2048 : 1048576,
    outputTokenLimit: embedding ? 1 : 65536,
    supportedGenerationMethods: embedding
      ? ['embedContent', 'batchEmbedContents']
      : ['generateContent', 'countTokens', 'createCachedContent', 'batchGenerateContent'],
    ...(embedding ? {} : { temperature: 1, topP: 0.95, topK: 64, maxTemperature: 2, thinking: true }),
  };
}

function scriptedError(
  ctx: SimContext,
  status: number,
  rule: SimRule,
): { status: number; body: unknown; headers?: Record<string, string> } {
  const model = /models\/([^/:]+)/.exec(ctx.path)?.[1] ?? 'gemini-2.5-flash';
  let message: string;
  let details: unknown[] | undefined;
  switch (status) {
    case 400:
      message = 'Request contains an invalid argument.';
      break;
    case 403:
      message = 'The caller does not have permission';
      break;
    case 404:
      message = notFound(model, 'generateContent');
      break;
    case 429:
      message =
        'You exceeded your current quota, please check your plan and billing details. For more information on this error, head to: https://ai.google.dev/gemini-api/docs/rate-limits.';
      details = [
        {
          '@type': 'type.googleapis.com/google.rpc.QuotaFailure',
          violations: [
            {
              quotaMetric: 'generativelanguage.googleapis.com/generate_content_free_tier_requests',
              quotaId: 'GenerateRequestsPerMinutePerProjectPerModel-FreeTier',
              quotaDimensions: { location: 'global', model },
              quotaValue: '10',
            },
          ],
        },
        {
          '@type': 'type.googleapis.com/google.rpc.Help',
          links: [
            {
              description: 'Learn more about Gemini API quotas',
              url: 'https://ai.google.dev/gemini-api/docs/rate-limits',
            },
          ],
        },
        { '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: `${rule.retryAfterSec ?? 1}s` },
      ];
      break;
    case 500:
      message =
        'An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting';
      break;
    case 503:
      message = 'The model is overloaded. Please try again later.';
      break;
    case 504:
      message = 'Deadline expired before operation could complete.';
      break;
    default:
      message =
        status >= 500 ? 'The service is currently unavailable.' : `Request failed with status ${status} (scripted).`;
  }
  return { status, body: rpcError(status, rule.message ?? message, details) };
}

export function geminiHandler(): DialectHandler {
  return {
    modelOf: (path) => /^\/v1beta\/models\/([^/:]+)/.exec(path)?.[1],
    scriptedError,
    async handle(ctx) {
      ctx.headersOut['x-gemini-service-tier'] = 'standard';
      const key = (ctx.headers['x-goog-api-key'] as string | undefined) ?? ctx.query.get('key') ?? '';
      if (!key)
        return sendError(
          ctx,
          403,
          "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.",
        );
      if (ctx.opts.apiKey !== undefined && key !== ctx.opts.apiKey) {
        return sendError(ctx, 400, 'API key not valid. Please pass a valid API key.', [
          {
            '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
            reason: 'API_KEY_INVALID',
            domain: 'googleapis.com',
            metadata: { service: 'generativelanguage.googleapis.com' },
          },
          {
            '@type': 'type.googleapis.com/google.rpc.LocalizedMessage',
            locale: 'en-US',
            message: 'API key not valid. Please pass a valid API key.',
          },
        ]);
      }
      const models = ctx.models.list(GEMINI_DEFAULT_MODELS);
      if (ctx.method === 'GET' && ctx.path === '/v1beta/models') {
        // the real API: pageSize default 50, at most 1000; an opaque nextPageToken (here the next index, base64)
        const size = ctx.query.has('pageSize') ? Number(ctx.query.get('pageSize')) : 50;
        const token = ctx.query.get('pageToken');
        const start = token ? Number(Buffer.from(token, 'base64url').toString('utf8')) : 0;
        if (!Number.isInteger(start) || start < 0) return sendError(ctx, 400, 'Invalid page token.'); // UNCONFIRMED wording
        const p = ctx.models.page(models, Number.isInteger(size) && size > 0 ? Math.min(size, 1000) : 50, start);
        const out: Obj = { models: p.items.map(modelInfo) };
        if (p.next !== null) out.nextPageToken = Buffer.from(String(p.next)).toString('base64url');
        return ctx.sendJson(200, out, {}, true);
      }
      const get = /^\/v1beta\/models\/([^/:]+)$/.exec(ctx.path);
      if (ctx.method === 'GET' && get) {
        const id = decodeURIComponent(get[1]);
        return models.includes(id)
          ? ctx.sendJson(200, modelInfo(id), {}, true)
          : sendError(ctx, 404, `models/${id} is not found for API version v1beta`);
      }
      const m = /^\/v1beta\/models\/([^/:]+):([A-Za-z]+)$/.exec(ctx.path);
      if (ctx.method !== 'POST' || !m) return sendError(ctx, 404, 'Method not found.');
      const model = decodeURIComponent(m[1]);
      const method = m[2];
      if (!ctx.models.accepts(model)) return sendError(ctx, 404, notFound(model, method));
      switch (method) {
        case 'generateContent':
          return generate(ctx, model, false);
        case 'streamGenerateContent':
          return generate(ctx, model, true);
        case 'embedContent':
          return embedContent(ctx, model);
        case 'batchEmbedContents':
          return batchEmbed(ctx, model);
        case 'countTokens':
          return countTokens(ctx, model);
        default:
          return sendError(ctx, 404, 'Method not found.');
      }
    },
  };
}
