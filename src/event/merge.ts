/**
 * The priority merge: the drain engine that moves events from the four lane buffers into their
 * consumers in strict priority order. One implementation, two faces: the `mergeByPriority`
 * operator and the {@link EventDispatcher} both drive it.
 *
 * How it drains:
 * - Draining never runs inside the producer's call: an offer only schedules a slice (on the yield
 *   scheduler), so everything that arrives in one turn is queued before the first batch starts.
 * - A slice repeatedly picks the highest non-paused lane that has a deliverable batch and a free
 *   concurrency slot, and starts one batch from it. It ends when nothing is ready, or after about
 *   `sliceMs` (real clock, read after a batch once {@link CLOCK_CHECK_EVENTS} events have been
 *   delivered since the last read, not per event) or
 *   `sliceEvents` events (virtual clock, where running code takes no time), and then yields.
 * - Each lane has at most `concurrency` batches in flight; lanes never wait for each other.
 * - Batching follows `groupedWithin`: a batch leaves when `batchSize` events are queued or
 *   `batchTimeoutMs` has passed since its window opened (the oldest queued event's enqueue time, or
 *   the previous flush if later, so a count flush restarts the window); a `canBatch: false` event
 *   always travels alone; with `flushing` set, partial batches leave at once.
 * - A consumer that throws is caught once per slice (not per event): the slice asks the sink to
 *   recover the batch in progress and carries on.
 */
import type { SchedulerLike, Subscription } from 'rxjs';
import type { Event, EventPriority } from './contracts.js';
import type { RingLaneBuffer } from './buffer/base.js';
import { OfferOutcome, type LaneBuffer } from './buffer/types.js';
import { MergeLane, type MergeLaneSettings } from './mergeLanes.js';
import type { YieldScheduler } from './yield-scheduler.js';
import { scheduleAfter } from '../scheduling/timer.js';

// How lanes are configured belongs to the merge's public API.
export { mergeLanesFromConfig, type MergeLaneSettings, type MergeLaneSinks } from './mergeLanes.js';

/** How many delivered events pass between two clock reads inside a slice. */
export const CLOCK_CHECK_EVENTS = 32;
/** Default length of a drain slice on a real clock, in ms. */
export const DEFAULT_SLICE_MS = 0.25;
/** Default number of events a slice delivers under a virtual clock, where code takes no time. */
export const DEFAULT_SLICE_EVENTS = 256;

/** Where the merge delivers batches. */
export interface PriorityMergeSink {
  /**
   * Starts delivering `batch` of lane `priority`. `enqueuedAt[i]` is `batch[i]`'s enqueue time and
   * is valid only during this call; `now` is the slice's clock. Returns true when the batch is
   * already settled, false when the sink will call {@link PriorityMerge.settle} later.
   */
  deliver(priority: EventPriority, batch: readonly Event[], enqueuedAt: Float64Array, now: number): boolean;
  /**
   * `deliver` (or a previous `recover`) threw `error` for the batch in progress; continue that
   * batch and return as `deliver` does.
   */
  recover(error: unknown): boolean;
}

/** Options of {@link PriorityMerge}. */
export interface PriorityMergeOptions {
  /** The four lanes, indexed by priority. */
  readonly lanes: readonly MergeLaneSettings[];
  /** Clock of enqueue times and batch windows, and scheduler of batch timers. */
  readonly scheduler: SchedulerLike;
  /** Scheduler of drain slices (see `createYieldScheduler`). */
  readonly yieldScheduler: YieldScheduler;
  readonly sink: PriorityMergeSink;
  /** Slice length on a real clock, in ms (default {@link DEFAULT_SLICE_MS}). */
  readonly sliceMs?: number | undefined;
  /** Events per slice under a virtual clock (default {@link DEFAULT_SLICE_EVENTS}). */
  readonly sliceEvents?: number | undefined;
  /** Called after every slice and every asynchronous settle (for completion and shutdown). */
  readonly onProgress?: (() => void) | undefined;
}

