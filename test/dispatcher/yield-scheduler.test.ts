import { describe, it, expect } from 'vitest';
import { Subscription, asyncScheduler, type SchedulerLike } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { createYieldScheduler, isVirtualScheduler } from '../../src/event/yield-scheduler.js';

describe('createYieldScheduler', () => {
  it('runs everything through a virtual scheduler', () => {
    const scheduler = new TestScheduler((a, b) => expect(a).toEqual(b));
    const yielder = createYieldScheduler(scheduler);
    const ran: number[] = [];
    yielder.schedule(() => void ran.push(scheduler.now()));
    yielder.schedule(() => void ran.push(scheduler.now()), 5);
    expect(ran).toEqual([]);
    scheduler.flush();
    expect(ran).toEqual([0, 5]);
    expect(yielder.isVirtual()).toBe(true);
    expect(yielder.elapsedNow()).toBe(scheduler.now());
  });

  it('gives the fine real clock on request without consulting the injected one', () => {
    const scheduler = new TestScheduler((a, b) => expect(a).toEqual(b));
    const yielder = createYieldScheduler(scheduler);
    const before = performance.now();
    const reading = yielder.realElapsedNow();
    expect(reading).toBeGreaterThanOrEqual(before);
    expect(reading).toBeLessThanOrEqual(performance.now());
    expect(yielder.elapsedNow()).toBe(0);
  });

  it('treats asyncScheduler as virtual inside TestScheduler.run', () => {
    new TestScheduler((a, b) => expect(a).toEqual(b)).run(() => {
      expect(isVirtualScheduler(asyncScheduler)).toBe(true);
    });
    expect(isVirtualScheduler(asyncScheduler)).toBe(false);
  });

  it('runs zero-delay actions on setImmediate on a real clock, after microtasks, and can cancel them', async () => {
    const yielder = createYieldScheduler(asyncScheduler);
    const order: string[] = [];
    yielder.schedule(() => void order.push('immediate'));
    const cancelled = yielder.schedule(() => void order.push('cancelled'));
    cancelled.unsubscribe();
    void Promise.resolve().then(() => order.push('microtask'));
    order.push('sync');
    await new Promise((resolve) => setImmediate(resolve));
    expect(order).toEqual(['sync', 'microtask', 'immediate']);
  });

  it('delegates delayed actions and now() to the injected scheduler, and reschedules itself', () => {
    const calls: number[] = [];
    const base: SchedulerLike = {
      now: () => 1.7e12,
      schedule: (work, delay) => {
        calls.push(delay ?? 0);
        return new Subscription();
      },
    };
    const yielder = createYieldScheduler(base);
    const action = yielder.schedule(() => undefined, 7);
    expect(calls).toEqual([7]);
    expect(yielder.now()).toBe(1.7e12);
    action.unsubscribe();
  });
});
