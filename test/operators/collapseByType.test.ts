import { describe, expect, it } from 'vitest';
import type { DropRecord, SinkFailure } from '../../src/index.js';
import { collapseByType } from '../../src/operators/index.js';
import { ev } from '../support/events.js';
import { expectDocumented, parseDiagram, standardCases, testScheduler } from './harness.js';

const diagram = `
source: -x-y-X-----|
ready : -------r-r---
out   : -------X-y-|
`;

/** x and X share a type; y has another. All collapsible. */
const values = {
  x: ev('x', { type: 'SIGNAL_GENERATED', canCollapse: true }),
  X: ev('X', { type: 'SIGNAL_GENERATED', canCollapse: true }),
  y: ev('y', { type: 'RISK_EVALUATE', canCollapse: true }),
};

describe('collapseByType', () => {
  it('matches its diagram: X replaces x in place and x is reported as collapsed', () => {
    const drops: DropRecord[] = [];
    const { source, ready, out } = parseDiagram(diagram);
    testScheduler().run(({ cold, expectObservable }) => {
      const result = cold(source!, values).pipe(collapseByType({ capacity: 3, ready: cold(ready!), onDrop: (d) => drops.push(d) }));
      expectObservable(result).toBe(out!, values);
    });
    expect(drops.map((d) => `${d.event.eventId}:${d.reason}@${d.at}`)).toEqual(['x:collapsed@5']);
  });

  it('documents the same diagram in its doc comment and docs page', () => {
    expectDocumented(diagram, 'collapseByType');
  });

  standardCases(collapseByType, {
    overflowOfOne: { out: ['b'], drops: ['a:evicted'] },
    drainWhileFull: { capacity: 2, source: '-a-b-c|', ready: '--------r-r', out: '--------b-(c|)' },
  });

  it('with capacity 1 keeps the newest event, collapsing or evicting', () => {
    const drops: DropRecord[] = [];
    testScheduler().run(({ cold, expectObservable }) => {
      const result = cold('-x-X-y|', values).pipe(collapseByType({ capacity: 1, ready: cold('--------r'), onDrop: (d) => drops.push(d) }));
      expectObservable(result).toBe('--------(y|)', values);
    });
    expect(drops.map((d) => `${d.event.eventId}:${d.reason}`)).toEqual(['x:collapsed', 'X:evicted']);
  });

  it('collapses by a custom key (type + symbol)', () => {
    const custom = {
      a: ev('a', { canCollapse: true, symbol: 'AAPL' }),
      m: ev('m', { canCollapse: true, symbol: 'MSFT' }),
      A: ev('A', { canCollapse: true, symbol: 'AAPL' }),
    };
    testScheduler().run(({ cold, expectObservable }) => {
      const collapseKey = (e: (typeof custom)['a']): string => `${e.eventType}:${String(e.payload.symbol)}`;
      const result = cold('-a-m-A|', custom).pipe(collapseByType({ capacity: 5, ready: cold('-------rr'), collapseKey }));
      expectObservable(result).toBe('-------A(m|)', custom);
    });
  });

  it('a collapse key that throws loses no event and is reported', () => {
    const failures: SinkFailure[] = [];
    testScheduler().run(({ cold, expectObservable }) => {
      const result = cold('-x-X|', values).pipe(
        collapseByType({
          capacity: 5,
          ready: cold('-----rr'),
          collapseKey: () => {
            throw new Error('no key');
          },
          onError: (_error, failure) => failures.push(failure),
        }),
      );
      expectObservable(result).toBe('-----x(X|)', values);
    });
    expect(failures.map((f) => `${f.sink}:${f.event.eventId}`)).toEqual(['collapseKey:x', 'collapseKey:X']);
  });
});
