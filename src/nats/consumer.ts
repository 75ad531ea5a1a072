/**
 * The consuming side of the lanes across processes: each lane pulls from its durable pull consumer
 * only while its in-process lane has room (demand = free capacity, as Alpakka Kafka and Reactor
 * Kafka tie polling to demand), and hands what it pulled to the same {@link EventDispatcher} an
 * embedded application uses, so handlers, batching, degradation and monitoring are unchanged.
 *
 * Acknowledgement follows the event's `requiresAck`:
 * - `requiresAck` events are acked once every handler of their batch succeeded
 *   (`dispatchAndWait`), nak'ed with a delay when a handler failed (the dispatcher's `failures$`
 *   has the FailureRecord), and termed when the failing delivery was the `max_deliver`-th (a
 *   dead-letter record on `deadLetters$`). While such an event is in flight its message is kept
 *   alive with `working()`, so a long handler is not redelivered elsewhere.
 * - other events are acked once their lane accepted them (they are droppable in-process anyway).
 *
 * Delivery is at least once; an event id acked within the last `dedupeWindow` ids (or still in
 * flight here) is not handed to the dispatcher again: it is acked (or left to its first delivery)
 * and counted in `counters.duplicates`.
 */
import { Subject, asyncScheduler, type Observable, type SchedulerLike, type Subscription } from 'rxjs';
import { jetstream, jetstreamManager, type Consumer, type ConsumerMessages, type JetStreamClient, type JetStreamManager, type JsMsg } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { EVENT_PRIORITIES, type Event, type EventPriority } from '../event/contracts.js';
import type { DispatcherTelemetry } from '../event/dispatcher/index.js';
import type { DispatcherMetrics } from '../event/monitoring.js';
import { LatencyHistogram, type LatencySummary } from '../event/histogram.js';
import { decodeEvent } from './codec.js';
import type { MalformedMessageError } from './errors.js';
import type { ConsumerCounters, DeadLetterRecord, NatsIngestError, PullErrorRecord, SequenceGapRecord } from './records.js';
import { RecentIds } from './recentIds.js';
import { ANY_ACCOUNT, laneStreamName } from './subjects.js';
import { ensureLaneConsumer, type LaneTopology } from './topology.js';
import { classifyDispatchError } from './dispatchOutcome.js';

/** What the consumer needs of a dispatcher (an `EventDispatcher` is one). */
export interface LaneDispatcher {
  /** Resolves when the lane accepted the event. */
  dispatch(event: Event): Promise<void>;
  /** Resolves when every handler of the batch that carried the event succeeded. */
  dispatchAndWait(event: Event): Promise<void>;
  sampleMetrics(): DispatcherMetrics;
  readonly telemetry$: Observable<DispatcherTelemetry>;
}

/** Options of {@link NatsLaneConsumer.start}. */
export interface NatsLaneConsumerOptions {
  readonly topology: LaneTopology;
  /** Where pulled events go. */
  readonly dispatcher: LaneDispatcher;
  /** Lanes to consume (default all four). */
  readonly priorities?: readonly EventPriority[];
  /** The account to consume (default `*`: all accounts share one consumer per lane). */
  readonly account?: string;
  /** Delay before a failed delivery is redelivered, ms, by delivery count (default 250 × count, at most 5000). */
  readonly nakDelayMs?: (deliveries: number) => number;
  /** Acked event ids remembered for dropping redeliveries (default 100000). */
  readonly dedupeWindow?: number;
  /** Largest pull, messages (default 512). */
  readonly maxFetch?: number;
  /** How long one pull waits for messages, ms (default and least 1000: the client refuses shorter pulls). */
  readonly fetchExpiresMs?: number;
  /** Clock of the records and latencies (default `asyncScheduler`). */
  readonly scheduler?: SchedulerLike;
  /** Publish → handled latencies kept for `latency()` (default 10000). */
  readonly latencyWindow?: number;
}

