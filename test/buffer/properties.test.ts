import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createLaneBuffer, type DropRecord, type Event, type EventType, type LaneBuffer, type OverflowPolicy } from '../../src/index.js';
import { ev } from '../support/events.js';

/** One step of a random run: offer an event with these flags, or poll. */
type Op = { kind: 'offer'; canDrop: boolean; canCollapse: boolean; type: EventType } | { kind: 'poll' };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('offer' as const),
      canDrop: fc.boolean(),
      canCollapse: fc.boolean(),
      type: fc.constantFrom<EventType>('SIGNAL_GENERATED', 'RISK_EVALUATE', 'STRATEGY_EVALUATE'),
    }),
  },
  { weight: 2, arbitrary: fc.constant({ kind: 'poll' as const }) },
);

/**
 * The policies written the slow, obvious way (arrays, findIndex, splice), straight from the
 * overflow policy table, to check the cores against.
 */
class ReferenceLane {
  readonly queue: Event[] = [];
  readonly held: Event[] = [];
  readonly drops: string[] = [];
  private arrivalsWhileFull = 0;

  constructor(
    private readonly policy: OverflowPolicy,
    private readonly capacity: number,
    private readonly sampleEvery: number,
  ) {}

  offer(e: Event): void {
    if (this.policy === 'BLOCK') {
      if (this.queue.length < this.capacity && this.held.length === 0) this.queue.push(e);
      else this.held.push(e);
      return;
    }
    if (this.policy === 'COLLAPSE' && e.canCollapse && e.canDrop) {
      const i = this.queue.findIndex((q) => q.canCollapse && q.canDrop && q.eventType === e.eventType);
      if (i >= 0) {
        this.drops.push(`${this.queue[i]!.eventId}:collapsed`);
        this.queue[i] = e;
        return;
      }
    }
    if (this.queue.length < this.capacity) {
      this.arrivalsWhileFull = 0;
      this.queue.push(e);
      return;
    }
    let selfReason = 'evicted';
    if (this.policy === 'SAMPLE' && e.canDrop) {
      selfReason = 'sampled';
      if (++this.arrivalsWhileFull < this.sampleEvery) {
        this.drops.push(`${e.eventId}:sampled`);
        return;
      }
      this.arrivalsWhileFull = 0;
    }
    const i = this.queue.findIndex((q) => q.canDrop);
    if (i >= 0) {
      this.drops.push(`${this.queue[i]!.eventId}:evicted`);
      this.queue.splice(i, 1);
      this.queue.push(e);
    } else if (!e.canDrop) this.held.push(e);
    else this.drops.push(`${e.eventId}:${selfReason}`);
  }

  poll(): Event | undefined {
    const e = this.queue.shift();
    if (e !== undefined && this.held.length > 0) this.queue.push(this.held.shift()!);
    return e;
  }
}

function accounted(lane: LaneBuffer): void {
  const c = lane.counters;
  expect(c.enqueued).toBe(c.delivered + c.evicted + c.collapsed + c.rejected + c.shutdown + lane.size + lane.heldCount);
}

function runProperty(policy: OverflowPolicy): void {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 6 }),
      fc.constantFrom(1, 0.5, 0.34, 0.25, 0.1),
      fc.array(opArb, { maxLength: 120 }),
      (capacity, sampleRate, ops) => {
        const drops: DropRecord[] = [];
        const lane = createLaneBuffer({ policy, capacity, priority: 2, sampleRate, onDrop: (d) => drops.push(d) });
        const reference = new ReferenceLane(policy, capacity, Math.round(1 / sampleRate));
        const offered: Event[] = [];
        const delivered: Event[] = [];
        // queue position of each event: its arrival rank, or that of the event it collapsed in place of
        const rank = new Map<string, number>();
        let n = 0;
        const step = (op: Op): void => {
          if (op.kind === 'offer') {
            const e = ev(`e${n++}`, { type: op.type, canDrop: op.canDrop, canCollapse: op.canCollapse });
            offered.push(e);
            const dropsBefore = drops.length;
            lane.offer(e, n);
            reference.offer(e);
            const collapsed = drops.slice(dropsBefore).find((d) => d.reason === 'collapsed');
            rank.set(e.eventId, collapsed === undefined ? offered.length : rank.get(collapsed.event.eventId)!);
          } else {
            const got = lane.poll(n);
            expect(got?.eventId).toBe(reference.poll()?.eventId);
            if (got !== undefined) delivered.push(got);
          }
          expect(lane.size).toBeLessThanOrEqual(capacity);
          expect(lane.size).toBe(reference.queue.length);
          expect(lane.heldCount).toBe(reference.held.length);
          accounted(lane);
        };
        ops.forEach(step);
        while (lane.size > 0) step({ kind: 'poll' });
        // the delivered counter matches what poll actually returned
        expect(lane.counters.delivered).toBe(delivered.length);
        // the same drops, in the same order, as the reference
        expect(drops.map((d) => `${d.event.eventId}:${d.reason}`)).toEqual(reference.drops);
        // no canDrop: false event is ever lost
        const deliveredIds = new Set(delivered.map((e) => e.eventId));
        for (const e of offered) if (!e.canDrop) expect(deliveredIds.has(e.eventId)).toBe(true);
        expect(drops.every((d) => d.event.canDrop)).toBe(true);
        // survivors keep FIFO order (a collapsed-in event holds the place of the one it replaced)
        const ranks = delivered.map((e) => rank.get(e.eventId)!);
        expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
        // drop reasons a policy may give
        const allowed = { BLOCK: [], DROP_OLDEST: ['evicted'], COLLAPSE: ['evicted', 'collapsed'], SAMPLE: ['evicted', 'sampled'] }[policy];
        for (const d of drops) expect(allowed).toContain(d.reason);
        // clear accounts for everything left
        lane.clear('shutdown', n);
        expect([lane.size, lane.heldCount]).toEqual([0, 0]);
        accounted(lane);
      },
    ),
    { numRuns: 300 },
  );
}

describe('lane buffer cores: properties over random operation sequences', () => {
  for (const policy of ['BLOCK', 'DROP_OLDEST', 'COLLAPSE', 'SAMPLE'] as const) {
    it(`${policy}: matches the reference, size ≤ capacity, FIFO survivors, no undroppable loss, exact accounting`, () => {
      runProperty(policy);
    });
  }
});
