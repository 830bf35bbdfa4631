// Reads a V8 .cpuprofile (from `--cpu-prof`) and sums CPU time by function and by module: self time (the
// function itself) and inclusive time (the function and everything it called), in ms and in µs per request.
// Usage: node dist/bench/profile.js FILE.cpuprofile [--requests N] [--top 25]
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { argValue, numArg } from './common.js';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface FnCost {
  fn: string;
  where: string;
  category: string;
  self_ms: number;
  total_ms: number;
  self_pct: number;
  total_pct: number;
  self_us_per_req: number | null;
  total_us_per_req: number | null;
}

export interface ProfileSummary {
  file: string;
  wall_ms: number;
  busy_ms: number;
  idle_ms: number;
  requests: number | null;
  busy_us_per_req: number | null;
  categories: Array<{ category: string; self_ms: number; pct: number }>;
  top_self: FnCost[];
  top_src_self: FnCost[];
  top_src_total: FnCost[];
}

const SPECIAL = new Set(['(idle)', '(program)', '(garbage collector)', '(root)']);

function shortUrl(url: string): string {
  const i = url.search(/\/(dist\/)?(src|bench|node_modules)\//);
  if (i >= 0) return url.slice(i + 1);
  return url.replace(/^file:\/\//, '');
}

export function category(cf: CallFrame): string {
  if (SPECIAL.has(cf.functionName) && !cf.url) return cf.functionName;
  const u = cf.url;
  if (!u) return '(native: V8 builtins, C++)';
  if (u.startsWith('node:')) return 'node: core (http, net, streams…)';
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(u);
  if (nm) return `node_modules/${nm[1]}`;
  if (/\/(dist\/)?src\//.test(u)) return 'ARouter src/';
  if (/\/(dist\/)?bench\//.test(u)) return 'bench/';
  return 'other';
}

export function analyzeProfile(file: string, requests: number | null, top = 25): ProfileSummary {
  const p = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map<number, ProfileNode>();
  const parent = new Map<number, number>();
  for (const n of p.nodes) {
    byId.set(n.id, n);
    for (const c of n.children ?? []) parent.set(c, n.id);
  }
  // self time per node: the interval until the next sample belongs to this sample
  const selfUs = new Map<number, number>();
  for (let i = 0; i < p.samples.length; i++) {
    const dt = i + 1 < p.timeDeltas.length ? p.timeDeltas[i + 1] : 0;
    selfUs.set(p.samples[i], (selfUs.get(p.samples[i]) ?? 0) + Math.max(0, dt));
  }
  const keyOf = (n: ProfileNode) =>
    `${n.callFrame.functionName || '(anonymous)'}\u0000${n.callFrame.url}:${n.callFrame.lineNumber + 1}`;
  const info = new Map<string, { fn: string; where: string; category: string; self: number; total: number }>();
  const ensure = (n: ProfileNode) => {
    const k = keyOf(n);
    let e = info.get(k);
    if (!e) {
      e = {
        fn: n.callFrame.functionName || '(anonymous)',
        where: n.callFrame.url ? `${shortUrl(n.callFrame.url)}:${n.callFrame.lineNumber + 1}` : '',
        category: category(n.callFrame),
        self: 0,
        total: 0,
      };
      info.set(k, e);
    }
    return e;
  };
  const cats = new Map<string, number>();
  let idle = 0;
  let all = 0;
  for (const [id, us] of selfUs) {
    const n = byId.get(id)!;
    all += us;
    if (n.callFrame.functionName === '(idle)') {
      idle += us;
      continue;
    }
    const e = ensure(n);
    e.self += us;
    cats.set(e.category, (cats.get(e.category) ?? 0) + us);
    // inclusive: once per distinct function on the stack
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const cn = byId.get(cur)!;
      const k = keyOf(cn);
      if (seen.has(k)) continue;
      seen.add(k);
      ensure(cn).total += us;
    }
  }
  const busy = all - idle;
  const ms = (us: number) => Math.round(us / 10) / 100;
  const pct = (us: number) => (busy > 0 ? Math.round((us / busy) * 1000) / 10 : 0);
  const perReq = (us: number) => (requests ? Math.round((us / requests) * 100) / 100 : null);
  const rows: FnCost[] = [...info.values()]
    .filter((e) => !SPECIAL.has(e.fn) || e.where)
    .map((e) => ({
      fn: e.fn,
      where: e.where,
      category: e.category,
      self_ms: ms(e.self),
      total_ms: ms(e.total),
      self_pct: pct(e.self),
      total_pct: pct(e.total),
      self_us_per_req: perReq(e.self),
      total_us_per_req: perReq(e.total),
    }));
  const isSrc = (r: FnCost) => r.category === 'ARouter src/';
  return {
    file,
    wall_ms: ms(all),
    busy_ms: ms(busy),
    idle_ms: ms(idle),
    requests,
    busy_us_per_req: perReq(busy),
    categories: [...cats.entries()]
      .sort((a, b) => b[1] - a[1])
      .map(([category, us]) => ({ category, self_ms: ms(us), pct: pct(us) })),
    top_self: [...rows].sort((a, b) => b.self_ms - a.self_ms).slice(0, top),
    top_src_self: rows
      .filter(isSrc)
      .sort((a, b) => b.self_ms - a.self_ms)
      .slice(0, top),
    top_src_total: rows
      .filter(isSrc)
      .sort((a, b) => b.total_ms - a.total_ms)
      .slice(0, top),
  };
}

/** the newest .cpuprofile in a directory */
export function newestProfile(dir: string): string | null {
  let best: { f: string; t: number } | null = null;
  try {
    for (const name of readdirSync(dir)) {
      if (!name.endsWith('.cpuprofile')) continue;
      const f = join(dir, name);
      const t = statSync(f).mtimeMs;
      if (!best || t > best.t) best = { f, t };
    }
  } catch {
    return null;
  }
  return best?.f ?? null;
}

export function formatProfile(s: ProfileSummary): string {
  const out: string[] = [];
  const us = (x: number | null) => (x === null ? '' : `${x.toFixed(1)} µs/req`);
  out.push(`CPU profile ${s.file}`);
  out.push(
    `  busy ${s.busy_ms.toFixed(0)} ms, idle ${s.idle_ms.toFixed(0)} ms` +
      (s.requests
        ? `; ${s.requests} requests served → ${s.busy_us_per_req?.toFixed(1)} µs CPU per request (all requests, stream and non-stream)`
        : ''),
  );
  out.push(
    '  (sampled wall time of the JS thread: native socket writes — writev, writeUtf8String — include the kernel loopback path and,',
  );
  out.push(
    "   on a loaded 2-core machine, time descheduled inside the syscall; compare them with the bare proxy's, not with zero)",
  );
  out.push('  self time by module:');
  for (const c of s.categories.slice(0, 12))
    out.push(`    ${c.pct.toFixed(1).padStart(5)} %  ${c.self_ms.toFixed(0).padStart(8)} ms  ${c.category}`);
  const list = (title: string, rows: FnCost[], which: 'self' | 'total') => {
    out.push(`  ${title}:`);
    for (const r of rows) {
      const v = which === 'self' ? r.self_ms : r.total_ms;
      const p = which === 'self' ? r.self_pct : r.total_pct;
      const u = which === 'self' ? r.self_us_per_req : r.total_us_per_req;
      out.push(
        `    ${p.toFixed(1).padStart(5)} %  ${v.toFixed(0).padStart(7)} ms  ${us(u).padStart(14)}  ${r.fn}  ${r.where}`,
      );
    }
  };
  list('top functions by self time (everything)', s.top_self.slice(0, 20), 'self');
  list('top ARouter src/ functions by self time', s.top_src_self.slice(0, 15), 'self');
  list('top ARouter src/ functions by inclusive time (self + callees)', s.top_src_total.slice(0, 20), 'total');
  return out.join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const argv = process.argv.slice(2);
  const file =
    argv.find((a) => !a.startsWith('--') && a.endsWith('.cpuprofile')) ??
    newestProfile(argValue(argv, 'dir') ?? 'bench/results/profiles');
  if (!file) {
    console.error('usage: profile FILE.cpuprofile [--requests N] [--top N]');
    process.exit(2);
  }
  const req = numArg(argv, 'requests', 0);
  console.log(formatProfile(analyzeProfile(file, req > 0 ? req : null, numArg(argv, 'top', 25))));
}
