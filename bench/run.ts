// `npm run bench`: ARouter's own cost, measured as ratios in one run on one machine so noise cancels.
// Starts on loopback: the simulated upstream, a bare pass-through proxy (the floor), a JSON-aware proxy (the
// floor plus the parsing any router must do), ARouter and Portkey's gateway, each a child process; warms each up; then drives them with the same load, interleaved round by
// round (A B C D, then D C B A, …) so drift cancels; prints one table and the pass/fail lines, and writes
// bench/results/latest.json. See bench/README.md; the flags are in bench/options.ts.
import { options } from './options.js';
import { measureCatalog } from './catalog-cost.js';
import { keysScaleTable, runKeysScale, type KeysScaleResult } from './keys-scale.js';
import { cpus, loadavg } from 'node:os';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { HOST, sleep } from './common.js';
import { Samples, nonStreamLoad, streamLoad, verifyTarget, type LoadResult } from './load.js';
import { checkLines, checks, fmt, roundRow, summarize, table, type Tally } from './report.js';
import { autoRate, runFixedRate, type RateRun } from './rate-run.js';
import { rateLines, rateTable } from './rate-report.js';
import { sharedLine, sharedPlace, sharedUnreachable, type SharedPlace } from './shared-state.js';
import { analyzeProfile, formatProfile, newestProfile, type ProfileSummary } from './profile.js';
import { startTraceSink, type TraceSink } from './trace-sink.js';
import {
  ROOT,
  TARGET_ORDER,
  portkeyVersion,
  startArouter,
  startBare,
  startJsonProxy,
  startPortkey,
  startUpstream,
  type Child,
  type Runtime,
  type Target,
  type TargetName,
} from './targets.js';

function emptyTally(name: TargetName, label: string, note: string, unavailable: string | null = null): Tally {
  return {
    name,
    label,
    note,
    unavailable,
    ns: { ok: 0, non2xx: 0, errors: 0, seconds: 0, lat: unavailable ? null : new Samples() },
    st: {
      ok: 0,
      non2xx: 0,
      errors: 0,
      seconds: 0,
      lat: unavailable ? null : new Samples(),
      ttfb: unavailable ? null : new Samples(),
    },
    rounds: [],
    peakRssBytes: null,
  };
}

function cpuSince(t: Target, before: number | null): number | undefined {
  const now = t.child.cpuMs();
  return before === null || now === null ? undefined : now - before;
}

function merge(into: Tally['ns'] | Tally['st'], r: LoadResult): void {
  if (r.cpuMs !== undefined) into.cpuMs = (into.cpuMs ?? 0) + r.cpuMs;
  into.ok += r.ok;
  into.non2xx += r.non2xx;
  into.errors += r.errors;
  into.seconds += r.seconds;
  into.lat?.append(r.latencies);
  if ('ttfb' in into && r.ttfb) into.ttfb?.append(r.ttfb);
  if (r.sample && !into.sample) into.sample = r.sample;
}

const log = (s: string) => process.stdout.write(s + '\n');

