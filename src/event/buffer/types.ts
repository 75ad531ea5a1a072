/**
 * The contract every lane buffer core implements: pure, synchronous, clock-free data structures
 * (the caller passes `now`), shared by the queue classes, the operators and the dispatcher.
 */
import type { Event, EventPriority, OverflowPolicy } from '../contracts.js';

/** Why an event left a lane without being delivered. */
export type DropReason = 'evicted' | 'collapsed' | 'sampled' | 'shutdown';

/**
 * The `priority` of a {@link DropRecord}: the lane's priority for the library's events; for other
 * values, the lane's priority inside a priority merge and null in a single buffering operator.
 */
export type DropPriority<T> = [T] extends [Event] ? EventPriority : EventPriority | null;

/**
 * One event (or, in the generic operators, one value of `T`) that left a lane undelivered, with
 * the reason. `at` is epoch ms. A plain record: read it, do not change it (it is shared by every
 * subscriber).
 */
export interface DropRecord<T = Event> {
  readonly event: T;
  readonly reason: DropReason;
  readonly priority: DropPriority<T>;
  readonly at: number;
}

/** What {@link LaneBuffer.offer} did with an event. */
export const OfferOutcome = {
  /** In the buffer (possibly after evicting or replacing another event, which was reported). */
  QUEUED: 0,
  /** No room and it may not drop anything for it: held, in arrival order, until room frees. */
  HELD: 1,
  /** Refused (SAMPLE at capacity); reported as a 'sampled' drop. */
  REJECTED: 2,
} as const;
/** One of {@link OfferOutcome}'s values. */
export type OfferOutcome = (typeof OfferOutcome)[keyof typeof OfferOutcome];

/**
 * Running totals of a lane.
 * `enqueued = delivered + evicted + collapsed + rejected + shutdown + queued + held`
 * (`shutdown` stays 0 until {@link LaneBuffer.clear} runs).
 */
export interface LaneCounters {
  /** Every event offered to the lane; the same count as `LaneMetrics.enqueued`. */
  readonly enqueued: number;
  /**
   * Events taken out of the lane by its consumer. In a dispatcher these are `LaneMetrics`'
   * `handled + failed + inFlightEvents`: leaving the lane is not yet being handled.
   */
  readonly delivered: number;
  /** Queued events pushed out to make room (reason `'evicted'`). */
  readonly evicted: number;
  /** Queued events replaced in place by a newer one with the same key (reason `'collapsed'`). */
  readonly collapsed: number;
  /** Arrivals refused by SAMPLE at capacity (reason `'sampled'`). */
  readonly rejected: number;
  /** Offers that had to wait (held) at least once. */
  readonly blocked: number;
  /** Held events later admitted into the buffer. */
  readonly released: number;
  /** Queued or held events removed by {@link LaneBuffer.clear} (reason 'shutdown'). */
  readonly shutdown: number;
  /** Sink or collapse-key calls that threw (each reported through `onError`). */
  readonly sinkFailures: number;
}

/**
 * Which callback of a lane failed, and for which event (or value of `T`); handed to
 * {@link LaneBufferSinks.onError}. `collapseKey` also covers the generic operators' `key`.
 */
export interface SinkFailure<T = Event> {
  readonly sink: 'onDrop' | 'onRelease' | 'collapseKey' | 'canDrop' | 'priorityOf';
  readonly event: T;
}

/** Callbacks a core reports through; called synchronously, never per event unless something happened. */
export interface LaneBufferSinks {
  /** An event was evicted, collapsed away or rejected. */
  onDrop?: (record: DropRecord) => void;
  /** A held event was admitted into the buffer (its producer may continue). */
  onRelease?: (event: Event) => void;
  /**
   * A sink or the collapse-key function threw. The core is already consistent when sinks run, so
   * the failure changes nothing else; an `onError` that throws is ignored.
   */
  onError?: (error: unknown, failure: SinkFailure) => void;
}

/** A bounded lane buffer applying one overflow policy. */
export interface LaneBuffer {
  readonly policy: OverflowPolicy;
  readonly capacity: number;
  /** Events in the buffer (held events not included). */
  readonly size: number;
  /** Events waiting for room (BLOCK, or `canDrop: false` events in a full lane). */
  readonly heldCount: number;
  readonly counters: LaneCounters;
  /** Offers an event arriving at `now` (epoch ms). */
  offer(event: Event, now: number): OfferOutcome;
  /** Removes and returns the oldest event, admitting held events into the freed room. */
  poll(now: number): Event | undefined;
  /** The event the next `poll` would return, left in place. */
  peek(): Event | undefined;
  /** Enqueue time of the event the last `poll` returned (collapse keeps the original time). */
  readonly lastPolledEnqueuedAt: number;
  /** Enqueue time of the oldest queued event, or NaN when empty. */
  readonly oldestEnqueuedAt: number;
  /** Removes everything queued and held, reporting each as a drop with `reason`, and returns how many. */
  clear(reason: 'shutdown', now: number): number;
}
