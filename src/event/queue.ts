/**
 * The queue classes: `BoundedQueue` (BLOCK), `RingBuffer` (DROP_OLDEST), `CollapsingQueue`
 * (COLLAPSE) and `SamplingQueue` (SAMPLE), Promise facades over the lane buffer cores.
 *
 * The waiting logic is callback-based and Promise-free; only the public methods create a Promise.
 * Every timeout is an action on the injected scheduler, so virtual time drives them in tests.
 */
import { asyncScheduler, type SchedulerLike, type Subscription } from 'rxjs';
import { type Event } from './contracts.js';
import { validateEvent } from './validation.js';
import { BlockLaneBuffer } from './buffer/block.js';
import { DropOldestLaneBuffer } from './buffer/dropOldest.js';
import { CollapseLaneBuffer } from './buffer/collapse.js';
import { SampleLaneBuffer } from './buffer/sample.js';
import type { RingLaneBuffer } from './buffer/base.js';
import { LaneConfigError } from './buffer/errors.js';
import { OfferOutcome, type DropRecord, type LaneCounters, type SinkFailure } from './buffer/types.js';
import { scheduleAfter } from '../scheduling/timer.js';
import { SHIPPED_LANES } from '../config/shipped.js';

/** The queue API every lane queue offers. */
export interface EventQueue {
  /** Resolves `true` once the event is in the queue, `false` when the policy refused it (SAMPLE). */
  put(event: Event): Promise<boolean>;
  /** The oldest event; waits at most `timeoutMs` (0: never, Infinity: until one arrives); undefined on timeout. */
  get(timeoutMs?: number): Promise<Event | undefined>;
  /** Up to `maxCount` events, oldest first: as soon as that many are queued, else what arrived within `timeoutMs`. */
  getBatch(maxCount: number, timeoutMs: number): Promise<Event[]>;
  /** Events queued now (waiting producers not included). */
  size(): number;
  /** Most events the queue holds. */
  capacity(): number;
  /** True when `size() === capacity()`. */
  isFull(): boolean;
}

/** Which queue call was refused because the queue is closed. */
export type QueueOperation = 'put' | 'get' | 'getBatch';

/** Rejects a pending or new call on a closed queue. `operation` names the call. */
export class QueueClosedError extends Error {
  override readonly name = 'QueueClosedError';
  constructor(
    /** The call that was refused. */
    readonly operation: QueueOperation,
  ) {
    super(`${operation}: expected an open queue, got a closed one`);
  }
}

/** Options common to every queue class. */
export interface QueueOptions {
  /** Most events queued at once; a positive integer. Default: the capacity of the class's lane in `config/event.yaml`. */
  capacity?: number;
  /** The clock and timer source of every timeout; default `asyncScheduler`. */
  scheduler?: SchedulerLike;
  /** A drop sink or the collapse-key function threw; see {@link LaneBufferSinks.onError}. */
  onError?: (error: unknown, failure: SinkFailure) => void;
}

/** Options of the queues that may drop events. */
export interface DroppingQueueOptions extends QueueOptions {
  /** Receives every evicted, collapsed or sampled event; isolated if it throws. */
  onDrop?: (record: DropRecord) => void;
}

/** A queued consumer (a `get` or `getBatch` call that is waiting), linked for O(1) removal. */
interface ConsumerWaiter {
  /** 0 for `get`; the batch size for `getBatch`. */
  readonly maxCount: number;
  readonly resolveOne: ((event: Event | undefined) => void) | undefined;
  readonly resolveBatch: ((events: Event[]) => void) | undefined;
  readonly reject: (error: unknown) => void;
  timer: Subscription | undefined;
  prev: ConsumerWaiter | undefined;
  next: ConsumerWaiter | undefined;
}

/** A producer whose event is held until room frees. */
interface ProducerWaiter {
  readonly resolve: (queued: boolean) => void;
  readonly reject: (error: unknown) => void;
  next: ProducerWaiter | undefined;
}

function checkTimeout(timeoutMs: unknown): number {
  if (typeof timeoutMs !== 'number' || Number.isNaN(timeoutMs) || timeoutMs < 0) {
    throw new LaneConfigError('timeoutMs', 'a non-negative number of milliseconds (or Infinity)', timeoutMs);
  }
  return timeoutMs;
}

