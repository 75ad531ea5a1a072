import { describe, it, expect } from 'vitest';
import { Observable, Subject, throwError, timer } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { EventValidationError, type DegradationLevel, type Event, type EventType } from '../../src/event/contracts.js';
import { ev } from '../support/events.js';
import {
  DispatcherArgumentError,
  DispatcherStoppedError,
  EventDispatcher,
  StopTimeoutError,
  type DispatcherTelemetry,
  type FailureRecord,
} from '../../src/event/dispatcher/index.js';
import type { DropRecord } from '../../src/event/buffer/types.js';

function virtual(): TestScheduler {
  return new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
}
const unbatched = { batchSize: 1, batchTimeoutMs: 0 };

describe('EventDispatcher: strict priority', () => {
  it('handles a P0 arriving while 10 000 P3 are queued within one slice', async () => {
    const scheduler = virtual();
    const sliceEvents = 256;
    const d = new EventDispatcher({ queues: { p3: { batchSize: 1 } } }, { scheduler, sliceEvents });
    const handled: string[] = [];
    d.registerHandler(3, (batch) => {
      for (const e of batch) handled.push(e.eventType);
    });
    d.registerHandler(0, (batch) => {
      for (const e of batch) handled.push(e.eventType);
    });
    await d.start();
    for (let i = 0; i < 10_000; i++) void d.dispatch(ev({ type: 'LOG_WRITE' }));
    // The P0 arrives "from I/O": an action of the same instant, queued after the first slice.
    scheduler.schedule(() => void d.dispatch(ev({ type: 'FILL_CONFIRMED' })));
    scheduler.flush();
    const position = handled.indexOf('FILL_CONFIRMED');
    expect(position).toBeGreaterThanOrEqual(0);
    expect(position).toBeLessThanOrEqual(sliceEvents);
    expect(handled).toHaveLength(10_001);
  });

  it('handles a P0 while a P3 handler awaits I/O', async () => {
    const scheduler = virtual();
    const d = new EventDispatcher({ queues: { p3: unbatched } }, { scheduler });
    const log: string[] = [];
    d.registerHandler(3, () => {
      log.push(`p3 start ${scheduler.now()}`);
      return timer(50, scheduler).pipe(); // I/O that takes 50 ms
    });
    d.registerHandler(0, () => void log.push(`p0 ${scheduler.now()}`));
    await d.start();
    void d.dispatch(ev({ type: 'LOG_WRITE' }));
    void d.dispatch(ev({ type: 'LOG_WRITE' }));
    scheduler.schedule(() => void d.dispatch(ev({ type: 'FILL_CONFIRMED' })), 10);
    scheduler.flush();
    expect(log).toEqual(['p3 start 0', 'p0 10', 'p3 start 50']);
  });

  it('fans a batch out to every handler in registration order; unregister removes one', async () => {
    const scheduler = virtual();
    const d = new EventDispatcher({}, { scheduler });
    const calls: string[] = [];
    d.registerHandler(0, () => void calls.push('first'));
    const off = d.registerHandler(0, () => void calls.push('second'));
    d.registerHandler(0, () => void calls.push('third'));
    await d.start();
    void d.dispatch(ev({ type: 'FILL_CONFIRMED' }));
    scheduler.flush();
    off();
    off();
    void d.dispatch(ev({ type: 'FILL_CONFIRMED' }));
    scheduler.flush();
    expect(calls).toEqual(['first', 'second', 'third', 'first', 'third']);
  });

  it('makes a P0 producer wait under BLOCK until room frees', async () => {
    const scheduler = virtual();
    const d = new EventDispatcher(
      { queues: { p0: { capacity: 3 } }, monitoring: { alerts: { p0Depth: { warning: 1, critical: 2 } } } },
      { scheduler },
    );
    const seen: string[] = [];
    d.registerHandler(0, (batch) => void seen.push(batch[0]!.eventId));
    await d.start();
    const events = [ev({ type: 'FILL_CONFIRMED' }), ev({ type: 'FILL_CONFIRMED' }), ev({ type: 'FILL_CONFIRMED' }), ev({ type: 'FILL_CONFIRMED' })];
    let thirdAccepted = false;
    for (const e of events.slice(0, 3)) void d.dispatch(e);
    const third = d.dispatch(events[3]!).then(() => (thirdAccepted = true));
    await Promise.resolve();
    expect(thirdAccepted).toBe(false);
    expect(d.sampleMetrics().lanes[0]!.producersWaiting).toBe(1);
    scheduler.flush();
    await third;
    expect(thirdAccepted).toBe(true);
    expect(seen).toEqual(events.map((e) => e.eventId));
  });
});

