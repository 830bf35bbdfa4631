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
import { ChatRequestSchema } from '../src/http/schemas/chat-request.js';
import { DIALECTS } from '../src/providers/dialects.js';
import { CHAT_BODY } from './common.js';

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
const input = () => ({ catalog: app.catalog, req, availableProviders: app.providers.availableFor(account), health: app.health });
const plan = buildRoutePlan(input());
const a = plan.attempts[0];
console.log(`model ${model}: ${plan.attempts.length} attempt(s), first ${a.provider.id}`);
time('JSON.parse + validate', () => validate(ChatRequestSchema, JSON.parse(body)));
time('availableFor', () => app.providers.availableFor(account));
time('buildRoutePlan', () => buildRoutePlan(input()));
time('summarizeRoute', () => summarizeRoute(plan.explanation));
time('JSON.stringify(explanation)', () => JSON.stringify(plan.explanation));
const dialect = DIALECTS[a.provider.dialect];
const ctx = { target: { provider: a.provider, endpoint: a.endpoint, model: a.model, apiKey: 'x' }, stream: false, reasoning: a.reasoning, maxTokens: a.maxTokens, maxTokensExplicit: a.maxTokensExplicit };
time('dialect.buildChatRequest', () => dialect.buildChatRequest(req, ctx));
await app.close();
rmSync(dataDir, { recursive: true, force: true });
