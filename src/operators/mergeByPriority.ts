/**
 * The priority merge as a pipeable operator.
 */
import { Observable, asyncScheduler, isObservable, type NextObserver, type OperatorFunction, type SchedulerLike } from 'rxjs';
import { EVENT_PRIORITIES, validateEvent, type Event, type EventPriority, type LaneKey } from '../event/contracts.js';
import type { DeepPartial, EventConfig, LaneConfig } from '../event/config.js';
import { SHIPPED_LANES } from '../config/shipped.js';
import type { DropRecord } from '../event/buffer/types.js';
import { PriorityMerge, mergeLanesFromConfig, type PriorityMergeSink } from '../event/merge.js';
import { createYieldScheduler } from '../event/yield-scheduler.js';
import { instrument } from '../debug/instrument.js';
import { openDropChannel } from '../debug/drops.js';

/** Options of {@link mergeByPriority}; every field is optional. */
export interface MergeByPriorityOptions {
  /** Lane settings (capacity, policy, batching, concurrency, starvation), deep-merged over the defaults. */
  lanes?: DeepPartial<EventConfig['queues']>;
  /** Clock, batch timers and (virtual time) drain slices; default `asyncScheduler`. */
  scheduler?: SchedulerLike;
  /**
   * Work to do per batch before it is emitted: void (done on return), a PromiseLike or an
   * Observable (done when it completes). Up to the lane's `concurrency` batches run at once; a
   * failure errors the output. Without it, batches are emitted as they are drained.
   */
  handler?: (batch: readonly Event[], priority: EventPriority) => void | PromiseLike<unknown> | Observable<unknown>;
  /**
   * Receives every evicted, collapsed or sampled event, and (reason `'shutdown'`) every event still
   * queued when the output ends by unsubscription or error; a callback that throws is isolated.
   */
  onDrop?: (record: DropRecord) => void;
  /** Receives the same records as `onDrop` through the named stream `<name>.drops` (see `OnDemandOptions.drops`). */
  drops?: NextObserver<DropRecord>;
  /** COLLAPSE lanes' key (default: the event type). */
  collapseKey?: (event: Event) => string;
  /** Slice length on a real clock in ms (default 0.25); events per slice under a virtual clock (default 256). */
  sliceMs?: number;
  sliceEvents?: number;
  /** Name passed to the instrumentation hook. */
  name?: string;
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
 * @param options lanes, scheduler, optional per-batch handler, drop callback, name
 * @return an operator from events to batches (`readonly Event[]`, one lane each)
 */
export function mergeByPriority(options: MergeByPriorityOptions = {}): OperatorFunction<Event, readonly Event[]> {
  // Only the lanes matter here (no monitoring): each lane's partial over the shipped defaults; the
  // buffer cores validate capacity and sample rate, the merge clamps batch size and concurrency.
  const defaults = SHIPPED_LANES;
  const laneConfig = (key: LaneKey): LaneConfig => ({ ...defaults[key], ...(options.lanes?.[key] as Partial<LaneConfig> | undefined) });
  const scheduler = options.scheduler ?? asyncScheduler;
  const handler = options.handler;
  const named = instrument<readonly Event[]>(options.name, 'operator', 'mergeByPriority');
  return (source) =>
    named(new Observable<readonly Event[]>((subscriber) => {
      let completed = false;
      let merge: PriorityMerge | undefined = undefined;
      const drops = openDropChannel(options.name, 'mergeByPriority', options.drops, options.onDrop);
      const emitAfter = (priority: EventPriority, batch: readonly Event[]): boolean => {
        const result = handler === undefined ? undefined : handler(batch, priority);
        const isAsync = result != null && (isObservable(result) || typeof (result as PromiseLike<unknown>).then === 'function');
        if (!isAsync) {
          subscriber.next(batch);
          return true;
        }
        let synchronous = true;
        let settledSynchronously = false;
        const done = (): void => {
          subscriber.next(batch);
          if (synchronous) settledSynchronously = true;
          else merge?.settle(priority);
        };
        const fail = (error: unknown): void => subscriber.error(error);
        if (isObservable(result)) subscriber.add(result.subscribe({ complete: done, error: fail }));
        else (result as PromiseLike<unknown>).then(done, fail);
        synchronous = false;
        return settledSynchronously;
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
        lanes: mergeLanesFromConfig(laneConfig, { collapseKey: options.collapseKey, onDrop: drops?.report }),
        scheduler,
        yieldScheduler: createYieldScheduler(scheduler),
        sink,
        sliceMs: options.sliceMs,
        sliceEvents: options.sliceEvents,
        onProgress: checkComplete,
      });
      const lanes = merge;
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
