/**
 * Event validation by hand: the field checks of an {@link Event} and of an `EventInit`, the copy of
 * a payload as JSON-like data, and the brand that lets an event built by `createEvent` skip them.
 */
import { describeValue } from '../common/describe.js';
import { isPlainRecord } from '../common/plain.js';
import {
  EVENT_PRIORITIES,
  EVENT_PRIORITY_MAP,
  EventValidationError,
  isEventPriority,
  type Event,
  type EventInit,
  type EventPayload,
  type EventPriority,
  type EventType,
  type JsonValue,
} from './contracts.js';
import { registeredEventType } from './event-types.js';

// Events are checked by hand, not by zod: the operators validate events too, and a browser bundle
// of an operator should not carry a schema library. A check returns what is wrong, or null.
type FieldCheck = (value: unknown) => string | null;
function expecting(expected: string, test: (value: unknown) => boolean): FieldCheck {
  return (value) => (test(value) ? null : `expected ${expected}, got ${describeValue(value)}`);
}
const isString = expecting('a string', (v) => typeof v === 'string');
const isEventId = expecting('a non-empty string', (v) => typeof v === 'string' && v.length > 0);
const isBoolean = expecting('a boolean', (v) => typeof v === 'boolean');
const isTimestamp = expecting('a finite number of epoch milliseconds', (v) => typeof v === 'number' && Number.isFinite(v));
const isBudget = expecting('a whole number of milliseconds ≥ 0', (v) => Number.isInteger(v) && (v as number) >= 0);
const isPriority = expecting(`one of ${EVENT_PRIORITIES.join(', ')}`, isEventPriority);
/** The lane of a seed or registered event type, or undefined for an unknown name. */
function laneOfType(type: string): EventPriority | undefined {
  return Object.hasOwn(EVENT_PRIORITY_MAP, type) ? EVENT_PRIORITY_MAP[type as EventType] : registeredEventType(type)?.priority;
}
const isEventType: FieldCheck = (v) => (typeof v === 'string' && laneOfType(v) !== undefined ? null : `unknown event type ${describeValue(v)}`);
// The payload is checked (and copied) by copyPayload, which names the exact offending path.
const anyPayload: FieldCheck = () => null;
const flagChecks: Readonly<Record<string, FieldCheck>> = {
  requiresAck: isBoolean,
  maxProcessTimeMs: isBudget,
  canBatch: isBoolean,
  canCollapse: isBoolean,
  canDrop: isBoolean,
};

const eventInitChecks: Readonly<Record<string, FieldCheck>> = {
  eventId: isEventId,
  priority: isPriority,
  timestamp: isTimestamp,
  source: isString,
  payload: anyPayload,
  ...flagChecks,
};

const eventChecks: Readonly<Record<string, FieldCheck>> = {
  eventId: isEventId,
  eventType: isEventType,
  priority: isPriority,
  timestamp: isTimestamp,
  source: isString,
  payload: anyPayload,
  ...flagChecks,
};

/**
 * The first problem of `value` against `checks` (a field they do not know, or one that fails its
 * check; with `optional`, absent fields pass), or null when there is none.
 */
function findFieldProblem(value: unknown, checks: Readonly<Record<string, FieldCheck>>, optional: boolean): EventValidationError | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return new EventValidationError('event', `expected an object, got ${describeValue(value)}`);
  }
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    if (!Object.hasOwn(checks, key)) return new EventValidationError(key, 'unknown field');
  }
  for (const field of Object.keys(checks)) {
    const given = record[field];
    if (optional && given === undefined) continue;
    const problem = checks[field]!(given);
    if (problem !== null) return new EventValidationError(field, problem);
  }
  return null;
}

/** A constructor that returns the object it is given, so a subclass can stamp a private field on it. */
class Stamped {
  constructor(target: object) {
    return target;
  }
}

/**
 * The brand of events built by {@link createEvent}: a private class field stamped on the event.
 * It is no property at all (no key, no symbol: inspectors, spread, JSON and `Reflect.ownKeys` never
 * see it), and checking it (`#brand in value`) reads the event's hidden class like a property
 * read — much cheaper than a WeakSet lookup. It does not travel: spread, `Object.assign`, a
 * descriptor copy and an `Object.create(event)` child carry no brand, so any modified copy is
 * validated in full.
 */
class EventBrand extends Stamped {
  readonly #brand = true;

  /** True when `value` was stamped (an event built by {@link createEvent}, unchanged: it is deeply frozen). */
  static has(value: unknown): boolean {
    return typeof value === 'object' && value !== null && #brand in value;
  }
}

/** Foreign events known valid: deeply frozen and validated once. Lets dispatch skip re-validation. */
const validated = new WeakSet<object>();

/** True when `value` is an event built by {@link createEvent}, unchanged (it is deeply frozen). */
function isBranded(value: unknown): boolean {
  return EventBrand.has(value);
}

/**
 * Stamps the brand on an event `createEvent` has just built and checked, before it is frozen.
 * @internal
 */
export function brandEvent(event: Event): void {
  new EventBrand(event);
}

/**
 * Deepest nesting a payload may have. The copy walks the payload recursively, so an unbounded
 * depth would end in a stack overflow instead of a validation error; real payloads are shallow.
 */
export const MAX_PAYLOAD_DEPTH = 256;

/**
 * A JSON-like copy of `value`, or an error naming the exact path (`payload.legs.1.qty`) that is not
 * JSON-like. `path` is a stack of the keys walked so far, joined only when an error is thrown, so
 * the common case builds no strings.
 */
