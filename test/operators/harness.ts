import { readFileSync } from 'node:fs';
import type { MonoTypeOperatorFunction, Observable } from 'rxjs';
import { Subject, identity, mergeMap } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import { LaneConfigError, setInstrumentation, type DropRecord, type Event, type SinkFailure } from '../../src/index.js';
import { ev } from '../support/events.js';

/** A TestScheduler asserting with vitest's deep equality. */
export function testScheduler(): TestScheduler {
  return new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
}

/** Marble values a–z, each a distinct droppable, non-collapsible test event named by its letter. */
export const letters: Record<string, Event> = Object.fromEntries([...'abcdefghijklmnopqrstuvwxyz'].map((c) => [c, ev(c)]));

/** `{ source, ready, out }` from a diagram whose lines read `name: marble` (anything after the marble is ignored). */
export function parseDiagram(diagram: string): Record<string, string> {
  const lines: Record<string, string> = {};
  for (const line of diagram.split('\n')) {
    const match = /^\s*(\w+)\s*:\s*(\S+)/.exec(line);
    if (match) lines[match[1]!] = match[2]!;
  }
  return lines;
}

/** Asserts the diagram appears verbatim in the operator's doc comment and in its docs page. */
export function expectDocumented(diagram: string, operator: string): void {
  const body = diagram.trim();
  const source = readFileSync(new URL(`../../src/operators/${operator}.ts`, import.meta.url), 'utf8').replace(/^ \* ?/gm, '');
  const page = readFileSync(new URL(`../../docs/operators/${operator}.md`, import.meta.url), 'utf8');
  expect(source).toContain(body);
  expect(page).toContain(body);
}

/** The options every buffering operator takes, as the standard cases set them. */
export interface OperatorTestOptions<T> {
  capacity: number;
  ready: Observable<unknown>;
  onDrop?: (record: DropRecord<T>) => void;
  onError?: (error: unknown, failure: SinkFailure<T>) => void;
  name?: string;
}

/** Builds the operator under test from its options (the operator itself, or a wrapper fixing its own extra options). */
export type MakeOperator<T = Event> = (options: OperatorTestOptions<T>) => MonoTypeOperatorFunction<T>;

/** What an operator's policy does in the two standard cases whose outcome depends on it. */
export interface PolicyOutcomes {
  /** `a` then `b` into capacity 1, one demand, then unsubscription: the values emitted and the drops, as `id:reason`. */
  overflowOfOne: { out: string[]; drops: string[] };
  /** The source completes while the buffer (of `capacity`) is full, and demand comes later: the marbles. */
  drainWhileFull: { capacity: number; source: string; ready: string; out: string };
}

/** Asserts that `create(name)` passes its output through the instrumentation hook under `name`, and only when named. */
export function expectInstrumentedByName(create: (name?: string) => unknown): void {
  const names: string[] = [];
  const restore = setInstrumentation((name) => {
    names.push(name);
    return (source) => source;
  });
  try {
    create('p1-lane');
    create();
  } finally {
    restore();
  }
  expect(names).toEqual(['p1-lane']);
}

/** A user's own value type, as the generic operators take it: no event fields at all. */
export interface Quote {
  readonly symbol: string;
  readonly price: number;
}

/** Marble values a–z as plain quotes (`symbol` is the letter), for the generic form of every operator. */
export const quotes: Record<string, Quote> = Object.fromEntries([...'abcdefghijklmnopqrstuvwxyz'].map((c, i) => [c, { symbol: c, price: 100 + i }]));

/** Marble values a–z as plain numbers (a = 1, b = 2, …). */
export const numbers: Record<string, number> = Object.fromEntries([...'abcdefghijklmnopqrstuvwxyz'].map((c, i) => [c, i + 1]));

const eventIdOf = (value: unknown): string => (value as Event).eventId;

/**
 * The cases every buffering operator shares (as RxJS's specs have for every operator): empty,
 * never, error, unsubscription chain, completion and error with buffered events, banked demand,
 * bad options, the instrumentation name, a throwing `onDrop`, draining after completion while full.
 * `values` are the marble values (the library's events by default; plain values for the generic
 * form) and `idOf` names one in assertions. Only the last two overflow the buffer; their outcome
 * depends on the policy and is given in `outcomes`. The others use capacity 4 and never overflow,
 * so every policy gives the same output.
 */
