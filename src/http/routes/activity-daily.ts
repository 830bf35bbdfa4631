// GET /v1/activity/daily: requests, tokens and spend per UTC day, optionally per model, provider or key
// (`group_by`), for the console's charts (issue 17). Same scope and filters as /v1/activity
// (src/http/activity-filter.ts).
// Answered from the per-day rollups alone (src/store/activity-groups.ts), so the range is whole days: `from` and
// `to` are dates, both included, by default the last 30 days, at most 366. At most `groups` groups (default 10,
// at most 50) are answered one by one, the most cost first; the rest are summed per day as one row with
// `other: true`, and `truncated` says so.
import type { AuthedContext, Route } from '../context.js';
import { badRequest } from '../errors.js';
import { sendJson } from '../respond.js';
import { activityScope } from '../activity-filter.js';
import { formatUsd, toNumberUsd } from '../../accounting/money.js';
import { MAX_GROUPS } from '../../store/activity-groups.js';
import type { ActivityGroupBy, ActivityGroupQuery, ActivityTotals } from '../../store/types.js';

const DAY_MS = 86_400_000;
const DEFAULT_DAYS = 30;
const MAX_DAYS = 366;
const DEFAULT_GROUPS = 10;
const GROUP_BY: readonly ActivityGroupBy[] = ['model', 'provider', 'key'];
const DAY = /^\d{4}-\d{2}-\d{2}$/;

const dayOf = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

function dateParam(q: URLSearchParams, name: 'from' | 'to'): number | null {
  const v = q.get(name);
  if (v === null || v === '') return null;
  const ms = Date.parse(v);
  if (!DAY.test(v) || Number.isNaN(ms) || dayOf(ms) !== v) {
    throw badRequest(`"${name}" must be a date (YYYY-MM-DD): daily totals are whole UTC days`, name);
  }
  return ms;
}

function totalsJson(t: ActivityTotals) {
  return {
    requests: t.requests,
    prompt_tokens: t.prompt_tokens,
    completion_tokens: t.completion_tokens,
    reasoning_tokens: t.reasoning_tokens,
    cached_tokens: t.cached_tokens,
    cost: toNumberUsd(t.cost_pusd),
    cost_exact: formatUsd(t.cost_pusd),
  };
}

/** the group's own fields: `model`, `provider`, or `key_id` with the key's name */
function groupFields(by: ActivityGroupBy, value: string | null, name: string | null) {
  if (by === 'key') return { key_id: value, key_name: name };
  return by === 'model' ? { model: value } : { provider: value };
}

async function activityDaily(ctx: AuthedContext): Promise<void> {
  const q = ctx.url.searchParams;
  const f = activityScope(ctx);
  const rawBy = q.get('group_by');
  if (rawBy !== null && rawBy !== '' && !GROUP_BY.includes(rawBy as ActivityGroupBy)) {
    throw badRequest(`"group_by" must be one of ${GROUP_BY.join(', ')}`, 'group_by');
  }
  const by = rawBy ? (rawBy as ActivityGroupBy) : null;
  const rawGroups = q.get('groups');
  const groups = rawGroups === null || rawGroups === '' ? DEFAULT_GROUPS : Number(rawGroups);
  if (!Number.isInteger(groups) || groups < 1 || groups > MAX_GROUPS) {
    throw badRequest(`"groups" must be an integer 1..${MAX_GROUPS}`, 'groups');
  }
  const askedFrom = dateParam(q, 'from');
  const askedTo = dateParam(q, 'to');
  const to = askedTo ?? Math.max(Date.parse(dayOf(Date.now())), askedFrom ?? 0);
  const from = askedFrom ?? to - (DEFAULT_DAYS - 1) * DAY_MS;
  if (from > to) throw badRequest('"to" must be the same day as "from" or later', askedTo === null ? 'from' : 'to');
  if ((to - from) / DAY_MS + 1 > MAX_DAYS) {
    throw badRequest(`"from".."to" may span at most ${MAX_DAYS} days`, askedFrom === null ? 'to' : 'from');
  }
  const query: ActivityGroupQuery = {
    account_id: f.account_id,
    key_id: f.key_id,
    model: f.model,
    provider: f.provider,
    from: dayOf(from),
    // the store's range ends before its `to`: the day after the last one asked
    to: dayOf(to + DAY_MS),
    by,
    groups,
  };
  // the ledger is written in batches: flush so today's totals include requests that just finished
  await ctx.app.ledger.flush();
  const r = await ctx.app.store.activityGroups(query);
  const names = new Map(r.groups.map((g) => [g.group, g.name]));
  sendJson(ctx.res, 200, {
    group_by: by,
    from: dayOf(from),
    to: dayOf(to),
    truncated: r.truncated,
    groups: by === null ? [] : r.groups.map((g) => ({ ...groupFields(by, g.group, g.name), ...totalsJson(g) })),
    data: r.days.map((d) => ({
      date: d.date,
      ...(by === null ? {} : groupFields(by, d.group, d.group === null ? null : (names.get(d.group) ?? null))),
      ...(by !== null && d.group === null ? { other: true } : {}),
      ...totalsJson(d),
    })),
  });
}

export const activityDailyRoutes: Route[] = [
  { method: 'GET', path: '/v1/activity/daily', auth: 'user', handler: activityDaily },
];