interface InFlight {
  readonly msg: JsMsg;
  readonly since: number;
}

/** Pulls the lanes' messages into a dispatcher on demand; see the module comment. */
export class NatsLaneConsumer {
  /** Malformed messages, termed. */
  readonly ingestErrors$: Observable<NatsIngestError>;
  /** Events termed after `max_deliver` failing deliveries. */
  readonly deadLetters$: Observable<DeadLetterRecord>;
  /** P1 sequence gaps (evictions by the stream, as far as this instance can tell). */
  readonly sequenceGaps$: Observable<SequenceGapRecord>;
  /** Failed pulls (each retried), so a consumer that cannot pull is visible rather than silent. */
  readonly pullErrors$: Observable<PullErrorRecord>;
  readonly counters: ConsumerCounters = { received: 0, acked: 0, naked: 0, termed: 0, duplicates: 0, malformed: 0, sequenceGaps: 0, fetches: 0, pullErrors: 0 };

  private readonly ingestErrors = new Subject<NatsIngestError>();
  private readonly deadLetters = new Subject<DeadLetterRecord>();
  private readonly gaps = new Subject<SequenceGapRecord>();
  private readonly pullErrors = new Subject<PullErrorRecord>();
  private readonly js: JetStreamClient;
  private readonly scheduler: SchedulerLike;
  private readonly recent: RecentIds;
  private readonly inFlight = new Map<string, InFlight>();
  private readonly lastStreamSeq = new Map<EventPriority, number>();
  private readonly fetches = new Set<ConsumerMessages>();
  private readonly roomWaiters = new Map<EventPriority, () => void>();
  private readonly latencies: LatencyHistogram;
  private readonly loops: Promise<void>[] = [];
  private telemetry: Subscription | null = null;
  private workingTimer: NodeJS.Timeout | null = null;
  private pendingAcks: JsMsg[] = [];
  private stopped = false;

  private constructor(
    nc: NatsConnection,
    private readonly jsm: JetStreamManager,
    private readonly options: NatsLaneConsumerOptions,
    private readonly consumerNames: ReadonlyMap<EventPriority, string>,
  ) {
    this.js = jetstream(nc);
    this.scheduler = options.scheduler ?? asyncScheduler;
    this.recent = new RecentIds(options.dedupeWindow ?? 100_000);
    this.latencies = new LatencyHistogram(options.latencyWindow ?? 10_000);
    this.ingestErrors$ = this.ingestErrors.asObservable();
    this.deadLetters$ = this.deadLetters.asObservable();
    this.sequenceGaps$ = this.gaps.asObservable();
    this.pullErrors$ = this.pullErrors.asObservable();
  }

  /**
   * Creates (or joins) the durable consumer of each lane and starts pulling.
   * The lane streams must exist (`ensureLaneStreams`).
   */
  static async start(nc: NatsConnection, options: NatsLaneConsumerOptions): Promise<NatsLaneConsumer> {
    const jsm = await jetstreamManager(nc);
    const names = new Map<EventPriority, string>();
    for (const priority of options.priorities ?? EVENT_PRIORITIES) {
      names.set(priority, await ensureLaneConsumer(jsm, options.topology, priority, options.account ?? ANY_ACCOUNT));
    }
    const consumer = new NatsLaneConsumer(nc, jsm, options, names);
    consumer.run();
    return consumer;
  }

  /** Publish → handled latency of the `requiresAck` events this instance acked (sliding window). */
  latency(): LatencySummary {
    return this.latencies.summary();
  }

  /** Events handed to the dispatcher and not yet settled. */
  get inFlightCount(): number {
    return this.inFlight.size;
  }

