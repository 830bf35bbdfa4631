// The storage the configuration names: PostgreSQL when `storage.url` (or AROUTER_DATABASE_URL) is set, shared by
// every instance pointed at it; otherwise the embedded SQLite file in the data dir, which needs no service.
import { join } from 'node:path';
import type { Config } from './config/load.js';
import { PostgresStorage, redactUrl } from './store/postgres.js';
import { SqliteStorage } from './store/sqlite.js';
import type { Storage } from './store/types.js';

export function openStorage(config: Config): Storage {
  const { url, schema } = config.storage;
  if (url) return new PostgresStorage({ url, ...(schema ? { schema } : {}) });
  return new SqliteStorage(join(config.dataDir, 'arouter.db'));
}

/** where the storage is, for logs and the CLI (a PostgreSQL URL without its password) */
export function describeStorage(config: Config): string {
  const { url, schema } = config.storage;
  if (!url) return join(config.dataDir, 'arouter.db');
  return `${redactUrl(url)}${schema ? ` (schema ${schema})` : ''}`;
}
