// The operating state over days of virtual time: one run of TestScheduler covers a week in milliseconds.
import { map } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import { operatingState$, type SafetyState, type TransitionMetrics } from 'qts-reactive';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const calm: TransitionMetrics = {
  drawdownPct: 0.02,
  vix: 18,
  consecutiveScalpLosses: 0,
  dailyLossPct: 0,
  marketCircuitBreaker: false,
  consecutiveProfitableDays: 4,
  cagr: 0.05,
  targetCagr: 0.08,
  capitalGrowthPct: 0.05,
  winRate30d: 0.5,
};
const stressed: TransitionMetrics = { ...calm, vix: 31.2, consecutiveProfitableDays: 0 };

describe('operatingState$ under TestScheduler.run', () => {
  it('goes DEFENSIVE on the second stressed cycle of day 5, once BALANCED has lasted its 5 days', () => {
    const testScheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
    testScheduler.run(({ cold, hot, expectObservable }) => {
      // Stressed metrics just before two hourly cycles of day 5 (time marbles count virtual ms).
      const metrics$ = cold<TransitionMetrics>(`${5 * DAY - 1}ms s ${HOUR - 1}ms s`, { s: stressed });
      const safety$ = hot<SafetyState>('n', { n: 'NORMAL' });
      const op = operatingState$({ metrics$, safety$ }, {}, testScheduler);
      // The subscription marble ends the run on day 6: safety$ never completes, so without it
      // the outputs would stay subscribed (and their timers armed) for ever.
      const until = `^ ${6 * DAY}ms !`;
      expectObservable(op.state$, until).toBe(`b ${5 * DAY + HOUR - 1}ms d`, { b: 'BALANCED', d: 'DEFENSIVE' });
      expectObservable(op.transitions$.pipe(map((t) => t.reason)), until).toBe(`${5 * DAY + HOUR}ms r`, {
        r: 'BALANCED_TO_DEFENSIVE: vix 31.2 > 30',
      });
    });
  });
});
