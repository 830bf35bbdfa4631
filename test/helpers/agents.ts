// Runs the real coding agents — Claude Code (`claude -p`) and Codex (`codex exec`) from their npm packages — against a
// local endpoint, offline: each run gets its own temp HOME/config, an environment built from scratch (no inherited
// keys, proxies or settings), telemetry, update checks and plugin syncs switched off, and a hard timeout that kills
// the agent's whole process group.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);

export interface AgentRunOptions {
  /** the endpoint's OpenAI-style base, ending in /v1 (e.g. TestGateway.url); Claude Code is given it without /v1 */
  baseUrl: string;
  apiKey: string;
  model: string;
  prompt: string;
  /** the agent's working directory (the files it may read) */
  cwd: string;
  /** default 60 s; the process group is killed with SIGKILL past it */
  timeoutMs?: number;
  /** more command-line arguments, after the harness's own */
  extraArgs?: string[];
  /** more environment variables, over the harness's own */
  env?: Record<string, string>;
  /** keep the temp home for inspection (its path is in the result) */
  keepHome?: boolean;
}

export interface ClaudeRunOptions extends AgentRunOptions {
  /** `x-api-key` sends ANTHROPIC_API_KEY (x-api-key header); `bearer` sends ANTHROPIC_AUTH_TOKEN (Authorization) */
  auth?: 'x-api-key' | 'bearer';
  /** tools allowed without a prompt; default Read and Bash */
  allowedTools?: string[];
  /** the model for background/small tasks (ANTHROPIC_DEFAULT_HAIKU_MODEL); default `model` */
  smallModel?: string;
}

export interface AgentRunResult {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  durationMs: number;
  stdout: string;
  stderr: string;
  /** Claude Code: the `--output-format json` result object; Codex: the `--json` events, one per line */
  json?: unknown;
  /** the agent's final answer: Claude's `result`, Codex's last agent_message text */
  finalText?: string;
  home: string;
}

const DEFAULT_TIMEOUT_MS = 60_000;

function packageDir(name: string): string {
  return dirname(require.resolve(`${name}/package.json`));
}

/** the environment every agent run starts from: nothing of the test process's own but PATH */
function baseEnv(home: string): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
    HOME: home,
    LANG: 'C.UTF-8',
    TERM: 'dumb',
    NO_COLOR: '1',
  };
}

interface SpawnSpec {
  command: string;
  args: string[];
  env: Record<string, string>;
  cwd: string;
  timeoutMs: number;
}

function run(spec: SpawnSpec): Promise<Omit<AgentRunResult, 'json' | 'finalText' | 'home'>> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    // detached: the agent gets its own process group, so a timeout also ends the shells and tools it started
    const child = spawn(spec.command, spec.args, {
      cwd: spec.cwd,
      env: spec.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const killGroup = (): void => {
      if (child.pid === undefined) return;
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // the group is already gone
      }
    };
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup();
    }, spec.timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (exitCode, signal) => {
      clearTimeout(timer);
      // a tool process the agent left running in the background must not outlive the test
      killGroup();
      resolve({ exitCode, signal, timedOut, durationMs: Math.round(performance.now() - started), stdout, stderr });
    });
  });
}

function tempHome(prefix: string): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

// ------------------------------------------------------------------------------------------------ Claude Code

/** the native binary the package's postinstall puts at bin/claude.exe; a 500-byte shell stub when it did not run */
function claudeCommand(): { command: string; args: string[] } {
  const dir = packageDir('@anthropic-ai/claude-code');
  const exe = join(dir, 'bin', 'claude.exe');
  if (statSync(exe).size > 4096) return { command: exe, args: [] };
  // install scripts skipped: the package's own fallback launcher finds the platform package and spawns its binary
  return { command: process.execPath, args: [join(dir, 'cli-wrapper.cjs')] };
}

export function claudeEnv(opts: ClaudeRunOptions, home: string): Record<string, string> {
  const small = opts.smallModel ?? opts.model;
  const env: Record<string, string> = {
    ...baseEnv(home),
    CLAUDE_CONFIG_DIR: join(home, '.claude'),
    // the SDK appends /v1/messages itself
    ANTHROPIC_BASE_URL: opts.baseUrl.replace(/\/v1\/?$/, ''),
    ANTHROPIC_MODEL: opts.model,
    ANTHROPIC_DEFAULT_OPUS_MODEL: opts.model,
    ANTHROPIC_DEFAULT_SONNET_MODEL: opts.model,
    ANTHROPIC_DEFAULT_HAIKU_MODEL: small,
    ANTHROPIC_SMALL_FAST_MODEL: small,
    CLAUDE_CODE_SUBAGENT_MODEL: opts.model,
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
    DISABLE_TELEMETRY: '1',
    DISABLE_ERROR_REPORTING: '1',
    DISABLE_AUTOUPDATER: '1',
  };
  if ((opts.auth ?? 'x-api-key') === 'bearer') env.ANTHROPIC_AUTH_TOKEN = opts.apiKey;
  else env.ANTHROPIC_API_KEY = opts.apiKey;
  return { ...env, ...(opts.env ?? {}) };
}

