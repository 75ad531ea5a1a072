/**
 * The lane buffer cores: one pure, synchronous, clock-free implementation per overflow policy,
 * shared by the queue classes, the operators and the dispatcher.
 */
import type { Event, EventPriority } from '../contracts.js';
import { OverflowPolicy } from '../contracts.js';
import type { LaneBufferSinks, LaneBuffer } from './types.js';
import { BlockLaneBuffer } from './block.js';
import { DropOldestLaneBuffer } from './dropOldest.js';
import { CollapseLaneBuffer } from './collapse.js';
import { SampleLaneBuffer } from './sample.js';
import { LaneConfigError } from './errors.js';

export { LaneConfigError } from './errors.js';
export { RingLaneBuffer, checkCapacity, type LaneBufferOptions } from './base.js';
export { BlockLaneBuffer } from './block.js';
export { DropOldestLaneBuffer } from './dropOldest.js';
export { CollapseLaneBuffer, collapseByEventType, type CollapseLaneBufferOptions } from './collapse.js';
export { SampleLaneBuffer, checkSampleRate, type SampleLaneBufferOptions } from './sample.js';

/** Options of {@link createLaneBuffer}: the policy, its size and lane, policy-specific options and the sinks. */
export interface CreateLaneBufferOptions extends LaneBufferSinks {
  policy: OverflowPolicy;
  /** A positive integer. */
  capacity: number;
  priority: EventPriority;
  /** SAMPLE only: share admitted while full, in (0, 1]; default 0.1. */
  sampleRate?: number;
  /** COLLAPSE only: the collapse key; default `eventType`. */
  collapseKey?: (event: Event) => unknown;
  /** Which items may be dropped; default the event's `canDrop` field, any other item being droppable. */
  canDrop?: (event: Event) => boolean;
  /** COLLAPSE only: which droppable items may collapse; default the event's `canCollapse`. */
  canCollapse?: (event: Event) => boolean;
}

/**
 * Builds the lane buffer core for `options.policy`.
 *
 * @example
 * ```ts
 * const p1 = createLaneBuffer({ policy: 'DROP_OLDEST', capacity: 10_000, priority: 1, onDrop: (r) => drops.next(r) });
 * p1.offer(tick, scheduler.now());
 * const next = p1.poll(scheduler.now());
 * ```
 * @throws {LaneConfigError} naming the option when the policy is unknown, the capacity is not a
 *   positive integer, or the sample rate is outside (0, 1]
 */
export function createLaneBuffer(options: CreateLaneBufferOptions): LaneBuffer {
  if (typeof options !== 'object' || options === null) throw new LaneConfigError('options', 'an options object', options);
  switch (options.policy) {
    case OverflowPolicy.BLOCK:
      return new BlockLaneBuffer(options);
    case OverflowPolicy.DROP_OLDEST:
      return new DropOldestLaneBuffer(options);
    case OverflowPolicy.COLLAPSE:
      return new CollapseLaneBuffer(options);
    case OverflowPolicy.SAMPLE:
      return new SampleLaneBuffer(options);
    default:
      throw new LaneConfigError('policy', `one of ${Object.values(OverflowPolicy).join(', ')}`, options.policy);
  }
}
