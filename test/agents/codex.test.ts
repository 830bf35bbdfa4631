// Codex (`codex exec`, the real agent from npm) pointed at ARouter's /v1/responses as a custom model provider
// (wire_api = "responses"), for models of any provider: the simulated model asks for a tool, Codex runs it and sends
// the result back, the model answers by quoting it. What Codex sends that only OpenAI serves natively — custom tools
// (apply_patch with a lark grammar), a namespace tool (its sub-agent tools, for model ids it does not know),
// hosted web_search / tool_search, its reasoning items with encrypted_content — goes through the adapter
// (src/inbound/responses/tools.ts), and every request is routed, billed and recorded like any other.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RecordedRequest } from '../../src/sim/server.js';
import { startDemoGateway, type SimSet, type TestGateway } from '../helpers/gateway.js';
import { runCodex, type AgentRunResult } from '../helpers/agents.js';

let gw: TestGateway;
let sims: SimSet;
let work: string;

before(async () => {
  ({ gw, sims } = await startDemoGateway());
  work = mkdtempSync(join(tmpdir(), 'arouter-codex-work-'));
  writeFileSync(join(work, 'x.txt'), 'Zebra crossing ahead\n');
});
after(async () => {
  await gw.close();
  await sims.close();
  rmSync(work, { recursive: true, force: true });
});

const describe = (r: AgentRunResult) =>
  `exit ${r.exitCode} timedOut ${r.timedOut}\n--- stdout\n${r.stdout.slice(0, 4000)}\n--- stderr\n${r.stderr.slice(-3000)}`;

interface Session {
  /** the model as Codex is configured with it */
  model: string;
  catalogId: string;
  sim: 'openai' | 'anthropic';
  toolCall: { name: string; arguments: Record<string, unknown> };
  extraArgs?: string[];
}

/** one `codex exec` run; returns the upstream requests it caused */
async function session(s: Session): Promise<{ res: AgentRunResult; upstream: RecordedRequest[] }> {
  const upstreamModel = gw.app.catalog.get(s.catalogId)!.endpoints.find((e) => e.provider === s.sim)!.model;
  sims[s.sim].script({ match: { model: upstreamModel }, toolCalls: [s.toolCall] });
  const before = sims[s.sim].requests.length;
  const res = await runCodex({
    baseUrl: gw.url,
    apiKey: gw.adminKey,
    model: s.model,
    prompt: 'read the file x.txt and tell me its first word',
    cwd: work,
    timeoutMs: 20_000,
    extraArgs: s.extraArgs,
  });
  assert.equal(res.exitCode, 0, describe(res));
  const upstream = sims[s.sim].requests.slice(before);
  assert.ok(upstream.length >= 2, `${upstream.length} upstream calls\n${describe(res)}`);

  const rows = (await (await gw.fetch('/activity?limit=50')).json()) as {
    data: Array<{ model: string; total_cost: number; streamed: boolean }>;
  };
  const mine = rows.data.filter((r) => r.model === s.catalogId);
  assert.ok(mine.length >= 2, JSON.stringify(rows.data.slice(0, 3)));
  assert.ok(
    mine.every((r) => r.total_cost > 0 && r.streamed),
    JSON.stringify(mine),
  );
  return { res, upstream };
}

const SHELL = { name: 'exec_command', arguments: { cmd: 'cat x.txt' } };

test('Codex runs a shell-tool session on an OpenAI catalog model it does not know (namespace tool, web_search)', async () => {
  const { res, upstream } = await session({
    model: 'openai/gpt-5',
    catalogId: 'openai/gpt-5',
    sim: 'openai',
    toolCall: SHELL,
  });
  // the simulated model answers a tool result by quoting it: the file went through Codex's exec_command
  assert.match(res.finalText ?? '', /Zebra crossing ahead/, describe(res));
  // OpenAI gets Codex's Responses request natively, its own tools as Codex sent them, less the hosted ones
  assert.ok(
    upstream.every((u) => u.path === '/v1/responses'),
    upstream.map((u) => u.path).join(),
  );
  const first = upstream[0].body as { tools: { type: string; name: string }[] };
  const names = first.tools.map((t) => t.name);
  assert.ok(names.includes('exec_command'), names.join());
  assert.ok(
    first.tools.every((t) => ['function', 'custom', 'namespace'].includes(t.type)),
    'hosted tools never reach the upstream',
  );
  // Codex's sub-agent tools arrive in a namespace for a model id it does not know: OpenAI takes it as it is
  assert.ok(
    first.tools.some((t) => t.type === 'namespace'),
    names.join(),
  );
});

test('Codex runs a shell-tool session on an Anthropic model; signed thinking rides encrypted_content back', async () => {
  const { res, upstream } = await session({
    model: 'anthropic/claude-sonnet-4.5',
    catalogId: 'anthropic/claude-sonnet-4.5',
    sim: 'anthropic',
    toolCall: SHELL,
    // Codex sends a reasoning effort only for models it knows; this asks it to for any
    extraArgs: ['-c', 'model_reasoning_effort="medium"'],
  });
  assert.match(res.finalText ?? '', /Zebra crossing ahead/, describe(res));
  // the second request replays the first turn's thinking block with its signature (Anthropic requires it)
  const second = upstream[1].body as { thinking?: unknown; messages: { role: string; content: unknown }[] };
  assert.ok(second.thinking, 'thinking asked for');
  const assistant = second.messages.find((m) => m.role === 'assistant')!;
  const blocks = assistant.content as { type: string; signature?: string }[];
  assert.ok(
    blocks.some((b) => b.type === 'thinking' && typeof b.signature === 'string' && b.signature !== ''),
    JSON.stringify(blocks).slice(0, 500),
  );
});

test("Codex's own model name: the apply_patch custom tool edits a file through ARouter", async () => {
  const patch = '*** Begin Patch\n*** Add File: y.txt\n+patched through ARouter\n*** End Patch\n';
  const { res, upstream } = await session({
    // a model Codex knows: it sends apply_patch as a custom tool with its lark grammar, and tool_search
    model: 'gpt-5.5',
    catalogId: 'openai/gpt-5.5',
    sim: 'openai',
    toolCall: { name: 'apply_patch', arguments: { input: patch } },
    extraArgs: ['--sandbox', 'workspace-write'],
  });
  assert.equal(readFileSync(join(work, 'y.txt'), 'utf8'), 'patched through ARouter\n', describe(res));
  assert.match(res.finalText ?? '', /Success\. Updated the following files:\s*A y\.txt/, describe(res));
  // OpenAI gets the custom tool with its grammar, and Codex's custom_tool_call and its output back, natively
  const first = upstream[0].body as { tools: { type: string; name: string; format?: { type: string } }[] };
  const tool = first.tools.find((t) => t.name === 'apply_patch');
  assert.ok(tool, 'apply_patch offered to the model');
  assert.equal(tool.type, 'custom');
  assert.equal(tool.format?.type, 'grammar');
  const second = upstream[1].body as { input: { type?: string; name?: string; input?: string }[] };
  assert.equal(upstream[1].path, '/v1/responses');
  const call = second.input.find((i) => i.type === 'custom_tool_call');
  assert.deepEqual([call?.name, call?.input], ['apply_patch', patch]);
  assert.ok(second.input.some((i) => i.type === 'custom_tool_call_output'));
});
