// The tracer as a request observer (routing/observer.ts): one SERVER span per request, named `{operation}
// {model}` as the GenAI conventions name spans, continuing the caller's W3C trace context; one CLIENT span per
// upstream attempt (skipped ones included, zero-length), whose id goes upstream in `traceparent`. Token usage,
// cost and the answer's model sit on the request span only: trace backends that sum gen_ai.usage.* over a
// trace's spans would count it twice if the attempt span carried it too.
import { performance } from 'node:perf_hooks';
import type { Attributes, Context, Span, SpanContext } from '@opentelemetry/api';
import type { ChatRequest, EmbeddingsRequest } from '../../protocol/chat-request.js';
import type {
  AttemptEnd,
  AttemptStart,
  AttemptWatch,
  RequestEnd,
  RequestObserver,
  RequestStart,
  RequestWatch,
} from '../../routing/index.js';
import type { TracingConfig } from '../../config/tracing.js';
import { requestHeader } from '../../lib/request-headers.js';
import type { TracingSdk } from './sdk.js';
import { GEN_AI, inputMessages, outputMessages, providerName } from './genai.js';

// Times: performance.now() values turned into epoch time by one offset (core.hrTime: the time origin). A number
// handed to the SDK is converted with an offset taken per span from Date.now() (1 ms steps), which could put an
// attempt's span outside its request's.
// SpanKind.SERVER / CLIENT and SpanStatusCode.ERROR of @opentelemetry/api (stable since 1.0): the API is not
// imported as a value here, so this module can be imported when tracing is off without loading it
const SERVER = 1;
const CLIENT = 2;
const STATUS_ERROR = 2;

export class TracingObserver implements RequestObserver {
  constructor(
    readonly sdk: TracingSdk,
    readonly cfg: TracingConfig,
  ) {}

  request(s: RequestStart): RequestWatch {
    return new RequestSpan(this, s);
  }
}

class RequestSpan implements RequestWatch {
  private readonly span: Span;
  private readonly op: string;
  /** the request span as the parent of its attempts' spans */
  private readonly context: Context;

  constructor(
    private readonly t: TracingObserver,
    private readonly s: RequestStart,
  ) {
    const { api } = t.sdk;
    const parent = t.cfg.propagate ? incomingContext(t.sdk, s) : null;
    const ctx = parent ? api.trace.setSpanContext(api.ROOT_CONTEXT, parent) : api.ROOT_CONTEXT;
    this.op = s.api === 'embeddings' ? 'embeddings' : 'chat';
    // attributes after the sampling decision: a sampled-out span records nothing, so nothing is built for it
    // (the built-in samplers do not read start attributes)
    this.span = t.sdk.tracer.startSpan(
      `${this.op} ${s.requestedModel}`,
      { kind: SERVER, startTime: t.sdk.core.hrTime(s.at) },
      ctx,
    );
    if (this.span.isRecording()) this.span.setAttributes(this.startAttributes());
    this.context = api.trace.setSpan(api.ROOT_CONTEXT, this.span);
  }

  private startAttributes(): Attributes {
    const s = this.s;
    const attrs: Attributes = {
      [GEN_AI.operation]: this.op,
      [GEN_AI.requestModel]: s.requestedModel,
      'http.request.method': 'POST',
      'http.route': s.route,
      'arouter.api': s.api,
    };
    const ua = requestHeader(s.incoming, 'user-agent');
    if (ua) attrs['user_agent.original'] = ua;
    const req = s.request;
    const capture = this.t.cfg.captureContent;
    if (s.api !== 'embeddings') {
      const r = req as ChatRequest;
      attrs[GEN_AI.stream] = s.stream;
      const max = r.max_completion_tokens ?? r.max_tokens;
      if (typeof max === 'number') attrs[GEN_AI.maxTokens] = max;
      if (typeof r.temperature === 'number') attrs[GEN_AI.temperature] = r.temperature;
      if (typeof r.top_p === 'number') attrs[GEN_AI.topP] = r.top_p;
      if (capture) attrs[GEN_AI.inputMessages] = inputMessages(r);
    } else if (capture) {
      const input = (req as EmbeddingsRequest).input;
      if (typeof input === 'string' || (Array.isArray(input) && typeof input[0] === 'string'))
        attrs[GEN_AI.inputMessages] = JSON.stringify(input);
    }
    return attrs;
  }

  attempt(a: AttemptStart): AttemptWatch {
    const span = this.t.sdk.tracer.startSpan(
      `${this.op} ${a.endpoint}`,
      { kind: CLIENT, startTime: this.t.sdk.core.hrTime(a.at) },
      this.context,
    );
    if (span.isRecording()) {
      span.setAttributes({
        [GEN_AI.operation]: this.op,
        [GEN_AI.provider]: providerName(a.provider),
        // the provider's own name of the model: what this call asked for
        [GEN_AI.requestModel]: a.endpoint,
        'arouter.model': a.model,
        'arouter.endpoint': a.endpointKey,
        'arouter.attempt': a.index + 1,
        'arouter.fallback': a.fallback,
      });
    }
    return new AttemptSpan(this.t.sdk, span, a.at, this.t.cfg.propagate);
  }

  firstToken(at: number): void {
    this.span.setAttribute(GEN_AI.timeToFirstChunk, (at - this.s.at) / 1000);
    this.span.addEvent('arouter.first_token', this.t.sdk.core.hrTime(at));
  }

