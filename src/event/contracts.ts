/**
 * Event contracts: priorities, types, the frozen {@link Event} record and {@link createEvent}.
 *
 * Every enumeration is an `as const` object with a same-named union type, so
 * `EventPriority.P0_CRITICAL === 0` and `EventPriority` is also the type `0 | 1 | 2 | 3`.
 */
import { asyncScheduler, type SchedulerLike } from 'rxjs';
import { describeValue } from '../common/describe.js';
import { deepFreeze, isPlainRecord } from '../common/plain.js';
import { registeredEventType } from './event-types.js';

/** Priority lanes, highest first. The number is the lane index. */
export const EventPriority = {
  /** Execution and fills. Latency budget < 10 ms. Never dropped. */
  P0_CRITICAL: 0,
  /** Market data. Latency budget < 50 ms. */
  P1_HIGH: 1,
  /** Strategy. Latency budget < 500 ms. */
  P2_MEDIUM: 2,
  /** UI and logging. Best effort. */
  P3_LOW: 3,
} as const;
/** A lane index: 0 (P0_CRITICAL) … 3 (P3_LOW). */
export type EventPriority = (typeof EventPriority)[keyof typeof EventPriority];

/** All priorities, highest first. */
export const EVENT_PRIORITIES: readonly EventPriority[] = Object.freeze([0, 1, 2, 3] as const);

/** The lane key used in configuration (`p0` … `p3`) for a priority. */
export type LaneKey = 'p0' | 'p1' | 'p2' | 'p3';
/** Lane keys indexed by priority. */
export const LANE_KEYS: readonly LaneKey[] = Object.freeze(['p0', 'p1', 'p2', 'p3'] as const);

/** Every event type the system routes. String values equal their names. */
export const EventType = {
  FILL_CONFIRMED: 'FILL_CONFIRMED',
  FILL_PARTIAL: 'FILL_PARTIAL',
  ORDER_REJECTED: 'ORDER_REJECTED',
  ORDER_CANCELLED: 'ORDER_CANCELLED',
  POSITION_UPDATE: 'POSITION_UPDATE',
  EMERGENCY_STOP: 'EMERGENCY_STOP',
  BROKER_DISCONNECT: 'BROKER_DISCONNECT',
  PRICE_TICK: 'PRICE_TICK',
  ORDERBOOK_UPDATE: 'ORDERBOOK_UPDATE',
  VOLUME_UPDATE: 'VOLUME_UPDATE',
  INDEX_UPDATE: 'INDEX_UPDATE',
  VIX_UPDATE: 'VIX_UPDATE',
  ETEDA_CYCLE_START: 'ETEDA_CYCLE_START',
  STRATEGY_EVALUATE: 'STRATEGY_EVALUATE',
  RISK_EVALUATE: 'RISK_EVALUATE',
  PORTFOLIO_EVALUATE: 'PORTFOLIO_EVALUATE',
  INDICATOR_UPDATE: 'INDICATOR_UPDATE',
  SIGNAL_GENERATED: 'SIGNAL_GENERATED',
  DASHBOARD_UPDATE: 'DASHBOARD_UPDATE',
  LOG_WRITE: 'LOG_WRITE',
  REPORT_GENERATE: 'REPORT_GENERATE',
  NOTIFICATION_SEND: 'NOTIFICATION_SEND',
  METRIC_RECORD: 'METRIC_RECORD',
} as const;
/** One of the 23 event type names. */
export type EventType = (typeof EventType)[keyof typeof EventType];

/** The lane each event type is routed to. */
export const EVENT_PRIORITY_MAP: Readonly<Record<EventType, EventPriority>> = Object.freeze({
  FILL_CONFIRMED: EventPriority.P0_CRITICAL,
  FILL_PARTIAL: EventPriority.P0_CRITICAL,
  ORDER_REJECTED: EventPriority.P0_CRITICAL,
  ORDER_CANCELLED: EventPriority.P0_CRITICAL,
  POSITION_UPDATE: EventPriority.P0_CRITICAL,
  EMERGENCY_STOP: EventPriority.P0_CRITICAL,
  BROKER_DISCONNECT: EventPriority.P0_CRITICAL,
  PRICE_TICK: EventPriority.P1_HIGH,
  ORDERBOOK_UPDATE: EventPriority.P1_HIGH,
  VOLUME_UPDATE: EventPriority.P1_HIGH,
  INDEX_UPDATE: EventPriority.P1_HIGH,
  VIX_UPDATE: EventPriority.P1_HIGH,
  ETEDA_CYCLE_START: EventPriority.P2_MEDIUM,
  STRATEGY_EVALUATE: EventPriority.P2_MEDIUM,
  RISK_EVALUATE: EventPriority.P2_MEDIUM,
  PORTFOLIO_EVALUATE: EventPriority.P2_MEDIUM,
  INDICATOR_UPDATE: EventPriority.P2_MEDIUM,
  SIGNAL_GENERATED: EventPriority.P2_MEDIUM,
  DASHBOARD_UPDATE: EventPriority.P3_LOW,
  LOG_WRITE: EventPriority.P3_LOW,
  REPORT_GENERATE: EventPriority.P3_LOW,
  NOTIFICATION_SEND: EventPriority.P3_LOW,
  METRIC_RECORD: EventPriority.P3_LOW,
});

