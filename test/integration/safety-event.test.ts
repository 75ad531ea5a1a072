import { describe, it, expect } from 'vitest';
import { Subject } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { type DegradationLevel, type EventType } from '../../src/event/contracts.js';
import { createEvent } from '../../src/event/createEvent.js';
import { EventDispatcher, type IngestError } from '../../src/event/dispatcher/index.js';
import { SAFETY_TO_DEGRADATION } from '../../src/event/contracts.js';
import { SafetyStateError, type SafetyState } from '../../src/safety/state.js';

function setup() {
  const scheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
  const safety$ = new Subject<SafetyState>();
  const one = { batchSize: 1, batchTimeoutMs: 0 };
  const d = new EventDispatcher({ queues: { p1: one, p2: one, p3: one } }, { scheduler, safety$ });
  const handled = [0, 0, 0, 0];
  for (const p of [0, 1, 2, 3] as const) d.registerHandler(p, (batch) => void (handled[p]! += batch.length));
  const types: EventType[] = ['FILL_CONFIRMED', 'PRICE_TICK', 'STRATEGY_EVALUATE', 'LOG_WRITE'];
  const dispatchAll = (): void => {
    for (const type of types) void d.dispatch(createEvent(type, {}, scheduler));
  };
  return { scheduler, safety$, d, handled, dispatchAll };
}

describe('safety → degradation', () => {
  const expectations: [SafetyState, DegradationLevel, number[]][] = [
    ['NORMAL', 'NORMAL', [1, 1, 1, 1]],
    ['WARNING', 'P3_PAUSED', [1, 1, 1, 0]],
    ['FAIL', 'P2_P3_PAUSED', [1, 1, 0, 0]],
    ['LOCKDOWN', 'CRITICAL_ONLY', [1, 0, 0, 0]],
  ];
  for (const [safety, level, handledPerLane] of expectations) {
    it(`${safety} maps to ${level} and drains only the lanes it leaves running`, async () => {
      const { scheduler, safety$, d, handled, dispatchAll } = setup();
      await d.start();
      safety$.next(safety);
      expect(SAFETY_TO_DEGRADATION[safety]).toBe(level);
      expect(d.degradationLevel).toBe(level);
      dispatchAll();
      scheduler.flush();
      expect(handled).toEqual(handledPerLane);
      safety$.next('NORMAL');
      scheduler.flush();
      expect(handled).toEqual([1, 1, 1, 1]); // paused lanes resume with nothing lost
    });
  }

  it('applies the most severe of the manual and the safety level', async () => {
    const { safety$, d } = setup();
    const levels: DegradationLevel[] = [];
    d.degradation$.subscribe((l) => levels.push(l));
    await d.start();
    d.setDegradationLevel('P2_P3_PAUSED');
    safety$.next('WARNING'); // milder than manual: manual wins
    expect(d.degradationLevel).toBe('P2_P3_PAUSED');
    safety$.next('LOCKDOWN'); // more severe: safety wins
    expect(d.degradationLevel).toBe('CRITICAL_ONLY');
    d.setDegradationLevel('NORMAL'); // lifting the manual level leaves the safety level in force
    expect(d.degradationLevel).toBe('CRITICAL_ONLY');
    safety$.next('NORMAL');
    expect(d.degradationLevel).toBe('NORMAL');
    expect(levels).toEqual(['NORMAL', 'P2_P3_PAUSED', 'CRITICAL_ONLY', 'NORMAL']);
  });

  it('reports a value that is not a safety state and keeps the last valid level', async () => {
    const { safety$, d } = setup();
    const errors: IngestError[] = [];
    d.ingestErrors$.subscribe((e) => errors.push(e));
    await d.start();
    safety$.next('FAIL');
    safety$.next('MELTDOWN' as SafetyState);
    expect(d.degradationLevel).toBe('P2_P3_PAUSED');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ source: 'safety', value: 'MELTDOWN' });
    expect(errors[0]!.error).toBeInstanceOf(SafetyStateError);
    expect((errors[0]!.error as Error).message).toBe('safety: expected one of NORMAL, WARNING, FAIL, LOCKDOWN, got "MELTDOWN"');
    safety$.next('NORMAL'); // the feed keeps working after a bad value
    expect(d.degradationLevel).toBe('NORMAL');
  });

  // Regression: an erroring safety$ had no error handler, so RxJS rethrew it asynchronously
  // (an uncaught exception that would take the process down).
  it('reports an erroring safety$ and holds the last level, draining what that level allows', async () => {
    const { safety$, d, handled, dispatchAll, scheduler } = setup();
    const errors: IngestError[] = [];
    d.ingestErrors$.subscribe((e) => errors.push(e));
    await d.start();
    safety$.next('WARNING');
    safety$.error(new Error('safety feed lost'));
    expect(errors).toMatchObject([{ source: 'safety', value: undefined }]);
    expect((errors[0]!.error as Error).message).toBe('safety feed lost');
    expect(d.degradationLevel).toBe('P3_PAUSED');
    dispatchAll();
    scheduler.flush();
    expect(handled).toEqual([1, 1, 1, 0]);
  });
});
