// The Activity page's data, without any DOM: the answers' shapes (GET /v1/activity/daily, /v1/activity,
// /v1/generation), the date range a filter means, and the chart series built from the per-day rows (every day of
// the range present, zeros included, each ranked group one series and the rest as "Other").
import type { Generation } from '../generation.js';

export type GroupBy = 'model' | 'provider' | 'key';
export type Metric = 'cost' | 'requests' | 'tokens';

export interface Totals {
  requests: number;
  prompt_tokens: number;
  completion_tokens: number;
  reasoning_tokens: number;
  cached_tokens: number;
  cost: number;
  cost_exact: string;
}

/** a group's own fields (one of them, by `group_by`) */
interface GroupFields {
  model?: string | null;
  provider?: string | null;
  key_id?: string | null;
  key_name?: string | null;
}

export interface DailyRow extends Totals, GroupFields {
  date: string;
  /** the groups beyond the ranked ones, summed */
  other?: boolean;
}

export interface DailyAnswer {
  group_by: GroupBy | null;
  from: string;
  to: string;
  truncated: boolean;
  groups: (Totals & GroupFields)[];
  data: DailyRow[];
}

export interface ActivityAnswer {
  data: Generation[];
  next_cursor: string | null;
}

export const DAY_MS = 86_400_000;
export const PRESETS = [7, 30, 90] as const;
export const DEFAULT_DAYS = 30;
/** the API's longest range (src/http/routes/activity-daily.ts MAX_DAYS) */
export const MAX_DAYS = 366;
const DAY = /^\d{4}-\d{2}-\d{2}$/;

export const dayOf = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

const validDay = (s: string | null): s is string => !!s && DAY.test(s) && dayOf(Date.parse(s)) === s;

export interface DateRange {
  /** YYYY-MM-DD, both included, UTC (the API's days are UTC days) */
  from: string;
  to: string;
  /** '7' | '30' | '90' | 'custom' */
  preset: string;
  /** why a custom range was not taken as typed, or null */
  problem: string | null;
}

/** the page's `range` / `from` / `to` query → the days it means (`now` for tests) */
export function rangeOf(query: URLSearchParams, now = Date.now()): DateRange {
  const today = Date.parse(dayOf(now));
  const preset = query.get('range') ?? String(DEFAULT_DAYS);
  const last = (n: number, problem: string | null = null): DateRange => ({
    from: dayOf(today - (n - 1) * DAY_MS),
    to: dayOf(today),
    preset: problem ? 'custom' : String(n),
    problem,
  });
  if (preset !== 'custom') {
    const n = Number(preset);
    return last(PRESETS.includes(n as 7) ? n : DEFAULT_DAYS);
  }
  const from = query.get('from');
  const to = query.get('to');
  if (!validDay(from) || !validDay(to)) return last(DEFAULT_DAYS, 'Pick both dates of the custom range.');
  if (from > to) return last(DEFAULT_DAYS, 'The first day must not be after the last.');
  if ((Date.parse(to) - Date.parse(from)) / DAY_MS + 1 > MAX_DAYS) {
    return last(DEFAULT_DAYS, `A range may span at most ${MAX_DAYS} days.`);
  }
  return { from, to, preset, problem: null };
}

/** every day from `from` to `to`, both included */
export function daysOf(from: string, to: string): string[] {
  const out: string[] = [];
  for (let t = Date.parse(from), end = Date.parse(to); t <= end; t += DAY_MS) out.push(dayOf(t));
  return out;
}

export function metricOf(t: Totals, m: Metric): number {
  if (m === 'cost') return t.cost;
  if (m === 'requests') return t.requests;
  return t.prompt_tokens + t.completion_tokens;
}

export function sumTotals(rows: readonly Totals[]): Omit<Totals, 'cost_exact'> {
  const s = { requests: 0, prompt_tokens: 0, completion_tokens: 0, reasoning_tokens: 0, cached_tokens: 0, cost: 0 };
  for (const r of rows) {
    s.requests += r.requests;
    s.prompt_tokens += r.prompt_tokens;
    s.completion_tokens += r.completion_tokens;
    s.reasoning_tokens += r.reasoning_tokens;
    s.cached_tokens += r.cached_tokens;
    s.cost += r.cost;
  }
  return s;
}

/** the group a row or ranked group belongs to, as a stable key ('' = requests that reached none) */
export function groupKey(by: GroupBy | null, g: GroupFields): string {
  if (by === 'model') return g.model ?? '';
  if (by === 'provider') return g.provider ?? '';
  if (by === 'key') return g.key_id ?? '';
  return '';
}

/** what a person reads for a group */
export function groupLabel(by: GroupBy | null, g: GroupFields): string {
  if (by === null) return 'All';
  if (by === 'key') return g.key_name || g.key_id || '(deleted key)';
  const v = groupKey(by, g);
  return v === '' ? (by === 'model' ? '(no model)' : '(no provider)') : v;
}

export interface Series {
  /** the group's key; null for "Other" or the ungrouped total */
  key: string | null;
  label: string;
  /** one value per day of `days` */
  values: number[];
  total: number;
}

export interface ChartData {
  /** YYYY-MM-DD, oldest first, every day of the range */
  days: string[];
  /** ranked groups in rank order (most cost first), then "Other" when the rest was summed */
  series: Series[];
}

/** the chart of one metric: one series per ranked group, plus "Other", each with a value for every day */
export function chartData(answer: DailyAnswer, metric: Metric): ChartData {
  const days = daysOf(answer.from, answer.to);
  const index = new Map(days.map((d, i) => [d, i]));
  const by = answer.group_by;
  const series: Series[] = [];
  const bySeries = new Map<string | null, Series>();
  const add = (key: string | null, label: string): Series => {
    const s: Series = { key, label, values: days.map(() => 0), total: 0 };
    series.push(s);
    bySeries.set(key, s);
    return s;
  };
  if (by === null) add(null, 'All');
  else for (const g of answer.groups) add(groupKey(by, g), groupLabel(by, g));
  for (const row of answer.data) {
    const i = index.get(row.date);
    if (i === undefined) continue;
    const key = by === null || row.other ? null : groupKey(by, row);
    const s = bySeries.get(key) ?? (key === null ? add(null, 'Other') : add(key, groupLabel(by, row)));
    const v = metricOf(row, metric);
    s.values[i] += v;
    s.total += v;
  }
  return { days, series };
}

/** series stacked for drawing bars over one another: the i-th is the sum of series 0..i */
export function stacked(series: readonly Series[]): number[][] {
  const out: number[][] = [];
  series.forEach((s, i) => out.push(s.values.map((v, d) => v + (i > 0 ? out[i - 1][d] : 0))));
  return out;
}

/** an HTTP status in words for the table */
export function statusText(g: Pick<Generation, 'status' | 'cancelled'>): string {
  if (g.cancelled) return 'cancelled';
  return g.status < 400 ? 'ok' : `error ${g.status}`;
}
