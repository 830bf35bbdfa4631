// POST /v1/embeddings via the openai and gemini dialects, with the same plan → limit → reserve → settle
// walk as chat (embeddings bill prompt tokens only). Vectors are always fetched as floats; base64 is
// encoded here (little-endian float32, as OpenAI sends it) so every dialect supports it.
import { performance } from 'node:perf_hooks';
import type { AuthedContext, Route } from '../context.js';
import { HttpError, badRequest, notFound } from '../errors.js';
import { readJson } from '../body.js';
import { sendJson } from '../respond.js';
import { validate } from '../validate.js';
import { isoTime } from '../../lib/clock.js';
import { EmbeddingsRequestSchema, type EmbeddingsRequest } from '../../protocol/chat-request.js';
import { DIALECTS } from '../../providers/dialects.js';
import { AbortedByClient, RequestAbort } from '../../providers/transport.js';
import { ExecFailure, runAttempts } from '../../routing/attempts.js';
import type { UpstreamError } from '../../providers/types.js';
import { countTextTokens } from '../../accounting/tokenizer.js';
import { computeCost, worstCaseCost, emptyUsage } from '../../accounting/cost.js';
import { toNumberUsd } from '../../accounting/money.js';
import { resolveModel, RoutingError, endpointKey } from '../../routing/index.js';
import type { AttemptRecord, GenerationRow } from '../../store/types.js';
import { explainNotFound, generationId, insufficientQuota, routingHttpError, upstreamHttpError } from './chat.js';
import { attemptsHeader } from '../chat-output.js';

function toBase64(v: number[]): string {
  const f = new Float32Array(v);
  return Buffer.from(f.buffer, f.byteOffset, f.byteLength).toString('base64');
}

function inputTexts(req: EmbeddingsRequest): string[] | null {
  if (typeof req.input === 'string') return [req.input];
  if (req.input.every((x): x is string => typeof x === 'string')) return req.input as string[];
  return null;
}

