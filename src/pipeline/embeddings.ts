// One embeddings request's life, on the same phases as chat: plan the model's endpoints (provider preferences
// honoured) → admit → reserve the input's cost → execute attempts with fallbacks → deliver → settle. Embeddings
// bill input tokens only; vectors are always fetched as floats and base64 is encoded here (little-endian float32,
// as OpenAI sends it) so every dialect supports it.
import { performance } from 'node:perf_hooks';
import type { EmbeddingsRequest } from '../protocol/chat-request.js';
import type { EmbeddingsResult, UpstreamError } from '../protocol/chat-result.js';
import { badRequest, HttpError, notFound } from '../protocol/errors.js';
import { isoTime } from '../lib/clock.js';
import type { ModelDef } from '../catalog/types.js';
import { DIALECTS } from '../providers/dialects.js';
import { upstreamError } from '../providers/upstream-error.js';
import { AbortedByClient, RequestAbort } from '../providers/transport.js';
import { countTextTokens } from '../accounting/tokenizer.js';
import { computeCost, emptyUsage, worstCaseCost } from '../accounting/cost.js';
import { toNumberUsd } from '../accounting/money.js';
import { countedFeatures, planEndpoints, resolveModel, RoutingError } from '../routing/index.js';
import { ExecFailure, runAttempts, type AttemptTarget } from '../routing/attempts.js';
import { withHeaders } from '../routing/observer.js';
import type { AttemptRecord, GenerationRow } from '../store/types.js';
import type { Caller, PipelineEnv } from './env.js';
import { reserve, type Admitted } from './admit.js';
import { endAnswered, endFromRow, endRefused, watchRequest } from './observe.js';
import { settleFailed } from './settle.js';
import { explainNotFound, invalidRequestError, routingHttpError, upstreamHttpError } from './errors.js';
import { attemptsHeader, generationId } from './ids.js';

/** Where the answer goes: the route writes the JSON body. */
export type EmbeddingsSink = (body: string, headers: Record<string, string>) => void;

function toBase64(v: number[]): string {
  const f = new Float32Array(v);
  return Buffer.from(f.buffer, f.byteOffset, f.byteLength).toString('base64');
}

function inputTokens(req: EmbeddingsRequest, model: ModelDef): number {
  const texts = typeof req.input === 'string' ? [req.input] : req.input;
  if (texts.every((x): x is string => typeof x === 'string'))
    return texts.reduce((n, t) => n + countTextTokens(t, model.architecture.tokenizer), 0);
  // token ids: each integer is a token, each inner array a sequence
  return (req.input as unknown[]).reduce<number>((n, x) => n + (Array.isArray(x) ? x.length : 1), 0);
}

function embeddingModel(env: PipelineEnv, caller: Caller, req: EmbeddingsRequest): ModelDef {
  let resolved;
  try {
    resolved = resolveModel(env.catalog, req.model, env.providers.availableFor(caller.account));
  } catch (err) {
    if (err instanceof RoutingError) throw routingHttpError(explainNotFound(env, [req.model], err));
    throw err;
  }
  if (resolved.kind !== 'model')
    throw badRequest('"auto" is not available for embeddings; name an embedding model', 'model');
  if (!resolved.model.architecture.output_modalities.includes('embeddings')) {
    throw badRequest(
      `${resolved.model.id} is not an embedding model (see GET /v1/models?output_modalities=embeddings)`,
      'model',
      'not_an_embedding_model',
    );
  }
  return resolved.model;
}

interface Prepared {
  model: ModelDef;
  plan: EmbeddingAttempt[];
  admitted: Admitted;
}

interface EmbeddingAttempt extends AttemptTarget {
  apiKey: string;
}

/** Model, endpoints, admission and reservation: everything before the first upstream call (or the refusal). */
async function prepare(
  env: PipelineEnv,
  caller: Caller,
  req: EmbeddingsRequest,
): Promise<Prepared & { promptTokens: number }> {
  const catalog = env.catalog;
  const model = embeddingModel(env, caller, req);
  const promptTokens = inputTokens(req, model);
  const planned = planEndpoints({
    model,
    variant: null,
    features: countedFeatures(promptTokens),
    prefs: req.provider,
    providers: catalog.providers,
    availableProviders: env.providers.availableFor(caller.account),
    health: env.health,
  });
  if (planned.failure !== null) {
    const f = planned.failure;
    throw new HttpError(
      f.status,
      f.message,
      'invalid_request_error',
      f.code,
      'provider',
      {},
      {
        failed_routing_step: f.failed_step,
      },
    );
  }
  const plan: EmbeddingAttempt[] = [];
  for (const s of planned.ordered) {
    // the configured provider: its base URL and key, which the catalog's definition does not carry
    const configured = env.providers.get(s.provider.id);
    if (!configured || !DIALECTS[configured.def.dialect].buildEmbeddingsRequest) continue;
    plan.push({ model, endpoint: s.endpoint, provider: configured.def, apiKey: configured.apiKey, endpointKey: s.key });
  }
  if (plan.length === 0)
    throw notFound(`No endpoint of ${model.id} serves embeddings for this account`, 'no_endpoints');

  const admitting = env.limits.admit(caller.key, false, () => promptTokens);
  // only limits shared through Redis answer with a promise; the embedded default's stay synchronous
  const admission = admitting instanceof Promise ? await admitting : admitting;
  const worst = plan.reduce((m, a) => {
    const w = worstCaseCost(a.endpoint.pricing, { promptTokens, maxOutputTokens: 0 });
    return w > m ? w : m;
  }, 0n);
  const reserving = reserve(
    env,
    caller,
    admission.headers,
    worst,
    null,
    'its input tokens',
    'Raise the limit or add credits.',
  );
  const admitted = reserving instanceof Promise ? await reserving : reserving;
  return { model, plan, admitted, promptTokens };
}