/**
 * The shared body of the queue classes: waiting consumers and waiting producers, each served
 * FIFO, over one lane buffer core.
 *
 * A waiting `getBatch` at the head of the consumer line is served once `min(maxCount, capacity)`
 * events are queued (more can never be queued at once), and the consumers behind it wait their
 * turn. A call that does not wait (`get(0)`, `getBatch(n, 0)`) takes what is there without queueing.
 */
export abstract class LaneQueue implements EventQueue {
  private readonly scheduler: SchedulerLike;
  private firstConsumer: ConsumerWaiter | undefined;
  private lastConsumer: ConsumerWaiter | undefined;
  private firstProducer: ProducerWaiter | undefined;
  private lastProducer: ProducerWaiter | undefined;
  private closed = false;
  /** The lane buffer core applying this queue's policy. */
  protected abstract readonly core: RingLaneBuffer;

  protected constructor(options: QueueOptions) {
    this.scheduler = options.scheduler ?? asyncScheduler;
    if (typeof this.scheduler.now !== 'function' || typeof this.scheduler.schedule !== 'function') {
      throw new LaneConfigError('scheduler', 'an RxJS SchedulerLike', options.scheduler);
    }
  }

  /** Resolves `true` once `event` is queued (BLOCK: when room frees, producers served FIFO), `false` if refused. */
  put(event: Event): Promise<boolean> {
    return new Promise<boolean>((resolve, reject) => this.offerEvent(event, resolve, reject));
  }

  /** The oldest event, waiting at most `timeoutMs` (default 0: never wait; Infinity: until one arrives). */
  get(timeoutMs = 0): Promise<Event | undefined> {
    return new Promise<Event | undefined>((resolve, reject) => this.takeOne(timeoutMs, resolve, reject));
  }

  /** Up to `maxCount` events, oldest first, as soon as that many are queued, else what arrived within `timeoutMs`. */
  getBatch(maxCount: number, timeoutMs: number): Promise<Event[]> {
    return new Promise<Event[]>((resolve, reject) => this.takeBatch(maxCount, timeoutMs, resolve, reject));
  }

  /** Events queued now. */
  size(): number {
    return this.core.size;
  }

  /** Most events queued at once. */
  capacity(): number {
    return this.core.capacity;
  }

  /** True when the queue holds `capacity()` events. */
  isFull(): boolean {
    return this.core.size >= this.core.capacity;
  }

  /** Producers waiting for room. */
  waitingProducers(): number {
    return this.core.heldCount;
  }

  /** The core's running totals (enqueued, delivered, evicted, collapsed, rejected, blocked, …). */
  get counters(): LaneCounters {
    return this.core.counters;
  }

  /** True once {@link close} ran. */
  get isClosed(): boolean {
    return this.closed;
  }

