import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { LatencyHistogram } from '../../src/event/histogram.js';

describe('LatencyHistogram.forEachSince: what an exporter reads on scrape', () => {
  it('visits, oldest first, the samples recorded since a given total that the window still holds, and counts the rest', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 16 }), fc.array(fc.integer({ min: 0, max: 40 }), { minLength: 1, maxLength: 6 }), (windowSize, chunks) => {
        const window = new LatencyHistogram(windowSize);
        const all: number[] = [];
        let since = 0;
        for (const chunk of chunks) {
          for (let i = 0; i < chunk; i++) {
            const latency = all.length;
            all.push(latency);
            // Alternate the two recording paths.
            if (i % 2 === 0) window.record(latency);
            else window.recordSince(latency, Float64Array.of(0), 1);
          }
          const visited: number[] = [];
          const missed = window.forEachSince(since, (ms) => visited.push(ms));
          const recorded = all.slice(since);
          const held = recorded.slice(Math.max(0, recorded.length - windowSize));
          expect(visited).toEqual(held);
          expect(missed).toBe(recorded.length - held.length);
          since = window.total;
        }
      }),
    );
  });
});
