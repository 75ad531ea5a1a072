/**
 * The `sample` operator: the SAMPLE lane policy between a fast source and a slower consumer.
 */
import type { MonoTypeOperatorFunction } from 'rxjs';
import type { Event } from '../event/contracts.js';
import { SampleLaneBuffer } from '../event/buffer/sample.js';
import { bufferOnDemand, type OnDemandOptions } from './internal/bufferOnDemand.js';

/** Options of {@link sample}. */
export interface SampleOptions<T = Event> extends OnDemandOptions<T> {
  /** Share of arrivals admitted while full, in (0, 1]; default 0.1. */
  sampleRate?: number;
}

/**
 * Buffers events and emits one per `ready` notification; below capacity every event is admitted,
 * at capacity only the N-th, 2N-th, … arrival (N = round(1 / sampleRate), counted since an
 * arrival last found room) is admitted and evicts the oldest droppable event (`'evicted'`); the
 * others are reported to `onDrop` with reason `'sampled'`.
 *
 * ```
 * source: -a-b-c-d-e-|
 * ready : -------------r-r-
 * out   : -------------b-(d|)
 * ```
 * (capacity 2, sampleRate 0.5: c and e are sampled out; d is admitted and evicts a.)
 *
 * Not to be confused with RxJS's time-based `sample`: this one is a deterministic counter, so
 * marble tests are exact. Undroppable events are never sampled out. Demand, completion, error
 * and teardown behave as in {@link dropOldest}: one event per `ready` notification, banked while
 * empty; buffered events are delivered before completion or error; unsubscription, or `ready`
 * completing once its banked demand is spent, reports the rest as `'shutdown'` (the latter then
 * completes the output).
 *
 * ## Example
 * ```ts
 * const ready = new Subject<void>();
 * logs$.pipe(sample({ capacity: 50_000, sampleRate: 0.1, ready, name: 'p3' }))
 *   .subscribe((line) => { write(line); ready.next(); });
 * ready.next();
 * ```
 *
 * Generic: `T` is inferred from the source (your own type or the library's event); `canDrop`
 * decides which values may be dropped (default: an event's `canDrop` field; any other value may).
 *
 * @param options `capacity`, `ready`, and optionally `sampleRate`, `canDrop`, `name`, `onDrop`, `onError`, `scheduler`
 * @return an operator emitting the admitted events in arrival order, one per demand
 * @throws {LaneConfigError} when `capacity` is not a positive integer, `ready` is not an Observable or `sampleRate` is outside (0, 1]
 */
export function sample<T>(options: SampleOptions<T>): MonoTypeOperatorFunction<T> {
  const sampleRate = options?.sampleRate;
  return bufferOnDemand(options, (core) => new SampleLaneBuffer({ ...core, sampleRate }));
}
