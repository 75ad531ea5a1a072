import { describe, expect, it } from 'vitest';
import {
  LaneConfigError,
  OfferOutcome,
  createLaneBuffer,
  type DropRecord,
  type SinkFailure,
} from '../../src/index.js';
import { BlockLaneBuffer } from '../../src/event/buffer/block.js';
import { CollapseLaneBuffer } from '../../src/event/buffer/collapse.js';
import { DropOldestLaneBuffer } from '../../src/event/buffer/dropOldest.js';
import { SampleLaneBuffer } from '../../src/event/buffer/sample.js';
import { drainIds, ev } from '../support/events.js';

type Core = DropOldestLaneBuffer | SampleLaneBuffer | CollapseLaneBuffer;
const policies: [string, (capacity: number) => Core][] = [
  ['DROP_OLDEST', (capacity) => new DropOldestLaneBuffer({ capacity })],
  ['SAMPLE', (capacity) => new SampleLaneBuffer({ capacity })],
  ['COLLAPSE', (capacity) => new CollapseLaneBuffer({ capacity })],
];

describe('storage of undroppable events past the initial ring size', () => {
  it.each(policies)('%s keeps arrival order across 40 undroppable events interleaved with droppable ones', (_name, make) => {
    const lane = make(200);
    // A few in and out first, so the rings' positions no longer start at slot 0 when they grow.
    for (let i = 0; i < 5; i++) lane.offer(ev(`w${i}`), 0);
    for (let i = 0; i < 3; i++) lane.offer(ev(`wk${i}`, { canDrop: false }), 0);
    expect(drainIds(lane)).toEqual(['w0', 'w1', 'w2', 'w3', 'w4', 'wk0', 'wk1', 'wk2']);
    const arrived: string[] = [];
    for (let i = 0; i < 40; i++) {
      // 1, 2 or 3 droppable events, then one undroppable: the order needs each undroppable's mark.
      for (let j = 0; j <= i % 3; j++) {
        lane.offer(ev(`d${i}.${j}`), i);
        arrived.push(`d${i}.${j}`);
      }
      lane.offer(ev(`k${i}`, { canDrop: false }), i);
      arrived.push(`k${i}`);
    }
    expect(lane.size).toBe(arrived.length);
    expect(drainIds(lane)).toEqual(arrived);
  });

  it('keeps the enqueue time of each undroppable event across growth', () => {
    const lane = new DropOldestLaneBuffer({ capacity: 100 });
    for (let i = 0; i < 20; i++) lane.offer(ev(`k${i}`, { canDrop: false }), 1000 + i);
    const times: number[] = [];
    while (lane.size > 0) {
      times.push(lane.oldestEnqueuedAt);
      lane.poll(0);
    }
    expect(times).toEqual(Array.from({ length: 20 }, (_, i) => 1000 + i));
    expect(lane.oldestEnqueuedAt).toBeNaN();
  });

  it('admits 20 held undroppable events in order, each with its arrival time, once room frees', () => {
    const released: string[] = [];
    const lane = new DropOldestLaneBuffer({ capacity: 2, onRelease: (e) => released.push(e.eventId) });
    lane.offer(ev('k-a', { canDrop: false }), 0);
    lane.offer(ev('k-b', { canDrop: false }), 0);
    for (let i = 0; i < 20; i++) expect(lane.offer(ev(`h${i}`, { canDrop: false }), 10 + i)).toBe(OfferOutcome.HELD);
    expect(lane.heldCount).toBe(20);
    const polled: string[] = [];
    const times: number[] = [];
    for (let e = lane.poll(0); e !== undefined; e = lane.poll(0)) {
      polled.push(e.eventId);
      times.push(lane.lastPolledEnqueuedAt);
    }
    expect(polled).toEqual(['k-a', 'k-b', ...Array.from({ length: 20 }, (_, i) => `h${i}`)]);
    expect(times.slice(2)).toEqual(Array.from({ length: 20 }, (_, i) => 10 + i));
    expect(released).toEqual(Array.from({ length: 20 }, (_, i) => `h${i}`));
    expect(lane.counters).toMatchObject({ enqueued: 22, delivered: 22, blocked: 20, released: 20 });
  });
});

