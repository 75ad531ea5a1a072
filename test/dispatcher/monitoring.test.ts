import { describe, it, expect } from 'vitest';
import { map, timer } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { type Event } from '../../src/event/contracts.js';
import { createEvent } from '../../src/event/createEvent.js';
import { EventDispatcher } from '../../src/event/dispatcher/index.js';
import { detectAlerts, type DispatcherAlert, type DispatcherMetrics } from '../../src/event/monitoring.js';
import { LatencyHistogram } from '../../src/event/histogram.js';
import { resolveEventConfig } from '../../src/event/config.js';
import fc from 'fast-check';

function virtual(): TestScheduler {
  return new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
}

describe('LatencyHistogram', () => {
  it('gives nearest-rank p50 / p99 / max over the last windowSize samples only', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 64 }), fc.array(fc.integer({ min: 0, max: 1e6 }).map((n) => n / 100), { maxLength: 300 }), (size, samples) => {
        const histogram = new LatencyHistogram(size);
        for (const s of samples) histogram.record(s);
        const kept = samples.slice(-size).sort((a, b) => a - b);
        const summary = histogram.summary();
        expect(summary.count).toBe(kept.length);
        if (kept.length === 0) {
          expect(summary.max).toBeNaN();
        } else {
          expect(summary.max).toEqual(kept[kept.length - 1]);
          expect(summary.p50).toEqual(kept[Math.ceil(0.5 * kept.length) - 1]);
          expect(summary.p99).toEqual(kept[Math.ceil(0.99 * kept.length) - 1]);
        }
      }),
    );
  });

  it('refuses a window size that is not a positive integer', () => {
    expect(() => new LatencyHistogram(0)).toThrow(/windowSize: expected a positive integer, got 0/);
  });
});

describe('alerts', () => {
  const config = resolveEventConfig().monitoring;
  const sample = (at: number, p0Depth: number, p1Utilisation = 0): DispatcherMetrics =>
    ({
      at,
      degradationLevel: 'NORMAL',
      lanes: [0, 1, 2, 3].map((priority) => ({
        priority,
        depth: priority === 0 ? p0Depth : Math.round(p1Utilisation * 10000) * (priority === 1 ? 1 : 0),
        utilisation: priority === 1 ? p1Utilisation : 0,
        budgetBreaches: 0,
        latency: { p50: 0, p99: 0, max: 0, count: 1 },
      })),
    }) as unknown as DispatcherMetrics;

  it('emits on entering and on clearing a level, not on every sample', () => {
    virtual().run(({ cold, expectObservable }) => {
      const depths = [10, 60, 60, 90, 60, 10];
      const values = Object.fromEntries(depths.map((d, i) => [String.fromCharCode(97 + i), sample(i, d)]));
      const metrics$ = cold('-a-b-c-d-e-f-', values); // P0 depth a 10, b 60, c 60, d 90, e 60, f 10
      const alerts$ = metrics$.pipe(detectAlerts(config));
      const levels = (a: DispatcherAlert): string => `${a.kind}:${a.previous}>${a.level}@${a.at}`;
      expectObservable(alerts$.pipe(map(levels))).toBe('---W---C-E-K-', { W: 'depth:ok>warning@1', C: 'depth:warning>critical@3', E: 'depth:critical>warning@4', K: 'depth:warning>ok@5' });
    });
  });

  it('raises backpressure on the P1 ratio and clears it', () => {
    const alerts: DispatcherAlert[] = [];
    virtual().run(({ cold, flush }) => {
      cold('-a-b-c-', { a: sample(0, 0, 0.5), b: sample(1, 0, 0.95), c: sample(2, 0, 0.1) })
        .pipe(detectAlerts(config))
        .subscribe((a) => alerts.push(a));
      flush();
    });
    const backpressure = alerts.filter((a) => a.kind === 'backpressure').map((a) => [a.priority, a.level, a.threshold]);
    expect(backpressure).toEqual([
      [1, 'critical', 0.9],
      [1, 'ok', 0.7],
    ]);
  });

  it('raises a latency alert when a P0 handler exceeds its budget, and clears it', async () => {
    const scheduler = virtual();
    const d = new EventDispatcher({ monitoring: { checkIntervalMs: 100, latencyWindow: 4 } }, { scheduler });
    const alerts: DispatcherAlert[] = [];
    d.alerts$.subscribe((a) => alerts.push(a));
    let slow = true;
    d.registerHandler(0, () => (slow ? timer(20, scheduler) : undefined));
    await d.start();
    const fill = (): Event => createEvent('FILL_CONFIRMED', {}, scheduler);
    void d.dispatch(fill()); // handled in 20 ms: over the 10 ms P0 budget
    scheduler.schedule(() => {
      slow = false;
      for (let i = 0; i < 4; i++) void d.dispatch(fill()); // fast ones push the slow sample out of the window
    }, 150);
    scheduler.schedule(() => void d.stop(), 250);
    scheduler.flush();
    expect(alerts.filter((a) => a.kind === 'latency').map((a) => [a.priority, a.previous, a.level, a.at])).toEqual([
      [0, 'ok', 'critical', 100],
      [0, 'critical', 'ok', 200],
    ]);
  });

  it('samples metrics every checkIntervalMs with the accounting identity', async () => {
    const scheduler = virtual();
    const d = new EventDispatcher({ monitoring: { checkIntervalMs: 50 } }, { scheduler });
    const samples: DispatcherMetrics[] = [];
    d.metrics$.subscribe((m) => samples.push(m));
    d.registerHandler(3, () => undefined);
    await d.start();
    for (let i = 0; i < 150; i++) void d.dispatch(createEvent('LOG_WRITE', {}, scheduler));
    scheduler.schedule(() => void d.stop(), 120);
    scheduler.flush();
    expect(samples.map((s) => s.at)).toEqual([50, 100]);
    const p3 = samples[1]!.lanes[3]!;
    expect(p3.enqueued).toBe(150);
    expect(p3.handled).toBe(100); // the 50-event remainder waits for its 1 000 ms window
    expect(p3.enqueued).toBe(p3.handled + p3.failed + p3.evicted + p3.collapsed + p3.rejected + p3.shutdown + p3.depth + p3.producersWaiting + p3.inFlightEvents);
    expect(p3.latency.count).toBe(100);
  });
});
