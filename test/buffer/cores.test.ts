import { describe, expect, it } from 'vitest';
import {
  LaneConfigError,
  OfferOutcome,
  createLaneBuffer,
  type DropRecord,
  type Event,
  type SinkFailure,
} from '../../src/index.js';
import { BlockLaneBuffer } from '../../src/event/buffer/block.js';
import { CollapseLaneBuffer } from '../../src/event/buffer/collapse.js';
import { DropOldestLaneBuffer } from '../../src/event/buffer/dropOldest.js';
import { SampleLaneBuffer } from '../../src/event/buffer/sample.js';
import { drainIds, ev } from '../support/events.js';

function recorder(): { drops: DropRecord[]; released: Event[]; failures: [unknown, SinkFailure][] } {
  return { drops: [], released: [], failures: [] };
}

describe('createLaneBuffer', () => {
  it('builds the core of each policy', () => {
    expect(createLaneBuffer({ policy: 'BLOCK', capacity: 1, priority: 0 })).toBeInstanceOf(BlockLaneBuffer);
    expect(createLaneBuffer({ policy: 'DROP_OLDEST', capacity: 1, priority: 1 })).toBeInstanceOf(DropOldestLaneBuffer);
    expect(createLaneBuffer({ policy: 'COLLAPSE', capacity: 1, priority: 2 })).toBeInstanceOf(CollapseLaneBuffer);
    expect(createLaneBuffer({ policy: 'SAMPLE', capacity: 1, priority: 3 })).toBeInstanceOf(SampleLaneBuffer);
  });

  it.each([0, -5, 1.5, Number.NaN, Number.POSITIVE_INFINITY])('rejects capacity %s naming the option', (capacity) => {
    expect(() => createLaneBuffer({ policy: 'DROP_OLDEST', capacity, priority: 1 })).toThrow(LaneConfigError);
    expect(() => createLaneBuffer({ policy: 'DROP_OLDEST', capacity, priority: 1 })).toThrow(
      `capacity: expected a positive integer, got ${String(capacity)}`,
    );
  });

  it.each([0, -0.1, 1.01, Number.NaN])('rejects sample rate %s', (sampleRate) => {
    expect(() => createLaneBuffer({ policy: 'SAMPLE', capacity: 5, priority: 3, sampleRate })).toThrow(
      `sampleRate: expected a number in (0, 1], got ${String(sampleRate)}`,
    );
  });

  it('rejects an unknown policy and a non-function collapse key', () => {
    expect(() => createLaneBuffer({ policy: 'LIFO' as never, capacity: 5, priority: 3 })).toThrow(/^policy: expected one of BLOCK/);
    expect(() => createLaneBuffer({ policy: 'COLLAPSE', capacity: 5, priority: 2, collapseKey: 'type' as never })).toThrow(
      'collapseKey: expected a function (event) => string, got "type"',
    );
  });
});

describe('BLOCK core', () => {
  it('queues to capacity, then holds in arrival order and admits one per poll', () => {
    const r = recorder();
    const lane = new BlockLaneBuffer({ capacity: 2, priority: 0, onRelease: (e) => r.released.push(e) });
    expect([ev('a'), ev('b'), ev('c'), ev('d')].map((e, i) => lane.offer(e, i))).toEqual([
      OfferOutcome.QUEUED,
      OfferOutcome.QUEUED,
      OfferOutcome.HELD,
      OfferOutcome.HELD,
    ]);
    expect([lane.size, lane.heldCount]).toEqual([2, 2]);
    expect(lane.poll(10)?.eventId).toBe('a');
    expect(r.released.map((e) => e.eventId)).toEqual(['c']);
    expect(drainIds(lane)).toEqual(['b', 'c', 'd']);
    expect(lane.counters).toMatchObject({ enqueued: 4, delivered: 4, blocked: 2, released: 2, evicted: 0 });
  });

  it('keeps the arrival time of a held event as its enqueue time', () => {
    const lane = new BlockLaneBuffer({ capacity: 1 });
    lane.offer(ev('a'), 1);
    lane.offer(ev('b'), 2);
    lane.poll(50);
    expect(lane.lastPolledEnqueuedAt).toBe(1);
    expect(lane.oldestEnqueuedAt).toBe(2);
    lane.poll(60);
    expect(lane.lastPolledEnqueuedAt).toBe(2);
    expect(lane.oldestEnqueuedAt).toBeNaN();
  });
});

