/**
 * What the collectors of `qts-reactive/prometheus` share: their options, the handle they return,
 * and a reading taken at most once per scrape.
 */
import { register as globalRegistry, type Metric, type Registry } from 'prom-client';

/** Options of every collector. */
export interface CollectorOptions {
  /** Where the metrics are registered (default: prom-client's global registry). */
  readonly registry?: Registry;
  /** Prefix of every metric name (default `qts_`). */
  readonly prefix?: string;
  /**
   * Labels added to every series, e.g. `{ dispatcher: 'orders' }` to tell apart two dispatchers in
   * one registry. Their names must not be a collector's own labels (`lane`, `reason`, …).
   */
  readonly labels?: Readonly<Record<string, string>>;
}

/** What a collector returns. */
export interface Collector {
  /** The registry the metrics are in. */
  readonly registry: Registry;
  /** The names of the metrics it registered. */
  readonly metricNames: readonly string[];
  /** Removes its metrics from the registry and stops following its source. */
  remove(): void;
}

/** The resolved options. */
export interface ResolvedCollectorOptions {
  readonly registry: Registry;
  readonly prefix: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly labelNames: readonly string[];
}

/** Fills in the defaults and checks the extra labels against the collector's own. */
export function resolveCollectorOptions(options: CollectorOptions, ownLabels: readonly string[]): ResolvedCollectorOptions {
  const labels = options.labels ?? {};
  for (const name of Object.keys(labels)) {
    if (ownLabels.includes(name)) throw new TypeError(`labels.${name}: expected a label name other than ${ownLabels.join(', ')}, got ${name}`);
  }
  return { registry: options.registry ?? globalRegistry, prefix: options.prefix ?? 'qts_', labels, labelNames: Object.keys(labels) };
}

/**
 * A value read from its source at most once per scrape: prom-client runs every metric's `collect`
 * in one synchronous pass, so the reading is kept until the microtasks after it.
 */
export function oncePerScrape<T>(read: () => T): () => T {
  let cached: { value: T } | null = null;
  return () => {
    if (cached === null) {
      cached = { value: read() };
      queueMicrotask(() => {
        cached = null;
      });
    }
    return cached.value;
  };
}

/** Registers `metrics` in the registry and builds the handle that removes them. */
export function registerAll(registry: Registry, metrics: readonly Metric[], onRemove: () => void): Collector {
  for (const metric of metrics) registry.registerMetric(metric);
  const metricNames = metrics.map((metric) => (metric as unknown as { name: string }).name);
  let removed = false;
  return {
    registry,
    metricNames,
    remove() {
      if (removed) return;
      removed = true;
      for (const name of metricNames) registry.removeSingleMetric(name);
      onRemove();
    },
  };
}