/** What a lane does when its buffer is full. See SPEC 1.2. */
export const OverflowPolicy = {
  /** The producer waits; nothing is dropped. */
  BLOCK: 'BLOCK',
  /** The oldest droppable queued event is evicted and reported. */
  DROP_OLDEST: 'DROP_OLDEST',
  /** A new event replaces the queued one with the same collapse key, in place. */
  COLLAPSE: 'COLLAPSE',
  /** At capacity only every N-th arrival is admitted. */
  SAMPLE: 'SAMPLE',
} as const;
/** One of the four overflow policies. */
export type OverflowPolicy = (typeof OverflowPolicy)[keyof typeof OverflowPolicy];

/** Which lanes are paused. Lanes keep buffering under their own policy while paused. */
export const DegradationLevel = {
  NORMAL: 'NORMAL',
  P3_PAUSED: 'P3_PAUSED',
  P2_P3_PAUSED: 'P2_P3_PAUSED',
  CRITICAL_ONLY: 'CRITICAL_ONLY',
} as const;
/** One of the four degradation levels. */
export type DegradationLevel = (typeof DegradationLevel)[keyof typeof DegradationLevel];

/** Degradation levels ordered from least to most severe. */
export const DEGRADATION_SEVERITY: Readonly<Record<DegradationLevel, number>> = Object.freeze({
  NORMAL: 0,
  P3_PAUSED: 1,
  P2_P3_PAUSED: 2,
  CRITICAL_ONLY: 3,
});

/** True when `level` pauses the lane of `priority`. */
export function isLanePaused(level: DegradationLevel, priority: EventPriority): boolean {
  return priority > 0 && priority >= 4 - DEGRADATION_SEVERITY[level];
}

/** A JSON-like value, as carried by an event payload. */
export type JsonValue = string | number | boolean | null | readonly JsonValue[] | { readonly [key: string]: JsonValue };
/** An event payload: a plain JSON-like record. */
export type EventPayload = { readonly [key: string]: JsonValue };

/**
 * The event types and their payloads, for the type system. The 23 seed types carry any JSON-like
 * record; add your own by declaration merging (and register them at run time with
 * `registerEventType` or an `event_types:` block in event.yaml):
 *
 * ```ts
 * declare module 'qts-reactive' {
 *   interface EventTypeRegistry {
 *     MY_SIGNAL: { score: number };
 *   }
 * }
 * createEvent('MY_SIGNAL', { payload: { score: 1 } }); // typechecks; { score: 'x' } does not
 * ```
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- the extension point users merge into
export interface EventTypeRegistry extends Record<EventType, EventPayload> {}

/** Every event type name the type system knows: the seed's and those merged into {@link EventTypeRegistry}. */
export type EventTypeName = keyof EventTypeRegistry & string;

/**
 * The payload type of an event of type `K`: the registered payload for one type (or a few), and the
 * general JSON-like record for the seed types and for "any type" (`QtsEvent` without argument),
 * so reading a payload through the general `QtsEvent` never depends on which types are registered.
 * Declare registered payloads as type literals (`{ score: number }`), so they stay assignable to it.
 */
export type EventPayloadOf<K extends EventTypeName> = EventTypeName extends K ? EventPayload : K extends EventType ? EventPayload : EventTypeRegistry[K];

/** What `createEvent` accepts as the payload of type `K`: any record for a seed type, the registered type otherwise. */
export type EventPayloadInit<K extends EventTypeName> = K extends EventType ? Record<string, unknown> : EventTypeRegistry[K];

/**
 * A routed event (named so that it never clashes with the global DOM/Node `Event`). Created
 * frozen (payload included) by {@link createEvent}; `K` narrows its type and, through `P`
 * (derived from `K`; not meant to be given), its payload.
 */
