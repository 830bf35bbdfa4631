// The agent harness itself, against the recording stub (no ARouter): Claude Code and Codex each run a tool-using
// session offline — the stub asks for a file read, the agent runs its tool and sends the result back, the stub
// answers with a final text the agent prints. The recorded wire traffic must match the fixtures in
// test/fixtures/agents/ (method, path and header names; bodies are kept there for reference). After an agent
// upgrade, re-record with AROUTER_RECORD_AGENTS=1 node scripts/run-tests.mjs agents-harness.
import { test, before, after, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import {
  startAgentStub,
  anthropicHasToolResult,
  responsesHasToolResult,
  type AgentStub,
} from '../helpers/agent-stub.js';
import {
  claudeArgs,
  claudeEnv,
  codexArgs,
  codexConfig,
  runClaude,
  runCodex,
  type AgentRunResult,
} from '../helpers/agents.js';
import {
  normalize,
  readFixture,
  stableHeaders,
  writeFixture,
  type AgentSessionFixture,
  type Placeholders,
} from '../helpers/agent-fixtures.js';
import type { RecordedRequest } from '../helpers/agent-stub.js';

const require = createRequire(import.meta.url);
const RECORD = process.env.AROUTER_RECORD_AGENTS === '1';
const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'agents');
const API_KEY = 'sk-agent-harness-secret-0000';
const FINAL = 'The first word of x.txt is Zebra.';
// model ids the agents know (a name they do not know makes them warn and fall back to default metadata)
const CLAUDE_MODEL = 'claude-sonnet-4-6';
const CODEX_MODEL = 'gpt-5.5';
const ROUTER_MODEL = 'acme/router-model';
// CI budget per agent run (measured locally: about 1.5 s each)
const BUDGET_MS = 20_000;

let stub: AgentStub;
let work: string;

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'arouter-agent-work-'));
  writeFileSync(join(work, 'x.txt'), 'Zebra crossing ahead\n');
  stub = await startAgentStub({ filePath: join(work, 'x.txt'), finalText: FINAL });
});

after(async () => {
  await stub.close();
  rmSync(work, { recursive: true, force: true });
});

function placeholders(res: AgentRunResult): Placeholders {
  return {
    literals: [
      [stub.origin, 'http://127.0.0.1:<port>'],
      [work, '<cwd>'],
      // Claude Code's per-project directory name: the cwd with every non-alphanumeric character made a dash
      [work.replace(/[^a-zA-Z0-9]/g, '-'), '<cwd-slug>'],
      // today, as the agents put it in their environment context (UTC and local)
      [new Date().toISOString().slice(0, 10), '<date>'],
      [new Date().toLocaleDateString('en-CA'), '<date>'],
      [res.home, '<home>'],
      [tmpdir(), '<tmp>'],
    ],
  };
}

function describeRun(res: AgentRunResult): string {
  return `exit ${res.exitCode} signal ${res.signal} timedOut ${res.timedOut} in ${res.durationMs} ms\n--- stdout\n${res.stdout.slice(0, 4000)}\n--- stderr\n${res.stderr.slice(0, 4000)}`;
}

/** the shape a fixture pins down: each request's method and path, and the names of the headers it sent */
function shape(requests: RecordedRequest[]): string[] {
  return requests.map((r) => `${r.method} ${r.path} [${Object.keys(r.headers).sort().join(' ')}]`);
}

function checkOrRecord(file: string, fixture: AgentSessionFixture): void {
  const path = join(FIXTURES, file);
  if (RECORD) return writeFixture(path, fixture);
  const recorded = readFixture(path);
  assert.equal(recorded.version, fixture.version, `${file} was recorded with another ${fixture.agent} version`);
  assert.deepEqual(shape(fixture.requests), shape(recorded.requests), `${fixture.agent}'s wire traffic changed`);
}

function redactEnv(env: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) {
    if (k === 'PATH') continue;
    out[k] = v === API_KEY ? '<api-key>' : v;
  }
  return out;
}

async function claudeSession(t: TestContext, model: string, fixture: string): Promise<void> {
  const from = stub.requests.length;
  const opts = { baseUrl: `${stub.origin}/v1`, apiKey: API_KEY, model, cwd: work, keepHome: true };
  const prompt = 'read the file x.txt and tell me its first word';
  const res = await runClaude({ ...opts, prompt, timeoutMs: 60_000 });
  t.after(() => rmSync(res.home, { recursive: true, force: true }));
  t.diagnostic(`claude -p took ${res.durationMs} ms`);
  assert.equal(res.exitCode, 0, describeRun(res));
  assert.equal(res.finalText, FINAL, describeRun(res));
  assert.ok(res.durationMs < BUDGET_MS, `claude run took ${res.durationMs} ms`);

  const requests = stub.requests.slice(from);
  const messages = requests.filter((r) => r.method === 'POST' && r.path.startsWith('/v1/messages?'));
  assert.ok(messages.length >= 2, describeRun(res));
  assert.equal(anthropicHasToolResult(messages[0].body), false);
  const last = messages[messages.length - 1];
  assert.ok(anthropicHasToolResult(last.body), 'the tool result came back');
  assert.match(JSON.stringify(last.body), /Zebra crossing ahead/, 'the Read tool really read the file');
  for (const r of messages) {
    assert.equal(r.headers['x-api-key'], '<redacted>');
    assert.equal(r.headers['anthropic-version'], '2023-06-01');
    assert.ok(!JSON.stringify(r).includes(API_KEY), 'no secret in the recording');
  }

  const p = placeholders(res);
  checkOrRecord(fixture, {
    agent: 'claude-code',
    version: (require('@anthropic-ai/claude-code/package.json') as { version: string }).version,
    command: normalize(['claude', ...claudeArgs({ ...opts, prompt })], p),
    env: normalize(redactEnv(claudeEnv({ ...opts, prompt }, res.home)), p),
    requests: normalize(requests, p).map(stableHeaders),
  });
}

