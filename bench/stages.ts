// Hot-path stages timed in isolation (no sockets): how many µs each per-request step of a chat completion
// costs on this machine, for the bench's request. Complements the end-to-end bench (which measures the
// whole process under load) when deciding what to optimise.   npx tsx bench/stages.ts [iterations]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/config/load.js';
import { App } from '../src/app.js';
import { buildRoutePlan, summarizeRoute } from '../src/routing/index.js';
import { validate } from '../src/http/validate.js';
import { ChatRequestSchema } from '../src/protocol/chat-request.js';
import { DIALECTS } from '../src/providers/dialects.js';
import { CHAT_BODY } from './common.js';
import { finalUsage, usageText } from '../src/accounting/usage.js';
import { toNumberUsd } from '../src/accounting/money.js';
import { generationId } from '../src/pipeline/ids.js';
import { Writable } from 'node:stream';
import type { ServerResponse } from 'node:http';
import { SseDecoder } from '../src/providers/transport.js';
import { SseWriter } from '../src/http/chat-output.js';

const N = Number(process.argv[2] ?? 100_000);
const dataDir = mkdtempSync(join(tmpdir(), 'arouter-stages-'));
const env = { AROUTER_ADMIN_KEY: 'lr_live_' + 'a'.repeat(40), AROUTER_LOG_LEVEL: 'silent' };
const config = loadConfig({
  inline: {},
  env,
  flags: { port: 0, host: '127.0.0.1', dataDir },
});
// every catalog provider wired (to a closed port: nothing is sent), as in --demo
const nowhere = 'http://127.0.0.1:9';
const app = new App({ config, env, demoUpstreams: { openai: nowhere, anthropic: nowhere, gemini: nowhere } });
await app.init();
const model = process.argv[3] ?? 'openai/gpt-4o-mini';
const body = CHAT_BODY.replace('bench/echo', model);
const account = app.directory.getAccount('acct_default')!;

function time(name: string, fn: () => unknown): void {
  for (let i = 0; i < Math.min(N, 20_000); i++) fn();
  const t0 = performance.now();
  for (let i = 0; i < N; i++) fn();
  console.log(`${name.padEnd(34)} ${(((performance.now() - t0) * 1000) / N).toFixed(2).padStart(7)} µs`);
}

const req = validate(ChatRequestSchema, JSON.parse(body));
const input = () => ({
  catalog: app.catalog,
  req,
  availableProviders: app.providers.availableFor(account),
  health: app.health,
});
const plan = buildRoutePlan(input());
const a = plan.attempts[0];
console.log(`model ${model}: ${plan.attempts.length} attempt(s), first ${a.provider.id}`);
time('JSON.parse + validate', () => validate(ChatRequestSchema, JSON.parse(body)));
time('availableFor', () => app.providers.availableFor(account));
time('buildRoutePlan', () => buildRoutePlan(input()));
time('summarizeRoute', () => summarizeRoute(plan.explanation));
time('JSON.stringify(explanation)', () => JSON.stringify(plan.explanation));
const dialect = DIALECTS[a.provider.dialect];
const ctx = {
  target: { provider: a.provider, endpoint: a.endpoint, model: a.model, apiKey: 'x' },
  stream: false,
  reasoning: a.reasoning,
  maxTokens: a.maxTokens,
  maxTokensExplicit: a.maxTokensExplicit,
};
time('dialect.buildChatRequest', () => dialect.buildChatRequest(req, ctx));
const upstreamJson = JSON.stringify({
  id: 'chatcmpl-1',
  object: 'chat.completion',
  created: 1,
  model: a.endpoint.model,
  choices: [
    {
      index: 0,
      message: { role: 'assistant', content: 'Hello there! How can I help?' },
      logprobs: null,
      finish_reason: 'stop',
    },
  ],
  usage: { prompt_tokens: 9, completion_tokens: 8, total_tokens: 17 },
});
time('JSON.parse + parseChatResponse', () => dialect.parseChatResponse(JSON.parse(upstreamJson), ctx));
const parsed = dialect.parseChatResponse(JSON.parse(upstreamJson), ctx);
const key = (await app.directory.findByKey(env.AROUTER_ADMIN_KEY))!;
time('limits.admit', () => app.limits.admit(key, false, () => a.promptTokens));
time('spend.reserve + settle', () => {
  const r = app.spend.reserve(account, key, a.worstCaseBoundPusd);
  if (r.ok) app.spend.settle(r.reservationId, 1000n);
});
time('finalUsage + usageText', () => {
  const fu = finalUsage({
    upstream: parsed.usage,
    promptTokens: () => a.promptTokens,
    inputImages: 0,
    generated: { content: parsed.content ?? '', reasoning: '', tools: '' },
    tokenizer: a.model.architecture.tokenizer,
    maxTokens: a.maxTokens,
    pricing: a.endpoint.pricing,
    delivered: true,
  });
  return usageText(fu, toNumberUsd(fu.cost));
});
time('health.record', () =>
  app.health.record(a.endpointKey, {
    ok: true,
    status: 200,
    latencyMs: 3,
    ttftMs: null,
    outputTokens: 8,
    generationMs: null,
  }),
);
time('health.tryAcquire', () => app.health.tryAcquire(a.endpointKey));
const row = {
  id: 'gen-x',
  account_id: account.id,
  key_id: key.id,
  requested_model: model,
  model,
  provider: a.provider.id,
  endpoint: a.endpoint.model,
  upstream_id: 'chatcmpl-1',
  attempts: [{ provider: a.provider.id, model, endpoint: a.endpoint.model, status: 200, duration_ms: 3 }],
  prompt_tokens: 9,
  completion_tokens: 8,
  reasoning_tokens: 0,
  cached_tokens: 0,
  cache_write_tokens: 0,
  tokens_estimated: false,
  cost_pusd: 1234n,
  latency_ms: 3.3,
  ttft_ms: null,
  finish_reason: 'stop',
  status: 200,
  streamed: false,
  cancelled: false,
  route: plan.explanation,
  kind: 'chat' as const,
  created_at: new Date().toISOString(),
};
time('ledger row → SQL params (JSON)', () => [JSON.stringify(row.attempts), JSON.stringify(row.route)]);
time('generationId (randomUUID)', () => generationId());
time('new Date().toISOString()', () => new Date().toISOString());
// the stream path, per upstream chunk (the bench upstream's frame; a Writable stands in for the client socket)
const frame = Buffer.from(
  `data: ${JSON.stringify({ id: 'chatcmpl-bench', object: 'chat.completion.chunk', created: 1, model: 'echo', choices: [{ index: 0, delta: { content: ' tok7' }, finish_reason: null }] })}\n\n`,
);
const decoder = new SseDecoder();
const sctx = { ...ctx, stream: true };
const translator = dialect.createStreamTranslator(sctx);
time('SseDecoder.feed (one frame)', () => decoder.feed(frame));
const ev = decoder.feed(frame)[0];
time('translator.push (one chunk)', () => translator.push(ev));
const sink = new Writable({ write: (_c, _e, cb) => cb() });
const writer = new SseWriter(sink as unknown as ServerResponse);
writer.setIdentity('gen-1764094000-0123456789abcdef0123', 1764094000, model, a.provider.id);
const delta = { content: ' tok7' };
time('SseWriter.delta (into a Writable)', () => writer.delta(delta));
time('chunk total: feed+push+delta', () => {
  for (const e of decoder.feed(frame))
    for (const t of translator.push(e)) if (t.type === 'delta') writer.delta(t.delta);
});
await app.close();
rmSync(dataDir, { recursive: true, force: true });
