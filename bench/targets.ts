// Starts and stops every target as its own child process, so peak RSS (VmHWM) is per target.
//   upstream  bench/upstream.ts — the simulated OpenAI upstream; "direct" is the load sent straight to it
//   bare      bench/bare-proxy.ts — node:http + undici Pool.stream(), no logic: the floor for a Node gateway
//   json      bench/json-proxy.ts — the bare proxy plus parsing and re-serialising the JSON (what any router must)
//   arouter   `arouter serve` with a config pointing at the upstream, a user key, everything on
//   portkey   @portkey-ai/gateway (dev dependency) routed to the same upstream through its custom-host header
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { request } from 'undici';
import { HOST, MODEL, READY, freePort, sleep } from './common.js';
import { SERVE_ENV, SERVE_NODE_FLAGS } from '../src/cli/node-flags.js';

//   shared    (--shared) this build with storage on PostgreSQL and redis.url set: the cost of scale-out state
//   baseline  (--baseline DIR) another build of ARouter, started the same way from DIR, for an A/B in one run
//   nometrics (--metrics) this build with `metrics.enabled: false`: the A/B of the Prometheus metrics (on by default)
export type TargetName = 'direct' | 'bare' | 'json' | 'arouter' | 'nometrics' | 'shared' | 'baseline' | 'portkey';
export const TARGET_ORDER: TargetName[] = [
  'direct',
  'bare',
  'json',
  'arouter',
  'nometrics',
  'shared',
  'baseline',
  'portkey',
];

export interface Target {
  name: TargetName;
  label: string;
  /** OpenAI-style base URL, e.g. http://127.0.0.1:PORT/v1 */
  base: string;
  headers: Record<string, string>;
  /** the process whose peak RSS belongs to this row */
  child: Child;
  note: string;
}

export interface Runtime {
  /** run TypeScript sources through tsx instead of dist/ (tests, no build) */
  tsx: boolean;
  root: string;
}

const here = dirname(fileURLToPath(import.meta.url));
/** the repository root, from dist/bench/ or bench/ */
export const ROOT = here.endsWith(join('dist', 'bench')) ? resolve(here, '../..') : resolve(here, '..');

/** node arguments to run a project module ("bench/upstream", "src/cli/main") in either mode */
function entry(rt: Runtime, rel: string): string[] {
  return rt.tsx ? ['--import', 'tsx', join(rt.root, `${rel}.ts`)] : [join(rt.root, 'dist', `${rel}.js`)];
}

/** USER_HZ: 100 on every Linux build Node supports */
const CLK_TCK = 100;

export class Child {
  readonly tail: string[] = [];
  exited = false;
  exitCode: number | null = null;
  private exitPromise: Promise<void>;

  constructor(
    readonly name: string,
    readonly proc: ChildProcess,
  ) {
    this.exitPromise = new Promise((r) =>
      proc.once('exit', (code, signal) => {
        this.exited = true;
        this.exitCode = code ?? (signal ? 128 : null);
        r();
      }),
    );
    proc.stderr?.setEncoding('utf8').on('data', (s: string) => this.keep(s));
  }

  get pid(): number {
    return this.proc.pid ?? -1;
  }

  keep(s: string): void {
    for (const line of s.split('\n')) if (line.trim()) this.tail.push(line);
    if (this.tail.length > 40) this.tail.splice(0, this.tail.length - 40);
  }

