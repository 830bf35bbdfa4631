// Load generators.
//  - non-stream: autocannon at a fixed connection count for a fixed duration. Latencies are taken from
//    autocannon's per-response event (fractional ms) rather than its histogram, which rounds to whole ms
//    (too coarse for "added p99 ≤ 1 ms").
//  - stream: a small undici client with N concurrent request loops, measuring per request the time to
//    the first body byte (TTFB) and the total time, and checking each stream ends with `data: [DONE]`.
import autocannon from 'autocannon';
import { performance } from 'node:perf_hooks';
import { Pool } from 'undici';
import { CHAT_BODY, CHAT_STREAM_BODY } from './common.js';
import type { Target } from './targets.js';

/** a growable Float64Array of samples (ms) */
export class Samples {
  private buf = new Float64Array(1 << 14);
  length = 0;
  push(v: number): void {
    if (this.length === this.buf.length) {
      const next = new Float64Array(this.buf.length * 2);
      next.set(this.buf);
      this.buf = next;
    }
    this.buf[this.length++] = v;
  }
  append(o: Samples): void {
    for (let i = 0; i < o.length; i++) this.push(o.buf[i]);
  }
  sorted(): Float64Array {
    return this.buf.slice(0, this.length).sort();
  }
}

export interface LoadResult {
  /** successful (2xx, complete) requests */
  ok: number;
  /** non-2xx answers */
  non2xx: number;
  /** connection errors, timeouts, incomplete streams */
  errors: number;
  /** seconds actually measured */
  seconds: number;
  latencies: Samples;
  /** streaming only: time to first body byte */
  ttfb?: Samples;
  /** first non-2xx status and a bit of its body, for the report */
  sample?: string;
  /** CPU time the target's process used during the load (user + system), set by the orchestrator */
  cpuMs?: number;
}

export function nonStreamLoad(t: Target, connections: number, seconds: number): Promise<LoadResult> {
  const latencies = new Samples();
  let non2xx = 0;
  let sample: string | undefined;
  return new Promise((resolve, reject) => {
    const inst = autocannon(
      {
        url: `${t.base}/chat/completions`,
        method: 'POST',
        headers: { 'content-type': 'application/json', ...t.headers },
        body: CHAT_BODY,
        connections,
        pipelining: 1,
        duration: seconds,
        timeout: 10,
      },
      (err, res) => {
        if (err) return reject(err);
        resolve({
          ok: latencies.length,
          non2xx,
          errors: res.errors + res.timeouts,
          seconds: res.duration,
          latencies,
          sample,
        });
      },
    );
    inst.on('response', (_client: unknown, statusCode: number, _bytes: number, responseTime: number) => {
      if (statusCode >= 200 && statusCode < 300) latencies.push(responseTime);
      else {
        non2xx++;
        if (!sample) sample = `HTTP ${statusCode}`;
      }
    });
  });
}

export async function streamLoad(t: Target, concurrency: number, seconds: number): Promise<LoadResult> {
  const url = new URL(t.base);
  const path = `${url.pathname}/chat/completions`;
  const headers = { 'content-type': 'application/json', ...t.headers };
  const pool = new Pool(url.origin, { connections: concurrency, keepAliveTimeout: 30_000 });
  const latencies = new Samples();
  const ttfb = new Samples();
  let non2xx = 0;
  let errors = 0;
  let sample: string | undefined;
  const start = performance.now();
  const end = start + seconds * 1000;

  const one = async (): Promise<void> => {
    const t0 = performance.now();
    let first = 0;
    let tail = '';
    const res = await pool.request({ path, method: 'POST', headers, body: CHAT_STREAM_BODY });
    await new Promise<void>((resolve, reject) => {
      res.body.on('data', (c: Buffer) => {
        if (first === 0) first = performance.now();
        // keep only the end: enough to see the terminating [DONE]
        tail = (tail + c.toString('latin1')).slice(-64);
      });
      res.body.once('end', resolve);
      res.body.once('error', reject);
    });
    const t1 = performance.now();
    if (res.statusCode < 200 || res.statusCode >= 300) {
      non2xx++;
      if (!sample) sample = `HTTP ${res.statusCode}: ${tail}`;
    } else if (!tail.includes('data: [DONE]')) {
      errors++;
      if (!sample) sample = `stream did not end with [DONE]: …${tail}`;
    } else {
      ttfb.push(first - t0);
      latencies.push(t1 - t0);
    }
  };

  const loop = async (): Promise<void> => {
    while (performance.now() < end) {
      try {
        await one();
      } catch (err) {
        errors++;
        if (!sample) sample = (err as Error).message;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, loop));
  const secondsRun = (performance.now() - start) / 1000;
  await pool.close();
  return { ok: latencies.length, non2xx, errors, seconds: secondsRun, latencies, ttfb, sample };
}

/** One request of each kind, checked for shape: a target that cannot answer is reported, not measured. */
export async function verifyTarget(t: Target): Promise<string | null> {
  const url = new URL(t.base);
  const pool = new Pool(url.origin, { connections: 1 });
  try {
    const headers = { 'content-type': 'application/json', ...t.headers };
    const r1 = await pool.request({
      path: `${url.pathname}/chat/completions`,
      method: 'POST',
      headers,
      body: CHAT_BODY,
    });
    const b1 = await r1.body.text();
    if (r1.statusCode !== 200) return `non-stream request answered HTTP ${r1.statusCode}: ${b1.slice(0, 300)}`;
    const j = JSON.parse(b1) as { choices?: Array<{ message?: { content?: string } }> };
    if (typeof j.choices?.[0]?.message?.content !== 'string')
      return `non-stream answer has no choices[0].message.content: ${b1.slice(0, 300)}`;
    const r2 = await pool.request({
      path: `${url.pathname}/chat/completions`,
      method: 'POST',
      headers,
      body: CHAT_STREAM_BODY,
    });
    const b2 = await r2.body.text();
    if (r2.statusCode !== 200) return `stream request answered HTTP ${r2.statusCode}: ${b2.slice(0, 300)}`;
    if (!b2.includes('data: [DONE]') || !b2.includes('tok0')) return `stream answer is incomplete: ${b2.slice(0, 300)}`;
    return null;
  } catch (err) {
    return `request failed: ${(err as Error).message}`;
  } finally {
    await pool.close();
  }
}