export interface QtsEvent<K extends EventTypeName = EventTypeName, P = EventPayloadOf<K>> {
  readonly eventId: string;
  readonly eventType: K;
  readonly priority: EventPriority;
  /** Epoch milliseconds from the creating scheduler's clock. */
  readonly timestamp: number;
  readonly source: string;
  readonly payload: P;
  /** Counts as handled only when every handler of its lane succeeded; otherwise a failure record. */
  readonly requiresAck: boolean;
  /** Latency budget in ms; 0 means best effort. */
  readonly maxProcessTimeMs: number;
  readonly canBatch: boolean;
  readonly canCollapse: boolean;
  /** False: never evicted, collapsed away or rejected; the lane blocks for it instead. */
  readonly canDrop: boolean;
}

/** The library's event: {@link QtsEvent} under its earlier name, kept working. */
export type Event = QtsEvent;

/** The optional fields of {@link createEvent}; everything else comes from defaults. */
export interface EventInit<K extends EventTypeName = EventTypeName> {
  eventId?: string;
  /** Must equal the type's lane (`EVENT_PRIORITY_MAP[type]`, or its registration) when given. */
  priority?: EventPriority;
  timestamp?: number;
  source?: string;
  payload?: EventPayloadInit<K>;
  requiresAck?: boolean;
  maxProcessTimeMs?: number;
  canBatch?: boolean;
  canCollapse?: boolean;
  canDrop?: boolean;
}

/** The per-event delivery flags that {@link PRIORITY_DEFAULTS} supplies per priority. */
export type EventFlags = Pick<Event, 'requiresAck' | 'maxProcessTimeMs' | 'canBatch' | 'canCollapse' | 'canDrop'>;

/** Per-priority defaults applied by {@link createEvent}. */
export const PRIORITY_DEFAULTS: Readonly<Record<EventPriority, Readonly<EventFlags>>> = Object.freeze({
  0: Object.freeze({ requiresAck: true, maxProcessTimeMs: 10, canBatch: false, canCollapse: false, canDrop: false }),
  1: Object.freeze({ requiresAck: false, maxProcessTimeMs: 50, canBatch: true, canCollapse: false, canDrop: true }),
  2: Object.freeze({ requiresAck: false, maxProcessTimeMs: 500, canBatch: true, canCollapse: true, canDrop: true }),
  3: Object.freeze({ requiresAck: false, maxProcessTimeMs: 0, canBatch: true, canCollapse: false, canDrop: true }),
});

/** Thrown when an event or its init fails validation. `field` names the offending field. */
export class EventValidationError extends Error {
  override readonly name = 'EventValidationError';
  constructor(
    /** Dotted path of the offending field, e.g. `payload.qty` or `eventType`. */
    readonly field: string,
    /** What was wrong with it. */
    readonly problem: string,
  ) {
    super(`${field}: ${problem}`);
  }
}

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
const isPriority = expecting('one of 0, 1, 2, 3', (v) => v === 0 || v === 1 || v === 2 || v === 3);
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

/** A JSON-like copy of an event payload (never the caller's object, which stays unfrozen). */
function copyPayload(value: unknown): EventPayload {
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
    (i.priority === undefined || i.priority === 0 || i.priority === 1 || i.priority === 2 || i.priority === 3) &&
    (i.timestamp === undefined || (typeof i.timestamp === 'number' && Number.isFinite(i.timestamp))) &&
    (i.source === undefined || typeof i.source === 'string') &&
    (i.requiresAck === undefined || typeof i.requiresAck === 'boolean') &&
    (i.maxProcessTimeMs === undefined || (Number.isInteger(i.maxProcessTimeMs) && (i.maxProcessTimeMs as number) >= 0)) &&
    (i.canBatch === undefined || typeof i.canBatch === 'boolean') &&
    (i.canCollapse === undefined || typeof i.canCollapse === 'boolean') &&
    (i.canDrop === undefined || typeof i.canDrop === 'boolean')
  );
}

function checkPriority(type: string, priority: EventPriority): void {
  const expected = laneOfType(type);
  if (priority !== expected) {
    throw new EventValidationError('priority', `${type} is routed to P${expected}, got P${priority}`);
  }
}

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
  // The quick check accepts the common well-formed init without allocating; the field checks run
  // only to name what is wrong (or to confirm an unusual init).
  if (!isWellFormedInit(init)) {
    const problem = findFieldProblem(init, eventInitChecks, true);
    if (problem !== null) throw problem;
  }
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
  new EventBrand(event);
  deepFreeze(event);
  return event as QtsEvent<K>;
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
