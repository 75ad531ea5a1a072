/**
 * What the four lane buffer cores share: FIFO storage in two rings, the held FIFO, the counters,
 * validation and isolated reporting. Each policy's file adds only its `offer`.
 */
import { isEventPriority, type Event, type EventPriority, type OverflowPolicy } from '../contracts.js';
import { LaneConfigError } from './errors.js';
import { EventRing } from './ring.js';
import {
  OfferOutcome,
  type DropReason,
  type DropRecord,
  type LaneBuffer,
  type LaneBufferSinks,
  type LaneCounters,
  type SinkFailure,
} from './types.js';

/**
 * The priority a drop record carries when the buffer has no lane priority: the item's own
 * `priority` when it is one, else null (an item that is not an event).
 */
function priorityOfItem(item: Event): EventPriority {
  const priority: unknown = typeof item === 'object' && item !== null ? item.priority : undefined;
  return (isEventPriority(priority) ? priority : null) as EventPriority;
}

/** Options every lane buffer core takes. */
export interface LaneBufferOptions extends LaneBufferSinks {
  /** Most events the buffer holds (held events not counted). A positive integer. */
  capacity: number;
  /** The lane's priority, written into drop records; when omitted, each record carries its event's priority. */
  priority?: EventPriority;
  /**
   * Which items may be evicted or refused; default: the event's `canDrop` field. For items that
   * are not the library's events (the generic operators). A function that throws keeps its item
   * (as undroppable) and reports the failure to `onError` with `sink: 'canDrop'`.
   */
  canDrop?: (event: Event) => boolean;
}

/** Throws a {@link LaneConfigError} unless `capacity` is a positive integer. */
export function checkCapacity(capacity: unknown, option = 'capacity'): number {
  // Stryker disable next-line ConditionalExpression: Number.isInteger is false for every non-number, so the typeof check only short-circuits
  if (typeof capacity !== 'number' || !Number.isInteger(capacity) || capacity <= 0) {
    throw new LaneConfigError(option, 'a positive integer', capacity);
  }
  return capacity;
}

function checkSink(value: unknown, option: string): void {
  if (value !== undefined && typeof value !== 'function') throw new LaneConfigError(option, 'a function or undefined', value);
}

/**
 * The shared body of the lane buffer cores.
 *
 * Queued events live in two FIFO rings, `droppable` (`canDrop: true`) and `kept` (`canDrop: false`),
 * each undroppable entry marked with the droppable ring's tail position when it arrived; `poll` takes
 * whichever head arrived first, so the lane's FIFO order is the merge of the two. Splitting them is what keeps "evict the oldest
 * droppable" O(1) even when undroppable events sit at the head: the oldest droppable event is
 * always the head of `droppable`, never found by scanning. Events that find no room and may not be
 * dropped wait in `held`, in arrival order, and `poll` admits them one for one into freed room.
 *
 * Sinks run only after the core is consistent again, inside try/catch, so a sink that throws (or
 * re-enters the buffer) cannot corrupt it.
 */
export abstract class RingLaneBuffer implements LaneBuffer {
  /** The overflow policy this core applies. */
  abstract readonly policy: OverflowPolicy;
  readonly capacity: number;
  /** Queued `canDrop: true` events, oldest first. */
  protected readonly droppable: EventRing;
  /** Queued `canDrop: false` events (every event under BLOCK), oldest first. */
  protected readonly kept: EventRing;
  private readonly held: EventRing;
  private readonly priority: EventPriority | undefined;
  private readonly onDrop: ((record: DropRecord) => void) | undefined;
  private readonly onRelease: ((event: Event) => void) | undefined;
  private readonly onError: ((error: unknown, failure: SinkFailure) => void) | undefined;
  /** The `canDrop` option; undefined reads the event's field (the dispatcher's path, unchanged). */
  private readonly canDropOf: ((event: Event) => boolean) | undefined;
  protected enqueuedCount = 0;
  protected evictedCount = 0;
  protected collapsedCount = 0;
  protected rejectedCount = 0;
  protected blockedCount = 0;
  private releasedCount = 0;
  private shutdownCount = 0;
  private sinkFailureCount = 0;
  lastPolledEnqueuedAt = Number.NaN;

  // Stryker disable next-line BooleanLiteral: a key index on a ring that is never given keys stays empty and unused
  protected constructor(options: LaneBufferOptions, keyed = false) {
    if (typeof options !== 'object' || options === null) throw new LaneConfigError('options', 'an options object', options);
    this.capacity = checkCapacity(options.capacity);
    if (options.priority !== undefined && !isEventPriority(options.priority)) {
      throw new LaneConfigError('priority', 'an EventPriority (0, 1, 2 or 3)', options.priority);
    }
    checkSink(options.onDrop, 'onDrop');
    checkSink(options.onRelease, 'onRelease');
    checkSink(options.onError, 'onError');
    checkSink(options.canDrop, 'canDrop');
    this.priority = options.priority;
    this.onDrop = options.onDrop;
    this.onRelease = options.onRelease;
    this.onError = options.onError;
    this.canDropOf = options.canDrop;
    // Stryker disable next-line BooleanLiteral: marks are written and read only for kept events; the droppable ring would merely carry an unused array
    this.droppable = new EventRing(keyed, false);
    this.kept = new EventRing(false, true);
    this.held = new EventRing(false, false);
  }

