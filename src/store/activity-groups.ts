// Activity per UTC day and per model, provider or key (the console's charts, issue 17), read from the per-day
// rollups (activity_daily) only: whole days, so no raw generation row is touched whatever the ledger's size.
// Two statements, shared by both engines: the ranking of the range's groups by cost (at most `groups` + 1 of
// them: one more tells whether there are others), then the per-day totals of those groups, every other group
// summed as one (grp NULL). Both read the (account_id, key_id, day, …) primary key or the (account_id, day) index.
import { big, num, type Row } from './rows.js';
import type {
  ActivityGroupDay,
  ActivityGroupQuery,
  ActivityGroupRank,
  ActivityGroups,
  ActivityTotals,
} from './types.js';

/** the most groups one answer may rank (the IN list of the per-day statement is always this long) */
export const MAX_GROUPS = 50;

const COLUMN = { model: 'model', provider: 'provider', key: 'key_id' } as const;

export interface GroupSql {
  sql: string;
  vals: unknown[];
}

function where(q: ActivityGroupQuery): GroupSql {
  const c = ['account_id = ?'];
  const vals: unknown[] = [q.account_id];
  if (q.key_id !== undefined) {
    c.push('key_id = ?');
    vals.push(q.key_id);
  }
  c.push('day >= ?', 'day < ?');
  vals.push(q.from, q.to);
  if (q.model !== undefined) {
    c.push('model = ?');
    vals.push(q.model);
  }
  if (q.provider !== undefined) {
    c.push('provider = ?');
    vals.push(q.provider);
  }
  return { sql: c.join(' AND '), vals };
}

/** `sum` wraps each SUM (PostgreSQL's SUM of a BIGINT is a NUMERIC: it casts back) */
const sums = (sum: (e: string) => string): string =>
  ['requests', 'prompt_tokens', 'completion_tokens', 'reasoning_tokens', 'cached_tokens', 'cost_pusd']
    .map((c) => `${sum(c)} AS ${c}`)
    .join(', ');

/** the groups of the range, most cost first (ties: most requests, then the group value), `groups` + 1 at most */
export function rankSql(q: ActivityGroupQuery, sum: (e: string) => string): GroupSql | null {
  if (q.by === null) return null;
  const col = COLUMN[q.by];
  const w = where(q);
  const ranked = `SELECT ${col} AS grp, ${sums(sum)} FROM activity_daily WHERE ${w.sql} GROUP BY ${col}
    ORDER BY 7 DESC, 2 DESC, 1 LIMIT ?`;
  // a key's name beside its id: one primary-key read per ranked key
  const sql =
    q.by === 'key'
      ? `SELECT r.*, k.name AS key_name FROM (${ranked}) r LEFT JOIN api_keys k ON k.id = r.grp`
      : `SELECT r.*, NULL AS key_name FROM (${ranked}) r`;
  return { sql, vals: [...w.vals, q.groups + 1] };
}

/**
 * The per-day totals: per group when every group of the range is ranked (`top` null), else per ranked group with
 * the others summed under grp NULL. The IN list is padded with NULLs to MAX_GROUPS so that the statement's text
 * (and the prepared statement) is the same whatever the number of groups; a NULL never matches.
 */
export function daysSql(q: ActivityGroupQuery, top: string[] | null, sum: (e: string) => string): GroupSql {
  const w = where(q);
  if (q.by === null) {
    return {
      sql: `SELECT day AS date, NULL AS grp, ${sums(sum)} FROM activity_daily WHERE ${w.sql} GROUP BY day`,
      vals: w.vals,
    };
  }
  const col = COLUMN[q.by];
  if (top === null) {
    return {
      sql: `SELECT day AS date, ${col} AS grp, ${sums(sum)} FROM activity_daily WHERE ${w.sql} GROUP BY day, ${col}`,
      vals: w.vals,
    };
  }
  const list = Array.from({ length: MAX_GROUPS }, (_, i) => top[i] ?? null);
  return {
    sql: `SELECT day AS date, CASE WHEN ${col} IN (${list.map(() => '?').join(', ')}) THEN ${col} END AS grp,
        ${sums(sum)} FROM activity_daily WHERE ${w.sql} GROUP BY 1, 2`,
    vals: [...list, ...w.vals],
  };
}

function totals(r: Row): ActivityTotals {
  return {
    requests: num(r.requests ?? 0),
    prompt_tokens: num(r.prompt_tokens ?? 0),
    completion_tokens: num(r.completion_tokens ?? 0),
    reasoning_tokens: num(r.reasoning_tokens ?? 0),
    cached_tokens: num(r.cached_tokens ?? 0),
    cost_pusd: big(r.cost_pusd) ?? 0n,
  };
}

const byCost = (a: ActivityGroupRank, b: ActivityGroupRank): number =>
  a.cost_pusd !== b.cost_pusd
    ? a.cost_pusd > b.cost_pusd
      ? -1
      : 1
    : a.requests !== b.requests
      ? b.requests - a.requests
      : a.group < b.group
        ? -1
        : a.group > b.group
          ? 1
          : 0;

/**
 * Runs the two statements through `run` (each engine's own read) and shapes the answer: days oldest first, in a
 * day the ranked groups in rank order, then the others.
 */
export async function activityGroups(
  q: ActivityGroupQuery,
  sum: (e: string) => string,
  run: (s: GroupSql) => Promise<Row[]>,
): Promise<ActivityGroups> {
  const rank = rankSql(q, sum);
  let ranked: ActivityGroupRank[] = [];
  let truncated = false;
  if (rank) {
    ranked = (await run(rank))
      .map((r) => ({ group: r.grp as string, name: (r.key_name as string | null) ?? null, ...totals(r) }))
      .sort(byCost);
    truncated = ranked.length > q.groups;
    ranked = ranked.slice(0, q.groups);
  }
  const order = new Map(ranked.map((g, i) => [g.group, i]));
  const rows = await run(daysSql(q, truncated ? ranked.map((g) => g.group) : null, sum));
  const days: ActivityGroupDay[] = rows.map((r) => ({
    date: r.date as string,
    group: (r.grp as string | null) ?? null,
    ...totals(r),
  }));
  const pos = (d: ActivityGroupDay) => (d.group === null ? Infinity : (order.get(d.group) ?? Infinity));
  days.sort((a, b) => (a.date !== b.date ? (a.date < b.date ? -1 : 1) : pos(a) - pos(b)));
  return { groups: ranked, truncated, days };
}
