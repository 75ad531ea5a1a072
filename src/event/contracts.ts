/**
 * Event contracts: priorities, types, overflow policies, degradation levels, the frozen
 * {@link Event} record and the error of a malformed one. Built by `createEvent` (`./createEvent.ts`),
 * checked by `validateEvent` (`./validation.ts`).
 *
 * Every enumeration is an `as const` object with a same-named union type, so
 * `EventPriority.P0_CRITICAL === 0` and `EventPriority` is also the type `0 | 1 | 2 | 3`.
 */
import type { SafetyState } from '../safety/state.js';

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

/**
 * True when `value` is one of {@link EVENT_PRIORITIES}.
 * @internal
 */
export function isEventPriority(value: unknown): value is EventPriority {
  return EVENT_PRIORITIES.includes(value as EventPriority);
}

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

/** The degradation level the dispatcher applies for each safety state (seed 3.5). */
export const SAFETY_TO_DEGRADATION: Readonly<Record<SafetyState, DegradationLevel>> = Object.freeze({
  NORMAL: DegradationLevel.NORMAL,
  WARNING: DegradationLevel.P3_PAUSED,
  FAIL: DegradationLevel.P2_P3_PAUSED,
  LOCKDOWN: DegradationLevel.CRITICAL_ONLY,
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
