/**
 * The publishing side of the lanes across processes: `publish(event)` puts an event on its lane's
 * stream with the lane's overflow policy mapped onto JetStream (see `topology.ts`).
 *
 * - P0 (BLOCK): waits for the stream's ack; a full stream (discard new) or a lost connection is
 *   retried with the same message id, so the stream stores the event once and nothing is dropped.
 *   As with the in-process lane, the producer waits; the server never says when room frees, so
 *   the wait ends at the next retry (backoff from 2 ms up to `maxRetryDelayMs`).
 * - P1 (DROP_OLDEST) and P2 (COLLAPSE): published and acked; the stream evicts (P1) or replaces
 *   the last value of the `type[.key]` subject (P2) by itself.
 * - P3 (SAMPLE): below the stream's capacity every event is published; at capacity only each N-th
 *   arrival (N = round(1 / sampleRate)) is, the rest are reported as `sampled` drops.
 */
import { Subject, asyncScheduler, type Observable, type SchedulerLike } from 'rxjs';
import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager, type PubAck } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { type Event } from '../event/contracts.js';
import { validateEvent } from '../event/validation.js';
import type { DropRecord } from '../event/buffer/types.js';
import { PublishAbortedError } from './errors.js';
import { encodeEvent, eventHeaders } from './codec.js';
import { DEFAULT_ACCOUNT, checkSubjectToken, laneStreamName, laneSubject } from './subjects.js';
import type { LaneTopology } from './topology.js';

/** API error code of a stream at `max_msgs` with discard new. */
const STREAM_FULL = 10077;

/** What happened to one published event. */
export type PublishOutcome = 'stored' | 'duplicate' | 'sampled';

/** Options of {@link NatsLanePublisher}. */
export interface NatsLanePublisherOptions {
  /** The lanes' streams (the same topology as the consumers'). */
  readonly topology: LaneTopology;
  /** The account token of an event (default `default`); must be a subject token. */
  readonly account?: (event: Event) => string;
  /** P2's collapse key token after the type (default none: the type alone). */
  readonly collapseKey?: (event: Event) => string | undefined;
  /** Clock of the enqueue-time header (default `asyncScheduler`). */
  readonly scheduler?: SchedulerLike;
  /** Longest wait between two P0 retries, ms (default 200). */
  readonly maxRetryDelayMs?: number;
  /** How long a P3 stream-size reading is reused, ms (default 100). */
  readonly p3SizeRefreshMs?: number;
}

/** Running counts of a publisher. */
export interface PublisherCounters {
  /** Events stored by a stream. */
  stored: number;
  /** Publishes the stream recognised as duplicates of a stored message id. */
  duplicates: number;
  /** P0 publishes retried (full stream or connection lost). */
  retries: number;
  /** P3 events not published (sampled out at capacity). */
  sampled: number;
}

/** Publishes events onto the lane streams; see the module comment for each lane's policy. */
export class NatsLanePublisher {
  /** P3 events sampled out at the publisher, as drop records (reason `sampled`). */
  readonly drops$: Observable<DropRecord>;
  readonly counters: PublisherCounters = { stored: 0, duplicates: 0, retries: 0, sampled: 0 };

  private readonly js: JetStreamClient;
  private jsm: Promise<JetStreamManager> | null = null;
  private readonly drops = new Subject<DropRecord>();
  private readonly scheduler: SchedulerLike;
  private readonly sampleEvery: number;
  private p3Arrivals = 0;
  private p3Size = { messages: 0, readAt: Number.NEGATIVE_INFINITY };
  private closed = false;
  private readonly retryTimers = new Set<{ timer: NodeJS.Timeout; resolve: () => void }>();

  constructor(
    private readonly nc: NatsConnection,
    private readonly options: NatsLanePublisherOptions,
  ) {
    this.js = jetstream(nc);
    this.scheduler = options.scheduler ?? asyncScheduler;
    this.drops$ = this.drops.asObservable();
    this.sampleEvery = Math.max(1, Math.round(1 / options.topology.eventConfig.queues.p3.sampleRate));
  }

