import { TestScheduler } from 'rxjs/testing';
import { defer, EMPTY, NEVER, Subject, type Observable } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { operatingState$, type ManualOverride, type OperatingState, type OperatingStateSnapshot, type SafetyState, type TransitionMetrics } from '../../src/index.js';
import { CALM, DAY, HOUR, STRESS, override } from './fixtures.js';

const newScheduler = () => new TestScheduler((actual, expected) => expect(actual).toEqual(expected));

/**
 * The termination guard: `run` lets a flush go on for ever (a periodic timer would exhaust the
 * heap). Bounding it to `frames` makes such a timer stop there with actions still queued, which
 * the caller asserts against: a failure in milliseconds instead of a hung worker.
 */
function flushGuarded(scheduler: TestScheduler, flush: () => void, frames = 30 * DAY): void {
  scheduler.maxFrames = frames;
  flush();
  expect(scheduler.actions, 'actions still scheduled after the virtual clock ran out: something reschedules for ever').toHaveLength(0);
  expect(scheduler.now()).toBeLessThan(frames);
}

describe('operatingState$: nothing periodic, so a virtual clock with silent inputs ends', () => {
  it('TestScheduler.run with NEVER inputs terminates, the state held', () => {
    const scheduler = newScheduler();
    const seen: OperatingState[] = [];
    scheduler.run(({ flush }) => {
      const op = operatingState$({ metrics$: NEVER, safety$: NEVER, overrides$: NEVER }, { scheduler });
      op.state$.subscribe((s) => seen.push(s));
      flushGuarded(scheduler, flush);
    });
    expect(seen).toEqual(['BALANCED']);
  });

  it('arms a cycle timer only while fresh metrics are pending', () => {
    const scheduler = newScheduler();
    const evaluatedAt: number[] = [];
    scheduler.run(({ flush }) => {
      const metrics$ = new Subject<TransitionMetrics>();
      const op = operatingState$({ metrics$, safety$: NEVER }, { scheduler, config: { cycleMinutes: 60 } });
      op.evaluations$.subscribe((e) => evaluatedAt.push(e.at));
      expect(scheduler.actions).toHaveLength(0);
      scheduler.schedule(() => {
        metrics$.next(CALM);
        metrics$.next(CALM);
        // One timer for the pending metrics, due at the next cycle boundary, however many arrive.
        expect(scheduler.actions.map((a) => a.delay)).toEqual([11 * HOUR]);
      }, 10 * HOUR + 1);
      flushGuarded(scheduler, flush);
    });
    expect(evaluatedAt).toEqual([11 * HOUR]);
  });

  it('arms an expiry timer only while an override is active', () => {
    const scheduler = newScheduler();
    const states: OperatingState[] = [];
    scheduler.run(({ flush }) => {
      const overrides$ = new Subject<ManualOverride>();
      const op = operatingState$({ metrics$: NEVER, safety$: NEVER, overrides$ }, { scheduler });
      op.state$.subscribe((s) => states.push(s));
      scheduler.schedule(() => {
        overrides$.next(override('AGGRESSIVE', scheduler.now(), 2));
        expect(scheduler.actions).toHaveLength(1);
      }, HOUR);
      flushGuarded(scheduler, flush);
      expect(scheduler.now()).toBe(HOUR + 2 * DAY);
    });
    expect(states).toEqual(['BALANCED', 'AGGRESSIVE', 'BALANCED']);
  });
});

describe('operatingState$: the state is a value', () => {
  it('holds its value for late subscribers and after the last unsubscription, resuming from it', () => {
    const scheduler = newScheduler();
    scheduler.run(({ flush }) => {
      const safety$ = new Subject<SafetyState>();
      const op = operatingState$({ metrics$: NEVER, safety$ }, { scheduler });
      expect(op.state$.getValue()).toBe('BALANCED');
      const first = op.state$.subscribe();
      safety$.next('FAIL');
      expect(op.state$.getValue()).toBe('DEFENSIVE');
      const late: OperatingState[] = [];
      op.state$.subscribe((s) => late.push(s)).unsubscribe();
      expect(late).toEqual(['DEFENSIVE']);
      first.unsubscribe();
      // No subscriber left: the inputs rest, the value stays.
      expect(safety$.observed).toBe(false);
      expect(op.state$.getValue()).toBe('DEFENSIVE');
      expect(op.state$.value).toBe('DEFENSIVE');
      const again: OperatingState[] = [];
      op.state$.subscribe((s) => again.push(s));
      expect(again).toEqual(['DEFENSIVE']);
      expect(op.snapshot$).toBeDefined();
      flushGuarded(scheduler, flush);
    });
  });

  it('stop() completes every output and unsubscribes the inputs; the last value stays readable', () => {
    const scheduler = newScheduler();
    scheduler.run(() => {
      const safety$ = new Subject<SafetyState>();
      const op = operatingState$({ metrics$: NEVER, safety$ }, { scheduler });
      const log: string[] = [];
      op.state$.subscribe({ next: (s) => log.push(s), complete: () => log.push('|') });
      op.transitions$.subscribe({ complete: () => log.push('transitions|') });
      safety$.next('FAIL');
      op.stop();
      expect(safety$.observed).toBe(false);
      expect(log).toEqual(['BALANCED', 'DEFENSIVE', '|', 'transitions|']);
      expect(op.state$.getValue()).toBe('DEFENSIVE');
      const after: string[] = [];
      op.state$.subscribe({ next: (s) => after.push(s), complete: () => after.push('|') });
      expect(after).toEqual(['DEFENSIVE', '|']);
    });
  });

  it('takes the options object: config, scheduler, initial and name', () => {
    const scheduler = newScheduler();
    scheduler.run(({ cold, expectObservable }) => {
      const op = operatingState$({ metrics$: NEVER, safety$: NEVER }, { scheduler, config: { default: 'DEFENSIVE' }, name: 'desk' });
      expect(op.state$.getValue()).toBe('DEFENSIVE');
      let snapshot: OperatingStateSnapshot | undefined;
      op.snapshot$.subscribe((value) => (snapshot = value)).unsubscribe();
      const resumed = operatingState$({ metrics$: NEVER, safety$: NEVER }, { scheduler, initial: { ...snapshot!, currentState: 'AGGRESSIVE' } });
      expect(resumed.state$.getValue()).toBe('AGGRESSIVE');
      // The positional form still works.
      const positional = operatingState$({ metrics$: cold<TransitionMetrics>('s|', { s: STRESS }), safety$: NEVER }, { default: 'AGGRESSIVE' }, scheduler);
      expectObservable(positional.state$ as Observable<OperatingState>).toBe('a', { a: 'AGGRESSIVE' });
    });
  });
});

