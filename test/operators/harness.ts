import { readFileSync } from 'node:fs';
import type { MonoTypeOperatorFunction, Observable } from 'rxjs';
import { Subject, identity, mergeMap } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import type { DropRecord, Event } from '../../src/index.js';
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

/** Builds the operator under test around a `ready` notifier, reporting drops into `drops`. */
export type MakeOperator<T = Event> = (ready: Observable<unknown>, drops: DropRecord<T>[], capacity?: number) => MonoTypeOperatorFunction<T>;

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
 * never, error, unsubscription chain, completion and error with buffered events, banked demand.
 * `values` are the marble values (the library's events by default; plain values for the generic
 * form) and `idOf` names one in assertions. None of them overflows the buffer (capacity 4), so every policy gives the same output.
 */
export function standardCases<T = Event>(
  make: MakeOperator<T>,
  values: Record<string, T> = letters as Record<string, T>,
  idOf: (value: T) => string = eventIdOf,
): void {
  describe('standard cases', () => {
    it('completes at once on an empty source', () => {
      testScheduler().run(({ cold, expectObservable }) => {
        expectObservable(cold<T>('|').pipe(make(cold('-r'), []))).toBe('|');
      });
    });

    it('stays silent on a never source, whatever the demand', () => {
      testScheduler().run(({ cold, expectObservable }) => {
        expectObservable(cold<T>('-').pipe(make(cold('rrr-r'), []))).toBe('-');
      });
    });

    it('emits nothing without demand, even with events buffered', () => {
      testScheduler().run(({ cold, expectObservable }) => {
        expectObservable(cold('-a-b-', values).pipe(make(cold('-'), []))).toBe('-----');
      });
    });

    it('errors at once when the buffer is empty', () => {
      testScheduler().run(({ cold, expectObservable }) => {
        expectObservable(cold('--#', values, 'boom').pipe(make(cold('r'), []))).toBe('--#', undefined, 'boom');
      });
    });

    it('delivers buffered events on demand before the source error', () => {
      testScheduler().run(({ cold, expectObservable }) => {
        const source = cold('-a-b-#', values, 'boom');
        const ready = cold('--------r-r', {});
        expectObservable(source.pipe(make(ready, []))).toBe('--------a-(b#)', values, 'boom');
      });
    });

    it('errors when ready errors', () => {
      testScheduler().run(({ cold, expectObservable }) => {
        expectObservable(cold('-a-b-', values).pipe(make(cold('--r-#', {}, 'ready failed'), []))).toBe('--a-#', values, 'ready failed');
      });
    });

    // Regression: when ready completed with events buffered, no demand could ever come again and
    // the output never terminated (a source completion or error waiting behind the buffer was
    // never delivered). Now the remainder is reported as 'shutdown' and the output ends.
    it('completes when ready completes and no banked demand is left, reporting what is buffered', () => {
      const drops: DropRecord<T>[] = [];
      testScheduler().run(({ hot, cold, expectObservable, expectSubscriptions }) => {
        const source = hot('-a-b-c-', values);
        expectObservable(source.pipe(make(cold('--r-|'), drops))).toBe('--a-|', values);
        expectSubscriptions(source.subscriptions).toBe('^---!');
      });
      expect(drops.map((d) => `${idOf(d.event)}:${d.reason}@${d.at}`)).toEqual(['b:shutdown@4']);
    });

    it('still serves demand banked before ready completed, then completes', () => {
      testScheduler().run(({ hot, cold, expectObservable, expectSubscriptions }) => {
        const source = hot('---a--b--c-', values);
        expectObservable(source.pipe(make(cold('rr|'), []))).toBe('---a--(b|)', values);
        expectSubscriptions(source.subscriptions).toBe('^-----!');
      });
    });

    it('delivers a source error waiting behind the buffer when ready completes', () => {
      const drops: DropRecord<T>[] = [];
      testScheduler().run(({ cold, expectObservable }) => {
        const source = cold('-a-b-#', values, 'boom');
        expectObservable(source.pipe(make(cold('--r---|'), drops))).toBe('--a---#', values, 'boom');
      });
      expect(drops.map((d) => `${idOf(d.event)}:${d.reason}@${d.at}`)).toEqual(['b:shutdown@6']);
    });

    it('delivers buffered events on demand before completion', () => {
      testScheduler().run(({ cold, expectObservable }) => {
        const source = cold('-a-b-c|', values);
        expectObservable(source.pipe(make(cold('---------r-r-r'), []))).toBe('---------a-b-(c|)', values);
      });
    });

    it('banks demand that arrives while empty (request(n))', () => {
      testScheduler().run(({ cold, expectObservable }) => {
        const source = cold('---a-b-c|', values);
        const ready = cold('rr--------r');
        expectObservable(source.pipe(make(ready, []))).toBe('---a-b----(c|)', values);
      });
    });

    it('serves demand given synchronously from inside the consumer', () => {
      const ready = new Subject<void>();
      const source = new Subject<T>();
      const seen: string[] = [];
      source.pipe(make(ready, [])).subscribe({
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
        expectObservable(source.pipe(make(ready, drops)), '^-----!').toBe('---a--', values);
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
          make(ready, []),
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
        expectObservable(hot('-a-b-c-d-', values).pipe(make(hot('--r--r--'), []), identity), '^---!').toBe('--a-', values);
      });
      expect(scheduler.actions).toHaveLength(0);
    });
  });
}
