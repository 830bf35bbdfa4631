// The storage engines every Storage contract suite runs against, and the rows those suites write: the embedded
// SQLite file and PostgreSQL, each as a factory of fresh, isolated places (a temporary directory; a schema of its
// own per run, dropped at the end). PostgreSQL is expected at AROUTER_TEST_DATABASE_URL (default
// postgres://postgres@127.0.0.1:5432/test, as .ci/run starts it): when it cannot be reached its cases FAIL, with the
// reason, rather than being skipped.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import { PostgresStorage } from '../../src/store/postgres.js';
import { SqliteStorage } from '../../src/store/sqlite.js';
import type { AccountRow, GenerationRow, KeyRow, Storage } from '../../src/store/types.js';

/** one isolated database: open() gives another connection to the same data (another process's view) */
export interface Place {
  open(): Storage;
  drop(): Promise<void>;
}

export interface Engine {
  name: string;
  /** rejects with an explanation when the engine cannot run here */
  ready(): Promise<void>;
  place(): Promise<Place>;
}

export const sqlite: Engine = {
  name: 'SqliteStorage',
  ready: async () => {},
  place: async () => {
    const dir = mkdtempSync(join(tmpdir(), 'arouter-contract-'));
    return {
      open: () => new SqliteStorage(join(dir, 'arouter.db')),
      drop: async () => rmSync(dir, { recursive: true, force: true }),
    };
  },
};

const PG_URL = process.env.AROUTER_TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';
const RUN = `arouter_test_${process.pid}_${Date.now().toString(36)}`;
let places = 0;

export const pg: Engine = {
  name: 'PostgresStorage',
  ready: async () => {
    const sql = postgres(PG_URL, { max: 1, connect_timeout: 3, onnotice: () => {} });
    try {
      await sql`SELECT 1`;
    } catch (err) {
      throw new Error(
        `PostgreSQL is not reachable at ${PG_URL} (${(err as Error).message}). Start it (.ci/run does: ` +
          'pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start) or point ' +
          'AROUTER_TEST_DATABASE_URL at a database the tests may create schemas in.',
        { cause: err },
      );
    } finally {
      await sql.end({ timeout: 1 });
    }
  },
  place: async () => {
    const schema = `${RUN}_${++places}`;
    return {
      open: () => new PostgresStorage({ url: PG_URL, schema, max: 4 }),
      drop: async () => {
        const sql = postgres(PG_URL, { max: 1, onnotice: () => {} });
        await sql.unsafe(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
        await sql.end({ timeout: 1 });
      },
    };
  },
};

export const T0 = '2026-11-01T00:00:00.000Z';

export function account(id: string, over: Partial<AccountRow> = {}): AccountRow {
  return { id, name: id, credits_pusd: null, enabled_providers: null, created_at: T0, ...over };
}

export function key(id: string, account_id: string, over: Partial<KeyRow> = {}): KeyRow {
  return {
    id,
    account_id,
    name: id,
    hash: `hash-${id}`,
    label: `lr_live_${id}`,
    role: 'user',
    disabled: false,
    limit_pusd: null,
    limit_reset: 'never',
    rate_limit_rpm: null,
    rate_limit_tpm: null,
    expires_at: null,
    revoked_at: null,
    created_at: T0,
    updated_at: T0,
    ...over,
  };
}

/** a generation of `key` in `account` at `at`, costing `cost` */
export function gen(id: string, at: string, cost: bigint, over: Partial<GenerationRow> = {}): GenerationRow {
  return {
    id,
    account_id: 'acct_a',
    key_id: 'key_1',
    requested_model: 'a/b',
    model: 'a/b',
    provider: 'p',
    endpoint: 'b',
    upstream_id: 'up-1',
    attempts: [{ provider: 'p', model: 'a/b', endpoint: 'b', status: 200, duration_ms: 3 }],
    prompt_tokens: 10,
    completion_tokens: 5,
    reasoning_tokens: 1,
    cached_tokens: 2,
    cache_write_tokens: 0,
    tokens_estimated: false,
    cost_pusd: cost,
    latency_ms: 12,
    ttft_ms: 4,
    finish_reason: 'stop',
    status: 200,
    streamed: true,
    cancelled: false,
    route: { rule: 'default' },
    kind: 'chat',
    created_at: at,
    ...over,
  };
}
