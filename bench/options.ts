// The flags of `npm run bench` (bench/run.ts) and their defaults.
//
// Flags: --duration S (10)  --connections N (50)  --rounds N (3)  --warmup S (2)  --smoke  --no-portkey
//        --only bare,json,arouter,portkey  --cpu-prof  --chunks N (20)  --interval-ms I (5)  --no-stream  --stream-only
//        --log-level L (info)  --arouter-node-flags "FLAGS" (extra node flags for ARouter, for experiments)
//        --out FILE (bench/results/latest.json)  --tsx (run children from TypeScript through tsx; automatic
//        when this file itself runs under tsx)  --baseline DIR (another built checkout of ARouter, measured
//        as one more target beside this one: an A/B of two builds in the same minutes)
//        --rate N|auto (auto; 0 = skip)  --stream-rate N (100; 0 = skip)  --rate-duration S (5): the fixed-rate
//        (open-loop) latency run after the saturation rounds, see rate-run.ts
//        --keys N (0 = skip; never with --smoke)  --keys-engines sqlite,postgres (sqlite): N keys in storage, then a
//        fresh ARouter's start-up time, RSS and hot/cold key lookup latency, see keys-scale.ts
//        --shared (one more row: this build with storage on PostgreSQL and redis.url set, see shared-state.ts)
//        --tracing (this build's ARouter exports OpenTelemetry traces to a discarding sink: trace-sink.ts; with
//        --baseline DIR of a build without it, tracing off vs on in one run)
//        --metrics (one more row: this build with metrics.enabled false, the A/B of the Prometheus metrics)
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { argValue, numArg } from './common.js';
import { ROOT, TARGET_ORDER, type TargetName } from './targets.js';

export interface Options {
  /** keys in storage for the keys-at-scale measure (0: skipped) */
  keys: number;
  keysEngines: Array<'sqlite' | 'postgres'>;
  duration: number;
  connections: number;
  rounds: number;
  warmup: number;
  smoke: boolean;
  portkey: boolean;
  only: Set<TargetName>;
  cpuProf: boolean;
  chunks: number;
  intervalMs: number;
  stream: boolean;
  /** run the non-stream load (off with --stream-only) */
  json: boolean;
  logLevel: string;
  /** extra node flags for ARouter only */
  nodeFlags: string[];
  /** --arouter-config JSON: merged into this build's config only (e.g. '{"ledger":{"journal":false}}') */
  arouterConfig: Record<string, unknown>;
  out: string;
  tsx: boolean;
  /** another built checkout, measured as the `baseline` row */
  baseline: string | null;
  /** this build's ARouter (not the baseline's) exports every span to a discarding OTLP sink in the bench process */
  tracing: boolean;
  /**
   * fixed-rate run: requests per second (0 = skip; null = auto, from the saturation rounds: autoRate),
   * streams per second (0 = skip), seconds per target per round
   */
  rate: number | null;
  streamRate: number;
  rateDuration: number;
}

