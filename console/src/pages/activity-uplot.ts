// The Activity page's charts drawn with uPlot (canvas): stacked bars per UTC day, coloured by group, in the
// theme's colours. Imported with import() by activity-charts.tsx, so uPlot (~50 KB minified) and its stylesheet
// load only when a chart is first drawn. uPlot's CSS goes in a constructed stylesheet (document.adoptedStyleSheets):
// the console's CSP forbids inline <style> elements, not stylesheets built through the CSSOM.
import uPlot from 'uplot';
import { UPLOT_CSS } from './uplot-css';
import { stacked, type ChartData } from './activity-data';

let styled = false;
function applyUplotCss(): void {
  if (styled) return;
  styled = true;
  const sheet = new CSSStyleSheet();
  sheet.replaceSync(UPLOT_CSS);
  document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
}

const cssVar = (name: string, fallback: string): string =>
  getComputedStyle(document.documentElement).getPropertyValue(name).trim() || fallback;

export interface BarChart {
  setWidth(width: number): void;
  destroy(): void;
}

export interface BarChartOptions {
  /** the series' colours, in series order */
  colors: string[];
  /** a y-axis value as text ("$1.20", "3K") */
  format: (v: number) => string;
  height: number;
  width: number;
  /** whole numbers only (requests, tokens) */
  integer?: boolean;
}

const HALF_DAY = 43_200;
const INTEGER_STEPS = [1, 2, 5]
  .flatMap((m) => [1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9].map((p) => m * p))
  .sort((a, b) => a - b);

/** draws `data` into `el` (replacing nothing: the caller empties it) */
export function mountBarChart(el: HTMLElement, data: ChartData, o: BarChartOptions): BarChart {
  applyUplotCss();
  const text = cssVar('--muted', '#5d6470');
  const grid = cssVar('--border', '#d9dce1');
  const xs = data.days.map((d) => Date.parse(d) / 1000);
  const stacks = stacked(data.series);
  // drawn top of the stack first, each bar from zero: a lower group's bar paints over the part below its top
  const order = data.series.map((_, i) => i).reverse();
  const bars = uPlot.paths.bars!({ size: [0.7, 48], gap: 1 });
  const axis = {
    stroke: text,
    grid: { stroke: grid, width: 1 },
    ticks: { stroke: grid, width: 1 },
    font: '12px system-ui, sans-serif',
  };
  const opts: uPlot.Options = {
    width: o.width,
    height: o.height,
    // the API's days are UTC days: label them so, whatever the browser's zone
    tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC'),
    legend: { show: false },
    cursor: { drag: { x: false, y: false }, points: { show: false } },
    scales: {
      // half a day each side: the first and last days' bars are whole, not cut at the edges
      x: { time: true, range: (_u, min, max) => [min - HALF_DAY, max + HALF_DAY] },
      y: { range: (_u, _min, max) => [0, max > 0 ? max * 1.08 : 1] },
    },
    axes: [
      { ...axis, space: 60 },
      {
        ...axis,
        size: 64,
        // counts have no fractional ticks ("1.5 requests")
        ...(o.integer ? { incrs: INTEGER_STEPS } : {}),
        values: (_u, vals) => vals.map((v) => o.format(v)),
      },
    ],
    series: [
      {},
      ...order.map((i) => ({
        label: data.series[i].label,
        stroke: o.colors[i],
        fill: o.colors[i],
        width: 0,
        paths: bars,
        points: { show: false },
      })),
    ],
  };
  const chart = new uPlot(opts, [xs, ...order.map((i) => stacks[i])] as uPlot.AlignedData, el);
  return {
    setWidth: (width) => chart.setSize({ width, height: o.height }),
    destroy: () => chart.destroy(),
  };
}
