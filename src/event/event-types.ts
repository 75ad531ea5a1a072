/**
 * Users' own event types at run time: each registered name gets its lane (priority) and its
 * per-event defaults, so `createEvent` builds it, `validateEvent` accepts it and the dispatcher
 * routes it like a seed type. The type system side is the `EventTypeRegistry` interface in
 * `contracts.ts` (declaration merging types each payload).
 */
import { describeValue } from '../common/describe.js';
import { EVENT_PRIORITIES, EVENT_PRIORITY_MAP, PRIORITY_DEFAULTS, type EventFlags, type EventPriority } from './contracts.js';

/** The priority of a registered type and any of its per-event defaults (the rest come from the priority). */
export interface EventTypeOptions extends Partial<EventFlags> {
  /** The lane: 0 (P0_CRITICAL) … 3 (P3_LOW). */
  readonly priority: EventPriority;
}

/** A registered event type: its lane and its complete per-event defaults. */
export interface RegisteredEventType {
  readonly name: string;
  readonly priority: EventPriority;
  readonly defaults: Readonly<EventFlags>;
}

/** What a user type's name must look like: UPPER_SNAKE_CASE, as the seed types are. */
export const EVENT_TYPE_NAME_PATTERN = /^[A-Z][A-Z0-9_]*$/;

/**
 * Thrown when an event type cannot be registered: a malformed name, a name of a built-in type, an
 * invalid option, or a registration that contradicts an earlier one. `field` names what was wrong.
 */
export class EventTypeError extends Error {
  override readonly name = 'EventTypeError';
  constructor(
    /** The type being registered. */
    readonly eventType: unknown,
    /** `name`, `priority` or a default's name. */
    readonly field: string,
    readonly expected: string,
    readonly received: unknown,
  ) {
    super(`event type ${describeValue(eventType)}: ${field}: expected ${expected}, got ${describeValue(received)}`);
  }
}

const FLAG_KINDS: Readonly<Record<keyof EventFlags, 'boolean' | 'count'>> = {
  requiresAck: 'boolean',
  maxProcessTimeMs: 'count',
  canBatch: 'boolean',
  canCollapse: 'boolean',
  canDrop: 'boolean',
};

const registered = new Map<string, RegisteredEventType>();

/** The registration of `name`, or undefined (also for the seed types, which are not registered). */
export function registeredEventType(name: string): RegisteredEventType | undefined {
  return registered.get(name);
}

/** True when `name` is not a seed type and fits {@link EVENT_TYPE_NAME_PATTERN}. */
export function isUserEventTypeName(name: unknown): name is string {
  return typeof name === 'string' && EVENT_TYPE_NAME_PATTERN.test(name) && !Object.hasOwn(EVENT_PRIORITY_MAP, name);
}

/**
 * Registers a user event type with its lane and defaults, so `createEvent(name, …)` builds it and
 * the dispatcher routes it to lane `priority`. Defaults not given come from the priority's
 * ({@link PRIORITY_DEFAULTS}). Registering the same name again with the same options does nothing.
 * For the payload's static type, add the name to `EventTypeRegistry` (see docs/events.md).
 *
 * @example
 * ```ts
 * registerEventType('MY_SIGNAL', { priority: EventPriority.P2_MEDIUM, canCollapse: false });
 * const signal = createEvent('MY_SIGNAL', { payload: { score: 0.8 } }); // routed to P2
 * ```
 * @throws {EventTypeError} for a malformed name, a seed type's name, an invalid option, or a
 *   priority or default that contradicts an earlier registration of the name
 */
export function registerEventType(name: string, options: EventTypeOptions): RegisteredEventType {
  const registration = checkRegistration(name, options);
  registered.set(name, registration);
  return registration;
}

/** The registration `registerEventType(name, options)` would make (or the identical earlier one), without making it. */
function checkRegistration(name: string, options: EventTypeOptions): RegisteredEventType {
  if (typeof name !== 'string' || !EVENT_TYPE_NAME_PATTERN.test(name)) {
    throw new EventTypeError(name, 'name', 'an UPPER_SNAKE_CASE name (A–Z, 0–9, _)', name);
  }
  if (Object.hasOwn(EVENT_PRIORITY_MAP, name)) {
    throw new EventTypeError(name, 'name', 'a name that is not a built-in event type', name);
  }
  if (typeof options !== 'object' || options === null) throw new EventTypeError(name, 'options', 'a mapping with a priority', options);
  const priority = options.priority;
  if (!EVENT_PRIORITIES.includes(priority)) throw new EventTypeError(name, 'priority', 'an EventPriority (0, 1, 2 or 3)', priority);
  const defaults: Record<string, unknown> = { ...PRIORITY_DEFAULTS[priority] };
  for (const key of Object.keys(options)) {
    if (key === 'priority') continue;
    const kind = Object.hasOwn(FLAG_KINDS, key) ? FLAG_KINDS[key as keyof EventFlags] : undefined;
    const value = (options as unknown as Record<string, unknown>)[key];
    if (kind === undefined) throw new EventTypeError(name, key, `one of priority, ${Object.keys(FLAG_KINDS).join(', ')}`, key);
    if (value === undefined) continue;
    const valid = kind === 'boolean' ? typeof value === 'boolean' : Number.isInteger(value) && (value as number) >= 0;
    if (!valid) throw new EventTypeError(name, key, kind === 'boolean' ? 'a boolean' : 'a non-negative integer of milliseconds', value);
    defaults[key] = value;
  }
  const earlier = registered.get(name);
  if (earlier !== undefined) {
    if (earlier.priority !== priority) throw new EventTypeError(name, 'priority', `${earlier.priority}, as registered before`, priority);
    for (const key of Object.keys(FLAG_KINDS) as (keyof EventFlags)[]) {
      if (earlier.defaults[key] !== defaults[key]) {
        throw new EventTypeError(name, key, `${String(earlier.defaults[key])}, as registered before`, defaults[key]);
      }
    }
    return earlier;
  }
  return Object.freeze({ name, priority, defaults: Object.freeze(defaults as unknown as EventFlags) });
}

/**
 * Registers every type of an `event_types` configuration block (as `EventConfig.eventTypes`),
 * all or none: each is checked against earlier registrations before any is added.
 *
 * @throws {EventTypeError} as {@link registerEventType}, for the first offending type
 */
export function registerEventTypes(types: Readonly<Record<string, EventTypeOptions>>): void {
  const checked = Object.entries(types).map(([name, options]) => checkRegistration(name, options));
  for (const registration of checked) registered.set(registration.name, registration);
}
