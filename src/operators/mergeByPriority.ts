/**
 * The priority merge as a pipeable operator.
 */
import { Observable, asyncScheduler, type NextObserver, type OperatorFunction, type SchedulerLike } from 'rxjs';
import { EVENT_PRIORITIES, EventPriority, type Event, type LaneKey } from '../event/contracts.js';
import { validateEvent } from '../event/validation.js';
import type { DeepPartial } from '../common/plain.js';
import type { EventConfig, LaneConfig } from '../event/config.js';
import { SHIPPED_LANES } from '../config/shipped.js';
import type { DropRecord, SinkFailure } from '../event/buffer/types.js';
import { PriorityMerge, type PriorityMergeSink } from '../event/merge.js';
import { mergeLanesFromConfig, type MergeLaneSinks } from '../event/mergeLanes.js';
import { createYieldScheduler } from '../event/yield-scheduler.js';
import { isAsyncResult, settleOnce, type SettleListener } from '../event/settle.js';
import { instrument } from '../debug/instrument.js';
import { openDropChannel } from './internal/drops.js';
import { describeValue } from '../common/describe.js';
import { canCollapseByDefault, canDropByDefault } from './internal/bufferOnDemand.js';

/**
 * The error of {@link mergeByPriority} when `priorityOf` returns something that is not a lane
 * priority, or a value cannot be routed at all (null or undefined); the output errors with it.
 */
export class PriorityOfError extends Error {
  override readonly name = 'PriorityOfError';
  constructor(
    /** The value that could not be routed. */
    readonly value: unknown,
    /** What `priorityOf` returned for it (undefined when the value itself was refused). */
    readonly priority: unknown,
    problem = `priorityOf: expected an EventPriority (0, 1, 2 or 3), got ${describeValue(priority)} for ${describeValue(value)}`,
  ) {
    super(problem);
  }
}

/** Options of {@link mergeByPriority}; every field is optional. `T` is the type of the values merged (default: the library's event). */
export interface MergeByPriorityOptions<T = Event> {
  /** Lane settings (capacity, policy, batching, concurrency, starvation), deep-merged over the defaults. */
  lanes?: DeepPartial<EventConfig['queues']>;
  /** Clock, batch timers and (virtual time) drain slices; default `asyncScheduler`. */
  scheduler?: SchedulerLike;
  /**
   * Work to do per batch before it is emitted: void (done on return), a PromiseLike or an
   * Observable (done when it completes). Up to the lane's `concurrency` batches run at once; a
   * failure errors the output. Without it, batches are emitted as they are drained.
   */
  handler?: (batch: readonly T[], priority: EventPriority) => void | PromiseLike<unknown> | Observable<unknown>;
  /**
   * Receives every evicted, collapsed or sampled event, and (reason `'shutdown'`) every event still
   * queued when the output ends by unsubscription or error; a callback that throws is isolated.
   */
  onDrop?: (record: DropRecord<T>) => void;
  /** Receives the same records as `onDrop` through the named stream `<name>.drops` (see `OnDemandOptions.drops`). */
  drops?: NextObserver<DropRecord<T>>;
  /**
   * COLLAPSE lanes' key (default: the event type). Without it, values that are not events never
   * collapse; with it, any droppable value whose `canCollapse` field is not `false` may.
   */
  collapseKey?: (value: T) => unknown;
  /**
   * The lane of each value (default: an event's `priority`, and every value is validated as an
   * event). With it, values of any type are routed without validation; a result that is not 0–3
   * errors the output with a {@link PriorityOfError} naming it; a `priorityOf` that throws sends
   * its value to the lowest lane (P3) and reports the failure to `onError` (`sink: 'priorityOf'`).
   */
  priorityOf?: (value: T) => EventPriority;
  /**
   * Which values may be evicted or refused (default: an event's `canDrop` field; any other value
   * is droppable). A `canDrop` that throws keeps its value and is reported to `onError`.
   */
  canDrop?: (value: T) => boolean;
  /** A sink, `priorityOf`, `canDrop` or the collapse key threw; the merge carries on. */
  onError?: (error: unknown, failure: SinkFailure<T>) => void;
  /** Slice length on a real clock in ms (default 0.25); events per slice under a virtual clock (default 256). */
  sliceMs?: number;
  sliceEvents?: number;
  /** Name passed to the instrumentation hook. */
  name?: string;
}

