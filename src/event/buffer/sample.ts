/**
 * The SAMPLE core (lane P3 by default): at capacity, only every N-th arrival gets in.
 */
import type { Event } from '../contracts.js';
import { OverflowPolicy } from '../contracts.js';
import { RingLaneBuffer, type LaneBufferOptions } from './base.js';
import { LaneConfigError } from './errors.js';
import { OfferOutcome } from './types.js';
import { SHIPPED_LANES } from '../../config/shipped.js';

/** Options of {@link SampleLaneBuffer}. */
export interface SampleLaneBufferOptions extends LaneBufferOptions {
  /** Share of arrivals admitted while full, in (0, 1]; default the P3 lane's `sample_rate` in `config/event.yaml` (0.1). N = round(1 / sampleRate). */
  sampleRate?: number;
}

/** Throws a {@link LaneConfigError} unless `rate` is a number in (0, 1]. */
export function checkSampleRate(rate: unknown, option = 'sampleRate'): number {
  if (typeof rate !== 'number' || !(rate > 0 && rate <= 1)) throw new LaneConfigError(option, 'a number in (0, 1]', rate);
  return rate;
}

/**
 * A lane buffer that samples when full. Below capacity every event is queued. At capacity a
 * deterministic counter admits exactly the N-th, 2N-th, … droppable arrival since the buffer was
 * last found with room (N = round(1 / sampleRate)); an admitted arrival evicts the oldest droppable
 * event (`'evicted'`), the others are refused and reported as `'sampled'`. The counter restarts
 * whenever an arrival finds room.
 *
 * Undroppable arrivals are never sampled and do not advance the counter: they evict the oldest
 * droppable event, or are held (BLOCK behaviour) when nothing droppable is queued.
 *
 * @example
 * ```ts
 * const lane = new SampleLaneBuffer({ capacity: 50_000, sampleRate: 0.1 });
 * // once full: arrivals 1–9 are REJECTED ('sampled'), arrival 10 is QUEUED and evicts the oldest
 * ```
 */
export class SampleLaneBuffer extends RingLaneBuffer {
  readonly policy = OverflowPolicy.SAMPLE;
  /** N: one in every N arrivals is admitted while full. */
  readonly sampleEvery: number;
  private arrivalsWhileFull = 0;

  constructor(options: SampleLaneBufferOptions) {
    super(options);
    this.sampleEvery = Math.round(1 / checkSampleRate(options.sampleRate ?? SHIPPED_LANES.p3.sampleRate));
  }

  /** Queues `event` below capacity; at capacity admits only every N-th droppable arrival. */
  offer(event: Event, now: number): OfferOutcome {
    this.enqueuedCount++;
    const droppable = this.droppable;
    const kept = this.kept;
    const canDrop = this.isDroppable(event);
    if (droppable.size + kept.size < this.capacity) {
      this.arrivalsWhileFull = 0;
      // enqueue() written out: this path stays monomorphic (enqueue is shared by three policies)
      if (canDrop) droppable.push(event, now);
      else kept.pushMarked(event, now, droppable.tail);
      return OfferOutcome.QUEUED;
    }
    // Stryker disable next-line StringLiteral: an undroppable arrival is held, never refused, so this reason is never reported
    if (!canDrop) return this.admitByEvicting(event, now, false, 'evicted');
    if (++this.arrivalsWhileFull < this.sampleEvery) return this.holdOrRefuse(event, now, true, 'sampled');
    this.arrivalsWhileFull = 0;
    return this.admitByEvicting(event, now, true, 'sampled');
  }
}
