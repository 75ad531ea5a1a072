import { VirtualTimeScheduler } from 'rxjs';
import { describe, expect, it } from 'vitest';
import {
  BoundedQueue,
  CollapsingQueue,
  EventValidationError,
  LANE_KEYS,
  defaultEventConfig,
  LaneConfigError,
  QueueClosedError,
  RingBuffer,
  SamplingQueue,
  type DropRecord,
  type Event,
} from '../../src/index.js';
import { ev } from '../support/events.js';

/** Lets settled Promises run their callbacks. */
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Runs the virtual scheduler's actions due up to `time`, then lets Promises settle. */
async function advanceTo(scheduler: VirtualTimeScheduler, time: number): Promise<void> {
  scheduler.maxFrames = time;
  scheduler.flush();
  await settle();
}

/** Records how a promise settled, so a test can look without awaiting. */
function track<T>(promise: Promise<T>): { settled: boolean; value?: T; error?: unknown } {
  const state: { settled: boolean; value?: T; error?: unknown } = { settled: false };
  promise.then(
    (value) => Object.assign(state, { settled: true, value }),
    (error: unknown) => Object.assign(state, { settled: true, error }),
  );
  return state;
}

const ids = (events: readonly (Event | undefined)[] | undefined): (string | undefined)[] => (events ?? []).map((e) => e?.eventId);

describe('queue defaults and options', () => {
  it('uses the default lane capacities (100, 10 000, 1000, 50 000)', () => {
    expect(new BoundedQueue().capacity()).toBe(100);
    expect(new RingBuffer().capacity()).toBe(10_000);
    expect(new CollapsingQueue().capacity()).toBe(1000);
    expect(new SamplingQueue().capacity()).toBe(50_000);
  });

  it('takes the default capacity of each class from its lane in the shipped config/event.yaml', () => {
    const lanes = defaultEventConfig().queues;
    expect([new BoundedQueue(), new RingBuffer(), new CollapsingQueue(), new SamplingQueue()].map((q) => q.capacity())).toEqual(
      LANE_KEYS.map((key) => lanes[key].capacity),
    );
    expect([lanes.p0.overflowPolicy, lanes.p1.overflowPolicy, lanes.p2.overflowPolicy, lanes.p3.overflowPolicy]).toEqual(['BLOCK', 'DROP_OLDEST', 'COLLAPSE', 'SAMPLE']);
  });

  it('rejects bad options with a typed error naming them', () => {
    expect(() => new RingBuffer({ capacity: -5 })).toThrow(new LaneConfigError('capacity', 'a positive integer', -5));
    expect(() => new SamplingQueue({ sampleRate: 2 })).toThrow('sampleRate: expected a number in (0, 1], got 2');
  });

  it('rejects an invalid event and a bad timeout; nothing else changes', async () => {
    const queue = new RingBuffer({ capacity: 2 });
    await expect(queue.put({ eventType: 'NOPE' } as unknown as Event)).rejects.toBeInstanceOf(EventValidationError);
    await expect(queue.get(-1)).rejects.toThrow('timeoutMs: expected a non-negative number');
    await expect(queue.getBatch(0, 10)).rejects.toThrow('maxCount: expected a positive integer, got 0');
    expect(queue.size()).toBe(0);
    expect(queue.counters.enqueued).toBe(0);
  });
});

describe('BoundedQueue (BLOCK)', () => {
  it('producers waiting on a full queue are served FIFO', async () => {
    const scheduler = new VirtualTimeScheduler();
    const queue = new BoundedQueue({ capacity: 1, scheduler });
    const order: string[] = [];
    await queue.put(ev('a'));
    const puts = ['b', 'c', 'd'].map((id) => queue.put(ev(id)).then(() => order.push(id)));
    await settle();
    expect(order).toEqual([]);
    expect([queue.isFull(), queue.waitingProducers()]).toEqual([true, 3]);
    expect(ids([await queue.get(), await queue.get()])).toEqual(['a', 'b']);
    await settle();
    expect(order).toEqual(['b', 'c']);
    expect(ids([await queue.get(), await queue.get()])).toEqual(['c', 'd']);
    await Promise.all(puts);
    expect(order).toEqual(['b', 'c', 'd']);
  });
});

