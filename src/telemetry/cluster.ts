// Metrics of `arouter serve --workers N`: every worker counts its own requests, and a scrape must see the whole
// server, not whichever worker the cluster handed the connection to. So a worker asked for /metrics asks its
// primary, which collects every worker's registry through prom-client's AggregatorRegistry (counters and
// histograms summed, per-worker gauges summed or maxed as each declares) and answers with the one text.
import cluster from 'node:cluster';
import { AggregatorRegistry, type Registry } from 'prom-client';

const ASK = 'arouter:metrics-ask';
const ANSWER = 'arouter:metrics-answer';
/** prom-client's own per-worker timeout is 5 s; the primary's answer comes after it */
const ANSWER_TIMEOUT_MS = 6_000;

interface Ask {
  type: typeof ASK;
  id: number;
}
interface Answer {
  type: typeof ANSWER;
  id: number;
  text?: string;
  error?: string;
}

/** in a cluster worker: this registry is what the primary collects */
export function shareWithPrimary(registry: Registry): void {
  AggregatorRegistry.setRegistries([registry]);
  // the constructor installs prom-client's worker-side listener for the primary's collection requests
  new AggregatorRegistry();
}

let seq = 0;
const waiting = new Map<number, { resolve: (t: string) => void; reject: (e: Error) => void }>();
let listening = false;

/** in a cluster worker: the whole server's metrics text, from the primary */
export function askPrimary(): Promise<string> {
  if (!listening) {
    listening = true;
    process.on('message', (m: Answer) => {
      if (m?.type !== ANSWER) return;
      const w = waiting.get(m.id);
      if (!w) return;
      waiting.delete(m.id);
      if (m.text !== undefined) w.resolve(m.text);
      else w.reject(new Error(m.error ?? 'no metrics from the primary'));
    });
  }
  const id = ++seq;
  return new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      waiting.delete(id);
      reject(new Error(`the cluster primary did not answer within ${ANSWER_TIMEOUT_MS} ms`));
    }, ANSWER_TIMEOUT_MS);
    timer.unref();
    waiting.set(id, {
      resolve: (t) => (clearTimeout(timer), resolve(t)),
      reject: (e) => (clearTimeout(timer), reject(e)),
    });
    process.send!({ type: ASK, id } satisfies Ask);
  });
}

/** in the cluster primary: answers the workers' asks with every worker's metrics, aggregated */
export function answerWorkers(): void {
  const aggregator = new AggregatorRegistry();
  cluster.on('message', (worker, m: Ask) => {
    if (m?.type !== ASK) return;
    aggregator.clusterMetrics().then(
      (text) => worker.send({ type: ANSWER, id: m.id, text } satisfies Answer),
      (err: Error) => worker.send({ type: ANSWER, id: m.id, error: err.message } satisfies Answer),
    );
  });
}

export const inClusterWorker = (): boolean => cluster.isWorker && typeof process.send === 'function';
