/**
 * The RxJS face of a lane buffer core: the one demand-driven subscription body shared by the
 * operators `boundedBlock`, `dropOldest`, `collapseByType` and `sample`.
 */
import { Observable, asyncScheduler, isObservable, type MonoTypeOperatorFunction, type NextObserver, type SchedulerLike, Subscription } from 'rxjs';
import type { Event, OverflowPolicy } from '../../event/contracts.js';
import { instrument } from '../../debug/instrument.js';
import { openDropChannel } from './drops.js';
import type { LaneBufferOptions } from '../../event/buffer/base.js';
import { LaneConfigError } from '../../event/buffer/errors.js';
import type { DropRecord, LaneBuffer, SinkFailure } from '../../event/buffer/types.js';

/**
 * The default `canDrop` of the generic operators: an event's own `canDrop` field; any other value
 * is droppable (a value whose `canDrop` field is `false` is kept, as an event would be).
 */
export function canDropByDefault(value: unknown): boolean {
  return typeof value !== 'object' || value === null || (value as { canDrop?: unknown }).canDrop !== false;
}

/**
 * The default collapsibility of the generic operators: an event's own `canCollapse` field; any
 * other value may collapse unless its `canCollapse` field is `false`. (Undroppable values never collapse.)
 */
export function canCollapseByDefault(value: unknown): boolean {
  return typeof value !== 'object' || value === null || (value as { canCollapse?: unknown }).canCollapse !== false;
}

/** Options every buffering operator takes; `T` is the type of the values it buffers (default: the library's event). */
export interface OnDemandOptions<T = Event> {
  /** Most events buffered; a positive integer. */
  capacity: number;
  /**
   * The consumer's demand: each notification asks for one event. Demand that arrives while the
   * buffer is empty is banked and served as events arrive (Reactive Streams `request(n)`).
   * Completion of `ready` means no further demand: once the banked demand is used up the output
   * terminates, and what is still buffered or held is reported as `'shutdown'`; an error of
   * `ready` errors the output.
   */
  ready: Observable<unknown>;
  /** Passes the output through the instrumentation hook under this name. */
  name?: string;
  /** Receives every event the policy drops, and (reason `'shutdown'`) every event still buffered at unsubscription. Isolated if it throws. */
  onDrop?: (record: DropRecord<T>) => void;
  /**
   * Receives the same records as `onDrop`, through the named stream `<name>.drops` that the
   * instrumentation hook wraps (so a debugger sees the drops), e.g. a `Subject<DropRecord<T>>`. Only
   * `next` is called: one Subject can collect the drops of several operators.
   */
  drops?: NextObserver<DropRecord<T>>;
  /** A sink, `canDrop` or the collapse-key function threw; the stream carries on. */
  onError?: (error: unknown, failure: SinkFailure<T>) => void;
  /**
   * Which values may be evicted or refused (default: droppable unless the value is an object
   * whose `canDrop` field is `false`, so an event's own `canDrop` decides). Values it refuses to drop are never lost: the buffer
   * holds them (BLOCK behaviour). A `canDrop` that throws keeps its value and is reported to
   * `onError` with `sink: 'canDrop'`.
   */
  canDrop?: (value: T) => boolean;
  /** The clock of drop records; default `asyncScheduler` (virtual inside `TestScheduler.run`). Nothing is ever scheduled on it. */
  scheduler?: SchedulerLike;
}

/** The operator each policy core belongs to, for the instrumentation hook. */
const OPERATOR_OF_POLICY: Readonly<Record<OverflowPolicy, string>> = { BLOCK: 'boundedBlock', DROP_OLDEST: 'dropOldest', COLLAPSE: 'collapseByType', SAMPLE: 'sample' };

/** Checks the options shared by every buffering operator, at operator creation. */
export function checkOnDemandOptions<T>(options: OnDemandOptions<T>): void {
  if (typeof options !== 'object' || options === null) throw new LaneConfigError('options', 'an options object', options);
  if (options.canDrop !== undefined && typeof options.canDrop !== 'function') throw new LaneConfigError('canDrop', 'a function (value) => boolean', options.canDrop);
  if (!isObservable(options.ready)) throw new LaneConfigError('ready', 'an Observable whose notifications are demand', options.ready);
  if (options.name !== undefined && typeof options.name !== 'string') throw new LaneConfigError('name', 'a string', options.name);
  if (options.drops !== undefined && typeof options.drops?.next !== 'function') throw new LaneConfigError('drops', 'an observer with next (e.g. a Subject)', options.drops);
}