describe('what a refused arrival is counted as', () => {
  it('DROP_OLDEST counts a refused droppable arrival as evicted, not rejected', () => {
    const drops: DropRecord[] = [];
    const lane = new DropOldestLaneBuffer({ capacity: 1, onDrop: (d) => drops.push(d) });
    lane.offer(ev('k', { canDrop: false }), 0);
    expect(lane.offer(ev('d'), 3)).toBe(OfferOutcome.REJECTED);
    expect(lane.counters).toMatchObject({ enqueued: 2, evicted: 1, rejected: 0, delivered: 0 });
    expect(drops.map((d) => `${d.event.eventId}:${d.reason}@${d.at}`)).toEqual(['d:evicted@3']);
  });

  it('SAMPLE counts a sampled-out arrival as rejected, and an admitted one evicts the oldest as evicted', () => {
    const drops: DropRecord[] = [];
    const lane = new SampleLaneBuffer({ capacity: 1, sampleRate: 0.5, onDrop: (d) => drops.push(d) });
    lane.offer(ev('a'), 0);
    expect([lane.offer(ev('b'), 1), lane.offer(ev('c'), 2)]).toEqual([OfferOutcome.REJECTED, OfferOutcome.QUEUED]);
    expect(lane.counters).toMatchObject({ enqueued: 3, evicted: 1, rejected: 1 });
    expect(drops.map((d) => `${d.event.eventId}:${d.reason}@${d.at}`)).toEqual(['b:sampled@1', 'a:evicted@2']);
  });

  it('SAMPLE refuses its N-th arrival as sampled when only undroppable events are queued', () => {
    const drops: DropRecord[] = [];
    const lane = new SampleLaneBuffer({ capacity: 1, sampleRate: 1, onDrop: (d) => drops.push(d) });
    lane.offer(ev('k', { canDrop: false }), 0);
    expect(lane.offer(ev('d'), 4)).toBe(OfferOutcome.REJECTED);
    expect(lane.counters).toMatchObject({ rejected: 1, evicted: 0 });
    expect(drops.map((d) => `${d.event.eventId}:${d.reason}`)).toEqual(['d:sampled']);
    expect(drainIds(lane)).toEqual(['k']);
  });

  it('SAMPLE holds an undroppable arrival when only undroppable events are queued, without advancing its counter', () => {
    const lane = new SampleLaneBuffer({ capacity: 1, sampleRate: 0.5 });
    lane.offer(ev('d0'), 0);
    expect(lane.offer(ev('d1'), 0)).toBe(OfferOutcome.REJECTED); // 1st arrival while full
    expect(lane.offer(ev('k1', { canDrop: false }), 0)).toBe(OfferOutcome.QUEUED); // evicts d0
    expect(lane.offer(ev('k2', { canDrop: false }), 0)).toBe(OfferOutcome.HELD);
    expect(lane.offer(ev('d2'), 0)).toBe(OfferOutcome.REJECTED); // 2nd: admitted, but nothing droppable to evict
    expect(lane.counters).toMatchObject({ enqueued: 5, evicted: 1, rejected: 2, blocked: 1 });
    expect(drainIds(lane)).toEqual(['k1', 'k2']);
  });
});

