import { TestScheduler } from 'rxjs/testing';
import { map } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { EventDispatcher, operatingState$, type ManualOverride, type SafetyState, type TransitionMetrics } from '../../src/index.js';
import { BULL, CALM, DAY, HOUR, override, STRESS } from '../state/fixtures.js';
import { at, every } from '../state/marbles.js';

const newScheduler = () => new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
const S = { n: 'NORMAL', w: 'WARNING', f: 'FAIL', l: 'LOCKDOWN' } as const;

describe('safety → operating state (Safety > Operating State, always)', () => {
  it('one safety stream degrades the dispatcher and drives the operating state', () => {
    const scheduler = newScheduler();
    scheduler.run(({ hot, cold, expectObservable }) => {
      const safety$ = hot<SafetyState>(at(every(HOUR, HOUR, 'wfnln')), S);
      const dispatcher = new EventDispatcher({}, { scheduler, safety$ });
      void dispatcher.start();
      scheduler.schedule(() => void dispatcher.stop(), 6 * HOUR);
      const op = operatingState$({ metrics$: cold<TransitionMetrics>('-'), safety$ });
      const until = `^ ${6 * HOUR - 1}ms !`;
      expectObservable(dispatcher.degradation$, until).toBe(at([[0, 'N'], ...every(HOUR, HOUR, 'PDNCN')], 6 * HOUR), {
        N: 'NORMAL',
        P: 'P3_PAUSED',
        D: 'P2_P3_PAUSED',
        C: 'CRITICAL_ONLY',
      });
      // WARNING forces nothing; FAIL forces DEFENSIVE at once; NORMAL keeps DEFENSIVE.
      expectObservable(op.state$, until).toBe(at([[0, 'B'], [2 * HOUR, 'D']]), { B: 'BALANCED', D: 'DEFENSIVE' });
      expectObservable(op.snapshot$.pipe(map((s) => s.tradingHalted)), until).toBe(
        at([[0, 'o'], ...every(HOUR, HOUR, 'oooho')]),
        { o: false, h: true },
      );
    });
  });

  it('WARNING feeds BALANCED → DEFENSIVE through the gates', () => {
    newScheduler().run(({ hot, cold, expectObservable }) => {
      const safety$ = hot<SafetyState>('w', S);
      // Calm metrics every hour from day 5: only the WARNING condition holds.
      const metrics$ = cold(at(every(5 * DAY - 1, HOUR, 'cc'), 5 * DAY + 2 * HOUR), { c: CALM });
      const op = operatingState$({ metrics$, safety$ });
      expectObservable(op.transitions$.pipe(map((t) => t.reason)), `^ ${6 * DAY}ms !`).toBe(at([[5 * DAY + HOUR, 'r']]), {
        r: 'BALANCED_TO_DEFENSIVE: safety WARNING >= WARNING',
      });
    });
  });

  it('LOCKDOWN preserves AGGRESSIVE; its release resumes as BALANCED', () => {
    newScheduler().run(({ hot, cold, expectObservable }) => {
      const overrides$ = hot<ManualOverride>('o', { o: override('AGGRESSIVE', 0, 7, 'AGGRESSIVE') });
      const safety$ = hot<SafetyState>(at([[HOUR, 'l'], [2 * DAY, 'n']]), S);
      const metrics$ = cold<TransitionMetrics>(at(every(30 * 60_000, HOUR, 'b')), { b: BULL });
      const op = operatingState$({ metrics$, safety$, overrides$ });
      const until = `^ ${3 * DAY}ms !`;
      expectObservable(op.transitions$.pipe(map((t) => `${t.from}>${t.to} ${t.cause}`)), until).toBe(at([[0, 'o'], [2 * DAY, 'r']]), {
        o: 'BALANCED>AGGRESSIVE OVERRIDE',
        r: 'AGGRESSIVE>BALANCED LOCKDOWN_RELEASE',
      });
      expectObservable(op.evaluations$.pipe(map((e) => e.gate)), until).toBe(at([[HOUR, 'g']]), { g: 'LOCKDOWN' });
    });
  });

  it('FAIL cancels an active override; its expiry then changes nothing', () => {
    newScheduler().run(({ hot, cold, expectObservable }) => {
      const overrides$ = hot<ManualOverride>('o', { o: override('AGGRESSIVE', 0, 2, 'AGGRESSIVE') });
      const safety$ = hot<SafetyState>(at([[DAY, 'f']]), S);
      const op = operatingState$({ metrics$: cold<TransitionMetrics>(at([[DAY + HOUR, 's']]), { s: STRESS }), safety$, overrides$ });
      expectObservable(op.state$, `^ ${4 * DAY}ms !`).toBe(`(BA) ${DAY - 4}ms D`, {
        A: 'AGGRESSIVE',
        B: 'BALANCED',
        D: 'DEFENSIVE',
      });
      // The FAIL transition says which override it cancelled.
      expectObservable(op.transitions$.pipe(map((t) => `${t.cause}: ${t.reason}`)), `^ ${4 * DAY}ms !`).toBe(`o ${DAY - 1}ms f`, {
        o: 'OVERRIDE: override by op-7: ' + override('AGGRESSIVE', 0, 2, 'AGGRESSIVE').overrideReason,
        f: 'SAFETY: safety FAIL (override by op-7 cancelled)',
      });
      // Cancelled at FAIL; the expiry timer of day 2 finds nothing to revert.
      expectObservable(op.telemetry$.pipe(map((t) => t.kind)), `^ ${4 * DAY}ms !`).toBe(`(ot) ${DAY - 4}ms (ct) ${HOUR - 4}ms e`, {
        o: 'overridden',
        t: 'transitioned',
        c: 'overrideCancelled',
        e: 'evaluated',
      });
    });
  });
});
