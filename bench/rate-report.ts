// The fixed-rate run's numbers: results of every round pooled per target, percentiles, the latency each
// target adds over calling the upstream directly (and over the bare proxy), and the printed table.
import { percentile } from './common.js';
import { Samples } from './load.js';
import type { RateResult } from './rate-load.js';
import { fmt } from './report.js';
import type { TargetName } from './targets.js';

/** below this share of the asked rate a target is not keeping up: its latencies are its queue, not its cost */
const KEEPING_UP = 0.95;

/**
 * seconds over which the answers were coming in: first scheduled send → last answer, minus the typical time
 * of one request (otherwise a 0.5 s run of 100 ms streams would look 20 % short of its rate)
 */
function answerSeconds(r: RateResult): number {
  const l = r.latencies.sorted();
  return Math.max(r.sendSeconds, r.seconds - (l.length ? percentile(l, 50) / 1000 : 0));
}

class Pooled {
  sent = 0;
  sendSeconds = 0;
  ok = 0;
  non2xx = 0;
  errors = 0;
  seconds = 0;
  cpuMs: number | undefined;
  lat = new Samples();
  service = new Samples();
  lag = new Samples();
  ttfb = new Samples();
  sample: string | undefined;

  add(r: RateResult): void {
    this.sent += r.sent;
    this.sendSeconds += r.sendSeconds;
    this.ok += r.ok;
    this.non2xx += r.non2xx;
    this.errors += r.errors;
    this.seconds += answerSeconds(r);
    if (r.cpuMs !== undefined) this.cpuMs = (this.cpuMs ?? 0) + r.cpuMs;
    this.lat.append(r.latencies);
    this.service.append(r.service);
    this.lag.append(r.lag);
    if (r.ttfb) this.ttfb.append(r.ttfb);
    this.sample ??= r.sample;
  }
}

export interface RateRound {
  round: number;
  achieved_per_s: number | null;
  p50_ms: number | null;
  p99_ms: number | null;
  stream_ttfb_p50_ms: number | null;
}

export class RateTally {
  readonly ns = new Pooled();
  readonly st = new Pooled();
  readonly rounds: RateRound[] = [];
  constructor(
    readonly name: TargetName,
    readonly label: string,
  ) {}

  addRound(round: number, ns: RateResult | null, st: RateResult | null): void {
    if (ns) this.ns.add(ns);
    if (st) this.st.add(st);
    const l = ns?.latencies.sorted();
    const tt = st?.ttfb?.sorted();
    this.rounds.push({
      round,
      achieved_per_s: ns ? r2(ns.ok / answerSeconds(ns)) : null,
      p50_ms: l?.length ? r3(percentile(l, 50)) : null,
      p99_ms: l?.length ? r3(percentile(l, 99)) : null,
      stream_ttfb_p50_ms: tt?.length ? r3(percentile(tt, 50)) : null,
    });
  }
}

export interface RateStreamSummary {
  rate: number;
  achieved_per_s: number | null;
  ttfb_p50_ms: number | null;
  ttfb_p99_ms: number | null;
  added_ttfb_p50_ms: number | null;
  added_ttfb_p99_ms: number | null;
  total_p50_ms: number | null;
  total_p99_ms: number | null;
  requests: number;
  non2xx: number;
  errors: number;
}

export interface RateSummary {
  name: TargetName;
  label: string;
  /** saturated: answered fewer than 95 % of the asked rate, so the latencies measure its queue */
  status: 'ok' | 'saturated' | 'errors';
  error: string | null;
  rate: number;
  sent_per_s: number | null;
  achieved_per_s: number | null;
  p50_ms: number | null;
  p90_ms: number | null;
  p99_ms: number | null;
  p999_ms: number | null;
  max_ms: number | null;
  /** over the same load sent straight to the upstream */
  added_p50_ms: number | null;
  added_p99_ms: number | null;
  /** over the same load through the bare pass-through proxy */
  added_p50_over_bare_ms: number | null;
  added_p99_over_bare_ms: number | null;
  /** actual send → answer: what a closed-loop generator would have reported */
  service_p50_ms: number | null;
  service_p99_ms: number | null;
  /** scheduled → actual send: the generator's own resolution (timers, its event loop) */
  send_lag_p50_ms: number | null;
  send_lag_p99_ms: number | null;
  cpu_us_per_req: number | null;
  requests: number;
  non2xx: number;
  errors: number;
  stream: RateStreamSummary | null;
  rounds: RateRound[];
}

const r2 = (x: number | null | undefined): number | null =>
  x === null || x === undefined || !Number.isFinite(x) ? null : Math.round(x * 100) / 100;
