import { describe, expect, it } from 'vitest';
import type { DropRecord } from '../../src/index.js';
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

  standardCases(dropOldest, {
    overflowOfOne: { out: ['b'], drops: ['a:evicted'] },
    drainWhileFull: { capacity: 2, source: '-a-b-c-d|', ready: '----------r-r-r', out: '----------c-(d|)' },
  });

  it('with capacity 1 keeps only the newest event', () => {
    const drops: DropRecord[] = [];
    testScheduler().run(({ cold, expectObservable }) => {
      const result = cold('-a-b-c|', letters).pipe(dropOldest({ capacity: 1, ready: cold('--------r'), onDrop: (d) => drops.push(d) }));
      expectObservable(result).toBe('--------(c|)', letters);
    });
    expect(drops.map((d) => d.event.eventId)).toEqual(['a', 'b']);
  });

  it('never evicts an undroppable event', () => {
    const k = ev('k', { canDrop: false });
    const values = { ...letters, k };
    testScheduler().run(({ cold, expectObservable }) => {
      const result = cold('-k-a-b-c|', values).pipe(dropOldest({ capacity: 2, ready: cold('----------r-r') }));
      expectObservable(result).toBe('----------k-(c|)', values);
    });
  });
});
