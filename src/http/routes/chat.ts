// POST /v1/chat/completions: validate → plan → rate limit → reserve worst case → execute with fallbacks →
// answer (JSON or SSE) → settle the real cost → ledger row + health sample. See README "Request walk".
import { performance } from 'node:perf_hooks';
import type { AuthedContext, Route } from '../context.js';
import { HttpError } from '../errors.js';
import { outputModalityProblem } from '../../protocol/output-modalities.js';
import { readJson } from '../body.js';
import { sendJson } from '../respond.js';
import { validate } from '../validate.js';
import { ChatRequestSchema, type ChatRequest } from '../../protocol/chat-request.js';
import { KeepAliveComments, SseWriter, attemptsHeader, completionText } from '../chat-output.js';
import {
  AbortedDuringAttempt,
  buildRoutePlan,
  failedStatus,
  providerNotConfigured,
  RoutingError,
  storedRoute,
  summarizeRoute,
  type RoutePlan,
  type RouteAttempt,
} from '../../routing/index.js';
import { executeChat, ExecFailure, type CompleteResult, type StreamResult } from '../../routing/execute.js';
import { AbortedByClient, RequestAbort } from '../../providers/transport.js';
import type { FinishReason, NormalizedUsage, StreamEvent, UpstreamError } from '../../providers/types.js';
import { finalUsage, usageText, type FinalUsage, type GeneratedText } from '../../accounting/usage.js';
import { toNumberUsd, formatUsd } from '../../accounting/money.js';
import { isoTime } from '../../lib/clock.js';
import { randomHex } from '../../lib/random-hex.js';
import type { AttemptRecord, GenerationRow } from '../../store/types.js';
import type { App } from '../../app.js';

export function generationId(): string {
  // OpenRouter's shape: gen-<unix seconds>-<random>. The time prefix keeps the ledger's primary-key index
  // append-mostly: measured 2.3× cheaper SQLite inserts than fully random ids (README "Performance").
  // 20 hex digits = 80 random bits, from a pooled buffer (randomBytes per id cost ~2 µs)
  return `gen-${Math.floor(Date.now() / 1000)}-${randomHex(10)}`;
}

export function routingHttpError(err: RoutingError): HttpError {
  return new HttpError(err.status, err.message, err.type, err.code, err.param, {}, err.metadata ?? undefined);
}

export function upstreamHttpError(
  e: UpstreamError,
  attempts: AttemptRecord[],
  headers: Record<string, string>,
): HttpError {
  const h: Record<string, string> = Object.assign({}, headers);
  h['x-arouter-attempts'] = attemptsHeader(attempts);
  if (e.retry_after_sec) h['retry-after'] = String(e.retry_after_sec);
  return new HttpError(e.status, e.message, e.type, e.code, null, h, {
    upstream_status: e.upstream_status,
    ...(e.upstream_body !== undefined ? { upstream_body: e.upstream_body } : {}),
    attempts,
  });
}

/** The 402 for a refused reservation: what the request may cost, what is left, and of which limit. */
export function insufficientQuota(
  r: { reason: 'account_credit' | 'key_limit'; available: bigint },
  worst: bigint,
  basis: string,
  advice: string,
  headers: Record<string, string>,
): HttpError {
  const key = r.reason === 'key_limit';
  return new HttpError(
    402,
    `Insufficient ${key ? 'key limit' : 'credits'}: this request may cost up to $${formatUsd(worst)} (${basis}) ` +
      `but ${key ? "this key's spend limit leaves" : "the account's credits leave"} $${formatUsd(r.available > 0n ? r.available : 0n)}. ${advice}`,
    'insufficient_quota',
    key ? 'key_limit_exceeded' : 'insufficient_credits',
    null,
    headers,
  );
}

