/**
 * A Prometheus histogram filled in bulk when it is scraped: prom-client's `Histogram` takes one
 * value per `observe` call (a label lookup and a bucket search each), which made a scrape of four
 * full latency windows cost about a millisecond. This one counts a lane's new samples in one
 * tight loop. It follows prom-client's metric protocol (`name`, `help`, `type`, `get()`,
 * `reset()`), so a prom-client `Registry` serves it like its own metrics.
 */
import type { Metric } from 'prom-client';

/** One label set's cumulative counts. */
export class HistogramSeries {
  /** Observations per bucket, not cumulative; the last slot is +Inf. */
  private readonly counts: Float64Array;
  private sum = 0;
  private count = 0;

  constructor(
    readonly labels: Readonly<Record<string, string>>,
    private readonly upperBounds: readonly number[],
  ) {
    this.counts = new Float64Array(upperBounds.length + 1);
  }

  /** Counts one observation of `value`. */
  observe(value: number): void {
    const bounds = this.upperBounds;
    let i = 0;
    while (i < bounds.length && value > bounds[i]!) i++;
    this.counts[i]!++;
    this.sum += value;
    this.count++;
  }

  /** The exposition values: cumulative `_bucket`s (with `le`), `_sum` and `_count`. */
  values(name: string): { labels: Record<string, string | number>; value: number; metricName: string }[] {
    const out: { labels: Record<string, string | number>; value: number; metricName: string }[] = [];
    let cumulative = 0;
    this.upperBounds.forEach((bound, i) => {
      cumulative += this.counts[i]!;
      out.push({ labels: { ...this.labels, le: bound }, value: cumulative, metricName: `${name}_bucket` });
    });
    out.push({ labels: { ...this.labels, le: '+Inf' }, value: this.count, metricName: `${name}_bucket` });
    out.push({ labels: { ...this.labels }, value: this.sum, metricName: `${name}_sum` });
    out.push({ labels: { ...this.labels }, value: this.count, metricName: `${name}_count` });
    return out;
  }
}

/** A histogram metric whose `collect` adds observations in bulk on every scrape. */
export class BulkHistogram {
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  private readonly series = new Map<string, HistogramSeries>();

  /**
   * @param name the metric name (without `_bucket` etc.)
   * @param help its help text
   * @param upperBounds the buckets' upper bounds, ascending (+Inf is added)
   * @param collect called on every scrape before the values are read
   */
  constructor(
    readonly name: string,
    readonly help: string,
    private readonly upperBounds: readonly number[],
    private readonly collect: (histogram: BulkHistogram) => void,
  ) {}

  /** The series of `labels`, created (all zero) on first use. */
  seriesOf(labels: Readonly<Record<string, string>>): HistogramSeries {
    const key = JSON.stringify(Object.entries(labels).sort(([a], [b]) => a.localeCompare(b)));
    let series = this.series.get(key);
    if (series === undefined) {
      series = new HistogramSeries(labels, this.upperBounds);
      this.series.set(key, series);
    }
    return series;
  }

  /** prom-client's metric protocol: collects, then returns every series' values. */
  get(): Promise<{ name: string; help: string; type: string; aggregator: string; values: ReturnType<HistogramSeries['values']> }> {
    this.collect(this);
    const values = [...this.series.values()].flatMap((series) => series.values(this.name));
    return Promise.resolve({ name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values });
  }

  /** prom-client's metric protocol: forgets every observation. */
  reset(): void {
    this.series.clear();
  }

  /** This histogram as what a prom-client `Registry` registers. */
  asMetric(): Metric {
    return this as unknown as Metric;
  }
}