  /** The subject `event` is published on. */
  subjectOf(event: Event): string {
    const { topology } = this.options;
    const account = checkSubjectToken('account', this.options.account?.(event) ?? DEFAULT_ACCOUNT);
    const key = event.priority === 2 ? this.options.collapseKey?.(event) : undefined;
    return laneSubject(topology.prefix, account, event.priority, event.eventType, key === undefined ? undefined : checkSubjectToken('collapseKey', key));
  }

  /**
   * Publishes `event` with its lane's policy; resolves once the stream stored it (or recognised
   * it as a duplicate), or `sampled` when P3 sampled it out.
   *
   * @throws {EventValidationError} for an invalid event (nothing is published)
   * @throws {NatsSubjectError} for an account or key that is not a subject token
   * @throws {PublishAbortedError} when the publisher is closed while a P0 publish is retrying
   */
  async publish(event: Event, enqueuedAtMs?: number): Promise<PublishOutcome> {
    const checked = validateEvent(event);
    if (this.closed) throw new PublishAbortedError(this.subjectOf(checked), checked.eventId);
    const subject = this.subjectOf(checked);
    if (checked.priority === 3 && !(await this.admitP3(checked))) return 'sampled';
    const data = encodeEvent(checked);
    const headers = eventHeaders(checked, enqueuedAtMs ?? this.scheduler.now());
    const options = { msgID: checked.eventId, headers };
    if (checked.priority !== 0) return this.count(await this.js.publish(subject, data, options));
    for (let attempt = 0; ; attempt++) {
      try {
        return this.count(await this.js.publish(subject, data, options));
      } catch (error) {
        if (!isRetryable(error)) throw error;
        if (this.closed) throw new PublishAbortedError(subject, checked.eventId);
        this.counters.retries += 1;
        await this.sleep(Math.min(this.options.maxRetryDelayMs ?? 200, 2 ** Math.min(attempt + 1, 16)));
        if (this.closed) throw new PublishAbortedError(subject, checked.eventId);
      }
    }
  }

  /** Stops retrying: P0 publishes still waiting reject with {@link PublishAbortedError}. */
  close(): void {
    this.closed = true;
    for (const t of this.retryTimers) {
      clearTimeout(t.timer);
      t.resolve();
    }
    this.retryTimers.clear();
    this.drops.complete();
  }

  private count(ack: PubAck): PublishOutcome {
    if (ack.duplicate) {
      this.counters.duplicates += 1;
      return 'duplicate';
    }
    this.counters.stored += 1;
    return 'stored';
  }

  private async admitP3(event: Event): Promise<boolean> {
    const now = this.scheduler.now();
    if (now - this.p3Size.readAt >= (this.options.p3SizeRefreshMs ?? 100)) {
      this.jsm ??= jetstreamManager(this.nc);
      const info = await (await this.jsm).streams.info(laneStreamName(this.options.topology.streamName, 3));
      this.p3Size = { messages: info.state.messages, readAt: now };
    }
    if (this.p3Size.messages < this.options.topology.streamCapacity[3]) {
      this.p3Arrivals = 0;
      return true;
    }
    this.p3Arrivals += 1;
    if (this.p3Arrivals % this.sampleEvery === 0) return true;
    this.counters.sampled += 1;
    this.drops.next(Object.freeze({ event, reason: 'sampled', priority: 3, at: now }));
    return false;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const entry = { timer: setTimeout(() => (this.retryTimers.delete(entry), resolve()), ms), resolve };
      this.retryTimers.add(entry);
    });
  }
}

/** A full stream, or the connection (or server) momentarily gone: the same publish may succeed later. */
function isRetryable(error: unknown): boolean {
  const e = error as { code?: number | string; name?: string };
  if (e.code === STREAM_FULL) return true;
  return e.name === 'TimeoutError' || e.name === 'NoRespondersError' || e.name === 'RequestError' || e.name === 'ConnectionError';
}