describe('EventDispatcher: degradation', () => {
  const cases: [DegradationLevel, number[]][] = [
    ['P3_PAUSED', [3]],
    ['P2_P3_PAUSED', [2, 3]],
    ['CRITICAL_ONLY', [1, 2, 3]],
  ];
  for (const [level, paused] of cases) {
    it(`${level} pauses lanes ${paused.join(', ')} and resumes them with nothing lost`, async () => {
      const scheduler = virtual();
      const d = new EventDispatcher({ queues: { p1: unbatched, p2: unbatched, p3: unbatched } }, { scheduler });
      const handled = [0, 0, 0, 0];
      for (const p of [0, 1, 2, 3] as const) d.registerHandler(p, (batch) => void (handled[p]! += batch.length));
      await d.start();
      d.setDegradationLevel(level);
      expect(d.degradationLevel).toBe(level);
      const types: EventType[] = ['FILL_CONFIRMED', 'PRICE_TICK', 'STRATEGY_EVALUATE', 'LOG_WRITE'];
      for (let i = 0; i < 5; i++) for (const type of types) void d.dispatch(ev({ type, canCollapse: false }));
      scheduler.flush();
      expect(handled).toEqual([0, 1, 2, 3].map((p) => (paused.includes(p) ? 0 : 5)));
      d.setDegradationLevel('NORMAL');
      scheduler.flush();
      expect(handled).toEqual([5, 5, 5, 5]);
    });
  }

  it('rejects an unknown level with a typed error and keeps the current one', () => {
    const d = new EventDispatcher({}, { scheduler: virtual() });
    d.setDegradationLevel('P3_PAUSED');
    expect(() => d.setDegradationLevel('HALF' as DegradationLevel)).toThrow(DispatcherArgumentError);
    expect(d.degradationLevel).toBe('P3_PAUSED');
  });
});

