// `arouter serve --workers N`: how many processes, and whether this configuration may run more than one. Each
// worker is a whole gateway; what they must agree on lives in the shared backends, never in a worker's memory.
import { availableParallelism } from 'node:os';
import type { Config } from '../config/load.js';

/** The --workers value as a count, or the message refusing it. `0` and `auto` mean one per CPU. */
export function parseWorkers(
  value: string | undefined,
  cpus: number = availableParallelism(),
): { count: number } | { error: string } {
  if (value === undefined) return { count: 1 };
  if (value === 'auto' || value === '0') return { count: Math.max(1, cpus) };
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < 1) {
    return { error: `--workers must be a positive integer, 0 or auto (got ${value})` };
  }
  return { count: n };
}

/**
 * Why `count` workers would split state this configuration keeps per process, or null when they may run. The
 * embedded SQLite file takes one writer and each process would hold its own key cache and ledger queue against
 * it; without Redis, reservations, rate limits and circuit breakers are counted per process, so a key's limit
 * would be spent once per worker.
 */
export function sharedStateProblem(config: Config, count: number): string | null {
  if (count <= 1) return null;
  const missing: string[] = [];
  if (!config.storage.url) missing.push('storage.url (PostgreSQL, or AROUTER_DATABASE_URL)');
  if (!config.redis.url) missing.push('redis.url (or AROUTER_REDIS_URL)');
  if (missing.length === 0) return null;
  const why = !config.storage.url
    ? 'the embedded SQLite storage belongs to one process'
    : 'without Redis, reservations, rate limits and circuit breakers are counted per process: each key could spend its limit once per worker';
  return (
    `arouter: --workers ${count} needs shared storage: set storage.url (PostgreSQL) and redis.url in the config ` +
    `(or AROUTER_DATABASE_URL and AROUTER_REDIS_URL). Missing: ${missing.join(', ')}; ${why}. ` +
    `Run one process (--workers 1, the default) on this configuration.`
  );
}

/** the message a worker sends once it listens */
export const READY_MESSAGE = 'arouter:worker-ready';
export interface ReadyMessage {
  type: typeof READY_MESSAGE;
  url: string;
  providers: number;
}

/** a worker reloaded through POST /v1/admin/reload: the primary sends SIGHUP to the other workers */
export const RELOAD_MESSAGE = 'arouter:worker-reloaded';

/** how the primary hands the demo's simulated upstreams to its workers (JSON: dialect → base URL) */
export const DEMO_UPSTREAMS_ENV = 'AROUTER_WORKER_DEMO_UPSTREAMS';
