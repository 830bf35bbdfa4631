// Shared bits of the benchmark: the child-process ready protocol, the request bodies, small helpers.
// Everything here runs on loopback only (127.0.0.1).
import { createServer } from 'node:net';

export const HOST = '127.0.0.1';

/** A child process prints this line once it listens; the orchestrator reads the JSON after it. */
export const READY = 'BENCH_READY ';

export function announceReady(info: { port: number }): void {
  process.stdout.write(`${READY}${JSON.stringify(info)}\n`);
}

export const MODEL = 'bench/echo';

export const CHAT_BODY = JSON.stringify({
  model: MODEL,
  messages: [{ role: 'user', content: 'Hello' }],
  max_tokens: 16,
});

export const CHAT_STREAM_BODY = JSON.stringify({
  model: MODEL,
  messages: [{ role: 'user', content: 'Hello' }],
  max_tokens: 16,
  stream: true,
});

/** A free TCP port on loopback (for children that cannot listen on 0 and report back). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, HOST, () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** `--name value` / `--name=value` / `--flag` parsing for the small bench CLIs. */
export function argValue(argv: string[], name: string): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === `--${name}`) return argv[i + 1];
    if (a.startsWith(`--${name}=`)) return a.slice(name.length + 3);
  }
  return undefined;
}

export function numArg(argv: string[], name: string, dflt: number): number {
  const v = argValue(argv, name);
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new Error(`--${name} must be a non-negative number (got ${v})`);
  return n;
}

export function percentile(sorted: Float64Array | number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i];
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