/** Plans the request or answers the client's mistake (404 unknown model, 400 bad variant, 503 nothing fits). */
export function planChat(app: App, ctx: AuthedContext, req: ChatRequest): RoutePlan {
  try {
    return buildRoutePlan({
      catalog: app.catalog,
      req,
      availableProviders: app.providers.availableFor(ctx.account),
      health: app.health,
      autoTiers: app.config.routing.autoTiers,
    });
  } catch (err) {
    if (err instanceof RoutingError)
      throw routingHttpError(explainNotFound(app, [req.model, ...(req.models ?? [])], err));
    throw err;
  }
}

/** A model_not_found about a catalog model whose providers all lack a key says so (resolve.ts providerNotConfigured). */
export function explainNotFound(app: App, names: Array<string | undefined>, err: RoutingError): RoutingError {
  if (err.code !== 'model_not_found') return err;
  for (const n of names) {
    if (n === undefined || !err.message.startsWith(`Model "${n}" not found`)) continue;
    return providerNotConfigured(app.catalog, n, new Set(app.providers.configured.keys())) ?? err;
  }
  return err;
}

interface Tally {
  text: GeneratedText;
  usage: NormalizedUsage | null;
  finish: FinishReason | null;
  native: string | null;
  error: UpstreamError | null;
  firstTokenAt: number | null;
  /** some content reached the client (kept here so a stream that throws midway is still billed for it) */
  delivered: boolean;
  /** tokens and cost, once computed for the answer (reused by settle, so local counting runs once) */
  final: FinalUsage | null;
  /** the provider's own id of the answer, when it gives one */
  upstreamId: string | null;
  /** the ledger has the row already (added before the answer's last bytes, so the journal holds it) */
  recorded: boolean;
}

/** What settle() and the ledger row need of a request. */
interface SettleState {
  gen: string;
  req: ChatRequest;
  plan: RoutePlan;
  used: RouteAttempt | null;
  attempts: AttemptRecord[];
  tally: Tally;
  status: number;
  cancelled: boolean;
  stream: boolean;
  started: number;
  attemptStarted: number | null;
  reservationId: string;
  /** cut by ARouter's own shutdown: billed for what was delivered, not held against the endpoint */
  shutdown: boolean;
  /** the endpoint a client that left was waiting for: named in the ledger, neither billed nor held against it */
  abortedAt: RouteAttempt | null;
}

