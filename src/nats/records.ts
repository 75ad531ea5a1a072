/**
 * What a lane consumer reports besides handing events to its dispatcher: malformed messages, dead
 * letters, P1 sequence gaps, failed pulls, and its running counts.
 */
import type { Event, EventPriority } from '../event/contracts.js';
import type { FailureRecord } from '../event/dispatcher/index.js';
import type { MalformedMessageError } from './errors.js';

/** A lane message that could not be used: termed, reported here, and the lane kept running. */
export interface NatsIngestError {
  readonly priority: EventPriority;
  readonly subject: string;
  /** The message's stream sequence. */
  readonly sequence: number;
  readonly error: MalformedMessageError;
  readonly at: number;
}

/** A `requiresAck` event termed after its `max_deliver`-th failing delivery. */
export interface DeadLetterRecord {
  readonly event: Event;
  readonly subject: string;
  readonly sequence: number;
  readonly deliveries: number;
  /** The failure of the last delivery (the dispatcher's dead letter). */
  readonly failure: FailureRecord;
  readonly error: unknown;
  readonly at: number;
}

/**
 * P1 messages this instance never saw: the stream (discard old) evicted them before they were
 * delivered, or, when several instances share the lane's consumer, another instance took them.
 */
export interface SequenceGapRecord {
  readonly priority: EventPriority;
  /** First and last missing stream sequence. */
  readonly from: number;
  readonly to: number;
  readonly count: number;
  readonly at: number;
}

/** Running counts of a consumer. */
export interface ConsumerCounters {
  /** Messages pulled from the server. */
  received: number;
  /** Messages acked after their event was handled (or accepted, when it needs no ack). */
  acked: number;
  /** Deliveries nak'ed after a handler failed (or the dispatcher was stopping). */
  naked: number;
  /** Messages termed: dead letters and malformed messages. */
  termed: number;
  /** Redeliveries of event ids acked within the window (or in flight here), not handled again. */
  duplicates: number;
  malformed: number;
  /** P1 stream sequences skipped (see {@link SequenceGapRecord}). */
  sequenceGaps: number;
  /** Pull requests sent. */
  fetches: number;
  /** Pulls that failed (server gone or restarting, consumer missing); each is retried after 250 ms. */
  pullErrors: number;
}

/** A pull that failed; the lane pulls again after 250 ms. */
export interface PullErrorRecord {
  readonly priority: EventPriority;
  readonly error: unknown;
  readonly at: number;
}
