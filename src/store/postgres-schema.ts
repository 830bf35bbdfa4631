// The PostgreSQL schema: the portable migrations (migrations.ts, whose every statement runs unchanged on
// PostgreSQL) followed by PostgreSQL-only ones, numbered from 1001 so that the two lists never collide as either
// grows. Applied under an advisory lock, in one transaction each (PostgreSQL's DDL is transactional).
import { MIGRATIONS } from './migrations.js';

/**
 * The generations table at tens of millions of rows. Every read of it goes through an index:
 * - activity pages (listGenerations): `(account_id, created_at, id)` and `(key_id, created_at, id)` give the
 *   listing's order (created_at DESC, id DESC) straight from the index, so a keyset page (`after`) reads
 *   `limit` entries whatever its depth, and no sort of the range is needed (they replace migration 1's
 *   `(…, created_at)` indexes, which left PostgreSQL an incremental sort of each created_at tie group);
 * - retention (pruneGenerations) and keySpendSince at an instant that is not a UTC midnight: `(created_at)`
 *   (SQLite walks rowid order instead, which PostgreSQL does not have);
 * - daily totals read the per-day rollups (activity_daily) for whole days, raw rows only for a partial first or
 *   last day, through the indexes above; start-up spend reads spend_daily. Nothing scans the raw rows.
 * Retention: `ledger.retention_days` deletes the expired rows in bounded batches (the oldest first, by the
 * created_at index); rollups keep counting them. At hundreds of millions of rows the next step is declarative
 * range partitioning on created_at (one partition a month): retention becomes DETACH + DROP of a whole partition
 * instead of DELETE + VACUUM. It needs the primary key to become (id, created_at) — a journal replay carries the
 * row's own created_at, so `ON CONFLICT (id, created_at) DO NOTHING` keeps replays idempotent — and is left as
 * future work: a table can be converted in place by a later migration (create the partitioned table, attach the
 * old one as a partition of its range).
 */
const PG_MIGRATIONS: Array<{ version: number; sql: string[] }> = [
  {
    version: 1001,
    sql: [
      `CREATE INDEX generations_account_created_id ON generations (account_id, created_at, id)`,
      `CREATE INDEX generations_key_created_id ON generations (key_id, created_at, id)`,
      `DROP INDEX generations_account_created`,
      `DROP INDEX generations_key_created`,
      `CREATE INDEX generations_created ON generations (created_at)`,
      // append-only: vacuum (visibility map, index-only scans) after inserts too, not only after deletes
      `ALTER TABLE generations SET (autovacuum_vacuum_insert_scale_factor = 0.05)`,
    ],
  },
];

export const POSTGRES_MIGRATIONS = [...MIGRATIONS, ...PG_MIGRATIONS];
