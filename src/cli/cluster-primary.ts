// The primary of `arouter serve --workers N`: it serves nothing itself. It bootstraps the storage once, starts
// the demo's simulated upstreams once, forks N workers that each run the whole gateway on the same port (the
// cluster module hands connections out round-robin on Linux), restarts a worker that dies, and on SIGTERM/SIGINT
// passes the signal on so every worker drains as a single process does, then exits when the last one has.
import cluster, { type Worker } from 'node:cluster';
import type { Config } from '../config/load.js';
import { Logger } from '../lib/log.js';
import { announceAdminKey, announceListening, bootstrapStorage, startDemoUpstreams } from './serve-start.js';
import { DEMO_UPSTREAMS_ENV, READY_MESSAGE, type ReadyMessage } from './workers.js';

/** a worker that served at least this long before dying is restarted at once; one dying sooner waits */
const STABLE_MS = 10_000;
/** the wait before restarting a worker that died young doubles from this up to RESTART_MAX_MS: a worker that
 *  crashes at start (a bad upstream, a full disk) costs a fork every 30 s instead of spinning a core */
const RESTART_MIN_MS = 500;
const RESTART_MAX_MS = 30_000;
/** beyond the drain's grace period, what a worker gets to end cut requests, flush its ledger and exit (the
 *  app's own cut-settle bound is 2 s; the ledger flush is one transaction) before it is killed */
const EXIT_MARGIN_MS = 15_000;

interface Slot {
  index: number;
  worker: Worker | null;
  startedAt: number;
  /** consecutive deaths within STABLE_MS of their start */
  streak: number;
  restart: NodeJS.Timeout | null;
  ready: boolean;
}

export function restartDelay(streak: number): number {
  return streak === 0 ? 0 : Math.min(RESTART_MAX_MS, RESTART_MIN_MS * 2 ** (streak - 1));
}

export async function runPrimary(config: Config, count: number): Promise<number> {
  const log = new Logger(config.logLevel);
  const adminKey = await bootstrapStorage(config);
  if (adminKey) announceAdminKey(config, adminKey);
  const demo = config.demo ? await startDemoUpstreams() : null;
  const env: Record<string, string> = demo ? { [DEMO_UPSTREAMS_ENV]: JSON.stringify(demo.urls) } : {};

  const slots: Slot[] = Array.from({ length: count }, (_, index) => ({
    index,
    worker: null,
    startedAt: 0,
    streak: 0,
    restart: null,
    ready: false,
  }));
  let announced = false;
  let stopping = false;
  let exitCode = 0;

  const finish = async () => {
    await Promise.all((demo?.sims ?? []).map((s) => s.close()));
    log.info('all workers exited', { code: exitCode });
    log.flush();
    process.exit(exitCode);
  };

  const stop = (signal: NodeJS.Signals, code = 0) => {
    if (stopping) return;
    stopping = true;
    exitCode = code;
    log.info('shutting down', { signal, workers: slots.filter((s) => s.worker).length });
    for (const s of slots) {
      if (s.restart) clearTimeout(s.restart);
      s.restart = null;
      s.worker?.process.kill(signal);
    }
    setTimeout(() => {
      for (const s of slots) {
        if (!s.worker) continue;
        log.warn('worker did not exit in time: killing it', { worker: s.index, pid: s.worker.process.pid });
        s.worker.process.kill('SIGKILL');
      }
    }, config.shutdownGraceMs + EXIT_MARGIN_MS).unref();
    if (slots.every((s) => !s.worker)) void finish();
  };

  const fork = (slot: Slot) => {
    slot.restart = null;
    const worker = cluster.fork(env);
    slot.worker = worker;
    slot.startedAt = Date.now();
    slot.ready = false;
    log.info('worker started', { worker: slot.index, pid: worker.process.pid });
    worker.on('message', (m: ReadyMessage) => {
      if (m?.type !== READY_MESSAGE) return;
      slot.ready = true;
      log.info('worker listening', { worker: slot.index, pid: worker.process.pid });
      if (!announced && slots.every((s) => s.ready)) {
        announced = true;
        announceListening(config, m.url, m.providers, count);
      }
    });
    worker.on('exit', (code, signal) => {
      slot.worker = null;
      const fields = { worker: slot.index, pid: worker.process.pid, code, signal };
      if (stopping) {
        log.info('worker exited', fields);
        if (slots.every((s) => !s.worker)) void finish();
        return;
      }
      if (!announced && !slot.ready) {
        // never listened before anything served: a configuration or port problem every restart would repeat
        log.error('worker exited before it listened: stopping', fields);
        stop('SIGTERM', 1);
        return;
      }
      const lived = Date.now() - slot.startedAt;
      slot.streak = lived >= STABLE_MS ? 0 : slot.streak + 1;
      const delay = restartDelay(slot.streak);
      // exit code 0 outside a shutdown: someone stopped this worker alone (kill -TERM PID), a rolling restart
      log[code === 0 ? 'info' : 'error']('worker exited: restarting it', {
        ...fields,
        uptime_ms: lived,
        restart_in_ms: delay,
      });
      slot.restart = setTimeout(() => fork(slot), delay);
    });
  };

  // a worker asked for /metrics asks this primary, which collects and sums every worker's (src/telemetry/cluster.ts)
  if (config.metrics.enabled) (await import('../telemetry/cluster.js')).answerWorkers();
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  for (const s of slots) fork(s);
  return -1; // keep running
}
