// The Activity page's charts: the range's totals (spend, requests, tokens), then one chart per metric per UTC day
// from GET /v1/activity/daily, stacked by model, provider or key (the top groups by spend, the rest as "Other").
// Each chart is a canvas for the eye, a text legend with each group's total, and a visually hidden table with every
// day's numbers for screen readers. uPlot is imported on first draw (activity-uplot.ts), redrawn when the theme
// changes and resized with its box.
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { useApi } from '../api';
import { Empty, ErrorState, Loading } from '../components/states';
import { formatCount, formatTokens, formatUsd } from '../format';
import { chartData, sumTotals, type ChartData, type DailyAnswer, type GroupBy, type Metric } from './activity-data';
import type { BarChart } from './activity-uplot';

/** how many groups are drawn one by one (the rest is "Other"): more colours than this are hard to tell apart */
export const CHART_GROUPS = 8;
const HEIGHT = 220;
// Tableau 10: distinguishable on white and on the dark surface alike
const PALETTE = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7'];
const OTHER = '#9a9ea6';

const METRICS: { metric: Metric; title: string; format: (v: number) => string; integer: boolean }[] = [
  { metric: 'cost', title: 'Spend per day', format: formatUsd, integer: false },
  { metric: 'requests', title: 'Requests per day', format: formatCount, integer: true },
  { metric: 'tokens', title: 'Tokens per day', format: formatTokens, integer: true },
];

export interface ChartFilters {
  from: string;
  to: string;
  by: GroupBy;
  model: string;
  provider: string;
  key: string;
}

export function dailyPath(f: ChartFilters): string {
  const q = new URLSearchParams({ group_by: f.by, from: f.from, to: f.to, groups: String(CHART_GROUPS) });
  if (f.model) q.set('model', f.model);
  if (f.provider) q.set('provider', f.provider);
  if (f.key) q.set('key_id', f.key);
  return '/v1/activity/daily?' + q.toString();
}

const colorsOf = (d: ChartData): string[] => d.series.map((s, i) => (s.key === null ? OTHER : PALETTE[i % 8]));

export function ActivityCharts({ filters }: { filters: ChartFilters }) {
  const { data, error, loading, reload } = useApi<DailyAnswer>(dailyPath(filters));
  // built once per answer: a chart redraws when its data object changes
  const charts = useMemo(() => (data ? METRICS.map((m) => chartData(data, m.metric)) : []), [data]);
  if (error) return <ErrorState error={error} onRetry={reload} title="The activity charts could not be loaded" />;
  if (!data) return loading ? <Loading label="Loading the charts…" /> : null;
  const t = sumTotals(data.data);
  return (
    <div class={`activity-charts ${loading ? 'is-stale' : ''}`} aria-busy={loading}>
      <dl class="activity-totals" aria-label="Totals for the range">
        <div class="card">
          <dt>Spend</dt>
          <dd>{formatUsd(t.cost)}</dd>
        </div>
        <div class="card">
          <dt>Requests</dt>
          <dd>{formatCount(t.requests)}</dd>
        </div>
        <div class="card">
          <dt>Tokens</dt>
          <dd title={`${formatCount(t.prompt_tokens)} in, ${formatCount(t.completion_tokens)} out`}>
            {formatTokens(t.prompt_tokens + t.completion_tokens)}
          </dd>
        </div>
      </dl>
      {t.requests === 0 ? (
        <Empty title="No requests in this range.">Pick a longer range or clear the filters.</Empty>
      ) : (
        <div class="chart-grid">
          {METRICS.map((m, i) => (
            <DayChart key={m.metric} title={m.title} format={m.format} integer={m.integer} data={charts[i]} />
          ))}
        </div>
      )}
    </div>
  );
}

function DayChart({
  title,
  data,
  format,
  integer,
}: {
  title: string;
  data: ChartData;
  format: (v: number) => string;
  integer: boolean;
}) {
  const box = useRef<HTMLDivElement>(null);
  const [failed, setFailed] = useState(false);
  const [themeRound, setThemeRound] = useState(0);
  const colors = colorsOf(data);

  // the canvas's colours are read from the theme's variables when drawn: a theme switch redraws
  useEffect(() => {
    const mo = new MutationObserver(() => setThemeRound((r) => r + 1));
    mo.observe(document.documentElement, { attributes: true, attributeFilter: ['data-theme'] });
    return () => mo.disconnect();
  }, []);

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    let chart: BarChart | null = null;
    let live = true;
    let ro: ResizeObserver | null = null;
    import('./activity-uplot').then(
      (m) => {
        if (!live) return;
        el.textContent = '';
        chart = m.mountBarChart(el, data, {
          colors,
          format,
          integer,
          height: HEIGHT,
          width: el.clientWidth || 300,
        });
        ro = new ResizeObserver(() => chart?.setWidth(el.clientWidth));
        ro.observe(el);
      },
      () => live && setFailed(true),
    );
    return () => {
      live = false;
      ro?.disconnect();
      chart?.destroy();
    };
  }, [data, themeRound]);

  return (
    <figure class="chart card">
      <figcaption>
        <h3 class="chart-title">{title}</h3>
      </figcaption>
      {failed ? (
        <p class="muted">The chart could not be drawn (its script did not load); the legend below has the totals.</p>
      ) : (
        <div class="chart-canvas" ref={box} aria-hidden="true" />
      )}
      <ul class="chart-legend" aria-label={`${title}: totals by group`}>
        {data.series.map((s, i) => (
          <li key={s.key ?? '\u0000other'}>
            <span class="swatch" style={{ background: colors[i] }} aria-hidden="true" />
            <span class="legend-label">{s.label}</span> <span class="legend-value">{format(s.total)}</span>
          </li>
        ))}
      </ul>
      {/* a table is never narrower than its content: the hidden box is a div around it */}
      <div class="visually-hidden">
        <table>
          <caption>{title}, by day (UTC)</caption>
          <thead>
            <tr>
              <th scope="col">Day</th>
              {data.series.map((s) => (
                <th key={s.key ?? '\u0000other'} scope="col">
                  {s.label}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {data.days.map((d, i) => (
              <tr key={d}>
                <th scope="row">{d}</th>
                {data.series.map((s) => (
                  <td key={s.key ?? '\u0000other'}>{format(s.values[i])}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </figure>
  );
}