/** A batch whose handler returned a result still to settle. */
interface HandledBatch {
  readonly priority: EventPriority;
  readonly batch: readonly Event[];
  /** `settleOnce` has not returned yet. */
  synchronous: boolean;
  /** The result settled while `settleOnce` ran: the merge learns it from `deliver`'s return value. */
  settledSynchronously: boolean;
}

/** Without a collapse key, only events that say so collapse (other values have no key to collapse by). */
function canCollapseAsEvent(value: Event): boolean {
  return typeof value === 'object' && value !== null && value.canCollapse === true;
}

/**
 * Routes events into the four priority lanes and emits them as batches in strict priority order.
 *
 * Draining is scheduled, never done inside the source's `next`, so of everything that arrives in
 * one turn the highest lane goes first; it runs in short slices that yield to the event loop.
 * Batching per lane follows `groupedWithin` (count or time, a count flush restarts the window,
 * never an empty batch, flushed on completion); P0 is never batched; `canBatch: false` events go
 * alone.
 *
 * ```
 * source: -a--(cX)--|        a, c: P3 events; X: a P0 event; one event per batch
 * output: -a--(Xc)--|        X arrived after c in the same turn, and goes first
 *
 * source: -a-b-c-d-------|   P1 events; batchSize 3, batchTimeoutMs 5
 * output: -----B------D--|   B = [a, b, c] (count); D = [d] (time: its window opened at d,
 *                             after the count flush, and closed 5 frames later)
 * ```
 *
 * ## Example
 * ```ts
 * events$.pipe(mergeByPriority({ lanes: { p1: { batchSize: 50, batchTimeoutMs: 5 } } }))
 *   .subscribe((batch) => route(batch));
 * ```
 *
 * Generic: with `priorityOf`, values of any type `T` are routed (`orders$.pipe(mergeByPriority({
 * priorityOf: (o) => (o.urgent ? 0 : 2) }))` is an `Observable<readonly Order[]>`).
 *
 * @param options lanes, scheduler, optional `priorityOf`, `canDrop`, per-batch handler, drop and error callbacks, name
 * @return an operator from values to batches (`readonly T[]`, one lane each)
 * @throws (on the error channel) {PriorityOfError} when `priorityOf` returns something that is not 0–3
 */