async function chatCompletions(ctx: AuthedContext): Promise<void> {
  const { app, res, key, account } = ctx;
  const body = await readJson(ctx.req, app.config.bodyLimitBytes, ChatRequestSchema);
  const req = validate(ChatRequestSchema, body);
  if (req.reasoning_effort && req.reasoning?.effort && req.reasoning.effort !== req.reasoning_effort) {
    throw new HttpError(
      400,
      'reasoning_effort and reasoning.effort disagree; send one of them',
      'invalid_request_error',
      'invalid_request',
      'reasoning_effort',
    );
  }
  const outputProblem = outputModalityProblem(req);
  if (outputProblem) throw outputProblem;
  const stream = req.stream === true;
  const plan = planChat(app, ctx, req);
  const first = plan.attempts[0];
  const gen = generationId();
  ctx.log.generationId = gen;
  const routeHeader = summarizeRoute(plan.explanation);

  const admission = app.limits.admit(
    key,
    plan.attempts.some((a) => a.variant === 'free'),
    () => first.promptTokens,
  );
  // Reserve on the prompt's cheap upper bound; only when that does not fit, count exactly and try again,
  // so the admit/refuse decision is the one an exact count gives without tokenizing every prompt.
  const maxWorst = (pick: (a: RouteAttempt) => bigint) =>
    plan.attempts.reduce((m, a) => (pick(a) > m ? pick(a) : m), 0n);
  let worst = maxWorst((a) => a.worstCaseBoundPusd);
  let reservation = app.spend.reserve(account, key, worst);
  if (!reservation.ok) {
    worst = maxWorst((a) => a.worstCasePusd);
    reservation = app.spend.reserve(account, key, worst);
  }
  if (!reservation.ok) {
    throw insufficientQuota(
      reservation,
      worst,
      'prompt plus max output tokens',
      'Lower max_tokens, raise the limit, or add credits.',
      admission.headers,
    );
  }

  // spread last: `{...obj, more}` measured ~2 µs per object in V8 11 (a slow clone path), `{more, ...obj}` 0.1 µs
  const headers: Record<string, string> = {
    'x-arouter-route': routeHeader,
    'x-arouter-generation-id': gen,
    ...admission.headers,
  };
  const started = performance.now();
  const abort = new RequestAbort(res, app.config.upstream.totalDeadlineMs, app.inFlight.stoppable);
  const tally: Tally = {
    text: { content: '', reasoning: '', tools: '' },
    usage: null,
    finish: null,
    native: null,
    error: null,
    firstTokenAt: null,
    delivered: false,
    final: null,
    upstreamId: null,
    recorded: false,
  };
  let used: RouteAttempt | null = null;
  /** when the attempt that answered started: its health sample must not include earlier, failed attempts */
  let attemptStarted: number | null = null;
  let attempts: AttemptRecord[] = [];
  /** the endpoint a client that left was waiting for: named in the ledger, neither billed nor held against it */
  let abortedAt: RouteAttempt | null = null;
  let status = 200;
  let cancelled = false;
  const sse = stream ? new SseWriter(res) : null;
  const state = (): SettleState => ({
    gen,
    req,
    plan,
    used,
    attempts,
    tally,
    status: tally.error && used ? tally.error.status : status,
    cancelled: cancelled || abort.byClient,
    stream,
    started,
    attemptStarted,
    reservationId: reservation.reservationId,
    shutdown: abort.byShutdown,
    abortedAt,
  });
  // An answer the client received whole must not vanish if the process dies right after: its row goes to the
  // ledger (whose journal write is synchronous) before the last bytes are handed to the socket. A kill can land
  // between any two instructions, and bytes already in the kernel's socket buffer are still delivered after it.
  const record = (): void => {
    app.ledger.add(ledgerRow(ctx, state(), performance.now()));
    tally.recorded = true;
  };
  let keepalive = sse ? new KeepAliveComments(sse, headers, app.config.upstream.keepaliveCommentMs) : null;

  try {
    const result = await executeChat(
      app,
      req,
      plan.attempts,
      stream,
      abort,
      Date.now() + app.config.upstream.totalDeadlineMs,
    );
    used = result.attempt;
    attemptStarted = result.startedAt;
    attempts = result.attempts;
    headers['x-arouter-attempts'] = attemptsHeader(attempts);
    if (result.kind === 'complete') {
      sendComplete(ctx, gen, result, tally, headers, record);
    } else {
      keepalive?.stop();
      keepalive = null;
      await pipeStream(sse!, gen, result, tally, headers, record);
    }
  } catch (err) {
    if (err instanceof AbortedByClient) {
      cancelled = true;
      status = 499;
      if (err instanceof AbortedDuringAttempt) {
        attempts = err.attempts;
        abortedAt = err.attempt as RouteAttempt | null;
      }
    } else if (err instanceof ExecFailure) {
      attempts = err.attempts;
      status = err.error.status;
      tally.error = err.error;
      const httpErr = err.invalidRequest
        ? new HttpError(
            400,
            err.invalidRequest.message,
            'invalid_request_error',
            'invalid_request',
            err.invalidRequest.param,
            headers,
          )
        : upstreamHttpError(err.error, attempts, headers);
      if (sse?.opened) {
        sse.setIdentity(gen, Math.floor(Date.now() / 1000), first.model.id, first.provider.id);
        sse.error(err.error);
        sse.done();
      } else {
        throw httpErr;
      }
    } else {
      throw err;
    }
  } finally {
    keepalive?.stop();
    abort.dispose();
    settle(app, ctx, state());
  }
}