describe('a lane without sinks', () => {
  it.each([
    ['DROP_OLDEST', () => new DropOldestLaneBuffer({ capacity: 1 })],
    ['SAMPLE', () => new SampleLaneBuffer({ capacity: 1, sampleRate: 0.5 })],
    ['COLLAPSE', () => new CollapseLaneBuffer({ capacity: 1 })],
  ] as const)('%s drops, holds and releases without counting a sink failure', (_name, make) => {
    const lane = make();
    lane.offer(ev('a', { canCollapse: true }), 0);
    lane.offer(ev('b', { canCollapse: true }), 0);
    lane.offer(ev('c'), 0);
    lane.offer(ev('k1', { canDrop: false }), 0);
    lane.offer(ev('k2', { canDrop: false }), 0);
    lane.offer(ev('e'), 0);
    expect(drainIds(lane)).toEqual(['k1', 'k2']);
    lane.offer(ev('x'), 0);
    lane.clear('shutdown', 1);
    expect(lane.counters.sinkFailures).toBe(0);
    expect(lane.counters.shutdown).toBe(1);
  });

  it('a collapse key that throws without onError is still counted as a sink failure', () => {
    const lane = new CollapseLaneBuffer({
      capacity: 4,
      collapseKey: () => {
        throw new Error('no key');
      },
    });
    expect(lane.offer(ev('a', { canCollapse: true }), 0)).toBe(OfferOutcome.QUEUED);
    expect(lane.counters.sinkFailures).toBe(1);
    expect(lane.size).toBe(1);
  });

  it('an onError that throws is ignored and the failure still counted', () => {
    const lane = new DropOldestLaneBuffer({
      capacity: 1,
      onDrop: () => {
        throw new Error('drop sink down');
      },
      onError: () => {
        throw new Error('error sink down');
      },
    });
    lane.offer(ev('a'), 0);
    expect(lane.offer(ev('b'), 0)).toBe(OfferOutcome.QUEUED);
    expect(lane.counters.sinkFailures).toBe(1);
    expect(drainIds(lane)).toEqual(['b']);
  });

  it('hands onError the thrown error, the failing sink and the event, frozen', () => {
    const failures: [unknown, SinkFailure][] = [];
    const boom = new Error('sink down');
    const lane = new DropOldestLaneBuffer({
      capacity: 1,
      onDrop: () => {
        throw boom;
      },
      onError: (error, failure) => failures.push([error, failure]),
    });
    lane.offer(ev('a'), 0);
    lane.offer(ev('b'), 0);
    expect(failures).toHaveLength(1);
    expect(failures[0]![0]).toBe(boom);
    expect(failures[0]![1]).toEqual({ sink: 'onDrop', event: expect.objectContaining({ eventId: 'a' }) });
    expect(Object.isFrozen(failures[0]![1])).toBe(true);
  });
});