  /** peak resident set size in bytes (VmHWM), null once the process is gone */
  peakRss(): number | null {
    try {
      const m = /VmHWM:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${this.pid}/status`, 'utf8'));
      return m ? Number(m[1]) * 1024 : null;
    } catch {
      return null;
    }
  }

  /** CPU time used so far (user + system), in ms, from /proc/<pid>/stat; null once the process is gone */
  cpuMs(): number | null {
    try {
      const stat = readFileSync(`/proc/${this.pid}/stat`, 'utf8');
      // fields after the ")" that closes the command name: state is field 3, utime 14, stime 15
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return ((Number(f[11]) + Number(f[12])) * 1000) / CLK_TCK;
    } catch {
      return null;
    }
  }

  async stop(graceMs = 15_000): Promise<void> {
    if (this.exited) return;
    this.proc.kill('SIGTERM');
    const timer = setTimeout(() => this.proc.kill('SIGKILL'), graceMs);
    await this.exitPromise;
    clearTimeout(timer);
  }

  describeFailure(): string {
    return this.tail.slice(-8).join(' | ') || `exit code ${this.exitCode}`;
  }
}

interface SpawnOpts {
  env: NodeJS.ProcessEnv;
  /** stdout: 'ready' reads the READY line from stdout, 'ignore' sends it to /dev/null */
  stdout: 'ready' | 'ignore';
  /** for children that announce on stderr: a regexp whose group 1 is the port */
  stderrPort?: RegExp;
  timeoutMs?: number;
  /** working directory (default: this checkout) */
  cwd?: string;
}

/** spawns `node args...` in the repo root and waits for its port */
function spawnNode(name: string, args: string[], opts: SpawnOpts): Promise<{ child: Child; port: number }> {
  const proc = spawn(process.execPath, args, {
    cwd: opts.cwd ?? ROOT,
    env: opts.env,
    stdio: ['ignore', opts.stdout === 'ready' ? 'pipe' : 'ignore', 'pipe'],
  });
  const child = new Child(name, proc);
  return new Promise((resolvePort, reject) => {
    let done = false;
    const finish = (err: Error | null, port = 0) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      if (err) {
        proc.kill('SIGKILL');
        reject(err);
      } else resolvePort({ child, port });
    };
    const timer = setTimeout(
      () =>
        finish(new Error(`${name}: not listening after ${opts.timeoutMs ?? 30_000} ms: ${child.describeFailure()}`)),
      opts.timeoutMs ?? 30_000,
    );
    proc.once('error', (e) => finish(e));
    proc.once('exit', () =>
      finish(new Error(`${name}: exited during start-up (code ${child.exitCode}): ${child.describeFailure()}`)),
    );
    if (opts.stdout === 'ready') {
      let buf = '';
      proc.stdout!.setEncoding('utf8').on('data', (s: string) => {
        if (done) return;
        buf += s;
        const i = buf.indexOf(READY);
        const nl = i >= 0 ? buf.indexOf('\n', i) : -1;
        if (nl > 0) finish(null, (JSON.parse(buf.slice(i + READY.length, nl)) as { port: number }).port);
      });
    }
    if (opts.stderrPort) {
      let buf = '';
      proc.stderr!.on('data', (s: string) => {
        if (done) return;
        buf += s;
        const m = opts.stderrPort!.exec(buf);
        if (m) finish(null, Number(m[1]));
      });
    }
  });
}

/** a minimal environment: no provider keys from the developer's shell leak into a target (MALLOC_ARENA_MAX does,
 *  for memory experiments: glibc reads it at process start) */
function baseEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const k of ['PATH', 'HOME', 'TMPDIR', 'LANG', 'TZ', 'MALLOC_ARENA_MAX'])
    if (process.env[k] !== undefined) env[k] = process.env[k];
  return env;
}

export async function startUpstream(rt: Runtime, chunks: number, intervalMs: number): Promise<Target> {
  const { child, port } = await spawnNode(
    'upstream',
    [...entry(rt, 'bench/upstream'), '--chunks', String(chunks), '--interval-ms', String(intervalMs)],
    {
      env: baseEnv(),
      stdout: 'ready',
    },
  );
  return {
    name: 'direct',
    label: 'direct to upstream',
    base: `http://${HOST}:${port}/v1`,
    headers: {},
    child,
    note: `simulated upstream, ${chunks} chunks every ${intervalMs} ms when streaming`,
  };
}

export async function startBare(rt: Runtime, upstream: Target): Promise<Target> {
  const { child, port } = await spawnNode('bare', [...entry(rt, 'bench/bare-proxy'), '--upstream', upstream.base], {
    env: baseEnv(),
    stdout: 'ready',
  });
  return {
    name: 'bare',
    label: 'bare proxy (node:http + undici Pool.stream)',
    base: `http://${HOST}:${port}/v1`,
    headers: {},
    child,
    note: 'no logic: the floor',
  };
}

export async function startJsonProxy(rt: Runtime, upstream: Target): Promise<Target> {
  const { child, port } = await spawnNode(
    'json',
    [...entry(rt, 'bench/json-proxy'), '--upstream', upstream.base, '--upstream-model', 'echo'],
    { env: baseEnv(), stdout: 'ready' },
  );
  return {
    name: 'json',
    label: 'JSON-aware proxy (bare + parse and re-serialise request, answer, every SSE event)',
    base: `http://${HOST}:${port}/v1`,
    headers: {},
    child,
    note: 'no logic beyond the JSON any router must read and write',
  };
}

export interface ArouterOptions {
  logLevel: string;
  cpuProfDir: string | null;
  /** extra node flags for the ARouter process (experiments: --max-old-space-size=…) */
  nodeFlags: string[];
  /** 'baseline': another build (rt.root is its checkout); 'shared': this build on PostgreSQL + Redis (config) */
  as?: 'arouter' | 'nometrics' | 'shared' | 'baseline';
  /** config merged into this build's (not the baseline's, whose schema may not know it): A/B of a setting */
  config?: Record<string, unknown>;
}

export const ADMIN_KEY = 'bench-admin-key-0123456789abcdef';

export function arouterConfig(upstreamBase: string): object {
  const price = (prompt: string, completion: string) => ({
    prompt,
    completion,
    request: '0',
    image: '0',
    web_search: '0',
    internal_reasoning: '0',
    input_cache_read: '0',
    input_cache_write: '0',
  });
  return {
    providers: [
      {
        id: 'bench',
        name: 'Bench upstream',
        dialect: 'openai',
        base_url: upstreamBase,
        api_key_env: 'BENCH_UPSTREAM_KEY',
      },
    ],
    models: [
      {
        id: MODEL,
        name: 'Bench echo',
        context_length: 128000,
        architecture: {
          input_modalities: ['text'],
          output_modalities: ['text'],
          tokenizer: 'o200k_base',
          instruct_type: null,
        },
        supported_parameters: ['max_tokens', 'temperature', 'top_p', 'stop'],
        endpoints: [
          {
            provider: 'bench',
            model: 'echo',
            pricing: price('0.000001', '0.000002'),
            context_length: 128000,
            max_completion_tokens: 4096,
            quantization: null,
            is_moderated: false,
          },
        ],
      },
    ],
  };
}

export async function startArouter(
  rt: Runtime,
  upstream: Target,
  o: ArouterOptions,
): Promise<Target & { cleanup(): void }> {
  const dir = mkdtempSync(join(tmpdir(), 'arouter-bench-'));
  const dataDir = join(dir, 'data');
  const configFile = join(dir, 'arouter.config.yaml');
  // YAML is a superset of JSON
  writeFileSync(configFile, JSON.stringify({ ...arouterConfig(upstream.base), ...(o.config ?? {}) }, null, 2));
  // launched as `npm start` and the bin launch it (experiments' flags come after and win)
  const nodeArgs: string[] = [...SERVE_NODE_FLAGS, ...o.nodeFlags];
  if (o.cpuProfDir) {
    mkdirSync(o.cpuProfDir, { recursive: true });
    nodeArgs.push('--cpu-prof', '--cpu-prof-dir', o.cpuProfDir);
  }
  const name = o.as ?? 'arouter';
  const { child, port } = await spawnNode(
    name,
    [
      ...nodeArgs,
      ...entry(rt, 'src/cli/main'),
      'serve',
      '--port',
      '0',
      '--host',
      HOST,
      '--data-dir',
      dataDir,
      '--config',
      configFile,
    ],
    {
      // the launchers' environment; a MALLOC_ARENA_MAX from the developer's shell (an experiment) wins
      env: {
        ...SERVE_ENV,
        ...baseEnv(),
        AROUTER_ADMIN_KEY: ADMIN_KEY,
        BENCH_UPSTREAM_KEY: 'sk-bench-upstream',
        AROUTER_LOG_LEVEL: o.logLevel,
      },
      stdout: 'ignore', // the JSON access log goes to /dev/null: its cost (serialise + write) is measured
      stderrPort: /ARouter listening on http:\/\/\S+?:(\d+)\/v1/,
      timeoutMs: 60_000,
      cwd: rt.root,
    },
  );
  const base = `http://${HOST}:${port}/v1`;
  const cleanup = () => rmSync(dir, { recursive: true, force: true });
  try {
    // a user key through the admin API: the production path (the env admin key would work too)
    const res = await request(`${base}/keys`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'bench' }),
    });
    const text = await res.body.text();
    if (res.statusCode !== 201) throw new Error(`POST /v1/keys answered ${res.statusCode}: ${text.slice(0, 300)}`);
    const key = (JSON.parse(text) as { key: string }).key;
    return {
      name,
      label:
        name === 'arouter'
          ? 'ARouter'
          : name === 'nometrics'
            ? 'ARouter, metrics off'
            : name === 'shared'
              ? 'ARouter, state on PostgreSQL + Redis'
              : `ARouter baseline (${rt.root})`,
      base,
      headers: { authorization: `Bearer ${key}` },
      child,
      note:
        `user key, auth + routing + accounting + ledger on; log level ${o.logLevel}, JSON access log on stdout → /dev/null` +
        (name === 'shared' ? '; storage.url PostgreSQL (own schema), redis.url (own prefix)' : '') +
        (o.cpuProfDir ? '; --cpu-prof' : '') +
        (o.nodeFlags.length ? `; node ${o.nodeFlags.join(' ')}` : ''),
      cleanup,
    };
  } catch (err) {
    await child.stop();
    cleanup();
    throw err;
  }
}

