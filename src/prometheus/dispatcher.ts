/**
 * The Prometheus collector of an {@link EventDispatcher}: every lane's depth, capacity,
 * utilisation, counters, drops by reason, handler latency and alert levels, and the degradation
 * level. Everything is read from the dispatcher when Prometheus scrapes (one `sampleMetrics()` per
 * scrape); nothing is added to the dispatcher's per-event work.
 */
import { Counter, Gauge, type Metric } from 'prom-client';
import { BulkHistogram } from './bulkHistogram.js';
import { DEGRADATION_SEVERITY, DegradationLevel, EVENT_PRIORITIES, type EventPriority } from '../event/contracts.js';
import type { EventDispatcher } from '../event/dispatcher/index.js';
import { readAlerts, type AlertLevel, type DispatcherMetrics, type LaneMetrics } from '../event/monitoring.js';
import { oncePerScrape, registerAll, resolveCollectorOptions, type Collector, type CollectorOptions } from './common.js';

/** An alert level as a number: ok 0, warning 1, critical 2. */
export const ALERT_LEVEL_VALUE: Readonly<Record<AlertLevel, number>> = Object.freeze({ ok: 0, warning: 1, critical: 2 });

const DROP_REASONS = ['evicted', 'collapsed', 'sampled', 'shutdown'] as const;
const OWN_LABELS = ['lane', 'reason', 'kind', 'level', 'quantile', 'le'];

const laneLabel = (priority: EventPriority): string => `P${priority}`;

/**
 * Registers the metrics of `dispatcher` (names with the default prefix `qts_`; `lane` is `P0` … `P3`):
 *
 * | metric | type | what |
 * |---|---|---|
 * | `qts_lane_depth{lane}` | gauge | events queued |
 * | `qts_lane_capacity{lane}` | gauge | the lane's capacity |
 * | `qts_lane_utilisation_ratio{lane}` | gauge | depth / capacity |
 * | `qts_lane_producers_waiting{lane}` | gauge | producers (events) waiting for room |
 * | `qts_lane_in_flight_events{lane}` | gauge | events in batches being handled |
 * | `qts_lane_paused{lane}` | gauge | 1 while degradation (or no handler) pauses the lane |
 * | `qts_lane_enqueued_total{lane}` | counter | events offered to the lane |
 * | `qts_lane_handled_total{lane}` | counter | events every handler finished |
 * | `qts_lane_failed_total{lane}` | counter | `requiresAck` events of failed batches |
 * | `qts_lane_blocked_total{lane}` | counter | offers that had to wait |
 * | `qts_lane_dropped_total{lane,reason}` | counter | evicted, collapsed, sampled, shutdown |
 * | `qts_lane_budget_breaches_total{lane}` | counter | events over their `maxProcessTimeMs` |
 * | `qts_lane_handler_latency_seconds{lane}` | histogram | enqueue → done; buckets: the lane budgets |
 * | `qts_lane_handler_latency_window_seconds{lane,quantile}` | gauge | p50 / p99 / max (quantile 1) of the monitoring window |
 * | `qts_lane_latency_budget_seconds{lane}` | gauge | the lane's budget (P0–P2) |
 * | `qts_lane_alert_level{lane,kind}` | gauge | depth / backpressure / latency alert: 0 ok, 1 warning, 2 critical |
 * | `qts_dispatcher_degradation_level` | gauge | 0 NORMAL, 1 P3_PAUSED, 2 P2_P3_PAUSED, 3 CRITICAL_ONLY |
 * | `qts_dispatcher_degradation{level}` | gauge | 1 for the level in force, 0 for the others |
 *
 * The latency histogram is read from each lane's monitoring window (`monitoring.latency_window`
 * samples) on scrape: it holds the samples recorded since the previous scrape that the window
 * still held, so under more than `latency_window` handled events per lane between two scrapes it
 * is a sample of the latest ones (the counters stay exact).
 *
 * @example
 * ```ts
 * import { Registry } from 'prom-client';
 * import { collectDispatcherMetrics, serveMetrics } from 'qts-reactive/prometheus';
 * const registry = new Registry();
 * collectDispatcherMetrics(dispatcher, { registry });
 * const server = await serveMetrics(registry, { port: 9464 }); // GET /metrics
 * ```
 * @param dispatcher the dispatcher to export
 * @param options registry, name prefix, extra labels
 * @return the collector (its `remove()` unregisters the metrics)
 */
