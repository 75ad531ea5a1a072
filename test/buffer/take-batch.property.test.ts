import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createLaneBuffer, type DropRecord, type Event, type EventType, type LaneBuffer } from '../../src/index.js';
import { RingLaneBuffer } from '../../src/event/buffer/base.js';
import { ev } from '../support/events.js';

/**
 * The merge fills a batch with `takeBatch` (one call per batch). It must take exactly what the
 * event-by-event loop over the public `poll` / `peek` / `lastPolledEnqueuedAt` would, and leave the
 * core in the same state: same events and enqueue times, same held releases, same drops and
 * counters afterwards (including collapses, whose key index the batch fill must keep in step).
 */
type Op =
  | { kind: 'offer'; canDrop: boolean; canCollapse: boolean; canBatch: boolean; type: EventType }
  | { kind: 'take'; max: number; lookAhead: boolean };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('offer' as const),
      canDrop: fc.boolean(),
      canCollapse: fc.boolean(),
      // mostly batchable, as in practice; about one in four must travel alone
      canBatch: fc.integer({ min: 0, max: 3 }).map((x) => x > 0),
      type: fc.constantFrom<EventType>('SIGNAL_GENERATED', 'RISK_EVALUATE', 'STRATEGY_EVALUATE'),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('take' as const), max: fc.integer({ min: 1, max: 8 }), lookAhead: fc.boolean() }) },
);

/** The per-event loop the batch fill replaces, written against the public core contract. */
function pollBatch(lane: LaneBuffer, max: number, lookAhead: boolean): { ids: string[]; times: number[] } {
  const ids: string[] = [];
  const times: number[] = [];
  while (ids.length < max) {
    const event = lane.poll(0);
    if (event === undefined) break;
    ids.push(event.eventId);
    times.push(lane.lastPolledEnqueuedAt);
    if (!event.canBatch) break;
    if (ids.length < max && lookAhead && lane.peek()?.canBatch === false) break;
  }
  return { ids, times };
}

function twin(policy: 'BLOCK' | 'DROP_OLDEST' | 'COLLAPSE' | 'SAMPLE', capacity: number, log: string[]): LaneBuffer {
  return createLaneBuffer({
    policy,
    capacity,
    priority: 2,
    sampleRate: 0.34,
    onDrop: (d: DropRecord) => log.push(`${d.event.eventId}:${d.reason}@${d.at}`),
    onRelease: (e: Event) => log.push(`${e.eventId}:released`),
  });
}

describe('takeBatch: the merge’s batch fill equals polling event by event', () => {
  for (const policy of ['BLOCK', 'DROP_OLDEST', 'COLLAPSE', 'SAMPLE'] as const) {
    it(`${policy}: same events, enqueue times, releases, drops and counters`, () => {
      fc.assert(
        fc.property(fc.integer({ min: 1, max: 6 }), fc.array(opArb, { maxLength: 150 }), (capacity, ops) => {
          const fastLog: string[] = [];
          const slowLog: string[] = [];
          const fast = twin(policy, capacity, fastLog);
          const slow = twin(policy, capacity, slowLog);
          expect(fast).toBeInstanceOf(RingLaneBuffer);
          const out = new Array<Event>(8);
          const times = new Float64Array(8);
          let n = 0;
          const step = (op: Op): void => {
            if (op.kind === 'offer') {
              const e = ev(`e${n++}`, { type: op.type, canDrop: op.canDrop, canCollapse: op.canCollapse, canBatch: op.canBatch });
              // enqueue times that are not monotone in arrival order (a held event keeps its own)
              const now = (n * 7) % 11;
              expect(fast.offer(e, now)).toBe(slow.offer(e, now));
            } else {
              const count = (fast as RingLaneBuffer).takeBatch(out, times, op.max, op.lookAhead);
              const expected = pollBatch(slow, op.max, op.lookAhead);
              expect(out.slice(0, count).map((e) => e.eventId)).toEqual(expected.ids);
              expect(Array.from(times.subarray(0, count))).toEqual(expected.times);
              if (count > 0) expect(fast.lastPolledEnqueuedAt).toBe(slow.lastPolledEnqueuedAt);
            }
            expect([fast.size, fast.heldCount, fast.oldestEnqueuedAt, fast.peek()?.eventId]).toEqual([
              slow.size,
              slow.heldCount,
              slow.oldestEnqueuedAt,
              slow.peek()?.eventId,
            ]);
            expect(fast.counters).toEqual(slow.counters);
            expect(fastLog).toEqual(slowLog);
          };
          ops.forEach(step);
          while (slow.size > 0) step({ kind: 'take', max: 8, lookAhead: true });
          expect(fast.counters).toEqual(slow.counters);
        }),
        { numRuns: 300 },
      );
    });
  }

  it('takes nothing from an empty core and leaves lastPolledEnqueuedAt alone', () => {
    const lane = twin('DROP_OLDEST', 4, []);
    lane.offer(ev('a'), 3);
    lane.poll(0);
    expect((lane as RingLaneBuffer).takeBatch([], new Float64Array(4), 4, false)).toBe(0);
    expect(lane.lastPolledEnqueuedAt).toBe(3);
  });
});
