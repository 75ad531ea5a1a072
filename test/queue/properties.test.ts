import fc from 'fast-check';
import { VirtualTimeScheduler } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { BoundedQueue, RingBuffer } from '../../src/index.js';
import { ev } from '../support/events.js';

const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

type QueueOp = { kind: 'put'; canDrop: boolean } | { kind: 'get'; wait: boolean };

const opArb: fc.Arbitrary<QueueOp> = fc.oneof(
  fc.record({ kind: fc.constant('put' as const), canDrop: fc.boolean() }),
  fc.record({ kind: fc.constant('get' as const), wait: fc.boolean() }),
);

describe('queues: properties over random put/get sequences', () => {
  it('BoundedQueue delivers every event once, in put order; producers and waiting consumers are served FIFO', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 4 }), fc.array(opArb, { maxLength: 40 }), async (capacity, ops) => {
        const scheduler = new VirtualTimeScheduler();
        const queue = new BoundedQueue({ capacity, scheduler });
        const put: string[] = [];
        const putResolved: string[] = [];
        const received: string[] = [];
        const waitingServed: number[] = [];
        let n = 0;
        let waiter = 0;
        for (const op of ops) {
          if (op.kind === 'put') {
            const id = `e${n++}`;
            put.push(id);
            void queue.put(ev(id, { canDrop: op.canDrop })).then(
              () => putResolved.push(id),
              () => undefined, // refused by the close() at the end
            );
          } else {
            const mine = waiter++;
            void queue.get(op.wait ? Number.POSITIVE_INFINITY : 0).then((e) => {
              if (e !== undefined) received.push(e.eventId);
              if (op.wait) waitingServed.push(mine);
            }, () => undefined);
          }
          await settle();
          expect(queue.size()).toBeLessThanOrEqual(capacity);
        }
        // drain what is left, then let every pending promise settle
        for (let e = await queue.get(0); e !== undefined; e = await queue.get(0)) received.push(e.eventId);
        await settle();
        expect(received).toEqual(put.slice(0, received.length));
        expect(putResolved).toEqual(put.slice(0, putResolved.length));
        expect(waitingServed).toEqual([...waitingServed].sort((a, b) => a - b));
        const c = queue.counters;
        expect(c.enqueued).toBe(c.delivered + queue.size() + queue.waitingProducers());
        queue.close();
      }),
      { numRuns: 100 },
    );
  });

  it('RingBuffer accounts for every put: delivered + evicted + queued', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 4 }), fc.array(opArb, { maxLength: 40 }), async (capacity, ops) => {
        const evicted: string[] = [];
        const queue = new RingBuffer({ capacity, onDrop: (d) => evicted.push(d.event.eventId) });
        const received: string[] = [];
        let n = 0;
        for (const op of ops) {
          if (op.kind === 'put') await queue.put(ev(`e${n++}`));
          else {
            const e = await queue.get(0);
            if (e !== undefined) received.push(e.eventId);
          }
        }
        const left = (await queue.getBatch(capacity, 0)).map((e) => e.eventId);
        const all = [...received, ...evicted, ...left].sort();
        expect(all).toEqual(Array.from({ length: n }, (_, i) => `e${i}`).sort());
        expect(received).toEqual([...received].sort((a, b) => Number(a.slice(1)) - Number(b.slice(1))));
      }),
      { numRuns: 100 },
    );
  });
});