  /**
   * Stops pulling, waits up to `drainMs` for events in flight to settle (acked or nak'ed), then
   * naks whatever is left so another instance takes it at once.
   */
  async stop(drainMs = 5_000): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    for (const f of this.fetches) f.stop();
    for (const wake of this.roomWaiters.values()) wake();
    await Promise.allSettled(this.loops);
    const deadline = Date.now() + drainMs;
    while (this.inFlight.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    this.flushAcks();
    for (const { msg } of this.inFlight.values()) msg.nak();
    this.inFlight.clear();
    this.telemetry?.unsubscribe();
    if (this.workingTimer !== null) clearInterval(this.workingTimer);
    this.ingestErrors.complete();
    this.deadLetters.complete();
    this.gaps.complete();
    this.pullErrors.complete();
  }

  private run(): void {
    this.telemetry = this.options.dispatcher.telemetry$.subscribe((t) => {
      if (t.lane === null || t.kind === 'enqueued' || t.kind === 'blocked') return;
      const wake = this.roomWaiters.get(t.lane);
      if (wake !== undefined) wake();
    });
    // One timer keeps every long-running requiresAck delivery alive.
    const every = Math.max(100, this.options.topology.ackWaitMs / 2);
    this.workingTimer = setInterval(() => {
      const now = this.scheduler.now();
      for (const entry of this.inFlight.values()) if (now - entry.since >= every) entry.msg.working();
    }, every);
    this.workingTimer.unref();
    for (const [priority, name] of this.consumerNames) this.loops.push(this.pullLoop(priority, name));
  }

  /** Free capacity of the in-process lane: what this instance may pull now. */
  private room(priority: EventPriority): number {
    const lane = this.options.dispatcher.sampleMetrics().lanes[priority]!;
    return lane.capacity - lane.depth - lane.producersWaiting;
  }

