// A sub-millisecond metronome for the fixed-rate generator. Node's timers fire on the event loop's
// millisecond clock, so a request due 0.2 ms from now leaves ~1 ms late (measured: p50 send delay 0.6–0.8 ms
// with setTimeout at 1,000–5,000 req/s, more than the upstream's own 0.2 ms answer). A worker thread sleeps
// in Atomics.wait (a condition variable with a fractional-ms timeout, no busy loop) until each due time and
// posts a tick; the main thread wakes on it and sends everything due. Both threads read the same monotonic
// clock (process.hrtime), so the schedule is one schedule.
import { Worker } from 'node:worker_threads';

// plain CommonJS, evaluated in the worker: no build step or tsx needed in either mode
const METRONOME = `
const { parentPort, workerData } = require('node:worker_threads');
const { interval, total, stop } = workerData;
const cell = new Int32Array(stop);
const nowMs = () => Number(process.hrtime.bigint()) / 1e6;
parentPort.once('message', (startMs) => {
  for (let i = 0; i < total && Atomics.load(cell, 0) === 0; i++) {
    const wait = startMs + i * interval - nowMs();
    if (wait > 0) Atomics.wait(cell, 0, 0, wait);
    parentPort.postMessage(i);
  }
});
`;

/** milliseconds on the clock the metronome uses */
export const hrMs = (): number => Number(process.hrtime.bigint()) / 1e6;

export interface Metronome {
  /** ticks begin at startMs (hrMs clock) */
  start(startMs: number): void;
  stop(): Promise<void>;
}

/**
 * calls onTick(i) at about start + i × interval for i < total, on the main thread's event loop; resolves once
 * the worker runs, so the schedule does not begin with its start-up
 */
export async function metronome(interval: number, total: number, onTick: (i: number) => void): Promise<Metronome> {
  const stop = new SharedArrayBuffer(4);
  const w = new Worker(METRONOME, { eval: true, workerData: { interval, total, stop } });
  w.on('message', onTick);
  w.on('error', (err) => {
    // without ticks the generator would stall silently; a crash of the bench is the honest outcome
    throw err;
  });
  await new Promise<void>((r) => w.once('online', r));
  return {
    start(startMs: number) {
      w.postMessage(startMs);
    },
    async stop() {
      const cell = new Int32Array(stop);
      Atomics.store(cell, 0, 1);
      Atomics.notify(cell, 0);
      await w.terminate();
    },
  };
}
