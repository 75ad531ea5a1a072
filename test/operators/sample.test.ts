import { describe, expect, it } from 'vitest';
import type { DropRecord } from '../../src/index.js';
import { sample } from '../../src/operators/index.js';
import { ev } from '../support/events.js';
import { expectDocumented, letters, parseDiagram, standardCases, testScheduler } from './harness.js';

const diagram = `
source: -a-b-c-d-e-|
ready : -------------r-r-
out   : -------------b-(d|)
`;

describe('sample', () => {
  it('matches its diagram: c and e are sampled out, d evicts a', () => {
    const drops: DropRecord[] = [];
    const { source, ready, out } = parseDiagram(diagram);
    testScheduler().run(({ cold, expectObservable }) => {
      const result = cold(source!, letters).pipe(sample({ capacity: 2, sampleRate: 0.5, ready: cold(ready!), onDrop: (d) => drops.push(d) }));
      expectObservable(result).toBe(out!, letters);
    });
    expect(drops.map((d) => `${d.event.eventId}:${d.reason}@${d.at}`)).toEqual(['c:sampled@5', 'a:evicted@7', 'e:sampled@9']);
  });

  it('documents the same diagram in its doc comment and docs page', () => {
    expectDocumented(diagram, 'sample');
  });

  standardCases((options) => sample(options), {
    overflowOfOne: { out: ['a'], drops: ['b:sampled'] },
    drainWhileFull: { capacity: 2, source: '-a-b-c|', ready: '--------r-r', out: '--------a-(b|)' },
  });

  it('with capacity 1 and the default rate admits every 10th arrival while full', () => {
    const drops: DropRecord[] = [];
    testScheduler().run(({ cold, expectObservable }) => {
      const result = cold('abcdefghijklm|', letters).pipe(sample({ capacity: 1, ready: cold('---------------r'), onDrop: (d) => drops.push(d) }));
      expectObservable(result).toBe('---------------(k|)', letters);
    });
    expect(drops.filter((d) => d.reason === 'sampled')).toHaveLength(11);
    expect(drops.filter((d) => d.reason === 'evicted').map((d) => d.event.eventId)).toEqual(['a']);
  });

  it('never samples out an undroppable event', () => {
    const k = ev('k', { canDrop: false });
    const values = { ...letters, k };
    testScheduler().run(({ cold, expectObservable }) => {
      const result = cold('-a-k|', values).pipe(sample({ capacity: 1, ready: cold('-----r') }));
      expectObservable(result).toBe('-----(k|)', values);
    });
  });

  it('rejects a sample rate outside (0, 1]', () => {
    expect(() => sample({ capacity: 2, sampleRate: 0, ready: letters.a as never })).toThrow();
  });
});
