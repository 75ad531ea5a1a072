/**
 * The `boundedBlock` operator: the BLOCK lane policy between a fast source and a slower consumer.
 */
import type { MonoTypeOperatorFunction } from 'rxjs';
import type { Event } from '../event/contracts.js';
import { BlockLaneBuffer } from '../event/buffer/block.js';
import { bufferOnDemand, type OnDemandOptions } from './internal/bufferOnDemand.js';

/** Options of {@link boundedBlock}. */
export type BoundedBlockOptions<T = Event> = OnDemandOptions<T>;

/**
 * Buffers events and emits one per `ready` notification, never dropping any: beyond `capacity`,
 * events are held in arrival order and enter the buffer as demand frees room.
 *
 * ```
 * source: -a-b-c-d|
 * ready : ---------r--r--r--r-
 * out   : ---------a--b--c--(d|)
 * ```
 * (capacity 2: c and d are held, then released in order.)
 *
 * An RxJS source cannot be paused, so "the producer waits" means its excess events wait in the
 * held FIFO, which is unbounded: use it where losing an event is worse than memory (fills,
 * order updates), and the queue class `BoundedQueue` where the producer can truly await room.
 * Demand is explicit (each `ready` notification asks for one event; demand is banked while
 * empty). On completion or error, every buffered and held event is still delivered on demand
 * first; on unsubscription the source and `ready` are unsubscribed and what is left is reported
 * to `onDrop` with reason `'shutdown'` (the only drops this operator ever reports); so is what is
 * left when `ready` completes and its banked demand is spent, after which the output completes.
 *
 * ## Example
 * ```ts
 * const ready = new Subject<void>();
 * fills$.pipe(boundedBlock({ capacity: 100, ready, name: 'p0' }))
 *   .subscribe(async (fill) => { await book(fill); ready.next(); });
 * ready.next();
 * ```
 *
 * Generic: `T` is inferred from the source (your own type or the library's event).
 *
 * @param options `capacity` (a positive integer), `ready`, and optionally `canDrop` (unused: nothing is dropped), `name`, `onDrop`, `onError`, `scheduler`
 * @return an operator emitting every event in arrival order, one per demand
 * @throws {LaneConfigError} when `capacity` is not a positive integer or `ready` is not an Observable
 */
export function boundedBlock<T>(options: BoundedBlockOptions<T>): MonoTypeOperatorFunction<T> {
  return bufferOnDemand(options, (core) => new BlockLaneBuffer(core));
}
