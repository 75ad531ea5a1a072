/**
 * The COLLAPSE core (lane P2 by default): a newer event replaces the queued one with its key, in place.
 */
import type { Event } from '../contracts.js';
import { OverflowPolicy } from '../contracts.js';
import { RingLaneBuffer, type LaneBufferOptions } from './base.js';
import { LaneConfigError } from './errors.js';
import { OfferOutcome } from './types.js';

/** The collapse key of an event: its `eventType` (the default). */
export function collapseByEventType(event: Event): string {
  return event.eventType;
}

/** Options of {@link CollapseLaneBuffer}. */
export interface CollapseLaneBufferOptions extends LaneBufferOptions {
  /**
   * Which queued event a new one replaces; default {@link collapseByEventType}. E.g.
   * `(e) => e.eventType + ':' + e.payload.symbol`. Keys compare as `Map` keys do (objects by identity).
   */
  collapseKey?: (event: Event) => unknown;
  /**
   * Which droppable items may collapse; default: the event's `canCollapse` field. For items that
   * are not the library's events (the generic operators). A throw keeps the item uncollapsed and
   * is reported to `onError` with `sink: 'collapseKey'`.
   */
  canCollapse?: (event: Event) => boolean;
}

/**
 * A lane buffer that collapses: an event with `canCollapse` and `canDrop` replaces the queued event
 * with the same collapse key, keeping that event's queue position and original enqueue time (so
 * latency is measured from the first of the run); the replaced event is reported as
 * `'collapsed'`. This happens always, not only when full. When full and nothing collapses, the
 * oldest droppable event is evicted as in DROP_OLDEST.
 *
 * Undroppable events never collapse, in either role. A collapse-key function that throws (or
 * returns something other than a string) makes that one event non-collapsible: it is queued as
 * usual and the failure goes to `onError` with `sink: 'collapseKey'`.
 *
 * The key index is a `Map` from key to queue position, so both the lookup and the replacement are O(1).
 *
 * @example
 * ```ts
 * const lane = new CollapseLaneBuffer({ capacity: 1000, collapseKey: (e) => `${e.eventType}:${String(e.payload.symbol)}` });
 * lane.offer(evaluateAapl1, 0);
 * lane.offer(evaluateAapl2, 5); // replaces evaluateAapl1 in place; its enqueue time stays 0
 * ```
 */
export class CollapseLaneBuffer extends RingLaneBuffer {
  readonly policy = OverflowPolicy.COLLAPSE;
  private readonly collapseKey: (event: Event) => unknown;
  private readonly canCollapseOf: ((event: Event) => boolean) | undefined;

  constructor(options: CollapseLaneBufferOptions) {
    super(options, true);
    const collapseKey = options.collapseKey ?? collapseByEventType;
    if (typeof collapseKey !== 'function') throw new LaneConfigError('collapseKey', 'a function (event) => string', collapseKey);
    this.collapseKey = collapseKey;
    if (options.canCollapse !== undefined && typeof options.canCollapse !== 'function') {
      throw new LaneConfigError('canCollapse', 'a function (event) => boolean', options.canCollapse);
    }
    this.canCollapseOf = options.canCollapse;
  }

  /** Replaces the queued event with `event`'s key, else queues `event` (evicting the oldest droppable when full). */
  offer(event: Event, now: number): OfferOutcome {
    this.enqueuedCount++;
    let key: unknown;
    const canDrop = this.isDroppable(event);
    if (canDrop && (this.canCollapseOf === undefined ? event.canCollapse === true : this.collapsibleByOption(event))) {
      key = this.keyOf(event);
      if (key !== undefined) {
        const position = this.droppable.positionOf(key);
        if (position !== undefined) {
          const replaced = this.droppable.replaceAt(position, event);
          this.collapsedCount++;
          this.reportDrop(replaced, 'collapsed', now);
          return OfferOutcome.QUEUED;
        }
      }
    }
    if (this.droppable.size + this.kept.size < this.capacity) {
      this.enqueue(event, now, canDrop, key);
      return OfferOutcome.QUEUED;
    }
    return this.admitByEvicting(event, now, canDrop, 'evicted', key);
  }

  /** The `canCollapse` option's verdict; a throw keeps the event uncollapsed and is reported. */
  private collapsibleByOption(event: Event): boolean {
    try {
      return this.canCollapseOf!(event) === true;
    } catch (error) {
      this.reportFailure(error, 'collapseKey', event);
      return false;
    }
  }

  /** The event's collapse key, or undefined (reported) when the key function fails or returns undefined. */
  private keyOf(event: Event): unknown {
    try {
      const key = this.collapseKey(event);
      if (key !== undefined) return key;
      this.reportFailure(new TypeError('collapseKey: expected a key, got nothing'), 'collapseKey', event);
    } catch (error) {
      this.reportFailure(error, 'collapseKey', event);
    }
    return undefined;
  }
}
