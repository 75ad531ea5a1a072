import { describe, it, expect } from 'vitest';
import { NEVER, throwError, timer } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { EventValidationError, type Event, type EventType } from '../../src/event/contracts.js';
import { DispatcherArgumentError, DispatcherStoppedError, EventDispatcher, StopTimeoutError } from '../../src/event/dispatcher/index.js';
import { ev } from '../support/events.js';
import { EventDroppedError, HandlerFailedError } from '../../src/event/awaiting.js';

function virtual(): TestScheduler {
  return new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
}
const unbatched = { batchSize: 1, batchTimeoutMs: 0 };
/** Lanes of a few events, unbatched, with depth alerts below their capacities. */
const depth = { warning: 1, critical: 2 };
const tiny = {
  stopTimeoutMs: 50,
  queues: { p0: { capacity: 3 }, p1: { capacity: 3, ...unbatched }, p2: { capacity: 3, ...unbatched }, p3: { capacity: 1, sampleRate: 0.5, ...unbatched } },
  monitoring: { alerts: { p0Depth: depth, p1Depth: depth, p2Depth: depth } },
};

/** Settles a promise into a plain value so a test can assert on it after the virtual clock ran. */
function outcomeOf(promise: Promise<void>): { value: 'pending' | 'handled' | unknown } {
  const box: { value: 'pending' | 'handled' | unknown } = { value: 'pending' };
  promise.then(
    () => (box.value = 'handled'),
    (error: unknown) => (box.value = error),
  );
  return box;
}

const LANE_TYPES: readonly EventType[] = ['FILL_CONFIRMED', 'PRICE_TICK', 'STRATEGY_EVALUATE', 'LOG_WRITE'];

