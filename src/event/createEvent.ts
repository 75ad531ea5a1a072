/**
 * The event factory: {@link createEvent} builds a checked, branded, deeply frozen event.
 */
import { asyncScheduler, type SchedulerLike } from 'rxjs';
import { describeValue } from '../common/describe.js';
import { deepFreeze } from '../common/plain.js';
import {
  EVENT_PRIORITY_MAP,
  EventValidationError,
  PRIORITY_DEFAULTS,
  type Event,
  type EventFlags,
  type EventInit,
  type EventPriority,
  type EventType,
  type EventTypeName,
  type QtsEvent,
} from './contracts.js';
import { registeredEventType } from './event-types.js';
import { brandEvent, checkEventInit, checkPriority, copyPayload } from './validation.js';

/**
 * Builds a valid, deeply frozen event of `type`.
 *
 * The priority comes from {@link EVENT_PRIORITY_MAP}, the timestamp from `scheduler.now()`, and the
 * flags from {@link PRIORITY_DEFAULTS} unless `init` overrides them. The payload is copied before it
 * is frozen, so the caller's object is left as it was.
 *
 * @example
 * ```ts
 * const fill = createEvent('FILL_CONFIRMED', { source: 'broker', payload: { orderId: 'A1', qty: 100 } });
 * fill.priority;  // 0
 * fill.canDrop;   // false
 * ```
 * @param type one of the 23 {@link EventType} names, or a type registered with `registerEventType`
 * @param init optional fields; a `priority` that contradicts the map is rejected
 * @param scheduler the clock for the timestamp (default `asyncScheduler`)
 * @throws {EventValidationError} naming the field that is wrong
 */
export function createEvent<K extends EventTypeName>(type: K, init: EventInit<K> = {}, scheduler: SchedulerLike = asyncScheduler): QtsEvent<K> {
  let priority: EventPriority;
  let defaults: Readonly<EventFlags>;
  if (Object.hasOwn(EVENT_PRIORITY_MAP, type)) {
    priority = EVENT_PRIORITY_MAP[type as EventType];
    defaults = PRIORITY_DEFAULTS[priority];
  } else {
    const registration = typeof type === 'string' ? registeredEventType(type) : undefined;
    if (registration === undefined) throw new EventValidationError('eventType', `unknown event type ${describeValue(type)}`);
    priority = registration.priority;
    defaults = registration.defaults;
  }
  checkEventInit(init);
  const given = init;
  if (given.priority !== undefined) checkPriority(type, given.priority);
  const event: Event = {
    eventId: given.eventId ?? globalThis.crypto.randomUUID(),
    eventType: type,
    priority,
    timestamp: given.timestamp ?? scheduler.now(),
    source: given.source ?? '',
    payload: given.payload === undefined ? {} : copyPayload(given.payload),
    requiresAck: given.requiresAck ?? defaults.requiresAck,
    maxProcessTimeMs: given.maxProcessTimeMs ?? defaults.maxProcessTimeMs,
    canBatch: given.canBatch ?? defaults.canBatch,
    canCollapse: given.canCollapse ?? defaults.canCollapse,
    canDrop: given.canDrop ?? defaults.canDrop,
  };
  // Branded before freezing; a private field, so deepFreeze, JSON, spread and inspectors never see it.
  brandEvent(event);
  deepFreeze(event);
  return event as QtsEvent<K>;
}
