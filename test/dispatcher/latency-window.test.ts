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

describe('LatencyHistogram.recordSince: a batch recorded at once', () => {
  it('keeps the same window as recording each latency in turn', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }),
        fc.array(fc.array(fc.integer({ min: 0, max: 10_000 }), { maxLength: 30 }), { maxLength: 12 }),
        (size, batches) => {
          const bulk = new LatencyHistogram(size);
          const single = new LatencyHistogram(size);
          for (const starts of batches) {
            const doneAt = 20_000;
            bulk.recordSince(doneAt, Float64Array.from(starts), starts.length);
            for (const start of starts) single.record(doneAt - start);
          }
          expect(bulk.summary()).toEqual(single.summary());
          expect(bulk.total).toBe(single.total);
          expect(bulk.count).toBe(single.count);
        },
      ),
    );
  });

  it('reads only the first count start times of a reused, longer array', () => {
    const histogram = new LatencyHistogram(8);
    histogram.recordSince(10, Float64Array.from([9, 8, -1000, -1000]), 2);
    expect(histogram.summary()).toEqual({ p50: 1, p99: 2, max: 2, count: 2 });
  });
});
