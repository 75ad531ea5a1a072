/**
 * The event dispatcher: routes events into the four priority lanes, drains them by strict priority
 * into registered handlers (through the priority merge), isolates failing handlers, applies
 * degradation (manual and safety-driven), and publishes drops, failures, telemetry, metrics and
 * alerts.
 */
import {
  BehaviorSubject,
  ReplaySubject,
  Subject,
  Subscription,
  asyncScheduler,
  distinctUntilChanged,
  isObservable,
  type Observable,
  type SchedulerLike,
} from 'rxjs';
import {
  DEGRADATION_SEVERITY,
  DegradationLevel,
  EVENT_PRIORITIES,
  LANE_KEYS,
  isLanePaused,
  type Event,
  type EventPriority,
} from './contracts.js';
import { validateEvent } from './validation.js';
import type { DeepPartial } from '../common/plain.js';
import { resolveEventConfig, type EventConfig } from './config.js';
import { OfferOutcome, type DropRecord } from './buffer/types.js';
import { PriorityMerge, mergeLanesFromConfig, type PriorityMergeSink } from './merge.js';
import { createYieldScheduler } from './yield-scheduler.js';
import { LatencyHistogram, type LatencyWindow } from './histogram.js';
import { createMonitoring, type DispatcherAlert, type DispatcherMetrics, type LaneMetrics } from './monitoring.js';
import { SAFETY_TO_DEGRADATION, SafetyStateError, isSafetyState, type SafetyState } from '../safety/state.js';
import { instrument } from '../debug/instrument.js';
import { scheduleAfter } from '../scheduling/timer.js';
import { Multicast } from './multicast.js';
export type { DispatcherTelemetry, DispatcherTelemetryKind } from './telemetry.js';
import { degradedRecord, laneRecord, snapshotRecords, telemetryWithSnapshot, type DispatcherTelemetry, type DispatcherTelemetryKind } from './telemetry.js';
import { INSPECT_CUSTOM, inspectSummary } from '../debug/inspect.js';
import { HandlingWaiters } from './awaiting.js';
import { registerEventTypes } from './event-types.js';

/**
 * A consumer of one lane's batches. It may return nothing (done when it returns), a PromiseLike
 * (done when it settles) or an Observable (done when it completes; its values are ignored).
 * Throwing, rejecting or erroring marks the batch failed for this handler only.
 */
export type EventHandler = (batch: readonly Event[]) => void | PromiseLike<unknown> | Observable<unknown>;

/** A dead letter: one failing handler for one batch. `at` is epoch ms. */
export interface FailureRecord {
  readonly priority: EventPriority;
  readonly batch: readonly Event[];
  readonly error: unknown;
  readonly at: number;
}

/**
 * An input the dispatcher could not use: a value `ingest` refused (not a valid event), an error of
 * an ingested source, or a `safety$` value that is not a safety state (or an error of `safety$`).
 * The dispatcher keeps running in every case; after a bad or failed safety input the safety-driven
 * level stays at the last valid state's.
 */
export interface IngestError {
  /** Which input it came from. */
  readonly source: 'events' | 'safety';
  /** The refused value (undefined for a source error). */
  readonly value: unknown;
  readonly error: unknown;
  readonly at: number;
}

/** Options of {@link EventDispatcher} beside its configuration. */
export interface EventDispatcherOptions {
  /** Clock and timers (default `asyncScheduler`); pass a `TestScheduler` for virtual time. */
  scheduler?: SchedulerLike;
  /** The external safety state; mapped through `SAFETY_TO_DEGRADATION`, the most severe level wins. */
  safety$?: Observable<SafetyState>;
  /** COLLAPSE lanes' key (default: the event type), e.g. `(e) => e.eventType + ':' + e.payload.symbol`. */
  collapseKey?: (event: Event) => string;
  /** Length of a drain slice on a real clock, ms (default 0.25). */
  sliceMs?: number;
  /** Events per drain slice under a virtual clock (default 256). */
  sliceEvents?: number;
}

/** Thrown (or rejected) when the dispatcher is used after `stop()`. */
export class DispatcherStoppedError extends Error {
  override readonly name = 'DispatcherStoppedError';
  constructor(readonly operation: string) {
    super(`${operation}: expected a running dispatcher, got one that is stopped`);
  }
}