export function standardCases<T = Event>(
  make: MakeOperator<T>,
  outcomes: PolicyOutcomes,
  values: Record<string, T> = letters as Record<string, T>,
  idOf: (value: T) => string = eventIdOf,
): void {
  const withDrops = (ready: Observable<unknown>, drops: DropRecord<T>[]): MonoTypeOperatorFunction<T> =>
    make({ capacity: 4, ready, onDrop: (d) => drops.push(d) });
  describe('standard cases', () => {
    it('completes at once on an empty source', () => {
      testScheduler().run(({ cold, expectObservable }) => {
        expectObservable(cold<T>('|').pipe(withDrops(cold('-r'), []))).toBe('|');
      });
    });

    it('stays silent on a never source, whatever the demand', () => {
      testScheduler().run(({ cold, expectObservable }) => {
        expectObservable(cold<T>('-').pipe(withDrops(cold('rrr-r'), []))).toBe('-');
      });
    });

    it('emits nothing without demand, even with events buffered', () => {
      testScheduler().run(({ cold, expectObservable }) => {
        expectObservable(cold('-a-b-', values).pipe(withDrops(cold('-'), []))).toBe('-----');
      });
    });

    it('errors at once when the buffer is empty', () => {
      testScheduler().run(({ cold, expectObservable }) => {
        expectObservable(cold('--#', values, 'boom').pipe(withDrops(cold('r'), []))).toBe('--#', undefined, 'boom');
      });
    });

    it('delivers buffered events on demand before the source error', () => {
      testScheduler().run(({ cold, expectObservable }) => {
        const source = cold('-a-b-#', values, 'boom');
        const ready = cold('--------r-r', {});
        expectObservable(source.pipe(withDrops(ready, []))).toBe('--------a-(b#)', values, 'boom');
      });
    });

    it('errors when ready errors', () => {
      testScheduler().run(({ cold, expectObservable }) => {
        expectObservable(cold('-a-b-', values).pipe(withDrops(cold('--r-#', {}, 'ready failed'), []))).toBe('--a-#', values, 'ready failed');
      });
    });

    // Regression: when ready completed with events buffered, no demand could ever come again and
    // the output never terminated (a source completion or error waiting behind the buffer was
    // never delivered). Now the remainder is reported as 'shutdown' and the output ends.
    it('completes when ready completes and no banked demand is left, reporting what is buffered', () => {
      const drops: DropRecord<T>[] = [];
      testScheduler().run(({ hot, cold, expectObservable, expectSubscriptions }) => {
        const source = hot('-a-b-c-', values);
        expectObservable(source.pipe(withDrops(cold('--r-|'), drops))).toBe('--a-|', values);
        expectSubscriptions(source.subscriptions).toBe('^---!');
      });
      expect(drops.map((d) => `${idOf(d.event)}:${d.reason}@${d.at}`)).toEqual(['b:shutdown@4']);
    });

    it('still serves demand banked before ready completed, then completes', () => {
      testScheduler().run(({ hot, cold, expectObservable, expectSubscriptions }) => {
        const source = hot('---a--b--c-', values);
        expectObservable(source.pipe(withDrops(cold('rr|'), []))).toBe('---a--(b|)', values);
        expectSubscriptions(source.subscriptions).toBe('^-----!');
      });
    });

    it('delivers a source error waiting behind the buffer when ready completes', () => {
      const drops: DropRecord<T>[] = [];
      testScheduler().run(({ cold, expectObservable }) => {
        const source = cold('-a-b-#', values, 'boom');
        expectObservable(source.pipe(withDrops(cold('--r---|'), drops))).toBe('--a---#', values, 'boom');
      });
      expect(drops.map((d) => `${idOf(d.event)}:${d.reason}@${d.at}`)).toEqual(['b:shutdown@6']);
    });

    it('delivers buffered events on demand before completion', () => {
      testScheduler().run(({ cold, expectObservable }) => {
        const source = cold('-a-b-c|', values);
        expectObservable(source.pipe(withDrops(cold('---------r-r-r'), []))).toBe('---------a-b-(c|)', values);
      });
    });

    it('banks demand that arrives while empty (request(n))', () => {
      testScheduler().run(({ cold, expectObservable }) => {
        const source = cold('---a-b-c|', values);
        const ready = cold('rr--------r');
        expectObservable(source.pipe(withDrops(ready, []))).toBe('---a-b----(c|)', values);
      });
    });

    it('serves demand given synchronously from inside the consumer', () => {
      const ready = new Subject<void>();
      const source = new Subject<T>();
      const seen: string[] = [];
      source.pipe(withDrops(ready, [])).subscribe({
        next: (event) => {
          seen.push(idOf(event));
          ready.next();
        },
        complete: () => seen.push('|'),
      });
      for (const id of 'abc') source.next(values[id]!);
      expect(seen).toEqual([]);
      ready.next();
      expect(seen).toEqual(['a', 'b', 'c']);
      source.next(values.d!);
      source.complete();
      expect(seen).toEqual(['a', 'b', 'c', 'd', '|']);
    });

    it('unsubscribes the source and ready when unsubscribed, reporting what was buffered', () => {
      const drops: DropRecord<T>[] = [];
      testScheduler().run(({ hot, expectObservable, expectSubscriptions }) => {
        const source = hot('-a-b-c-d-', values);
        const ready = hot('---r-----');
        expectObservable(source.pipe(withDrops(ready, drops)), '^-----!').toBe('---a--', values);
        expectSubscriptions(source.subscriptions).toBe('^-----!');
        expectSubscriptions(ready.subscriptions).toBe('^-----!');
      });
      expect(drops.map((d) => `${idOf(d.event)}:${d.reason}@${d.at}`)).toEqual(['b:shutdown@6', 'c:shutdown@6']);
    });

    it('does not break unsubscription chains when the result is unsubscribed explicitly', () => {
      testScheduler().run(({ hot, expectObservable, expectSubscriptions }) => {
        const source = hot('-a-b-c-d-', values);
        const ready = hot('-r-r-r-r-');
        const result = source.pipe(
          mergeMap((x) => [x]),
          withDrops(ready, []),
          mergeMap((x) => [x]),
        );
        expectObservable(result, '^----!').toBe('-a-b-', values);
        expectSubscriptions(source.subscriptions).toBe('^----!');
        expectSubscriptions(ready.subscriptions).toBe('^----!');
      });
    });

    it('leaves no scheduled action behind after teardown', () => {
      const scheduler = testScheduler();
      scheduler.run(({ hot, expectObservable }) => {
        expectObservable(hot('-a-b-c-d-', values).pipe(withDrops(hot('--r--r--'), []), identity), '^---!').toBe('--a-', values);
      });
      expect(scheduler.actions).toHaveLength(0);
    });

    it('rejects bad options with a typed error', () => {
      expect(() => make({ capacity: 0, ready: new Subject() })).toThrow(new LaneConfigError('capacity', 'a positive integer', 0));
      expect(() => make({ capacity: 2, ready: 'r' as never })).toThrow(/^ready: expected an Observable/);
    });

    it('passes its output through the instrumentation hook under its name', () => {
      expectInstrumentedByName((name) => make({ capacity: 1, ready: new Subject(), ...(name === undefined ? {} : { name }) }));
    });

    it('an onDrop that throws is isolated and reported, and the stream carries on as without it', () => {
      const overflowOfOne = (onDrop: (record: DropRecord<T>) => void, onError?: OperatorTestOptions<T>['onError']): string[] => {
        const ready = new Subject<void>();
        const source = new Subject<T>();
        const seen: string[] = [];
        const subscription = source.pipe(make({ capacity: 1, ready, onDrop, ...(onError === undefined ? {} : { onError }) })).subscribe((value) => seen.push(idOf(value)));
        source.next(values.a!);
        source.next(values.b!);
        ready.next();
        subscription.unsubscribe();
        return seen;
      };
      expect(outcomes.overflowOfOne.drops.length).toBeGreaterThan(0); // else a throwing onDrop would go unexercised
      const drops: DropRecord<T>[] = [];
      expect(overflowOfOne((d) => drops.push(d))).toEqual(outcomes.overflowOfOne.out);
      expect(drops.map((d) => `${idOf(d.event)}:${d.reason}`)).toEqual(outcomes.overflowOfOne.drops);
      const failures: string[] = [];
      const seen = overflowOfOne(
        () => {
          throw new Error('sink down');
        },
        (_error, failure) => failures.push(`${failure.sink}:${idOf(failure.event)}`),
      );
      expect([seen, failures]).toEqual([outcomes.overflowOfOne.out, outcomes.overflowOfOne.drops.map((d) => `onDrop:${d.slice(0, d.indexOf(':'))}`)]);
    });

    it('completes after draining when the source completes while full and demand comes later', () => {
      const { capacity, source, ready, out } = outcomes.drainWhileFull;
      testScheduler().run(({ cold, expectObservable }) => {
        expectObservable(cold(source, values).pipe(make({ capacity, ready: cold(ready) }))).toBe(out, values);
      });
    });
  });
}