export function collectDispatcherMetrics(dispatcher: EventDispatcher, options: CollectorOptions = {}): Collector {
  const { registry, prefix, labels, labelNames } = resolveCollectorOptions(options, OWN_LABELS);
  const sample = oncePerScrape((): DispatcherMetrics => dispatcher.sampleMetrics());
  const budgets = dispatcher.config.monitoring.latencyBudgetMs;
  const budgetMs: readonly (number | null)[] = [budgets.p0, budgets.p1, budgets.p2, null];
  const buckets = [...new Set([budgets.p0, budgets.p1, budgets.p2])].sort((a, b) => a - b).map((ms) => ms / 1000);
  const withLane = (priority: EventPriority): Record<string, string> => ({ ...labels, lane: laneLabel(priority) });
  const metrics: Metric[] = [];

  const laneGauge = (name: string, help: string, read: (lane: LaneMetrics) => number): void => {
    metrics.push(
      new Gauge({
        name: prefix + name,
        help,
        labelNames: [...labelNames, 'lane'],
        registers: [],
        collect() {
          for (const lane of sample().lanes) this.set(withLane(lane.priority), read(lane));
        },
      }),
    );
  };
  const laneCounter = (name: string, help: string, read: (lane: LaneMetrics) => number): void => {
    metrics.push(
      new Counter({
        name: prefix + name,
        help,
        labelNames: [...labelNames, 'lane'],
        registers: [],
        collect() {
          // The dispatcher keeps the running totals: the counter is set to them on every scrape.
          this.reset();
          for (const lane of sample().lanes) this.inc(withLane(lane.priority), read(lane));
        },
      }),
    );
  };

  laneGauge('lane_depth', 'Events queued in the lane.', (lane) => lane.depth);
  laneGauge('lane_capacity', 'Capacity of the lane, in events.', (lane) => lane.capacity);
  laneGauge('lane_utilisation_ratio', 'Depth divided by capacity.', (lane) => lane.utilisation);
  laneGauge('lane_producers_waiting', 'Producers (events) waiting for room in the lane.', (lane) => lane.producersWaiting);
  laneGauge('lane_in_flight_events', 'Events in batches being handled.', (lane) => lane.inFlightEvents);
  laneGauge('lane_paused', '1 while the lane is paused (degradation, no handler, not started).', (lane) => Number(lane.paused));
  laneCounter('lane_enqueued_total', 'Events offered to the lane.', (lane) => lane.enqueued);
  laneCounter('lane_handled_total', 'Events every handler of the lane finished (acknowledged when requiresAck).', (lane) => lane.handled);
  laneCounter('lane_failed_total', 'requiresAck events of batches a handler failed.', (lane) => lane.failed);
  laneCounter('lane_blocked_total', 'Offers that had to wait for room.', (lane) => lane.blocked);
  laneCounter('lane_budget_breaches_total', 'Events whose enqueue-to-done latency exceeded their maxProcessTimeMs.', (lane) => lane.budgetBreaches);

  metrics.push(
    new Counter({
      name: `${prefix}lane_dropped_total`,
      help: 'Events the lane dropped, by reason (evicted, collapsed, sampled, shutdown).',
      labelNames: [...labelNames, 'lane', 'reason'],
      registers: [],
      collect() {
        this.reset();
        for (const lane of sample().lanes) {
          const counts = { evicted: lane.evicted, collapsed: lane.collapsed, sampled: lane.rejected, shutdown: lane.shutdown };
          for (const reason of DROP_REASONS) this.inc({ ...withLane(lane.priority), reason }, counts[reason]);
        }
      },
    }),
  );

  // The first scrape also takes what the window held before the collector was attached.
  const seen = EVENT_PRIORITIES.map(() => 0);
  metrics.push(
    new BulkHistogram(
      `${prefix}lane_handler_latency_seconds`,
      'Handler latency, enqueue to done, read from the monitoring window on scrape; buckets are the lane budgets.',
      buckets,
      (histogram) => {
        for (const priority of EVENT_PRIORITIES) {
          const window = dispatcher.latencyWindow(priority);
          // Every lane's series exists from the first scrape, so rates have a starting point.
          const series = histogram.seriesOf(withLane(priority));
          window.forEachSince(seen[priority]!, (latencyMs) => series.observe(latencyMs / 1000));
          seen[priority] = window.total;
        }
      },
    ).asMetric(),
  );

  metrics.push(
    new Gauge({
      name: `${prefix}lane_handler_latency_window_seconds`,
      help: 'p50, p99 and max (quantile 1) of the handler latency over the monitoring window.',
      labelNames: [...labelNames, 'lane', 'quantile'],
      registers: [],
      collect() {
        this.reset();
        for (const lane of sample().lanes) {
          const { p50, p99, max } = lane.latency;
          if (Number.isNaN(p50)) continue;
          this.set({ ...withLane(lane.priority), quantile: '0.5' }, p50 / 1000);
          this.set({ ...withLane(lane.priority), quantile: '0.99' }, p99 / 1000);
          this.set({ ...withLane(lane.priority), quantile: '1' }, max / 1000);
        }
      },
    }),
  );

  metrics.push(
    new Gauge({
      name: `${prefix}lane_latency_budget_seconds`,
      help: 'The latency budget of the lane (P3 is best effort and has none).',
      labelNames: [...labelNames, 'lane'],
      registers: [],
      collect() {
        for (const priority of EVENT_PRIORITIES) {
          const ms = budgetMs[priority];
          if (ms !== null && ms !== undefined) this.set(withLane(priority), ms / 1000);
        }
      },
    }),
  );

  let previous: DispatcherMetrics | undefined;
  metrics.push(
    new Gauge({
      name: `${prefix}lane_alert_level`,
      help: 'Alert level by kind (depth, backpressure, latency): 0 ok, 1 warning, 2 critical.',
      labelNames: [...labelNames, 'lane', 'kind'],
      registers: [],
      collect() {
        const current = sample();
        this.reset();
        // One series per configured alert, ok included. Latency warnings count budget breaches since the previous scrape, as alerts$ does per sample.
        for (const reading of readAlerts(current, dispatcher.config.monitoring, previous)) {
          this.set({ ...withLane(reading.priority), kind: reading.kind }, ALERT_LEVEL_VALUE[reading.level]);
        }
        previous = current;
      },
    }),
  );

  metrics.push(
    new Gauge({
      name: `${prefix}dispatcher_degradation_level`,
      help: 'Degradation level in force: 0 NORMAL, 1 P3_PAUSED, 2 P2_P3_PAUSED, 3 CRITICAL_ONLY.',
      labelNames: [...labelNames],
      registers: [],
      collect() {
        this.set({ ...labels }, DEGRADATION_SEVERITY[sample().degradationLevel]);
      },
    }),
    new Gauge({
      name: `${prefix}dispatcher_degradation`,
      help: '1 for the degradation level in force, 0 for the others.',
      labelNames: [...labelNames, 'level'],
      registers: [],
      collect() {
        const level = sample().degradationLevel;
        for (const each of Object.values(DegradationLevel)) this.set({ ...labels, level: each }, Number(each === level));
      },
    }),
  );

  return registerAll(registry, metrics, () => undefined);
}
