import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { TestScheduler } from 'rxjs/testing';
import { type Event, type EventPriority } from '../../src/event/contracts.js';
import { createEvent } from '../../src/event/createEvent.js';
import { DropOldestLaneBuffer, createLaneBuffer } from '../../src/event/buffer/index.js';
import type { LaneBuffer } from '../../src/event/buffer/types.js';
import { PriorityMerge } from '../../src/event/merge.js';
import { createYieldScheduler } from '../../src/event/yield-scheduler.js';

// The merge takes a whole batch from a shipped lane core in one call, and falls back to polling
// event by event for any other LaneBuffer. Both must deliver the same batches with the same
// enqueue times: batch sizes, canBatch:false events alone, held releases and evictions included.

/** A LaneBuffer that only delegates (so the merge cannot use the shipped cores' batch fill). */
function delegating(inner: LaneBuffer): LaneBuffer {
  return {
    get policy() {
      return inner.policy;
    },
    get capacity() {
      return inner.capacity;
    },
    get size() {
      return inner.size;
    },
    get heldCount() {
      return inner.heldCount;
    },
    get counters() {
      return inner.counters;
    },
    get lastPolledEnqueuedAt() {
      return inner.lastPolledEnqueuedAt;
    },
    get oldestEnqueuedAt() {
      return inner.oldestEnqueuedAt;
    },
    offer: (event, now) => inner.offer(event, now),
    poll: (now) => inner.poll(now),
    peek: () => inner.peek(),
    clear: (reason, now) => inner.clear(reason, now),
  };
}

type Arrival = { priority: 0 | 1 | 2 | 3; canBatch: boolean; canDrop: boolean; wait: number };

function run(arrivals: readonly Arrival[], batchSize: number, capacity: number, wrap: boolean): string[] {
  const scheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
  const policies = ['BLOCK', 'DROP_OLDEST', 'COLLAPSE', 'SAMPLE'] as const;
  const lanes = policies.map((policy, priority) => {
    const buffer = createLaneBuffer({ policy, capacity, priority: priority as EventPriority, sampleRate: 0.5 });
    return {
      buffer: wrap ? delegating(buffer) : buffer,
      batchSize: priority === 3 ? batchSize + 1 : batchSize,
      batchTimeoutMs: priority === 1 ? 2 : 0,
      concurrency: 1,
      maxStarvationMs: null,
    };
  });
  const delivered: string[] = [];
  const merge = new PriorityMerge({
    lanes,
    scheduler,
    yieldScheduler: createYieldScheduler(scheduler),
    sink: {
      deliver: (priority, batch, enqueuedAt) => {
        delivered.push(`P${priority}:` + batch.map((e, i) => `${e.eventId}@${enqueuedAt[i]}`).join(','));
        return true;
      },
      recover: () => true,
    },
  });
  const types = { 0: 'FILL_CONFIRMED', 1: 'PRICE_TICK', 2: 'STRATEGY_EVALUATE', 3: 'LOG_WRITE' } as const;
  let at = 0;
  arrivals.forEach(({ priority, canBatch, canDrop, wait }, index) => {
    at += wait;
    scheduler.schedule(() => {
      // P0 keeps its defaults (never batched, never dropped: a small BLOCK lane holds and releases)
      const flags = priority === 0 ? {} : { canBatch, canDrop };
      const init = { eventId: `e${index}`, timestamp: 0, ...flags };
      merge.offer(createEvent(types[priority], init) as Event);
    }, at);
  });
  scheduler.flush();
  merge.flushing = true;
  merge.requestDrain();
  scheduler.flush();
  return delivered;
}

describe('the batch fill of the shipped cores', () => {
  it('delivers what polling event by event through the LaneBuffer contract delivers', () => {
    const arrival = fc.record({
      priority: fc.constantFrom(0 as const, 1 as const, 2 as const, 3 as const),
      canBatch: fc.boolean(),
      canDrop: fc.boolean(),
      wait: fc.integer({ min: 0, max: 3 }),
    });
    fc.assert(
      fc.property(
        fc.array(arrival, { minLength: 1, maxLength: 80 }),
        fc.integer({ min: 1, max: 8 }),
        fc.integer({ min: 2, max: 12 }),
        (arrivals, batchSize, capacity) => {
          const fast = run(arrivals, batchSize, capacity, false);
          expect(fast.length).toBeGreaterThan(0);
          expect(fast).toEqual(run(arrivals, batchSize, capacity, true));
        },
      ),
      { numRuns: 150 },
    );
  });

  it('still polls a subclass that overrides poll once per event', () => {
    const polled: string[] = [];
    class Audited extends DropOldestLaneBuffer {
      override poll(now: number): Event | undefined {
        const event = super.poll(now);
        if (event !== undefined) polled.push(event.eventId);
        return event;
      }
    }
    const scheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
    const lanes = [0, 1, 2, 3].map((priority) => ({
      buffer: priority === 1 ? new Audited({ capacity: 10, priority: 1 }) : createLaneBuffer({ policy: 'BLOCK', capacity: 10, priority: priority as EventPriority }),
      batchSize: 3,
      batchTimeoutMs: 0,
      concurrency: 1,
      maxStarvationMs: null,
    }));
    const batches: string[][] = [];
    const merge = new PriorityMerge({
      lanes,
      scheduler,
      yieldScheduler: createYieldScheduler(scheduler),
      sink: { deliver: (_p, batch) => (batches.push(batch.map((e) => e.eventId)), true), recover: () => true },
    });
    for (const id of ['a', 'b', 'c', 'd']) merge.offer(createEvent('PRICE_TICK', { eventId: id, timestamp: 0 }));
    scheduler.flush();
    expect(batches).toEqual([['a', 'b', 'c'], ['d']]);
    expect(polled).toEqual(['a', 'b', 'c', 'd']);
  });
});
