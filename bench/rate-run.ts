// The fixed-rate part of `npm run bench`: the same open-loop load (R req/s, and optionally S streams/s) sent to
// every target in turn, interleaved round by round (A B C, then C B A, …) like the saturation runs, so drift
// on a shared machine falls on every target alike. Portkey is left out: it saturates far below the rates
// measured here (~800 req/s in the saturation table), and an open loop above a target's capacity measures
// only its growing queue.
import { fmt } from './report.js';
import { sleep } from './common.js';
import { fixedRateLoad, type RateResult } from './rate-load.js';
import { RateTally, summarizeRate, type RateSummary } from './rate-report.js';
import type { Target } from './targets.js';

export interface RateRunOptions {
  rate: number;
  streamRate: number;
  seconds: number;
  rounds: number;
  smoke: boolean;
  /** the rate was chosen by autoRate */
  auto: boolean;
}

export interface RateRun {
  rate: number;
  stream_rate: number;
  duration_s: number;
  rounds: number;
  /** how an automatic rate was chosen, null when it was given */
  auto: string | null;
  targets: RateSummary[];
}

/** the rate other gateways publish their overhead at */
export const PUBLISHED_RATE = 5000;

/**
 * `--rate auto`: 5,000 req/s, or, when the slowest proxy measured in the saturation rounds (ARouter, as a rule)
 * served fewer than twice that, half of what it served. An open loop at or past a target's capacity measures
 * its queue, which grows without bound, not its cost; at half of it a single-server queue roughly doubles
 * the service time already, so this is the most the number can stand for on a small machine. On this 2-vCPU
 * VM ARouter's saturation throughput ranged from 1,800 (other work running) to ~10,000 req/s between days.
 */
export function autoRate(saturation: Array<{ name: string; rps: number | null }>): number {
  const proxies = saturation.filter((s) => s.name !== 'direct' && s.name !== 'portkey' && s.rps !== null);
  if (proxies.length === 0) return 1000;
  const slowest = Math.min(...proxies.map((s) => s.rps!));
  return slowest >= 2 * PUBLISHED_RATE ? PUBLISHED_RATE : Math.max(100, Math.floor(slowest / 2 / 100) * 100);
}

export async function runFixedRate(
  all: Target[],
  o: RateRunOptions,
  log: (s: string) => void,
  onArouterRequests: (n: number) => void,
): Promise<RateRun> {
  // a target that died in the saturation rounds is reported there; here it would only stop the run
  const targets = all.filter((t) => t.name !== 'portkey' && !t.child.exited);
  const tallies = new Map(targets.map((t) => [t.name, new RateTally(t.name, t.label)]));
  const measure = async (t: Target, stream: boolean): Promise<RateResult> => {
    const c0 = t.child.cpuMs();
    const r = await fixedRateLoad(t, { rate: stream ? o.streamRate : o.rate, seconds: o.seconds, stream });
    const c1 = t.child.cpuMs();
    if (c0 !== null && c1 !== null) r.cpuMs = c1 - c0;
    if (t.name === 'arouter') onArouterRequests(r.sent + 1);
    await sleep(o.smoke ? 20 : 200);
    return r;
  };
  for (let round = 0; round < o.rounds; round++) {
    const order = round % 2 === 0 ? targets : [...targets].reverse();
    const ns = new Map<string, RateResult>();
    const st = new Map<string, RateResult>();
    for (const t of o.rate > 0 ? order : []) ns.set(t.name, await measure(t, false));
    for (const t of o.streamRate > 0 ? order : []) st.set(t.name, await measure(t, true));
    const line: string[] = [];
    for (const t of targets) {
      const tally = tallies.get(t.name)!;
      tally.addRound(round + 1, ns.get(t.name) ?? null, st.get(t.name) ?? null);
      const row = tally.rounds[tally.rounds.length - 1];
      line.push(
        `${t.name} ${fmt(row.achieved_per_s, 0)}/s p50 ${fmt(row.p50_ms, 2)} p99 ${fmt(row.p99_ms, 2)}` +
          (o.streamRate > 0 ? ` ttfb ${fmt(row.stream_ttfb_p50_ms, 2)}` : ''),
      );
    }
    log(`   fixed-rate round ${round + 1}/${o.rounds} (${order.map((t) => t.name).join(' → ')}): ${line.join(' | ')}`);
  }
  return {
    rate: o.rate,
    stream_rate: o.streamRate,
    duration_s: o.seconds,
    rounds: o.rounds,
    auto: o.auto
      ? o.rate === PUBLISHED_RATE
        ? `${fmt(PUBLISHED_RATE, 0)} req/s, what gateways publish at; every proxy served at least twice that in the saturation rounds`
        : `half the saturation req/s of the slowest proxy measured above; ${fmt(PUBLISHED_RATE, 0)} req/s would overrun it on this machine`
      : null,
    targets: summarizeRate([...tallies.values()], o.rate, o.streamRate),
  };
}
