/**
 * The `collapseByType` operator: the COLLAPSE lane policy between a fast source and a slower consumer.
 */
import type { MonoTypeOperatorFunction } from 'rxjs';
import type { Event } from '../event/contracts.js';
import { CollapseLaneBuffer } from '../event/buffer/collapse.js';
import { bufferOnDemand, canCollapseByDefault, type OnDemandOptions } from './internal/bufferOnDemand.js';

/** Options of {@link collapseByType}. */
export interface CollapseByTypeOptions<T = Event, K = string> extends OnDemandOptions<T> {
  /**
   * Which buffered value a newer one replaces: values with equal keys (compared as `Map` keys, so
   * objects by identity) collapse. Default: an event's `eventType`; pass it for any other value.
   * A key that throws, or is undefined, leaves that value uncollapsed (buffered as usual) and is
   * reported to `onError` with `sink: 'collapseKey'`.
   */
  key?: (value: T) => K;
  /** The former name of `key`, kept working; `key` wins when both are given. */
  collapseKey?: (value: T) => K;
}


/**
 * Buffers events and emits one per `ready` notification; a newer collapsible event replaces the
 * buffered event with the same key in place (its position and enqueue time are kept), and the
 * replaced event is reported to `onDrop` with reason `'collapsed'`.
 *
 * ```
 * source: -x-y-X-----|
 * ready : -------r-r---
 * out   : -------X-y-|
 * ```
 * (x and X share a type: X takes x's place at the front; x is reported as collapsed.)
 *
 * Collapsing happens always, not only when full; only events with `canCollapse` and `canDrop`
 * collapse. When full and nothing collapses, the oldest droppable event is evicted
 * (`'evicted'`). A key function that throws leaves that event uncollapsed (it is buffered as
 * usual) and is reported to `onError`. Demand, completion, error and teardown behave as in
 * {@link dropOldest}: one event per `ready` notification, banked while empty; buffered events are
 * delivered before completion or error; unsubscription, or `ready` completing once its banked
 * demand is spent, reports the rest as `'shutdown'` (the latter then completes the output).
 *
 * ## Example
 * ```ts
 * const ready = new Subject<void>();
 * quotes$.pipe(collapseByType({ capacity: 500, ready, key: (q) => q.symbol })) // the latest quote per symbol
 *   .subscribe((quote) => { price(quote); ready.next(); });
 * ```
 * With the library's events:
 * ```ts
 * const ready = new Subject<void>();
 * signals$.pipe(collapseByType({ capacity: 1000, ready, collapseKey: (e) => `${e.eventType}:${String(e.payload.symbol)}` }))
 *   .subscribe((signal) => { evaluate(signal); ready.next(); });
 * ready.next();
 * ```
 *
 * Generic: `T` is inferred from the source (your own type or the library's event); `canDrop`
 * decides which values may be dropped (default: an event's `canDrop` field; any other value may).
 *
 * @param options `capacity`, `ready`, and optionally `key` (or its earlier name `collapseKey`), `canDrop`, `name`, `onDrop`, `onError`, `scheduler`
 * @return an operator emitting the latest event per key, in first-arrival order, one per demand
 * @throws {LaneConfigError} when `capacity` is not a positive integer, `ready` is not an Observable or `collapseKey` is not a function
 */
export function collapseByType<T, K = string>(options: CollapseByTypeOptions<T, K>): MonoTypeOperatorFunction<T> {
  const collapseKey = (options?.key ?? options?.collapseKey) as ((event: Event) => unknown) | undefined;
  const canCollapse = canCollapseByDefault as (event: Event) => boolean;
  return bufferOnDemand(options, (core) => new CollapseLaneBuffer({ ...core, collapseKey, canCollapse }));
}
