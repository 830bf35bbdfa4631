// Per-day activity rollups (activity_daily, migration 4): what a batch of generation rows adds to them (in the
// batch's transaction), and how a [from, to) range of daily totals splits between them (whole UTC days) and the
// raw generation rows (a partial first or last day, read through the (key|account, created_at) index so only
// that day's rows are touched). Bounds are ISO strings as stored; either may be absent (open range). The SQL and
// the merge are shared by both storage engines; each runs the queries its own way.
import type { Totalled } from './generation-params.js';
import { num, type Row } from './rows.js';
import type { ActivityFilter, DailyTotal } from './types.js';

// Adds a batch's requests, tokens and cost to the per-day activity (migrations 4 and 6); runs in the batch's
// transaction.
export const UPSERT_ACTIVITY = `INSERT INTO activity_daily (account_id, key_id, day, model, provider, requests, prompt_tokens,
  completion_tokens, reasoning_tokens, cost_pusd, cached_tokens) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
  ON CONFLICT (account_id, key_id, day, model, provider) DO UPDATE SET requests = requests + excluded.requests,
    prompt_tokens = prompt_tokens + excluded.prompt_tokens, completion_tokens = completion_tokens + excluded.completion_tokens,
    reasoning_tokens = reasoning_tokens + excluded.reasoning_tokens, cost_pusd = cost_pusd + excluded.cost_pusd,
    cached_tokens = cached_tokens + excluded.cached_tokens`;

/** how many parameters activityParams() gives a row (UPSERT_ACTIVITY's columns) */
export const ACTIVITY_PARAM_COUNT = 11;

/** A batch summed by account, key, UTC day, model and provider (no model or provider: ''), as UPSERT_ACTIVITY's parameters. */
export function activityParams(rows: Totalled[]): unknown[][] {
  const groups = new Map<string, unknown[]>();
  for (const g of rows) {
    const day = g.created_at.slice(0, 10);
    const model = g.model ?? '';
    const provider = g.provider ?? '';
    const k = `${g.account_id}\n${g.key_id}\n${day}\n${model}\n${provider}`;
    const cur = groups.get(k);
    if (cur === undefined) {
      groups.set(k, [
        g.account_id,
        g.key_id,
        day,
        model,
        provider,
        1,
        g.prompt_tokens,
        g.completion_tokens,
        g.reasoning_tokens,
        g.cost_pusd,
        g.cached_tokens,
      ]);
    } else {
      cur[5] = (cur[5] as number) + 1;
      cur[6] = (cur[6] as number) + g.prompt_tokens;
      cur[7] = (cur[7] as number) + g.completion_tokens;
      cur[8] = (cur[8] as number) + g.reasoning_tokens;
      cur[9] = (cur[9] as bigint) + g.cost_pusd;
      cur[10] = (cur[10] as number) + g.cached_tokens;
    }
  }
  return [...groups.values()];
}

const DAY_MS = 86_400_000;

/** `at` is the start of a UTC day (what the per-day totals can answer exactly) */
export const isDayStart = (at: string): boolean => at.length <= 10 || at.slice(10) === 'T00:00:00.000Z';

const nextDay = (day: string): string => new Date(Date.parse(day.slice(0, 10)) + DAY_MS).toISOString().slice(0, 10);

export interface DaySplit {
  /** whole days [from, to) (YYYY-MM-DD, either open) answered from the rollups; null: none */
  days: { from?: string; to?: string } | null;
  /** ranges answered from the raw rows: at most a partial first day and a partial last day */
  raw: Array<{ from: string; to: string }>;
}

export function splitDays(from?: string, to?: string): DaySplit {
  const raw: DaySplit['raw'] = [];
  let lo: string | undefined;
  let hi: string | undefined;
  if (from !== undefined && !isDayStart(from)) {
    const headEnd = `${nextDay(from)}T00:00:00.000Z`;
    // the whole range lies inside the first day
    if (to !== undefined && to <= headEnd) return { days: null, raw: [{ from, to }] };
    raw.push({ from, to: headEnd });
    lo = nextDay(from);
  } else if (from !== undefined) lo = from.slice(0, 10);
  if (to !== undefined && !isDayStart(to)) {
    hi = to.slice(0, 10);
    raw.push({ from: `${hi}T00:00:00.000Z`, to });
  } else if (to !== undefined) hi = to.slice(0, 10);
  const days = lo !== undefined && hi !== undefined && lo >= hi ? null : { from: lo, to: hi };
  return { days, raw };
}

