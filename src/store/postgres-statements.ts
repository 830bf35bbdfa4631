// The PostgreSQL statements of the ledger (PostgresStorage): a batch of generation rows and the per-day totals it
// adds, journal replay and retention.

/** `?` placeholders (the SQLite statements' style, kept so the two implementations read alike) as $1, $2, … */
export function numbered(sql: string): string {
  let i = 0;
  return sql.replace(/\?/g, () => `$${++i}`);
}

/** the PostgreSQL array type of each generations column, in INSERT_GENERATION's order */
const GENERATION_TYPES = [
  'text', 'text', 'text', 'text', 'text', 'text', 'text', 'text', 'text', 'int', 'int', 'int', 'int', 'int',
  'int', 'int8', 'int', 'int', 'text', 'int', 'int', 'int', 'text', 'text', 'text',
]; // prettier-ignore

const GENERATION_COLUMNS = `id, account_id, key_id, requested_model, model, provider, endpoint, upstream_id, attempts,
  prompt_tokens, completion_tokens, reasoning_tokens, cached_tokens, cache_write_tokens, tokens_estimated, cost_pusd,
  latency_ms, ttft_ms, finish_reason, status, streamed, cancelled, route, kind, created_at`;

// A batch is one statement whatever its size: each column is sent as an array and unnest() turns them back into
// rows, so the statement is prepared once per connection (a multi-row VALUES list would be a new statement per
// batch size) and stays far below the protocol's 65,535 parameters.
const unnest = (types: string[]): string =>
  `SELECT * FROM unnest(${types.map((t, i) => `$${i + 1}::${t}[]`).join(', ')})`;
export const INSERT_GENERATIONS = `INSERT INTO generations (${GENERATION_COLUMNS}) ${unnest(GENERATION_TYPES)}`;
export const RECOVER_GENERATIONS = `${INSERT_GENERATIONS} ON CONFLICT (id) DO NOTHING RETURNING id`;
export const UPSERT_SPEND = `INSERT INTO spend_daily (key_id, account_id, day, cost_pusd) ${unnest(['text', 'text', 'text', 'int8'])}
  ON CONFLICT (key_id, day) DO UPDATE SET cost_pusd = spend_daily.cost_pusd + excluded.cost_pusd`;
export const UPSERT_ACTIVITY = `INSERT INTO activity_daily (account_id, key_id, day, model, provider, requests, prompt_tokens,
  completion_tokens, reasoning_tokens, cost_pusd, cached_tokens) ${unnest(['text', 'text', 'text', 'text', 'text', 'int8', 'int8', 'int8', 'int8', 'int8', 'int8'])}
  ON CONFLICT (account_id, key_id, day, model, provider) DO UPDATE SET requests = activity_daily.requests + excluded.requests,
    prompt_tokens = activity_daily.prompt_tokens + excluded.prompt_tokens,
    completion_tokens = activity_daily.completion_tokens + excluded.completion_tokens,
    reasoning_tokens = activity_daily.reasoning_tokens + excluded.reasoning_tokens,
    cost_pusd = activity_daily.cost_pusd + excluded.cost_pusd,
    cached_tokens = activity_daily.cached_tokens + excluded.cached_tokens`;

/** the ledger batch's statements (bench/pg-drivers.ts runs them through another driver) */
export const PG_LEDGER_SQL = { INSERT_GENERATIONS, UPSERT_SPEND, UPSERT_ACTIVITY };

// Retention by the created_at index: the oldest `limit` rows, of which those expired (see postgres-schema.ts).
export const PRUNE_GENERATIONS = `DELETE FROM generations WHERE id IN (
  SELECT id FROM (SELECT id, created_at FROM generations ORDER BY created_at LIMIT $1) oldest WHERE created_at < $2)`;

/** rows of parameters as one array per column (unnest's input) */
export function columns(rows: unknown[][], width: number): unknown[][] {
  const cols: unknown[][] = Array.from({ length: width }, () => new Array<unknown>(rows.length));
  rows.forEach((r, i) => {
    for (let c = 0; c < width; c++) cols[c]![i] = r[c];
  });
  return cols;
}