function sendComplete(
  ctx: AuthedContext,
  gen: string,
  r: CompleteResult<RouteAttempt>,
  tally: Tally,
  headers: Record<string, string>,
  record: () => void,
): void {
  const res = r.result;
  tally.upstreamId = res.upstream_id;
  tally.usage = res.usage;
  tally.finish = res.finish_reason;
  tally.native = res.native_finish_reason;
  tally.text = {
    content: res.content ?? '',
    reasoning: res.reasoning ?? '',
    tools: res.tool_calls.map((t) => t.function.name + t.function.arguments).join(''),
  };
  tally.delivered = true;
  const fu = computeFinal(r.attempt, tally);
  const message: Record<string, unknown> = { role: 'assistant', content: res.content, refusal: res.refusal };
  if (res.reasoning !== null && !r.ctx.reasoning?.exclude) message.reasoning = res.reasoning;
  if (res.reasoning_details.length) message.reasoning_details = res.reasoning_details;
  if (res.tool_calls.length) message.tool_calls = res.tool_calls;
  if (res.images?.length) message.images = res.images;
  if (res.audio) message.audio = res.audio;
  const body = completionText(
    gen,
    Math.floor(Date.now() / 1000),
    r.attempt.model.id,
    r.attempt.provider.id,
    message,
    res,
    usageText(fu, toNumberUsd(fu.cost)),
  );
  record();
  sendJson(ctx.res, 200, body, headers);
}

/** Streams the committed attempt to the client, recording what was delivered in `tally`. */
async function pipeStream(
  sse: SseWriter,
  gen: string,
  r: StreamResult<RouteAttempt>,
  tally: Tally,
  headers: Record<string, string>,
  record: () => void,
): Promise<void> {
  sse.open(headers);
  sse.setIdentity(gen, Math.floor(Date.now() / 1000), r.attempt.model.id, r.attempt.provider.id);
  tally.firstTokenAt = performance.now();
  const handle = (evs: StreamEvent[]) => {
    for (const ev of evs) {
      switch (ev.type) {
        case 'delta': {
          const d = ev.delta;
          if (d.content) tally.text.content += d.content;
          // refusal text is output too (counted when the upstream reports no usage)
          if (d.refusal) tally.text.content += d.refusal;
          if (d.reasoning) tally.text.reasoning += d.reasoning;
          if (d.tool_calls)
            for (const t of d.tool_calls) tally.text.tools += (t.function.name ?? '') + (t.function.arguments ?? '');
          sse.delta(d, ev.logprobs);
          tally.delivered = true;
          break;
        }
        case 'usage':
          tally.usage = ev.usage;
          break;
        case 'finish':
          if (tally.finish === null) {
            tally.finish = ev.finish_reason;
            tally.native = ev.native_finish_reason;
            sse.finish(ev.finish_reason, ev.native_finish_reason);
          }
          break;
        case 'error':
          tally.error = ev.error;
          break;
      }
    }
  };
  sse.batch(() => handle(r.first));
  if (!tally.error) {
    // the rest arrives pushed, one network read at a time; a full client socket pauses the upstream
    const res = sse.response;
    const onDrain = () => r.rest.resume();
    res.on('drain', onDrain);
    try {
      await r.rest.pipe((evs) => {
        sse.batch(() => handle(evs));
        return !res.writableNeedDrain;
      });
    } finally {
      res.removeListener('drain', onDrain);
    }
  } else {
    r.rest.cancel();
  }
  sse.batch(() => {
    if (tally.error) {
      // the status line is already 200: the failure goes in-band, never as a silent cut
      tally.finish = 'error';
      sse.error(tally.error);
    } else if (tally.finish === null) {
      tally.finish = 'stop';
      sse.finish('stop', null);
    }
    const fu = computeFinal(r.attempt, tally);
    record();
    sse.usage(usageText(fu, toNumberUsd(fu.cost)));
    sse.done();
  });
}

/** Final tokens and cost of what the tally holds; memoised, so settle() reuses what the client was shown. */
function computeFinal(a: RouteAttempt, tally: Tally): FinalUsage {
  return (tally.final ??= finalUsage({
    upstream: tally.usage,
    promptTokens: () => a.promptTokens,
    inputImages: a.inputImages,
    generated: tally.text,
    tokenizer: a.model.architecture.tokenizer,
    maxTokens: a.maxTokens,
    pricing: a.endpoint.pricing,
    delivered: tally.delivered,
  }));
}