test('Claude Code: a Read tool call, its result sent back, the final text printed', (t) =>
  claudeSession(t, CLAUDE_MODEL, 'claude-code-session.json'));

// a router's model id is not one Claude Code knows: it then sends mid-conversation `role: "system"` messages (and
// the mid-conversation-tool-changes beta) that it does not send for its own models
test('Claude Code with a model id it does not know (a router id)', (t) =>
  claudeSession(t, ROUTER_MODEL, 'claude-code-session-router-model.json'));

test('Claude Code: ANTHROPIC_AUTH_TOKEN sends the key as Authorization: Bearer instead of x-api-key', async () => {
  const from = stub.requests.length;
  const res = await runClaude({
    baseUrl: `${stub.origin}/v1`,
    apiKey: API_KEY,
    model: CLAUDE_MODEL,
    cwd: work,
    auth: 'bearer',
    prompt: 'read the file x.txt and tell me its first word',
  });
  assert.equal(res.exitCode, 0, describeRun(res));
  assert.equal(res.finalText, FINAL);
  const messages = stub.requests.slice(from).filter((r) => r.path.startsWith('/v1/messages'));
  assert.ok(messages.length >= 2);
  for (const r of messages) {
    assert.equal(r.headers.authorization, 'Bearer <redacted>');
    assert.equal(r.headers['x-api-key'], undefined);
  }
});

test('Codex: an exec_command call, its output sent back, the final text printed', async (t) => {
  const from = stub.requests.length;
  const opts = { baseUrl: `${stub.origin}/v1`, apiKey: API_KEY, model: CODEX_MODEL, cwd: work, keepHome: true };
  const prompt = 'read the file x.txt and tell me its first word';
  const res = await runCodex({ ...opts, prompt, timeoutMs: 60_000 });
  t.after(() => rmSync(res.home, { recursive: true, force: true }));
  t.diagnostic(`codex exec took ${res.durationMs} ms`);
  assert.equal(res.exitCode, 0, describeRun(res));
  assert.equal(res.finalText, FINAL, describeRun(res));
  assert.ok(res.durationMs < BUDGET_MS, `codex run took ${res.durationMs} ms`);

  const requests = stub.requests.slice(from);
  const calls = requests.filter((r) => r.method === 'POST' && r.path === '/v1/responses');
  assert.ok(calls.length >= 2, describeRun(res));
  assert.equal(responsesHasToolResult(calls[0].body), false);
  const last = calls[calls.length - 1];
  assert.ok(responsesHasToolResult(last.body), 'the tool output came back');
  assert.match(JSON.stringify(last.body), /Zebra crossing ahead/, 'the shell command really ran');
  for (const r of calls) {
    assert.equal(r.headers.authorization, 'Bearer <redacted>');
    assert.ok(!JSON.stringify(r).includes(API_KEY), 'no secret in the recording');
  }

  const p = placeholders(res);
  checkOrRecord('codex-session.json', {
    agent: 'codex',
    version: (require('@openai/codex/package.json') as { version: string }).version,
    command: normalize(['node', ...codexArgs({ ...opts, prompt })], p).map((a) =>
      a.endsWith('/bin/codex.js') ? 'node_modules/@openai/codex/bin/codex.js' : a,
    ),
    env: {
      CODEX_HOME: '<home>/.codex',
      AROUTER_API_KEY: '<api-key>',
      'config.toml': normalize(codexConfig({ ...opts, prompt }), p),
    },
    requests: normalize(requests, p).map(stableHeaders),
  });
});

test('a run past its timeout is killed, with what it printed so far', async () => {
  // nothing listens on port 9 (discard): the agent retries or hangs; the harness must end it on time
  const res = await runClaude({
    baseUrl: 'http://127.0.0.1:9/v1',
    apiKey: API_KEY,
    model: CLAUDE_MODEL,
    cwd: work,
    prompt: 'hello',
    timeoutMs: 1_500,
  });
  assert.equal(res.timedOut, true, describeRun(res));
  assert.equal(res.signal, 'SIGKILL');
  assert.ok(res.durationMs < 5_000, `killed after ${res.durationMs} ms`);
});
