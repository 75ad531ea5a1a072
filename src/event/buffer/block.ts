/**
 * The BLOCK core (lane P0 by default): nothing is ever dropped; when full, arrivals wait.
 */
import type { Event } from '../contracts.js';
import { OverflowPolicy } from '../contracts.js';
import { RingLaneBuffer, type LaneBufferOptions } from './base.js';
import { OfferOutcome } from './types.js';

/**
 * A lane buffer that never drops: below capacity an event is queued, at capacity it is held (its
 * producer waits) and admitted, in arrival order, as `poll` frees room. `canDrop` is irrelevant here.
 *
 * @example
 * ```ts
 * const lane = new BlockLaneBuffer({ capacity: 100, priority: EventPriority.P0_CRITICAL, onRelease: (e) => resume(e) });
 * lane.offer(fill, scheduler.now()); // OfferOutcome.QUEUED, or HELD when 100 are queued
 * ```
 */
export class BlockLaneBuffer extends RingLaneBuffer {
  readonly policy = OverflowPolicy.BLOCK;

  constructor(options: LaneBufferOptions) {
    super(options);
  }

  /** Queues `event`, or holds it when the buffer is full or others are already waiting. */
  offer(event: Event, now: number): OfferOutcome {
    this.enqueuedCount++;
    const kept = this.kept;
    // Stryker disable next-line ConditionalExpression: while events are held the lane is full (each poll admits one held event into the room it frees), so the size test already fails
    if (kept.size < this.capacity && this.heldCount === 0) {
      kept.push(event, now);
      return OfferOutcome.QUEUED;
    }
    return this.hold(event, now);
  }
}
