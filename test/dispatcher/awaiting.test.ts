import { describe, expect, it } from 'vitest';
import { EventDroppedError, HandlerFailedError, HandlingWaiters, type HandlingOutcome } from '../../src/event/awaiting.js';
import type { DropRecord } from '../../src/event/buffer/types.js';
import type { FailureRecord } from '../../src/event/dispatcher/index.js';
import { ev } from '../support/events.js';

/** Outcome callbacks that record what happened to `id`. */
function outcome(log: string[], id: string): HandlingOutcome {
  return {
    handled: () => log.push(`${id} handled`),
    failed: (error) => log.push(`${id} ${error.name}: ${error.message}`),
  };
}

const failure = (batch: FailureRecord['batch'], error: unknown): FailureRecord => ({ priority: 2, batch, error, at: 5 });

describe('HandlingWaiters', () => {
  it('awaits each event object once', () => {
    const waiters = new HandlingWaiters();
    const a = ev('a');
    expect(waiters.add(a, outcome([], 'a'))).toBe(true);
    expect(waiters.add(a, outcome([], 'a'))).toBe(false);
    expect(waiters.add(ev('a'), outcome([], 'a again'))).toBe(true); // another object with the same id
    expect(waiters.size).toBe(2);
  });

  it('settles the awaited events of a handled batch, once, and leaves the others waiting', () => {
    const log: string[] = [];
    const waiters = new HandlingWaiters();
    const [a, b, c] = [ev('a'), ev('b'), ev('c')];
    waiters.add(a, outcome(log, 'a'));
    waiters.add(c, outcome(log, 'c'));
    waiters.batchHandled([a, b]);
    waiters.batchHandled([a]);
    expect(log).toEqual(['a handled']);
    expect(waiters.size).toBe(1);
    waiters.batchHandled([b, c]);
    expect(log).toEqual(['a handled', 'c handled']);
    expect(waiters.size).toBe(0);
  });

  it('fails every awaited event of a failed batch with one error naming the handler failure', () => {
    const errors: unknown[] = [];
    const waiters = new HandlingWaiters();
    const [a, b, c] = [ev('a'), ev('b'), ev('c')];
    for (const e of [a, c]) waiters.add(e, { handled: () => errors.push('handled'), failed: (error) => errors.push(error) });
    const boom = new Error('venue down');
    const record = failure([a, b, c], boom);
    waiters.batchFailed(record);
    expect(errors).toHaveLength(2);
    expect(errors[0]).toBe(errors[1]);
    const error = errors[0] as HandlerFailedError;
    expect(error).toBeInstanceOf(HandlerFailedError);
    expect([error.name, error.failure, error.cause]).toEqual(['HandlerFailedError', record, boom]);
    expect(error.message).toBe('handling of the event: expected every handler of its P2 batch to succeed, got a failure: venue down');
    expect(waiters.size).toBe(0);
    waiters.batchFailed(record);
    expect(errors).toHaveLength(2);
  });

  it('describes a thrown value that is not an Error as a reader would write it', () => {
    const message = (thrown: unknown): string => new HandlerFailedError(failure([], thrown)).message.replace(/^.*got a failure: /, '');
    const circular: Record<string, unknown> = {};
    circular['self'] = circular;
    expect([message('timeout'), message({ code: 7 }), message(undefined), message(circular), message(3n)]).toEqual(['"timeout"', '{"code":7}', 'undefined', '[object Object]', '3']);
  });

  it('fails an awaited event that was dropped, naming the event, the lane and the reason', () => {
    const log: string[] = [];
    const waiters = new HandlingWaiters();
    const a = { ...ev('a'), eventType: 'PRICE_TICK' as const };
    waiters.add(a, outcome(log, 'a'));
    const drop: DropRecord = { event: a, reason: 'evicted', priority: 1, at: 9 };
    waiters.dropped({ event: ev('other'), reason: 'evicted', priority: 1, at: 9 });
    expect(log).toEqual([]);
    waiters.dropped(drop);
    waiters.dropped(drop);
    expect(log).toEqual(['a EventDroppedError: handling of event a (PRICE_TICK): expected delivery to its handlers, got dropped from P1 (evicted)']);
    expect(waiters.size).toBe(0);
    expect(new EventDroppedError(drop).drop).toBe(drop);
  });
});
