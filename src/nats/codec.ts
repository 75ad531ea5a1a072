/**
 * Events on the wire: the event's fields as JSON, with the time it first entered a lane in a
 * header, so latency is measured from the original enqueue even after a redelivery or (on P2) a
 * replacement.
 */
import { headers as natsHeaders, type MsgHdrs } from '@nats-io/transport-node';
import type { JsMsg } from '@nats-io/jetstream';
import { type Event, type EventType } from '../event/contracts.js';
import { createEvent } from '../event/createEvent.js';
import { MalformedMessageError } from './errors.js';

/** Header with the epoch ms at which the event was first published to a lane. */
export const ENQUEUED_AT_HEADER = 'Qts-Enqueued-At';

/** Header with the event id (also the JetStream message id on P0, for publish dedup). */
export const EVENT_ID_HEADER = 'Qts-Event-Id';

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/** The event as JSON bytes (its own fields, nothing else). */
export function encodeEvent(event: Event): Uint8Array {
  return encoder.encode(JSON.stringify(event));
}

/** Headers of an event published at `enqueuedAtMs`. */
export function eventHeaders(event: Event, enqueuedAtMs: number): MsgHdrs {
  const h = natsHeaders();
  h.set(ENQUEUED_AT_HEADER, String(enqueuedAtMs));
  h.set(EVENT_ID_HEADER, event.eventId);
  return h;
}

/** An event read from a lane, with where it came from. */
export interface DecodedMessage {
  readonly event: Event;
  /** Epoch ms of the first publish (the header), or the event's timestamp when absent. */
  readonly enqueuedAtMs: number;
}

/**
 * Reads an event from a lane message and checks it as {@link createEvent} checks a new one.
 * @throws {MalformedMessageError} naming the subject, the stream sequence and what was wrong
 */
export function decodeEvent(msg: Pick<JsMsg, 'subject' | 'seq' | 'data' | 'headers'>, expectedPriority?: number): DecodedMessage {
  const fail = (field: string, detail: string): never => {
    throw new MalformedMessageError(msg.subject, msg.seq, field, detail);
  };
  let value: unknown;
  try {
    value = JSON.parse(decoder.decode(msg.data));
  } catch (error) {
    return fail('body', `expected an event as JSON, got unreadable data (${(error as Error).message})`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return fail('body', `expected an event object, got ${JSON.stringify(value)?.slice(0, 60)}`);
  const { eventType, ...init } = value as Record<string, unknown>;
  if (typeof eventType !== 'string') return fail('eventType', `expected a string, got ${JSON.stringify(eventType)}`);
  let event: Event;
  try {
    event = createEvent(eventType as EventType, init);
  } catch (error) {
    const e = error as Error & { field?: string; problem?: string };
    return fail(e.field ?? 'event', e.problem ?? e.message);
  }
  if (expectedPriority !== undefined && event.priority !== expectedPriority) {
    fail('priority', `expected ${expectedPriority} (this lane), got ${event.priority} (${event.eventType})`);
  }
  const header = msg.headers?.get(ENQUEUED_AT_HEADER);
  const enqueuedAtMs = header === undefined || header === '' ? event.timestamp : Number(header);
  if (!Number.isFinite(enqueuedAtMs)) fail(ENQUEUED_AT_HEADER, `expected epoch milliseconds, got ${JSON.stringify(header)}`);
  return { event, enqueuedAtMs };
}