/**
 * The error on `failures$` for a P1–P3 batch whose handlers had not settled when `stop()` reached
 * `stopTimeoutMs`: the batch was given up (its Observable results unsubscribed) and counts as failed.
 */
export class StopTimeoutError extends Error {
  override readonly name = 'StopTimeoutError';
  constructor(readonly stopTimeoutMs: number) {
    super(`stop: expected the batch to settle within stopTimeoutMs (${stopTimeoutMs} ms), got still in flight; it was given up`);
  }
}

/**
 * Rejected by `dispatch` when a handler, while it is being called, dispatches into its own lane and
 * the event would have to wait for room: the room could only come from the batch that handler is
 * still processing, so waiting would hang the lane, its producers and `stop()`. Nothing is
 * enqueued. (A handler may instead dispatch without awaiting, or dispatch into another lane.)
 */
export class ReentrantDispatchError extends Error {
  override readonly name = 'ReentrantDispatchError';
  constructor(readonly priority: EventPriority) {
    super(
      `dispatch: expected room in lane P${priority} for an event dispatched by one of its own handlers, got a full lane ` +
        'whose room only that handler can free; waiting would deadlock',
    );
  }
}

/** Thrown when a handler registration or a degradation level is invalid; `field` names the argument. */
export class DispatcherArgumentError extends Error {
  override readonly name = 'DispatcherArgumentError';
  constructor(
    readonly field: string,
    readonly expected: string,
    readonly received: unknown,
  ) {
    super(`${field}: expected ${expected}, got ${describeValue(received)}`);
  }
}

