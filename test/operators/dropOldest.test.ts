import { Subject } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { LaneConfigError, type DropRecord, type Event } from '../../src/index.js';
import { dropOldest } from '../../src/operators/index.js';
import { ev } from '../support/events.js';
import { expectDocumented, letters, parseDiagram, standardCases, testScheduler } from './harness.js';

const diagram = `
source: -a-b-c-d--------
ready : ---------r--r---
out   : ---------c--d---
`;

describe('dropOldest', () => {
  it('matches its diagram: a and b are evicted and reported', () => {
    const drops: DropRecord[] = [];
    const { source, ready, out } = parseDiagram(diagram);
    testScheduler().run(({ cold, expectObservable }) => {
      const result = cold(source!, letters).pipe(dropOldest({ capacity: 2, ready: cold(ready!), onDrop: (d) => drops.push(d) }));
      expectObservable(result).toBe(out!, letters);
    });
    expect(drops.map((d) => `${d.event.eventId}:${d.reason}@${d.at}`)).toEqual(['a:evicted@5', 'b:evicted@7']);
  });

  it('documents the same diagram in its doc comment and docs page', () => {
    expectDocumented(diagram, 'dropOldest');
  });

  standardCases((ready, drops, capacity = 4) => dropOldest({ capacity, ready, onDrop: (d) => drops.push(d) }));

  it('with capacity 1 keeps only the newest event', () => {
    const drops: DropRecord[] = [];
    testScheduler().run(({ cold, expectObservable }) => {
      const result = cold('-a-b-c|', letters).pipe(dropOldest({ capacity: 1, ready: cold('--------r'), onDrop: (d) => drops.push(d) }));
      expectObservable(result).toBe('--------(c|)', letters);
    });
    expect(drops.map((d) => d.event.eventId)).toEqual(['a', 'b']);
  });

  it('completes after draining when the source completes while full and demand comes later', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const result = cold('-a-b-c-d|', letters).pipe(dropOldest({ capacity: 2, ready: cold('----------r-r-r') }));
      expectObservable(result).toBe('----------c-(d|)', letters);
    });
  });

  it('never evicts an undroppable event', () => {
    const k = ev('k', { canDrop: false });
    const values = { ...letters, k };
    testScheduler().run(({ cold, expectObservable }) => {
      const result = cold('-k-a-b-c|', values).pipe(dropOldest({ capacity: 2, ready: cold('----------r-r') }));
      expectObservable(result).toBe('----------k-(c|)', values);
    });
  });

  it('an onDrop that throws is isolated and reported', () => {
    const failures: string[] = [];
    const seen: string[] = [];
    const ready = new Subject<void>();
    const source = new Subject<Event>();
    source
      .pipe(
        dropOldest({
          capacity: 1,
          ready,
          onDrop: () => {
            throw new Error('sink down');
          },
          onError: (_error, failure) => failures.push(`${failure.sink}:${failure.event.eventId}`),
        }),
      )
      .subscribe((e) => seen.push(e.eventId));
    source.next(letters.a!);
    source.next(letters.b!);
    ready.next();
    expect([seen, failures]).toEqual([['b'], ['onDrop:a']]);
  });

  it('passes its output through the instrumentation hook under its name', async () => {
    const { setInstrumentation } = await import('../../src/index.js');
    const names: string[] = [];
    const restore = setInstrumentation((name) => {
      names.push(name);
      return (source) => source;
    });
    try {
      dropOldest({ capacity: 1, ready: new Subject(), name: 'p1-lane' });
      dropOldest({ capacity: 1, ready: new Subject() });
    } finally {
      restore();
    }
    expect(names).toEqual(['p1-lane']);
  });

  it('rejects bad options with a typed error', () => {
    expect(() => dropOldest({ capacity: 0, ready: new Subject() })).toThrow(new LaneConfigError('capacity', 'a positive integer', 0));
    expect(() => dropOldest({ capacity: 2, ready: 'r' as never })).toThrow(/^ready: expected an Observable/);
  });
});
