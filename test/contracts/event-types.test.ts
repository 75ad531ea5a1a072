import { describe, expect, it } from 'vitest';
import { TestScheduler } from 'rxjs/testing';
import {
  ConfigError,
  EventDispatcher,
  EventTypeError,
  EventValidationError,
  createEvent,
  parseEventConfig,
  registerEventType,
  registeredEventType,
  resolveEventConfig,
  validateEvent,
  type EventTypeName,
  type QtsEvent,
} from '../../src/index.js';

// The registry is process-wide: every test uses its own names.
// These names are not in EventTypeRegistry (that is the type system's side, proven by the packed
// consumer project); here the run-time side is tested, so the names are cast.
const userType = (name: string): EventTypeName => name as EventTypeName;

/** What `action` throws; fails the test when it throws nothing. */
function errorOf(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error, nothing was thrown');
}

function virtual(): TestScheduler {
  return new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
}

describe('registerEventType', () => {
  it('gives a user type its lane and the lane defaults, overridable per type', () => {
    const registration = registerEventType('MY_SIGNAL', { priority: 2, canCollapse: false });
    expect(registration).toEqual({
      name: 'MY_SIGNAL',
      priority: 2,
      defaults: { requiresAck: false, maxProcessTimeMs: 500, canBatch: true, canCollapse: false, canDrop: true },
    });
    const event = createEvent(userType('MY_SIGNAL'), { payload: { score: 1 } });
    expect(event).toMatchObject({ eventType: 'MY_SIGNAL', priority: 2, canCollapse: false, canDrop: true, payload: { score: 1 } });
    expect(Object.isFrozen(event.payload)).toBe(true);
    expect(validateEvent(event)).toBe(event);
    expect(registeredEventType('MY_SIGNAL')).toBe(registration);
  });

  it('validates a foreign event of a registered type and rejects one routed to the wrong lane', () => {
    registerEventType('FOREIGN_TYPE', { priority: 1 });
    const event = { ...createEvent(userType('FOREIGN_TYPE')) };
    expect(validateEvent(event)).toBe(event);
    const error = errorOf(() => validateEvent({ ...event, priority: 3 }));
    expect(error).toBeInstanceOf(EventValidationError);
    expect((error as Error).message).toBe('priority: FOREIGN_TYPE is routed to P1, got P3');
  });

  it('still rejects an unregistered name at run time, naming it', () => {
    expect(() => createEvent(userType('NEVER_REGISTERED'))).toThrow('eventType: unknown event type "NEVER_REGISTERED"');
    expect(() => validateEvent({ ...createEvent('LOG_WRITE'), eventType: 'NEVER_REGISTERED' })).toThrow('unknown event type "NEVER_REGISTERED"');
  });

  it('is idempotent for the same options', () => {
    const first = registerEventType('SAME_TWICE', { priority: 3, canDrop: false });
    expect(registerEventType('SAME_TWICE', { priority: 3, canDrop: false })).toBe(first);
  });

  it('refuses a seed type name with a typed error and changes nothing', () => {
    const error = errorOf(() => registerEventType('PRICE_TICK', { priority: 0 }));
    expect(error).toBeInstanceOf(EventTypeError);
    expect((error as Error).message).toBe('event type "PRICE_TICK": name: expected a name that is not a built-in event type, got "PRICE_TICK"');
    expect(createEvent('PRICE_TICK').priority).toBe(1);
  });

  it('refuses a priority that contradicts an earlier registration', () => {
    registerEventType('ROUTED_ONCE', { priority: 1 });
    const error = errorOf(() => registerEventType('ROUTED_ONCE', { priority: 3 }));
    expect(error).toBeInstanceOf(EventTypeError);
    expect(error).toMatchObject({ field: 'priority', received: 3 });
    expect((error as Error).message).toBe('event type "ROUTED_ONCE": priority: expected 1, as registered before, got 3');
    expect(createEvent(userType('ROUTED_ONCE')).priority).toBe(1);
  });

  it('refuses a default that contradicts an earlier registration', () => {
    registerEventType('DEFAULTS_ONCE', { priority: 2 });
    expect(() => registerEventType('DEFAULTS_ONCE', { priority: 2, canDrop: false })).toThrow(
      'event type "DEFAULTS_ONCE": canDrop: expected true, as registered before, got false',
    );
  });

  it.each([
    ['a lower-case name', 'my_signal', { priority: 1 }, 'event type "my_signal": name: expected an UPPER_SNAKE_CASE name (A–Z, 0–9, _), got "my_signal"'],
    ['a priority out of range', 'BAD_PRIORITY', { priority: 4 }, 'event type "BAD_PRIORITY": priority: expected an EventPriority (0, 1, 2 or 3), got 4'],
    ['a non-boolean flag', 'BAD_FLAG', { priority: 1, canDrop: 'yes' }, 'event type "BAD_FLAG": canDrop: expected a boolean, got "yes"'],
    ['a negative budget', 'BAD_BUDGET', { priority: 1, maxProcessTimeMs: -1 }, 'event type "BAD_BUDGET": maxProcessTimeMs: expected a non-negative integer of milliseconds, got -1'],
    ['an unknown option', 'BAD_OPTION', { priority: 1, canFly: true }, 'event type "BAD_OPTION": canFly: expected one of priority, requiresAck, maxProcessTimeMs, canBatch, canCollapse, canDrop, got "canFly"'],
  ])('refuses %s with a typed error and registers nothing', (_what, name, options, message) => {
    const error = errorOf(() => registerEventType(name, options as never));
    expect(error).toBeInstanceOf(EventTypeError);
    expect((error as Error).message).toBe(message);
    expect(registeredEventType(name)).toBeUndefined();
  });
});