function copyJsonValue(value: unknown, path: (string | number)[], ancestors: Set<object>): JsonValue {
  if (path.length > MAX_PAYLOAD_DEPTH) {
    throw new EventValidationError(path.slice(0, 3).join('.') + '…', `expected at most ${MAX_PAYLOAD_DEPTH} levels of nesting, got more`);
  }
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') {
    if (Number.isFinite(value)) return value;
    throw new EventValidationError(path.join('.'), `expected a finite number, got ${value}`);
  }
  if (typeof value === 'object' && ancestors.has(value)) {
    throw new EventValidationError(path.join('.'), 'expected a JSON-like value, got a cycle');
  }
  if (Array.isArray(value)) {
    ancestors.add(value);
    const copy: JsonValue[] = [];
    // Index loop, not map: a hole in a sparse array is an undefined item and is rejected.
    for (let index = 0; index < value.length; index++) {
      path.push(index);
      copy.push(copyJsonValue(value[index], path, ancestors));
      path.pop();
    }
    ancestors.delete(value);
    return copy;
  }
  if (isPlainRecord(value)) return copyJsonRecord(value, path, ancestors);
  throw new EventValidationError(
    path.join('.'),
    `expected a JSON-like value (string, finite number, boolean, null, list or plain object), got ${describeValue(value)}`,
  );
}

function copyJsonRecord(value: Record<string, unknown>, path: (string | number)[], ancestors: Set<object>): EventPayload {
  ancestors.add(value);
  const copy: Record<string, JsonValue> = {};
  for (const key of Object.keys(value)) {
    path.push(key);
    const item = copyJsonValue(value[key], path, ancestors);
    path.pop();
    if (key === '__proto__') {
      // defineProperty keeps a `__proto__` key as data instead of setting the copy's prototype.
      Object.defineProperty(copy, key, { value: item, enumerable: true, writable: true, configurable: true });
    } else {
      copy[key] = item;
    }
  }
  ancestors.delete(value);
  return copy;
}

/**
 * A JSON-like copy of an event payload (never the caller's object, which stays unfrozen).
 * @internal
 */
export function copyPayload(value: unknown): EventPayload {
  if (!isPlainRecord(value)) {
    throw new EventValidationError('payload', `expected a plain object, got ${describeValue(value)}`);
  }
  return copyJsonRecord(value, ['payload'], new Set());
}

function isDeeplyFrozen(value: unknown): boolean {
  if (value === null || typeof value !== 'object') return true;
  return Object.isFrozen(value) && Object.values(value).every(isDeeplyFrozen);
}


const INIT_KEYS = new Set(['eventId', 'priority', 'timestamp', 'source', 'payload', 'requiresAck', 'maxProcessTimeMs', 'canBatch', 'canCollapse', 'canDrop']);

/** A quick structural check of an {@link EventInit}; false sends it through the full field checks. */
function isWellFormedInit(init: unknown): init is EventInit {
  if (!isPlainRecord(init)) return false;
  for (const key in init) {
    if (!INIT_KEYS.has(key)) return false;
  }
  const i = init as Record<string, unknown>;
  return (
    (i.eventId === undefined || (typeof i.eventId === 'string' && i.eventId.length > 0)) &&
    (i.priority === undefined || isEventPriority(i.priority)) &&
    (i.timestamp === undefined || (typeof i.timestamp === 'number' && Number.isFinite(i.timestamp))) &&
    (i.source === undefined || typeof i.source === 'string') &&
    (i.requiresAck === undefined || typeof i.requiresAck === 'boolean') &&
    (i.maxProcessTimeMs === undefined || (Number.isInteger(i.maxProcessTimeMs) && (i.maxProcessTimeMs as number) >= 0)) &&
    (i.canBatch === undefined || typeof i.canBatch === 'boolean') &&
    (i.canCollapse === undefined || typeof i.canCollapse === 'boolean') &&
    (i.canDrop === undefined || typeof i.canDrop === 'boolean')
  );
}

/**
 * Throws unless `priority` is the lane of `type`.
 * @internal
 */
export function checkPriority(type: string, priority: EventPriority): void {
  const expected = laneOfType(type);
  if (priority !== expected) {
    throw new EventValidationError('priority', `${type} is routed to P${expected}, got P${priority}`);
  }
}

/**
 * Throws the first problem of an {@link EventInit} (a field it does not know, or one that fails its
 * check); absent fields pass.
 * @internal
 */
export function checkEventInit(init: unknown): void {
  // The quick check accepts the common well-formed init without allocating; the field checks run
  // only to name what is wrong (or to confirm an unusual init).
  if (isWellFormedInit(init)) return;
  const problem = findFieldProblem(init, eventInitChecks, true);
  if (problem !== null) throw problem;
}

/**
 * Checks that `value` is a well-formed event (as a foreign producer might hand one over) and
 * returns it. Events built by {@link createEvent} pass in O(1). Anything else is validated; it is
 * remembered as valid only when it is deeply frozen, so an object that can still change is
 * validated again on every call (it is never copied or frozen here).
 *
 * @throws {EventValidationError} naming the field that is wrong
 */
export function validateEvent(value: unknown): Event {
  // Kept small so that it inlines into the callers' hot paths; the full check lives apart.
  return isBranded(value) ? (value as Event) : validateForeignEvent(value);
}

/** {@link validateEvent} for anything without the brand: remembered, or checked field by field. */
function validateForeignEvent(value: unknown): Event {
  if (typeof value === 'object' && value !== null && validated.has(value)) return value as Event;
  const problem = findFieldProblem(value, eventChecks, false);
  if (problem !== null) throw problem;
  const event = value as Event;
  copyPayload(event.payload);
  checkPriority(event.eventType, event.priority);
  if (isDeeplyFrozen(event)) validated.add(event);
  return event;
}