function settle(app: App, ctx: AuthedContext, s: SettleState): void {
  const a = s.used;
  const fu = a ? computeFinal(a, s.tally) : null;
  app.spend.settle(s.reservationId, fu?.cost ?? 0n);
  if (fu) app.limits.addCompletionTokens(ctx.key, fu.counts.completion_tokens);
  const end = performance.now();
  if (a && !s.shutdown) {
    const ok = s.tally.delivered && !s.tally.error;
    // the endpoint's own sample starts with its own attempt
    const t0 = s.attemptStarted ?? s.started;
    const ownLatency = end - t0;
    const ownTtft = s.tally.firstTokenAt === null ? null : s.tally.firstTokenAt - t0;
    app.health.record(a.endpointKey, {
      ok: ok || s.cancelled,
      // the same rule as a failure before content: a cut 200 stream (upstream_status 200) is the endpoint's failure
      status: ok ? 200 : s.tally.error ? failedStatus(s.tally.error) : 0,
      latencyMs: ownLatency,
      ttftMs: s.stream ? ownTtft : null,
      outputTokens: fu?.counts.completion_tokens ?? 0,
      generationMs: s.stream && ownTtft !== null ? ownLatency - ownTtft : null,
    });
  }
  if (!s.tally.recorded) app.ledger.add(ledgerRow(ctx, s, end));
  // prompts are user data: in the log only when the operator asked for them (log.prompts, off by default)
  if (app.config.logPrompts) {
    app.log.info('prompt', {
      generation_id: s.gen,
      key_id: ctx.key.id,
      messages: s.req.messages,
      completion: s.tally.text.content,
      reasoning: s.tally.text.reasoning || undefined,
    });
  }
  ctx.log.model = a?.model.id ?? null;
  ctx.log.provider = a?.provider.id ?? null;
}

function ledgerRow(ctx: AuthedContext, s: SettleState, end: number): GenerationRow {
  const a = s.used;
  const fu = a ? computeFinal(a, s.tally) : null;
  return {
    id: s.gen,
    account_id: ctx.account.id,
    key_id: ctx.key.id,
    requested_model: s.req.model ?? (s.req.models ?? [])[0] ?? '',
    model: (a ?? s.abortedAt)?.model.id ?? null,
    provider: (a ?? s.abortedAt)?.provider.id ?? null,
    endpoint: (a ?? s.abortedAt)?.endpoint.model ?? null,
    upstream_id: s.tally.upstreamId,
    attempts: s.attempts,
    prompt_tokens: fu?.counts.prompt_tokens ?? 0,
    completion_tokens: fu?.counts.completion_tokens ?? 0,
    reasoning_tokens: fu?.counts.reasoning_tokens ?? 0,
    cached_tokens: fu?.counts.cached_read_tokens ?? 0,
    cache_write_tokens: fu?.counts.cache_write_tokens ?? 0,
    tokens_estimated: fu?.estimated ?? false,
    cost_pusd: fu?.cost ?? 0n,
    // the whole request, as the client saw it (fallbacks included)
    latency_ms: end - s.started,
    ttft_ms: s.tally.firstTokenAt === null ? null : s.tally.firstTokenAt - s.started,
    finish_reason: s.cancelled ? (s.tally.finish ?? 'cancelled') : (s.tally.finish ?? (s.tally.error ? 'error' : null)),
    status: s.cancelled ? 499 : s.status,
    streamed: s.stream,
    cancelled: s.cancelled,
    route: storedRoute(s.plan.explanation),
    kind: 'chat',
    created_at: isoTime(),
  };
}

export const chatRoutes: Route[] = [
  { method: 'POST', path: '/v1/chat/completions', auth: 'user', handler: chatCompletions },
];