describe('collapse keys', () => {
  it('a key function that gives no key makes that event non-collapsible and is reported', () => {
    const failures: [unknown, SinkFailure][] = [];
    const drops: DropRecord[] = [];
    const lane = new CollapseLaneBuffer({
      capacity: 4,
      collapseKey: (e) => (e.eventId.startsWith('n') ? undefined : 'same'),
      onDrop: (d) => drops.push(d),
      onError: (error, failure) => failures.push([error, failure]),
    });
    lane.offer(ev('n1', { canCollapse: true }), 0);
    lane.offer(ev('n2', { canCollapse: true }), 0);
    expect(drainIds(lane)).toEqual(['n1', 'n2']);
    expect(drops).toEqual([]);
    expect(failures.map(([error, f]) => [(error as Error).name, (error as Error).message, f.sink, f.event.eventId])).toEqual([
      ['TypeError', 'collapseKey: expected a key, got nothing', 'collapseKey', 'n1'],
      ['TypeError', 'collapseKey: expected a key, got nothing', 'collapseKey', 'n2'],
    ]);
    expect(lane.counters).toMatchObject({ collapsed: 0, sinkFailures: 2 });
  });

  it('a key that is not a string collapses as a Map key does', () => {
    const lane = new CollapseLaneBuffer({ capacity: 4, collapseKey: (e) => Number(e.eventId.slice(1)) % 2 });
    for (const id of ['x1', 'x2', 'x3', 'x4']) lane.offer(ev(id, { canCollapse: true }), 0);
    expect(drainIds(lane)).toEqual(['x3', 'x4']);
  });

  it('collapses only when the arrival is both collapsible and droppable', () => {
    const lane = new CollapseLaneBuffer({ capacity: 8 });
    lane.offer(ev('a', { canCollapse: true }), 0);
    lane.offer(ev('b', { canCollapse: true, canDrop: false }), 0);
    lane.offer(ev('c', { canCollapse: false }), 0);
    lane.offer(ev('d', { canCollapse: true }), 0);
    expect(drainIds(lane)).toEqual(['d', 'b', 'c']);
    expect(lane.counters.collapsed).toBe(1);
  });

  it('does not call the key function for an event that cannot collapse', () => {
    const seen: string[] = [];
    const lane = new CollapseLaneBuffer({
      capacity: 8,
      collapseKey: (e) => {
        seen.push(e.eventId);
        return e.eventType;
      },
    });
    lane.offer(ev('a', { canCollapse: true }), 0);
    lane.offer(ev('b', { canCollapse: false }), 0);
    lane.offer(ev('c', { canCollapse: true, canDrop: false }), 0);
    expect(seen).toEqual(['a']);
  });

  it('when full, an arrival that collapses replaces in place rather than evicting', () => {
    const drops: DropRecord[] = [];
    const lane = new CollapseLaneBuffer({ capacity: 2, onDrop: (d) => drops.push(d) });
    lane.offer(ev('a', { canCollapse: true, type: 'STRATEGY_EVALUATE' }), 0);
    lane.offer(ev('b', { canCollapse: true, type: 'PRICE_TICK' }), 0);
    expect(lane.offer(ev('c', { canCollapse: true, type: 'STRATEGY_EVALUATE' }), 1)).toBe(OfferOutcome.QUEUED);
    expect(drops.map((d) => `${d.event.eventId}:${d.reason}`)).toEqual(['a:collapsed']);
    expect(drainIds(lane)).toEqual(['c', 'b']);
  });

  it('a full lane evicts the oldest and keeps the arrival collapsible under its key', () => {
    const lane = new CollapseLaneBuffer({ capacity: 2, collapseKey: (e) => e.eventId[0]! });
    lane.offer(ev('a1', { canCollapse: true }), 0);
    lane.offer(ev('b1', { canCollapse: true }), 0);
    lane.offer(ev('c1', { canCollapse: true }), 0); // evicts a1
    lane.offer(ev('c2', { canCollapse: true }), 0); // collapses c1
    expect(drainIds(lane)).toEqual(['b1', 'c2']);
    expect(lane.counters).toMatchObject({ evicted: 1, collapsed: 1 });
  });
});

