// Turns raw load results into per-target summaries, the pass/fail lines ARouter is held to, one printed
// table and the JSON written to bench/results/latest.json.
import { percentile } from './common.js';
import type { LoadResult, Samples } from './load.js';
import type { TargetName } from './targets.js';

export interface RoundRow {
  round: number;
  rps: number | null;
  p50_ms: number | null;
  p99_ms: number | null;
  streams_per_s: number | null;
  ttfb_p50_ms: number | null;
  ttfb_p99_ms: number | null;
}

/** everything measured for one target across rounds (latency samples pooled) */
export interface Tally {
  name: TargetName;
  label: string;
  note: string;
  /** set when the target could not be started or answered wrongly: it is reported, not measured */
  unavailable: string | null;
  ns: {
    ok: number;
    non2xx: number;
    errors: number;
    seconds: number;
    lat: Samples | null;
    sample?: string;
    cpuMs?: number;
  };
  st: {
    ok: number;
    non2xx: number;
    errors: number;
    seconds: number;
    lat: Samples | null;
    ttfb: Samples | null;
    sample?: string;
    cpuMs?: number;
  };
  rounds: RoundRow[];
  peakRssBytes: number | null;
}

export interface TargetSummary {
  name: TargetName;
  label: string;
  note: string;
  status: 'ok' | 'errors' | 'unavailable';
  error: string | null;
  rps: number | null;
  p50_ms: number | null;
  p99_ms: number | null;
  added_p50_ms: number | null;
  added_p99_ms: number | null;
  ratio_to_bare: number | null;
  /** CPU time of the target's own process per request (user + system, from /proc), µs */
  cpu_us_per_req: number | null;
  requests: number;
  non2xx: number;
  errors: number;
  stream: {
    streams_per_s: number | null;
    ttfb_p50_ms: number | null;
    ttfb_p99_ms: number | null;
    added_ttfb_p50_ms: number | null;
    added_ttfb_p99_ms: number | null;
    total_p50_ms: number | null;
    total_p99_ms: number | null;
    /** CPU time of the target's own process per complete stream, µs */
    cpu_us_per_stream: number | null;
    requests: number;
    non2xx: number;
    errors: number;
  };
  peak_rss_mb: number | null;
  rounds: RoundRow[];
}

export interface Check {
  id: string;
  description: string;
  /** null: could not be evaluated (target missing) */
  pass: boolean | null;
  value: number | null;
  threshold: number;
  detail: string;
}

const r2 = (x: number | null | undefined): number | null =>
  x === null || x === undefined || !Number.isFinite(x) ? null : Math.round(x * 100) / 100;
const r3 = (x: number | null | undefined): number | null =>
  x === null || x === undefined || !Number.isFinite(x) ? null : Math.round(x * 1000) / 1000;

export function roundRow(round: number, ns: LoadResult | null, st: LoadResult | null): RoundRow {
  const nsSorted = ns?.latencies.sorted();
  const ttfbSorted = st?.ttfb?.sorted();
  return {
    round,
    rps: ns ? r2(ns.ok / ns.seconds) : null,
    p50_ms: nsSorted ? r3(percentile(nsSorted, 50)) : null,
    p99_ms: nsSorted ? r3(percentile(nsSorted, 99)) : null,
    streams_per_s: st ? r2(st.ok / st.seconds) : null,
    ttfb_p50_ms: ttfbSorted ? r3(percentile(ttfbSorted, 50)) : null,
    ttfb_p99_ms: ttfbSorted ? r3(percentile(ttfbSorted, 99)) : null,
  };
}