/** an activity filter's conditions (`?` placeholders); `time` is the column the from/to bounds apply to */
export function activityWhere(f: ActivityFilter, time = 'created_at'): { sql: string; vals: unknown[] } {
  const c = ['account_id = ?'];
  const vals: unknown[] = [f.account_id];
  const add = (cond: string, v: unknown) => {
    c.push(cond);
    vals.push(v);
  };
  if (f.key_id) add('key_id = ?', f.key_id);
  if (f.from) add(`${time} >= ?`, f.from);
  if (f.to) add(`${time} < ?`, f.to);
  if (f.model) add('model = ?', f.model);
  if (f.provider) add('provider = ?', f.provider);
  // failures as a literal, the predicate of the partial indexes of migration 6, so that both planners can use them
  if (f.status === 'error') c.push('status >= 400');
  else if (f.status === 'ok') c.push('status < 400');
  else if (typeof f.status === 'number') {
    if (f.status >= 400) c.push('status >= 400');
    add('status = ?', f.status);
  }
  if (f.streamed !== undefined) add('streamed = ?', f.streamed ? 1 : 0);
  return { sql: c.join(' AND '), vals };
}

/**
 * The queries behind a filter's totals per UTC day: a partial first or last day from that day's raw rows, whole
 * days from the rollups. `sum` wraps each SUM (PostgreSQL's SUM of a BIGINT is a NUMERIC: it casts back).
 * Their rows go to mergeDailyTotals.
 */
export function dailyTotalsQueries(
  f: ActivityFilter,
  sum: (expr: string) => string = (e) => `SUM(${e})`,
): Array<{ sql: string; vals: unknown[] }> {
  // the rollups have no status: a status filter applies to the listing only, never to part of the totals
  f = { ...f, status: undefined, streamed: undefined };
  const split = splitDays(f.from, f.to);
  const out = split.raw.map((range) => {
    const w = activityWhere({ ...f, ...range });
    return {
      sql: `SELECT substr(created_at, 1, 10) AS date, COUNT(*) AS requests, ${sum('prompt_tokens')} AS prompt_tokens,
           ${sum('completion_tokens')} AS completion_tokens, ${sum('cost_pusd')} AS cost_pusd
         FROM generations WHERE ${w.sql} GROUP BY substr(created_at, 1, 10)`,
      vals: w.vals,
    };
  });
  if (split.days) {
    const w = activityWhere({ ...f, ...split.days }, 'day');
    out.push({
      sql: `SELECT day AS date, ${sum('requests')} AS requests, ${sum('prompt_tokens')} AS prompt_tokens,
             ${sum('completion_tokens')} AS completion_tokens, ${sum('cost_pusd')} AS cost_pusd
           FROM activity_daily WHERE ${w.sql} GROUP BY day`,
      vals: w.vals,
    });
  }
  return out;
}

/** the rows of dailyTotalsQueries, added up per day, oldest first */
export function mergeDailyTotals(rows: Row[]): DailyTotal[] {
  const byDay = new Map<string, DailyTotal>();
  for (const r of rows) {
    const d = byDay.get(r.date as string) ?? {
      date: r.date as string,
      requests: 0,
      prompt_tokens: 0,
      completion_tokens: 0,
      cost_pusd: 0n,
    };
    d.requests += num(r.requests);
    d.prompt_tokens += num(r.prompt_tokens ?? 0);
    d.completion_tokens += num(r.completion_tokens ?? 0);
    d.cost_pusd += BigInt((r.cost_pusd as bigint | null) ?? 0n);
    byDay.set(d.date, d);
  }
  return [...byDay.values()].sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
}