describe('constructor checks', () => {
  const makers: [string, (options: never) => unknown][] = [
    ['BLOCK', (o) => new BlockLaneBuffer(o)],
    ['DROP_OLDEST', (o) => new DropOldestLaneBuffer(o)],
    ['COLLAPSE', (o) => new CollapseLaneBuffer(o)],
    ['SAMPLE', (o) => new SampleLaneBuffer(o)],
  ];

  it.each(makers)('%s refuses missing or null options, naming them', (_name, make) => {
    expect(() => make(null as never)).toThrow(new LaneConfigError('options', 'an options object', null));
    expect(() => make(null as never)).toThrow('options: expected an options object, got null');
    expect(() => make(undefined as never)).toThrow('options: expected an options object, got nothing');
  });

  it('createLaneBuffer refuses null options, naming them', () => {
    expect(() => createLaneBuffer(null as never)).toThrow('options: expected an options object, got null');
    expect(() => createLaneBuffer(7 as never)).toThrow('options: expected an options object, got 7');
  });

  it.each(['onDrop', 'onRelease', 'onError'])('refuses an %s that is not a function, naming it', (sink) => {
    expect(() => new DropOldestLaneBuffer({ capacity: 1, [sink]: 'log' } as never)).toThrow(`${sink}: expected a function or undefined, got "log"`);
    expect(() => new DropOldestLaneBuffer({ capacity: 1, [sink]: null } as never)).toThrow(LaneConfigError);
  });

  it.each([4, -1, 1.5, '1'])('refuses priority %s, naming it', (priority) => {
    expect(() => new DropOldestLaneBuffer({ capacity: 1, priority: priority as never })).toThrow(/^priority: expected an EventPriority \(0, 1, 2 or 3\), got /);
  });

  it.each([0, 1, 2, 3] as const)('accepts priority %s and writes it into every drop record', (priority) => {
    const drops: DropRecord[] = [];
    const lane = new DropOldestLaneBuffer({ capacity: 1, priority, onDrop: (d) => drops.push(d) });
    lane.offer(ev('a'), 0);
    lane.offer(ev('b'), 5);
    expect(drops).toEqual([{ event: expect.objectContaining({ eventId: 'a' }), reason: 'evicted', priority, at: 5 }]);
  });

  it("without a priority, each drop record carries its event's priority", () => {
    const drops: DropRecord[] = [];
    const lane = new DropOldestLaneBuffer({ capacity: 1, onDrop: (d) => drops.push(d) });
    lane.offer({ ...ev('a'), priority: 1 }, 0);
    lane.offer({ ...ev('b'), priority: 3 }, 0);
    lane.offer(ev('c'), 0);
    expect(drops.map((d) => d.priority)).toEqual([1, 3]);
  });

  it('createLaneBuffer passes the lane priority, sample rate and collapse key to the core', () => {
    const drops: DropRecord[] = [];
    const sample = createLaneBuffer({ policy: 'SAMPLE', capacity: 1, priority: 3, sampleRate: 0.25, onDrop: (d) => drops.push(d) });
    expect((sample as SampleLaneBuffer).sampleEvery).toBe(4);
    sample.offer(ev('a'), 0);
    sample.offer(ev('b'), 0);
    expect(drops[0]!.priority).toBe(3);
    const collapse = createLaneBuffer({ policy: 'COLLAPSE', capacity: 4, priority: 2, collapseKey: (e) => e.eventId.slice(0, 1) });
    collapse.offer(ev('x1', { canCollapse: true }), 0);
    collapse.offer(ev('x2', { canCollapse: true }), 0);
    expect(drainIds(collapse)).toEqual(['x2']);
    expect(createLaneBuffer({ policy: 'BLOCK', capacity: 3, priority: 0 }).capacity).toBe(3);
  });

  it('createLaneBuffer names every policy when the policy is unknown', () => {
    expect(() => createLaneBuffer({ policy: 'LIFO' as never, capacity: 5, priority: 3 })).toThrow(
      'policy: expected one of BLOCK, DROP_OLDEST, COLLAPSE, SAMPLE, got "LIFO"',
    );
  });

  it('SAMPLE refuses a sample rate given as text, even one that reads as a number in (0, 1]', () => {
    expect(() => new SampleLaneBuffer({ capacity: 1, sampleRate: '0.5' as never })).toThrow('sampleRate: expected a number in (0, 1], got "0.5"');
  });

  it('SAMPLE defaults to a sample rate of 0.1 (one in ten)', () => {
    expect(new SampleLaneBuffer({ capacity: 1 }).sampleEvery).toBe(10);
    expect(new SampleLaneBuffer({ capacity: 1, sampleRate: 1 }).sampleEvery).toBe(1);
  });
});

describe('LaneConfigError', () => {
  it('names the option, what it must be and what came, in the message and as fields', () => {
    const error = new LaneConfigError('capacity', 'a positive integer', -5);
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('LaneConfigError');
    expect([error.option, error.expected, error.got]).toEqual(['capacity', 'a positive integer', -5]);
    expect(error.message).toBe('capacity: expected a positive integer, got -5');
  });

  it('shows what came as a reader would write it', () => {
    const got = (value: unknown): string => new LaneConfigError('x', 'y', value).message.slice('x: expected y, got '.length);
    const circular: Record<string, unknown> = {};
    circular['self'] = circular;
    expect([
      got('text'),
      got(() => 1),
      got(1.5),
      got(true),
      got(undefined),
      got(null),
      got({ a: [1] }),
      got(Symbol('s')),
      got(circular),
      got(10n),
    ]).toEqual(['"text"', 'a function', '1.5', 'true', 'nothing', 'null', 'a mapping', 'a symbol', 'a mapping', '10n']);
  });
});