export function options(argv: string[]): Options {
  const known = new Set([
    'duration',
    'connections',
    'rounds',
    'warmup',
    'smoke',
    'no-portkey',
    'only',
    'cpu-prof',
    'chunks',
    'interval-ms',
    'no-stream',
    'stream-only',
    'log-level',
    'arouter-node-flags',
    'arouter-config',
    'out',
    'tsx',
    'baseline',
    'rate',
    'stream-rate',
    'rate-duration',
    'keys',
    'keys-engines',
    'shared',
    'tracing',
    'metrics',
    'help',
  ]);
  const takesValue = new Set([
    'duration',
    'connections',
    'rounds',
    'warmup',
    'only',
    'chunks',
    'interval-ms',
    'log-level',
    'arouter-node-flags',
    'arouter-config',
    'out',
    'baseline',
    'rate',
    'stream-rate',
    'rate-duration',
    'keys',
    'keys-engines',
  ]);
  for (let i = 0; i < argv.length; i++) {
    const m = /^--([a-z-]+)(=)?/.exec(argv[i]);
    if (!m) throw new Error(`unexpected argument ${argv[i]}`);
    if (!known.has(m[1])) throw new Error(`unknown flag ${argv[i]}`);
    if (takesValue.has(m[1]) && !m[2]) i++;
  }
  if (argv.includes('--help')) {
    console.log(
      'usage: npm run bench -- [--duration S] [--connections N] [--rounds N] [--warmup S] [--smoke] [--no-portkey]\n' +
        '                        [--only bare,json,arouter,nometrics,shared,portkey] [--shared] [--metrics] [--cpu-prof] [--chunks N] [--interval-ms I] [--no-stream | --stream-only]\n' +
        '                        [--log-level info|warn|…] [--arouter-node-flags "--max-old-space-size=64 …"] [--out FILE] [--tsx]\n' +
        '                        [--baseline DIR (a built checkout of another commit: its ARouter is measured beside this one)]\n' +
        '                        [--rate N|auto (fixed-rate req/s, 0 = skip)] [--stream-rate N (streams/s, 0 = skip)] [--rate-duration S]\n' +
        '                        [--keys N (keys in storage: start-up, RSS, key lookup latency)] [--keys-engines sqlite,postgres]\n' +
        '                        [--tracing (this build exports OpenTelemetry traces to a discarding sink; --baseline . = off vs on)]',
    );
    process.exit(0);
  }
  const smoke = argv.includes('--smoke');
  const only = argValue(argv, 'only');
  const names = new Set<TargetName>(['direct']);
  for (const n of only
    ? only
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
    : ['bare', 'json', 'arouter', 'portkey']) {
    if (!TARGET_ORDER.includes(n as TargetName) || n === 'baseline')
      throw new Error(`--only: unknown target "${n}" (direct, bare, json, arouter, nometrics, shared, portkey)`);
    names.add(n as TargetName);
  }
  // PostgreSQL + Redis: only when asked for (--shared or --only …shared), never in the default or smoke run
  if (argv.includes('--shared')) names.add('shared');
  // metrics are on by default (the `arouter` row): --metrics adds the same build with them off
  if (argv.includes('--metrics')) names.add('nometrics');
  if (argv.includes('--no-portkey')) names.delete('portkey');
  const baselineDir = argValue(argv, 'baseline');
  const baseline = baselineDir ? resolve(baselineDir) : null;
  if (baseline) {
    if (!existsSync(join(baseline, 'dist', 'src', 'cli', 'main.js'))) {
      throw new Error(
        `--baseline ${baseline}: no dist/src/cli/main.js there (run npm ci and npm run build in that checkout)`,
      );
    }
    names.add('baseline');
  }
  const rounds = Math.max(1, Math.floor(numArg(argv, 'rounds', smoke ? 2 : 3)));
  const connections = Math.max(1, Math.floor(numArg(argv, 'connections', smoke ? 4 : 50)));
  const keysEngines = (argValue(argv, 'keys-engines') ?? 'sqlite').split(',').map((e) => e.trim());
  for (const e of keysEngines)
    if (e !== 'sqlite' && e !== 'postgres') throw new Error(`--keys-engines: unknown engine "${e}" (sqlite, postgres)`);
  return {
    keys: smoke ? 0 : Math.floor(numArg(argv, 'keys', 0)),
    keysEngines: keysEngines as Options['keysEngines'],
    duration: numArg(argv, 'duration', smoke ? 1 : 10),
    connections,
    rounds,
    warmup: numArg(argv, 'warmup', smoke ? 0.2 : 2),
    smoke,
    portkey: names.has('portkey'),
    only: names,
    cpuProf: argv.includes('--cpu-prof'),
    chunks: Math.max(1, Math.floor(numArg(argv, 'chunks', 20))),
    intervalMs: numArg(argv, 'interval-ms', 5),
    stream: !argv.includes('--no-stream'),
    json: !argv.includes('--stream-only'),
    logLevel: argValue(argv, 'log-level') ?? 'info',
    nodeFlags: (argValue(argv, 'arouter-node-flags') ?? '').split(/\s+/).filter(Boolean),
    arouterConfig: JSON.parse(argValue(argv, 'arouter-config') ?? '{}') as Record<string, unknown>,
    out: resolve(argValue(argv, 'out') ?? join(ROOT, 'bench', 'results', 'latest.json')),
    tsx: argv.includes('--tsx') || import.meta.url.endsWith('.ts'),
    baseline,
    tracing: argv.includes('--tracing'),
    // null: auto (autoRate, after the saturation rounds)
    rate:
      argValue(argv, 'rate') === undefined
        ? smoke
          ? 200
          : null
        : argValue(argv, 'rate') === 'auto'
          ? null
          : numArg(argv, 'rate', 0),
    streamRate: numArg(argv, 'stream-rate', smoke ? 20 : 100),
    rateDuration: numArg(argv, 'rate-duration', smoke ? 0.5 : 5),
  };
}
