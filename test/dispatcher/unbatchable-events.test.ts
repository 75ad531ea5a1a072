// An event with canBatch:false travels alone, whatever surrounds it in its lane; the batches
// around it are filled again once it has left.
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { TestScheduler } from 'rxjs/testing';
import { type Event } from '../../src/event/contracts.js';
import { createEvent } from '../../src/event/createEvent.js';
import { EventDispatcher } from '../../src/event/dispatcher/index.js';

function virtual(): TestScheduler {
  return new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
}

describe('canBatch:false among batchable events', () => {
  it('sends each unbatchable event alone and batches the others again once it has left', async () => {
    const scheduler = virtual();
    const d = new EventDispatcher({ queues: { p1: { batchSize: 3, batchTimeoutMs: 0 } } }, { scheduler });
    const batches: string[][] = [];
    d.registerHandler(1, (batch) => void batches.push(batch.map((e) => e.eventId)));
    await d.start();
    for (const [id, canBatch] of [['a', true], ['n', false], ['b', true], ['c', true], ['d', true], ['e', true]] as const) {
      void d.dispatch(createEvent('PRICE_TICK', { eventId: id, timestamp: 0, canBatch }));
    }
    scheduler.flush();
    for (const id of ['f', 'g', 'h']) void d.dispatch(createEvent('PRICE_TICK', { eventId: id, timestamp: 0 }));
    scheduler.flush();
    expect(batches).toEqual([['a'], ['n'], ['b', 'c', 'd'], ['e'], ['f', 'g', 'h']]);
  });

  it('keeps every unbatchable event alone and the lane order, whatever the flags, capacity and evictions', async () => {
    const arrival = fc.record({ canBatch: fc.boolean(), canDrop: fc.boolean(), wait: fc.integer({ min: 0, max: 3 }) });
    await fc.assert(
      fc.asyncProperty(
        fc.array(arrival, { minLength: 1, maxLength: 80 }),
        fc.integer({ min: 1, max: 8 }),
        fc.integer({ min: 3, max: 12 }),
        async (arrivals, batchSize, capacity) => {
          const scheduler = virtual();
          const d = new EventDispatcher(
            { queues: { p1: { batchSize, capacity, batchTimeoutMs: 2 } }, monitoring: { alerts: { p1Depth: { warning: 1, critical: 2 } } } },
            { scheduler },
          );
          const batches: Event[][] = [];
          d.registerHandler(1, (batch) => void batches.push([...batch]));
          await d.start();
          const order = new Map<string, number>();
          const flags = new Map<string, boolean>();
          let at = 0;
          arrivals.forEach(({ canBatch, canDrop, wait }, index) => {
            at += wait;
            scheduler.schedule(() => {
              const event = createEvent('PRICE_TICK', { eventId: `p${index}`, timestamp: 0, canBatch, canDrop });
              order.set(event.eventId, index);
              flags.set(event.eventId, canBatch);
              void d.dispatch(event);
            }, at);
          });
          scheduler.flush();
          await d.stop();
          const delivered = batches.flat().map((e) => order.get(e.eventId)!);
          expect(delivered).toEqual([...delivered].sort((a, b) => a - b));
          for (const batch of batches) {
            expect(batch.length).toBeGreaterThan(0);
            expect(batch.length).toBeLessThanOrEqual(batchSize);
            if (batch.some((e) => flags.get(e.eventId) === false)) expect(batch).toHaveLength(1);
          }
        },
      ),
      { numRuns: 150 },
    );
  });
});
