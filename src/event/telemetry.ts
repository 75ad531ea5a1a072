/**
 * The dispatcher's telemetry records, and what makes them drawable: each lane record carries the
 * lane's depth after the change and a sequence number, and every subscriber starts from a snapshot
 * record per lane, so a live depth chart needs nothing but this stream (no summing of deltas, no
 * guess about what happened before it subscribed).
 */
import { Observable, type Subject } from 'rxjs';
import type { DegradationLevel, EventPriority } from './contracts.js';
import type { DispatcherMetrics } from './monitoring.js';

/** What a telemetry record reports. `snapshot` opens every subscription, one per lane. */
export type DispatcherTelemetryKind =
  | 'snapshot'
  | 'enqueued'
  | 'evicted'
  | 'collapsed'
  | 'sampled'
  | 'blocked'
  | 'released'
  | 'handled'
  | 'failed'
  | 'shutdown'
  | 'degraded';

/** A lane's running totals since construction, as a `snapshot` record carries them. */
export interface LaneTelemetryCounters {
  readonly enqueued: number;
  readonly handled: number;
  readonly failed: number;
  readonly evicted: number;
  readonly collapsed: number;
  /** Refused by SAMPLE at capacity (`sampled` records). */
  readonly sampled: number;
  readonly blocked: number;
  readonly released: number;
  readonly shutdown: number;
}

/**
 * A plain frozen telemetry record. Per-event kinds (enqueued, blocked, released, drops) carry
 * `count` 1; `handled` / `failed` come once per batch with the batch's counts; `degraded` has
 * `lane` null and the new `level`; `snapshot` (count 0) opens every subscription, one per lane,
 * with the lane's `capacity`, `counters` and the current `level`.
 */
export interface DispatcherTelemetry {
  readonly kind: DispatcherTelemetryKind;
  readonly lane: EventPriority | null;
  readonly count: number;
  /** Epoch ms from the dispatcher's scheduler. */
  readonly at: number;
  /**
   * Events queued in the lane once the change is made (null for `degraded`); an eviction is reported
   * as the newcomer takes the evicted event's place, so it shows the full depth.
   */
  readonly depth: number | null;
  /**
   * Increases by one with every record the dispatcher emits (from 1), so gaps and order are
   * visible. A `snapshot` carries the sequence number of the last record emitted before it:
   * every record with a larger one happened after the snapshot.
   */
  readonly seq: number;
  readonly level?: DegradationLevel;
  /** For `snapshot`: the lane's capacity. */
  readonly capacity?: number;
  /** For `snapshot`: the lane's running totals. */
  readonly counters?: LaneTelemetryCounters;
}

/** One lane record (not a snapshot). */
export function laneRecord(kind: DispatcherTelemetryKind, lane: EventPriority, count: number, at: number, depth: number, seq: number): DispatcherTelemetry {
  return Object.freeze({ kind, lane, count, at, depth, seq });
}

/** The record of a degradation level change. */
export function degradedRecord(level: DegradationLevel, at: number, seq: number): DispatcherTelemetry {
  return Object.freeze({ kind: 'degraded', lane: null, count: 0, at, depth: null, seq, level });
}

/** The snapshot records of every lane at one instant, from the dispatcher's figures. */
export function snapshotRecords(metrics: DispatcherMetrics, seq: number): DispatcherTelemetry[] {
  return metrics.lanes.map((lane) =>
    Object.freeze({
      kind: 'snapshot' as const,
      lane: lane.priority,
      count: 0,
      at: metrics.at,
      depth: lane.depth,
      seq,
      level: metrics.degradationLevel,
      capacity: lane.capacity,
      counters: Object.freeze({
        enqueued: lane.enqueued,
        handled: lane.handled,
        failed: lane.failed,
        evicted: lane.evicted,
        collapsed: lane.collapsed,
        sampled: lane.rejected,
        blocked: lane.blocked,
        released: lane.released,
        shutdown: lane.shutdown,
      }),
    }),
  );
}

/**
 * The telemetry stream over `records`: each subscriber first receives `snapshot()` (taken at its
 * subscription), then every record from then on. Both happen in the same synchronous step, so no
 * record falls between the snapshot and the live stream.
 */
export function telemetryWithSnapshot(records: Subject<DispatcherTelemetry>, snapshot: () => readonly DispatcherTelemetry[]): Observable<DispatcherTelemetry> {
  return new Observable<DispatcherTelemetry>((subscriber) => {
    if (records.closed || records.isStopped) return records.subscribe(subscriber);
    for (const record of snapshot()) {
      if (subscriber.closed) return;
      subscriber.next(record);
    }
    return records.subscribe(subscriber);
  });
}