export function summarize(tallies: Tally[]): TargetSummary[] {
  const base = tallies.map((t): TargetSummary => {
    const lat = t.ns.lat?.sorted();
    const stLat = t.st.lat?.sorted();
    const ttfb = t.st.ttfb?.sorted();
    const bad = t.ns.non2xx + t.ns.errors + t.st.non2xx + t.st.errors;
    const measured = t.unavailable === null && t.ns.seconds > 0;
    return {
      name: t.name,
      label: t.label,
      note: t.note,
      status: t.unavailable !== null ? 'unavailable' : bad > 0 ? 'errors' : 'ok',
      error: t.unavailable ?? (bad > 0 ? [t.ns.sample, t.st.sample].filter(Boolean).join('; ') || 'errors' : null),
      rps: measured ? r2(t.ns.ok / t.ns.seconds) : null,
      p50_ms: lat?.length ? r3(percentile(lat, 50)) : null,
      p99_ms: lat?.length ? r3(percentile(lat, 99)) : null,
      added_p50_ms: null,
      added_p99_ms: null,
      ratio_to_bare: null,
      cpu_us_per_req: t.ns.cpuMs !== undefined && t.ns.ok > 0 ? r2((t.ns.cpuMs * 1000) / t.ns.ok) : null,
      requests: t.ns.ok,
      non2xx: t.ns.non2xx,
      errors: t.ns.errors,
      stream: {
        streams_per_s: t.unavailable === null && t.st.seconds > 0 ? r2(t.st.ok / t.st.seconds) : null,
        ttfb_p50_ms: ttfb?.length ? r3(percentile(ttfb, 50)) : null,
        ttfb_p99_ms: ttfb?.length ? r3(percentile(ttfb, 99)) : null,
        added_ttfb_p50_ms: null,
        added_ttfb_p99_ms: null,
        total_p50_ms: stLat?.length ? r3(percentile(stLat, 50)) : null,
        total_p99_ms: stLat?.length ? r3(percentile(stLat, 99)) : null,
        cpu_us_per_stream: t.st.cpuMs !== undefined && t.st.ok > 0 ? r2((t.st.cpuMs * 1000) / t.st.ok) : null,
        requests: t.st.ok,
        non2xx: t.st.non2xx,
        errors: t.st.errors,
      },
      peak_rss_mb: t.peakRssBytes === null ? null : r2(t.peakRssBytes / (1024 * 1024)),
      rounds: t.rounds,
    };
  });
  const direct = base.find((s) => s.name === 'direct');
  const bare = base.find((s) => s.name === 'bare');
  const diff = (a: number | null, b: number | null | undefined) =>
    a === null || b === null || b === undefined ? null : r3(a - b);
  for (const s of base) {
    s.added_p50_ms = diff(s.p50_ms, direct?.p50_ms);
    s.added_p99_ms = diff(s.p99_ms, direct?.p99_ms);
    s.stream.added_ttfb_p50_ms = diff(s.stream.ttfb_p50_ms, direct?.stream.ttfb_p50_ms);
    s.stream.added_ttfb_p99_ms = diff(s.stream.ttfb_p99_ms, direct?.stream.ttfb_p99_ms);
    s.ratio_to_bare = s.rps !== null && bare?.rps ? r3(s.rps / bare.rps) : null;
  }
  return base;
}

export function checks(rows: TargetSummary[], connections: number): Check[] {
  const get = (n: TargetName) => rows.find((r) => r.name === n && r.status !== 'unavailable');
  const a = get('arouter');
  const bare = get('bare');
  const direct = get('direct');
  const pk = get('portkey');
  const out: Check[] = [];
  const add = (
    id: string,
    description: string,
    value: number | null,
    threshold: number,
    cmp: 'ge' | 'le',
    detail: string,
  ) => {
    const pass = value === null ? null : cmp === 'ge' ? value >= threshold : value <= threshold;
    out.push({ id, description, pass, value: value === null ? null : r3(value), threshold, detail });
  };
  add(
    'rps_vs_bare',
    'non-stream RPS ≥ 0.95 × bare proxy',
    a?.rps && bare?.rps ? a.rps / bare.rps : null,
    0.95,
    'ge',
    a?.rps && bare?.rps ? `${fmt(a.rps, 0)} vs ${fmt(bare.rps, 0)} req/s` : 'ARouter or bare proxy not measured',
  );
  add(
    'p99_vs_bare',
    `added p99 over the bare proxy ≤ 1 ms (at ${connections} connections${connections === 50 ? '' : '; the target is defined at 50'})`,
    a?.p99_ms != null && bare?.p99_ms != null ? a.p99_ms - bare.p99_ms : null,
    1,
    'le',
    a?.p99_ms != null && bare?.p99_ms != null ? `p99 ${fmt(a.p99_ms, 2)} vs ${fmt(bare.p99_ms, 2)} ms` : 'not measured',
  );
  add(
    'ttfb_added',
    'streaming TTFB added over direct-to-upstream (p50) ≤ 1 ms',
    a?.stream.ttfb_p50_ms != null && direct?.stream.ttfb_p50_ms != null
      ? a.stream.ttfb_p50_ms - direct.stream.ttfb_p50_ms
      : null,
    1,
    'le',
    a?.stream.ttfb_p50_ms != null && direct?.stream.ttfb_p50_ms != null
      ? `TTFB p50 ${fmt(a.stream.ttfb_p50_ms, 2)} vs ${fmt(direct.stream.ttfb_p50_ms, 2)} ms direct` +
          (bare?.stream.ttfb_p50_ms != null ? `, ${fmt(bare.stream.ttfb_p50_ms, 2)} ms via the bare proxy` : '') +
          (a.stream.added_ttfb_p99_ms != null ? `; added p99 ${fmt(a.stream.added_ttfb_p99_ms, 2)} ms` : '')
      : 'not measured',
  );
  add(
    'rss',
    'peak RSS ≤ 120 MB',
    a?.peak_rss_mb ?? null,
    120,
    'le',
    a?.peak_rss_mb != null ? `VmHWM ${fmt(a.peak_rss_mb, 1)} MB` : 'not measured',
  );
  add(
    'rps_vs_portkey',
    'non-stream RPS ≥ 3 × Portkey',
    a?.rps && pk?.rps ? a.rps / pk.rps : null,
    3,
    'ge',
    a?.rps && pk?.rps
      ? `${fmt(a.rps, 0)} vs ${fmt(pk.rps, 0)} req/s`
      : `Portkey not measured${rows.find((r) => r.name === 'portkey')?.error ? `: ${rows.find((r) => r.name === 'portkey')!.error}` : ''}`,
  );
  if (a && a.status === 'errors') {
    out.push({
      id: 'arouter_errors',
      description: 'ARouter answered every request with 2xx',
      pass: false,
      value: a.non2xx + a.errors + a.stream.non2xx + a.stream.errors,
      threshold: 0,
      detail: a.error ?? '',
    });
  }
  return out;
}

