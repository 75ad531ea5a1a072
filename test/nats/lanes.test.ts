// Lanes across processes against the live server: each overflow policy's JetStream mapping, demand
// = free capacity, acknowledgement (ack, nak with delay, term after max_deliver, working()), the
// dedupe window, and malformed messages. The deviations from the in-process lanes are asserted
// here as they are documented in docs/scale-out.md.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { jetstream } from '@nats-io/jetstream';
import { headers } from '@nats-io/transport-node';
import { EventDispatcher, createEvent, type DeepPartial, type Event, type EventConfig } from '../../src/index.js';
import {
  NatsLaneConsumer,
  NatsLanePublisher,
  ensureLaneStreams,
  laneStreamName,
  laneSubject,
  type DeadLetterRecord,
  type LaneTopology,
  type NatsIngestError,
} from '../../src/nats/index.js';
import { liveNatsUrl, openNatsTest, type NatsTestContext } from './context.js';
import { eventually, eventuallyAsync } from './server.js';

const fill = (i: number): Event => createEvent('FILL_CONFIRMED', { source: 'test', payload: { i } });
const tick = (i: number): Event => createEvent('PRICE_TICK', { source: 'test', payload: { i } });

describe.runIf(liveNatsUrl !== null)('lanes on JetStream (live server)', () => {
  let t: NatsTestContext;
  beforeEach(async () => {
    t = await openNatsTest();
  });
  afterEach(async () => {
    await t.dispose();
  });

  /** A dispatcher, a consumer feeding it and a publisher, on a fresh topology. */
  async function lanes(options: {
    topology?: Parameters<NatsTestContext['topology']>[0];
    dispatcher?: DeepPartial<EventConfig>;
    consumer?: Partial<Parameters<typeof NatsLaneConsumer.start>[1]>;
    startConsumer?: boolean;
    collapseKey?: (event: Event) => string;
  } = {}): Promise<{ topology: LaneTopology; dispatcher: EventDispatcher; publisher: NatsLanePublisher; consumer: () => Promise<NatsLaneConsumer> }> {
    const topology = t.topology(options.topology);
    await ensureLaneStreams(t.jsm, topology);
    const dispatcher = new EventDispatcher(options.dispatcher ?? {}, options.collapseKey === undefined ? {} : { collapseKey: options.collapseKey });
    await dispatcher.start();
    const publisher = new NatsLanePublisher(t.nc, { topology });
    let started: NatsLaneConsumer | null = null;
    const consumer = async (): Promise<NatsLaneConsumer> => {
      started ??= await NatsLaneConsumer.start(t.nc, { topology, dispatcher, nakDelayMs: () => 20, ...options.consumer });
      return started;
    };
    t.defer(async () => {
      publisher.close();
      await started?.stop(1_000);
      await dispatcher.stop();
    });
    if (options.startConsumer !== false) await consumer();
    return { topology, dispatcher, publisher, consumer };
  }

  const streamMessages = async (topology: LaneTopology, priority: 0 | 1 | 2 | 3): Promise<number> =>
    (await t.jsm.streams.info(laneStreamName(topology.streamName, priority))).state.messages;

  it('P0: acks each event after its handlers succeeded; the work queue is empty after', async () => {
    const { topology, dispatcher, publisher, consumer } = await lanes({ startConsumer: false });
    const seen: number[] = [];
    dispatcher.registerHandler(0, (batch) => {
      for (const e of batch) seen.push(e.payload['i'] as number);
    });
    for (let i = 0; i < 50; i++) expect(await publisher.publish(fill(i))).toBe('stored');
    const c = await consumer();
    await eventually('50 acks', () => c.counters.acked === 50);
    expect(seen).toEqual([...Array(50).keys()]);
    expect(c.latency().count).toBe(50);
    await eventuallyAsync('an empty P0 stream', async () => (await streamMessages(topology, 0)) === 0);
  });

  it('P0: a full stream loses nothing: publishes wait and retry with the same message id until room frees', async () => {
    const { topology, dispatcher, publisher, consumer } = await lanes({ topology: { streamCapacity: { 0: 5 } }, startConsumer: false });
    const seen = new Map<number, number>();
    dispatcher.registerHandler(0, (batch) => {
      for (const e of batch) seen.set(e.payload['i'] as number, (seen.get(e.payload['i'] as number) ?? 0) + 1);
    });
    const publishes = Array.from({ length: 150 }, (_, i) => publisher.publish(fill(i)));
    await eventually('a full P0 stream refusing publishes', () => publisher.counters.retries > 0);
    expect(await streamMessages(topology, 0)).toBe(5);
    await consumer();
    const outcomes = await Promise.all(publishes);
    expect(outcomes.filter((o) => o === 'sampled')).toEqual([]);
    await eventually('150 handled', () => seen.size === 150);
    expect([...seen.values()].every((n) => n === 1)).toBe(true);
  });

  it('P0: a failing handler is nak’ed and retried, then termed after max_deliver with a dead-letter record', async () => {
    const { dispatcher, publisher, consumer } = await lanes({ topology: { maxDeliver: 3 }, startConsumer: false });
    let calls = 0;
    dispatcher.registerHandler(0, () => {
      calls += 1;
      throw new Error('broker rejected the booking');
    });
    const failures: unknown[] = [];
    dispatcher.failures$.subscribe((f) => failures.push(f));
    const c = await consumer();
    const dead: DeadLetterRecord[] = [];
    c.deadLetters$.subscribe((d) => dead.push(d));
    const event = fill(1);
    await publisher.publish(event);
    await eventually('a dead letter', () => dead.length === 1);
    expect(calls).toBe(3);
    expect(c.counters.naked).toBe(2);
    expect(c.counters.termed).toBe(1);
    expect(failures).toHaveLength(3);
    expect(dead[0]!.event.eventId).toBe(event.eventId);
    expect(dead[0]!.deliveries).toBe(3);
    expect((dead[0]!.failure.error as Error).message).toBe('broker rejected the booking');
    await new Promise((r) => setTimeout(r, 300));
    expect(calls).toBe(3); // termed: no further delivery
  });

  it('P0: a handler that fails once succeeds on redelivery and is acked', async () => {
    const { dispatcher, publisher } = await lanes();
    let calls = 0;
    const handled: string[] = [];
    dispatcher.registerHandler(0, (batch) => {
      calls += 1;
      if (calls === 1) throw new Error('transient');
      for (const e of batch) handled.push(e.eventId);
    });
    const event = fill(7);
    await publisher.publish(event);
    await eventually('handled on the second delivery', () => handled.length === 1);
    expect(handled).toEqual([event.eventId]);
  });

  it('P0: a handler longer than the ack wait keeps its message with working() and runs once', async () => {
    const { dispatcher, publisher, consumer } = await lanes({ topology: { ackWaitMs: 600 }, startConsumer: false });
    let calls = 0;
    dispatcher.registerHandler(0, async () => {
      calls += 1;
      await new Promise((r) => setTimeout(r, 1_800));
    });
    const c = await consumer();
    await publisher.publish(fill(1));
    await eventually('the ack', () => c.counters.acked === 1, 10_000);
    expect(calls).toBe(1);
    expect(c.counters.duplicates).toBe(0);
  });

  it('a redelivered event id acked within the window is acked again without reaching the handlers, and counted', async () => {
    const { topology, dispatcher, publisher, consumer } = await lanes({ startConsumer: false });
    const handled: string[] = [];
    dispatcher.registerHandler(0, (batch) => {
      for (const e of batch) handled.push(e.eventId);
    });
    const c = await consumer();
    const event = fill(1);
    await publisher.publish(event);
    await eventually('the first ack', () => c.counters.acked === 1);
    // The same event again under another message id, as a publisher retrying past the stream's duplicate window would.
    const h = headers();
    h.set('Qts-Enqueued-At', String(Date.now()));
    await jetstream(t.nc).publish(publisher.subjectOf(event), JSON.stringify(event), { msgID: 'another-id', headers: h });
    await eventually('the duplicate counted', () => c.counters.duplicates === 1);
    expect(handled).toEqual([event.eventId]);
    await eventuallyAsync('an empty P0 stream', async () => (await streamMessages(topology, 0)) === 0);
  });

  it('pulls only while the lane has room: demand = free capacity', async () => {
    const { topology, dispatcher, publisher, consumer } = await lanes({ dispatcher: { queues: { p1: { capacity: 20 } }, monitoring: { alerts: { p1Depth: { warning: 15, critical: 18 } } } }, startConsumer: false });
    for (let i = 0; i < 100; i++) await publisher.publish(tick(i));
    await consumer();
    // No P1 handler yet: the lane is paused and buffers; the consumer fills exactly its free capacity.
    await eventually('20 events in the lane', () => dispatcher.sampleMetrics().lanes[1]!.depth === 20);
    await new Promise((r) => setTimeout(r, 300));
    expect(dispatcher.sampleMetrics().lanes[1]!.depth).toBe(20);
    expect(dispatcher.sampleMetrics().lanes[1]!.evicted).toBe(0);
    expect(await streamMessages(topology, 1)).toBe(80);
    const seen: number[] = [];
    dispatcher.registerHandler(1, (batch) => {
      for (const e of batch) seen.push(e.payload['i'] as number);
    });
    await eventually('all 100 handled', () => seen.length === 100);
    expect(seen).toEqual([...Array(100).keys()]);
    expect(dispatcher.sampleMetrics().lanes[1]!.evicted).toBe(0);
  });

  it('P1 deviation: the stream evicts the oldest silently; the consumer reports the sequence gap', async () => {
    const { dispatcher, publisher, consumer } = await lanes({ topology: { streamCapacity: { 1: 10 } }, startConsumer: false });
    const seen: number[] = [];
    dispatcher.registerHandler(1, (batch) => {
      for (const e of batch) seen.push(e.payload['i'] as number);
    });
    for (let i = 0; i < 30; i++) await publisher.publish(tick(i));
    // A first message the consumer sees, then the backlog that overflowed.
    const c = await consumer();
    await eventually('10 handled', () => seen.length === 10);
    expect(seen).toEqual([20, 21, 22, 23, 24, 25, 26, 27, 28, 29]);
    // In-process DROP_OLDEST reports each evicted event; JetStream evicts silently, so only the gap is known.
    expect(c.counters.sequenceGaps).toBe(0); // the first delivery sets the baseline: a gap before it is invisible
    for (let i = 30; i < 35; i++) await publisher.publish(tick(i));
    await eventually('15 handled', () => seen.length === 15);
    dispatcher.setDegradationLevel('CRITICAL_ONLY'); // P1 paused: the lane fills, the consumer stops pulling
    for (let i = 35; i < 60; i++) await publisher.publish(tick(i));
    await new Promise((r) => setTimeout(r, 200));
    dispatcher.setDegradationLevel('NORMAL');
    await eventually('the rest handled', () => seen.at(-1) === 59);
    expect(seen.length + c.counters.sequenceGaps).toBe(40); // 20..59: every event was handled or counted as a gap
  });

  it('P2 deviation: the last value per type[.key] subject is kept, and the replacement moves to the back', async () => {
    const { dispatcher, publisher, consumer } = await lanes({ startConsumer: false, collapseKey: (e) => `${e.eventType}.${e.payload['symbol'] as string}` });
    const seen: string[] = [];
    dispatcher.registerHandler(2, (batch) => {
      for (const e of batch) seen.push(`${e.eventType}:${e.payload['v'] as string}`);
    });
    const keyed = new NatsLanePublisher(t.nc, { topology: publisher['options'].topology, collapseKey: (e) => e.payload['symbol'] as string });
    const signal = (symbol: string, v: string): Event => createEvent('SIGNAL_GENERATED', { payload: { symbol, v } });
    await keyed.publish(signal('A', 'A1'));
    await keyed.publish(signal('B', 'B1'));
    await keyed.publish(signal('A', 'A2'));
    keyed.close();
    await consumer();
    await eventually('two delivered', () => seen.length === 2);
    await new Promise((r) => setTimeout(r, 200));
    // In-process COLLAPSE would deliver A2 in A1's place: A2, B1. On JetStream A2 takes a new position.
    expect(seen).toEqual(['SIGNAL_GENERATED:B1', 'SIGNAL_GENERATED:A2']);
  });

  it('P3: below the stream capacity every event is published; at capacity 1 in N = round(1/sampleRate) is, the rest are reported', async () => {
    const { topology, publisher: base } = await lanes({ topology: { streamCapacity: { 3: 10 }, eventConfig: { queues: { p3: { sampleRate: 0.5 } } } }, startConsumer: false });
    base.close();
    const publisher = new NatsLanePublisher(t.nc, { topology, p3SizeRefreshMs: 0 });
    const drops: string[] = [];
    publisher.drops$.subscribe((d) => drops.push(`${d.reason}:${d.event.payload['i'] as number}`));
    const outcomes: string[] = [];
    for (let i = 0; i < 20; i++) outcomes.push(await publisher.publish(createEvent('LOG_WRITE', { payload: { i } })));
    publisher.close();
    expect(outcomes.slice(0, 10).every((o) => o === 'stored')).toBe(true);
    expect(outcomes.slice(10)).toEqual(['sampled', 'stored', 'sampled', 'stored', 'sampled', 'stored', 'sampled', 'stored', 'sampled', 'stored']);
    expect(drops).toEqual(['sampled:10', 'sampled:12', 'sampled:14', 'sampled:16', 'sampled:18']);
    expect(await streamMessages(topology, 3)).toBe(10);
  });

  it('a malformed message is termed and reported with its subject and sequence; the lane keeps running', async () => {
    const { topology, dispatcher, publisher, consumer } = await lanes({ startConsumer: false });
    const seen: number[] = [];
    dispatcher.registerHandler(1, (batch) => {
      for (const e of batch) seen.push(e.payload['i'] as number);
    });
    const c = await consumer();
    const errors: NatsIngestError[] = [];
    c.ingestErrors$.subscribe((e) => errors.push(e));
    const js = jetstream(t.nc);
    const subject = laneSubject(topology.prefix, 'default', 1, 'PRICE_TICK');
    await publisher.publish(tick(1));
    const bad1 = await js.publish(subject, 'not json {');
    const bad2 = await js.publish(subject, JSON.stringify({ eventType: 'NO_SUCH_TYPE', payload: {} }));
    const bad3 = await js.publish(subject, JSON.stringify(fill(9))); // a P0 event on the P1 lane
    await publisher.publish(tick(2));
    await eventually('both good events handled', () => seen.length === 2);
    await eventually('three errors', () => errors.length === 3);
    expect(seen).toEqual([1, 2]);
    expect(errors.map((e) => [e.subject, e.sequence])).toEqual([
      [subject, bad1.seq],
      [subject, bad2.seq],
      [subject, bad3.seq],
    ]);
    expect(errors[0]!.error.message).toContain(`${subject} (stream sequence ${bad1.seq}) body: expected an event as JSON`);
    expect(errors[1]!.error.field).toBe('eventType');
    expect(errors[2]!.error.message).toContain('priority: expected 1 (this lane), got 0 (FILL_CONFIRMED)');
    expect(c.counters.termed).toBe(3);
    await eventuallyAsync('an empty P1 stream', async () => (await streamMessages(topology, 1)) === 0);
  });
});