export function portkeyEntry(): string | null {
  const p = join(ROOT, 'node_modules', '@portkey-ai', 'gateway', 'build', 'start-server.js');
  return existsSync(p) ? p : null;
}

export function portkeyVersion(): string | null {
  try {
    return (
      JSON.parse(readFileSync(join(ROOT, 'node_modules', '@portkey-ai', 'gateway', 'package.json'), 'utf8')) as {
        version: string;
      }
    ).version;
  } catch {
    return null;
  }
}

export async function startPortkey(rt: Runtime, upstream: Target): Promise<Target> {
  const script = portkeyEntry();
  if (!script) throw new Error('@portkey-ai/gateway is not installed (run npm ci / npm install)');
  const port = await freePort();
  // the preload works around Portkey-AI/gateway#1389 (every streaming request fails otherwise): see the file
  const preload = rt.tsx
    ? ['--import', 'tsx', '--import', pathToFileURL(join(rt.root, 'bench', 'portkey-preload.ts')).href]
    : ['--import', pathToFileURL(join(rt.root, 'dist', 'bench', 'portkey-preload.js')).href];
  const proc = spawn(process.execPath, [...preload, script, `--port=${port}`, '--headless'], {
    cwd: ROOT,
    env: baseEnv(),
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const child = new Child('portkey', proc);
  // it prints a banner but no machine-readable line: poll its health route
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exited)
      throw new Error(`portkey exited during start-up (code ${child.exitCode}): ${child.describeFailure()}`);
    try {
      const r = await request(`http://${HOST}:${port}/`);
      await r.body.text();
      if (r.statusCode === 200) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) {
      await child.stop();
      throw new Error(`portkey: not answering on port ${port} after 30 s: ${child.describeFailure()}`);
    }
    await sleep(100);
  }
  return {
    name: 'portkey',
    label: `Portkey gateway ${portkeyVersion() ?? ''}`.trim(),
    base: `http://${HOST}:${port}/v1`,
    headers: { authorization: 'Bearer dummy', 'x-portkey-provider': 'openai', 'x-portkey-custom-host': upstream.base },
    child,
    note: 'x-portkey-provider: openai + x-portkey-custom-host → upstream; preload works around Portkey-AI/gateway#1389; stdout → /dev/null',
  };
}