describe('DROP_OLDEST core', () => {
  it('evicts the oldest droppable event and reports it', () => {
    const r = recorder();
    const lane = new DropOldestLaneBuffer({ capacity: 2, priority: 1, onDrop: (d) => r.drops.push(d) });
    for (const [i, id] of ['a', 'b', 'c', 'd'].entries()) expect(lane.offer(ev(id), i)).toBe(OfferOutcome.QUEUED);
    expect(r.drops.map((d) => [d.event.eventId, d.reason, d.priority, d.at])).toEqual([
      ['a', 'evicted', 1, 2],
      ['b', 'evicted', 1, 3],
    ]);
    expect(drainIds(lane)).toEqual(['c', 'd']);
  });

  it('skips undroppable events at the head in O(1) and keeps FIFO order', () => {
    const lane = new DropOldestLaneBuffer({ capacity: 3 });
    lane.offer(ev('k1', { canDrop: false }), 0);
    lane.offer(ev('d1'), 0);
    lane.offer(ev('k2', { canDrop: false }), 0);
    lane.offer(ev('d2'), 0); // evicts d1, not k1
    expect(drainIds(lane)).toEqual(['k1', 'k2', 'd2']);
  });

  it('holds an undroppable arrival when only undroppable events are queued, refuses a droppable one', () => {
    const r = recorder();
    const lane = new DropOldestLaneBuffer({ capacity: 1, onDrop: (d) => r.drops.push(d), onRelease: (e) => r.released.push(e) });
    lane.offer(ev('k1', { canDrop: false }), 0);
    expect(lane.offer(ev('k2', { canDrop: false }), 1)).toBe(OfferOutcome.HELD);
    expect(lane.offer(ev('d'), 2)).toBe(OfferOutcome.REJECTED);
    expect(r.drops.map((d) => [d.event.eventId, d.reason])).toEqual([['d', 'evicted']]);
    expect(drainIds(lane)).toEqual(['k1', 'k2']);
    expect(r.released.map((e) => e.eventId)).toEqual(['k2']);
  });

  it('an undroppable arrival evicts a droppable event rather than waiting', () => {
    const lane = new DropOldestLaneBuffer({ capacity: 1 });
    lane.offer(ev('d'), 0);
    expect(lane.offer(ev('k', { canDrop: false }), 1)).toBe(OfferOutcome.QUEUED);
    expect(drainIds(lane)).toEqual(['k']);
  });
});

