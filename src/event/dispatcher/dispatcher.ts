/**
 * The event dispatcher: routes events into the four priority lanes, drains them by strict priority
 * into registered handlers (through the priority merge), isolates failing handlers, applies
 * degradation (manual and safety-driven), and publishes drops, failures, telemetry, metrics and
 * alerts.
 */
import { Subscription, asyncScheduler, distinctUntilChanged, type Observable, type SchedulerLike } from 'rxjs';
import {
  DEGRADATION_SEVERITY,
  EVENT_PRIORITIES,
  LANE_KEYS,
  isLanePaused,
  type DegradationLevel,
  type Event,
  type EventPriority,
} from '../contracts.js';
import { validateEvent } from '../validation.js';
import type { DeepPartial } from '../../common/plain.js';
import { resolveEventConfig, type EventConfig } from '../config.js';
import { OfferOutcome, type DropRecord } from '../buffer/types.js';
import { PriorityMerge, type PriorityMergeSink } from '../merge.js';
import { mergeLanesFromConfig } from '../mergeLanes.js';
import { createYieldScheduler } from '../yield-scheduler.js';
import type { LatencyWindow } from '../histogram.js';
import { createMonitoring, type DispatcherAlert, type DispatcherMetrics } from '../monitoring.js';
import type { SafetyState } from '../../safety/state.js';
import { instrument } from '../../debug/instrument.js';
import { snapshotRecords, telemetryWithSnapshot, type DispatcherTelemetry } from '../telemetry.js';
import { INSPECT_CUSTOM, inspectSummary } from '../../debug/inspect.js';
import { HandlingWaiters } from '../awaiting.js';
import { registerEventTypes } from '../event-types.js';
import type { EventDispatcherOptions, EventHandler, FailureRecord, IngestError } from './records.js';
import { DispatcherArgumentError, DispatcherStoppedError, ReentrantDispatchError } from './errors.js';
import { BatchFanOut } from './batch.js';
import { BatchAccounting } from './accounting.js';
import { StopDrain } from './stop.js';
import { LaneStats, laneMetrics } from './stats.js';
import { HeldProducers, wouldWaitForOwnBatch } from './producers.js';
import { Degradation } from './degradation.js';
import { DispatcherChannels } from './channels.js';

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
  private readonly channels: DispatcherChannels;
  private readonly degradation = new Degradation((changed) => this.onLevelApplied(changed));
  private readonly handlers: EventHandler[][] = [[], [], [], []];
  private readonly stats: LaneStats[];
  private readonly producers = new HeldProducers();
  /** Events awaited by `dispatchAndWait`; consulted only while non-empty. */
  private readonly handling = new HandlingWaiters();
  private readonly ingestions = new Subscription();
  private readonly fanOut: BatchFanOut;
  private started = false;
  private accepting = true;
  private stopPromise: Promise<void> | null = null;
  /** While stopping: checks whether the drain is done, after every slice and settle. */
  private stopDrain: StopDrain | null = null;

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
      recover: (error) => this.fanOut.recover(error),
    };
    this.merge = new PriorityMerge({
      lanes,
      scheduler: this.scheduler,
      yieldScheduler: createYieldScheduler(this.scheduler),
      sink,
      sliceMs: options.sliceMs,
      sliceEvents: options.sliceEvents,
      onProgress: () => this.stopDrain?.check(),
    });
    const channels = new DispatcherChannels(this.scheduler, this.merge);
    this.channels = channels;
    this.stats = EVENT_PRIORITIES.map(() => new LaneStats(this.config.monitoring.latencyWindow));
    const accounting = new BatchAccounting(this.merge, this.scheduler, this.stats, this.handling, channels, this.config.stopTimeoutMs);
    this.fanOut = new BatchFanOut(accounting);
    this.drops$ = channels.drops.observable.pipe(instrument<DropRecord>('dispatcher.drops'));
    this.failures$ = channels.failures.asObservable().pipe(instrument<FailureRecord>('dispatcher.failures'));
    this.telemetry$ = telemetryWithSnapshot(channels.telemetry, () => snapshotRecords(this.sampleMetrics(), channels.telemetrySeq)).pipe(
      instrument<DispatcherTelemetry>('dispatcher.telemetry'),
    );
    this.batches$ = channels.batches.map((subject, priority) => subject.asObservable().pipe(instrument<readonly Event[]>(`dispatcher.${LANE_KEYS[priority]!}.batches`)));
    this.ingestErrors$ = channels.ingestErrors.asObservable().pipe(instrument<IngestError>('dispatcher.ingestErrors'));
    this.degradation$ = this.degradation.level$.pipe(distinctUntilChanged(), instrument<DegradationLevel>('dispatcher.degradation'));
    const monitoring = createMonitoring(() => this.sampleMetrics(), this.config.monitoring, this.scheduler, channels.stopped$);
    this.metrics$ = monitoring.metrics$;
    this.alerts$ = monitoring.alerts$;
    this.updatePauses();
  }

  /** The effective degradation level: the more severe of the manual and the safety-driven one. */
  get degradationLevel(): DegradationLevel {
    return this.degradation.level;
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
    if (this.fanOut.deliveringLane === valid.priority && wouldWaitForOwnBatch(valid, this.merge, this.config.queues)) {
      return Promise.reject(new ReentrantDispatchError(valid.priority));
    }
    if (this.enqueue(valid) !== OfferOutcome.HELD) return RESOLVED;
    return this.producers.waitForRoom(valid);
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
      this.degradation.follow(this.safety$, (value, error) => this.reportInputError('safety', value, error));
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
      const drain = new StopDrain({
        scheduler: this.scheduler,
        merge: this.merge,
        stopTimeoutMs: this.config.stopTimeoutMs,
        hasHandler: (priority) => this.handlers[priority]!.length > 0,
        // P0 is always waited for.
        abandonInFlight: () => this.fanOut.abandonInFlight(0),
        finish: () => {
          this.stopDrain = null;
          this.finishStop();
          resolve();
        },
      });
      this.stopDrain = drain;
      drain.check();
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
    this.degradation.setManual(level);
  }

  /** The current figures of every lane (what `metrics$` emits each interval). */
  sampleMetrics(): DispatcherMetrics {
    const lanes = EVENT_PRIORITIES.map((priority) => laneMetrics(priority, this.merge, this.stats[priority]!));
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

  private reportInputError(source: IngestError['source'], value: unknown, error: unknown): void {
    this.channels.ingestErrors.next(Object.freeze({ source, value, error, at: this.scheduler.now() }));
  }

  private enqueue(event: Event): OfferOutcome {
    const outcome = this.merge.offer(event);
    if (this.channels.telemetry.observed) {
      this.channels.laneTelemetry(outcome === OfferOutcome.HELD ? 'blocked' : 'enqueued', event.priority, 1);
    }
    return outcome;
  }

  private onDrop(record: DropRecord): void {
    this.channels.drops.next(record);
    if (this.handling.size > 0) this.handling.dropped(record);
    if (record.reason === 'shutdown') this.producers.refused(record.event);
    if (this.channels.telemetry.observed) this.channels.laneTelemetry(record.reason, record.priority, 1);
  }

  private onRelease(event: Event): void {
    this.producers.released(event);
    if (this.channels.telemetry.observed) this.channels.laneTelemetry('released', event.priority, 1);
  }

  // ── delivery ────────────────────────────────────────────────────────────────────────────────

  private deliver(priority: EventPriority, batch: readonly Event[], enqueuedAt: Float64Array): boolean {
    const fanOut = this.fanOut;
    fanOut.start(priority, batch, enqueuedAt, this.handlers[priority]!);
    this.stats[priority]!.inFlightEvents += batch.length;
    const batches = this.channels.batches[priority]!;
    if (batches.observed) batches.next(batch);
    return fanOut.callHandlers();
  }

  // ── degradation, lifecycle ─────────────────────────────────────────────────────────────────

  /** Publishes a change of the effective level, and pauses or resumes lanes for it. */
  private onLevelApplied(changed: boolean): void {
    if (changed && this.channels.telemetry.observed) this.channels.degradedTelemetry(this.degradation.level);
    this.updatePauses();
  }

  private updatePauses(): void {
    const level = this.degradation.level;
    for (const priority of EVENT_PRIORITIES) {
      const paused = !this.started || this.handlers[priority]!.length === 0 || isLanePaused(level, priority);
      this.merge.setPaused(priority, paused);
    }
  }

  private finishStop(): void {
    this.merge.dispose();
    this.degradation.stopFollowing();
    this.channels.complete();
    this.degradation.level$.complete();
  }
}
