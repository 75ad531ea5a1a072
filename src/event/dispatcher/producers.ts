/**
 * Producers waiting for room: a P0 event offered to a full BLOCK lane is held, and its `dispatch`
 * promise settles when the lane admits it (released) or clears it at stop (refused).
 */
import { LANE_KEYS, type Event } from '../contracts.js';
import type { EventConfig } from '../config.js';
import type { PriorityMerge } from '../merge.js';
import { DispatcherStoppedError } from './errors.js';

interface Waiter {
  resolve: () => void;
  reject: (error: unknown) => void;
}

/** The pending `dispatch` promises of held events. @internal */
export class HeldProducers {
  private readonly waiters = new Map<Event, Waiter>();

  /**
   * The promise of a held producer. Kept out of `dispatch`: a closure there would make every call
   * allocate its captured context, even on the common path that returns at once.
   */
  waitForRoom(event: Event): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const earlier = this.waiters.get(event);
      this.waiters.set(
        event,
        earlier === undefined
          ? { resolve, reject }
          : {
              resolve: () => (earlier.resolve(), resolve()),
              reject: (error) => (earlier.reject(error), reject(error)),
            },
      );
    });
  }

  /** `event` was admitted into its lane: its producers resolve. */
  released(event: Event): void {
    const waiter = this.waiters.get(event);
    if (waiter !== undefined) {
      this.waiters.delete(event);
      waiter.resolve();
    }
  }

  /** `event` was cleared at stop before it was admitted: its producers reject with a {@link DispatcherStoppedError}. */
  refused(event: Event): void {
    const waiter = this.waiters.get(event);
    if (waiter !== undefined) {
      this.waiters.delete(event);
      waiter.reject(new DispatcherStoppedError('dispatch'));
    }
  }
}

/**
 * True when `event`, dispatched by a handler of its own lane during the call, would be held while
 * every slot of the lane is taken (one by that handler's batch): only that batch could free room.
 * @internal
 */
export function wouldWaitForOwnBatch(event: Event, merge: PriorityMerge, queues: EventConfig['queues']): boolean {
  const buffer = merge.buffer(event.priority);
  if (event.canDrop === true || buffer.size + buffer.heldCount < buffer.capacity) return false;
  return merge.inFlight(event.priority) >= queues[LANE_KEYS[event.priority]!].concurrency;
}