describe('counters and clearing', () => {
  it('derives delivered from the accounting identity as events are polled, held and cleared', () => {
    const lane = new BlockLaneBuffer({ capacity: 2 });
    for (const id of ['a', 'b', 'c', 'd']) lane.offer(ev(id), 0);
    expect(lane.counters).toEqual({ enqueued: 4, delivered: 0, evicted: 0, collapsed: 0, rejected: 0, blocked: 2, released: 0, shutdown: 0, sinkFailures: 0 });
    lane.poll(0);
    expect(lane.counters).toMatchObject({ delivered: 1, released: 1 });
    expect(lane.withdrawHeld().map((e) => e.eventId)).toEqual(['d']);
    expect(lane.counters).toMatchObject({ delivered: 1, shutdown: 1 });
    expect(Object.isFrozen(lane.counters)).toBe(true);
  });

  it('withdraws held events without reporting them to onDrop', () => {
    const drops: DropRecord[] = [];
    const lane = new BlockLaneBuffer({ capacity: 1, onDrop: (d) => drops.push(d) });
    lane.offer(ev('a'), 0);
    lane.offer(ev('b'), 0);
    lane.offer(ev('c'), 0);
    expect(lane.withdrawHeld().map((e) => e.eventId)).toEqual(['b', 'c']);
    expect(drops).toEqual([]);
    expect([lane.size, lane.heldCount, lane.counters.shutdown]).toEqual([1, 0, 2]);
  });

  it('clears queued events oldest first across both rings, then held ones', () => {
    const drops: DropRecord[] = [];
    const lane = new DropOldestLaneBuffer({ capacity: 3, onDrop: (d) => drops.push(d) });
    lane.offer(ev('d1'), 0);
    lane.offer(ev('k1', { canDrop: false }), 0);
    lane.offer(ev('d2'), 0);
    lane.offer(ev('k2', { canDrop: false }), 0); // evicts d1
    lane.poll(0); // k1
    lane.offer(ev('k3', { canDrop: false }), 0); // evicts d2
    lane.offer(ev('k4', { canDrop: false }), 0); // held
    drops.length = 0;
    expect(lane.clear('shutdown', 9)).toBe(3);
    expect(drops.map((d) => `${d.event.eventId}:${d.reason}@${d.at}`)).toEqual(['k2:shutdown@9', 'k3:shutdown@9', 'k4:shutdown@9']);
    expect(lane.poll(0)).toBeUndefined();
  });

  it('peeks at the undroppable head once the droppable events before it have left', () => {
    const lane = new DropOldestLaneBuffer({ capacity: 4 });
    lane.offer(ev('d1'), 0);
    lane.offer(ev('k1', { canDrop: false }), 1);
    lane.offer(ev('d2'), 2);
    expect([lane.peek()?.eventId, lane.oldestEnqueuedAt]).toEqual(['d1', 0]);
    lane.poll(0);
    expect([lane.peek()?.eventId, lane.oldestEnqueuedAt]).toEqual(['k1', 1]);
    lane.poll(0);
    expect([lane.peek()?.eventId, lane.oldestEnqueuedAt]).toEqual(['d2', 2]);
  });
});

describe('BLOCK', () => {
  it('holds an arrival while others wait even when a poll has just freed room', () => {
    const lane = new BlockLaneBuffer({ capacity: 1 });
    lane.offer(ev('a'), 0);
    lane.offer(ev('b'), 0);
    lane.offer(ev('c'), 0);
    lane.poll(0); // a leaves, b is admitted; c still waits
    expect(lane.offer(ev('d'), 0)).toBe(OfferOutcome.HELD);
    expect(drainIds(lane)).toEqual(['b', 'c', 'd']);
  });
});