describe('EventDispatcher: handler isolation', () => {
  it('isolates a throwing, a rejecting and an erroring handler and reports each once', async () => {
    const scheduler = virtual();
    const d = new EventDispatcher({}, { scheduler });
    const failures: FailureRecord[] = [];
    d.failures$.subscribe((f) => failures.push(f));
    const healthy: string[] = [];
    d.registerHandler(0, () => {
      throw new Error('thrown');
    });
    d.registerHandler(0, () => Promise.reject(new Error('rejected')));
    d.registerHandler(0, () => throwError(() => new Error('errored')));
    d.registerHandler(0, (batch) => void healthy.push(batch[0]!.eventId));
    await d.start();
    const fill = ev({ type: 'FILL_CONFIRMED' });
    const next = ev({ type: 'FILL_PARTIAL' });
    void d.dispatch(fill);
    void d.dispatch(next);
    for (let turn = 0; turn < 3; turn++) {
      scheduler.flush();
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(healthy).toEqual([fill.eventId, next.eventId]);
    expect(failures.map((f) => [(f.error as Error).message, f.batch[0]!.eventId])).toEqual([
      ['thrown', fill.eventId],
      ['errored', fill.eventId],
      ['rejected', fill.eventId],
      ['thrown', next.eventId],
      ['errored', next.eventId],
      ['rejected', next.eventId],
    ]);
    const p0 = d.sampleMetrics().lanes[0]!;
    // requiresAck P0 events whose handlers failed are counted failed, never handled.
    expect([p0.handled, p0.failed, p0.inFlightEvents]).toEqual([0, 2, 0]);
  });

  it('counts events without requiresAck as handled even when a handler failed', async () => {
    const scheduler = virtual();
    const d = new EventDispatcher({ queues: { p1: unbatched } }, { scheduler });
    let failures = 0;
    d.failures$.subscribe(() => failures++);
    d.registerHandler(1, () => {
      throw new Error('x');
    });
    await d.start();
    void d.dispatch(ev({ type: 'PRICE_TICK' }));
    void d.dispatch(ev({ type: 'PRICE_TICK', requiresAck: true }));
    scheduler.flush();
    const p1 = d.sampleMetrics().lanes[1]!;
    expect([p1.handled, p1.failed, failures]).toEqual([1, 1, 2]);
  });

  // Regression: a result whose `then` throws must not count as pending, or the batch never settles:
  // the lane keeps its one in-flight slot forever (no later batch of that lane is delivered) and
  // stop() never resolves for P0.
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
    void d.dispatch(ev('f1', { type: 'FILL_CONFIRMED' }));
    void d.dispatch(ev('f2', { type: 'FILL_CONFIRMED' }));
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

describe('EventDispatcher: stop()', () => {
  it('drains P0 fully, P1–P3 until stopTimeoutMs, and reports the rest as shutdown drops', async () => {
    const scheduler = virtual();
    const d = new EventDispatcher({ stopTimeoutMs: 100, queues: { p3: unbatched } }, { scheduler });
    const drops: DropRecord[] = [];
    d.drops$.subscribe((r) => drops.push(r));
    const p0: string[] = [];
    let p3 = 0;
    d.registerHandler(0, (batch) => void p0.push(batch[0]!.eventId));
    d.registerHandler(3, () => {
      p3++;
      return timer(30, scheduler);
    });
    await d.start();
    const fills = [ev({ type: 'FILL_CONFIRMED' }), ev({ type: 'FILL_CONFIRMED' })];
    for (const f of fills) void d.dispatch(f);
    for (let i = 0; i < 10; i++) void d.dispatch(ev({ type: 'LOG_WRITE' }));
    let stopped = false;
    const stopping = d.stop().then(() => (stopped = true));
    await expect(d.dispatch(ev({ type: 'FILL_CONFIRMED' }))).rejects.toBeInstanceOf(DispatcherStoppedError);
    scheduler.flush();
    await stopping;
    expect(stopped).toBe(true);
    expect(p0).toEqual(fills.map((f) => f.eventId));
    // P3 batches take 30 ms each: 0, 30, 60, 90 started before the 100 ms deadline; the one
    // started at 90 is still in flight at 100 and is given up.
    expect(p3).toBe(4);
    expect(drops.filter((r) => r.reason === 'shutdown')).toHaveLength(6);
    const m = d.sampleMetrics().lanes[3]!;
    expect([m.handled, m.failed, m.shutdown, m.depth, m.inFlightEvents]).toEqual([3, 1, 6, 0, 0]);
    expect(m.enqueued).toBe(m.handled + m.failed + m.shutdown + m.depth + m.inFlightEvents);
    expect(d.stop()).toBe(d.stop());
  });

  // Regression: a P3 handler whose Observable never completed kept its lane in flight, so stop()
  // never resolved and the batch was neither handled nor reported.
  it('gives up a P1–P3 batch still in flight at stopTimeoutMs: unsubscribed, reported, stop resolves', async () => {
    const scheduler = virtual();
    const d = new EventDispatcher({ stopTimeoutMs: 50, queues: { p3: unbatched } }, { scheduler });
    const failures: FailureRecord[] = [];
    d.failures$.subscribe((f) => failures.push(f));
    let unsubscribed = false;
    d.registerHandler(3, () => new Observable<never>(() => () => (unsubscribed = true)));
    await d.start();
    const log = ev({ type: 'LOG_WRITE' });
    void d.dispatch(log);
    scheduler.flush();
    const stopping = d.stop();
    scheduler.flush();
    await stopping;
    expect(unsubscribed).toBe(true);
    expect(failures).toHaveLength(1);
    expect(failures[0]!.batch).toEqual([log]);
    expect(failures[0]!.error).toBeInstanceOf(StopTimeoutError);
    expect((failures[0]!.error as Error).message).toBe(
      'stop: expected the batch to settle within stopTimeoutMs (50 ms), got still in flight; it was given up',
    );
    expect(failures[0]!.at).toBe(50);
    const m = d.sampleMetrics().lanes[3]!;
    expect([m.enqueued, m.handled, m.failed, m.inFlightEvents]).toEqual([1, 0, 1, 0]);
  });

  it('stops at once when idle, and ingest after stop throws', async () => {
    const d = new EventDispatcher({}, { scheduler: virtual() });
    await d.start();
    await d.stop();
    expect(() => d.ingest(new Subject<Event>())).toThrow(DispatcherStoppedError);
  });
});

describe('EventDispatcher: bad input', () => {
  it('rejects an invalid event with EventValidationError and changes nothing', async () => {
    const scheduler = virtual();
    const d = new EventDispatcher({}, { scheduler });
    d.registerHandler(0, () => undefined);
    await d.start();
    const bad = { ...ev({ type: 'FILL_CONFIRMED' }), priority: 3 } as Event;
    await expect(d.dispatch(bad)).rejects.toBeInstanceOf(EventValidationError);
    await expect(d.dispatch(bad)).rejects.toThrow(/priority/);
    scheduler.flush();
    const lanes = d.sampleMetrics().lanes;
    expect(lanes.map((l) => l.enqueued)).toEqual([0, 0, 0, 0]);
  });

  it('refuses a handler for an unknown priority or a non-function handler with a typed error', () => {
    const d = new EventDispatcher({}, { scheduler: virtual() });
    expect(() => d.registerHandler(7 as never, () => undefined)).toThrow(DispatcherArgumentError);
    expect(() => d.registerHandler(7 as never, () => undefined)).toThrow(/priority: expected an EventPriority/);
    expect(() => d.registerHandler(0, 'nope' as never)).toThrow(/handler: expected a function/);
  });

  it('reports invalid ingested values on ingestErrors$ and keeps ingesting', async () => {
    const scheduler = virtual();
    const d = new EventDispatcher({}, { scheduler });
    const errors: unknown[] = [];
    d.ingestErrors$.subscribe((e) => errors.push(e.error));
    let handled = 0;
    d.registerHandler(0, () => void handled++);
    await d.start();
    const source = new Subject<Event>();
    d.ingest(source);
    source.next({ nope: true } as unknown as Event);
    source.next(ev({ type: 'FILL_CONFIRMED' }));
    scheduler.flush();
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(EventValidationError);
    expect(handled).toBe(1);
  });
});

describe('EventDispatcher: accepted events', () => {
  it('resolves every accepted dispatch with one shared promise instead of one per call', async () => {
    const d = new EventDispatcher({}, { scheduler: virtual() });
    d.registerHandler(1, () => undefined);
    await d.start();
    const first = d.dispatch(ev({ type: 'PRICE_TICK' }));
    expect(d.dispatch(ev({ type: 'PRICE_TICK' }))).toBe(first);
    await expect(first).resolves.toBeUndefined();
  });
});

describe('EventDispatcher: telemetry', () => {
  it('emits frozen records with lane and scheduler time, per batch for handled events', async () => {
    const scheduler = virtual();
    const d = new EventDispatcher({ queues: { p1: { batchSize: 3, batchTimeoutMs: 0 } } }, { scheduler });
    const records: DispatcherTelemetry[] = [];
    d.telemetry$.subscribe((r) => records.push(r));
    d.registerHandler(1, () => undefined);
    await d.start();
    for (let i = 0; i < 3; i++) void d.dispatch(ev({ type: 'PRICE_TICK' }));
    d.setDegradationLevel('P3_PAUSED');
    scheduler.flush();
    expect(records.every((r) => Object.isFrozen(r) && r.at === 0)).toBe(true);
    expect(records.map((r) => [r.kind, r.lane, r.count])).toEqual([
      ['snapshot', 0, 0],
      ['snapshot', 1, 0],
      ['snapshot', 2, 0],
      ['snapshot', 3, 0],
      ['enqueued', 1, 1],
      ['enqueued', 1, 1],
      ['enqueued', 1, 1],
      ['degraded', null, 0],
      ['handled', 1, 3],
    ]);
  });
});
