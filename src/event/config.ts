/**
 * The typed event configuration: the camelCased `event:` block of `config/event.yaml`.
 *
 * The shipped file is the single source of the defaults; files and partials from code are
 * deep-merged over it, validated, and returned deeply frozen.
 */
import { SHIPPED_EVENT_YAML } from '../config/shipped.js';
import { createConfigLoader, type CrossFieldProblem } from '../config/loader.js';
import {
  nonNegativeInteger,
  nonNegativeNumber,
  oneOf,
  positiveFraction,
  positiveInteger,
  positiveIntegerAtMost,
  positiveNumber,
  section,
} from '../config/schema.js';
import { z } from 'zod';
import type { DeepPartial } from '../common/plain.js';
import { LANE_KEYS, OverflowPolicy } from './contracts.js';
import { isUserEventTypeName, type EventTypeOptions } from './event-types.js';

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
  /** Events per delivered batch; 1 = no batching. A value above `capacity` acts as `capacity` (a batch never holds more than its lane). */
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
  /**
   * Users' own event types (the `event_types:` block): name → lane and per-event defaults. A
   * dispatcher built with this configuration registers them (see `registerEventType`).
   */
  readonly eventTypes: Readonly<Record<string, EventTypeOptions>>;
}

/** Largest lane capacity: a full lane this size already holds ≈ 350 MB of ring slots beside its events. */
export const MAX_LANE_CAPACITY = 16_777_216;
/** Largest latency window: the samples of every lane are reserved up front (8 bytes each). */
export const MAX_LATENCY_WINDOW = 1_000_000;

const laneSchema = section({
  capacity: positiveInteger(),
  overflow_policy: oneOf(Object.values(OverflowPolicy) as [OverflowPolicy, ...OverflowPolicy[]]),
  batch_size: positiveInteger(),
  batch_timeout_ms: nonNegativeNumber('milliseconds'),
  sample_rate: positiveFraction(),
  concurrency: positiveInteger(),
  max_starvation_ms: positiveNumber('milliseconds').nullable().describe('null (off) or a number of milliseconds > 0'),
});

const depthThresholds = section({ warning: positiveInteger(), critical: positiveInteger() });
const ratioThresholds = section({ warning: positiveFraction(), critical: positiveFraction() });

const eventBlockSchema = section({
  queues: section({ p0: laneSchema, p1: laneSchema, p2: laneSchema, p3: laneSchema }),
  monitoring: section({
    check_interval_ms: positiveNumber('milliseconds'),
    latency_window: positiveIntegerAtMost(MAX_LATENCY_WINDOW, 'samples reserved up front per lane, 8 bytes each'),
    alerts: section({
      p0_depth: depthThresholds,
      p1_depth: depthThresholds,
      p2_depth: depthThresholds,
      p3_depth: depthThresholds.nullable().describe('null (off) or a mapping with the keys warning, critical'),
    }),
    backpressure: section({ p1: ratioThresholds, p2: ratioThresholds }),
    latency_budget_ms: section({
      p0: positiveNumber('milliseconds'),
      p1: positiveNumber('milliseconds'),
      p2: positiveNumber('milliseconds'),
    }),
  }),
  stop_timeout_ms: nonNegativeNumber('milliseconds'),
  event_types: z
    .record(z.string(), section({
      priority: z.union([z.literal(0), z.literal(1), z.literal(2), z.literal(3)]).describe('an EventPriority (0, 1, 2 or 3)'),
      requires_ack: flag().optional(),
      max_process_time_ms: nonNegativeInteger().optional(),
      can_batch: flag().optional(),
      can_collapse: flag().optional(),
      can_drop: flag().optional(),
    }))
    .describe('a mapping from event type names to {priority, requires_ack, max_process_time_ms, can_batch, can_collapse, can_drop}'),
});

function flag() {
  return z.boolean().describe('true or false');
}

type EventBlock = ReturnType<typeof eventBlockSchema.parse>;
type Thresholds = { readonly warning: number; readonly critical: number };

