// Schema migrations, applied in order at start. Portable SQL (SQLite and PostgreSQL): TEXT, BIGINT,
// INTEGER; booleans as INTEGER 0/1; timestamps as ISO-8601 TEXT (sortable); JSON as TEXT.
export const MIGRATIONS: Array<{ version: number; sql: string[] }> = [
  {
    version: 1,
    sql: [
      `CREATE TABLE accounts (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        credits_pusd BIGINT NULL,
        enabled_providers TEXT NULL,
        created_at TEXT NOT NULL
      )`,
      `CREATE TABLE api_keys (
        id TEXT PRIMARY KEY,
        account_id TEXT NOT NULL REFERENCES accounts(id),
        name TEXT NOT NULL,
        hash TEXT NOT NULL UNIQUE,
        label TEXT NOT NULL,
        is_admin INTEGER NOT NULL DEFAULT 0,
        disabled INTEGER NOT NULL DEFAULT 0,
        limit_pusd BIGINT NULL,
        limit_reset TEXT NOT NULL DEFAULT 'never',
        rate_limit_rpm INTEGER NULL,
        rate_limit_tpm INTEGER NULL,
        expires_at TEXT NULL,
        revoked_at TEXT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      )`,
      `CREATE INDEX api_keys_account ON api_keys(account_id)`,
      `CREATE TABLE generations (
        id TEXT PRIMARY KEY,
        account_id TEXT NOT NULL,
        key_id TEXT NOT NULL,
        requested_model TEXT NOT NULL,
        model TEXT NULL,
        provider TEXT NULL,
        endpoint TEXT NULL,
        upstream_id TEXT NULL,
        attempts TEXT NOT NULL,
        prompt_tokens INTEGER NOT NULL,
        completion_tokens INTEGER NOT NULL,
        reasoning_tokens INTEGER NOT NULL,
        cached_tokens INTEGER NOT NULL,
        cache_write_tokens INTEGER NOT NULL,
        tokens_estimated INTEGER NOT NULL,
        cost_pusd BIGINT NOT NULL,
        latency_ms INTEGER NOT NULL,
        ttft_ms INTEGER NULL,
        finish_reason TEXT NULL,
        status INTEGER NOT NULL,
        streamed INTEGER NOT NULL,
        cancelled INTEGER NOT NULL,
        route TEXT NULL,
        kind TEXT NOT NULL,
        created_at TEXT NOT NULL
      )`,
      `CREATE INDEX generations_account_created ON generations(account_id, created_at)`,
      `CREATE INDEX generations_key_created ON generations(key_id, created_at)`,
    ],
  },
  {
    // Spend per key and UTC day, kept by the ledger writer in the same transaction as the rows it sums, so
    // start-up rebuilds credit and key-limit usage from a table of keys × days instead of scanning every
    // generation (600k rows: 1.5 s and +30 MB of resident page cache and sort space at start). Filled here from
    // the rows already in the ledger.
    version: 2,
    sql: [
      `CREATE TABLE spend_daily (
        key_id TEXT NOT NULL,
        account_id TEXT NOT NULL,
        day TEXT NOT NULL,
        cost_pusd BIGINT NOT NULL,
        PRIMARY KEY (key_id, day)
      )`,
      `INSERT INTO spend_daily (key_id, account_id, day, cost_pusd)
        SELECT key_id, MIN(account_id), substr(created_at, 1, 10), SUM(cost_pusd)
        FROM generations GROUP BY key_id, substr(created_at, 1, 10)`,
    ],
  },
  {
    // Roles (README "Security model"): admin keys of the default account were the deployment's superusers and
    // become operators; admin keys of other accounts manage their own account only. `is_admin` stays, kept
    // equal to role <> 'user', for rollback to an older build. Directory revisions: every write of a key or an
    // account takes the next revision, so a running server polls for what another process (the CLI, another
    // instance) wrote — issue 12: a key revoked from the CLI kept working until a restart.
    version: 3,
    sql: [
      `ALTER TABLE api_keys ADD COLUMN role TEXT NOT NULL DEFAULT 'user'`,
      `UPDATE api_keys SET role = CASE WHEN is_admin = 0 THEN 'user'
        WHEN account_id = 'acct_default' THEN 'operator' ELSE 'admin' END`,
      `ALTER TABLE api_keys ADD COLUMN rev BIGINT NOT NULL DEFAULT 0`,
      `ALTER TABLE accounts ADD COLUMN rev BIGINT NOT NULL DEFAULT 0`,
      `CREATE TABLE directory_rev (id INTEGER PRIMARY KEY, rev BIGINT NOT NULL)`,
      `INSERT INTO directory_rev (id, rev) VALUES (1, 0)`,
      `CREATE INDEX api_keys_rev ON api_keys(rev)`,
      `CREATE INDEX accounts_rev ON accounts(rev)`,
    ],
  },
  {
    // Activity per account, key, UTC day, model and provider, kept by the ledger writer in the same transaction
    // as the rows it sums, so /v1/activity's daily totals read a table of keys × days × models instead of every
    // generation of the range (300k rows of one key: 170 ms of GROUP BY per poll). A request that reached no
    // model or provider counts under ''. Filled here from the rows already in the ledger. Ledger retention
    // deletes raw rows only: like spend_daily, these totals keep counting the deleted rows.
    version: 4,
    sql: [
      `CREATE TABLE activity_daily (
        account_id TEXT NOT NULL,
        key_id TEXT NOT NULL,
        day TEXT NOT NULL,
        model TEXT NOT NULL,
        provider TEXT NOT NULL,
        requests BIGINT NOT NULL,
        prompt_tokens BIGINT NOT NULL,
        completion_tokens BIGINT NOT NULL,
        reasoning_tokens BIGINT NOT NULL,
        cost_pusd BIGINT NOT NULL,
        PRIMARY KEY (account_id, key_id, day, model, provider)
      )`,
      // an admin's whole-account totals: by day without walking every key's days
      `CREATE INDEX activity_daily_account_day ON activity_daily(account_id, day)`,
      `INSERT INTO activity_daily (account_id, key_id, day, model, provider, requests, prompt_tokens, completion_tokens,
          reasoning_tokens, cost_pusd)
        SELECT account_id, key_id, substr(created_at, 1, 10), COALESCE(model, ''), COALESCE(provider, ''), COUNT(*),
          SUM(prompt_tokens), SUM(completion_tokens), SUM(reasoning_tokens), SUM(cost_pusd)
        FROM generations GROUP BY account_id, key_id, substr(created_at, 1, 10), COALESCE(model, ''), COALESCE(provider, '')`,
    ],
  },
  {
    // Keys and accounts at a hosted service's scale (1 M keys): lists page by keyset in (created_at, id) order
    // (src/store/directory-pages.ts), so each page reads `limit` index entries however deep it is. The
    // (account_id, created_at, id) index serves an account's pages and replaces migration 1's (account_id) one,
    // its prefix. A key is looked up by its hash through the UNIQUE constraint's index (migration 1).
    version: 5,
    sql: [
      `CREATE INDEX api_keys_created_id ON api_keys(created_at, id)`,
      `CREATE INDEX api_keys_account_created_id ON api_keys(account_id, created_at, id)`,
      `DROP INDEX api_keys_account`,
      `CREATE INDEX accounts_created_id ON accounts(created_at, id)`,
    ],
  },
  {
    // The console's activity charts (issue 17): cached prompt tokens per day beside the other token counts, and
    // the generations table filtered to failed requests. Existing rollups are filled from the rows still stored
    // (one pass over the ledger, as migration 4; a day whose rows ledger retention already deleted keeps 0 cached
    // tokens). The partial indexes hold only failed requests (status ≥ 400, a small share of the ledger):
    // `status=error` pages read them in the listing's order instead of walking every successful row of the range;
    // the predicate is written as a literal in the query (src/store/activity-daily.ts) so both planners can use
    // them. The other filters (ok, streamed) keep most rows and need no index of their own.
    version: 6,
    sql: [
      `ALTER TABLE activity_daily ADD COLUMN cached_tokens BIGINT NOT NULL DEFAULT 0`,
      `UPDATE activity_daily SET cached_tokens = s.cached_tokens FROM (
          SELECT account_id, key_id, substr(created_at, 1, 10) AS day, COALESCE(model, '') AS model,
            COALESCE(provider, '') AS provider, SUM(cached_tokens) AS cached_tokens
          FROM generations WHERE cached_tokens > 0
          GROUP BY account_id, key_id, substr(created_at, 1, 10), COALESCE(model, ''), COALESCE(provider, '')) AS s
        WHERE activity_daily.account_id = s.account_id AND activity_daily.key_id = s.key_id
          AND activity_daily.day = s.day AND activity_daily.model = s.model AND activity_daily.provider = s.provider`,
      `CREATE INDEX generations_account_errors ON generations(account_id, created_at, id) WHERE status >= 400`,
      `CREATE INDEX generations_key_errors ON generations(key_id, created_at, id) WHERE status >= 400`,
    ],
  },
];
