// The dispatcher in virtual time: start without awaiting, stop inside the run.
import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import { createEvent, EventDispatcher, EventPriority, type DispatcherMetrics, type Event } from 'qts-reactive';

const tick = (id: string): Event => createEvent('PRICE_TICK', { eventId: id, timestamp: 0, payload: { symbol: 'SPX' } });

describe('EventDispatcher under TestScheduler.run', () => {
  it('batches ingested ticks on the virtual clock and drains before it stops', async () => {
    const testScheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
    const handled: string[] = [];
    let stopping: Promise<void> | undefined;
    testScheduler.run(({ cold }) => {
      const dispatcher = new EventDispatcher({ queues: { p1: { batchSize: 2, batchTimeoutMs: 10 } } }, { scheduler: testScheduler });
      dispatcher.registerHandler(EventPriority.P1_HIGH, (batch) => {
        handled.push(`${testScheduler.now()}: ${batch.map((e) => e.eventId).join(' ')}`);
      });
      // Not `await`: run()'s callback is synchronous, and virtual time only moves after it returns.
      void dispatcher.start();
      dispatcher.ingest(cold('-a-b-c', { a: tick('a'), b: tick('b'), c: tick('c') }));
      // Stop inside virtual time, at frame 100; its promise is settled by the time run() returns.
      testScheduler.schedule(() => (stopping = dispatcher.stop()), 100);
    });
    expect(handled).toEqual(['3: a b', '15: c']); // b fills the first batch; c waits out its 10 ms window
    await expect(stopping).resolves.toBeUndefined();
  });

  it('samples metrics$ every check_interval_ms until stop() completes it', () => {
    const testScheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
    const samples: number[] = [];
    testScheduler.run(() => {
      const dispatcher = new EventDispatcher({ monitoring: { checkIntervalMs: 100 } }, { scheduler: testScheduler });
      // metrics$ holds an interval timer: without the stop below, run() would never return.
      dispatcher.metrics$.subscribe((metrics: DispatcherMetrics) => samples.push(metrics.at));
      void dispatcher.start();
      testScheduler.schedule(() => void dispatcher.stop(), 350);
    });
    expect(samples).toEqual([100, 200, 300]);
  });
});