describe('waiting consumers', () => {
  it('get(0) never waits; get(t) waits at most t virtual ms', async () => {
    const scheduler = new VirtualTimeScheduler();
    const queue = new RingBuffer({ capacity: 4, scheduler });
    expect(await queue.get()).toBeUndefined();
    const waiting = track(queue.get(50));
    await advanceTo(scheduler, 49);
    expect(waiting.settled).toBe(false);
    await advanceTo(scheduler, 50);
    expect(waiting).toEqual({ settled: true, value: undefined });
  });

  it('consumers waiting on get are served FIFO as events arrive', async () => {
    const scheduler = new VirtualTimeScheduler();
    const queue = new RingBuffer({ capacity: 4, scheduler });
    const first = track(queue.get(Number.POSITIVE_INFINITY));
    const second = track(queue.get(100));
    const third = track(queue.get(100));
    scheduler.schedule(() => void queue.put(ev('x')), 10);
    scheduler.schedule(() => void queue.put(ev('y')), 20);
    await advanceTo(scheduler, 20);
    expect([first.value?.eventId, second.value?.eventId, third.settled]).toEqual(['x', 'y', false]);
    await advanceTo(scheduler, 100);
    expect(third).toEqual({ settled: true, value: undefined });
  });

  it('getBatch returns as soon as maxCount events are queued', async () => {
    const scheduler = new VirtualTimeScheduler();
    const queue = new RingBuffer({ capacity: 10, scheduler });
    const batch = track(queue.getBatch(3, 1000));
    for (const [t, id] of [[5, 'a'], [6, 'b'], [7, 'c'], [8, 'd']] as const) scheduler.schedule(() => void queue.put(ev(id)), t);
    await advanceTo(scheduler, 7);
    expect(ids(batch.value)).toEqual(['a', 'b', 'c']);
    await advanceTo(scheduler, 8);
    expect(queue.size()).toBe(1);
  });

  it('getBatch by timeout returns what arrived within t virtual ms, possibly []', async () => {
    const scheduler = new VirtualTimeScheduler();
    const queue = new RingBuffer({ capacity: 10, scheduler });
    const empty = track(queue.getBatch(5, 30));
    await advanceTo(scheduler, 30);
    expect(empty.value).toEqual([]);
    const partial = track(queue.getBatch(5, 30));
    scheduler.schedule(() => void queue.put(ev('a')), 10);
    scheduler.schedule(() => void queue.put(ev('b')), 20);
    await advanceTo(scheduler, 59);
    expect(partial.settled).toBe(false);
    await advanceTo(scheduler, 60);
    expect(ids(partial.value)).toEqual(['a', 'b']);
    expect(scheduler.now()).toBe(60);
  });

  it('a waiting getBatch keeps its place ahead of a later get', async () => {
    const scheduler = new VirtualTimeScheduler();
    const queue = new RingBuffer({ capacity: 10, scheduler });
    const batch = track(queue.getBatch(2, 100));
    const single = track(queue.get(100));
    await queue.put(ev('a'));
    await settle();
    expect([batch.settled, single.settled]).toEqual([false, false]);
    await queue.put(ev('b'));
    await queue.put(ev('c'));
    await settle();
    expect([ids(batch.value), single.value?.eventId]).toEqual([['a', 'b'], 'c']);
  });
});

describe('dropping queues', () => {
  it('RingBuffer: a put that evicts still resolves true and the eviction is reported', async () => {
    const drops: DropRecord[] = [];
    const queue = new RingBuffer({ capacity: 1, onDrop: (d) => drops.push(d) });
    expect([await queue.put(ev('a')), await queue.put(ev('b'))]).toEqual([true, true]);
    expect(drops.map((d) => `${d.event.eventId}:${d.reason}`)).toEqual(['a:evicted']);
  });

  it('CollapsingQueue collapses in place', async () => {
    const queue = new CollapsingQueue({ capacity: 5 });
    await queue.put(ev('s1', { canCollapse: true }));
    await queue.put(ev('o', { type: 'RISK_EVALUATE', canCollapse: true }));
    await queue.put(ev('s2', { canCollapse: true }));
    expect(ids(await queue.getBatch(5, 0))).toEqual(['s2', 'o']);
  });

  it('SamplingQueue: a sampled-out put resolves false', async () => {
    const queue = new SamplingQueue({ capacity: 1, sampleRate: 0.5 });
    expect([await queue.put(ev('a')), await queue.put(ev('b')), await queue.put(ev('c'))]).toEqual([true, false, true]);
    expect(ids([await queue.get()])).toEqual(['c']);
  });
});

describe('close()', () => {
  it('rejects pending puts and gets with QueueClosedError; queued events stay readable', async () => {
    const scheduler = new VirtualTimeScheduler();
    const full = new BoundedQueue({ capacity: 1, scheduler });
    await full.put(ev('a'));
    const pendingPut = full.put(ev('b'));
    const empty = new RingBuffer({ capacity: 1, scheduler });
    const pendingGet = empty.get(Number.POSITIVE_INFINITY);
    const pendingBatch = empty.getBatch(2, 100);
    full.close();
    empty.close();
    await expect(pendingPut).rejects.toEqual(new QueueClosedError('put'));
    await expect(pendingGet).rejects.toBeInstanceOf(QueueClosedError);
    await expect(pendingBatch).rejects.toThrow('getBatch: expected an open queue, got a closed one');
    await expect(full.put(ev('c'))).rejects.toBeInstanceOf(QueueClosedError);
    expect(ids([await full.get(10)])).toEqual(['a']);
    await expect(full.get(10)).rejects.toBeInstanceOf(QueueClosedError);
    expect(await full.get(0)).toBeUndefined();
    expect(full.counters).toMatchObject({ enqueued: 2, delivered: 1, shutdown: 1 });
    expect(scheduler.actions).toHaveLength(0);
  });
});
