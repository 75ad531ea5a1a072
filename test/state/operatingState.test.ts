import { TestScheduler } from 'rxjs/testing';
import { map } from 'rxjs';
import { describe, expect, it } from 'vitest';
import {
  MetricsError,
  operatingState$,
  OverrideError,
  SafetyStateError,
  type ManualOverride,
  type SafetyState,
  type TransitionMetrics,
} from '../../src/index.js';
import { CALM, DAY, HOUR, m, MINUTE, override, STRESS } from './fixtures.js';
import { at, every } from './marbles.js';

const newScheduler = () => new TestScheduler((actual, expected) => expect(actual).toEqual(expected));

describe('operatingState$', () => {
  it('debounces metrics to the latest and evaluates once per cycle', () => {
    // The diagram of the doc comment: one frame per ms, a cycle every 6 frames.
    newScheduler().run(({ cold, expectObservable }) => {
      const metrics$ = cold('  -a-b---c--------|', { a: m({ vix: 21 }), b: m({ vix: 22 }), c: m({ vix: 23 }) });
      const evaluated = '     ------b-----c---|';
      const op = operatingState$({ metrics$, safety$: cold('|') }, { cycleMinutes: 6 / 60_000 });
      const vixOf = op.evaluations$.pipe(map((e) => e.conditions.find((c) => c.metric === 'vix')?.value));
      expectObservable(vixOf).toBe(evaluated, { b: 22, c: 23 });
    });
  });

  it('emits the state, transitions and explained evaluations over virtual days', () => {
    newScheduler().run(({ cold, expectObservable }) => {
      // Stress arrives hourly from just before day 5; BALANCED needs 5 days, then two confirming cycles.
      const t0 = 5 * DAY - MINUTE;
      const metrics$ = cold(at(every(t0, HOUR, 'sss'), t0 + 3 * HOUR), { s: STRESS });
      const op = operatingState$({ metrics$, safety$: cold('|') });
      const end = t0 + 3 * HOUR;
      expectObservable(op.state$).toBe(at([[0, 'B'], [5 * DAY + HOUR, 'D']], end), { B: 'BALANCED', D: 'DEFENSIVE' });
      expectObservable(op.evaluations$.pipe(map((e) => `${e.state} ${e.gate}:${e.confirmations}`))).toBe(
        at(every(5 * DAY, HOUR, 'xyz'), end),
        { x: 'BALANCED CONFIRMING:1', y: 'BALANCED null:2', z: 'DEFENSIVE null:0' },
      );
      expectObservable(op.transitions$.pipe(map((t) => `${t.cause} ${t.reason}`))).toBe(at([[5 * DAY + HOUR, 't']], end), {
        t: 'RULE BALANCED_TO_DEFENSIVE: vix 31.2 > 30',
      });
    });
  });

  it('applies safety at once: FAIL → DEFENSIVE cancels the override; LOCKDOWN halts', () => {
    newScheduler().run(({ cold, hot, expectObservable }) => {
      const safety$ = hot<SafetyState>(at(every(12, 11, 'fnln')), { f: 'FAIL', n: 'NORMAL', l: 'LOCKDOWN' });
      const overrides$ = hot<ManualOverride>('-o', { o: override('AGGRESSIVE', 1, 1, 'BALANCED') });
      const op = operatingState$({ metrics$: cold('-'), safety$, overrides$ });
      const until = `^ ${2 * DAY}ms !`;
      expectObservable(op.state$, until).toBe('BA 10ms D', { B: 'BALANCED', A: 'AGGRESSIVE', D: 'DEFENSIVE' });
      expectObservable(op.snapshot$.pipe(map((s) => s.tradingHalted)), until).toBe(at([[0, 'a'], [1, 'b'], ...every(12, 11, 'cdef')]), {
        a: false,
        b: false,
        c: false,
        d: false,
        e: true,
        f: false,
      });
      expectObservable(op.transitions$.pipe(map((t) => t.cause)), until).toBe('-o 10ms s', { o: 'OVERRIDE', s: 'SAFETY' });
    });
  });

  it('reverts an override by a scheduler timer at its expiry, then completes', () => {
    newScheduler().run(({ cold, expectObservable }) => {
      const overrides$ = cold<ManualOverride>('o|', { o: override('DEFENSIVE', 0, 2, 'BALANCED') });
      const op = operatingState$({ metrics$: cold('|'), safety$: cold('|'), overrides$ });
      expectObservable(op.state$).toBe(`(BD) ${2 * DAY - 4}ms (B|)`, { B: 'BALANCED', D: 'DEFENSIVE' });
      expectObservable(op.transitions$.pipe(map((t) => `${t.cause}@${t.at / DAY}d`))).toBe(`o ${2 * DAY - 1}ms (e|)`, {
        o: 'OVERRIDE@0d',
        e: 'EXPIRY@2d',
      });
    });
  });

  it('sends invalid input to errors$ and keeps the state stream running', () => {
    newScheduler().run(({ hot, expectObservable }) => {
      const metrics$ = hot<TransitionMetrics>(at([[0, 'a'], [HOUR - MINUTE, 'b'], [2 * HOUR - MINUTE, 'c']]), {
        a: m({ vix: -1 }),
        b: CALM,
        c: m({ winRate30d: 2 }),
      });
      const safety$ = hot<SafetyState>('-x', { x: 'PANIC' as SafetyState });
      const overrides$ = hot<ManualOverride>('--o', { o: override('AGGRESSIVE', 0, 8) });
      const op = operatingState$({ metrics$, safety$, overrides$ });
      expectObservable(
        op.errors$.pipe(map((e) => `${e.constructor.name} ${e.message}`)),
        `^ ${3 * HOUR}ms !`,
      ).toBe(at([[0, 'a'], [1, 'b'], [2, 'c'], [2 * HOUR - MINUTE, 'd']]), {
        a: `${MetricsError.name} metrics.vix: expected a number ≥ 0, got -1`,
        b: `${SafetyStateError.name} safety: expected one of NORMAL, WARNING, FAIL, LOCKDOWN, got "PANIC"`,
        c: `${OverrideError.name} override.expiryTime: expected at most 7 days after overrideTime, got 8 days`,
        d: `${MetricsError.name} metrics.winRate30d: expected a fraction in [0, 1], got 2`,
      });
      expectObservable(op.state$, `^ ${3 * HOUR}ms !`).toBe('B', { B: 'BALANCED' });
      expectObservable(op.evaluations$.pipe(map((e) => e.proposed)), `^ ${3 * HOUR}ms !`).toBe(at([[HOUR, 'n']]), { n: null });
    });
  });

  it('an input stream error goes to errors$; the other inputs keep driving the state', () => {
    newScheduler().run(({ cold, expectObservable }) => {
      const metrics$ = cold<TransitionMetrics>('#', undefined, new Error('feed down'));
      const safety$ = cold<SafetyState>('10m f', { f: 'FAIL' });
      const op = operatingState$({ metrics$, safety$ });
      expectObservable(op.errors$.pipe(map((e) => e.message)), `^ ${HOUR}ms !`).toBe('e', { e: 'feed down' });
      expectObservable(op.state$, `^ ${HOUR}ms !`).toBe(at([[0, 'B'], [10 * MINUTE, 'D']]), { B: 'BALANCED', D: 'DEFENSIVE' });
    });
  });

  it('late subscribers to state$ get the current state (BehaviorSubject-backed)', () => {
    newScheduler().run(({ cold, hot, expectObservable }) => {
      const safety$ = hot<SafetyState>('-f', { f: 'FAIL' });
      const op = operatingState$({ metrics$: cold('-'), safety$ });
      expectObservable(op.state$, `^ ${HOUR}ms !`).toBe('BD', { B: 'BALANCED', D: 'DEFENSIVE' });
      expectObservable(op.state$, `---^ ${HOUR}ms !`).toBe('---D', { D: 'DEFENSIVE' });
    });
  });
});