  end(e: RequestEnd): void {
    const span = this.span;
    // sampled out: nothing would be kept, so nothing is built
    if (!span.isRecording()) {
      span.end();
      return;
    }
    const attrs: Attributes = {
      'http.response.status_code': e.status,
      'arouter.attempts': e.attempts.length,
      'arouter.fallback': e.attempts.length > 1,
      // pico-USD → USD: exact enough for a number attribute (the ledger keeps the exact amount)
      'arouter.cost_usd': Number(e.costPusd) / 1e12,
    };
    if (e.generationId) {
      attrs['arouter.generation_id'] = e.generationId;
      attrs[GEN_AI.responseId] = e.generationId;
    }
    if (e.upstreamId) attrs['arouter.upstream_id'] = e.upstreamId;
    if (e.model !== null) attrs[GEN_AI.responseModel] = e.model;
    if (e.provider !== null) attrs[GEN_AI.provider] = providerName(e.provider);
    if (e.endpoint !== null) attrs['arouter.provider_model'] = e.endpoint;
    // a request refused before routing (unknown model, limits) has no generation and no answer to finish
    if (e.finishReason !== null && e.generationId !== null) attrs[GEN_AI.finishReasons] = [e.finishReason];
    if (e.cancelled) attrs['arouter.cancelled'] = true;
    const u = e.usage;
    if (u !== null) {
      attrs[GEN_AI.inputTokens] = u.input;
      attrs[GEN_AI.outputTokens] = u.output;
      if (u.cachedRead > 0) attrs[GEN_AI.cacheReadTokens] = u.cachedRead;
      if (u.cacheWrite > 0) attrs[GEN_AI.cacheWriteTokens] = u.cacheWrite;
      if (u.reasoning > 0) attrs[GEN_AI.reasoningTokens] = u.reasoning;
      if (u.estimated) attrs['arouter.usage.estimated'] = true;
    }
    if (this.t.cfg.captureContent && e.output)
      attrs[GEN_AI.outputMessages] = outputMessages(e.output.content, e.output.reasoning, e.finishReason);
    if (e.status >= 400 && !e.cancelled) {
      attrs['error.type'] = e.error?.code ?? String(e.status);
      // the HTTP server conventions: a 4xx (the client's mistake, or every upstream rate limited) is no failure of
      // this server; its error.type still says what happened
      if (e.status >= 500) span.setStatus({ code: STATUS_ERROR, message: e.error?.message });
    }
    span.setAttributes(attrs);
    // now, not start + latencyMs: the latency is counted from the plan, this span from the pipeline's start
    span.end(this.t.sdk.core.hrTime(performance.now()));
  }
}

class AttemptSpan implements AttemptWatch {
  constructor(
    private readonly sdk: TracingSdk,
    private readonly span: Span,
    private readonly at: number,
    private readonly propagate: boolean,
  ) {}

  outbound(url: string): Record<string, string> | null {
    if (this.span.isRecording()) {
      const u = hostPort(url);
      if (u) this.span.setAttributes({ 'server.address': u.host, 'server.port': u.port });
    }
    if (!this.propagate) return null;
    const c = this.span.spanContext();
    const headers: Record<string, string> = { traceparent: `00-${c.traceId}-${c.spanId}-0${c.traceFlags & 1}` };
    const ts = c.traceState?.serialize();
    if (ts) headers.tracestate = ts;
    return headers;
  }

  end(e: AttemptEnd): void {
    const span = this.span;
    if (!span.isRecording()) {
      span.end();
      return;
    }
    const attrs: Attributes = { 'arouter.outcome': e.outcome };
    if (e.status > 0) attrs['http.response.status_code'] = e.status;
    if (e.outcome === 'skipped' && e.record?.error) {
      if (e.record.error === 'circuit_open') attrs['arouter.circuit'] = 'open';
      else attrs['arouter.skip_reason'] = e.record.error.slice(0, 100);
    } else if (e.outcome !== 'ok' && e.outcome !== 'aborted') {
      // aborted: the client left or ARouter shut down, which is no failure of the upstream call
      attrs['error.type'] = e.outcome === 'http' ? String(e.status) : (e.error?.code ?? e.outcome);
      span.setStatus({ code: STATUS_ERROR, message: e.error?.message });
    }
    span.setAttributes(attrs);
    span.end(this.sdk.core.hrTime(this.at + e.durationMs));
  }
}

/** the caller's span from `traceparent` (+ `tracestate`); null when absent or malformed (a new trace starts) */
function incomingContext(sdk: TracingSdk, s: RequestStart): SpanContext | null {
  const tp = requestHeader(s.incoming, 'traceparent');
  if (tp === undefined) return null;
  const parent = sdk.core.parseTraceParent(tp);
  if (!parent) return null;
  parent.isRemote = true;
  const ts = requestHeader(s.incoming, 'tracestate');
  if (ts !== undefined && ts !== '') parent.traceState = new sdk.core.TraceState(ts);
  return parent;
}

/** server.address / server.port per upstream origin, parsed once: a WHATWG URL costs ~2 µs per attempt */
const origins = new Map<string, { host: string; port: number } | null>();
const MAX_ORIGINS = 1000;

function hostPort(url: string): { host: string; port: number } | null {
  const slash = url.indexOf('/', url.indexOf('//') + 2);
  const origin = slash < 0 ? url : url.slice(0, slash);
  let hp = origins.get(origin);
  if (hp === undefined) {
    try {
      const u = new URL(origin);
      hp = { host: u.hostname, port: u.port ? Number(u.port) : u.protocol === 'https:' ? 443 : 80 };
    } catch {
      hp = null;
    }
    // origins come from the configured providers: bounded, but a cap keeps a surprise from growing it
    if (origins.size >= MAX_ORIGINS) origins.clear();
    origins.set(origin, hp);
  }
  return hp;
}
