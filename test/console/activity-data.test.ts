// The Activity page's data without a browser: the range a query means (presets, custom, refused custom ranges),
// the chart series from /v1/activity/daily rows (every day present, ranked groups, "Other", key names), the
// stacking, and uPlot's stylesheet string still being the installed package's.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import {
  chartData,
  daysOf,
  rangeOf,
  stacked,
  statusText,
  sumTotals,
  type DailyAnswer,
  type DailyRow,
} from '../../console/src/pages/activity-data.js';
import { UPLOT_CSS } from '../../console/src/pages/uplot-css.js';

const NOW = Date.parse('2026-12-05T21:00:00Z');
const q = (s: string) => new URLSearchParams(s);

test('rangeOf: presets end today (UTC), custom ranges are checked', () => {
  assert.deepEqual(rangeOf(q(''), NOW), { from: '2026-11-06', to: '2026-12-05', preset: '30', problem: null });
  assert.equal(rangeOf(q('range=7'), NOW).from, '2026-11-29');
  assert.equal(rangeOf(q('range=90'), NOW).from, '2026-09-07');
  assert.equal(rangeOf(q('range=12'), NOW).preset, '30', 'an unknown preset is the default');
  assert.deepEqual(rangeOf(q('range=custom&from=2026-01-01&to=2026-01-31'), NOW), {
    from: '2026-01-01',
    to: '2026-01-31',
    preset: 'custom',
    problem: null,
  });
  for (const [s, said] of [
    ['range=custom&from=2026-01-31&to=2026-01-01', /after the last/],
    ['range=custom&from=2026-02-30&to=2026-03-01', /both dates/],
    ['range=custom&from=2024-01-01&to=2026-01-01', /366 days/],
    ['range=custom', /both dates/],
  ] as const) {
    const r = rangeOf(q(s), NOW);
    assert.match(r.problem ?? '', said, s);
    assert.equal(r.to, '2026-12-05', 'falls back to the last 30 days');
    assert.equal(r.preset, 'custom', 'the picker stays on custom so the dates can be fixed');
  }
  assert.deepEqual(daysOf('2026-02-27', '2026-03-02'), ['2026-02-27', '2026-02-28', '2026-03-01', '2026-03-02']);
});

const t = (requests: number, cost: number, prompt = 10, completion = 5) => ({
  requests,
  prompt_tokens: prompt,
  completion_tokens: completion,
  reasoning_tokens: 0,
  cached_tokens: 0,
  cost,
  cost_exact: String(cost),
});

test('chartData: a value for every day, the ranked groups in order, the rest as Other', () => {
  const rows: DailyRow[] = [
    { date: '2026-12-01', model: 'openai/gpt-4o', ...t(2, 0.5) },
    { date: '2026-12-01', other: true, model: null, ...t(1, 0.01) },
    { date: '2026-12-03', model: 'openai/gpt-4o', ...t(1, 0.25) },
    { date: '2026-12-03', model: 'anthropic/claude-sonnet-4.5', ...t(3, 0.3, 100, 50) },
  ];
  const answer: DailyAnswer = {
    group_by: 'model',
    from: '2026-12-01',
    to: '2026-12-03',
    truncated: true,
    groups: [
      { model: 'openai/gpt-4o', ...t(3, 0.75) },
      { model: 'anthropic/claude-sonnet-4.5', ...t(3, 0.3) },
    ],
    data: rows,
  };
  const cost = chartData(answer, 'cost');
  assert.deepEqual(cost.days, ['2026-12-01', '2026-12-02', '2026-12-03']);
  assert.deepEqual(
    cost.series.map((s) => [s.label, s.values, s.total]),
    [
      ['openai/gpt-4o', [0.5, 0, 0.25], 0.75],
      ['anthropic/claude-sonnet-4.5', [0, 0, 0.3], 0.3],
      ['Other', [0.01, 0, 0], 0.01],
    ],
  );
  assert.equal(cost.series[2].key, null);
  assert.deepEqual(
    chartData(answer, 'tokens').series.map((s) => s.values),
    [
      [15, 0, 15],
      [0, 0, 150],
      [15, 0, 0],
    ],
  );
  assert.deepEqual(stacked(chartData(answer, 'requests').series), [
    [2, 0, 1],
    [2, 0, 4],
    [3, 0, 4],
  ]);
  assert.equal(sumTotals(rows).requests, 7);
});

test('chartData: keys by name (a deleted key by id), no model as words, ungrouped as one series', () => {
  const byKey = chartData(
    {
      group_by: 'key',
      from: '2026-12-05',
      to: '2026-12-05',
      truncated: false,
      groups: [
        { key_id: 'k1', key_name: 'ci', ...t(1, 1) },
        { key_id: 'k2', key_name: null, ...t(1, 1) },
      ],
      data: [
        { date: '2026-12-05', key_id: 'k1', key_name: 'ci', ...t(1, 1) },
        { date: '2026-12-05', key_id: 'k2', key_name: null, ...t(1, 1) },
      ],
    },
    'requests',
  );
  assert.deepEqual(
    byKey.series.map((s) => s.label),
    ['ci', 'k2'],
  );
  const none = chartData(
    {
      group_by: 'model',
      from: '2026-12-05',
      to: '2026-12-05',
      truncated: false,
      groups: [{ model: '', ...t(1, 0) }],
      data: [{ date: '2026-12-05', model: '', ...t(1, 0) }],
    },
    'requests',
  );
  assert.deepEqual(
    none.series.map((s) => [s.label, s.values]),
    [['(no model)', [1]]],
  );
  const all = chartData(
    {
      group_by: null,
      from: '2026-12-04',
      to: '2026-12-05',
      truncated: false,
      groups: [],
      data: [{ date: '2026-12-05', ...t(4, 2) }],
    },
    'requests',
  );
  assert.deepEqual(
    all.series.map((s) => [s.label, s.values]),
    [['All', [0, 4]]],
  );
});

test('statusText: ok, error with its code, cancelled', () => {
  assert.equal(statusText({ status: 200, cancelled: false }), 'ok');
  assert.equal(statusText({ status: 429, cancelled: false }), 'error 429');
  assert.equal(statusText({ status: 499, cancelled: true }), 'cancelled');
});

test("the uPlot stylesheet string is the installed package's (an upgrade must refresh it)", () => {
  const require = createRequire(import.meta.url);
  const installed = readFileSync(require.resolve('uplot/dist/uPlot.min.css'), 'utf8');
  assert.equal(UPLOT_CSS, installed);
  const version = JSON.parse(readFileSync(require.resolve('uplot/package.json'), 'utf8')).version;
  assert.equal(version, '1.6.32', 'uplot-css.ts names the version it copied');
});