export async function runEmbeddings(
  env: PipelineEnv,
  caller: Caller,
  req: EmbeddingsRequest,
  deliver: EmbeddingsSink,
): Promise<void> {
  const watch = watchRequest(env.observer, caller, 'embeddings', req.model, false, req);
  const arrived = watch === null ? 0 : performance.now();
  let prepared: Prepared & { promptTokens: number };
  try {
    prepared = await prepare(env, caller, req);
  } catch (err) {
    if (watch !== null) endRefused(watch, err, arrived);
    throw err;
  }
  const { model, plan, admitted, promptTokens } = prepared;
  const gen = generationId();
  caller.log.generationId = gen;
  const started = performance.now();
  const abort = new RequestAbort(caller.res, env.config.upstream.totalDeadlineMs, env.inFlight.stoppable);
  let attempts: AttemptRecord[] = [];
  let failure: UpstreamError | null = null;
  let cost = 0n;
  let used: (typeof plan)[number] | null = null;
  // the upstream reported no token count (Gemini never does): billed on the local count
  let estimated = false;
  let usage = emptyUsage();
  const row = (): GenerationRow => ({
    id: gen,
    account_id: caller.account.id,
    key_id: caller.key.id,
    requested_model: req.model,
    model: used ? model.id : null,
    provider: used?.provider.id ?? null,
    endpoint: used?.endpoint.model ?? null,
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
    finish_reason: used ? 'stop' : 'error',
    status: used ? 200 : (failure?.status ?? 499),
    streamed: false,
    cancelled: abort.byClient,
    route: null,
    kind: 'embeddings',
    created_at: isoTime(),
  });
  /** the row is in the ledger (and so its journal) before the answer's bytes are written: see chat.ts */
  let recorded: GenerationRow | null = null;
  try {
    const deadlineAt = Date.now() + env.config.upstream.totalDeadlineMs;
    const done = await runAttempts(
      env,
      plan,
      abort,
      deadlineAt,
      async (a, aw) => {
        const dialect = DIALECTS[a.provider.dialect];
        const target = { provider: a.provider, endpoint: a.endpoint, model, apiKey: a.apiKey };
        const res = await env.transport.fetch(withHeaders(dialect.buildEmbeddingsRequest!(req, target), aw), abort);
        const text = res.body.toString('utf8');
        if (res.status >= 400) throw dialect.mapError(res.status, text, res.headers(), a.provider.name);
        let value: EmbeddingsResult;
        try {
          value = dialect.parseEmbeddingsResponse!(JSON.parse(text), req);
        } catch {
          throw upstreamError.invalidResponse(a.provider.name, 'embeddings body', res.status);
        }
        return { status: res.status, value };
      },
      watch,
    );
    attempts = done.attempts;
    used = done.attempt;
    const parsed = done.value;
    estimated = parsed.prompt_tokens === null || parsed.prompt_tokens === undefined;
    usage = emptyUsage();
    usage.prompt_tokens = parsed.prompt_tokens ?? promptTokens;
    cost = computeCost(used.endpoint.pricing, usage).total;
    env.health.record(used.endpointKey, {
      ok: true,
      status: 200,
      latencyMs: performance.now() - done.startedAt,
      ttftMs: null,
      outputTokens: 0,
      generationMs: null,
    });
    if (done.watch !== null) endAnswered(done.watch, attempts, done.startedAt);
    const b64 = req.encoding_format === 'base64';
    const body = JSON.stringify({
      object: 'list',
      data: parsed.vectors.map((v, index) => ({ object: 'embedding', index, embedding: b64 ? toBase64(v) : v })),
      model: model.id,
      provider: used.provider.id,
      id: gen,
      usage: {
        prompt_tokens: usage.prompt_tokens,
        total_tokens: usage.prompt_tokens,
        cost: toNumberUsd(cost),
        ...(estimated ? { estimated: true } : {}),
      },
    });
    // serialised first, so the row's latency still counts it (large vector lists take milliseconds)
    recorded = row();
    env.ledger.add(recorded);
    deliver(body, {
      'x-arouter-generation-id': gen,
      'x-arouter-attempts': attemptsHeader(attempts),
      ...admitted.headers,
    });
  } catch (err) {
    if (err instanceof AbortedByClient) return;
    if (!(err instanceof ExecFailure)) throw err;
    attempts = err.attempts;
    failure = err.error;
    if (err.invalidRequest) throw invalidRequestError(err.invalidRequest, admitted.headers);
    throw upstreamHttpError(err.error, attempts, admitted.headers);
  } finally {
    abort.dispose();
    const settled = env.spend.settle(admitted.reservationId, cost);
    const r = recorded ?? row();
    if (recorded === null) env.ledger.add(r);
    if (watch !== null) endFromRow(watch, r, failure);
    if (settled instanceof Promise)
      await settled.catch((err: unknown) => settleFailed(env, admitted.reservationId, err));
    caller.log.model = used ? model.id : null;
    caller.log.provider = used?.provider.id ?? null;
  }
}