/**
 * The strict-priority drain engine over four lane buffers (see the module comment).
 *
 * @example
 * ```ts
 * const merge = new PriorityMerge({ lanes, scheduler, yieldScheduler: createYieldScheduler(scheduler), sink });
 * merge.offer(fill);       // queued; a drain slice is scheduled, not run here
 * ```
 */
export class PriorityMerge {
  /** When true, partial batches are delivered at once (source completion, shutdown). */
  flushing = false;
  private readonly lanes: readonly MergeLane[];
  private readonly scheduler: SchedulerLike;
  private readonly yieldScheduler: YieldScheduler;
  private readonly sink: PriorityMergeSink;
  private readonly sliceMs: number;
  private readonly sliceEvents: number;
  private readonly onProgress: (() => void) | undefined;
  private readonly watchStarvation: boolean;
  private drainAction: Subscription | null = null;
  private drainScheduled = false;
  private disposed = false;
  /** The slice's clock, refreshed every CLOCK_CHECK_EVENTS events. */
  private now = 0;
  /**
   * Enqueue time for offers while a slice is pending or running (one clock read per turn, not per
   * event); null when the next offer must read the clock. The null is also what keeps the field a
   * tagged reference in V8, so handing it to the lane buffer passes the stored number as it is
   * instead of boxing a fresh one per offer (a double-typed field would).
   */
  private offerTime: number | null = null;
  private sliceEnd = 0;
  private sliceBudget = 0;
  /** True while a slice runs on a virtual clock (decided once per slice). */
  private virtualSlice = false;
  /** True while a slice runs. */
  private inSlice = false;
  /** `now` was read by {@link readClock} since the slice last checked its clock. */
  private clockFresh = false;
  private current: MergeLane | null = null;
  private readonly runSliceBound = (): void => this.runSlice();

  constructor(options: PriorityMergeOptions) {
    this.lanes = options.lanes.map((settings, index) => new MergeLane(index as EventPriority, settings));
    this.scheduler = options.scheduler;
    this.yieldScheduler = options.yieldScheduler;
    this.sink = options.sink;
    this.sliceMs = options.sliceMs ?? DEFAULT_SLICE_MS;
    this.sliceEvents = Math.max(1, options.sliceEvents ?? DEFAULT_SLICE_EVENTS);
    this.onProgress = options.onProgress;
    this.watchStarvation = this.lanes.some((lane) => lane.maxStarvationMs !== null);
  }

  /** Offers `event` to its lane (its priority must be valid) and schedules a drain slice if one can run. */
  offer(event: Event): OfferOutcome {
    return this.offerTo(event, event.priority);
  }

  /** Offers `event` to lane `priority` (the generic merge's entry, also for items that are not events). */
  offerTo(event: Event, priority: EventPriority): OfferOutcome {
    const lane = this.lanes[priority]!;
    const now = this.offerTime ?? this.scheduler.now();
    const outcome = lane.buffer.offer(event, now);
    if (event.canBatch === false && outcome !== OfferOutcome.REJECTED) lane.unbatchable++;
    if (!this.drainScheduled && outcome !== OfferOutcome.REJECTED && !lane.paused && lane.inFlight < lane.concurrency) {
      this.scheduleDrain();
    }
    return outcome;
  }

  /** Reports that an asynchronously delivered batch of lane `priority` has settled. */
  settle(priority: EventPriority): void {
    const lane = this.lanes[priority]!;
    lane.inFlight--;
    if (lane.buffer.size > 0) this.requestDrain();
    this.onProgress?.();
  }

  /** Pauses or resumes a lane: a paused lane keeps buffering under its policy but starts no batch. */
  setPaused(priority: EventPriority, paused: boolean): void {
    const lane = this.lanes[priority]!;
    if (lane.paused === paused) return;
    lane.paused = paused;
    if (!paused && lane.buffer.size > 0) this.requestDrain();
  }

