import { readFileSync } from 'node:fs';
import type { MonoTypeOperatorFunction, Observable } from 'rxjs';
import { Subject, identity, mergeMap } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import type { DropRecord, Event } from '../../src/index.js';
import { ev } from '../buffer/events.js';

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
export type MakeOperator = (ready: Observable<unknown>, drops: DropRecord[], capacity?: number) => MonoTypeOperatorFunction<Event>;

/**
 * The cases every buffering operator shares (as RxJS's specs have for every operator): empty,
 * never, error, unsubscription chain, completion and error with buffered events, banked demand.
 * None of them overflows the buffer (capacity 4), so every policy gives the same output.
 */
export function standardCases(make: MakeOperator): void {
  describe('standard cases', () => {
    it('completes at once on an empty source', () => {
      testScheduler().run(({ cold, expectObservable }) => {
        expectObservable(cold<Event>('|').pipe(make(cold('-r'), []))).toBe('|');
      });
    });

    it('stays silent on a never source, whatever the demand', () => {
      testScheduler().run(({ cold, expectObservable }) => {
        expectObservable(cold<Event>('-').pipe(make(cold('rrr-r'), []))).toBe('-');
      });
    });

    it('emits nothing without demand, even with events buffered', () => {
      testScheduler().run(({ cold, expectObservable }) => {
        expectObservable(cold('-a-b-', letters).pipe(make(cold('-'), []))).toBe('-----');
      });
    });

    it('errors at once when the buffer is empty', () => {
      testScheduler().run(({ cold, expectObservable }) => {
        expectObservable(cold('--#', letters, 'boom').pipe(make(cold('r'), []))).toBe('--#', undefined, 'boom');
      });
    });

    it('delivers buffered events on demand before the source error', () => {
      testScheduler().run(({ cold, expectObservable }) => {
        const source = cold('-a-b-#', letters, 'boom');
        const ready = cold('--------r-r', {});
        expectObservable(source.pipe(make(ready, []))).toBe('--------a-(b#)', letters, 'boom');
      });
    });

    it('errors when ready errors', () => {
      testScheduler().run(({ cold, expectObservable }) => {
        expectObservable(cold('-a-b-', letters).pipe(make(cold('--r-#', {}, 'ready failed'), []))).toBe('--a-#', letters, 'ready failed');
      });
    });

    // Regression: when ready completed with events buffered, no demand could ever come again and
    // the output never terminated (a source completion or error waiting behind the buffer was
    // never delivered). Now the remainder is reported as 'shutdown' and the output ends.
    it('completes when ready completes and no banked demand is left, reporting what is buffered', () => {
      const drops: DropRecord[] = [];
      testScheduler().run(({ hot, cold, expectObservable, expectSubscriptions }) => {
        const source = hot('-a-b-c-', letters);
        expectObservable(source.pipe(make(cold('--r-|'), drops))).toBe('--a-|', letters);
        expectSubscriptions(source.subscriptions).toBe('^---!');
      });
      expect(drops.map((d) => `${d.event.eventId}:${d.reason}@${d.at}`)).toEqual(['b:shutdown@4']);
    });

    it('still serves demand banked before ready completed, then completes', () => {
      testScheduler().run(({ hot, cold, expectObservable, expectSubscriptions }) => {
        const source = hot('---a--b--c-', letters);
        expectObservable(source.pipe(make(cold('rr|'), []))).toBe('---a--(b|)', letters);
        expectSubscriptions(source.subscriptions).toBe('^-----!');
      });
    });

    it('delivers a source error waiting behind the buffer when ready completes', () => {
      const drops: DropRecord[] = [];
      testScheduler().run(({ cold, expectObservable }) => {
        const source = cold('-a-b-#', letters, 'boom');
        expectObservable(source.pipe(make(cold('--r---|'), drops))).toBe('--a---#', letters, 'boom');
      });
      expect(drops.map((d) => `${d.event.eventId}:${d.reason}@${d.at}`)).toEqual(['b:shutdown@6']);
    });

    it('delivers buffered events on demand before completion', () => {
      testScheduler().run(({ cold, expectObservable }) => {
        const source = cold('-a-b-c|', letters);
        expectObservable(source.pipe(make(cold('---------r-r-r'), []))).toBe('---------a-b-(c|)', letters);
      });
    });

    it('banks demand that arrives while empty (request(n))', () => {
      testScheduler().run(({ cold, expectObservable }) => {
        const source = cold('---a-b-c|', letters);
        const ready = cold('rr--------r');
        expectObservable(source.pipe(make(ready, []))).toBe('---a-b----(c|)', letters);
      });
    });

    it('serves demand given synchronously from inside the consumer', () => {
      const ready = new Subject<void>();
      const source = new Subject<Event>();
      const seen: string[] = [];
      source.pipe(make(ready, [])).subscribe({
        next: (event) => {
          seen.push(event.eventId);
          ready.next();
        },
        complete: () => seen.push('|'),
      });
      for (const id of 'abc') source.next(letters[id]!);
      expect(seen).toEqual([]);
      ready.next();
      expect(seen).toEqual(['a', 'b', 'c']);
      source.next(letters.d!);
      source.complete();
      expect(seen).toEqual(['a', 'b', 'c', 'd', '|']);
    });

    it('unsubscribes the source and ready when unsubscribed, reporting what was buffered', () => {
      const drops: DropRecord[] = [];
      testScheduler().run(({ hot, expectObservable, expectSubscriptions }) => {
        const source = hot('-a-b-c-d-', letters);
        const ready = hot('---r-----');
        expectObservable(source.pipe(make(ready, drops)), '^-----!').toBe('---a--', letters);
        expectSubscriptions(source.subscriptions).toBe('^-----!');
        expectSubscriptions(ready.subscriptions).toBe('^-----!');
      });
      expect(drops.map((d) => `${d.event.eventId}:${d.reason}@${d.at}`)).toEqual(['b:shutdown@6', 'c:shutdown@6']);
    });

    it('does not break unsubscription chains when the result is unsubscribed explicitly', () => {
      testScheduler().run(({ hot, expectObservable, expectSubscriptions }) => {
        const source = hot('-a-b-c-d-', letters);
        const ready = hot('-r-r-r-r-');
        const result = source.pipe(
          mergeMap((x) => [x]),
          make(ready, []),
          mergeMap((x) => [x]),
        );
        expectObservable(result, '^----!').toBe('-a-b-', letters);
        expectSubscriptions(source.subscriptions).toBe('^----!');
        expectSubscriptions(ready.subscriptions).toBe('^----!');
      });
    });

    it('leaves no scheduled action behind after teardown', () => {
      const scheduler = testScheduler();
      scheduler.run(({ hot, expectObservable }) => {
        expectObservable(hot('-a-b-c-d-', letters).pipe(make(hot('--r--r--'), []), identity), '^---!').toBe('--a-', letters);
      });
      expect(scheduler.actions).toHaveLength(0);
    });
  });
}
