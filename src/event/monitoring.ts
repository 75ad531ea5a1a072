/**
 * Lane monitoring: per-lane metrics sampled every `checkIntervalMs`, and alerts on depth
 * thresholds, backpressure ratios and latency budgets that fire when a level is entered and when
 * it clears — never on every sample.
 */
import { Observable, map, share, takeUntil, type SchedulerLike } from 'rxjs';
import type { DegradationLevel, EventPriority, LaneKey, OverflowPolicy } from './contracts.js';
import type { AlertThresholds, MonitoringConfig } from './config.js';
import type { LatencySummary } from './histogram.js';
import type { LaneCounters } from './buffer/types.js';
import { instrument } from '../debug/instrument.js';
import { intervalOn } from '../scheduling/timer.js';

/**
 * One lane's figures at a sampling instant. Counters are running totals since construction; those
 * the lane buffer keeps (`enqueued`, `evicted`, `collapsed`, `rejected`, `blocked`, `released`,
 * `shutdown`) are its {@link LaneCounters}.
 */
export interface LaneMetrics
  extends Pick<LaneCounters, 'enqueued' | 'evicted' | 'collapsed' | 'rejected' | 'blocked' | 'released' | 'shutdown'> {
  readonly priority: EventPriority;
  readonly lane: LaneKey;
  readonly policy: OverflowPolicy;
  /** Events queued in the lane buffer. */
  readonly depth: number;
  readonly capacity: number;
  /** `depth / capacity`, in [0, 1]. */
  readonly utilisation: number;
  /** Producers (events) waiting for room: BLOCK, or undroppable events in a full lane. */
  readonly producersWaiting: number;
  /** True while degradation (or the lack of a handler, or a stopped dispatcher) pauses the lane. */
  readonly paused: boolean;
  /** Batches being handled right now. */
  readonly inFlightBatches: number;
  /** Events in those batches. */
  readonly inFlightEvents: number;
  /** Events delivered to every handler (and, when `requiresAck`, acknowledged by all). */
  readonly handled: number;
  /** `requiresAck` events of batches a handler failed. */
  readonly failed: number;
  /** Events whose enqueue→done latency exceeded their `maxProcessTimeMs`. */
  readonly budgetBreaches: number;
  /** Handler latency (enqueue → done, ms) over the lane's sliding window. */
  readonly latency: LatencySummary;
}

/**
 * All lanes at one sampling instant. Per lane the accounting identity holds:
 * `enqueued = handled + failed + evicted + collapsed + rejected + shutdown + depth + producersWaiting + inFlightEvents`.
 */
export interface DispatcherMetrics {
  /** Epoch ms from the dispatcher's scheduler. */
  readonly at: number;
  readonly degradationLevel: DegradationLevel;
  /** Indexed by priority. */
  readonly lanes: readonly LaneMetrics[];
}

/** What an alert watches. */
export type AlertKind = 'depth' | 'backpressure' | 'latency';
/** Severity of an alert; `ok` is the cleared state. */
export type AlertLevel = 'ok' | 'warning' | 'critical';

/** A change of one alert's level on one lane (entered, escalated, eased or cleared). */
export interface DispatcherAlert {
  readonly at: number;
  readonly priority: EventPriority;
  readonly kind: AlertKind;
  /** The level now in force; `ok` means the alert cleared. */
  readonly level: AlertLevel;
  readonly previous: AlertLevel;
  /** The measured value (depth, utilisation ratio, or p99 latency in ms). */
  readonly value: number;
  /** The threshold crossed (or, when clearing, the warning threshold). */
  readonly threshold: number;
  readonly message: string;
}

/** One alert's evaluated level for a sample. */
export interface AlertReading {
  readonly priority: EventPriority;
  readonly kind: AlertKind;
  readonly level: AlertLevel;
  readonly value: number;
  readonly threshold: number;
}

const DEPTH_KEYS = ['p0Depth', 'p1Depth', 'p2Depth', 'p3Depth'] as const;
const BUDGET_KEYS: readonly ('p0' | 'p1' | 'p2' | undefined)[] = ['p0', 'p1', 'p2', undefined];

function levelOf(value: number, thresholds: AlertThresholds): AlertReading['level'] {
  if (value >= thresholds.critical) return 'critical';
  if (value >= thresholds.warning) return 'warning';
  return 'ok';
}

/**
 * Evaluates every alert for one sample: depth (lanes with thresholds), backpressure (P1, P2) and
 * latency (lanes with a budget, and any lane whose events breached their own `maxProcessTimeMs`).
 * Latency is `critical` when the window's p99 exceeds the lane budget, `warning` when events
 * breached their budget since the previous sample.
 *
 * @param metrics the sample
 * @param config the monitoring configuration
 * @param previous the previous sample (for the breach counters), or undefined
 */
