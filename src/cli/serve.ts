// `arouter serve`: start the gateway. First start creates the default account and an operator key (the deployment's superuser), printed
// once and saved (mode 0600) in the data dir. `--demo` runs the simulated upstreams in-process and wires
// every catalog provider to them, so everything works without provider keys. `--workers N` runs a cluster
// primary (cluster-primary.ts) whose N workers each come back here and run the single-process path.
import cluster from 'node:cluster';
import { setFlagsFromString } from 'node:v8';
import type { Dialect } from '../catalog/types.js';
import { Logger } from '../lib/log.js';
import { workerLogOut } from './worker-log.js';
import { configFrom, parse } from './args.js';
import { announceAdminKey, announceListening, startDemoUpstreams } from './serve-start.js';
import {
  DEMO_UPSTREAMS_ENV,
  parseWorkers,
  READY_MESSAGE,
  RELOAD_MESSAGE,
  sharedStateProblem,
  type ReadyMessage,
} from './workers.js';

export async function serveCommand(argv: string[]): Promise<number> {
  const { values } = parse(argv, {
    port: { type: 'string' },
    host: { type: 'string' },
    demo: { type: 'boolean' },
    workers: { type: 'string' },
  });
  const port = values.port === undefined ? undefined : Number(values.port);
  if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535)) {
    console.error(`arouter: --port must be an integer 0..65535 (got ${values.port})`);
    return 2;
  }
  const workers = parseWorkers(values.workers);
  if ('error' in workers) {
    console.error(`arouter: ${workers.error}`);
    return 2;
  }
  // a reload (SIGHUP, POST /v1/admin/reload) reads the same file, environment and flags again
  const readConfig = () => configFrom(values, { port, host: values.host, demo: values.demo });
  const config = readConfig();
  if (workers.count > 1 && cluster.isPrimary) {
    const problem = sharedStateProblem(config, workers.count);
    if (problem) {
      console.error(problem);
      return 2;
    }
    return (await import('./cluster-primary.js')).runPrimary(config, workers.count);
  }
  const worker = cluster.isWorker;

  if (config.heapGrowingPercent > 0) {
    // Left alone, V8 lets the old generation grow to several times the live heap under load (promoted
    // request garbage): ~175 MB peak RSS on the bench for ~15 MB live. Growing by 30 % after each full GC
    // held it near 147 MB at the same throughput (README "Performance"). V8 reads this flag at each
    // heap-limit computation, so setting it at runtime, before any load, takes effect.
    setFlagsFromString(`--heap-growing-percent=${config.heapGrowingPercent}`);
  }
  // a worker uses the simulators its primary started: one set per deployment, whichever worker answers
  const inherited = worker && config.demo ? demoUpstreamsFromEnv() : null;
  const demo = config.demo && !inherited ? await startDemoUpstreams() : null;
  const { App } = await import('../app.js');
  const app = new App({
    config,
    demoUpstreams: inherited ?? demo?.urls ?? null,
    reloadConfig: readConfig,
    // every line a worker logs names it, so an access-log line or an error can be traced to the process
    ...(worker ? { logger: new Logger(config.logLevel, workerLogOut(process.pid)) } : {}),
  });
  // the endpoint reached this worker only: its siblings reload on the primary's SIGHUP
  if (worker) app.onReloaded = (trigger) => void (trigger !== 'SIGHUP' && process.send?.({ type: RELOAD_MESSAGE }));
  // the daemon convention (nginx, HAProxy): re-read the config; a refused one is logged and the old one serves.
  // Listened for from here on: Node's default for SIGHUP ends the process
  process.on('SIGHUP', () => {
    if (app.draining) return;
    try {
      app.reloadFromSource('SIGHUP');
    } catch {
      // logged by the reload, and the running config stays
    }
  });
  let addr;
  try {
    await app.init();
    addr = await app.listen();
  } catch (err) {
    // storage connections, the directory's poll and a worker's channel to its primary would keep the process
    // alive, serving nothing: a primary waits for its worker's exit to report the failure
    console.error(err);
    process.exit(1);
  }
  const base = `http://${addr.address.includes(':') ? `[${addr.address}]` : addr.address}:${addr.port}/v1`;

  // a worker's storage was bootstrapped by its primary, so it has no key to show (unless the operator key was
  // revoked between the two, when this one made the replacement and must say so)
  if (app.bootstrapAdminKey) announceAdminKey(config, app.bootstrapAdminKey);
  if (worker) {
    const ready: ReadyMessage = { type: READY_MESSAGE, url: base, providers: app.providers.configured.size };
    process.send?.(ready);
  } else announceListening(config, base, app.providers.configured.size);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    app.log.info('shutting down', { signal });
    await app.close();
    await Promise.all((demo?.sims ?? []).map((s) => s.close()));
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
  return -1; // keep running
}

function demoUpstreamsFromEnv(): Record<Dialect, string> | null {
  const raw = process.env[DEMO_UPSTREAMS_ENV];
  return raw ? (JSON.parse(raw) as Record<Dialect, string>) : null;
}