export function claudeArgs(opts: ClaudeRunOptions): string[] {
  return [
    '-p',
    opts.prompt,
    '--output-format',
    'json',
    // not --dangerously-skip-permissions: Claude Code refuses it as root (CI runs as root) unless IS_SANDBOX=1
    '--allowedTools',
    (opts.allowedTools ?? ['Read', 'Bash']).join(','),
    '--no-session-persistence',
    ...(opts.extraArgs ?? []),
  ];
}

export async function runClaude(opts: ClaudeRunOptions): Promise<AgentRunResult> {
  const home = tempHome('arouter-claude-');
  mkdirSync(join(home, '.claude'));
  const { command, args } = claudeCommand();
  try {
    const res = await run({
      command,
      args: [...args, ...claudeArgs(opts)],
      env: claudeEnv(opts, home),
      cwd: opts.cwd,
      timeoutMs: opts.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    });
    let json: unknown;
    let finalText: string | undefined;
    try {
      json = JSON.parse(res.stdout) as unknown;
      const result = (json as { result?: unknown }).result;
      if (typeof result === 'string') finalText = result;
    } catch {
      // not JSON (a crash or a usage error): the caller sees stdout/stderr
    }
    return { ...res, json, finalText, home };
  } finally {
    if (!opts.keepHome) rmSync(home, { recursive: true, force: true });
  }
}

// ------------------------------------------------------------------------------------------------ Codex

const CODEX_KEY_ENV = 'AROUTER_API_KEY';

/** CODEX_HOME/config.toml: one custom provider on the Responses wire, nothing that reaches other hosts */
export function codexConfig(opts: AgentRunOptions): string {
  const q = (s: string): string => JSON.stringify(s); // a JSON string is a valid TOML basic string
  return [
    `model = ${q(opts.model)}`,
    `model_provider = "arouter"`,
    `check_for_update_on_startup = false`,
    `approval_policy = "never"`,
    `sandbox_mode = "read-only"`,
    '',
    '[analytics]',
    'enabled = false',
    '',
    // plugins on = a git clone of the curated plugin repo and calls to api.github.com and chatgpt.com at startup
    '[features]',
    'plugins = false',
    '',
    '[model_providers.arouter]',
    'name = "ARouter"',
    `base_url = ${q(opts.baseUrl)}`,
    'wire_api = "responses"',
    `env_key = "${CODEX_KEY_ENV}"`,
    // the harness's own timeout bounds the run; a retried stream would only hide a wire error
    'request_max_retries = 0',
    'stream_max_retries = 0',
    '',
  ].join('\n');
}

export function codexArgs(opts: AgentRunOptions): string[] {
  return [
    join(packageDir('@openai/codex'), 'bin', 'codex.js'),
    'exec',
    '--skip-git-repo-check',
    '--strict-config',
    '--ephemeral',
    '--json',
    '--color',
    'never',
    ...(opts.extraArgs ?? []),
    opts.prompt,
  ];
}

export async function runCodex(opts: AgentRunOptions): Promise<AgentRunResult> {
  const home = tempHome('arouter-codex-');
  const codexHome = join(home, '.codex');
  mkdirSync(codexHome);
  writeFileSync(join(codexHome, 'config.toml'), codexConfig(opts));
  try {
    const res = await run({
      command: process.execPath,
      args: codexArgs(opts),
      env: { ...baseEnv(home), CODEX_HOME: codexHome, [CODEX_KEY_ENV]: opts.apiKey, ...(opts.env ?? {}) },
      cwd: opts.cwd,
      timeoutMs: opts.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    });
    const events: unknown[] = [];
    for (const line of res.stdout.split('\n')) {
      if (!line.trim().startsWith('{')) continue;
      try {
        events.push(JSON.parse(line) as unknown);
      } catch {
        // a partial last line when the process was killed
      }
    }
    let finalText: string | undefined;
    for (const e of events as { type?: string; item?: { type?: string; text?: string } }[]) {
      if (e.type === 'item.completed' && e.item?.type === 'agent_message') finalText = e.item.text;
    }
    return { ...res, json: events, finalText, home };
  } finally {
    if (!opts.keepHome) rmSync(home, { recursive: true, force: true });
  }
}