describe('a registered type through the dispatcher', () => {
  it('is routed to its registered lane and handled there', async () => {
    registerEventType('RISK_PING', { priority: 0 });
    const scheduler = virtual();
    const d = new EventDispatcher({}, { scheduler });
    const lanes: string[] = [];
    for (const priority of [0, 1, 2, 3] as const) {
      d.registerHandler(priority, (batch) => void lanes.push(...batch.map((e) => `P${priority}:${e.eventType}`)));
    }
    await d.start();
    const ping: QtsEvent = createEvent(userType('RISK_PING'), { payload: { at: 1 } });
    expect(ping).toMatchObject({ priority: 0, requiresAck: true, canDrop: false });
    const handled = d.dispatchAndWait(ping);
    scheduler.flush();
    await handled;
    expect(lanes).toEqual(['P0:RISK_PING']);
  });
});

describe('the event_types block of event.yaml', () => {
  it('is empty by default', () => {
    expect(resolveEventConfig().eventTypes).toEqual({});
  });

  it('reads types with their lane and defaults, and a dispatcher built with it registers them', () => {
    const config = parseEventConfig('event:\n  event_types:\n    YAML_SIGNAL: {priority: 2, can_collapse: false, max_process_time_ms: 250}\n');
    expect(config.eventTypes).toEqual({ YAML_SIGNAL: { priority: 2, canCollapse: false, maxProcessTimeMs: 250 } });
    new EventDispatcher(config, { scheduler: virtual() });
    expect(createEvent(userType('YAML_SIGNAL'))).toMatchObject({ priority: 2, canCollapse: false, maxProcessTimeMs: 250, canBatch: true });
  });

  it('takes a camelCase partial from code', () => {
    const config = resolveEventConfig({ eventTypes: { CODE_SIGNAL: { priority: 3, canDrop: false } } });
    expect(config.eventTypes).toEqual({ CODE_SIGNAL: { priority: 3, canDrop: false } });
  });

  it.each([
    [
      'a priority out of range',
      'event:\n  event_types:\n    X_SIGNAL:\n      priority: 5\n',
      'bad.yaml:4:17 event.event_types.X_SIGNAL.priority: expected an EventPriority (0, 1, 2 or 3), got 5',
    ],
    [
      'a misspelt default',
      'event:\n  event_types:\n    X_SIGNAL:\n      priority: 1\n      can_drp: false\n',
      'bad.yaml:5:7 event.event_types.X_SIGNAL.can_drp: unknown key; did you mean "can_drop"?',
    ],
    [
      'a missing priority',
      'event:\n  event_types:\n    X_SIGNAL: {can_drop: false}\n',
      'bad.yaml:3:5 event.event_types.X_SIGNAL.priority: expected an EventPriority (0, 1, 2 or 3), got nothing',
    ],
    [
      'a seed type name',
      'event:\n  event_types:\n    PRICE_TICK: {priority: 1}\n',
      'bad.yaml:3:17 event.event_types.PRICE_TICK: expected an UPPER_SNAKE_CASE name that is not a built-in event type, got "PRICE_TICK"',
    ],
    [
      'a non-boolean flag',
      'event:\n  event_types:\n    X_SIGNAL: {priority: 1, can_batch: "no"}\n',
      'bad.yaml:3:40 event.event_types.X_SIGNAL.can_batch: expected true or false, got "no"',
    ],
  ])('rejects %s with a positioned ConfigError', (_what, text, message) => {
    const error = errorOf(() => parseEventConfig(text, 'bad.yaml'));
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toBe(message);
  });

  it('a dispatcher whose event_types contradict an earlier registration fails with EventTypeError, registering none of them', () => {
    registerEventType('CLASHING_TYPE', { priority: 1 });
    const config = resolveEventConfig({ eventTypes: { FRESH_TYPE: { priority: 2 }, CLASHING_TYPE: { priority: 2 } } });
    expect(() => new EventDispatcher(config, { scheduler: virtual() })).toThrow(EventTypeError);
    expect(registeredEventType('FRESH_TYPE')).toBeUndefined();
  });
});