export function mergeByPriority<T = Event>(options: MergeByPriorityOptions<T> = {}): OperatorFunction<T, readonly T[]> {
  // Only the lanes matter here (no monitoring): each lane's partial over the shipped defaults; the
  // buffer cores validate capacity and sample rate, the merge clamps batch size and concurrency.
  const defaults = SHIPPED_LANES;
  const laneConfig = (key: LaneKey): LaneConfig => ({ ...defaults[key], ...(options.lanes?.[key] as Partial<LaneConfig> | undefined) });
  const scheduler = options.scheduler ?? asyncScheduler;
  const handler = options.handler as MergeByPriorityOptions['handler'];
  const priorityOf = options.priorityOf;
  const onError = options.onError as MergeLaneSinks['onError'];
  // The cores are written for events; values of T travel through them as opaque items (see bufferOnDemand).
  const sinks: MergeLaneSinks = {
    collapseKey: options.collapseKey as MergeLaneSinks['collapseKey'],
    onDrop: options.onDrop as MergeLaneSinks['onDrop'],
    onError,
    ...(priorityOf === undefined && options.canDrop === undefined
      ? {}
      : {
          canDrop: (options.canDrop ?? canDropByDefault) as (event: Event) => boolean,
          canCollapse: options.collapseKey === undefined ? canCollapseAsEvent : canCollapseByDefault,
        }),
  };
  const reportPriorityOfFailure = (error: unknown, value: T): void => {
    if (onError === undefined) return;
    try {
      onError(error, Object.freeze({ sink: 'priorityOf', event: value as Event }));
    } catch {
      // A failing error sink has nowhere left to report to.
    }
  };
  const named = instrument<readonly T[]>(options.name, 'operator', 'mergeByPriority');
  return (source) =>
    named(new Observable<readonly T[]>((subscriber) => {
      let completed = false;
      let merge: PriorityMerge | undefined = undefined;
      const drops = openDropChannel(options.name, 'mergeByPriority', options.drops as NextObserver<DropRecord> | undefined, sinks.onDrop);
      // A batch is emitted once its handler's result has settled; a failure errors the output.
      const handlerSettled: SettleListener<HandledBatch> = {
        done: (handled) => {
          subscriber.next(handled.batch as readonly T[]);
          if (handled.synchronous) handled.settledSynchronously = true;
          else merge?.settle(handled.priority);
        },
        failed: (_handled, error) => subscriber.error(error),
      };
      const emitAfter = (priority: EventPriority, batch: readonly Event[]): boolean => {
        const result = handler === undefined ? undefined : handler(batch, priority);
        if (!isAsyncResult(result)) {
          subscriber.next(batch as readonly T[]);
          return true;
        }
        const handled: HandledBatch = { priority, batch, synchronous: true, settledSynchronously: false };
        const subscription = settleOnce(result, handlerSettled, handled);
        if (subscription !== null) subscriber.add(subscription);
        handled.synchronous = false;
        return handled.settledSynchronously;
      };
      const sink: PriorityMergeSink = {
        deliver: (priority, batch) => emitAfter(priority, batch),
        recover: (error) => {
          subscriber.error(error);
          return true;
        },
      };
      const checkComplete = (): void => {
        if (completed && merge !== undefined && merge.isIdle()) subscriber.complete();
      };
      merge = new PriorityMerge({
        lanes: mergeLanesFromConfig(laneConfig, { ...sinks, onDrop: drops?.report }),
        scheduler,
        yieldScheduler: createYieldScheduler(scheduler),
        sink,
        sliceMs: options.sliceMs,
        sliceEvents: options.sliceEvents,
        onProgress: checkComplete,
      });
      const lanes = merge;
      const routeByPriorityOf = (value: T): void => {
        if (value === null || value === undefined) {
          subscriber.error(new PriorityOfError(value, undefined, `mergeByPriority: expected a value to route, got ${describeValue(value)}`));
          return;
        }
        let priority: unknown;
        try {
          priority = priorityOf!(value);
        } catch (error) {
          reportPriorityOfFailure(error, value);
          priority = EventPriority.P3_LOW;
        }
        if (priority !== 0 && priority !== 1 && priority !== 2 && priority !== 3) {
          subscriber.error(new PriorityOfError(value, priority));
          return;
        }
        lanes.offerTo(value as unknown as Event, priority);
      };
      subscriber.add(() => {
        lanes.dispose();
        // Nothing vanishes silently: what is still queued or held is reported as 'shutdown'.
        const now = scheduler.now();
        for (const priority of EVENT_PRIORITIES) {
          const buffer = lanes.buffer(priority);
          if (buffer.size > 0 || buffer.heldCount > 0) buffer.clear('shutdown', now);
        }
        drops?.end();
      });
      subscriber.add(
        source.subscribe({
          next: (value) => {
            if (priorityOf !== undefined) {
              routeByPriorityOf(value);
              return;
            }
            let event: Event;
            try {
              event = validateEvent(value);
            } catch (error) {
              subscriber.error(error);
              return;
            }
            lanes.offer(event);
          },
          error: (error: unknown) => subscriber.error(error),
          complete: () => {
            completed = true;
            lanes.flushing = true;
            lanes.requestDrain();
            checkComplete();
          },
        }),
      );
    }));
}
