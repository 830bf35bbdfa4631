// The `shared` row of `npm run bench` (--shared): this build of ARouter with its state where several instances
// would share it — `storage.url` on PostgreSQL (a schema of its own per run, migrated by the gateway at start,
// dropped at the end) and `redis.url` on Redis (a prefix of its own, its keys deleted at the end) — beside the
// `arouter` row (embedded SQLite, in-process state) under the same load. The difference is the measured cost
// of scale-out state on one instance. Whatever the build does with Redis is what is measured: the number of
// keys left under the prefix at the end says whether it used Redis at all.
import { readFileSync } from 'node:fs';
import { fmt, type TargetSummary } from './report.js';

/** PostgreSQL the bench may create a schema in (trust auth on CI: .ci/run starts it) */
export const SHARED_DB_URL = process.env.AROUTER_BENCH_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';
export const SHARED_REDIS_URL = process.env.AROUTER_BENCH_REDIS_URL || 'redis://127.0.0.1:6379';

/** a postgres:// URL without its password, for logs and the JSON */
function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparsable URL)';
  }
}

export interface SharedPlace {
  schema: string;
  prefix: string;
  /** merged into the `shared` target's ARouter config */
  config: { storage: { url: string; schema: string }; redis: { url: string; prefix: string } };
  /** for the JSON and the info line */
  describe(): {
    database: string;
    schema: string;
    redis: string;
    prefix: string;
    ledger_rows_at_end: number | null;
    redis_keys_at_end: number | null;
    pg_backends: number | null;
    pg_backend_cpu_ms: number | null;
    pg_cpu_us_per_request: number | null;
  };
  /** reads the CPU time of this row's PostgreSQL backends (while ARouter still holds its connections) */
  sampleBackends(): Promise<void>;
  /** drops the schema and deletes the prefix's keys (both counted first: proof of what the row exercised) */
  drop(): Promise<void>;
}

// the drivers are loaded only when --shared asks for them: the default bench never touches either service
async function pg(connectTimeoutS: number) {
  const { default: postgres } = await import('postgres');
  return postgres(SHARED_DB_URL, { max: 1, connect_timeout: connectTimeoutS, onnotice: () => {} });
}