  /** Offers an event arriving at `now` (epoch ms) and says what became of it. */
  abstract offer(event: Event, now: number): OfferOutcome;

  /** Events in the buffer (held events not included). */
  get size(): number {
    return this.droppable.size + this.kept.size;
  }

  /**
   * Events polled so far. Not counted per poll but derived from the accounting identity (every
   * offered event is delivered, dropped, cleared, queued or held), which keeps a store off `poll`.
   */
  private deliveredCount(): number {
    const left = this.evictedCount + this.collapsedCount + this.rejectedCount + this.shutdownCount;
    return this.enqueuedCount - left - this.size - this.held.size;
  }

  /** Events waiting for room. */
  get heldCount(): number {
    return this.held.size;
  }

  /** A frozen snapshot of the running totals. */
  get counters(): LaneCounters {
    return Object.freeze({
      enqueued: this.enqueuedCount,
      delivered: this.deliveredCount(),
      evicted: this.evictedCount,
      collapsed: this.collapsedCount,
      rejected: this.rejectedCount,
      blocked: this.blockedCount,
      released: this.releasedCount,
      shutdown: this.shutdownCount,
      sinkFailures: this.sinkFailureCount,
    });
  }

  /** Enqueue time of the oldest queued event, or NaN when empty. */
  get oldestEnqueuedAt(): number {
    const ring = this.headRing();
    return ring === undefined ? Number.NaN : ring.headTime();
  }

  /** The event the next `poll` would return, left in place. */
  peek(): Event | undefined {
    return this.headRing()?.peek();
  }

  /** Removes and returns the oldest event, admitting the first held event into the freed room. */
  poll(_now: number): Event | undefined {
    const droppable = this.droppable;
    const kept = this.kept;
    let ring = droppable;
    if (kept.head !== kept.tail) {
      // an undroppable head is due once every droppable event that arrived before it has left
      // Stryker disable next-line ConditionalExpression: with no droppable event queued, the head's mark (a past droppable tail) is never after droppable.head, so the mark test holds too
      if (droppable.head === droppable.tail || ((kept.headMark() - droppable.head) | 0) <= 0) ring = kept;
    } else if (droppable.head === droppable.tail) {
      return undefined;
    }
    this.lastPolledEnqueuedAt = ring.headTime();
    const event = ring.shift();
    const held = this.held;
    if (held.head !== held.tail) this.releaseHeld();
    return event;
  }

  /**
   * Takes up to `max` events as `poll` would, one after another, into `out` (from
   * index 0) with their enqueue times in `times`; stops after an event whose `canBatch` is not true
   * and, when `lookAhead`, before one whose `canBatch` is false. Returns how many were taken. While
   * only droppable events are queued and none is held, the batch moves in one pass over the ring
   * (so it is for cores whose `poll` is RingLaneBuffer's own).
   *
   * The merge's batch fill; the class is not exported from the package. @internal
   */
  takeBatch(out: Event[], times: Float64Array, max: number, lookAhead: boolean): number {
    const kept = this.kept;
    const held = this.held;
    // Stryker disable next-line ConditionalExpression,EqualityOperator,BlockStatement: the one-pass fill only saves time; the loop below takes the same events (a property test compares them), and held events wait only behind kept ones
    if (kept.head === kept.tail && held.head === held.tail) {
      const count = this.droppable.shiftInto(out, times, max, lookAhead);
      if (count > 0) this.lastPolledEnqueuedAt = times[count - 1]!;
      return count;
    }
    let count = 0;
    while (count < max) {
      const event = this.poll(0);
      if (event === undefined) break;
      out[count] = event;
      times[count++] = this.lastPolledEnqueuedAt;
      if (event.canBatch === false) break;
      // Stryker disable next-line ConditionalExpression,EqualityOperator: at count === max the loop ends on its own condition, so breaking here too changes nothing
      if (lookAhead && count < max && this.peek()?.canBatch === false) break;
    }
    return count;
  }

  /** Removes everything queued and held, reporting each (queued first, oldest first) with `reason`. */
  clear(reason: 'shutdown', now: number): number {
    const removed: Event[] = [];
    for (let ring = this.headRing(); ring !== undefined; ring = this.headRing()) removed.push(ring.shift());
    while (this.held.size > 0) removed.push(this.held.shift());
    this.shutdownCount += removed.length;
    for (const event of removed) this.reportDrop(event, reason, now);
    return removed.length;
  }