describe('COLLAPSE core', () => {
  it('replaces in place, keeping position and original enqueue time, and reports the replaced event', () => {
    const r = recorder();
    const lane = new CollapseLaneBuffer({ capacity: 10, onDrop: (d) => r.drops.push(d) });
    lane.offer(ev('s1', { type: 'SIGNAL_GENERATED', canCollapse: true }), 1);
    lane.offer(ev('r1', { type: 'RISK_EVALUATE', canCollapse: true }), 2);
    expect(lane.offer(ev('s2', { type: 'SIGNAL_GENERATED', canCollapse: true }), 3)).toBe(OfferOutcome.QUEUED);
    expect(r.drops.map((d) => [d.event.eventId, d.reason, d.at])).toEqual([['s1', 'collapsed', 3]]);
    expect(lane.size).toBe(2);
    expect(lane.poll(9)?.eventId).toBe('s2');
    expect(lane.lastPolledEnqueuedAt).toBe(1);
    expect(drainIds(lane)).toEqual(['r1']);
    // after leaving the buffer, the key no longer collapses
    lane.offer(ev('s3', { type: 'SIGNAL_GENERATED', canCollapse: true }), 4);
    lane.offer(ev('s4', { type: 'SIGNAL_GENERATED', canCollapse: true }), 5);
    expect(drainIds(lane)).toEqual(['s4']);
    expect(lane.counters).toMatchObject({ enqueued: 5, delivered: 3, collapsed: 2 });
  });

  it('uses a custom key (type + symbol) and never collapses non-collapsible or undroppable events', () => {
    const lane = new CollapseLaneBuffer({ capacity: 10, collapseKey: (e) => `${e.eventType}:${String(e.payload.symbol)}` });
    lane.offer(ev('a1', { canCollapse: true, symbol: 'AAPL' }), 0);
    lane.offer(ev('m1', { canCollapse: true, symbol: 'MSFT' }), 0);
    lane.offer(ev('a2', { canCollapse: true, symbol: 'AAPL' }), 0);
    lane.offer(ev('x1', { canCollapse: false, symbol: 'AAPL' }), 0);
    lane.offer(ev('k1', { canCollapse: true, canDrop: false, symbol: 'MSFT' }), 0);
    expect(drainIds(lane)).toEqual(['a2', 'm1', 'x1', 'k1']);
  });

  it('a throwing key function loses no event and is reported', () => {
    const r = recorder();
    const lane = new CollapseLaneBuffer({
      capacity: 10,
      collapseKey: (e) => {
        if (e.eventId === 'bad') throw new Error('no symbol');
        return e.eventType;
      },
      onError: (error, failure) => r.failures.push([error, failure]),
    });
    lane.offer(ev('a', { canCollapse: true }), 0);
    lane.offer(ev('bad', { canCollapse: true }), 0);
    expect(drainIds(lane)).toEqual(['a', 'bad']);
    expect(r.failures).toHaveLength(1);
    expect(r.failures[0]?.[1]).toMatchObject({ sink: 'collapseKey' });
    expect(lane.counters.sinkFailures).toBe(1);
  });

  it('when full and nothing collapses, evicts the oldest droppable', () => {
    const r = recorder();
    const lane = new CollapseLaneBuffer({ capacity: 2, onDrop: (d) => r.drops.push(d) });
    lane.offer(ev('a', { type: 'RISK_EVALUATE', canCollapse: true }), 0);
    lane.offer(ev('b', { type: 'SIGNAL_GENERATED', canCollapse: true }), 0);
    lane.offer(ev('c', { type: 'STRATEGY_EVALUATE', canCollapse: true }), 0);
    lane.offer(ev('d', { type: 'RISK_EVALUATE', canCollapse: true }), 0); // a was evicted, so no collapse
    expect(r.drops.map((d) => [d.event.eventId, d.reason])).toEqual([
      ['a', 'evicted'],
      ['b', 'evicted'],
    ]);
    expect(drainIds(lane)).toEqual(['c', 'd']);
  });
});

describe('SAMPLE core', () => {
  it('admits exactly the N-th, 2N-th … arrival while full and rejects the rest', () => {
    const r = recorder();
    const lane = new SampleLaneBuffer({ capacity: 2, sampleRate: 0.25, onDrop: (d) => r.drops.push(d) });
    const outcomes = Array.from({ length: 10 }, (_, i) => lane.offer(ev(`e${i}`), i));
    const { QUEUED: Q, REJECTED: R } = OfferOutcome;
    expect(outcomes).toEqual([Q, Q, R, R, R, Q, R, R, R, Q]);
    expect(r.drops.map((d) => `${d.event.eventId}:${d.reason}`)).toEqual([
      'e2:sampled',
      'e3:sampled',
      'e4:sampled',
      'e0:evicted',
      'e6:sampled',
      'e7:sampled',
      'e8:sampled',
      'e1:evicted',
    ]);
    expect(drainIds(lane)).toEqual(['e5', 'e9']);
    expect(lane.counters).toMatchObject({ enqueued: 10, rejected: 6, evicted: 2, delivered: 2 });
  });

  it('restarts the counter when an arrival finds room', () => {
    const lane = new SampleLaneBuffer({ capacity: 1, sampleRate: 0.5 });
    const { QUEUED: Q, REJECTED: R } = OfferOutcome;
    expect([lane.offer(ev('a'), 0), lane.offer(ev('b'), 0)]).toEqual([Q, R]);
    lane.poll(0);
    expect([lane.offer(ev('c'), 0), lane.offer(ev('d'), 0), lane.offer(ev('e'), 0)]).toEqual([Q, R, Q]);
  });

  it('never samples an undroppable event', () => {
    const lane = new SampleLaneBuffer({ capacity: 1, sampleRate: 0.1 });
    lane.offer(ev('d'), 0);
    expect(lane.offer(ev('k1', { canDrop: false }), 0)).toBe(OfferOutcome.QUEUED);
    expect(lane.offer(ev('k2', { canDrop: false }), 0)).toBe(OfferOutcome.HELD);
    expect(drainIds(lane)).toEqual(['k1', 'k2']);
  });
});