  private waitForRoom(priority: EventPriority): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(wake, 50);
      function wake(): void {
        clearTimeout(timer);
        resolve();
      }
      this.roomWaiters.set(priority, () => {
        this.roomWaiters.delete(priority);
        wake();
      });
    });
  }

  private async pullLoop(priority: EventPriority, name: string): Promise<void> {
    const stream = laneStreamName(this.options.topology.streamName, priority);
    const maxFetch = this.options.maxFetch ?? 512;
    let consumer: Consumer | null = null;
    while (!this.stopped) {
      const room = Math.min(this.room(priority), maxFetch);
      if (room <= 0) {
        await this.waitForRoom(priority);
        continue;
      }
      let batch: ConsumerMessages | null = null;
      try {
        // Looked up once (a consumer info request), and again only after a failed pull.
        consumer ??= await this.js.consumers.get(stream, name);
        if (this.stopped) break;
        batch = await consumer.fetch({ max_messages: room, expires: Math.max(1_000, this.options.fetchExpiresMs ?? 1_000) });
        this.fetches.add(batch);
        this.counters.fetches += 1;
        for await (const msg of batch) this.receive(priority, msg);
      } catch (error) {
        // The server is gone or restarting: report, wait and pull again (the connection reconnects by itself).
        if (this.stopped) break;
        consumer = null;
        this.counters.pullErrors += 1;
        this.pullErrors.next(Object.freeze({ priority, error, at: this.scheduler.now() }));
        await new Promise((r) => setTimeout(r, 250));
      } finally {
        if (batch !== null) this.fetches.delete(batch);
      }
    }
  }

  private receive(priority: EventPriority, msg: JsMsg): void {
    this.counters.received += 1;
    const now = this.scheduler.now();
    let decoded;
    try {
      decoded = decodeEvent(msg, priority);
    } catch (error) {
      this.terminate(priority, msg, error instanceof Error ? error.message : 'malformed');
      this.counters.malformed += 1;
      this.ingestErrors.next(Object.freeze({ priority, subject: msg.subject, sequence: msg.seq, error: error as MalformedMessageError, at: now }));
      return;
    }
    if (priority === 1) this.trackSequence(priority, msg.seq, now);
    const { event, enqueuedAtMs } = decoded;
    if (this.recent.has(event.eventId)) {
      this.queueAck(msg);
      this.counters.duplicates += 1;
      return;
    }
    if (this.inFlight.has(event.eventId)) {
      // Its first delivery is still being handled here; that delivery's ack settles the message.
      this.counters.duplicates += 1;
      return;
    }
    if (!event.requiresAck) {
      this.options.dispatcher.dispatch(event).then(
        () => this.acked(msg, event, null),
        (error: unknown) => this.failed(msg, event, error),
      );
      return;
    }
    this.inFlight.set(event.eventId, { msg, since: now });
    this.options.dispatcher.dispatchAndWait(event).then(
      () => this.acked(msg, event, enqueuedAtMs),
      (error: unknown) => this.failed(msg, event, error),
    );
  }

  private acked(msg: JsMsg, event: Event, enqueuedAtMs: number | null): void {
    this.inFlight.delete(event.eventId);
    this.queueAck(msg);
    this.recent.add(event.eventId);
    this.counters.acked += 1;
    if (enqueuedAtMs !== null) this.latencies.record(this.scheduler.now() - enqueuedAtMs);
  }

  private failed(msg: JsMsg, event: Event, error: unknown): void {
    this.inFlight.delete(event.eventId);
    const outcome = classifyDispatchError(error);
    if (outcome.kind === 'dropped' && outcome.drop.reason !== 'shutdown') {
      // The lane's own policy dropped it (and reported it on drops$): settled, as in-process.
      this.queueAck(msg);
      this.counters.acked += 1;
      return;
    }
    const deliveries = msg.info.deliveryCount;
    if (outcome.kind === 'failed' && deliveries >= this.options.topology.maxDeliver) {
      this.terminate(event.priority, msg, `handler failed on delivery ${deliveries} of ${this.options.topology.maxDeliver}`);
      this.deadLetters.next(
        Object.freeze({ event, subject: msg.subject, sequence: msg.seq, deliveries, failure: outcome.failure, error: outcome.error, at: this.scheduler.now() }),
      );
      return;
    }
    // A failed handler retries after a delay; a stopping dispatcher hands the event back at once.
    const delay = outcome.kind === 'failed' ? (this.options.nakDelayMs ?? defaultNakDelay)(deliveries) : 0;
    msg.nak(delay);
    this.counters.naked += 1;
  }

  /**
   * Acks are sent together once per turn of the event loop: the client writes to the socket once
   * per burst of commands, where one ack per microtask would cost one socket write each.
   */
  private queueAck(msg: JsMsg): void {
    this.pendingAcks.push(msg);
    if (this.pendingAcks.length === 1) setImmediate(this.flushAcks);
  }

  private readonly flushAcks = (): void => {
    const acks = this.pendingAcks;
    this.pendingAcks = [];
    for (const msg of acks) msg.ack();
  };

  /**
   * Terms a message and removes it from its stream: a work-queue stream of a 2.9 server keeps a
   * termed message, where it would hold a slot of the lane's capacity for good. Its record has been
   * (or is being) published, so nothing is lost.
   */
  private terminate(priority: EventPriority, msg: JsMsg, reason: string): void {
    msg.term(reason);
    this.counters.termed += 1;
    void this.jsm.streams.deleteMessage(laneStreamName(this.options.topology.streamName, priority), msg.seq, false).catch(() => undefined);
  }

  private trackSequence(priority: EventPriority, seq: number, now: number): void {
    const last = this.lastStreamSeq.get(priority);
    if (last !== undefined && seq > last + 1) {
      const count = seq - last - 1;
      this.counters.sequenceGaps += count;
      this.gaps.next(Object.freeze({ priority, from: last + 1, to: seq - 1, count, at: now }));
    }
    if (last === undefined || seq > last) this.lastStreamSeq.set(priority, seq);
  }
}

function defaultNakDelay(deliveries: number): number {
  return Math.min(5_000, 250 * deliveries);
}

