import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import { EventDispatcher, createEvent, type DispatcherAlert } from '../../src/index.js';

describe('depth alerts name the threshold of the level they report', () => {
  it('a critical P0 depth alert carries the critical threshold (80), not the warning one (50)', async () => {
    const scheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
    const d = new EventDispatcher({}, { scheduler });
    const alerts: DispatcherAlert[] = [];
    const subscription = d.alerts$.subscribe((a) => alerts.push(a));
    await d.start(); // no P0 handler: the lane keeps what it gets
    scheduler.schedule(() => {
      for (let i = 0; i < 85; i++) void d.dispatch(createEvent('FILL_CONFIRMED'));
    }, 50);
    scheduler.schedule(() => subscription.unsubscribe(), 250);
    scheduler.flush();
    const depth = alerts.filter((a) => a.kind === 'depth' && a.priority === 0);
    expect(depth.map((a) => [a.level, a.value, a.threshold, a.message])).toEqual([['critical', 85, 80, 'P0 depth 85 ≥ 80 (critical)']]);
  });
});
