/**
 * The DROP_OLDEST core (lane P1 by default): when full, the oldest droppable queued event makes room.
 */
import type { Event } from '../contracts.js';
import { OverflowPolicy } from '../contracts.js';
import { RingLaneBuffer, type LaneBufferOptions } from './base.js';
import { OfferOutcome } from './types.js';

/**
 * A lane buffer that, when full, evicts the oldest `canDrop: true` queued event (reported with
 * reason `'evicted'`) to queue the new one. When only undroppable events are queued, an
 * undroppable arrival is held (BLOCK behaviour) and a droppable arrival, itself the oldest
 * droppable candidate, is refused and reported as `'evicted'`.
 *
 * @example
 * ```ts
 * const lane = new DropOldestLaneBuffer({ capacity: 10_000, priority: EventPriority.P1_HIGH, onDrop: (r) => log(r) });
 * lane.offer(tick, scheduler.now()); // always QUEUED for a droppable tick while something droppable is queued
 * ```
 */
export class DropOldestLaneBuffer extends RingLaneBuffer {
  readonly policy = OverflowPolicy.DROP_OLDEST;

  constructor(options: LaneBufferOptions) {
    super(options);
  }

  /** Queues `event`, evicting the oldest droppable event when full. */
  offer(event: Event, now: number): OfferOutcome {
    this.enqueuedCount++;
    const droppable = this.droppable;
    const kept = this.kept;
    const canDrop = this.isDroppable(event);
    if (droppable.size + kept.size < this.capacity) {
      // enqueue() written out: this path stays monomorphic (enqueue is shared by three policies)
      if (canDrop) droppable.push(event, now);
      else kept.pushMarked(event, now, droppable.tail);
      return OfferOutcome.QUEUED;
    }
    return this.admitByEvicting(event, now, canDrop, 'evicted');
  }
}