  /** True when lane `priority` is paused. */
  isPaused(priority: EventPriority): boolean {
    return this.lanes[priority]!.paused;
  }

  /** The lane buffer of `priority`. */
  buffer(priority: EventPriority): LaneBuffer {
    return this.lanes[priority]!.buffer;
  }

  /** Batches of lane `priority` currently in flight. */
  inFlight(priority: EventPriority): number {
    return this.lanes[priority]!.inFlight;
  }

  /** True when lane `priority` has nothing queued, held or in flight. */
  isLaneIdle(priority: EventPriority): boolean {
    const lane = this.lanes[priority]!;
    return lane.buffer.size === 0 && lane.buffer.heldCount === 0 && lane.inFlight === 0;
  }

  /** True when every lane is idle. */
  isIdle(): boolean {
    return this.lanes.every((lane) => this.isLaneIdle(lane.priority));
  }

  /** Schedules a drain slice unless one is already pending. */
  requestDrain(): void {
    if (!this.drainScheduled) this.scheduleDrain();
  }

  /**
   * Reads the injected clock. Inside a slice the reading also becomes the slice's clock, so a sink
   * that times a batch spares the slice a second read right after it.
   */
  readClock(): number {
    const now = this.scheduler.now();
    if (this.inSlice) {
      this.now = now;
      this.offerTime = now;
      this.clockFresh = true;
    }
    return now;
  }

  /** Cancels the pending slice and every batch timer; the merge does nothing afterwards. */
  dispose(): void {
    this.disposed = true;
    this.drainAction?.unsubscribe();
    this.drainAction = null;
    this.drainScheduled = false;
    for (const lane of this.lanes) this.cancelTimer(lane);
  }

  private scheduleDrain(): void {
    if (this.disposed) return;
    this.drainScheduled = true;
    // Offers until the slice runs belong to the same turn: they share one clock read.
    this.offerTime ??= this.scheduler.now();
    this.drainAction = this.yieldScheduler.schedule(this.runSliceBound);
  }

  private runSlice(): void {
    this.drainScheduled = false;
    this.drainAction = null;
    if (this.disposed) return;
    const virtual = this.yieldScheduler.isVirtual();
    this.virtualSlice = virtual;
    this.inSlice = true;
    this.clockFresh = false;
    this.now = this.scheduler.now();
    this.offerTime = this.now;
    this.sliceEnd = virtual ? Number.POSITIVE_INFINITY : this.yieldScheduler.realElapsedNow() + this.sliceMs;
    this.sliceBudget = virtual ? this.sliceEvents : Number.POSITIVE_INFINITY;
    let failure: unknown = undefined;
    let failed = false;
    // One try per slice, not per event: a throwing consumer unwinds to here, the sink recovers
    // the batch in progress, and the loop resumes.
    for (;;) {
      try {
        if (failed) {
          failed = false;
          const lane = this.current;
          if (lane === null) throw failure;
          this.finishDelivery(lane, this.sink.recover(failure));
        }
        this.drainLoop();
        break;
      } catch (error) {
        if (this.current === null) {
          this.inSlice = false;
          if (!this.drainScheduled) this.offerTime = null;
          throw error;
        }
        failure = error;
        failed = true;
      }
    }
    this.inSlice = false;
    if (!this.drainScheduled) this.offerTime = null;
    this.onProgress?.();
  }

  private drainLoop(): void {
    let sinceClockRead = 0;
    for (;;) {
      if (this.disposed) return;
      const lane = this.pickLane(this.now);
      if (lane === undefined) return;
      const delivered = this.startBatch(lane);
      this.sliceBudget -= delivered;
      if (this.sliceBudget <= 0) {
        this.requestDrain();
        return;
      }
      sinceClockRead += delivered;
      if (sinceClockRead >= CLOCK_CHECK_EVENTS) {
        sinceClockRead = 0;
        if (this.clockFresh) {
          this.clockFresh = false;
        } else {
          this.now = this.scheduler.now();
          this.offerTime = this.now;
        }
        // Under a virtual clock the slice ends by its event budget alone.
        if (!this.virtualSlice && this.yieldScheduler.realElapsedNow() >= this.sliceEnd) {
          this.requestDrain();
          return;
        }
      }
    }
  }