  /**
   * Refuses new puts and rejects every waiting `put`, `get` and `getBatch` with a
   * {@link QueueClosedError}; events already queued stay readable. Idempotent.
   */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.core.withdrawHeld();
    for (let p = this.firstProducer; p !== undefined; p = p.next) p.reject(new QueueClosedError('put'));
    this.firstProducer = this.lastProducer = undefined;
    for (let c = this.firstConsumer; c !== undefined; c = c.next) {
      c.timer?.unsubscribe();
      c.reject(new QueueClosedError(c.maxCount === 0 ? 'get' : 'getBatch'));
    }
    this.firstConsumer = this.lastConsumer = undefined;
  }

  /** Core of `put`, without Promises: reports through `resolve` / `reject`. */
  protected offerEvent(event: Event, resolve: (queued: boolean) => void, reject: (error: unknown) => void): void {
    if (this.closed) return reject(new QueueClosedError('put'));
    try {
      validateEvent(event);
    } catch (error) {
      return reject(error);
    }
    const outcome = this.core.offer(event, this.scheduler.now());
    if (outcome === OfferOutcome.HELD) {
      const waiter: ProducerWaiter = { resolve, reject, next: undefined };
      if (this.lastProducer === undefined) this.firstProducer = waiter;
      else this.lastProducer.next = waiter;
      this.lastProducer = waiter;
      return;
    }
    resolve(outcome === OfferOutcome.QUEUED);
    this.serveConsumers();
  }

  /** Core of `get`, without Promises. */
  protected takeOne(timeoutMs: number, resolve: (event: Event | undefined) => void, reject: (error: unknown) => void): void {
    try {
      checkTimeout(timeoutMs);
    } catch (error) {
      return reject(error);
    }
    if (this.core.size > 0 && (this.firstConsumer === undefined || timeoutMs === 0)) {
      return resolve(this.core.poll(this.scheduler.now()));
    }
    if (timeoutMs === 0) return resolve(undefined);
    if (this.closed) return reject(new QueueClosedError('get'));
    this.addConsumer({ maxCount: 0, resolveOne: resolve, resolveBatch: undefined, reject, timer: undefined, prev: undefined, next: undefined }, timeoutMs);
  }

  /** Core of `getBatch`, without Promises. */
  protected takeBatch(maxCount: number, timeoutMs: number, resolve: (events: Event[]) => void, reject: (error: unknown) => void): void {
    try {
      if (typeof maxCount !== 'number' || !Number.isInteger(maxCount) || maxCount <= 0) {
        throw new LaneConfigError('maxCount', 'a positive integer', maxCount);
      }
      checkTimeout(timeoutMs);
    } catch (error) {
      return reject(error);
    }
    const ready = this.core.size >= Math.min(maxCount, this.core.capacity) && this.firstConsumer === undefined;
    if (ready || timeoutMs === 0 || (this.closed && this.core.size > 0)) return resolve(this.pollUpTo(maxCount));
    if (this.closed) return reject(new QueueClosedError('getBatch'));
    this.addConsumer({ maxCount, resolveOne: undefined, resolveBatch: resolve, reject, timer: undefined, prev: undefined, next: undefined }, timeoutMs);
  }

  private pollUpTo(maxCount: number): Event[] {
    const batch: Event[] = [];
    const now = this.scheduler.now();
    while (batch.length < maxCount && this.core.size > 0) batch.push(this.core.poll(now)!);
    return batch;
  }

  private addConsumer(waiter: ConsumerWaiter, timeoutMs: number): void {
    waiter.prev = this.lastConsumer;
    if (this.lastConsumer === undefined) this.firstConsumer = waiter;
    else this.lastConsumer.next = waiter;
    this.lastConsumer = waiter;
    if (timeoutMs !== Number.POSITIVE_INFINITY) {
      waiter.timer = scheduleAfter(this.scheduler, timeoutMs, () => this.expire(waiter));
    }
  }

  private removeConsumer(waiter: ConsumerWaiter): void {
    if (waiter.prev === undefined) this.firstConsumer = waiter.next;
    else waiter.prev.next = waiter.next;
    if (waiter.next === undefined) this.lastConsumer = waiter.prev;
    else waiter.next.prev = waiter.prev;
    waiter.prev = waiter.next = undefined;
    waiter.timer?.unsubscribe();
    waiter.timer = undefined;
  }

  /** A waiting consumer's time is up: `get` gets undefined, `getBatch` whatever is queued (possibly []). */
  private expire(waiter: ConsumerWaiter): void {
    this.removeConsumer(waiter);
    if (waiter.resolveOne !== undefined) waiter.resolveOne(undefined);
    else waiter.resolveBatch?.(this.pollUpTo(waiter.maxCount));
    this.serveConsumers();
  }

  /** Serves waiting consumers in order while the head one can be satisfied. */
  private serveConsumers(): void {
    for (let waiter = this.firstConsumer; waiter !== undefined; waiter = this.firstConsumer) {
      if (waiter.resolveOne !== undefined) {
        if (this.core.size === 0) return;
        this.removeConsumer(waiter);
        waiter.resolveOne(this.core.poll(this.scheduler.now()));
      } else {
        if (this.core.size < Math.min(waiter.maxCount, this.core.capacity)) return;
        this.removeConsumer(waiter);
        waiter.resolveBatch?.(this.pollUpTo(waiter.maxCount));
      }
    }
  }

  /** The core admitted a held event: its producer (the oldest waiting) may continue. */
  protected readonly releaseProducer = (): void => {
    const producer = this.firstProducer;
    if (producer === undefined) return;
    this.firstProducer = producer.next;
    if (this.firstProducer === undefined) this.lastProducer = undefined;
    producer.resolve(true);
  };
}