/**
 * Builds a pipeable operator that buffers a source in a fresh core per subscription and emits only
 * on demand.
 *
 * The cores are written for the library's events; a value of `T` travels through them as an
 * opaque item, classified only through `canDrop` (and the collapse options), so the casts to and
 * from `Event` below are the one place where `T` meets the core.
 *
 * - Each `ready` notification is demand for one event; demand is banked while the buffer is empty.
 * - Source completion: buffered and held events are still delivered on demand; the output
 *   completes after the last of them (at once when the buffer is empty).
 * - Source error: like completion, the error waits until the buffer has drained on demand, so no
 *   accepted event is lost; with an empty buffer it is immediate.
 * - `ready` completion: no demand can come again, so once the banked demand is used up the source
 *   is unsubscribed, events still buffered or held are reported as `'shutdown'`, and the output
 *   completes (or errors, when a source error was waiting behind the buffer) instead of hanging.
 * - Unsubscription: the source and `ready` are unsubscribed; events still buffered or held are
 *   reported to `onDrop` as `'shutdown'`. Nothing is ever scheduled, so no timer is left behind.
 */
export function bufferOnDemand<T>(
  options: OnDemandOptions<T>,
  createCore: (coreOptions: LaneBufferOptions) => LaneBuffer,
): MonoTypeOperatorFunction<T> {
  checkOnDemandOptions(options);
  const { ready } = options;
  const onError = options.onError as LaneBufferOptions['onError'];
  const canDrop = (options.canDrop ?? canDropByDefault) as (event: Event) => boolean;
  const scheduler = options.scheduler ?? asyncScheduler;
  // Built once here so a bad capacity (or policy option) fails at operator creation, not at subscription.
  const operatorName = OPERATOR_OF_POLICY[createCore({ capacity: options.capacity }).policy];
  const instrumented = instrument<T>(options.name, 'operator', operatorName);
  return (source) => {
    const buffered = new Observable<T>((subscriber) => {
      const drops = openDropChannel(options.name, operatorName, options.drops as NextObserver<DropRecord> | undefined, options.onDrop as LaneBufferOptions['onDrop']);
      const core = createCore({ capacity: options.capacity, onDrop: drops?.report, onError, canDrop });
      let demand = 0;
      let draining = false;
      let sourceDone = false;
      let sourceFailed = false;
      let sourceError: unknown;
      let readyDone = false;
      // A container first, so a termination during the source's own subscribe call still reaches it.
      const sourceSubscription = new Subscription();

      const drain = (): void => {
        if (draining) return;
        draining = true;
        while (demand > 0 && core.size > 0 && !subscriber.closed) {
          demand--;
          subscriber.next(core.poll(scheduler.now()) as T);
        }
        draining = false;
        if (sourceDone && core.size === 0 && core.heldCount === 0) {
          if (sourceFailed) subscriber.error(sourceError);
          else subscriber.complete();
        } else if (readyDone && demand === 0 && !subscriber.closed) {
          // No demand can ever come again: what is buffered could never be delivered. Report it
          // and end the output rather than leave a stream that never terminates.
          sourceSubscription.unsubscribe();
          if (core.size > 0 || core.heldCount > 0) core.clear('shutdown', scheduler.now());
          if (sourceFailed) subscriber.error(sourceError);
          else subscriber.complete();
        }
      };

      const readySubscription = ready.subscribe({
        next: () => {
          demand++;
          drain();
        },
        error: (error: unknown) => subscriber.error(error),
        complete: () => {
          readyDone = true;
          drain();
        },
      });
      if (subscriber.closed) return () => readySubscription.unsubscribe();
      sourceSubscription.add(source.subscribe({
        next: (value) => {
          core.offer(value as Event, scheduler.now());
          if (demand > 0) drain();
        },
        error: (error: unknown) => {
          sourceDone = true;
          sourceFailed = true;
          sourceError = error;
          drain();
        },
        complete: () => {
          sourceDone = true;
          drain();
        },
      }));

      return () => {
        readySubscription.unsubscribe();
        sourceSubscription.unsubscribe();
        if (core.size > 0 || core.heldCount > 0) core.clear('shutdown', scheduler.now());
        drops?.end();
      };
    });
    return instrumented(buffered);
  };
}
