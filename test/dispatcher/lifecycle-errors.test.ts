import { Observable } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import {
  DegradationLevel,
  DispatcherStoppedError,
  EventDispatcher,
  ReentrantDispatchError,
  StopTimeoutError,
  createEvent,
  type DispatcherAlert,
  type DispatcherMetrics,
  type FailureRecord,
} from '../../src/index.js';

const virtual = () => new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
const unbatched = { batchSize: 1, batchTimeoutMs: 0 };

describe('stop(): batches given up at the stop timeout', () => {
  it('reports every given-up batch on failures$, one per lane, before failures$ completes', async () => {
    const scheduler = virtual();
    const d = new EventDispatcher({ stopTimeoutMs: 50, queues: { p1: unbatched, p2: unbatched, p3: unbatched } }, { scheduler });
    const failures: FailureRecord[] = [];
    let completed = false;
    d.failures$.subscribe({ next: (f) => failures.push(f), complete: () => (completed = true) });
    for (const priority of [1, 2, 3] as const) d.registerHandler(priority, () => new Observable<never>());
    await d.start();
    void d.dispatch(createEvent('PRICE_TICK'));
    void d.dispatch(createEvent('STRATEGY_EVALUATE'));
    void d.dispatch(createEvent('LOG_WRITE'));
    scheduler.flush();
    const stopping = d.stop();
    scheduler.flush();
    await stopping;
    expect(completed).toBe(true);
    expect(failures.map((f) => f.priority).sort()).toEqual([1, 2, 3]);
    expect(failures.every((f) => f.error instanceof StopTimeoutError)).toBe(true);
    const lanes = d.sampleMetrics().lanes;
    expect([1, 2, 3].map((p) => lanes[p]!.failed)).toEqual([1, 1, 1]);
  });
});

describe('after stop(): typed errors, nothing accepted, nothing left running', () => {
  it('refuses registerHandler and setDegradationLevel with DispatcherStoppedError', async () => {
    const d = new EventDispatcher({}, { scheduler: virtual() });
    await d.start();
    await d.stop();
    expect(() => d.registerHandler(0, () => undefined)).toThrow(DispatcherStoppedError);
    expect(() => d.setDegradationLevel(DegradationLevel.CRITICAL_ONLY)).toThrow(
      'setDegradationLevel: expected a running dispatcher, got one that is stopped',
    );
    expect(d.degradationLevel).toBe(DegradationLevel.NORMAL);
  });

  // Regression: `takeUntil` ignores a notifier that only completes, so the stop signal must emit; a
  // subscription made after stop() would otherwise start a sampling timer that never ends (a
  // scheduled action left behind; on asyncScheduler it keeps the process alive).
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

describe('a handler dispatching into its own full lane', () => {
  const smallP0 = { queues: { p0: { capacity: 3 } }, monitoring: { alerts: { p0Depth: { warning: 1, critical: 2 } } } };

  it('gets a ReentrantDispatchError instead of a deadlock, and the lane and stop() go on', async () => {
    const d = new EventDispatcher(smallP0);
    let outcome: Promise<string> | undefined;
    let handled = 0;
    let allHandled!: () => void;
    const done = new Promise<void>((resolve) => (allHandled = resolve));
    d.registerHandler(0, async () => {
      handled++;
      // The first batch runs while three more fills fill the lane: waiting for room would deadlock.
      if (handled === 1) {
        outcome = d.dispatch(createEvent('FILL_CONFIRMED')).then(
          () => 'accepted',
          (error: unknown) => (error as Error).name,
        );
        await outcome;
      }
      if (handled === 4) allHandled();
    });
    await d.start();
    for (let i = 0; i < 4; i++) void d.dispatch(createEvent('FILL_CONFIRMED'));
    await done;
    await d.stop();
    expect(await outcome).toBe('ReentrantDispatchError');
    expect(new ReentrantDispatchError(0).message).toMatch(/^dispatch: expected room in lane P0 .* waiting would deadlock$/);
    expect(handled).toBe(4);
    expect(d.sampleMetrics().lanes[0]!.handled).toBe(4);
  });

  it('a handler that does not await its dispatch into its own full lane: the event waits its turn, nothing hangs', async () => {
    const d = new EventDispatcher(smallP0);
    const handled: string[] = [];
    let followUpAccepted: Promise<void> | undefined;
    let allHandled!: () => void;
    const done = new Promise<void>((resolve) => (allHandled = resolve));
    d.registerHandler(0, async (batch) => {
      handled.push(batch[0]!.eventId);
      if (handled.length === 1) {
        await new Promise((resolve) => setTimeout(resolve, 1)); // past the call: not refused
        followUpAccepted = d.dispatch(createEvent('FILL_CONFIRMED', { eventId: 'follow-up' })); // waits for room, not awaited here
      }
      if (handled.length === 5) allHandled();
    });
    await d.start();
    for (let i = 0; i < 4; i++) void d.dispatch(createEvent('FILL_CONFIRMED', { eventId: `f${i}` }));
    await done;
    await followUpAccepted;
    await d.stop();
    expect(handled).toEqual(['f0', 'f1', 'f2', 'f3', 'follow-up']);
  });

  it('still accepts a re-entrant dispatch while its lane has room', async () => {
    const d = new EventDispatcher(smallP0);
    let outcome: Promise<string> | undefined;
    let calls = 0;
    let bothHandled!: () => void;
    const done = new Promise<void>((resolve) => (bothHandled = resolve));
    d.registerHandler(0, async () => {
      if (++calls === 2) bothHandled();
      if (calls > 1) return;
      outcome = d.dispatch(createEvent('FILL_CONFIRMED')).then(() => 'accepted');
      await outcome;
    });
    await d.start();
    void d.dispatch(createEvent('FILL_CONFIRMED'));
    await done;
    await d.stop();
    expect([await outcome, calls]).toEqual(['accepted', 2]);
  });
});
