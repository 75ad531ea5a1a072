/**
 * The lanes of a priority merge: each lane's buffer with its batching and scheduling settings, as
 * configured and as the merge drives them.
 */
import type { Subscription } from 'rxjs';
import { EVENT_PRIORITIES, LANE_KEYS, type Event, type EventPriority, type LaneKey } from './contracts.js';
import type { LaneConfig } from './config.js';
import { createLaneBuffer } from './buffer/index.js';
import { RingLaneBuffer } from './buffer/base.js';
import type { DropRecord, LaneBuffer, SinkFailure } from './buffer/types.js';

/** One lane as the merge drives it: its buffer and its batching and scheduling settings. */
export interface MergeLaneSettings {
  readonly buffer: LaneBuffer;
  /** Events per batch (≥ 1). */
  readonly batchSize: number;
  /** Longest time a partial batch waits for more events, in ms. */
  readonly batchTimeoutMs: number;
  /** Batches in flight at once (≥ 1); 1 keeps the lane's order. */
  readonly concurrency: number;
  /** A lane that has waited this long takes one turn despite higher lanes; null = strict priority. */
  readonly maxStarvationMs: number | null;
}

/** What {@link mergeLanesFromConfig} needs besides the lane configuration. */
export interface MergeLaneSinks {
  readonly collapseKey?: ((event: Event) => unknown) | undefined;
  readonly onDrop?: ((record: DropRecord) => void) | undefined;
  readonly onRelease?: ((event: Event) => void) | undefined;
  /** For items that are not events (the generic merge): which may be dropped (see `LaneBufferOptions.canDrop`). */
  readonly canDrop?: ((event: Event) => boolean) | undefined;
  /** For items that are not events: which may collapse (see `CollapseLaneBufferOptions.canCollapse`). */
  readonly canCollapse?: ((event: Event) => boolean) | undefined;
  /** A sink, `canDrop` or the collapse key threw (see `LaneBufferSinks.onError`). */
  readonly onError?: ((error: unknown, failure: SinkFailure) => void) | undefined;
}

/**
 * The four lanes of a merge, indexed by priority, built from their configuration: one buffer core
 * per lane (its policy, capacity and sample rate) with its batching and scheduling settings.
 */
export function mergeLanesFromConfig(laneConfig: (key: LaneKey) => LaneConfig, sinks: MergeLaneSinks = {}): MergeLaneSettings[] {
  return EVENT_PRIORITIES.map((priority) => {
    const lane = laneConfig(LANE_KEYS[priority]!);
    return {
      buffer: createLaneBuffer({
        policy: lane.overflowPolicy,
        capacity: lane.capacity,
        priority,
        sampleRate: lane.sampleRate,
        ...(sinks.collapseKey !== undefined ? { collapseKey: sinks.collapseKey } : {}),
        ...(sinks.onDrop !== undefined ? { onDrop: sinks.onDrop } : {}),
        ...(sinks.onRelease !== undefined ? { onRelease: sinks.onRelease } : {}),
        ...(sinks.canDrop !== undefined ? { canDrop: sinks.canDrop } : {}),
        ...(sinks.canCollapse !== undefined ? { canCollapse: sinks.canCollapse } : {}),
        ...(sinks.onError !== undefined ? { onError: sinks.onError } : {}),
      }),
      batchSize: lane.batchSize,
      batchTimeoutMs: lane.batchTimeoutMs,
      concurrency: lane.concurrency,
      maxStarvationMs: lane.maxStarvationMs,
    };
  });
}

/** One lane's state inside the merge. @internal */
export class MergeLane {
  paused = false;
  inFlight = 0;
  lastTurnAt = Number.NEGATIVE_INFINITY;
  lastFlushAt = Number.NEGATIVE_INFINITY;
  timer: Subscription | null = null;
  timerDue = Number.POSITIVE_INFINITY;
  /**
   * At least the number of queued or held `canBatch: false` events (counted on offer, uncounted
   * when polled, reset when the lane empties; a dropped one may leave it too high, never too
   * low). While it is 0 a batch needs no look at the next event before taking it.
   */
  unbatchable = 0;
  readonly buffer: LaneBuffer;
  readonly batchSize: number;
  readonly batchTimeoutMs: number;
  readonly concurrency: number;
  readonly maxStarvationMs: number | null;
  /** Enqueue times of the batch being started; reused for every batch. */
  readonly enqueuedAt: Float64Array;
  /**
   * The buffer is a shipped core whose `poll` is its own: a batch is taken in one call
   * (`RingLaneBuffer.takeBatch`) instead of one `poll` per event. A subclass that overrides `poll`
   * (to audit or filter) is polled event by event, so it sees every event. Decided once, here.
   */
  readonly fillInOneCall: boolean;

  constructor(
    readonly priority: EventPriority,
    settings: MergeLaneSettings,
  ) {
    this.buffer = settings.buffer;
    // P0 is never batched; a batch can never hold more than the lane (so a batch size above the
    // capacity acts as the capacity, and reserves nothing beyond it).
    this.batchSize = priority === 0 ? 1 : Math.max(1, Math.min(Math.floor(settings.batchSize), settings.buffer.capacity));
    this.batchTimeoutMs = Math.max(0, settings.batchTimeoutMs);
    this.concurrency = Math.max(1, Math.floor(settings.concurrency));
    this.maxStarvationMs = settings.maxStarvationMs;
    this.enqueuedAt = new Float64Array(this.batchSize);
    this.fillInOneCall = this.buffer instanceof RingLaneBuffer && this.buffer.poll === RingLaneBuffer.prototype.poll;
  }
}
