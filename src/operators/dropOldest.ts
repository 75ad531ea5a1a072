/**
 * The `dropOldest` operator: the DROP_OLDEST lane policy between a fast source and a slower consumer.
 */
import type { MonoTypeOperatorFunction } from 'rxjs';
import type { Event } from '../event/contracts.js';
import { DropOldestLaneBuffer } from '../event/buffer/dropOldest.js';
import { bufferOnDemand, type OnDemandOptions } from './internal/bufferOnDemand.js';

/** Options of {@link dropOldest}. */
export type DropOldestOptions<T = Event> = OnDemandOptions<T>;

/**
 * Buffers up to `capacity` events and emits one per `ready` notification; when full, the oldest
 * droppable event is evicted and reported to `onDrop` with reason `'evicted'`.
 *
 * ```
 * source: -a-b-c-d--------
 * ready : ---------r--r---
 * out   : ---------c--d---
 * ```
 * (capacity 2: a and b are evicted and reported.)
 *
 * Demand is explicit so the consumer, not the source, sets the pace: each `ready` notification
 * asks for one event, and demand that arrives while the buffer is empty is banked (Reactive
 * Streams' `request(n)`). Events with `canDrop: false` are never evicted; when only such events
 * are queued, further undroppable events wait (BLOCK behaviour) and a droppable arrival is itself
 * evicted. On completion, or on error, buffered events are still delivered on demand first; on
 * unsubscription the source and `ready` are unsubscribed and what is still buffered is reported
 * with reason `'shutdown'`; so is what is left when `ready` completes and its banked demand is
 * spent, after which the output completes.
 *
 * ## Example
 * ```ts
 * const ready = new Subject<void>();
 * ticks$.pipe(dropOldest({ capacity: 1_000, ready, canDrop: (t) => t.symbol !== 'SPX' })) // Observable<Tick>
 *   .subscribe((tick) => { render(tick); ready.next(); });
 * ```
 * With the library's events:
 * ```ts
 * const ready = new Subject<void>();
 * ticks$.pipe(dropOldest({ capacity: 10_000, ready, name: 'p1', onDrop: (r) => drops$.next(r) }))
 *   .subscribe((tick) => { render(tick); ready.next(); });
 * ready.next(); // first demand
 * ```
 *
 * Generic: `T` is inferred from the source (your own type or the library's event); `canDrop`
 * decides which values may be dropped (default: an event's `canDrop` field; any other value may).
 *
 * @param options `capacity` (a positive integer), `ready`, and optionally `canDrop`, `name`, `onDrop`, `onError`, `scheduler`
 * @return an operator emitting the surviving events in arrival order, one per demand
 * @throws {LaneConfigError} when `capacity` is not a positive integer or `ready` is not an Observable
 */
export function dropOldest<T>(options: DropOldestOptions<T>): MonoTypeOperatorFunction<T> {
  return bufferOnDemand(options, (core) => new DropOldestLaneBuffer(core));
}
