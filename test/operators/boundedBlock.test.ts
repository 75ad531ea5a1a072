import { describe, expect, it } from 'vitest';
import type { DropRecord } from '../../src/index.js';
import { boundedBlock } from '../../src/operators/index.js';
import { expectDocumented, letters, parseDiagram, standardCases, testScheduler } from './harness.js';

const diagram = `
source: -a-b-c-d|
ready : ---------r--r--r--r-
out   : ---------a--b--c--(d|)
`;

describe('boundedBlock', () => {
  it('matches its diagram: c and d are held, then released in order; nothing is dropped', () => {
    const drops: DropRecord[] = [];
    const { source, ready, out } = parseDiagram(diagram);
    testScheduler().run(({ cold, expectObservable }) => {
      const result = cold(source!, letters).pipe(boundedBlock({ capacity: 2, ready: cold(ready!), onDrop: (d) => drops.push(d) }));
      expectObservable(result).toBe(out!, letters);
    });
    expect(drops).toEqual([]);
  });

  it('documents the same diagram in its doc comment and docs page', () => {
    expectDocumented(diagram, 'boundedBlock');
  });

  standardCases(boundedBlock, {
    overflowOfOne: { out: ['a'], drops: ['b:shutdown'] },
    drainWhileFull: { capacity: 2, source: 'abcd|', ready: '------(rrrr)', out: '------(abcd|)' },
  });

  it('with capacity 1 holds every later event and delivers all of them', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const result = cold('-a-b-c|', letters).pipe(boundedBlock({ capacity: 1, ready: cold('--------r-r-r') }));
      expectObservable(result).toBe('--------a-b-(c|)', letters);
    });
  });

  it('delivers held events before a source error', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const result = cold('abc#', letters, 'boom').pipe(boundedBlock({ capacity: 1, ready: cold('-----r-r-r') }));
      expectObservable(result).toBe('-----a-b-(c#)', letters, 'boom');
    });
  });

  it('reports held events as shutdown when unsubscribed', () => {
    const drops: DropRecord[] = [];
    testScheduler().run(({ hot, expectObservable }) => {
      const result = hot('-abc-', letters).pipe(boundedBlock({ capacity: 1, ready: hot('-'), onDrop: (d) => drops.push(d) }));
      expectObservable(result, '^---!').toBe('----');
    });
    expect(drops.map((d) => `${d.event.eventId}:${d.reason}`)).toEqual(['a:shutdown', 'b:shutdown', 'c:shutdown']);
  });
});