async function redis() {
  const { Redis } = await import('ioredis');
  // no reconnect loop: an unreachable Redis is reported, not waited for
  return new Redis(SHARED_REDIS_URL, {
    lazyConnect: true,
    connectTimeout: 3000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
}

/** null when both services answer; otherwise why the `shared` row cannot run */
export async function sharedUnreachable(): Promise<string | null> {
  const why: string[] = [];
  let cause: Error | undefined;
  try {
    const sql = await pg(3);
    try {
      await sql`SELECT 1`;
    } finally {
      await sql.end({ timeout: 1 });
    }
  } catch (err) {
    why.push(`PostgreSQL at ${redact(SHARED_DB_URL)}: ${(err as Error).message}`);
  }
  try {
    const r = await redis();
    // ioredis rejects with "Connection is closed."; the socket's own error says why
    r.on('error', (e: Error) => (cause ??= e));
    try {
      await r.connect();
      await r.ping();
    } finally {
      r.disconnect();
    }
  } catch (err) {
    why.push(`Redis at ${SHARED_REDIS_URL}: ${(cause ?? (err as Error)).message}`);
  }
  return why.length ? why.join('; ') : null;
}

export function sharedPlace(): SharedPlace {
  const tag = `${process.pid}_${Date.now().toString(36)}`;
  const schema = `bench_${tag}`;
  const prefix = `arouter-bench-${tag}:`;
  let keysAtEnd: number | null = null;
  let ledgerRows: number | null = null;
  let backends: number | null = null;
  let backendCpuMs: number | null = null;
  // the server names each connection by this, so the row's backends can be told from other clients'
  const appName = `arouter_${schema}`;
  const url = new URL(SHARED_DB_URL);
  url.searchParams.set('application_name', appName);
  return {
    schema,
    prefix,
    config: { storage: { url: url.toString(), schema }, redis: { url: SHARED_REDIS_URL, prefix } },
    describe: () => ({
      database: redact(SHARED_DB_URL),
      schema,
      redis: SHARED_REDIS_URL,
      prefix,
      ledger_rows_at_end: ledgerRows,
      redis_keys_at_end: keysAtEnd,
      pg_backends: backends,
      pg_backend_cpu_ms: backendCpuMs,
      pg_cpu_us_per_request: backendCpuMs != null && ledgerRows ? Math.round((backendCpuMs * 1000) / ledgerRows) : null,
    }),
    async sampleBackends() {
      try {
        const sql = await pg(5);
        try {
          const rows = await sql`SELECT pid FROM pg_stat_activity WHERE application_name = ${appName}`;
          const pids = rows.map((r) => Number((r as unknown as { pid: number }).pid));
          backends = pids.length;
          // utime + stime over each backend's life (fields 14, 15 of /proc/<pid>/stat; USER_HZ 100): a server on
          // another machine, or one exited earlier, is not counted
          backendCpuMs = pids.reduce((sum, pid) => {
            try {
              const st = readFileSync(`/proc/${pid}/stat`, 'utf8');
              const f = st.slice(st.lastIndexOf(')') + 2).split(' ');
              return sum + (Number(f[11]) + Number(f[12])) * 10;
            } catch {
              return sum;
            }
          }, 0);
        } finally {
          await sql.end({ timeout: 1 });
        }
      } catch {
        /* the database went away: the row's own numbers still stand */
      }
    },
    async drop() {
      const errors: string[] = [];
      try {
        const sql = await pg(10);
        try {
          try {
            const [row] = await sql.unsafe(`SELECT count(*)::int AS n FROM "${schema}".generations`);
            ledgerRows = Number((row as unknown as { n: number }).n);
          } catch {
            /* the gateway never migrated (it failed to start): nothing to count */
          }
          await sql.unsafe(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
        } finally {
          await sql.end({ timeout: 1 });
        }
      } catch (err) {
        errors.push(`schema ${schema}: ${(err as Error).message}`);
      }
      try {
        const r = await redis();
        r.on('error', () => {});
        try {
          await r.connect();
          let n = 0;
          let cursor = '0';
          do {
            const [next, keys] = await r.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
            cursor = next;
            if (keys.length) n += await r.del(...keys);
          } while (cursor !== '0');
          keysAtEnd = n;
        } finally {
          r.disconnect();
        }
      } catch (err) {
        errors.push(`Redis keys ${prefix}*: ${(err as Error).message}`);
      }
      if (errors.length) throw new Error(`could not clean up the shared row's state: ${errors.join('; ')}`);
    },
  };
}

/** "shared state (PostgreSQL + Redis) vs embedded: req/s X vs Y (−Z %), CPU µs/req, p99, streams" */
export function sharedLine(rows: TargetSummary[], place: SharedPlace | null): string | null {
  const sh = rows.find((r) => r.name === 'shared');
  const ar = rows.find((r) => r.name === 'arouter');
  if (!sh?.rps || !ar?.rps) return null;
  const pct = (now: number, then: number) => `${now >= then ? '+' : '−'}${fmt(Math.abs((now / then - 1) * 100), 1)} %`;
  const pair = (what: string, s: number | null, a: number | null, digits: number, unit = '') =>
    s != null && a != null ? `; ${what} ${fmt(s, digits)}${unit} vs ${fmt(a, digits)}${unit} (${pct(s, a)})` : '';
  const d = place?.describe();
  const keys = d?.redis_keys_at_end;
  return (
    `info  shared state (PostgreSQL + Redis) vs embedded: req/s ${fmt(sh.rps, 0)} vs ${fmt(ar.rps, 0)} (${pct(sh.rps, ar.rps)})` +
    pair('CPU µs/req', sh.cpu_us_per_req, ar.cpu_us_per_req, 0) +
    pair('p99', sh.p99_ms, ar.p99_ms, 2, ' ms') +
    pair('streams/s', sh.stream.streams_per_s, ar.stream.streams_per_s, 0) +
    pair('CPU µs/stream', sh.stream.cpu_us_per_stream, ar.stream.cpu_us_per_stream, 0) +
    pair('TTFB p50', sh.stream.ttfb_p50_ms, ar.stream.ttfb_p50_ms, 2, ' ms') +
    (d?.ledger_rows_at_end == null ? '' : `; ledger rows in PostgreSQL at the end: ${fmt(d.ledger_rows_at_end, 0)}`) +
    (d?.pg_cpu_us_per_request == null || !d.pg_backend_cpu_ms
      ? ''
      : `; PostgreSQL's own CPU on top (its ${d.pg_backends} backends for this row ÷ ledger rows): ${fmt(d.pg_cpu_us_per_request, 0)} µs/request`) +
    (keys == null
      ? ''
      : `; Redis keys under the run's prefix at the end: ${keys}${keys === 0 ? ' (this build kept nothing in Redis)' : ''}`)
  );
}