async function embeddings(ctx: AuthedContext): Promise<void> {
  const { app, key, account } = ctx;
  const req = validate(
    EmbeddingsRequestSchema,
    await readJson(ctx.req, app.config.bodyLimitBytes, EmbeddingsRequestSchema),
  );
  const available = app.providers.availableFor(account);
  const catalog = app.catalog;
  let resolved;
  try {
    resolved = resolveModel(catalog, req.model, available);
  } catch (err) {
    if (err instanceof RoutingError) throw routingHttpError(explainNotFound(app, [req.model], err));
    throw err;
  }
  if (resolved.kind !== 'model')
    throw badRequest('"auto" is not available for embeddings; name an embedding model', 'model');
  const model = resolved.model;
  if (!model.architecture.output_modalities.includes('embeddings')) {
    throw badRequest(
      `${model.id} is not an embedding model (see GET /v1/models?output_modalities=embeddings)`,
      'model',
      'not_an_embedding_model',
    );
  }
  const endpoints = model.endpoints.filter(
    (e) =>
      available.has(e.provider) &&
      !e.unpriced &&
      DIALECTS[catalog.providers.get(e.provider)!.dialect].buildEmbeddingsRequest,
  );
  if (endpoints.length === 0)
    throw notFound(`No endpoint of ${model.id} serves embeddings for this account`, 'no_endpoints');
  const texts = inputTexts(req);
  const promptTokens = texts
    ? texts.reduce((n, t) => n + countTextTokens(t, model.architecture.tokenizer), 0)
    : (req.input as unknown[]).reduce<number>((n, x) => n + (Array.isArray(x) ? x.length : 1), 0);
  const admission = app.limits.admit(key, false, () => promptTokens);
  const worst = endpoints.reduce((m, e) => {
    const w = worstCaseCost(e.pricing, { promptTokens, maxOutputTokens: 0 });
    return w > m ? w : m;
  }, 0n);
  const reservation = app.spend.reserve(account, key, worst);
  if (!reservation.ok) {
    throw insufficientQuota(
      reservation,
      worst,
      'its input tokens',
      'Raise the limit or add credits.',
      admission.headers,
    );
  }
  const gen = generationId();
  const started = performance.now();
  const abort = new RequestAbort(ctx.res, app.config.upstream.totalDeadlineMs, app.inFlight.stoppable);
  const plan = endpoints.map((e) => {
    const configured = app.providers.get(e.provider)!;
    return {
      model,
      endpoint: e,
      provider: configured.def,
      apiKey: configured.apiKey,
      endpointKey: endpointKey(model, e),
    };
  });
  let attempts: AttemptRecord[] = [];
  let failure: UpstreamError | null = null;
  let cost = 0n;
  let usedProvider: string | null = null;
  let usedEndpoint: string | null = null;
  // the upstream reported no token count (Gemini never does): billed on the local count
  let estimated = false;
  let usage = emptyUsage();
  const row = (): GenerationRow => ({
    id: gen,
    account_id: account.id,
    key_id: key.id,
    requested_model: req.model,
    model: usedProvider ? model.id : null,
    provider: usedProvider,
    endpoint: usedEndpoint,
    upstream_id: null,
    attempts,
    prompt_tokens: usage.prompt_tokens,
    completion_tokens: 0,
    reasoning_tokens: 0,
    cached_tokens: 0,
    cache_write_tokens: 0,
    tokens_estimated: estimated,
    cost_pusd: cost,
    latency_ms: performance.now() - started,
    ttft_ms: null,
    finish_reason: usedProvider ? 'stop' : 'error',
    status: usedProvider ? 200 : (failure?.status ?? 499),
    streamed: false,
    cancelled: abort.byClient,
    route: null,
    kind: 'embeddings',
    created_at: isoTime(),
  });
  /** the row is in the ledger (and so its journal) before the answer's bytes are written: see chat.ts */
  let recorded = false;
  try {
    const done = await runAttempts(app, plan, abort, Date.now() + app.config.upstream.totalDeadlineMs, async (a) => {
      const dialect = DIALECTS[a.provider.dialect];
      const target = { provider: a.provider, endpoint: a.endpoint, model, apiKey: a.apiKey };
      const res = await app.transport.fetch(dialect.buildEmbeddingsRequest!(req, target), abort);
      const text = res.body.toString('utf8');
      if (res.status >= 400) throw dialect.mapError(res.status, text, res.headers(), a.provider.name);
      try {
        return { status: res.status, value: dialect.parseEmbeddingsResponse!(JSON.parse(text), req) };
      } catch {
        throw {
          status: 502,
          retryable: true,
          type: 'upstream_error',
          code: 'upstream_invalid_response',
          message: `${a.provider.name} returned an invalid embeddings body`,
          upstream_status: res.status,
        } satisfies UpstreamError;
      }
    });
    attempts = done.attempts;
    const parsed = done.value;
    const e = done.attempt.endpoint;
    estimated = parsed.prompt_tokens === null || parsed.prompt_tokens === undefined;
    usage = emptyUsage();
    usage.prompt_tokens = parsed.prompt_tokens ?? promptTokens;
    cost = computeCost(e.pricing, usage).total;
    usedProvider = e.provider;
    usedEndpoint = e.model;
    app.health.record(done.attempt.endpointKey, {
      ok: true,
      status: 200,
      latencyMs: performance.now() - done.startedAt,
      ttftMs: null,
      outputTokens: 0,
      generationMs: null,
    });
    const b64 = req.encoding_format === 'base64';
    const body = JSON.stringify({
      object: 'list',
      data: parsed.vectors.map((v, index) => ({ object: 'embedding', index, embedding: b64 ? toBase64(v) : v })),
      model: model.id,
      provider: e.provider,
      id: gen,
      usage: {
        prompt_tokens: usage.prompt_tokens,
        total_tokens: usage.prompt_tokens,
        cost: toNumberUsd(cost),
        ...(estimated ? { estimated: true } : {}),
      },
    });
    // serialised first, so the row's latency still counts it (large vector lists take milliseconds)
    app.ledger.add(row());
    recorded = true;
    sendJson(ctx.res, 200, body, {
      'x-arouter-generation-id': gen,
      'x-arouter-attempts': attemptsHeader(attempts),
      ...admission.headers,
    });
  } catch (err) {
    if (err instanceof AbortedByClient) return;
    if (!(err instanceof ExecFailure)) throw err;
    attempts = err.attempts;
    failure = err.error;
    if (err.invalidRequest) {
      throw new HttpError(
        400,
        err.invalidRequest.message,
        'invalid_request_error',
        'invalid_request',
        err.invalidRequest.param,
        admission.headers,
      );
    }
    throw upstreamHttpError(err.error, attempts, admission.headers);
  } finally {
    abort.dispose();
    app.spend.settle(reservation.reservationId, cost);
    if (!recorded) app.ledger.add(row());
    ctx.log.generationId = gen;
    ctx.log.model = usedProvider ? model.id : null;
    ctx.log.provider = usedProvider;
  }
}

export const embeddingRoutes: Route[] = [{ method: 'POST', path: '/v1/embeddings', auth: 'user', handler: embeddings }];