  private pickLane(now: number): MergeLane | undefined {
    const lanes = this.lanes;
    if (this.watchStarvation) {
      for (const lane of lanes) {
        if (lane.maxStarvationMs === null || !this.isReady(lane, now)) continue;
        const waitingSince = Math.max(lane.lastTurnAt, lane.buffer.oldestEnqueuedAt);
        if (now - waitingSince >= lane.maxStarvationMs) return lane;
      }
    }
    for (let i = 0; i < lanes.length; i++) {
      const lane = lanes[i]!;
      if (this.isReady(lane, now)) return lane;
    }
    return undefined;
  }

  private isReady(lane: MergeLane, now: number): boolean {
    if (lane.paused || lane.inFlight >= lane.concurrency) return false;
    const buffer = lane.buffer;
    const size = buffer.size;
    if (size === 0) return false;
    if (size >= lane.batchSize || this.flushing) return true;
    if (lane.unbatchable > 0 && buffer.peek()?.canBatch === false) return true;
    const due = Math.max(buffer.oldestEnqueuedAt, lane.lastFlushAt) + lane.batchTimeoutMs;
    if (now >= due) return true;
    this.armTimer(lane, due, now);
    return false;
  }

  private startBatch(lane: MergeLane): number {
    const buffer = lane.buffer;
    const enqueuedAt = lane.enqueuedAt;
    const limit = lane.batchSize;
    const now = this.now;
    const planned = Math.min(buffer.size, limit);
    if (planned === 0) return 0;
    // Sized up front: one allocation per batch, no growth while filling.
    const batch = new Array<Event>(planned);
    // The look-ahead is needed only while a `canBatch: false` event may be queued; the count
    // cannot change before the batch ends (polling such an event ends it).
    const lookAhead = lane.unbatchable > 0;
    let count = 0;
    if (lane.fillInOneCall) {
      count = (buffer as RingLaneBuffer).takeBatch(batch, enqueuedAt, planned, lookAhead);
    } else {
      for (;;) {
        const event = buffer.poll(now)!;
        batch[count] = event;
        enqueuedAt[count++] = buffer.lastPolledEnqueuedAt;
        if (event.canBatch === false || count === planned) break;
        if (lookAhead && buffer.peek()?.canBatch === false) break;
      }
    }
    if (batch[count - 1]!.canBatch === false && lane.unbatchable > 0) lane.unbatchable--;
    if (count < planned) batch.length = count;
    if (lane.unbatchable > 0 && buffer.size === 0 && buffer.heldCount === 0) lane.unbatchable = 0;
    lane.lastTurnAt = now;
    lane.lastFlushAt = now;
    lane.inFlight++;
    this.current = lane;
    this.finishDelivery(lane, this.sink.deliver(lane.priority, batch, enqueuedAt, now));
    return count;
  }

  private finishDelivery(lane: MergeLane, settled: boolean): void {
    this.current = null;
    if (settled) lane.inFlight--;
  }

  private armTimer(lane: MergeLane, due: number, now: number): void {
    if (lane.timer !== null && lane.timerDue <= due) return;
    this.cancelTimer(lane);
    lane.timerDue = due;
    lane.timer = scheduleAfter(this.scheduler, due - now, () => {
      lane.timer = null;
      lane.timerDue = Number.POSITIVE_INFINITY;
      this.requestDrain();
    });
  }

  private cancelTimer(lane: MergeLane): void {
    lane.timer?.unsubscribe();
    lane.timer = null;
    lane.timerDue = Number.POSITIVE_INFINITY;
  }
}
