import { describe, expect, it } from 'vitest';
import { NEVER, Subject, of, throwError } from 'rxjs';
import { isAsyncResult, settleOnce, type AsyncResult, type SettleListener } from '../../src/event/settle.js';

/** A listener that logs every call with its context. */
function recorder(log: string[]): SettleListener<string> {
  return {
    done: (context) => log.push(`${context} done`),
    failed: (context, error) => log.push(`${context} failed: ${String(error)}`),
  };
}

/** A thenable whose `then` hands its callbacks to `body`, called during `then`. */
function thenable(body: (resolve: (value?: unknown) => void, reject: (error: unknown) => void) => void): PromiseLike<unknown> {
  return { then: ((resolve: () => void, reject: (error: unknown) => void) => body(resolve, reject)) as PromiseLike<unknown>['then'] };
}

/** A thenable that keeps its callbacks for the test to call later. */
function deferredThenable(): { result: PromiseLike<unknown>; resolve: () => void; reject: (error: unknown) => void } {
  let onResolve: () => void = () => undefined;
  let onReject: (error: unknown) => void = () => undefined;
  const result = thenable((resolve, reject) => {
    onResolve = () => resolve();
    onReject = reject;
  });
  return { result, resolve: () => onResolve(), reject: (error) => onReject(error) };
}

describe('isAsyncResult', () => {
  it('is false for a synchronous return: nothing, a plain value, an object without a callable then', () => {
    for (const value of [undefined, null, 0, 'text', true, {}, [], { then: 1 }]) expect(isAsyncResult(value)).toBe(false);
  });

  it('is true for a thenable, a Promise, a callable with a then method, and an Observable', () => {
    const callable = Object.assign(() => undefined, { then: () => undefined });
    for (const value of [thenable(() => undefined), Promise.resolve(), callable, of(1)]) expect(isAsyncResult(value)).toBe(true);
  });

  it('is true for a value whose then getter throws, so the failure is reported rather than taken as done', () => {
    const hostile = Object.defineProperty({}, 'then', {
      get() {
        throw new Error('no then');
      },
    });
    expect(isAsyncResult(hostile)).toBe(true);
  });
});

describe('settleOnce', () => {
  it('settles as done during the call when the thenable resolves synchronously', () => {
    const log: string[] = [];
    const subscription = settleOnce(
      thenable((resolve) => resolve()),
      recorder(log),
      'a',
    );
    expect(log).toEqual(['a done']);
    expect(subscription).toBeNull();
  });

  it('settles as done later when the thenable resolves later, and not before', () => {
    const log: string[] = [];
    const deferred = deferredThenable();
    settleOnce(deferred.result, recorder(log), 'a');
    expect(log).toEqual([]);
    deferred.resolve();
    expect(log).toEqual(['a done']);
  });

  it('settles as failed with the reason when the thenable rejects', () => {
    const log: string[] = [];
    const deferred = deferredThenable();
    settleOnce(deferred.result, recorder(log), 'a');
    deferred.reject('boom');
    expect(log).toEqual(['a failed: boom']);
  });

  it('settles as failed during the call when then throws synchronously', () => {
    const log: string[] = [];
    settleOnce(
      thenable(() => {
        throw 'then threw';
      }),
      recorder(log),
      'a',
    );
    expect(log).toEqual(['a failed: then threw']);
  });

  it('settles as failed when the then getter throws', () => {
    const log: string[] = [];
    const hostile = Object.defineProperty({}, 'then', {
      get() {
        throw 'getter threw';
      },
    }) as PromiseLike<unknown>;
    settleOnce(hostile, recorder(log), 'a');
    expect(log).toEqual(['a failed: getter threw']);
  });

  it('settles once when the thenable calls both callbacks, keeping the first outcome', () => {
    const log: string[] = [];
    settleOnce(
      thenable((resolve, reject) => {
        resolve();
        reject('late');
      }),
      recorder(log),
      'resolved first',
    );
    settleOnce(
      thenable((resolve, reject) => {
        reject('early');
        resolve();
      }),
      recorder(log),
      'rejected first',
    );
    expect(log).toEqual(['resolved first done', 'rejected first failed: early']);
  });

  it('settles once when the thenable calls a callback twice, now and later', () => {
    const log: string[] = [];
    let again: () => void = () => undefined;
    settleOnce(
      thenable((resolve) => {
        resolve();
        again = () => resolve();
      }),
      recorder(log),
      'a',
    );
    again();
    expect(log).toEqual(['a done']);
  });

  it('settles once as done when then throws after resolving', () => {
    const log: string[] = [];
    settleOnce(
      thenable((resolve) => {
        resolve();
        throw 'after';
      }),
      recorder(log),
      'a',
    );
    expect(log).toEqual(['a done']);
  });

  it('waits for a real Promise through its own then', async () => {
    const log: string[] = [];
    const settled = Promise.reject(new Error('rejected'));
    settleOnce(settled, recorder(log), 'a');
    expect(log).toEqual([]);
    await settled.catch(() => undefined);
    expect(log).toEqual(['a failed: Error: rejected']);
  });

  it('passes each result its own context, so one listener serves many results', () => {
    const log: string[] = [];
    const listener = recorder(log);
    const first = deferredThenable();
    const second = deferredThenable();
    settleOnce(first.result, listener, 'first');
    settleOnce(second.result, listener, 'second');
    second.resolve();
    first.reject('x');
    expect(log).toEqual(['second done', 'first failed: x']);
  });

  describe('with an Observable result', () => {
    it('settles as done on completion, ignoring its values, and returns no subscription when it completed during the call', () => {
      const log: string[] = [];
      expect(settleOnce(of(1, 2, 3), recorder(log), 'a')).toBeNull();
      expect(log).toEqual(['a done']);
    });

    it('settles as failed with its error', () => {
      const log: string[] = [];
      expect(settleOnce(throwError(() => 'bad'), recorder(log), 'a')).toBeNull();
      expect(log).toEqual(['a failed: bad']);
    });

    it('returns the running subscription; unsubscribing it gives the result up without settling', () => {
      const log: string[] = [];
      const source = new Subject<number>();
      const subscription = settleOnce(source, recorder(log), 'a');
      expect(subscription).not.toBeNull();
      expect(source.observed).toBe(true);
      subscription!.unsubscribe();
      expect(source.observed).toBe(false);
      source.complete();
      expect(log).toEqual([]);
    });

    it('settles once when the Observable completes after the subscription is returned', () => {
      const log: string[] = [];
      const source = new Subject<number>();
      const subscription = settleOnce(source, recorder(log), 'a');
      source.next(1);
      expect(log).toEqual([]);
      source.complete();
      expect(log).toEqual(['a done']);
      expect(subscription!.closed).toBe(true);
    });

    it('never settles a result that never ends', () => {
      const log: string[] = [];
      const subscription = settleOnce(NEVER as AsyncResult, recorder(log), 'a');
      expect(subscription).not.toBeNull();
      expect(log).toEqual([]);
      subscription!.unsubscribe();
    });
  });
});