/** `warning` must be below `critical` (a warning that comes after the critical alert warns of nothing). */
function warningBelowCritical(path: readonly string[], thresholds: Thresholds): CrossFieldProblem[] {
  if (thresholds.warning < thresholds.critical) return [];
  const at = path.join('.');
  return [
    [
      { path: [...path, 'warning'], expected: `a value below ${at}.critical (${thresholds.critical})`, received: String(thresholds.warning) },
      { path: [...path, 'critical'], expected: `a value above ${at}.warning (${thresholds.warning})`, received: String(thresholds.critical) },
    ],
  ];
}

/** Cross-field rules of the event block (SPEC 3): thresholds ordered, depth alerts reachable. */
function checkEventBlock(block: EventBlock): CrossFieldProblem[] {
  const problems: CrossFieldProblem[] = [];
  for (const lane of LANE_KEYS) {
    const depth = block.monitoring.alerts[`${lane}_depth`];
    if (depth === null) continue;
    const alertPath = ['event', 'monitoring', 'alerts', `${lane}_depth`];
    problems.push(...warningBelowCritical(alertPath, depth));
    const capacity = block.queues[lane].capacity;
    const capacityPath = ['event', 'queues', lane, 'capacity'];
    // An alert at or above capacity can never fire before the lane is full. One report per lane:
    // the critical level first, as it is the larger when the two are in order.
    const level = depth.critical >= capacity ? 'critical' : depth.warning >= capacity ? 'warning' : null;
    if (level !== null) {
      problems.push([
        { path: [...alertPath, level], expected: `a depth below ${capacityPath.join('.')} (${capacity})`, received: String(depth[level]) },
        { path: capacityPath, expected: `a capacity above ${alertPath.join('.')}.${level} (${depth[level]})`, received: String(capacity) },
      ]);
    }
  }
  for (const lane of LANE_KEYS) {
    const capacity = block.queues[lane].capacity;
    if (capacity > MAX_LANE_CAPACITY) {
      const expected = `a positive integer <= ${MAX_LANE_CAPACITY} (a full lane this size already holds about 350 MB of ring slots)`;
      problems.push([{ path: ['event', 'queues', lane, 'capacity'], expected, received: String(capacity) }]);
    }
  }
  for (const lane of ['p1', 'p2'] as const) {
    problems.push(...warningBelowCritical(['event', 'monitoring', 'backpressure', lane], block.monitoring.backpressure[lane]));
  }
  for (const name of Object.keys(block.event_types)) {
    if (isUserEventTypeName(name)) continue;
    problems.push([
      { path: ['event', 'event_types', name], expected: 'an UPPER_SNAKE_CASE name that is not a built-in event type', received: JSON.stringify(name) },
    ]);
  }
  return problems;
}

const loader = createConfigLoader<EventBlock, EventConfig>({
  rootKey: 'event',
  schema: eventBlockSchema,
  crossCheck: checkEventBlock,
  shipped: { text: SHIPPED_EVENT_YAML, file: 'config/event.yaml' },
});

/**
 * The shipped defaults (`config/event.yaml`, built into the package), parsed once on first use,
 * deeply frozen. Reading a file of your own: `loadEventConfig` from `qts-reactive/node`.
 */
export function defaultEventConfig(): EventConfig {
  return loader.defaults();
}

/**
 * Parses an event configuration from YAML text and deep-merges it over the defaults.
 * @param text a YAML document with an `event:` block (every key optional)
 * @param fileName named in error messages
 * @throws {ConfigError} naming the file, line:column, key path, what was expected and what came
 */
export function parseEventConfig(text: string, fileName?: string): EventConfig {
  return loader.parse(text, fileName);
}

/**
 * The full configuration: `partial` (camelCase, as from code) deep-merged over the shipped
 * defaults, validated with the same rules and messages as a file (without file and line).
 *
 * @example
 * ```ts
 * const config = resolveEventConfig({ queues: { p1: { batchSize: 10 } } });
 * config.queues.p1.capacity; // 10000, the default
 * ```
 * @throws {ConfigError} naming the snake_case key path, what was expected and what came
 */
export function resolveEventConfig(partial?: DeepPartial<EventConfig>): EventConfig {
  return loader.resolve(partial);
}
