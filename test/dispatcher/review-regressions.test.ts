/**
 * Regression tests of defects found in review; each test names the defect it guards against.
 */
import { describe, it, expect } from 'vitest';
import { Subject } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { type Event } from '../../src/event/contracts.js';
import { createEvent } from '../../src/event/createEvent.js';
import type { DropRecord } from '../../src/event/buffer/types.js';
import { mergeByPriority } from '../../src/operators/mergeByPriority.js';
import { EventDispatcher } from '../../src/event/dispatcher/index.js';
import type { DispatcherAlert, DispatcherMetrics } from '../../src/event/monitoring.js';

function virtual(): TestScheduler {
  return new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
}

describe('EventDispatcher after stop()', () => {
  // Defect: `stopped$` was a plain Subject, completed at stop(). `takeUntil` ignores a notifier that
  // only completes, so a subscription to metrics$ / alerts$ made after stop() started a sampling
  // timer that never ended (a scheduled action left behind; on asyncScheduler it kept the process alive).
  it('metrics$ and alerts$ subscribed after stop() complete at once and schedule nothing', async () => {
    const scheduler = virtual();
    const d = new EventDispatcher({ monitoring: { checkIntervalMs: 50 } }, { scheduler });
    d.registerHandler(3, () => undefined);
    await d.start();
    void d.dispatch(createEvent('LOG_WRITE', {}, scheduler));
    const stopped = d.stop();
    scheduler.flush();
    await stopped;

    const samples: DispatcherMetrics[] = [];
    const alerts: DispatcherAlert[] = [];
    let metricsDone = false;
    let alertsDone = false;
    d.metrics$.subscribe({ next: (m) => samples.push(m), complete: () => (metricsDone = true) });
    d.alerts$.subscribe({ next: (a) => alerts.push(a), complete: () => (alertsDone = true) });
    expect(metricsDone).toBe(true);
    expect(alertsDone).toBe(true);
    expect(scheduler.actions).toHaveLength(0);
    scheduler.flush();
    expect(samples).toEqual([]);
    expect(alerts).toEqual([]);
  });
});

describe('mergeByPriority teardown', () => {
  // Defect: on unsubscription (or a source / handler error) the events still queued in the lanes
  // were discarded without a report, while the other buffering operators report them to `onDrop`
  // as 'shutdown'. Nothing may vanish silently.
  it('reports events still queued at unsubscription to onDrop as shutdown', () => {
    const scheduler = virtual();
    const drops: DropRecord[] = [];
    const out: (readonly Event[])[] = [];
    const source = new Subject<Event>();
    const subscription = source
      .pipe(mergeByPriority({ scheduler, lanes: { p1: { batchSize: 10, batchTimeoutMs: 100 } }, onDrop: (r) => drops.push(r) }))
      .subscribe((batch) => out.push(batch));
    source.next(createEvent('PRICE_TICK', { eventId: 'a', timestamp: 0 }, scheduler));
    source.next(createEvent('PRICE_TICK', { eventId: 'b', timestamp: 0 }, scheduler));
    scheduler.schedule(() => subscription.unsubscribe(), 50); // before the 100 ms batch window closes
    scheduler.flush();
    expect(out).toEqual([]);
    expect(drops.map((d) => [d.event.eventId, d.reason, d.priority])).toEqual([
      ['a', 'shutdown', 1],
      ['b', 'shutdown', 1],
    ]);
  });

  it('reports events still queued when the source errors', () => {
    const scheduler = virtual();
    const drops: DropRecord[] = [];
    let failure: unknown;
    const source = new Subject<Event>();
    source
      .pipe(mergeByPriority({ scheduler, lanes: { p3: { batchSize: 10, batchTimeoutMs: 100 } }, onDrop: (r) => drops.push(r) }))
      .subscribe({ error: (error: unknown) => (failure = error) });
    source.next(createEvent('LOG_WRITE', { eventId: 'a', timestamp: 0 }, scheduler));
    source.error(new Error('feed down'));
    scheduler.flush();
    expect((failure as Error).message).toBe('feed down');
    expect(drops.map((d) => [d.event.eventId, d.reason])).toEqual([['a', 'shutdown']]);
  });
});

describe('EventDispatcher handler isolation', () => {
  // Defect: a handler returning a PromiseLike whose `then` throws counted the result as pending
  // before the throw, so the batch never settled: the lane kept its one in-flight slot forever
  // (no later batch of that lane was delivered) and stop() never resolved for P0.
  it('treats a PromiseLike whose then() throws as a failed result and keeps the lane going', async () => {
    const scheduler = virtual();
    const d = new EventDispatcher({}, { scheduler });
    const failures: unknown[] = [];
    d.failures$.subscribe((f) => failures.push(f.error));
    const seen: string[] = [];
    let first = true;
    d.registerHandler(0, (batch) => {
      seen.push(batch[0]!.eventId);
      if (!first) return undefined;
      first = false;
      return {
        then(): never {
          throw new Error('broken thenable');
        },
      };
    });
    await d.start();
    void d.dispatch(createEvent('FILL_CONFIRMED', { eventId: 'f1' }, scheduler));
    void d.dispatch(createEvent('FILL_CONFIRMED', { eventId: 'f2' }, scheduler));
    let stopped = false;
    scheduler.schedule(() => void d.stop().then(() => (stopped = true)), 10);
    scheduler.flush();
    await Promise.resolve();
    expect(seen).toEqual(['f1', 'f2']);
    expect(failures.map((e) => (e as Error).message)).toEqual(['broken thenable']);
    expect(stopped).toBe(true);
    const p0 = d.sampleMetrics().lanes[0]!;
    expect([p0.handled, p0.failed, p0.inFlightEvents]).toEqual([1, 1, 0]);
  });
});