export function fmt(x: number | null | undefined, digits: number): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return '—';
  return x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}
const signed = (x: number | null, d: number) => (x === null ? '—' : `${x >= 0 ? '+' : ''}${fmt(x, d)}`);

export function table(rows: TargetSummary[]): string {
  const head = [
    'target',
    'req/s',
    'p50 ms',
    'p99 ms',
    '+p50',
    '+p99',
    '×bare',
    'CPU µs/req',
    'TTFB p50',
    'TTFB p99',
    '+TTFB p50',
    '+TTFB p99',
    'streams/s',
    'CPU µs/stream',
    'peak RSS MB',
    'status',
  ];
  const body = rows.map((r) => [
    r.name,
    fmt(r.rps, 0),
    fmt(r.p50_ms, 2),
    fmt(r.p99_ms, 2),
    r.name === 'direct' ? '' : signed(r.added_p50_ms, 2),
    r.name === 'direct' ? '' : signed(r.added_p99_ms, 2),
    fmt(r.ratio_to_bare, 2),
    fmt(r.cpu_us_per_req, 0),
    fmt(r.stream.ttfb_p50_ms, 2),
    fmt(r.stream.ttfb_p99_ms, 2),
    r.name === 'direct' ? '' : signed(r.stream.added_ttfb_p50_ms, 2),
    r.name === 'direct' ? '' : signed(r.stream.added_ttfb_p99_ms, 2),
    fmt(r.stream.streams_per_s, 0),
    fmt(r.stream.cpu_us_per_stream, 0),
    fmt(r.peak_rss_mb, 1),
    r.status === 'ok'
      ? 'ok'
      : r.status === 'errors'
        ? `ERRORS (${r.non2xx + r.stream.non2xx} non-2xx, ${r.errors + r.stream.errors} errors)`
        : 'not run',
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]) =>
    '| ' +
    cells.map((c, i) => (i === 0 || i === cells.length - 1 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(' | ') +
    ' |';
  const sep =
    '|' +
    widths
      .map((w, i) => (i === 0 || i === widths.length - 1 ? '-'.repeat(w + 1) + '-' : '-'.repeat(w + 1) + ':'))
      .join('|') +
    '|';
  return [line(head), sep, ...body.map(line)].join('\n');
}

export function checkLines(cs: Check[]): string {
  return cs
    .map(
      (c) =>
        `${c.pass === null ? 'SKIP' : c.pass ? 'PASS' : 'FAIL'}  ${c.description}: ${c.value === null ? '—' : fmt(c.value, c.id.startsWith('rps') ? 3 : 2)} (${c.detail})`,
    )
    .join('\n');
}