function describeValue(value: unknown): string {
  if (typeof value === 'function') return 'a function';
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

interface Waiter {
  resolve: () => void;
  reject: (error: unknown) => void;
}

/** A batch whose handlers have not all settled yet. */
interface PendingBatch {
  readonly priority: EventPriority;
  readonly batch: readonly Event[];
  readonly enqueuedAt: Float64Array;
  /** Unsettled results, plus one while the fan-out is still running. */
  pending: number;
  failed: boolean;
  /** The fan-out returned before the batch settled: the merge must be told when it does. */
  detached: boolean;
  /** Given up at the stop timeout (reported as a failure); a late settle changes nothing. */
  abandoned: boolean;
  /** Subscriptions to Observable results still running, cancelled if the batch is abandoned. */
  subscriptions: Subscription[] | null;
}

class LaneStats {
  handled = 0;
  failed = 0;
  inFlightEvents = 0;
  budgetBreaches = 0;
  readonly latency: LatencyHistogram;
  constructor(windowSize: number) {
    this.latency = new LatencyHistogram(windowSize);
  }
}

const RESOLVED: Promise<void> = Promise.resolve();

/**
 * Routes events into priority lanes and drains them into handlers by strict priority.
 *
 * ```
 *              dispatch / ingest
 *                      │ validate, route by priority
 *     ┌────────────┬───┴────────┬────────────┐
 *  P0 BLOCK     P1 DROP_OLDEST  P2 COLLAPSE  P3 SAMPLE      bounded lanes (drops → drops$)
 *     └────────────┴───┬────────┴────────────┘
 *                      │ priority merge: highest ready lane first, ≈0.25 ms slices
 *                 handlers (fan-out in registration order; failures → failures$)
 * ```
 *
 * @example
 * ```ts
 * const dispatcher = new EventDispatcher({ queues: { p1: { batchSize: 50 } } }, { safety$ });
 * dispatcher.registerHandler(EventPriority.P0_CRITICAL, (batch) => oms.apply(batch));
 * await dispatcher.start();
 * await dispatcher.dispatch(createEvent('FILL_CONFIRMED', { payload: { orderId: 'A1' } }));
 * ```
 */
export class EventDispatcher {
  /** The resolved configuration. */
  readonly config: EventConfig;
  /** Every evicted, collapsed, sampled or shutdown event, with the reason. */
  readonly drops$: Observable<DropRecord>;
  /** Dead letters: one record per failing handler per batch. */
  readonly failures$: Observable<FailureRecord>;
  /** Plain frozen telemetry records; produced only while subscribed. */
  readonly telemetry$: Observable<DispatcherTelemetry>;
  /** The effective degradation level; replays the current one. */
  readonly degradation$: Observable<DegradationLevel>;
  /** Per-lane metrics every `monitoring.checkIntervalMs`. */
  readonly metrics$: Observable<DispatcherMetrics>;
  /** Alert level changes (depth, backpressure, latency). */
  readonly alerts$: Observable<DispatcherAlert>;
  /** Inputs refused or failed: invalid ingested values, ingested source errors, invalid or failed `safety$` values. */
  readonly ingestErrors$: Observable<IngestError>;
  /**
   * Indexed by priority: every batch handed to that lane's handlers, as it is handed over (named
   * `dispatcher.p0.batches` … `dispatcher.p3.batches`); produced only while subscribed.
   */
  readonly batches$: readonly Observable<readonly Event[]>[];

  private readonly scheduler: SchedulerLike;
  private readonly merge: PriorityMerge;
  private readonly safety$: Observable<SafetyState> | undefined;
  private readonly dropSubject = new Multicast<DropRecord>();
  private readonly failureSubject = new Subject<FailureRecord>();
  private readonly telemetrySubject = new Subject<DispatcherTelemetry>();
  /** The sequence number of the last telemetry record. */
  private telemetrySeq = 0;
  private readonly batchSubjects = EVENT_PRIORITIES.map(() => new Subject<readonly Event[]>());
  private readonly ingestErrorSubject = new Subject<IngestError>();
  private readonly levelSubject = new BehaviorSubject<DegradationLevel>(DegradationLevel.NORMAL);
  /** Emits once at stop and replays it, so monitoring subscribed after stop() ends at once too. */
  private readonly stopped$ = new ReplaySubject<void>(1);
  private readonly handlers: EventHandler[][] = [[], [], [], []];
  private readonly stats: LaneStats[];
  private readonly waiters = new Map<Event, Waiter>();
  /** Events awaited by `dispatchAndWait`; consulted only while non-empty. */
  private readonly handling = new HandlingWaiters();
  private readonly ingestions = new Subscription();
  private safetySubscription: Subscription | null = null;
  private manualLevel: DegradationLevel = DegradationLevel.NORMAL;
  private safetyLevel: DegradationLevel = DegradationLevel.NORMAL;
  private started = false;
  private accepting = true;
  private stopPromise: Promise<void> | null = null;
  /** While stopping: checks whether the drain is done, after every slice and settle. */
  private stopCheck: (() => void) | null = null;
  // The batch being fanned out, kept in fields so a throwing handler can be recovered from.
  private curPriority: EventPriority = 0;
  private curBatch: readonly Event[] = [];
  private curEnqueuedAt: Float64Array = new Float64Array(0);
  private curHandlers: readonly EventHandler[] = [];
  private curIndex = 0;
  private curFailed = false;
  private curPending: PendingBatch | null = null;
  /** The lane whose handlers are being called right now, or -1. */
  private deliveringLane = -1;
  /** Batches whose handlers returned a Promise or Observable that has not settled yet. */
  private readonly unsettled = new Set<PendingBatch>();

  /**
   * @param config a partial configuration, deep-merged over the shipped defaults; its `eventTypes` are registered
   * @throws {ConfigError} for an invalid configuration
   * @throws {EventTypeError} when one of its `eventTypes` contradicts an earlier registration
   * @param options scheduler, safety stream and tuning
   */
  constructor(config: DeepPartial<EventConfig> = {}, options: EventDispatcherOptions = {}) {
    this.config = resolveEventConfig(config);
    registerEventTypes(this.config.eventTypes);
    this.scheduler = options.scheduler ?? asyncScheduler;
    this.safety$ = options.safety$;
    const onDrop = (record: DropRecord): void => this.onDrop(record);
    const onRelease = (event: Event): void => this.onRelease(event);
    const queues = this.config.queues;
    const lanes = mergeLanesFromConfig((key) => queues[key], { collapseKey: options.collapseKey, onDrop, onRelease });
    const sink: PriorityMergeSink = {
      deliver: (priority, batch, enqueuedAt) => this.deliver(priority, batch, enqueuedAt),
      recover: (error) => this.recover(error),
    };
    this.merge = new PriorityMerge({
      lanes,
      scheduler: this.scheduler,
      yieldScheduler: createYieldScheduler(this.scheduler),
      sink,
      sliceMs: options.sliceMs,
      sliceEvents: options.sliceEvents,
      onProgress: () => this.onProgress(),
    });
    this.stats = EVENT_PRIORITIES.map(() => new LaneStats(this.config.monitoring.latencyWindow));
    this.drops$ = this.dropSubject.observable.pipe(instrument<DropRecord>('dispatcher.drops'));
    this.failures$ = this.failureSubject.asObservable().pipe(instrument<FailureRecord>('dispatcher.failures'));
    this.telemetry$ = telemetryWithSnapshot(this.telemetrySubject, () => snapshotRecords(this.sampleMetrics(), this.telemetrySeq)).pipe(
      instrument<DispatcherTelemetry>('dispatcher.telemetry'),
    );
    this.batches$ = this.batchSubjects.map((subject, priority) => subject.asObservable().pipe(instrument<readonly Event[]>(`dispatcher.${LANE_KEYS[priority]!}.batches`)));
    this.ingestErrors$ = this.ingestErrorSubject.asObservable().pipe(instrument<IngestError>('dispatcher.ingestErrors'));
    this.degradation$ = this.levelSubject.pipe(distinctUntilChanged(), instrument<DegradationLevel>('dispatcher.degradation'));
    const monitoring = createMonitoring(() => this.sampleMetrics(), this.config.monitoring, this.scheduler, this.stopped$);
    this.metrics$ = monitoring.metrics$;
    this.alerts$ = monitoring.alerts$;
    this.updatePauses();
  }

  /** The effective degradation level: the more severe of the manual and the safety-driven one. */
  get degradationLevel(): DegradationLevel {
    return this.levelSubject.value;
  }

  /** True between `start()` and `stop()`. */
  get running(): boolean {
    return this.started && this.accepting;
  }

  /**
   * Routes `event` into its lane. Resolves once the lane accepted it (a P0 event in a full BLOCK
   * lane waits for room; a SAMPLE refusal still resolves and is reported on `drops$`).
   * Events dispatched before `start()` are buffered until it.
   *
   * @throws (rejects) {EventValidationError} naming the invalid field; nothing else is affected
   * @throws (rejects) {DispatcherStoppedError} after `stop()`
   * @throws (rejects) {ReentrantDispatchError} when a handler, during its call, dispatches into its own full lane
   */
  dispatch(event: Event): Promise<void> {
    if (!this.accepting) return Promise.reject(new DispatcherStoppedError('dispatch'));
    let valid: Event;
    try {
      valid = validateEvent(event);
    } catch (error) {
      return Promise.reject(error);
    }
    if (this.deliveringLane === valid.priority && this.wouldWaitForOwnBatch(valid)) {
      return Promise.reject(new ReentrantDispatchError(valid.priority));
    }
    if (this.enqueue(valid) !== OfferOutcome.HELD) return RESOLVED;
    return this.waitForRoom(valid);
  }

  /**
   * Routes `event` as {@link dispatch} does and resolves once every handler of the batch that
   * carried it has succeeded — the in-process twin of a broker acknowledgement, in every lane and
   * with batching (the whole batch must succeed). Settles from the dispatcher's own callbacks, so it
   * also settles under a virtual clock once the scheduler has run.
   *
   * @throws (rejects) {HandlerFailedError} as soon as a handler of its batch throws, rejects or
   *   errors (or the batch is given up at the stop timeout), holding the FailureRecord
   * @throws (rejects) {EventDroppedError} when the event is evicted, collapsed away, sampled out or
   *   cleared at `stop()` ('shutdown'), holding the DropRecord
   * @throws (rejects) {EventValidationError} naming the invalid field; nothing else is affected
   * @throws (rejects) {DispatcherStoppedError} after `stop()`
   * @throws (rejects) {DispatcherArgumentError} when this very event object is already awaited
   */
  dispatchAndWait(event: Event): Promise<void> {
    if (!this.accepting) return Promise.reject(new DispatcherStoppedError('dispatchAndWait'));
    let valid: Event;
    try {
      valid = validateEvent(event);
    } catch (error) {
      return Promise.reject(error);
    }
    return new Promise<void>((resolve, reject) => {
      if (!this.handling.add(valid, { handled: resolve, failed: reject })) {
        reject(new DispatcherArgumentError('event', 'an event object not already awaited (dispatch a new event)', valid.eventId));
        return;
      }
      this.enqueue(valid);
    });
  }

  /**
   * The reactive entry: subscribes to `events$` and routes each event as `dispatch` does (without
   * waiting). Invalid values and source errors go to `ingestErrors$`; the ingestion ends at `stop()`.
   *
   * @throws {DispatcherStoppedError} after `stop()`
   */
  ingest(events$: Observable<Event>): Subscription {
    if (!this.accepting) throw new DispatcherStoppedError('ingest');
    const subscription = events$.subscribe({
      next: (value) => this.ingestOne(value),
      error: (error: unknown) => this.reportInputError('events', undefined, error),
    });
    this.ingestions.add(subscription);
    subscription.add(() => this.ingestions.remove(subscription));
    return subscription;
  }

  /**
   * Adds `handler` to lane `priority`; every batch of that lane goes to each handler in
   * registration order. Returns a function that removes it (batches already started still reach it).
   *
   * @throws {DispatcherArgumentError} for an unknown priority or a handler that is not a function
   * @throws {DispatcherStoppedError} after `stop()`
   */
  registerHandler(priority: EventPriority, handler: EventHandler): () => void {
    if (this.stopPromise !== null) throw new DispatcherStoppedError('registerHandler');
    if (!EVENT_PRIORITIES.includes(priority)) throw new DispatcherArgumentError('priority', 'an EventPriority (0, 1, 2 or 3)', priority);
    if (typeof handler !== 'function') throw new DispatcherArgumentError('handler', 'a function', handler);
    // Copy-on-write: a batch being fanned out keeps the list it started with.
    this.handlers[priority] = [...this.handlers[priority]!, handler];
    this.updatePauses();
    let registered = true;
    return () => {
      if (!registered) return;
      registered = false;
      const list = this.handlers[priority]!;
      const index = list.indexOf(handler);
      if (index >= 0) this.handlers[priority] = [...list.slice(0, index), ...list.slice(index + 1)];
      this.updatePauses();
    };
  }

  /** Starts draining (and follows `safety$`). Resolves at once; calling it again does nothing. */
  start(): Promise<void> {
    if (!this.accepting) return Promise.reject(new DispatcherStoppedError('start'));
    if (this.started) return RESOLVED;
    this.started = true;
    if (this.safety$ !== undefined) {
      this.safetySubscription = this.safety$.subscribe({
        next: (state) => {
          if (!isSafetyState(state)) {
            // Not a safety state: reported, and the level stays at the last valid state's.
            this.reportInputError('safety', state, new SafetyStateError(state));
            return;
          }
          this.safetyLevel = SAFETY_TO_DEGRADATION[state];
          this.applyLevel();
        },
        // A failed safety feed must not take the dispatcher down: the last level holds.
        error: (error: unknown) => this.reportInputError('safety', undefined, error),
      });
    }
    this.updatePauses();
    return RESOLVED;
  }

  /**
   * Refuses new events, drains P0 fully and P1–P3 until `stopTimeoutMs`, then reports whatever
   * is still queued as 'shutdown' drops and completes every stream. Lanes without a handler (and
   * lanes paused by degradation, once the timeout passes) are not drained. Repeated calls return
   * the same promise.
   */
  stop(): Promise<void> {
    if (this.stopPromise !== null) return this.stopPromise;
    this.accepting = false;
    this.ingestions.unsubscribe();
    this.started = true;
    this.updatePauses();
    this.merge.flushing = true;
    this.merge.requestDrain();
    this.stopPromise = new Promise<void>((resolve) => {
      let timedOut = false;
      let finished = false;
      let abandoning = false;
      const timer = scheduleAfter(this.scheduler, this.config.stopTimeoutMs, () => {
        timedOut = true;
        const now = this.scheduler.now();
        for (const priority of [1, 2, 3] as const) this.merge.buffer(priority).clear('shutdown', now);
        // P1–P3 batches still in flight are given up (P0 is always waited for). The stop may not
        // complete (and close failures$) before every one of them has been reported.
        abandoning = true;
        for (const batch of [...this.unsettled]) if (batch.priority !== 0) this.abandon(batch);
        abandoning = false;
        check();
      });
      const check = (): void => {
        if (finished || abandoning) return;
        const now = this.scheduler.now();
        for (const priority of EVENT_PRIORITIES) {
          // A lane nobody consumes cannot drain: what it holds is reported at once.
          if (this.handlers[priority]!.length === 0) this.merge.buffer(priority).clear('shutdown', now);
        }
        if (!this.merge.isLaneIdle(0)) return;
        if (!timedOut && ![1, 2, 3].every((p) => this.merge.isLaneIdle(p as EventPriority))) return;
        finished = true;
        this.stopCheck = null;
        timer.unsubscribe();
        this.finishStop();
        resolve();
      };
      this.stopCheck = check;
      check();
    });
    return this.stopPromise;
  }

  /**
   * Sets the manual degradation level; the effective level is the more severe of it and the
   * safety-driven one. Paused lanes keep buffering and resume when the level lifts.
   *
   * @throws {DispatcherArgumentError} when `level` is not a DegradationLevel
   * @throws {DispatcherStoppedError} after `stop()`
   */
  setDegradationLevel(level: DegradationLevel): void {
    if (this.stopPromise !== null) throw new DispatcherStoppedError('setDegradationLevel');
    if (typeof level !== 'string' || !Object.hasOwn(DEGRADATION_SEVERITY, level)) {
      throw new DispatcherArgumentError('level', `one of ${Object.keys(DEGRADATION_SEVERITY).join(', ')}`, level);
    }
    this.manualLevel = level;
    this.applyLevel();
  }

  /** The current figures of every lane (what `metrics$` emits each interval). */
  sampleMetrics(): DispatcherMetrics {
    const lanes = EVENT_PRIORITIES.map((priority): LaneMetrics => {
      const buffer = this.merge.buffer(priority);
      const counters = buffer.counters;
      const stats = this.stats[priority]!;
      return Object.freeze({
        priority,
        lane: LANE_KEYS[priority]!,
        policy: buffer.policy,
        depth: buffer.size,
        capacity: buffer.capacity,
        utilisation: buffer.size / buffer.capacity,
        producersWaiting: buffer.heldCount,
        paused: this.merge.isPaused(priority),
        inFlightBatches: this.merge.inFlight(priority),
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
    });
    return Object.freeze({ at: this.scheduler.now(), degradationLevel: this.degradationLevel, lanes: Object.freeze(lanes) });
  }

  /** Lane `priority`'s handler latency window (enqueue → done, ms), for exporters reading it on scrape. */
  latencyWindow(priority: EventPriority): LatencyWindow {
    return this.stats[priority]!.latency;
  }

  /** `util.inspect` / `console.log`: state, level and each lane's depth, not the private fields. */
  [INSPECT_CUSTOM](): string {
    const state = this.stopPromise !== null ? 'stopped' : this.started ? 'running' : 'not started';
    const lanes = EVENT_PRIORITIES.map((p) => `P${p} ${this.merge.buffer(p).size}/${this.merge.buffer(p).capacity}`).join(', ');
    return inspectSummary('EventDispatcher', `${state}, ${this.degradationLevel}, ${lanes}`);
  }

  // ── entry ───────────────────────────────────────────────────────────────────────────────────

  /**
   * The promise of a held P0 producer. Kept out of `dispatch`: a closure there would make every
   * call allocate its captured context, even on the common path that returns `RESOLVED`.
   */
  private waitForRoom(event: Event): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const earlier = this.waiters.get(event);
      this.waiters.set(
        event,
        earlier === undefined
          ? { resolve, reject }
          : {
              resolve: () => (earlier.resolve(), resolve()),
              reject: (error) => (earlier.reject(error), reject(error)),
            },
      );
    });
  }

  /**
   * True when `event`, dispatched by a handler of its own lane during the call, would be held while
   * every slot of the lane is taken (one by that handler's batch): only that batch could free room.
   */
  private wouldWaitForOwnBatch(event: Event): boolean {
    const buffer = this.merge.buffer(event.priority);
    if (event.canDrop === true || buffer.size + buffer.heldCount < buffer.capacity) return false;
    return this.merge.inFlight(event.priority) >= this.config.queues[LANE_KEYS[event.priority]!].concurrency;
  }

  private ingestOne(value: Event): void {
    let event: Event;
    try {
      event = validateEvent(value);
    } catch (error) {
      this.reportInputError('events', value, error);
      return;
    }
    this.enqueue(event);
  }

  private enqueue(event: Event): OfferOutcome {
    const outcome = this.merge.offer(event);
    if (this.telemetrySubject.observed) {
      this.emitTelemetry(outcome === OfferOutcome.HELD ? 'blocked' : 'enqueued', event.priority, 1);
    }
    return outcome;
  }

  private onDrop(record: DropRecord): void {
    this.dropSubject.next(record);
    if (this.handling.size > 0) this.handling.dropped(record);
    if (record.reason === 'shutdown') {
      const waiter = this.waiters.get(record.event);
      if (waiter !== undefined) {
        this.waiters.delete(record.event);
        waiter.reject(new DispatcherStoppedError('dispatch'));
      }
    }
    if (this.telemetrySubject.observed) this.emitTelemetry(record.reason, record.priority, 1);
  }

  private onRelease(event: Event): void {
    const waiter = this.waiters.get(event);
    if (waiter !== undefined) {
      this.waiters.delete(event);
      waiter.resolve();
    }
    if (this.telemetrySubject.observed) this.emitTelemetry('released', event.priority, 1);
  }

  // ── delivery ────────────────────────────────────────────────────────────────────────────────

  private deliver(priority: EventPriority, batch: readonly Event[], enqueuedAt: Float64Array): boolean {
    this.curPriority = priority;
    this.curBatch = batch;
    this.curEnqueuedAt = enqueuedAt;
    this.curHandlers = this.handlers[priority]!;
    this.curIndex = 0;
    this.curFailed = false;
    this.curPending = null;
    this.stats[priority]!.inFlightEvents += batch.length;
    this.deliveringLane = priority;
    const batches = this.batchSubjects[priority]!;
    if (batches.observed) batches.next(batch);
    return this.fanOut();
  }

  /** Calls the remaining handlers of the current batch. Deliberately free of try/catch (see merge.ts). */
  private fanOut(): boolean {
    const handlers = this.curHandlers;
    const batch = this.curBatch;
    while (this.curIndex < handlers.length) {
      const handler = handlers[this.curIndex++]!;
      const result = handler(batch);
      if (result !== undefined && result !== null) this.track(result);
    }
    this.deliveringLane = -1;
    const pending = this.curPending;
    if (pending === null) {
      this.completeBatch(this.curPriority, batch, this.curEnqueuedAt, this.curFailed);
      return true;
    }
    this.curPending = null;
    if (pending.abandoned) return true;
    if (this.curFailed) pending.failed = true;
    pending.pending--;
    if (pending.pending === 0) {
      this.unsettled.delete(pending);
      this.completeBatch(pending.priority, pending.batch, pending.enqueuedAt, pending.failed);
      return true;
    }
    pending.detached = true;
    return false;
  }

  /** A handler of the current batch threw `error`: record it and go on with the next handler. */
  private recover(error: unknown): boolean {
    this.curFailed = true;
    this.recordFailure(this.curPriority, this.curBatch, error);
    return this.fanOut();
  }

  private track(result: PromiseLike<unknown> | Observable<unknown>): void {
    const isAsync = isObservable(result) || typeof (result as PromiseLike<unknown>).then === 'function';
    if (!isAsync) return;
    let pending = this.curPending;
    if (pending === null) {
      pending = {
        priority: this.curPriority,
        batch: this.curBatch,
        enqueuedAt: this.curEnqueuedAt.slice(0, this.curBatch.length),
        pending: 1,
        failed: false,
        detached: false,
        abandoned: false,
        subscriptions: null,
      };
      this.curPending = pending;
      this.unsettled.add(pending);
    }
    const batchState = pending;
    batchState.pending++;
    const settle = (error?: { error: unknown }): void => {
      if (batchState.abandoned) return;
      if (error !== undefined) {
        batchState.failed = true;
        this.recordFailure(batchState.priority, batchState.batch, error.error);
      }
      if (--batchState.pending > 0) return;
      this.unsettled.delete(batchState);
      this.completeBatch(batchState.priority, batchState.batch, batchState.enqueuedAt, batchState.failed);
      if (batchState.detached) this.merge.settle(batchState.priority);
    };
    // Settles once, whatever the result does afterwards.
    let done = false;
    const once = (error?: { error: unknown }): void => {
      if (done) return;
      done = true;
      settle(error);
    };
    if (isObservable(result)) {
      const subscription = result.subscribe({ error: (error: unknown) => once({ error }), complete: () => once() });
      if (!done) (batchState.subscriptions ??= []).push(subscription);
      return;
    }
    try {
      result.then(
        () => once(),
        (error: unknown) => once({ error }),
      );
    } catch (error) {
      // A `then` that throws is a failed result; left pending, it would hold the lane's slot forever.
      once({ error });
    }
  }

  private completeBatch(priority: EventPriority, batch: readonly Event[], enqueuedAt: Float64Array, failed: boolean): void {
    const stats = this.stats[priority]!;
    // Read through the merge: inside a slice the reading also serves as the slice's clock.
    const doneAt = this.merge.readClock();
    const count = batch.length;
    stats.latency.recordSince(doneAt, enqueuedAt, count);
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
    stats.inFlightEvents -= count;
    stats.budgetBreaches += breaches;
    stats.failed += unacknowledged;
    stats.handled += count - unacknowledged;
    // A failed batch's awaited events were rejected at its first failure; the rest are handled.
    if (this.handling.size > 0 && !failed) this.handling.batchHandled(batch);
    if (this.telemetrySubject.observed) {
      if (count > unacknowledged) this.emitTelemetry('handled', priority, count - unacknowledged);
      if (unacknowledged > 0) this.emitTelemetry('failed', priority, unacknowledged);
    }
  }

  /**
   * Gives up an in-flight batch at the stop timeout: its Observable results are unsubscribed, the
   * batch is reported on `failures$` (nothing vanishes silently) and its lane slot is freed.
   */
  private abandon(batch: PendingBatch): void {
    batch.abandoned = true;
    this.unsettled.delete(batch);
    if (batch.subscriptions !== null) for (const subscription of batch.subscriptions) subscription.unsubscribe();
    this.recordFailure(batch.priority, batch.batch, new StopTimeoutError(this.config.stopTimeoutMs));
    // Not handled, whatever requiresAck says: every event of the batch counts as failed.
    const stats = this.stats[batch.priority]!;
    stats.inFlightEvents -= batch.batch.length;
    stats.failed += batch.batch.length;
    if (this.telemetrySubject.observed) this.emitTelemetry('failed', batch.priority, batch.batch.length);
    if (batch.detached) this.merge.settle(batch.priority);
  }

  private reportInputError(source: IngestError['source'], value: unknown, error: unknown): void {
    this.ingestErrorSubject.next(Object.freeze({ source, value, error, at: this.scheduler.now() }));
  }

  private recordFailure(priority: EventPriority, batch: readonly Event[], error: unknown): void {
    const failure: FailureRecord = Object.freeze({ priority, batch, error, at: this.scheduler.now() });
    this.failureSubject.next(failure);
    if (this.handling.size > 0) this.handling.batchFailed(failure);
  }

  // ── degradation, lifecycle ─────────────────────────────────────────────────────────────────

  private applyLevel(): void {
    const level =
      DEGRADATION_SEVERITY[this.safetyLevel] > DEGRADATION_SEVERITY[this.manualLevel] ? this.safetyLevel : this.manualLevel;
    if (level !== this.levelSubject.value) {
      this.levelSubject.next(level);
      if (this.telemetrySubject.observed) {
        this.telemetrySubject.next(degradedRecord(level, this.scheduler.now(), ++this.telemetrySeq));
      }
    }
    this.updatePauses();
  }

  private updatePauses(): void {
    const level = this.levelSubject.value;
    for (const priority of EVENT_PRIORITIES) {
      const paused = !this.started || this.handlers[priority]!.length === 0 || isLanePaused(level, priority);
      this.merge.setPaused(priority, paused);
    }
  }

  private onProgress(): void {
    this.stopCheck?.();
  }

  private finishStop(): void {
    this.merge.dispose();
    this.safetySubscription?.unsubscribe();
    this.safetySubscription = null;
    this.stopped$.next();
    this.stopped$.complete();
    this.dropSubject.complete();
    this.failureSubject.complete();
    this.telemetrySubject.complete();
    this.ingestErrorSubject.complete();
    for (const subject of this.batchSubjects) subject.complete();
    this.levelSubject.complete();
  }

  private emitTelemetry(kind: DispatcherTelemetryKind, lane: EventPriority, count: number): void {
    this.telemetrySubject.next(laneRecord(kind, lane, count, this.scheduler.now(), this.merge.buffer(lane).size, ++this.telemetrySeq));
  }
}
