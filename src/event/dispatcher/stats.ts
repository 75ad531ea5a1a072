/**
 * The dispatcher's per-lane accounting: handled, failed and in-flight events, budget breaches and
 * the latency window, and the lane metrics built from them.
 */
import { LANE_KEYS, type Event, type EventPriority } from '../contracts.js';
import { LatencyHistogram } from '../histogram.js';
import type { PriorityMerge } from '../merge.js';
import type { LaneMetrics } from '../monitoring.js';

/** One lane's running totals. @internal */
export class LaneStats {
  handled = 0;
  failed = 0;
  inFlightEvents = 0;
  budgetBreaches = 0;
  readonly latency: LatencyHistogram;
  constructor(windowSize: number) {
    this.latency = new LatencyHistogram(windowSize);
  }

  /**
   * Accounts a settled batch, done at `doneAt` (ms): its latencies and budget breaches, and its
   * events as handled, or, in a failed batch, those that require an acknowledgement as failed.
   * Returns how many events counted as failed.
   */
  recordSettled(batch: readonly Event[], enqueuedAt: Float64Array, doneAt: number, failed: boolean): number {
    const count = batch.length;
    this.latency.recordSince(doneAt, enqueuedAt, count);
    let breaches = 0;
    for (let i = 0; i < count; i++) {
      const budget = batch[i]!.maxProcessTimeMs;
      // Counted without a branch: a first breach must not send the optimised loop back to the
      // interpreter (it would, for a `breaches++` that had never run before).
      breaches += Number(budget > 0 && doneAt - enqueuedAt[i]! > budget);
    }
    let unacknowledged = 0;
    if (failed) {
      for (let i = 0; i < count; i++) if (batch[i]!.requiresAck) unacknowledged++;
    }
    this.inFlightEvents -= count;
    this.budgetBreaches += breaches;
    this.failed += unacknowledged;
    this.handled += count - unacknowledged;
    return unacknowledged;
  }

  /** Accounts a batch of `count` events given up: not handled, whatever `requiresAck` says. */
  recordAbandoned(count: number): void {
    this.inFlightEvents -= count;
    this.failed += count;
  }
}

/** The current figures of lane `priority`. @internal */
export function laneMetrics(priority: EventPriority, merge: PriorityMerge, stats: LaneStats): LaneMetrics {
  const buffer = merge.buffer(priority);
  const counters = buffer.counters;
  return Object.freeze({
    priority,
    lane: LANE_KEYS[priority]!,
    policy: buffer.policy,
    depth: buffer.size,
    capacity: buffer.capacity,
    utilisation: buffer.size / buffer.capacity,
    producersWaiting: buffer.heldCount,
    paused: merge.isPaused(priority),
    inFlightBatches: merge.inFlight(priority),
    inFlightEvents: stats.inFlightEvents,
    enqueued: counters.enqueued,
    handled: stats.handled,
    failed: stats.failed,
    evicted: counters.evicted,
    collapsed: counters.collapsed,
    rejected: counters.rejected,
    blocked: counters.blocked,
    released: counters.released,
    shutdown: counters.shutdown,
    budgetBreaches: stats.budgetBreaches,
    latency: stats.latency.summary(),
  });
}
