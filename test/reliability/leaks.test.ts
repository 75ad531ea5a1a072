import { describe, expect, it } from 'vitest';
import * as lib from '../../src/index.js';
import * as operators from '../../src/operators/index.js';
import { script } from './scripts.js';

describe('lifecycles and subscriptions leave nothing behind', () => {
  it('100 dispatcher lifecycles and 1 000 subscriptions per operator: no timer left, heap flat', async () => {
    const { leaks } = await script('leaks');
    const results = (await leaks!(lib, operators, { lifecycles: 100, subscriptions: 1_000 })) as { name: string; timersAfter: number; timersBefore: number; heapDelta: number }[];
    expect(results).toHaveLength(6);
    for (const r of results) {
      // A leak adds timers; the test worker's own timers may also end meanwhile (a negative delta).
      expect({ name: r.name, timersAdded: Math.max(0, r.timersAfter - r.timersBefore) }).toEqual({ name: r.name, timersAdded: 0 });
      // Flat: well under a kilobyte per cycle would still show as megabytes here.
      expect(r.heapDelta).toBeLessThan(2 * 1024 * 1024);
    }
  }, 60_000);
});