  /**
   * Removes the held events without reporting them to `onDrop` (for a caller that refuses their
   * producers itself, e.g. a closing queue) and counts them as `shutdown`. Returns them oldest first.
   */
  withdrawHeld(): Event[] {
    const withdrawn: Event[] = [];
    while (this.held.size > 0) withdrawn.push(this.held.shift());
    this.shutdownCount += withdrawn.length;
    return withdrawn;
  }

  /**
   * Appends `event` to the ring its `canDrop` flag selects. An undroppable event is marked with
   * the droppable ring's tail position: it is due once every droppable event that arrived before
   * it has left (delivered or evicted).
   */
  protected enqueue(event: Event, now: number, canDrop: boolean, key?: unknown): void {
    if (canDrop) {
      if (key === undefined) this.droppable.push(event, now);
      else this.droppable.pushKeyed(event, now, key);
    } else {
      this.kept.pushMarked(event, now, this.droppable.tail);
    }
  }

  /**
   * The buffer is full: evicts the oldest droppable event to make room for `event`; with nothing
   * droppable queued, holds `event` if it may not be dropped, else refuses it with `reason`.
   */
  protected admitByEvicting(event: Event, now: number, canDrop: boolean, reason: DropReason, key?: unknown): OfferOutcome {
    if (this.droppable.size === 0) return this.holdOrRefuse(event, now, canDrop, reason);
    const evicted = this.droppable.shift();
    this.evictedCount++;
    this.enqueue(event, now, canDrop, key);
    this.reportDrop(evicted, 'evicted', now);
    return OfferOutcome.QUEUED;
  }

  /** Holds an undroppable `event` until room frees; refuses a droppable one, reported with `reason`. */
  protected holdOrRefuse(event: Event, now: number, canDrop: boolean, reason: DropReason): OfferOutcome {
    if (!canDrop) return this.hold(event, now);
    if (reason === 'sampled') this.rejectedCount++;
    else this.evictedCount++;
    this.reportDrop(event, reason, now);
    return OfferOutcome.REJECTED;
  }

  /** Puts `event` at the back of the held FIFO; it keeps `now` as its enqueue time when admitted. */
  protected hold(event: Event, now: number): OfferOutcome {
    this.held.push(event, now);
    this.blockedCount++;
    return OfferOutcome.HELD;
  }

  /** Reports a dropped event to `onDrop`, isolating a throw. */
  protected reportDrop(event: Event, reason: DropReason, now: number): void {
    const onDrop = this.onDrop;
    if (onDrop === undefined) return;
    // A plain object, typed read-only but not frozen: under a flood every overflowing event gets
    // one, and Object.freeze alone cost about as much as the rest of the drop path.
    const record: DropRecord = { event, reason, priority: this.priority ?? priorityOfItem(event), at: now };
    try {
      onDrop(record);
    } catch (error) {
      this.reportFailure(error, 'onDrop', event);
    }
  }

  /** Whether `event` may be dropped: the lane's `canDrop` option when given, else the event's flag. */
  protected isDroppable(event: Event): boolean {
    return this.canDropOf === undefined ? event.canDrop === true : this.droppableByOption(event);
  }

  /** The `canDrop` option's verdict on `event`; a throw keeps the event (undroppable) and is reported. */
  private droppableByOption(event: Event): boolean {
    try {
      return this.canDropOf!(event) === true;
    } catch (error) {
      this.reportFailure(error, 'canDrop', event);
      return false;
    }
  }

  /** Counts a failed callback and hands it to `onError`; an `onError` that throws is ignored. */
  protected reportFailure(error: unknown, sink: SinkFailure['sink'], event: Event): void {
    this.sinkFailureCount++;
    const onError = this.onError;
    // Stryker disable next-line ConditionalExpression: without onError, the call below throws a TypeError that its catch ignores, which is the same outcome
    if (onError === undefined) return;
    try {
      onError(error, Object.freeze({ sink, event }));
    } catch {
      // A failing error sink has nowhere left to report to; the core stays consistent.
    }
  }

  /** The ring holding the oldest queued event, or undefined when empty. */
  private headRing(): EventRing | undefined {
    const droppable = this.droppable;
    const kept = this.kept;
    if (kept.head === kept.tail) return droppable.head === droppable.tail ? undefined : droppable;
    // Stryker disable next-line ConditionalExpression: with no droppable event queued, the head's mark (a past droppable tail) is never after droppable.head, so the mark test holds too
    if (droppable.head === droppable.tail || ((kept.headMark() - droppable.head) | 0) <= 0) return kept;
    return droppable;
  }

  /** Admits the first held event into the room one `poll` freed; it keeps its arrival time. */
  private releaseHeld(): void {
    const arrivedAt = this.held.headTime();
    const event = this.held.shift();
    this.kept.pushMarked(event, arrivedAt, this.droppable.tail);
    this.releasedCount++;
    const onRelease = this.onRelease;
    if (onRelease === undefined) return;
    try {
      onRelease(event);
    } catch (error) {
      this.reportFailure(error, 'onRelease', event);
    }
  }
}
