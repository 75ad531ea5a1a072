import { VirtualTimeScheduler, asyncScheduler, of, take } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import { MAX_TIMER_DELAY_MS, intervalOn, scheduleAfter } from '../../src/scheduling/timer.js';
import { createEvent, EventDispatcher, operatingState$, type OperatingState } from '../../src/index.js';
import { Clock, DAY } from '../state/fixtures.js';

const virtual = () => new TestScheduler((actual, expected) => expect(actual).toEqual(expected));

/** Collects Node's process warnings (TimeoutOverflowWarning among them) while `run` runs. */
async function warningsDuring(run: () => Promise<void>): Promise<string[]> {
  const warnings: string[] = [];
  const listener = (warning: Error) => warnings.push(warning.name);
  process.on('warning', listener);
  try {
    await run();
    await new Promise((resolve) => setImmediate(resolve));
  } finally {
    process.off('warning', listener);
  }
  return warnings;
}

describe('scheduleAfter: durations past 2^31 − 1 ms', () => {
  it('fires a 30-day delay after 30 days of virtual time, not before', () => {
    const { scheduler } = new Clock();
    const firedAt: number[] = [];
    scheduleAfter(scheduler, 30 * DAY, () => firedAt.push(scheduler.now()));
    scheduler.flush();
    expect(30 * DAY).toBeGreaterThan(MAX_TIMER_DELAY_MS);
    expect(firedAt).toEqual([30 * DAY]);
  });

  it('cancels a chained delay at any hop', () => {
    const { scheduler } = new Clock();
    let fired = false;
    const timer = scheduleAfter(scheduler, 3 * MAX_TIMER_DELAY_MS, () => (fired = true));
    scheduler.schedule(() => timer.unsubscribe(), MAX_TIMER_DELAY_MS + 5);
    scheduler.flush();
    expect(fired).toBe(false);
  });

  it('keeps a short delay one plain scheduler action', () => {
    const scheduler = virtual();
    const firedAt: number[] = [];
    scheduleAfter(scheduler, 10, () => firedAt.push(scheduler.now()));
    scheduleAfter(scheduler, -5, () => firedAt.push(scheduler.now()));
    scheduler.flush();
    expect(firedAt).toEqual([0, 10]);
  });

  it('does not fire a 3e9 ms delay on a real clock within 50 ms, and Node prints no overflow warning', async () => {
    let fired = false;
    const warnings = await warningsDuring(async () => {
      const timer = scheduleAfter(asyncScheduler, 3e9, () => (fired = true));
      await new Promise((resolve) => setTimeout(resolve, 50));
      timer.unsubscribe();
    });
    expect(fired).toBe(false);
    expect(warnings).toEqual([]);
  });

  it('intervalOn leaves no timer behind when unsubscribed', () => {
    const scheduler = new VirtualTimeScheduler();
    const ticks: number[] = [];
    const subscription = intervalOn(scheduler, 10).subscribe((n) => ticks.push(n));
    expect(scheduler.actions).toHaveLength(1);
    subscription.unsubscribe();
    expect(scheduler.actions).toHaveLength(0);
    scheduler.flush();
    expect(ticks).toEqual([]);
  });

  it('intervalOn schedules no further period once its subscriber has closed during a value', () => {
    // A bounded virtual clock: a timer re-armed after the subscriber closed would run it to 1 000 ms.
    const scheduler = new VirtualTimeScheduler(undefined, 1_000);
    const ticks: number[] = [];
    intervalOn(scheduler, 10).pipe(take(1)).subscribe((n) => ticks.push(n));
    scheduler.flush();
    expect(ticks).toEqual([0]);
    expect(scheduler.now()).toBe(10);
  });

  it('intervalOn emits every period, also for periods past the limit', () => {
    virtual().run(({ expectObservable }) => {
      const period = MAX_TIMER_DELAY_MS + 1;
      expectObservable(intervalOn(asyncScheduler, period), `^ ${3 * period}ms !`).toBe(`${period}ms a ${period - 1}ms b ${period - 1}ms c`, {
        a: 0,
        b: 1,
        c: 2,
      });
    });
  });
});

describe('long durations in the dispatcher and the operating state', () => {
  it('honours a stop timeout of 3e9 ms: every P3 event is handled, none dropped at shutdown', async () => {
    const d = new EventDispatcher({ stopTimeoutMs: 3e9, queues: { p3: { batchSize: 1, batchTimeoutMs: 0 } } });
    let handled = 0;
    let shutdownDrops = 0;
    d.drops$.subscribe((r) => void (r.reason === 'shutdown' && shutdownDrops++));
    d.registerHandler(3, () => new Promise<void>((resolve) => setTimeout(() => (handled++, resolve()), 1)));
    await d.start();
    for (let i = 0; i < 20; i++) void d.dispatch(createEvent('LOG_WRITE'));
    await d.stop();
    expect([handled, shutdownDrops]).toEqual([20, 0]);
  });

  it('keeps a 30-day override in place on a real clock without re-arming its expiry timer every millisecond', async () => {
    const start = asyncScheduler.now();
    const override = {
      overrideState: 'DEFENSIVE' as const,
      overrideReason: 'desk call',
      operatorId: 'op-7',
      overrideTime: start,
      expiryTime: start + 30 * DAY,
      autoRevertState: 'BALANCED' as const,
    };
    const states: OperatingState[] = [];
    const warnings = await warningsDuring(async () => {
      const op = operatingState$({ metrics$: of(), safety$: of(), overrides$: of(override) }, { override: { maxDurationDays: 40 } });
      const subscription = op.state$.subscribe((s) => states.push(s));
      await new Promise((resolve) => setTimeout(resolve, 50));
      subscription.unsubscribe();
    });
    expect(states).toEqual(['BALANCED', 'DEFENSIVE']);
    expect(warnings).toEqual([]);
  });
});