describe('dispatchAndWait: resolves when every handler of the carrying batch succeeded', () => {
  for (const [priority, type] of LANE_TYPES.entries()) {
    it(`P${priority}: resolves after the handlers ran, not at enqueue`, async () => {
      const scheduler = virtual();
      const d = new EventDispatcher({ queues: { p3: unbatched } }, { scheduler });
      const seen: string[] = [];
      d.registerHandler(priority as 0 | 1 | 2 | 3, (batch) => void seen.push(...batch.map((e) => e.eventId)));
      d.registerHandler(priority as 0 | 1 | 2 | 3, () => timer(30, scheduler));
      await d.start();
      const event = ev({ type });
      const outcome = outcomeOf(d.dispatchAndWait(event));
      await Promise.resolve();
      expect(outcome.value).toBe('pending');
      scheduler.flush();
      await Promise.resolve();
      expect(seen).toEqual([event.eventId]);
      expect(outcome.value).toBe('handled');
    });

    it(`P${priority}: rejects with HandlerFailedError holding the failure record when a handler throws`, async () => {
      const scheduler = virtual();
      const d = new EventDispatcher({ queues: { p3: unbatched } }, { scheduler });
      const failure = new Error('oms down');
      d.registerHandler(priority as 0 | 1 | 2 | 3, () => {
        throw failure;
      });
      await d.start();
      const event = ev({ type });
      const waiting = d.dispatchAndWait(event);
      scheduler.flush();
      const error = await waiting.then(
        () => null,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(HandlerFailedError);
      const record = (error as HandlerFailedError).failure;
      expect(record.error).toBe(failure);
      expect(record.priority).toBe(priority);
      expect(record.batch).toContain(event);
      expect((error as HandlerFailedError).message).toContain('oms down');
    });
  }

  it('with batching: every awaited event of a batch resolves when the batch is handled', async () => {
    const scheduler = virtual();
    const d = new EventDispatcher({ queues: { p1: { batchSize: 3, batchTimeoutMs: 10 } } }, { scheduler });
    const batches: number[] = [];
    d.registerHandler(1, (batch) => void batches.push(batch.length));
    await d.start();
    const events = [ev({ type: 'PRICE_TICK' }), ev({ type: 'PRICE_TICK' }), ev({ type: 'PRICE_TICK' })];
    const outcomes = events.map((e) => outcomeOf(d.dispatchAndWait(e)));
    scheduler.flush();
    await Promise.resolve();
    expect(batches).toEqual([3]);
    expect(outcomes.map((o) => o.value)).toEqual(['handled', 'handled', 'handled']);
  });

  it('with batching: one failing handler rejects every awaited event of its batch, other batches resolve', async () => {
    const scheduler = virtual();
    const d = new EventDispatcher({ queues: { p1: { batchSize: 2, batchTimeoutMs: 10 } } }, { scheduler });
    let call = 0;
    d.registerHandler(1, () => void 0);
    d.registerHandler(1, () => (call++ === 0 ? throwError(() => new Error('first batch fails')) : undefined));
    await d.start();
    const events = [ev({ type: 'PRICE_TICK' }), ev({ type: 'PRICE_TICK' }), ev({ type: 'PRICE_TICK' }), ev({ type: 'PRICE_TICK' })];
    const outcomes = events.map((e) => outcomeOf(d.dispatchAndWait(e)));
    scheduler.flush();
    await Promise.resolve();
    const values = outcomes.map((o) => o.value);
    expect(values[0]).toBeInstanceOf(HandlerFailedError);
    // One error object for the whole batch: it holds the batch's failure record.
    expect(values[1]).toBe(values[0]);
    expect(values.slice(2)).toEqual(['handled', 'handled']);
  });

  it('rejects when an asynchronous handler rejects later, after the others succeeded', async () => {
    const scheduler = virtual();
    const d = new EventDispatcher({}, { scheduler });
    d.registerHandler(0, () => void 0);
    d.registerHandler(0, () => timer(100, scheduler).pipe(() => throwError(() => new Error('late'))));
    await d.start();
    const outcome = outcomeOf(d.dispatchAndWait(ev({ type: 'FILL_CONFIRMED' })));
    scheduler.flush();
    await Promise.resolve();
    expect(outcome.value).toBeInstanceOf(HandlerFailedError);
    expect(((outcome.value as HandlerFailedError).failure.error as Error).message).toBe('late');
  });

  it('leaves events dispatched without waiting unaffected and settles only the awaited one', async () => {
    const scheduler = virtual();
    const d = new EventDispatcher({ queues: { p1: unbatched } }, { scheduler });
    const handled: string[] = [];
    d.registerHandler(1, (batch) => void handled.push(batch[0]!.eventId));
    await d.start();
    const plain = ev({ type: 'PRICE_TICK' });
    const awaited = ev({ type: 'PRICE_TICK' });
    void d.dispatch(plain);
    const outcome = outcomeOf(d.dispatchAndWait(awaited));
    scheduler.flush();
    await Promise.resolve();
    expect(handled).toEqual([plain.eventId, awaited.eventId]);
    expect(outcome.value).toBe('handled');
  });

  it('waits while the event is buffered before start() and settles after it', async () => {
    const scheduler = virtual();
    const d = new EventDispatcher({}, { scheduler });
    d.registerHandler(0, () => void 0);
    const outcome = outcomeOf(d.dispatchAndWait(ev({ type: 'FILL_CONFIRMED' })));
    scheduler.flush();
    await Promise.resolve();
    expect(outcome.value).toBe('pending');
    await d.start();
    scheduler.flush();
    await Promise.resolve();
    expect(outcome.value).toBe('handled');
  });

  it('waits for a P0 held by a full BLOCK lane, then resolves once it is handled', async () => {
    const scheduler = virtual();
    const d = new EventDispatcher(tiny, { scheduler });
    d.registerHandler(0, () => timer(10, scheduler));
    await d.start();
    const events = Array.from({ length: 5 }, () => ev({ type: 'FILL_CONFIRMED' }));
    const outcomes = events.map((e) => outcomeOf(d.dispatchAndWait(e)));
    expect(d.sampleMetrics().lanes[0]!.producersWaiting).toBe(2);
    scheduler.flush();
    await Promise.resolve();
    expect(outcomes.map((o) => o.value)).toEqual(['handled', 'handled', 'handled', 'handled', 'handled']);
  });
});

describe('dispatchAndWait: rejects with EventDroppedError holding the drop record', () => {
  it('evicted: a P1 event pushed out of a full DROP_OLDEST lane', async () => {
    const scheduler = virtual();
    const d = new EventDispatcher(tiny, { scheduler });
    d.registerHandler(1, () => void 0);
    await d.start();
    const first = ev({ type: 'PRICE_TICK' });
    const outcome = outcomeOf(d.dispatchAndWait(first));
    const later = [ev({ type: 'PRICE_TICK' }), ev({ type: 'PRICE_TICK' }), ev({ type: 'PRICE_TICK' })].map((e) => outcomeOf(d.dispatchAndWait(e)));
    scheduler.flush();
    await Promise.resolve();
    expect(outcome.value).toBeInstanceOf(EventDroppedError);
    const drop = (outcome.value as EventDroppedError).drop;
    expect(drop).toMatchObject({ event: first, reason: 'evicted', priority: 1 });
    expect(later.map((o) => o.value)).toEqual(['handled', 'handled', 'handled']);
  });

  it('collapsed: a P2 event replaced in place by a newer one of the same key', async () => {
    const scheduler = virtual();
    const d = new EventDispatcher({ queues: { p2: unbatched } }, { scheduler });
    d.registerHandler(2, () => void 0);
    await d.start();
    const older = ev({ type: 'STRATEGY_EVALUATE' });
    const outcome = outcomeOf(d.dispatchAndWait(older));
    const newer = outcomeOf(d.dispatchAndWait(ev({ type: 'STRATEGY_EVALUATE' })));
    scheduler.flush();
    await Promise.resolve();
    expect((outcome.value as EventDroppedError).drop).toMatchObject({ event: older, reason: 'collapsed', priority: 2 });
    expect(newer.value).toBe('handled');
  });

  it('sampled: a P3 arrival refused by a full SAMPLE lane, synchronously reported', async () => {
    const scheduler = virtual();
    const d = new EventDispatcher(tiny, { scheduler });
    d.registerHandler(3, () => void 0);
    await d.start();
    const kept = outcomeOf(d.dispatchAndWait(ev({ type: 'LOG_WRITE' })));
    const refused = ev({ type: 'LOG_WRITE' });
    const outcome = outcomeOf(d.dispatchAndWait(refused));
    await Promise.resolve();
    expect((outcome.value as EventDroppedError).drop).toMatchObject({ event: refused, reason: 'sampled', priority: 3 });
    scheduler.flush();
    await Promise.resolve();
    expect(kept.value).toBe('handled');
  });

  it('shutdown: an event still queued when stop() gives up on its lane', async () => {
    const scheduler = virtual();
    const d = new EventDispatcher({ stopTimeoutMs: 50, queues: { p3: { ...unbatched, capacity: 10 } } }, { scheduler });
    d.registerHandler(3, () => timer(30, scheduler));
    await d.start();
    const outcomes = [ev({ type: 'LOG_WRITE' }), ev({ type: 'LOG_WRITE' }), ev({ type: 'LOG_WRITE' })].map((e) => outcomeOf(d.dispatchAndWait(e)));
    // Handled 0–30; the second runs 30–60 and is given up at 50; the third is still queued at 50.
    const stopping = d.stop();
    scheduler.flush();
    await stopping;
    const values = outcomes.map((o) => o.value);
    expect(values[0]).toBe('handled');
    expect((values[1] as HandlerFailedError).failure.error).toBeInstanceOf(StopTimeoutError);
    expect(values[2]).toBeInstanceOf(EventDroppedError);
    expect((values[2] as EventDroppedError).drop).toMatchObject({ reason: 'shutdown', priority: 3 });
  });

  it('shutdown: an event in a lane without any handler at stop()', async () => {
    const scheduler = virtual();
    const d = new EventDispatcher({}, { scheduler });
    await d.start();
    const outcome = outcomeOf(d.dispatchAndWait(ev({ type: 'PRICE_TICK' })));
    const stopping = d.stop();
    scheduler.flush();
    await stopping;
    expect((outcome.value as EventDroppedError).drop.reason).toBe('shutdown');
    expect((outcome.value as EventDroppedError).message).toContain('shutdown');
  });

  it('a batch given up at the stop timeout rejects with HandlerFailedError holding a StopTimeoutError', async () => {
    const scheduler = virtual();
    const d = new EventDispatcher({ stopTimeoutMs: 50, queues: { p3: unbatched } }, { scheduler });
    d.registerHandler(3, () => NEVER);
    await d.start();
    const outcome = outcomeOf(d.dispatchAndWait(ev({ type: 'LOG_WRITE' })));
    scheduler.flush();
    const stopping = d.stop();
    scheduler.flush();
    await stopping;
    expect(outcome.value).toBeInstanceOf(HandlerFailedError);
    expect((outcome.value as HandlerFailedError).failure.error).toBeInstanceOf(StopTimeoutError);
  });
});

describe('dispatchAndWait: bad input changes nothing else', () => {
  it('rejects an invalid event with EventValidationError', async () => {
    const d = new EventDispatcher({}, { scheduler: virtual() });
    await expect(d.dispatchAndWait({ eventType: 'NOPE' } as unknown as Event)).rejects.toBeInstanceOf(EventValidationError);
  });

  it('rejects after stop() with DispatcherStoppedError', async () => {
    const scheduler = virtual();
    const d = new EventDispatcher({}, { scheduler });
    await d.stop();
    await expect(d.dispatchAndWait(ev({ type: 'FILL_CONFIRMED' }))).rejects.toBeInstanceOf(DispatcherStoppedError);
  });

  it('rejects a second wait on the very same event object and keeps the first wait intact', async () => {
    const scheduler = virtual();
    const d = new EventDispatcher({}, { scheduler });
    let calls = 0;
    d.registerHandler(0, () => void calls++);
    await d.start();
    const event = ev({ type: 'FILL_CONFIRMED' });
    const first = outcomeOf(d.dispatchAndWait(event));
    const second = outcomeOf(d.dispatchAndWait(event));
    scheduler.flush();
    await Promise.resolve();
    expect(second.value).toBeInstanceOf(DispatcherArgumentError);
    expect(first.value).toBe('handled');
    expect(calls).toBe(1);
  });
});

describe('dispatchAndWait under TestScheduler.run', () => {
  it('settles from the virtual clock: pending before the flush, handled right after it', async () => {
    const scheduler = virtual();
    const handledAt: number[] = [];
    let outcome: { value: unknown } = { value: 'not dispatched' };
    scheduler.run(({ flush }) => {
      const d = new EventDispatcher({}, { scheduler });
      d.registerHandler(0, () => timer(25, scheduler));
      d.telemetry$.subscribe((t) => {
        if (t.kind === 'handled') handledAt.push(scheduler.now());
      });
      void d.start();
      outcome = outcomeOf(d.dispatchAndWait(ev({ type: 'FILL_CONFIRMED' })));
      flush();
    });
    expect(outcome.value).toBe('pending');
    await Promise.resolve();
    expect(outcome.value).toBe('handled');
    expect(handledAt).toEqual([25]);
  });
});
