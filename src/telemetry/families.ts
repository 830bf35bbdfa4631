// Counters and histograms for the request path, shaped as prom-client metrics (a registry formats them, the
// cluster aggregator sums them) but cheap to update. prom-client's own inc()/observe() build and sort a label
// hash and validate the labels on every call, children included: 0.4–1.6 µs each, measured (Node 20), ~10 of
// them per request. Here a labelled cell is found once per label set through nested Maps keyed by the label
// values (catalog ids and fixed words: no string is built on the hot path), then updated with a number add
// (~20 ns). The Prometheus text is built only at scrape time, from the cells.

/** a value as prom-client's Registry reads it from get() (its own types for these are not exported) */
export interface SampleValue {
  labels: Record<string, string | number>;
  value: number;
  metricName?: string;
}

export interface MetricJson {
  name: string;
  help: string;
  type: 'counter' | 'histogram';
  aggregator: Aggregator;
  values: SampleValue[];
}

type Aggregator = 'sum' | 'max' | 'first';

export interface CounterCell {
  value: number;
}

export interface HistogramCell {
  /** per bucket, not cumulative; the last is +Inf */
  readonly counts: Float64Array;
  sum: number;
  count: number;
}

/** Label values → cell, one Map level per label; the cells in creation order for the scrape. */
abstract class Family<C> {
  readonly type: 'counter' | 'histogram';
  readonly aggregator: Aggregator = 'sum';
  private readonly root = new Map<string, unknown>();
  protected readonly cells: Array<{ labels: Record<string, string>; cell: C }> = [];

  constructor(
    readonly name: string,
    readonly help: string,
    readonly labelNames: readonly string[],
    type: 'counter' | 'histogram',
  ) {
    this.type = type;
  }

  protected abstract make(): C;

  /** the cell of these label values (as many as labelNames), made on first use */
  cell(a: string, b?: string, c?: string, d?: string): C {
    const n = this.labelNames.length;
    if (n === 0) return this.leaf(this.root, [], '');
    let m = this.root;
    const v = [a, b, c, d];
    for (let i = 0; i < n - 1; i++) {
      let next = m.get(v[i]!) as Map<string, unknown> | undefined;
      if (next === undefined) m.set(v[i]!, (next = new Map()));
      m = next;
    }
    return this.leaf(m, v, v[n - 1]!);
  }

  private leaf(m: Map<string, unknown>, values: Array<string | undefined>, last: string): C {
    const found = m.get(last) as C | undefined;
    if (found !== undefined) return found;
    const cell = this.make();
    const labels: Record<string, string> = {};
    this.labelNames.forEach((l, i) => (labels[l] = values[i]!));
    this.cells.push({ labels, cell });
    m.set(last, cell);
    return cell;
  }

  reset(): void {
    this.root.clear();
    this.cells.length = 0;
  }
}

/**
 * A counter with labels. The methods below are prom-client's metric interface as its Registry reads it
 * (`get()`, `reset()`, name/help/type/aggregator): registerMetric() takes the family as it takes its own.
 */
export class CounterFamily extends Family<CounterCell> {
  constructor(name: string, help: string, labelNames: readonly string[]) {
    super(name, help, labelNames, 'counter');
  }

  protected make(): CounterCell {
    return { value: 0 };
  }

  get(): MetricJson {
    return {
      name: this.name,
      help: this.help,
      type: 'counter',
      aggregator: this.aggregator,
      values: this.cells.map(({ labels, cell }) => ({ labels, value: cell.value })),
    };
  }
}

export interface PusdCell {
  /** pico-USD, exact (a float sum of dollars would drift, and 2^53 pico-USD is only $9,007) */
  pusd: bigint;
}

/** A counter of money: summed exactly in pico-USD, exposed in USD. */
export class PusdFamily extends Family<PusdCell> {
  constructor(name: string, help: string, labelNames: readonly string[]) {
    super(name, help, labelNames, 'counter');
  }

  protected make(): PusdCell {
    return { pusd: 0n };
  }

  get(): MetricJson {
    return {
      name: this.name,
      help: this.help,
      type: 'counter',
      aggregator: this.aggregator,
      values: this.cells.map(({ labels, cell }) => ({ labels, value: Number(cell.pusd) / 1e12 })),
    };
  }
}

export class HistogramFamily extends Family<HistogramCell> {
  /** upper bounds in seconds, ascending */
  readonly buckets: readonly number[];

  constructor(name: string, help: string, labelNames: readonly string[], buckets: readonly number[]) {
    super(name, help, labelNames, 'histogram');
    this.buckets = buckets;
  }

  protected make(): HistogramCell {
    return { counts: new Float64Array(this.buckets.length + 1), sum: 0, count: 0 };
  }

  get(): MetricJson {
    const values: SampleValue[] = [];
    const bucket = `${this.name}_bucket`;
    for (const { labels, cell } of this.cells) {
      let acc = 0;
      for (let i = 0; i <= this.buckets.length; i++) {
        acc += cell.counts[i];
        const le = i < this.buckets.length ? this.buckets[i] : '+Inf';
        values.push({ metricName: bucket, labels: { ...labels, le }, value: acc });
      }
      values.push({ metricName: `${this.name}_sum`, labels, value: cell.sum });
      values.push({ metricName: `${this.name}_count`, labels, value: cell.count });
    }
    return { name: this.name, help: this.help, type: 'histogram', aggregator: this.aggregator, values };
  }
}

/** Adds one observation (seconds) to a histogram cell. */
export function observe(h: HistogramFamily, cell: HistogramCell, seconds: number): void {
  const b = h.buckets;
  let i = 0;
  while (i < b.length && seconds > b[i]) i++;
  cell.counts[i]++;
  cell.sum += seconds;
  cell.count++;
}
