import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EventRing } from '../../src/event/buffer/ring.js';
import { ev } from '../support/events.js';

const NEAR_WRAP = 2 ** 31 - 5; // five pushes before the int32 position counters wrap to −2^31

describe('EventRing positions (int32 counters that wrap)', () => {
  it('keeps FIFO order, size and enqueue times across the wrap and across growth', () => {
    const ring = new EventRing(false, false, NEAR_WRAP);
    for (let i = 0; i < 40; i++) ring.push(ev(`e${i}`), 1000 + i); // grows 16 → 32 → 64 while wrapping
    expect(ring.size).toBe(40);
    expect(ring.tail).toBe((NEAR_WRAP + 40) | 0);
    expect(ring.tail).toBeLessThan(0);
    const out: string[] = [];
    while (ring.size > 0) {
      expect(ring.headTime()).toBe(1000 + out.length);
      out.push(ring.shift().eventId);
    }
    expect(out).toEqual(Array.from({ length: 40 }, (_, i) => `e${i}`));
    expect(ring.peek()).toBeUndefined();
  });

  it('keeps order marks exact at the int32 extremes', () => {
    const ring = new EventRing(false, true);
    ring.pushMarked(ev('a'), 0, 2 ** 31 - 1);
    ring.pushMarked(ev('b'), 0, -(2 ** 31));
    expect(ring.headMark()).toBe(2 ** 31 - 1);
    ring.shift();
    expect(ring.headMark()).toBe(-(2 ** 31));
  });

  it('finds and replaces keyed events across the wrap and growth, and forgets a key when its event leaves', () => {
    const ring = new EventRing(true, false, NEAR_WRAP);
    for (let i = 0; i < 20; i++) ring.pushKeyed(ev(`e${i}`), i, `k${i}`);
    const position = ring.positionOf('k7');
    expect(position).toBe((NEAR_WRAP + 7) | 0);
    expect(ring.replaceAt(position!, ev('x')).eventId).toBe('e7');
    for (let i = 0; i < 7; i++) ring.shift();
    expect(ring.positionOf('k3')).toBeUndefined();
    expect(ring.shift().eventId).toBe('x');
    expect(ring.positionOf('k7')).toBeUndefined();
    expect(ring.positionOf('k8')).toBe((NEAR_WRAP + 8) | 0);
  });

  it('behaves as an array queue for random push/shift runs from any start position', () => {
    fc.assert(
      fc.property(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), fc.array(fc.boolean(), { maxLength: 200 }), (start, ops) => {
        const ring = new EventRing(true, true, start);
        const model: string[] = [];
        let n = 0;
        for (const push of ops) {
          if (push) {
            const id = `e${n++}`;
            ring.pushKeyed(ev(id), n, id);
            model.push(id);
          } else if (model.length > 0) {
            expect(ring.shift().eventId).toBe(model.shift());
          }
          expect(ring.size).toBe(model.length);
          expect(ring.peek()?.eventId).toBe(model[0]);
          if (model.length > 0) expect(ring.positionOf(model[0]!)).toBe(ring.head);
        }
      }),
      { numRuns: 200 },
    );
  });
});
