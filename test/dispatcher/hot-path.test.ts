import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { TestScheduler } from 'rxjs/testing';
import { EventValidationError, createEvent, validateEvent, type Event } from '../../src/event/contracts.js';
import { ev } from '../support/events.js';
import { EventDispatcher } from '../../src/event/dispatcher.js';
import { LatencyHistogram } from '../../src/event/histogram.js';

// What the dispatcher's per-event shortcuts must never change: a copy of an event is validated
// again, canBatch:false events still travel alone, and batch-wise latency recording keeps the
// same window as sample-wise recording.

function virtual(): TestScheduler {
  return new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
}

async function rejection(promise: Promise<unknown>): Promise<EventValidationError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(EventValidationError);
    return error as EventValidationError;
  }
  throw new Error('expected a rejection');
}

describe('created events: the fast validity check does not travel to copies', () => {
  it('rejects a spread copy with a bad field, naming it, and enqueues nothing', async () => {
    const scheduler = virtual();
    const d = new EventDispatcher({}, { scheduler });
    d.registerHandler(0, () => undefined);
    await d.start();
    const fill = ev({ type: 'FILL_CONFIRMED' });
    const copies: [unknown, string][] = [
      [{ ...fill, priority: 3 }, 'priority: FILL_CONFIRMED is routed to P0, got P3'],
      [{ ...fill, canDrop: 'no' }, 'canDrop: expected a boolean, got "no"'],
      [Object.assign({}, fill, { maxProcessTimeMs: -1 }), 'maxProcessTimeMs: expected a whole number of milliseconds ≥ 0, got -1'],
    ];
    for (const [copy, message] of copies) {
      expect((await rejection(d.dispatch(copy as Event))).message).toBe(message);
    }
    scheduler.flush();
    expect(d.sampleMetrics().lanes.map((lane) => lane.enqueued)).toEqual([0, 0, 0, 0]);
  });

  it('validates in full a descriptor copy and an Object.create child of a created event', () => {
    const fill = ev({ type: 'FILL_CONFIRMED' });
    const descriptors = Object.getOwnPropertyDescriptors(fill) as PropertyDescriptorMap;
    const clone = Object.defineProperties({}, { ...descriptors, priority: { value: 2, enumerable: true } });
    expect(() => validateEvent(clone)).toThrow('priority: FILL_CONFIRMED is routed to P0, got P2');
    const child = Object.create(fill, { eventType: { value: 'NOT_A_TYPE', enumerable: true } }) as unknown;
    expect(() => validateEvent(child)).toThrow(EventValidationError);
  });

  it('accepts an unmodified spread copy as a foreign event, and keeps the mark out of keys, JSON and spread', () => {
    const tick = ev({ type: 'PRICE_TICK', payload: { symbol: 'ES', px: 5000.25 } });
    const copy = { ...tick };
    expect(validateEvent(copy)).toBe(copy);
    expect(Object.getOwnPropertySymbols(copy)).toEqual([]);
    expect(Object.keys(tick)).toEqual(Object.keys(copy));
    expect(JSON.parse(JSON.stringify(tick))).toEqual(copy);
    expect(validateEvent(tick)).toBe(tick);
  });

  it('returns one shared resolved promise for accepted events instead of one per call', async () => {
    const d = new EventDispatcher({}, { scheduler: virtual() });
    d.registerHandler(1, () => undefined);
    await d.start();
    const first = d.dispatch(ev({ type: 'PRICE_TICK' }));
    expect(d.dispatch(ev({ type: 'PRICE_TICK' }))).toBe(first);
    await expect(first).resolves.toBeUndefined();
  });
});

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

describe('LatencyHistogram.recordSince', () => {
  it('keeps the same window as recording each latency in turn', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }),
        fc.array(fc.array(fc.integer({ min: 0, max: 10_000 }), { maxLength: 30 }), { maxLength: 12 }),
        (size, batches) => {
          const bulk = new LatencyHistogram(size);
          const single = new LatencyHistogram(size);
          for (const starts of batches) {
            const doneAt = 20_000;
            bulk.recordSince(doneAt, Float64Array.from(starts), starts.length);
            for (const start of starts) single.record(doneAt - start);
          }
          expect(bulk.summary()).toEqual(single.summary());
          expect(bulk.total).toBe(single.total);
          expect(bulk.count).toBe(single.count);
        },
      ),
    );
  });

  it('reads only the first count start times of a reused, longer array', () => {
    const histogram = new LatencyHistogram(8);
    histogram.recordSince(10, Float64Array.from([9, 8, -1000, -1000]), 2);
    expect(histogram.summary()).toEqual({ p50: 1, p99: 2, max: 2, count: 2 });
  });
});