const r3 = (x: number | null | undefined): number | null =>
  x === null || x === undefined || !Number.isFinite(x) ? null : Math.round(x * 1000) / 1000;
const pct = (s: Float64Array, p: number) => (s.length ? r3(percentile(s, p)) : null);
const diff = (a: number | null, b: number | null | undefined) =>
  a === null || b === null || b === undefined ? null : r3(a - b);

export function summarizeRate(tallies: RateTally[], rate: number, streamRate: number): RateSummary[] {
  const rows = tallies.map((t): RateSummary => {
    const lat = t.ns.lat.sorted();
    const service = t.ns.service.sorted();
    const lag = t.ns.lag.sorted();
    const achieved = t.ns.seconds > 0 ? t.ns.ok / t.ns.seconds : null;
    let stream: RateStreamSummary | null = null;
    if (streamRate > 0 && t.st.sent > 0) {
      const ttfb = t.st.ttfb.sorted();
      const total = t.st.lat.sorted();
      stream = {
        rate: streamRate,
        achieved_per_s: t.st.seconds > 0 ? r2(t.st.ok / t.st.seconds) : null,
        ttfb_p50_ms: pct(ttfb, 50),
        ttfb_p99_ms: pct(ttfb, 99),
        added_ttfb_p50_ms: null,
        added_ttfb_p99_ms: null,
        total_p50_ms: pct(total, 50),
        total_p99_ms: pct(total, 99),
        requests: t.st.ok,
        non2xx: t.st.non2xx,
        errors: t.st.errors,
      };
    }
    const bad = t.ns.non2xx + t.ns.errors + t.st.non2xx + t.st.errors;
    const slow =
      t.ns.sent > 0 && (achieved === null || achieved < KEEPING_UP * rate)
        ? `answered ${fmt(achieved, 0)} of ${fmt(rate, 0)} req/s asked`
        : null;
    return {
      name: t.name,
      label: t.label,
      status: bad > 0 ? 'errors' : slow ? 'saturated' : 'ok',
      error: bad > 0 ? [t.ns.sample, t.st.sample].filter(Boolean).join('; ') || 'errors' : slow,
      rate,
      sent_per_s: t.ns.sendSeconds > 0 ? r2(t.ns.sent / t.ns.sendSeconds) : null,
      achieved_per_s: r2(achieved),
      p50_ms: pct(lat, 50),
      p90_ms: pct(lat, 90),
      p99_ms: pct(lat, 99),
      p999_ms: pct(lat, 99.9),
      max_ms: lat.length ? r3(lat[lat.length - 1]) : null,
      added_p50_ms: null,
      added_p99_ms: null,
      added_p50_over_bare_ms: null,
      added_p99_over_bare_ms: null,
      service_p50_ms: pct(service, 50),
      service_p99_ms: pct(service, 99),
      send_lag_p50_ms: pct(lag, 50),
      send_lag_p99_ms: pct(lag, 99),
      cpu_us_per_req: t.ns.cpuMs !== undefined && t.ns.ok > 0 ? r2((t.ns.cpuMs * 1000) / t.ns.ok) : null,
      requests: t.ns.ok,
      non2xx: t.ns.non2xx,
      errors: t.ns.errors,
      stream,
      rounds: t.rounds,
    };
  });
  const direct = rows.find((r) => r.name === 'direct');
  const bare = rows.find((r) => r.name === 'bare');
  for (const r of rows) {
    r.added_p50_ms = diff(r.p50_ms, direct?.p50_ms);
    r.added_p99_ms = diff(r.p99_ms, direct?.p99_ms);
    r.added_p50_over_bare_ms = diff(r.p50_ms, bare?.p50_ms);
    r.added_p99_over_bare_ms = diff(r.p99_ms, bare?.p99_ms);
    if (r.stream && direct?.stream) {
      r.stream.added_ttfb_p50_ms = diff(r.stream.ttfb_p50_ms, direct.stream.ttfb_p50_ms);
      r.stream.added_ttfb_p99_ms = diff(r.stream.ttfb_p99_ms, direct.stream.ttfb_p99_ms);
    }
  }
  return rows;
}

const signed = (x: number | null, d: number) => (x === null ? '—' : `${x >= 0 ? '+' : ''}${fmt(x, d)}`);

