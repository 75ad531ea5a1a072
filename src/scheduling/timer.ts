/**
 * Timers on an injected scheduler that honour any duration. Node clamps a timer delay above
 * 2^31 − 1 ms (≈ 24.8 days) to 1 ms, so a long override expiry or stop timeout would fire at once
 * (and an interval would spin). These helpers chain timers of at most that length, re-reading the
 * scheduler's clock at each hop, so the work runs when the full duration has passed — on a real
 * clock and on a virtual one (`TestScheduler`) alike. The core schedules every duration through them.
 */
import { Observable, type SchedulerAction, type SchedulerLike, type Subscription } from 'rxjs';

/** The longest delay a single Node timer honours, in ms (2^31 − 1). */
export const MAX_TIMER_DELAY_MS = 2 ** 31 - 1;

/**
 * Runs `work` once, `delayMs` after now on `scheduler` (negative or NaN delays count as 0).
 * Delays up to {@link MAX_TIMER_DELAY_MS} are one scheduler action; longer ones are chained actions
 * that each wait at most that long. Unsubscribing the result cancels whichever hop is pending.
 *
 * @example
 * ```ts
 * const expiry = scheduleAfter(scheduler, 30 * DAY_MS, () => revert()); // fires after 30 days, not 1 ms
 * expiry.unsubscribe(); // cancels it
 * ```
 */
export function scheduleAfter(scheduler: SchedulerLike, delayMs: number, work: () => void): Subscription {
  // Stryker disable next-line EqualityOperator: a delay of exactly 0 is 0 either way.
  const delay = delayMs > 0 ? delayMs : 0;
  // Stryker disable next-line EqualityOperator: at exactly the limit the chained form is one action of the same length.
  if (delay <= MAX_TIMER_DELAY_MS) return scheduler.schedule(work, delay);
  const due = scheduler.now() + delay;
  return scheduler.schedule(function (this: SchedulerAction<undefined>) {
    const remaining = due - scheduler.now();
    if (remaining > 0) {
      this.schedule(undefined, Math.min(remaining, MAX_TIMER_DELAY_MS));
      return;
    }
    work();
  }, MAX_TIMER_DELAY_MS);
}

/**
 * Like RxJS `interval(periodMs, scheduler)` — emits 0, 1, 2, … every `periodMs` — but each period is
 * scheduled through {@link scheduleAfter}, so a period past 2^31 − 1 ms is honoured instead of
 * turning into a 1 ms spin.
 *
 * @example
 * ```ts
 * intervalOn(scheduler, 100).subscribe((n) => sample(n)); // 0 at 100 ms, 1 at 200 ms, …
 * ```
 */
export function intervalOn(scheduler: SchedulerLike, periodMs: number): Observable<number> {
  return new Observable<number>((subscriber) => {
    let count = 0;
    let pending: Subscription | null = null;
    const tick = (): void => {
      pending = scheduleAfter(scheduler, periodMs, () => {
        subscriber.next(count++);
        if (!subscriber.closed) tick();
      });
    };
    tick();
    // Stryker disable next-line OptionalChaining: the synchronous first tick() has always set it.
    return () => pending?.unsubscribe();
  });
}