describe('sink isolation and clear', () => {
  it('a throwing onDrop / onRelease is reported and the core stays consistent', () => {
    const r = recorder();
    const lane = new DropOldestLaneBuffer({
      capacity: 1,
      onDrop: () => {
        throw new Error('sink down');
      },
      onRelease: () => {
        throw new Error('release sink down');
      },
      onError: (error, failure) => r.failures.push([error, failure]),
    });
    lane.offer(ev('a'), 0);
    lane.offer(ev('b'), 0);
    lane.offer(ev('k1', { canDrop: false }), 0);
    lane.offer(ev('k2', { canDrop: false }), 0);
    expect(drainIds(lane)).toEqual(['k1', 'k2']);
    expect(r.failures.map(([, f]) => `${f.sink}:${f.event.eventId}`)).toEqual(['onDrop:a', 'onDrop:b', 'onRelease:k2']);
    expect(lane.counters).toMatchObject({ enqueued: 4, delivered: 2, evicted: 2, sinkFailures: 3 });
  });

  it('a sink may re-enter the buffer', () => {
    const lane: DropOldestLaneBuffer = new DropOldestLaneBuffer({
      capacity: 2,
      onDrop: (d) => {
        if (d.event.eventId === 'a') lane.offer(ev('from-sink'), 0);
      },
    });
    lane.offer(ev('a'), 0);
    lane.offer(ev('b'), 0);
    lane.offer(ev('c'), 0);
    expect(drainIds(lane)).toEqual(['c', 'from-sink']);
  });

  it('clear reports queued then held events as shutdown', () => {
    const r = recorder();
    const lane = new BlockLaneBuffer({ capacity: 1, priority: 0, onDrop: (d) => r.drops.push(d) });
    lane.offer(ev('a'), 0);
    lane.offer(ev('b'), 0);
    expect(lane.clear('shutdown', 7)).toBe(2);
    expect(r.drops.map((d) => `${d.event.eventId}:${d.reason}@${d.at}`)).toEqual(['a:shutdown@7', 'b:shutdown@7']);
    expect([lane.size, lane.heldCount, lane.counters.shutdown]).toEqual([0, 0, 2]);
  });

  it('peek shows the next event without removing it', () => {
    const lane = new DropOldestLaneBuffer({ capacity: 4 });
    expect(lane.peek()).toBeUndefined();
    lane.offer(ev('d'), 0);
    lane.offer(ev('k', { canDrop: false }), 0);
    expect(lane.peek()?.eventId).toBe('d');
    expect(lane.size).toBe(2);
  });

  it('grows its ring across wrap-around without losing order or collapse keys', () => {
    const lane = new CollapseLaneBuffer({ capacity: 100, collapseKey: (e) => e.eventId.slice(0, 3) });
    for (let i = 0; i < 10; i++) lane.offer(ev(`x${String(i).padStart(2, '0')}`, { canCollapse: true }), 0);
    for (let i = 0; i < 5; i++) lane.poll(0);
    for (let i = 10; i < 60; i++) lane.offer(ev(`y${String(i).padStart(2, '0')}`, { canCollapse: true }), 0);
    lane.offer(ev('x09-again', { canCollapse: true }), 0); // key 'x09'
    const ids = drainIds(lane);
    expect(ids.slice(0, 5)).toEqual(['x05', 'x06', 'x07', 'x08', 'x09-again']);
    expect(ids).toHaveLength(55);
  });
});