describe('operatingState$: one shared run of the inputs', () => {
  /** `source`, counting its subscriptions. */
  function counted<T>(source: Observable<T>): { stream: Observable<T>; subscriptions: () => number } {
    let subscriptions = 0;
    const stream = defer(() => {
      subscriptions += 1;
      return source;
    });
    return { stream, subscriptions: () => subscriptions };
  }

  it('subscribes the inputs once for every subscriber of every output, and publishes each reduction once', () => {
    const scheduler = newScheduler();
    scheduler.run(() => {
      const safety = new Subject<SafetyState>();
      const input = counted(safety);
      const op = operatingState$({ metrics$: NEVER, safety$: input.stream }, { scheduler });
      const transitions: OperatingState[][] = [[], [], []];
      for (const seen of transitions) op.transitions$.subscribe((t) => seen.push(t.to));
      const telemetry: string[] = [];
      op.telemetry$.subscribe((t) => telemetry.push(t.kind));
      op.state$.subscribe();
      op.errors$.subscribe();
      safety.next('FAIL');
      expect(input.subscriptions()).toBe(1);
      expect(transitions).toEqual([['DEFENSIVE'], ['DEFENSIVE'], ['DEFENSIVE']]);
      expect(telemetry).toEqual(['transitioned']);
    });
  });

  it('after the last unsubscription, the next subscriber subscribes the inputs again and goes on from the state held', () => {
    const scheduler = newScheduler();
    scheduler.run(() => {
      const safety = new Subject<SafetyState>();
      const input = counted(safety);
      const op = operatingState$({ metrics$: NEVER, safety$: input.stream }, { scheduler });
      const first = op.state$.subscribe();
      safety.next('FAIL');
      first.unsubscribe();
      expect(safety.observed).toBe(false);
      const telemetry: string[] = [];
      op.telemetry$.subscribe((t) => telemetry.push(`${t.kind} ${t.state}`));
      expect(input.subscriptions()).toBe(2);
      safety.next('LOCKDOWN');
      expect(telemetry).toEqual(['halted DEFENSIVE']);
    });
  });

  it('once every input has completed, later subscribers get the last state and completion, and the inputs are not subscribed again', () => {
    const scheduler = newScheduler();
    scheduler.run(() => {
      const input = counted<SafetyState>(EMPTY);
      const op = operatingState$({ metrics$: EMPTY, safety$: input.stream }, { scheduler, config: { default: 'DEFENSIVE' } });
      const log: string[] = [];
      op.state$.subscribe({ next: (s) => log.push(s), complete: () => log.push('|') });
      op.transitions$.subscribe({ complete: () => log.push('transitions|') });
      expect(log).toEqual(['DEFENSIVE', '|', 'transitions|']);
      expect(input.subscriptions()).toBe(1);
    });
  });

  it('stop() before any subscription: the outputs complete at once and the inputs are never subscribed', () => {
    const scheduler = newScheduler();
    scheduler.run(() => {
      const input = counted<SafetyState>(NEVER);
      const op = operatingState$({ metrics$: NEVER, safety$: input.stream }, { scheduler });
      op.stop();
      const log: string[] = [];
      op.state$.subscribe({ next: (s) => log.push(s), complete: () => log.push('|') });
      op.errors$.subscribe({ complete: () => log.push('errors|') });
      expect(log).toEqual(['BALANCED', '|', 'errors|']);
      expect(input.subscriptions()).toBe(0);
    });
  });
});