export function rateTable(rows: RateSummary[]): string {
  const withStream = rows.some((r) => r.stream);
  const head = [
    'target',
    'asked/s',
    'done/s',
    'p50 ms',
    'p90 ms',
    'p99 ms',
    'p99.9 ms',
    '+p50',
    '+p99',
    '+p50 vs bare',
    '+p99 vs bare',
    'CPU µs/req',
    ...(withStream ? ['streams/s', 'TTFB p50', 'TTFB p99', '+TTFB p50', '+TTFB p99'] : []),
    'status',
  ];
  const body = rows.map((r) => {
    const self = (n: TargetName) => r.name === n;
    return [
      r.name,
      fmt(r.rate, 0),
      fmt(r.achieved_per_s, 0),
      fmt(r.p50_ms, 2),
      fmt(r.p90_ms, 2),
      fmt(r.p99_ms, 2),
      fmt(r.p999_ms, 2),
      self('direct') ? '' : signed(r.added_p50_ms, 2),
      self('direct') ? '' : signed(r.added_p99_ms, 2),
      self('direct') || self('bare') ? '' : signed(r.added_p50_over_bare_ms, 2),
      self('direct') || self('bare') ? '' : signed(r.added_p99_over_bare_ms, 2),
      fmt(r.cpu_us_per_req, 0),
      ...(withStream
        ? [
            fmt(r.stream?.achieved_per_s, 0),
            fmt(r.stream?.ttfb_p50_ms, 2),
            fmt(r.stream?.ttfb_p99_ms, 2),
            self('direct') ? '' : signed(r.stream?.added_ttfb_p50_ms ?? null, 2),
            self('direct') ? '' : signed(r.stream?.added_ttfb_p99_ms ?? null, 2),
          ]
        : []),
      r.status === 'ok'
        ? 'ok'
        : r.status === 'saturated'
          ? 'SATURATED'
          : `ERRORS (${r.non2xx + (r.stream?.non2xx ?? 0)} non-2xx, ${r.errors + (r.stream?.errors ?? 0)} errors)`,
    ];
  });
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const last = head.length - 1;
  const line = (cells: string[]) =>
    '| ' +
    cells.map((c, i) => (i === 0 || i === last ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(' | ') +
    ' |';
  const sep =
    '|' + widths.map((w, i) => (i === 0 || i === last ? '-'.repeat(w + 2) : '-'.repeat(w + 1) + ':')).join('|') + '|';
  return [line(head), sep, ...body.map(line)].join('\n');
}

/** the headline, the way gateways publish their overhead: "at N req/s, ARouter adds X µs p50, Y µs p99" */
export function rateLines(rows: RateSummary[]): string[] {
  const out: string[] = [];
  const direct = rows.find((r) => r.name === 'direct');
  if (direct?.send_lag_p50_ms != null)
    out.push(
      `info  the generator's own send delay (scheduled → sent, included in every row): p50 ${fmt(direct.send_lag_p50_ms, 2)} ms, ` +
        `p99 ${fmt(direct.send_lag_p99_ms, 2)} ms (direct run); direct's service time (sent → answered) p50 ${fmt(direct.service_p50_ms, 2)} ms`,
    );
  for (const r of rows) {
    if (r.name !== 'arouter' && r.name !== 'nometrics' && r.name !== 'shared' && r.name !== 'baseline') continue;
    // µs is how gateways publish it; past 10 ms (a loaded machine's tail) ms read better
    const us = (x: number | null) =>
      x === null
        ? '—'
        : `${x >= 0 ? '+' : '−'}${Math.abs(x) >= 10 ? `${fmt(Math.abs(x), 1)} ms` : `${fmt(Math.abs(x) * 1000, 0)} µs`}`;
    out.push(
      `info  at ${fmt(r.rate, 0)} req/s (open loop), ${r.name === 'arouter' ? 'ARouter' : r.name === 'nometrics' ? 'ARouter with metrics off' : r.name === 'shared' ? 'ARouter on PostgreSQL + Redis' : 'the baseline'} adds ${us(r.added_p50_ms)} p50 and ` +
        `${us(r.added_p99_ms)} p99 over calling the upstream directly; ${us(r.added_p50_over_bare_ms)} p50 and ` +
        `${us(r.added_p99_over_bare_ms)} p99 over the bare proxy` +
        (r.service_p50_ms != null && direct?.service_p50_ms != null
          ? ` (sent → answered, without the generator's delay: ${us(r.service_p50_ms - direct.service_p50_ms)} p50, ` +
            `${us(r.service_p99_ms! - direct.service_p99_ms!)} p99)`
          : '') +
        (r.stream
          ? `; streams at ${fmt(r.stream.rate, 0)}/s: TTFB ${us(r.stream.added_ttfb_p50_ms)} p50 over direct`
          : '') +
        (r.status === 'ok' ? '' : ` (${r.status}: ${r.error})`),
    );
  }
  return out;
}