async function main(): Promise<number> {
  const o = options(process.argv.slice(2));
  const rt: Runtime = { tsx: o.tsx, root: ROOT };
  const profileDir = join(ROOT, 'bench', 'results', 'profiles');
  const startedAt = Date.now();
  log(
    `ARouter bench${o.smoke ? ' (smoke)' : ''}: node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}; ` +
      `${o.duration}s × ${o.rounds} rounds per target, ${o.connections} connections, warm-up ${o.warmup}s` +
      `${o.stream ? `; stream: ${o.chunks} chunks every ${o.intervalMs} ms, ${o.connections} concurrent` : ''}; children run ${o.tsx ? 'TypeScript via tsx' : 'dist/'}` +
      `${o.rate !== 0 || o.streamRate > 0 ? `; then fixed rate: ${o.rate ?? 'auto'} req/s, ${o.streamRate} streams/s, ${o.rateDuration}s × ${o.rounds} rounds` : ''}` +
      `; load average ${loadavg()
        .map((x) => x.toFixed(2))
        .join(' ')}`,
  );

  const tallies = new Map<TargetName, Tally>();
  const targets: Target[] = [];
  const children: Child[] = [];
  const cleanups: Array<() => void | Promise<void>> = [];
  let shared: SharedPlace | null = null;
  let sharedSkipped: string | null = null;
  let arouterRequests = 0;
  let fatal: string | null = null;
  let profile: ProfileSummary | null = null;
  let fixedRate: RateRun | null = null;

  if (o.only.has('shared')) {
    sharedSkipped = await sharedUnreachable();
    if (sharedSkipped) {
      log(`!! shared (PostgreSQL + Redis) row skipped: ${sharedSkipped}`);
      o.only.delete('shared');
    }
  }

  let traceSink: TraceSink | null = null;
  if (o.tracing) {
    const sink = (traceSink = await startTraceSink(HOST));
    cleanups.push(() => sink.close());
    // this build only: a baseline's config schema may not know `tracing`
    o.arouterConfig = { ...o.arouterConfig, tracing: { endpoint: sink.url } };
    log(`   tracing: this build's ARouter exports every span (OTLP/HTTP JSON) to a discarding sink at ${sink.url}`);
  }

  try {
    const upstream = await startUpstream(rt, o.chunks, o.intervalMs);
    children.push(upstream.child);
    targets.push(upstream);
    const starters: Array<[TargetName, () => Promise<Target>, string]> = [
      ['bare', () => startBare(rt, upstream), 'bare proxy'],
      ['json', () => startJsonProxy(rt, upstream), 'JSON-aware proxy'],
      [
        'arouter',
        async () => {
          const t = await startArouter(rt, upstream, {
            logLevel: o.logLevel,
            cpuProfDir: o.cpuProf ? profileDir : null,
            nodeFlags: o.nodeFlags,
            config: o.arouterConfig,
          });
          cleanups.push(t.cleanup);
          return t;
        },
        'ARouter',
      ],
      [
        'nometrics',
        async () => {
          const t = await startArouter(rt, upstream, {
            logLevel: o.logLevel,
            cpuProfDir: null,
            nodeFlags: o.nodeFlags,
            config: { ...o.arouterConfig, metrics: { enabled: false } },
            as: 'nometrics',
          });
          cleanups.push(t.cleanup);
          return t;
        },
        'ARouter, metrics off',
      ],
      [
        'shared',
        async () => {
          const place = sharedPlace();
          shared = place;
          cleanups.push(() => place.drop());
          const t = await startArouter(rt, upstream, {
            logLevel: o.logLevel,
            cpuProfDir: null,
            nodeFlags: o.nodeFlags,
            config: { ...o.arouterConfig, ...place.config },
            as: 'shared',
          });
          cleanups.push(t.cleanup);
          return t;
        },
        'ARouter on PostgreSQL + Redis',
      ],
      [
        'baseline',
        async () => {
          // the other checkout's own dist/, started exactly like this one (same flags, environment, config)
          const t = await startArouter({ tsx: false, root: o.baseline! }, upstream, {
            logLevel: o.logLevel,
            cpuProfDir: null,
            nodeFlags: o.nodeFlags,
            as: 'baseline',
          });
          cleanups.push(t.cleanup);
          return t;
        },
        `ARouter baseline (${o.baseline})`,
      ],
      ['portkey', () => startPortkey(rt, upstream), `Portkey gateway ${portkeyVersion() ?? '(not installed)'}`],
    ];
    // started side by side (they are idle until measured), kept in table order
    const started = await Promise.all(
      starters
        .filter(([name]) => o.only.has(name))
        .map(async ([name, start, label]) => {
          try {
            return await start();
          } catch (err) {
            const why = (err as Error).message;
            log(`!! ${label} could not be started: ${why}`);
            tallies.set(name, emptyTally(name, label, '', `could not be started: ${why}`));
            return null;
          }
        }),
    );
    for (const t of started) {
      if (!t) continue;
      children.push(t.child);
      targets.push(t);
    }
    // one checked request of each kind: a target that answers wrongly is reported, not measured
    for (const t of [...targets]) {
      const bad = await verifyTarget(t);
      if (t.name === 'arouter') arouterRequests += 2;
      if (bad) {
        log(`!! ${t.label} answers wrongly, not measured: ${bad}`);
        tallies.set(t.name, emptyTally(t.name, t.label, t.note, `answers wrongly: ${bad}`));
        targets.splice(targets.indexOf(t), 1);
      } else tallies.set(t.name, emptyTally(t.name, t.label, t.note));
    }
    for (const t of targets) log(`   ${t.name.padEnd(8)} ${t.base}  ${t.label}${t.note ? ` — ${t.note}` : ''}`);

    if (o.warmup > 0) {
      for (const t of targets) {
        const w = o.json ? await nonStreamLoad(t, o.connections, o.warmup) : null;
        const ws = o.stream ? await streamLoad(t, o.connections, o.json ? Math.min(o.warmup, 1) : o.warmup) : null;
        if (t.name === 'arouter') arouterRequests += (w ? w.ok + w.non2xx : 0) + (ws ? ws.ok + ws.non2xx : 0);
        const bad = (w ? w.non2xx + w.errors : 0) + (ws ? ws.non2xx + ws.errors : 0);
        log(
          `   warm-up ${t.name.padEnd(8)} ${w ? `${fmt(w.ok / w.seconds, 0)} req/s` : ''}${ws ? ` ${fmt(ws.ok / ws.seconds, 0)} streams/s` : ''}${bad ? ` (${bad} non-2xx/errors)` : ''}`,
        );
      }
    }

    for (let round = 0; round < o.rounds; round++) {
      const order = round % 2 === 0 ? targets : [...targets].reverse();
      const ns = new Map<TargetName, LoadResult>();
      const st = new Map<TargetName, LoadResult>();
      for (const t of o.json ? order : []) {
        const c0 = t.child.cpuMs();
        const r = await nonStreamLoad(t, o.connections, o.duration);
        r.cpuMs = cpuSince(t, c0);
        ns.set(t.name, r);
        merge(tallies.get(t.name)!.ns, r);
        if (t.name === 'arouter') arouterRequests += r.ok + r.non2xx;
        await sleep(o.smoke ? 20 : 100);
      }
      if (o.stream) {
        for (const t of order) {
          const c0 = t.child.cpuMs();
          const r = await streamLoad(t, o.connections, o.duration);
          r.cpuMs = cpuSince(t, c0);
          st.set(t.name, r);
          merge(tallies.get(t.name)!.st, r);
          if (t.name === 'arouter') arouterRequests += r.ok + r.non2xx;
          await sleep(o.smoke ? 20 : 100);
        }
      }
      const line: string[] = [];
      for (const t of targets) {
        const row = roundRow(round + 1, ns.get(t.name) ?? null, st.get(t.name) ?? null);
        tallies.get(t.name)!.rounds.push(row);
        line.push(
          `${t.name} ${fmt(row.rps, 0)} req/s p99 ${fmt(row.p99_ms, 2)}${o.stream ? ` ttfb ${fmt(row.ttfb_p50_ms, 2)}` : ''}`,
        );
      }
      log(`   round ${round + 1}/${o.rounds} (${order.map((t) => t.name).join(' → ')}): ${line.join(' | ')}`);
    }

    if ((o.rate !== 0 || o.streamRate > 0) && o.rateDuration > 0) {
      const rate =
        o.rate ??
        autoRate(
          [...tallies.values()].map((t) => ({ name: t.name, rps: t.ns.seconds > 0 ? t.ns.ok / t.ns.seconds : null })),
        );
      fixedRate = await runFixedRate(
        targets,
        {
          rate,
          streamRate: o.streamRate,
          seconds: o.rateDuration,
          rounds: o.rounds,
          smoke: o.smoke,
          auto: o.rate === null,
        },
        log,
        (n) => (arouterRequests += n),
      );
    }

    for (const t of targets) {
      const tally = tallies.get(t.name)!;
      tally.peakRssBytes = t.child.peakRss();
      if (t.child.exited) tally.unavailable = `exited during the run: ${t.child.describeFailure()}`;
    }
  } catch (err) {
    fatal = (err as Error).stack ?? String(err);
  } finally {
    // ARouter first and alone: with --cpu-prof it writes its profile on a graceful exit
    const ar = targets.find((t) => t.name === 'arouter');
    if (ar) await ar.child.stop();
    // PostgreSQL's share of the shared row's cost, read while its connections (and backends) are still open
    await (shared as SharedPlace | null)?.sampleBackends();
    await Promise.all(children.map((c) => c.stop()));
    for (const c of cleanups) {
      try {
        await c();
      } catch (err) {
        log(`!! ${(err as Error).message}`);
      }
    }
  }
  if (fatal) {
    console.error(`bench failed: ${fatal}`);
    return 1;
  }

  if (o.cpuProf) {
    const f = newestProfile(profileDir);
    if (f) {
      try {
        profile = analyzeProfile(f, arouterRequests);
      } catch (err) {
        log(`!! could not read the CPU profile ${f}: ${(err as Error).message}`);
      }
    } else log(`!! no .cpuprofile found in ${profileDir}`);
  }

  const rows = summarize(TARGET_ORDER.filter((n) => tallies.has(n)).map((n) => tallies.get(n)!));
  const cs = checks(rows, o.connections);
  log('');
  log(table(rows));
  log('');
  if (fixedRate) {
    log(
      `Fixed rate (open loop): ${fmt(fixedRate.rate, 0)} req/s${fixedRate.auto ? ` (auto: ${fixedRate.auto})` : ''}${fixedRate.stream_rate > 0 ? ` and ${fmt(fixedRate.stream_rate, 0)} streams/s` : ''}, ` +
        `${fixedRate.duration_s}s × ${fixedRate.rounds} rounds per target; latency from each request's scheduled send time`,
    );
    log(rateTable(fixedRate.targets));
    for (const l of rateLines(fixedRate.targets)) log(l);
    log('');
  }
  log(`ARouter targets (printed, not asserted${o.smoke ? '; smoke run: numbers are meaningless' : ''}):`);
  log(checkLines(cs));
  for (const r of rows)
    if (r.status !== 'ok')
      log(`!! ${r.name}: ${r.status === 'unavailable' ? 'not measured' : 'had errors'}: ${r.error}`);
  const ar = rows.find((r) => r.name === 'arouter');
  const bare = rows.find((r) => r.name === 'bare');
  if (ar?.cpu_us_per_req != null && bare?.cpu_us_per_req != null) {
    log(
      `info  ARouter's own CPU per request: ${fmt(ar.cpu_us_per_req, 0)} µs vs ${fmt(bare.cpu_us_per_req, 0)} µs for the bare proxy ` +
        `(+${fmt(ar.cpu_us_per_req - bare.cpu_us_per_req, 0)} µs)` +
        (ar.stream.cpu_us_per_stream != null && bare.stream.cpu_us_per_stream != null
          ? `; per ${o.chunks}-chunk stream ${fmt(ar.stream.cpu_us_per_stream, 0)} µs vs ${fmt(bare.stream.cpu_us_per_stream, 0)} µs (+${fmt(ar.stream.cpu_us_per_stream - bare.stream.cpu_us_per_stream, 0)} µs)`
          : ''),
    );
  }
  const js = rows.find((r) => r.name === 'json');
  if (js?.rps && bare?.rps) {
    // the split of ARouter's distance from the floor: reading and writing JSON, then everything else
    log(
      `info  the JSON-aware proxy (parse + re-serialise, no logic) runs at ${fmt(js.rps / bare.rps, 2)}× the bare proxy` +
        (js.cpu_us_per_req != null && bare.cpu_us_per_req != null
          ? `, ${fmt(js.cpu_us_per_req, 0)} CPU µs/req (+${fmt(js.cpu_us_per_req - bare.cpu_us_per_req, 0)})`
          : '') +
        (js.stream.added_ttfb_p50_ms != null
          ? `, TTFB ${js.stream.added_ttfb_p50_ms >= 0 ? '+' : ''}${fmt(js.stream.added_ttfb_p50_ms, 2)} ms over direct`
          : '') +
        (ar?.rps ? `; ARouter at ${fmt(ar.rps / js.rps, 2)}× the JSON-aware proxy` : ''),
    );
  }
  const bl = rows.find((r) => r.name === 'baseline');
  if (ar?.rps && bl?.rps) {
    const pct = (now: number, then: number) =>
      `${now >= then ? '+' : '−'}${fmt(Math.abs((now / then - 1) * 100), 1)} %`;
    log(
      `info  this build vs the baseline (${o.baseline}): req/s ${fmt(ar.rps, 0)} vs ${fmt(bl.rps, 0)} (${pct(ar.rps, bl.rps)})` +
        (ar.cpu_us_per_req != null && bl.cpu_us_per_req != null
          ? `; CPU µs/req ${fmt(ar.cpu_us_per_req, 0)} vs ${fmt(bl.cpu_us_per_req, 0)} (${pct(ar.cpu_us_per_req, bl.cpu_us_per_req)})`
          : '') +
        (ar.stream.cpu_us_per_stream != null && bl.stream.cpu_us_per_stream != null
          ? `; per stream ${fmt(ar.stream.cpu_us_per_stream, 0)} vs ${fmt(bl.stream.cpu_us_per_stream, 0)} µs`
          : '') +
        (ar.peak_rss_mb != null && bl.peak_rss_mb != null
          ? `; peak RSS ${fmt(ar.peak_rss_mb, 1)} vs ${fmt(bl.peak_rss_mb, 1)} MB`
          : ''),
    );
  }
  if (traceSink) {
    log(
      `info  tracing on in this build's ARouter: ${traceSink.exports} exports, ${fmt(traceSink.bytes / 1024 / 1024, 1)} MB of OTLP JSON ` +
        `(${arouterRequests > 0 ? fmt(traceSink.bytes / arouterRequests, 0) : '?'} bytes per request)`,
    );
  }
  const nm = rows.find((r) => r.name === 'nometrics');
  if (ar?.rps && nm?.rps) {
    const pct = (now: number, then: number) =>
      `${now >= then ? '+' : '−'}${fmt(Math.abs((now / then - 1) * 100), 1)} %`;
    log(
      `info  metrics on (ARouter's default) vs off: req/s ${fmt(ar.rps, 0)} vs ${fmt(nm.rps, 0)} (${pct(ar.rps, nm.rps)})` +
        (ar.cpu_us_per_req != null && nm.cpu_us_per_req != null
          ? `; CPU µs/req ${fmt(ar.cpu_us_per_req, 0)} vs ${fmt(nm.cpu_us_per_req, 0)} (${pct(ar.cpu_us_per_req, nm.cpu_us_per_req)})`
          : '') +
        (ar.stream.cpu_us_per_stream != null && nm.stream.cpu_us_per_stream != null
          ? `; per stream ${fmt(ar.stream.cpu_us_per_stream, 0)} vs ${fmt(nm.stream.cpu_us_per_stream, 0)} µs`
          : '') +
        (ar.peak_rss_mb != null && nm.peak_rss_mb != null
          ? `; peak RSS ${fmt(ar.peak_rss_mb, 1)} vs ${fmt(nm.peak_rss_mb, 1)} MB`
          : ''),
    );
  }
  const sl = sharedLine(rows, shared);
  if (sl) log(sl);
  // the catalog at its real size (issue 13): what /v1/models costs with every provider configured
  const catalog = await measureCatalog(o.smoke ? 0.5 : 3);
  log(
    `info  catalog: ${catalog.models} models, ${catalog.endpoints} endpoints, ${catalog.providers} providers; ARouter with it starts in ` +
      `${fmt(catalog.startup_ms, 0)} ms; GET /v1/models (${fmt(catalog.list_bytes / 1024, 0)} KB) first answer ${fmt(catalog.first_list_ms, 1)} ms, ` +
      `then cached ${fmt(catalog.cached_rps, 0)} req/s at 10 connections, p50 ${fmt(catalog.cached_p50_ms, 1)} ms, p99 ${fmt(catalog.cached_p99_ms, 1)} ms`,
  );
  const keysScale: KeysScaleResult[] = [];
  for (const engine of o.keys > 0 ? o.keysEngines : []) {
    keysScale.push(
      await runKeysScale({
        keys: o.keys,
        engine,
        lookups: Math.min(o.keys, 200_000),
        cache: 100_000,
        pg: process.env.AROUTER_BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
      }),
    );
  }
  if (keysScale.length) {
    log('');
    log(`info  keys at scale (${o.keys} keys stored; lookups in µs, in process, one at a time):`);
    log(keysScaleTable(keysScale));
  }
  log('');
  log(
    'Notes: latencies in ms from the load generator on the same machine; +p50/+p99/+TTFB are over direct-to-upstream;',
  );
  log(
    `×bare is req/s over the bare proxy's; CPU µs/req is the target process's own user+system time per request (direct row: the upstream);`,
  );
  log(
    `peak RSS is the child's VmHWM (direct row: the upstream). ARouter logs at ${o.logLevel}, its stdout (JSON access log) → /dev/null.`,
  );
  if (profile) {
    log('');
    log(formatProfile(profile));
  }

  const result = {
    generated_at: new Date().toISOString(),
    duration_s: Math.round((Date.now() - startedAt) / 100) / 10,
    machine: {
      node: process.version,
      platform: process.platform,
      cpus: cpus().length,
      cpu_model: cpus()[0]?.model ?? null,
      loadavg_at_end: loadavg().map((x) => Math.round(x * 100) / 100),
    },
    options: {
      duration_s: o.duration,
      connections: o.connections,
      rounds: o.rounds,
      warmup_s: o.warmup,
      smoke: o.smoke,
      json: o.json,
      stream: o.stream,
      stream_chunks: o.chunks,
      stream_interval_ms: o.intervalMs,
      stream_concurrency: o.connections,
      targets: [...o.only],
      cpu_prof: o.cpuProf,
      arouter_node_flags: o.nodeFlags,
      runtime: o.tsx ? 'tsx' : 'dist',
      baseline: o.baseline,
      tracing: o.tracing,
      rate: o.rate ?? 'auto',
      stream_rate: o.streamRate,
      rate_duration_s: o.rateDuration,
    },
    arouter_logging: `AROUTER_LOG_LEVEL=${o.logLevel}; stdout (JSON access log) → /dev/null`,
    portkey: {
      version: portkeyVersion(),
      status: rows.find((r) => r.name === 'portkey')?.status ?? 'skipped',
      error: rows.find((r) => r.name === 'portkey')?.error ?? null,
    },
    targets: rows,
    shared_state: sharedSkipped ? { skipped: sharedSkipped } : ((shared as SharedPlace | null)?.describe() ?? null),
    checks: cs,
    fixed_rate: fixedRate,
    catalog,
    keys_scale: keysScale,
    profile,
  };
  mkdirSync(dirname(o.out), { recursive: true });
  writeFileSync(o.out, JSON.stringify(result, null, 2) + '\n');
  log(`\nResults written to ${o.out}`);

  // the bench fails (exit 1) only when a target it cannot do without is broken; speed never fails it
  const broken = rows.filter((r) => r.name !== 'portkey' && r.status !== 'ok');
  return broken.length ? 1 : 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    console.error(err);
    process.exitCode = 1;
  },
);
