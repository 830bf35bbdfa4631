// Claude Code (`claude -p`, the real agent from npm) pointed at ARouter's /v1/messages with ANTHROPIC_BASE_URL, for
// an Anthropic model by Claude Code's own name and for an OpenAI model by its catalog id: a tool-using session (the
// model asks to Read a file, Claude Code runs the tool and sends the result back, the model answers from it), each
// request routed, billed and recorded like any other.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDemoGateway, type SimSet, type TestGateway } from '../helpers/gateway.js';
import { runClaude, type AgentRunResult } from '../helpers/agents.js';

let gw: TestGateway;
let sims: SimSet;
let work: string;

before(async () => {
  ({ gw, sims } = await startDemoGateway());
  work = mkdtempSync(join(tmpdir(), 'arouter-claude-'));
  writeFileSync(join(work, 'x.txt'), 'Zebra crossing ahead\n');
});
after(async () => {
  await gw.close();
  await sims.close();
  rmSync(work, { recursive: true, force: true });
});

const describe = (r: AgentRunResult) =>
  `exit ${r.exitCode} timedOut ${r.timedOut}\n--- stdout\n${r.stdout.slice(0, 3000)}\n--- stderr\n${r.stderr.slice(0, 3000)}`;

async function session(model: string, catalogId: string, sim: 'anthropic' | 'openai'): Promise<void> {
  const upstream = gw.app.catalog.get(catalogId)!.endpoints.find((e) => e.provider === sim)!.model;
  sims[sim].script({
    match: { model: upstream },
    toolCalls: [{ name: 'Read', arguments: { file_path: join(work, 'x.txt') } }],
  });
  const before = sims[sim].requests.length;
  const res = await runClaude({
    baseUrl: gw.url,
    apiKey: gw.adminKey,
    model,
    prompt: 'read the file x.txt and tell me its first word',
    cwd: work,
    timeoutMs: 60_000,
  });
  assert.equal(res.exitCode, 0, describe(res));
  // the simulated model answers a tool result by quoting it: the file's text went through Claude Code's Read tool
  assert.match(res.finalText ?? '', /Zebra crossing ahead/, describe(res));
  const upstreamCalls = sims[sim].requests.slice(before);
  assert.ok(upstreamCalls.length >= 2, `${upstreamCalls.length} upstream calls`);

  const rows = (await (await gw.fetch('/activity?limit=50')).json()) as {
    data: Array<{ model: string; total_cost: number; streamed: boolean; status?: number }>;
  };
  const mine = rows.data.filter((r) => r.model === catalogId);
  assert.ok(mine.length >= 2, JSON.stringify(rows.data.slice(0, 3)));
  assert.ok(mine.every((r) => r.total_cost > 0 && r.streamed));
}

test('Claude Code runs a Read-tool session on an Anthropic model named as Claude Code names it', () =>
  session('claude-sonnet-4-5', 'anthropic/claude-sonnet-4.5', 'anthropic'));

test('Claude Code runs a Read-tool session on an OpenAI model through ARouter', () =>
  session('openai/gpt-4o-mini', 'openai/gpt-4o-mini', 'openai'));