/**
 * The BLOCK queue (P0 lane, default capacity 100): nothing is ever dropped; `put` waits for room
 * and waiting producers are served FIFO.
 *
 * @example
 * ```ts
 * const queue = new BoundedQueue({ capacity: 100 });
 * await queue.put(fill);            // waits while 100 events are queued
 * const next = await queue.get(50); // waits up to 50 ms
 * ```
 */
export class BoundedQueue extends LaneQueue {
  protected readonly core: BlockLaneBuffer;

  constructor(options: QueueOptions = {}) {
    super(options);
    this.core = new BlockLaneBuffer({ capacity: options.capacity ?? SHIPPED_LANES.p0.capacity, onRelease: this.releaseProducer, onError: options.onError });
  }
}

/**
 * The DROP_OLDEST queue (P1 lane, default capacity 10 000): when full, the oldest droppable event
 * is evicted and reported to `onDrop`; `put` still resolves `true`.
 *
 * @example
 * ```ts
 * const ticks = new RingBuffer({ capacity: 10_000, onDrop: (r) => console.warn('evicted', r.event.eventId) });
 * await ticks.put(tick);
 * const batch = await ticks.getBatch(100, 20);
 * ```
 */
export class RingBuffer extends LaneQueue {
  protected readonly core: DropOldestLaneBuffer;

  constructor(options: DroppingQueueOptions = {}) {
    super(options);
    this.core = new DropOldestLaneBuffer({ capacity: options.capacity ?? SHIPPED_LANES.p1.capacity, onDrop: options.onDrop, onRelease: this.releaseProducer, onError: options.onError });
  }
}

/** Options of {@link CollapsingQueue}. */
export interface CollapsingQueueOptions extends DroppingQueueOptions {
  /** Which queued event a newer one replaces; default its `eventType`. */
  collapseKey?: (event: Event) => string;
}

/**
 * The COLLAPSE queue (P2 lane, default capacity 1000): a collapsible event replaces the queued
 * event with the same key in place (reported as `'collapsed'`); when full and nothing collapses,
 * the oldest droppable event is evicted.
 *
 * @example
 * ```ts
 * const signals = new CollapsingQueue({ collapseKey: (e) => `${e.eventType}:${String(e.payload.symbol)}` });
 * await signals.put(signalAapl1);
 * await signals.put(signalAapl2); // replaces signalAapl1 in place
 * ```
 */
export class CollapsingQueue extends LaneQueue {
  protected readonly core: CollapseLaneBuffer;

  constructor(options: CollapsingQueueOptions = {}) {
    super(options);
    this.core = new CollapseLaneBuffer({
      capacity: options.capacity ?? SHIPPED_LANES.p2.capacity,
      collapseKey: options.collapseKey,
      onDrop: options.onDrop,
      onRelease: this.releaseProducer,
      onError: options.onError,
    });
  }
}

/** Options of {@link SamplingQueue}. */
export interface SamplingQueueOptions extends DroppingQueueOptions {
  /** Share of arrivals admitted while full, in (0, 1]; default the P3 lane's `sample_rate` in `config/event.yaml` (0.1: every 10th). */
  sampleRate?: number;
}

/**
 * The SAMPLE queue (P3 lane, default capacity 50 000, rate 0.1): while full, only the N-th, 2N-th, …
 * arrival is admitted (N = round(1 / sampleRate)), evicting the oldest; the others make `put`
 * resolve `false` and are reported as `'sampled'`.
 *
 * @example
 * ```ts
 * const logs = new SamplingQueue({ capacity: 50_000, sampleRate: 0.1 });
 * const admitted = await logs.put(logLine); // false when sampled out
 * ```
 */
export class SamplingQueue extends LaneQueue {
  protected readonly core: SampleLaneBuffer;

  constructor(options: SamplingQueueOptions = {}) {
    super(options);
    this.core = new SampleLaneBuffer({
      capacity: options.capacity ?? SHIPPED_LANES.p3.capacity,
      sampleRate: options.sampleRate ?? SHIPPED_LANES.p3.sampleRate,
      onDrop: options.onDrop,
      onRelease: this.releaseProducer,
      onError: options.onError,
    });
  }
}
