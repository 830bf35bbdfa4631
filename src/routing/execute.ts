// Executes a chat route plan through the shared fallback loop (./attempts.ts): each endpoint's dialect builds
// the upstream request; a JSON answer is parsed, a stream is read until its first content (an error before
// it still falls back) and then handed over as a StreamSession. Every attempt is recorded (endpoint, status,
// duration) for the generation row and the headers.
import type { ChatRequest } from '../protocol/chat-request.js';
import type { BuildContext, ChatResult, DialectAdapter, ReasoningPlan, StreamEvent } from '../providers/types.js';
import { assembleStream } from '../providers/assemble.js';
import { DIALECTS } from '../providers/dialects.js';
import type { ProviderRegistry } from '../providers/registry.js';
import type { RequestAbort, Transport } from '../providers/transport.js';
import { runAttempts, type AttemptTarget } from './attempts.js';
import { StreamSession } from './stream-session.js';
import type { HealthTracker } from './health.js';
import { withHeaders, type AttemptWatch, type RequestWatch } from './observer.js';
import type { Logger } from '../lib/log.js';
import type { AttemptRecord } from '../store/types.js';
import { upstreamError } from '../providers/upstream-error.js';

export { ExecFailure } from './attempts.js';

export interface PlannedAttempt extends AttemptTarget {
  reasoning: ReasoningPlan | null;
  maxTokens: number;
  maxTokensExplicit: boolean;
}

export interface ExecEnv {
  providers: ProviderRegistry;
  transport: Transport;
  health: HealthTracker;
  log: Logger;
}

export interface Committed<A extends PlannedAttempt> {
  attempt: A;
  ctx: BuildContext;
  dialect: DialectAdapter;
  attempts: AttemptRecord[];
  /** performance.now() when this attempt started */
  startedAt: number;
  /** the attempt's observer, still open until its answer is delivered (./observer.ts) */
  watch: AttemptWatch | null;
}

export interface CompleteResult<A extends PlannedAttempt> extends Committed<A> {
  kind: 'complete';
  result: ChatResult;
}

export interface StreamResult<A extends PlannedAttempt> extends Committed<A> {
  kind: 'stream';
  /** events up to and including the first content, already read */
  first: StreamEvent[];
  /** the rest of the stream: pipe() it to the client (push-based, with backpressure) */
  rest: StreamSession;
}

/** what one successful chat attempt yields */
type Answer = { kind: 'complete'; result: ChatResult } | { kind: 'stream'; session: StreamSession };

export async function executeChat<A extends PlannedAttempt>(
  env: ExecEnv,
  req: ChatRequest,
  plan: A[],
  stream: boolean,
  abort: RequestAbort,
  deadlineAt: number,
  watch: RequestWatch | null = null,
): Promise<CompleteResult<A> | StreamResult<A>> {
  let ctx!: BuildContext;
  let dialect!: DialectAdapter;
  const done = await runAttempts<A, Answer>(
    env,
    plan,
    abort,
    deadlineAt,
    async (a, aw) => {
      const configured = env.providers.get(a.provider.id);
      if (!configured) return null;
      dialect = DIALECTS[configured.def.dialect];
      ctx = {
        target: { provider: configured.def, endpoint: a.endpoint, model: a.model, apiKey: configured.apiKey },
        stream,
        reasoning: a.reasoning,
        maxTokens: a.maxTokens,
        maxTokensExplicit: a.maxTokensExplicit,
      };
      // a provider that serves this request only as a stream: read the whole stream, answer one JSON body
      const viaStream = !stream && dialect.streamOnly?.(req, ctx) === true;
      const sctx: BuildContext = viaStream ? { ...ctx, stream: true } : ctx;
      const upstreamReq = withHeaders(dialect.buildChatRequest(req, sctx), aw);
      if (viaStream) {
        const res = await env.transport.fetch(upstreamReq, abort);
        if (res.status >= 400)
          throw dialect.mapError(res.status, res.body.toString('utf8'), res.headers(), a.provider.name);
        const result = assembleStream(res.body, dialect.createStreamTranslator(sctx), a.provider.name);
        return { status: res.status, value: { kind: 'complete' as const, result } };
      }
      if (!stream) {
        const res = await env.transport.fetch(upstreamReq, abort);
        if (res.status >= 400)
          throw dialect.mapError(res.status, res.body.toString('utf8'), res.headers(), a.provider.name);
        let body: unknown;
        try {
          body = JSON.parse(res.body.toString('utf8'));
        } catch {
          throw upstreamError.invalidResponse(a.provider.name, 'malformed JSON body', res.status);
        }
        return {
          status: res.status,
          value: { kind: 'complete' as const, result: dialect.parseChatResponse(body, ctx) },
        };
      }
      const res = await env.transport.open(upstreamReq, abort);
      if (res.status >= 400) {
        const text = await res.text();
        throw dialect.mapError(res.status, text, res.headers(), a.provider.name);
      }
      const session = new StreamSession(res, dialect.createStreamTranslator(ctx), a.provider.name);
      // an error before the first content is still a fallback-able failure of this endpoint
      await session.start();
      return { status: res.status, value: { kind: 'stream' as const, session } };
    },
    watch,
  );
  const { attempt, attempts, startedAt, value } = done;
  if (value.kind === 'complete')
    return { kind: 'complete', attempt, ctx, dialect, attempts, startedAt, watch: done.watch, result: value.result };
  return {
    kind: 'stream',
    attempt,
    ctx,
    dialect,
    attempts,
    startedAt,
    watch: done.watch,
    first: value.session.first,
    rest: value.session,
  };
}
