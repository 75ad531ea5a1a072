import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { Subject } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { DegradationLevel, type EventType } from '../../src/event/contracts.js';
import { createEvent } from '../../src/event/createEvent.js';
import { EventDispatcher } from '../../src/event/dispatcher/index.js';
import type { SafetyState } from '../../src/safety/state.js';

const TYPES: EventType[] = ['FILL_CONFIRMED', 'PRICE_TICK', 'VIX_UPDATE', 'STRATEGY_EVALUATE', 'RISK_EVALUATE', 'LOG_WRITE'];
const LEVELS = Object.values(DegradationLevel);
const SAFETY: SafetyState[] = ['NORMAL', 'WARNING', 'FAIL', 'LOCKDOWN'];

const step = fc.oneof(
  fc.record({ kind: fc.constant('events' as const), type: fc.constantFrom(...TYPES), count: fc.integer({ min: 1, max: 40 }), fail: fc.boolean() }),
  fc.record({ kind: fc.constant('level' as const), level: fc.constantFrom(...LEVELS) }),
  fc.record({ kind: fc.constant('safety' as const), state: fc.constantFrom(...SAFETY) }),
  fc.record({ kind: fc.constant('wait' as const), ms: fc.integer({ min: 0, max: 300 }) }),
);

describe('per-lane accounting', () => {
  it('enqueued = handled + failed + dropped + queued + waiting + in flight, after any workload', () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 30 }), fc.boolean(), (steps, stopAtEnd) => {
        const scheduler = new TestScheduler((a, b) => expect(a).toEqual(b));
        const safety$ = new Subject<SafetyState>();
        const small = { batchSize: 4, batchTimeoutMs: 20 };
        const d = new EventDispatcher(
          {
            stopTimeoutMs: 50,
            queues: { p0: { capacity: 8 }, p1: { capacity: 16, ...small }, p2: { capacity: 16, ...small }, p3: { capacity: 16, sampleRate: 0.5, ...small } },
            monitoring: {
              alerts: { p0Depth: { warning: 4, critical: 6 }, p1Depth: { warning: 10, critical: 12 }, p2Depth: { warning: 10, critical: 12 } },
            },
          },
          { scheduler, safety$ },
        );
        let failNext = false;
        for (const p of [0, 1, 2, 3] as const) {
          d.registerHandler(p, () => {
            if (failNext) throw new Error('handler failed');
          });
        }
        void d.start();
        let t = 0;
        for (const s of steps) {
          scheduler.schedule(() => {
            if (s.kind === 'events') {
              failNext = s.fail;
              for (let i = 0; i < s.count; i++) void d.dispatch(createEvent(s.type, { requiresAck: s.fail }, scheduler)).catch(() => undefined);
            } else if (s.kind === 'level') d.setDegradationLevel(s.level);
            else if (s.kind === 'safety') safety$.next(s.state);
          }, t);
          if (s.kind === 'wait') t += s.ms;
        }
        if (stopAtEnd) scheduler.schedule(() => void d.stop(), t + 1);
        scheduler.flush();
        for (const lane of d.sampleMetrics().lanes) {
          const accounted =
            lane.handled + lane.failed + lane.evicted + lane.collapsed + lane.rejected + lane.shutdown + lane.depth + lane.producersWaiting + lane.inFlightEvents;
          expect(accounted).toBe(lane.enqueued);
          if (stopAtEnd && lane.priority === 0) expect(lane.depth + lane.producersWaiting).toBe(0);
        }
      }),
      { numRuns: 150 },
    );
  });
});
