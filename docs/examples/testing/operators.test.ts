// Marble tests of the operators on your own streams: TestScheduler.run, then rxjs-marbles.
import { configure } from 'rxjs-marbles';
import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import { createEvent, type DropRecord, type Event } from 'qts-reactive';
import { dropOldest, mergeByPriority } from 'qts-reactive/operators';

/** A market-data event whose id is its marble letter, so failures read like the diagram. */
const tick = (id: string): Event => createEvent('PRICE_TICK', { eventId: id, timestamp: 0, payload: { symbol: 'SPX' } });
const ticks = { a: tick('a'), b: tick('b'), c: tick('c'), d: tick('d') };

describe('dropOldest under TestScheduler.run', () => {
  it('evicts the oldest ticks while the consumer is slow, and reports each eviction', () => {
    const testScheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
    const drops: DropRecord[] = [];
    testScheduler.run(({ cold, expectObservable }) => {
      const source = cold('-a-b-c-d--------', ticks);
      const ready = cold(' ---------r--r---'); // each notification asks for one event
      const out = source.pipe(dropOldest({ capacity: 2, ready, onDrop: (drop) => drops.push(drop) }));
      expectObservable(out).toBe('---------c--d---', ticks);
    });
    // Inside run() the default scheduler is virtual too: `at` is the frame of the eviction.
    expect(drops.map((d) => `${d.event.eventId} ${d.reason} at ${d.at}`)).toEqual(['a evicted at 5', 'b evicted at 7']);
  });
});

const { marbles } = configure({ run: true });

describe('mergeByPriority with rxjs-marbles', () => {
  it(
    'batches a lane by count or by time, on the virtual clock',
    marbles((m) => {
      const source = m.hot('-a-b-c-d-------|', ticks);
      const expected = '    -----B------D--|';
      const lanes = { p1: { batchSize: 3, batchTimeoutMs: 5 } };
      // Pass m.scheduler: the merge's batch windows and drain slices run on it.
      m.expect(source.pipe(mergeByPriority({ lanes, scheduler: m.scheduler }))).toBeObservable(expected, {
        B: [ticks.a, ticks.b, ticks.c],
        D: [ticks.d],
      });
    }),
  );
});