export function readAlerts(metrics: DispatcherMetrics, config: MonitoringConfig, previous?: DispatcherMetrics): AlertReading[] {
  const readings: AlertReading[] = [];
  for (const lane of metrics.lanes) {
    const p = lane.priority;
    const depthThresholds = config.alerts[DEPTH_KEYS[p]];
    if (depthThresholds !== null) {
      const level = levelOf(lane.depth, depthThresholds);
      readings.push({ priority: p, kind: 'depth', level, value: lane.depth, threshold: level === 'critical' ? depthThresholds.critical : depthThresholds.warning });
    }
    const ratioThresholds = p === 1 ? config.backpressure.p1 : p === 2 ? config.backpressure.p2 : undefined;
    if (ratioThresholds !== undefined) {
      const level = levelOf(lane.utilisation, ratioThresholds);
      readings.push({ priority: p, kind: 'backpressure', level, value: lane.utilisation, threshold: level === 'critical' ? ratioThresholds.critical : ratioThresholds.warning });
    }
    const budgetKey = BUDGET_KEYS[p];
    // Stryker disable next-line ConditionalExpression: P3's budget read as undefined compares and shows as Infinity does (p99 > undefined is false; threshold 0)
    const budget = budgetKey === undefined ? Number.POSITIVE_INFINITY : config.latencyBudgetMs[budgetKey];
    const newBreaches = lane.budgetBreaches - (previous?.lanes[p]?.budgetBreaches ?? 0);
    const p99 = lane.latency.p99;
    const level: AlertLevel = p99 > budget ? 'critical' : newBreaches > 0 ? 'warning' : 'ok';
    readings.push({ priority: p, kind: 'latency', level, value: Number.isNaN(p99) ? 0 : p99, threshold: Number.isFinite(budget) ? budget : 0 });
  }
  return readings;
}

function describe(reading: AlertReading, previous: AlertLevel): string {
  const lane = `P${reading.priority}`;
  if (reading.level === 'ok') return `${lane} ${reading.kind} cleared (was ${previous}): ${reading.value}`;
  switch (reading.kind) {
    case 'depth':
      return `${lane} depth ${reading.value} ≥ ${reading.threshold} (${reading.level})`;
    case 'backpressure':
      return `${lane} utilisation ${reading.value.toFixed(3)} ≥ ${reading.threshold} (${reading.level})`;
    case 'latency':
      return reading.level === 'critical'
        ? `${lane} latency p99 ${reading.value.toFixed(3)} ms > budget ${reading.threshold} ms (critical)`
        : `${lane} events exceeded their maxProcessTimeMs since the last sample (warning)`;
  }
}

/**
 * Turns a stream of samples into alerts, emitted only when an alert's level changes (entering
 * warning or critical, moving between them, or clearing back to ok).
 *
 * ```
 * depth : -a-b-c-d-e-f-     P0 depth a 10, b 60, c 60, d 90, e 60, f 10 (warning 50, critical 80)
 * alerts: ---W---C-E-K-     W entered warning, C critical, E eased to warning, K cleared (ok)
 * ```
 *
 * @param config thresholds and budgets
 * @return an operator from samples to alert changes
 */
export function detectAlerts(config: MonitoringConfig): (metrics$: Observable<DispatcherMetrics>) => Observable<DispatcherAlert> {
  return (metrics$) =>
    new Observable<DispatcherAlert>((subscriber) => {
      const levels = new Map<string, AlertLevel>();
      let previous: DispatcherMetrics | undefined;
      return metrics$.subscribe({
        next: (metrics) => {
          for (const reading of readAlerts(metrics, config, previous)) {
            const key = `${reading.priority}:${reading.kind}`;
            const before = levels.get(key) ?? 'ok';
            if (before === reading.level) continue;
            levels.set(key, reading.level);
            subscriber.next(Object.freeze({ at: metrics.at, ...reading, previous: before, message: describe(reading, before) }));
          }
          previous = metrics;
        },
        error: (error: unknown) => subscriber.error(error),
        complete: () => subscriber.complete(),
      });
    });
}

/** The monitoring streams of a dispatcher. */
export interface MonitoringStreams {
  /** A sample every `checkIntervalMs` while subscribed. */
  readonly metrics$: Observable<DispatcherMetrics>;
  /** Alert level changes, from the same samples. */
  readonly alerts$: Observable<DispatcherAlert>;
}

/**
 * Builds `metrics$` and `alerts$` over a sampling function: the timer runs on `scheduler` only while
 * someone subscribes, is shared between subscribers, and stops when `stop$` emits.
 *
 * @param sample reads the current figures
 * @param config monitoring configuration (interval, thresholds, budgets)
 * @param scheduler the clock and timer
 * @param stop$ ends both streams
 */
export function createMonitoring(
  sample: () => DispatcherMetrics,
  config: MonitoringConfig,
  scheduler: SchedulerLike,
  stop$: Observable<unknown>,
): MonitoringStreams {
  const samples$ = intervalOn(scheduler, config.checkIntervalMs).pipe(
    map(() => sample()),
    takeUntil(stop$),
    share(),
  );
  // The hook wraps what the user holds, after share(), as for every other stream: a debugger sees
  // each subscriber's values and the completion at stop.
  const metrics$ = samples$.pipe(instrument<DispatcherMetrics>('dispatcher.metrics'));
  const alerts$ = samples$.pipe(detectAlerts(config), share(), instrument<DispatcherAlert>('dispatcher.alerts'));
  return { metrics$, alerts$ };
}
