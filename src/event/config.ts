/**
 * The typed event configuration: the camelCased `event:` block of `config/event.yaml`.
 *
 * NOTE(foundation): the YAML loader, validation and error messages are being built; until then
 * `resolveEventConfig` returns the design's defaults merged with a partial.
 */
import type { OverflowPolicy } from './contracts.js';

/** Warning and critical thresholds of one alert. */
export interface AlertThresholds {
  readonly warning: number;
  readonly critical: number;
}

/** One lane's buffer, batching and scheduling. */
export interface LaneConfig {
  /** Bounded buffer size (events). */
  readonly capacity: number;
  readonly overflowPolicy: OverflowPolicy;
  /** Events per delivered batch; 1 = no batching. */
  readonly batchSize: number;
  /** A batch is delivered at the latest this long after its oldest event was queued. */
  readonly batchTimeoutMs: number;
  /** SAMPLE only: fraction admitted at capacity, in (0, 1]. */
  readonly sampleRate: number;
  /** Batches in flight at once for this lane (1 keeps the lane's order). */
  readonly concurrency: number;
  /** When set, a lane that has waited this long for a turn takes one despite higher lanes. */
  readonly maxStarvationMs: number | null;
}

/** Monitoring sample interval, alert thresholds and latency budgets. */
export interface MonitoringConfig {
  readonly checkIntervalMs: number;
  /** Latency samples kept per lane for p50 / p99 / max. */
  readonly latencyWindow: number;
  readonly alerts: {
    readonly p0Depth: AlertThresholds;
    readonly p1Depth: AlertThresholds;
    readonly p2Depth: AlertThresholds;
    readonly p3Depth: AlertThresholds | null;
  };
  /** Utilisation ratios (depth / capacity) that raise backpressure alerts. */
  readonly backpressure: {
    readonly p1: AlertThresholds;
    readonly p2: AlertThresholds;
  };
  /** Handler latency budgets in ms (enqueue → done); P3 is best effort. */
  readonly latencyBudgetMs: {
    readonly p0: number;
    readonly p1: number;
    readonly p2: number;
  };
}

/** The whole event configuration. */
export interface EventConfig {
  readonly queues: {
    readonly p0: LaneConfig;
    readonly p1: LaneConfig;
    readonly p2: LaneConfig;
    readonly p3: LaneConfig;
  };
  readonly monitoring: MonitoringConfig;
  /** How long stop() drains P1–P3 before reporting the rest as 'shutdown' drops. */
  readonly stopTimeoutMs: number;
}

/** A recursively optional view of `T`, as accepted by constructors and loaders. */
export type DeepPartial<T> = T extends readonly unknown[]
  ? T
  : T extends object
    ? { readonly [K in keyof T]?: DeepPartial<T[K]> | undefined }
    : T;

// TEMPORARY until the loader lands: the design's defaults, merged shallowly per lane.
const TEMP_DEFAULT: EventConfig = {
  queues: {
    p0: { capacity: 100, overflowPolicy: 'BLOCK', batchSize: 1, batchTimeoutMs: 0, sampleRate: 1, concurrency: 1, maxStarvationMs: null },
    p1: { capacity: 10000, overflowPolicy: 'DROP_OLDEST', batchSize: 100, batchTimeoutMs: 10, sampleRate: 1, concurrency: 1, maxStarvationMs: null },
    p2: { capacity: 1000, overflowPolicy: 'COLLAPSE', batchSize: 50, batchTimeoutMs: 100, sampleRate: 1, concurrency: 1, maxStarvationMs: null },
    p3: { capacity: 50000, overflowPolicy: 'SAMPLE', batchSize: 100, batchTimeoutMs: 1000, sampleRate: 0.1, concurrency: 1, maxStarvationMs: null },
  },
  monitoring: {
    checkIntervalMs: 100,
    latencyWindow: 1024,
    alerts: {
      p0Depth: { warning: 50, critical: 80 },
      p1Depth: { warning: 7000, critical: 9000 },
      p2Depth: { warning: 800, critical: 950 },
      p3Depth: null,
    },
    backpressure: { p1: { warning: 0.7, critical: 0.9 }, p2: { warning: 0.8, critical: 0.95 } },
    latencyBudgetMs: { p0: 10, p1: 50, p2: 500 },
  },
  stopTimeoutMs: 5000,
};

/** The full configuration: `partial` deep-merged over the shipped defaults, validated. */
export function resolveEventConfig(partial: DeepPartial<EventConfig> = {}): EventConfig {
  const q = partial.queues ?? {};
  return {
    ...TEMP_DEFAULT,
    ...(partial.stopTimeoutMs !== undefined ? { stopTimeoutMs: partial.stopTimeoutMs } : {}),
    queues: {
      p0: { ...TEMP_DEFAULT.queues.p0, ...(q.p0 as object) },
      p1: { ...TEMP_DEFAULT.queues.p1, ...(q.p1 as object) },
      p2: { ...TEMP_DEFAULT.queues.p2, ...(q.p2 as object) },
      p3: { ...TEMP_DEFAULT.queues.p3, ...(q.p3 as object) },
    },
    monitoring: { ...TEMP_DEFAULT.monitoring, ...(partial.monitoring as object) } as MonitoringConfig,
  };
}
