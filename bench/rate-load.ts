// The fixed-rate (open-loop) load generator: request i is due at start + i/R whatever happened to the
// requests before it, and its latency is measured from that SCHEDULED time, not from when it actually left.
// A closed loop (autocannon's connections, and also its `overallRate`/`connectionRate`: a per-connection quota
// per second that sends back-to-back until the quota is used, then pauses until the next 1 s tick, and only
// sends after the previous answer arrived) waits for a slow answer before sending the next request, so the
// requests that would have queued behind it are never timed ("coordinated omission").
// Sends go through an undici Pool's dispatcher-handler interface (keep-alive, enough sockets that the client
// never queues at the rates measured here; if it does, the wait counts, since the clock starts at the
// scheduled time). The schedule is kept by a worker-thread metronome (rate-clock.ts: Node's own timers only
// have 1 ms resolution); each tick sends every request that has come due since the last one ("catch-up", when
// the event loop was busy); the delay between scheduled and actual send is recorded as `lag`, the
// generator's own resolution, and is the same for every target.
import { performance } from 'node:perf_hooks';
import { Pool, type Dispatcher } from 'undici';
import { CHAT_BODY, CHAT_STREAM_BODY } from './common.js';
import { Samples } from './load.js';
import { hrMs, metronome } from './rate-clock.js';
import type { Target } from './targets.js';

export interface RateResult {
  /** requests per second asked for */
  rate: number;
  /** requests sent (every one that came due) */
  sent: number;
  /** seconds from the first scheduled send to the last actual one */
  sendSeconds: number;
  /** seconds from the first scheduled send to the last answer */
  seconds: number;
  ok: number;
  non2xx: number;
  /** connection errors, incomplete streams, and requests still unanswered when the drain time ran out */
  errors: number;
  /** scheduled send → end of the answer, ms (2xx only) */
  latencies: Samples;
  /** actual send → end of the answer, ms (what a closed-loop generator would report) */
  service: Samples;
  /** scheduled → actual send, ms: the generator's own delay */
  lag: Samples;
  /** streams only: scheduled send → first body byte, ms */
  ttfb?: Samples;
  sample?: string;
  cpuMs?: number;
}

export interface RateOptions {
  rate: number;
  seconds: number;
  stream: boolean;
  /** sockets the pool may open; beyond that requests wait in the client (and the wait is measured) */
  connections?: number;
  /** how long to wait for the last answers after the last send */
  drainMs?: number;
}

class Timed implements Dispatcher.DispatchHandler {
  private status = 0;
  private first = 0;
  private tail = '';

  constructor(
    private readonly run: Run,
    readonly scheduled: number,
    readonly sent: number,
  ) {}

  onConnect(): void {}

  onHeaders(status: number): boolean {
    this.status = status;
    return true;
  }

  onData(chunk: Buffer): boolean {
    if (this.first === 0) this.first = performance.now();
    // only the end matters: enough to see a stream's terminating [DONE]
    if (this.run.stream) this.tail = (this.tail + chunk.toString('latin1')).slice(-64);
    return true;
  }

  onComplete(): void {
    const end = performance.now();
    const r = this.run;
    r.pending--;
    r.lastEnd = end;
    if (this.status < 200 || this.status >= 300) {
      r.res.non2xx++;
      r.res.sample ??= `HTTP ${this.status}`;
    } else if (r.stream && !this.tail.includes('data: [DONE]')) {
      r.res.errors++;
      r.res.sample ??= `stream did not end with [DONE]: …${this.tail}`;
    } else {
      r.res.ok++;
      r.res.latencies.push(end - this.scheduled);
      r.res.service.push(end - this.sent);
      if (r.stream) r.res.ttfb!.push(this.first - this.scheduled);
    }
    r.maybeDone();
  }

  onError(err: Error): void {
    const r = this.run;
    r.pending--;
    r.lastEnd = performance.now();
    r.res.errors++;
    r.res.sample ??= err.message;
    r.maybeDone();
  }
}

class Run {
  pending = 0;
  lastEnd = 0;
  sending = true;
  readonly res: RateResult;
  private finish: (() => void) | null = null;

  constructor(
    readonly stream: boolean,
    rate: number,
  ) {
    this.res = {
      rate,
      sent: 0,
      sendSeconds: 0,
      seconds: 0,
      ok: 0,
      non2xx: 0,
      errors: 0,
      latencies: new Samples(),
      service: new Samples(),
      lag: new Samples(),
      ttfb: stream ? new Samples() : undefined,
    };
  }

  drained(): Promise<void> {
    return new Promise((r) => {
      this.finish = r;
      this.maybeDone();
    });
  }

  maybeDone(): void {
    if (!this.sending && this.pending === 0 && this.finish) this.finish();
  }
}

export async function fixedRateLoad(t: Target, o: RateOptions): Promise<RateResult> {
  const url = new URL(t.base);
  const pool = new Pool(url.origin, { connections: o.connections ?? 256, keepAliveTimeout: 30_000 });
  const run = new Run(o.stream, o.rate);
  const total = Math.max(1, Math.round(o.rate * o.seconds));
  const interval = 1000 / o.rate;
  const req: Dispatcher.DispatchOptions = {
    path: `${url.pathname}/chat/completions`,
    method: 'POST',
    headers: { 'content-type': 'application/json', ...t.headers },
    body: Buffer.from(o.stream ? CHAT_STREAM_BODY : CHAT_BODY),
  };
  // one request first, outside the clock, so the schedule does not start with a connection handshake
  await pool.request({ ...req }).then((r) => r.body.dump());

  let i = 0;
  let lastSend = 0;
  let allSent = (): void => {};
  // tick k: request k is due by the metronome's clock, whatever the main thread's reading says (the two
  // readings of one clock differ by the µs between them)
  const tick = (k: number): void => {
    let now = performance.now();
    while (i < total) {
      const due = start + i * interval;
      if (i > k && due > now) break;
      run.pending++;
      pool.dispatch(req, new Timed(run, due, now));
      run.res.lag.push(now - due);
      lastSend = now;
      i++;
      now = performance.now();
    }
    if (i === total) allSent();
  };
  const clock = await metronome(interval, total, tick);
  const sent = new Promise<void>((r) => (allSent = r));
  const start = performance.now() + 1;
  clock.start(start + (hrMs() - performance.now()));
  await sent;
  await clock.stop();
  run.res.sent = i;
  run.res.sendSeconds = (lastSend - start) / 1000;
  run.sending = false;

  const drainMs = o.drainMs ?? 10_000;
  let timer: NodeJS.Timeout | undefined;
  const timedOut = await Promise.race([
    run.drained().then(() => false),
    new Promise<boolean>((r) => (timer = setTimeout(() => r(true), drainMs))),
  ]);
  clearTimeout(timer);
  if (timedOut) {
    run.res.errors += run.pending;
    run.res.sample ??= `${run.pending} requests unanswered ${drainMs} ms after the last send`;
  }
  run.res.seconds = ((timedOut ? performance.now() : run.lastEnd) - start) / 1000;
  await (timedOut ? pool.destroy() : pool.close());
  return run.res;
}
