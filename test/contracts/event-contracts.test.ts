import { VirtualTimeScheduler } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import {
  createEvent,
  DEGRADATION_SEVERITY,
  DegradationLevel,
  EVENT_PRIORITIES,
  EVENT_PRIORITY_MAP,
  EventPriority,
  EventType,
  EventValidationError,
  isLanePaused,
  LANE_KEYS,
  OverflowPolicy,
  PRIORITY_DEFAULTS,
  validateEvent,
  type Event,
} from '../../src/index.js';

/** The design's routing table, lane by lane. */
const SEED_LANES: Readonly<Record<EventPriority, readonly string[]>> = {
  0: ['FILL_CONFIRMED', 'FILL_PARTIAL', 'ORDER_REJECTED', 'ORDER_CANCELLED', 'POSITION_UPDATE', 'EMERGENCY_STOP', 'BROKER_DISCONNECT'],
  1: ['PRICE_TICK', 'ORDERBOOK_UPDATE', 'VOLUME_UPDATE', 'INDEX_UPDATE', 'VIX_UPDATE'],
  2: ['ETEDA_CYCLE_START', 'STRATEGY_EVALUATE', 'RISK_EVALUATE', 'PORTFOLIO_EVALUATE', 'INDICATOR_UPDATE', 'SIGNAL_GENERATED'],
  3: ['DASHBOARD_UPDATE', 'LOG_WRITE', 'REPORT_GENERATE', 'NOTIFICATION_SEND', 'METRIC_RECORD'],
};

function validationErrorOf(action: () => unknown): EventValidationError {
  try {
    action();
  } catch (error) {
    if (error instanceof EventValidationError) return error;
    throw error;
  }
  throw new Error('expected an EventValidationError, nothing was thrown');
}

describe('enumerations', () => {
  it('EventPriority: P0_CRITICAL 0 … P3_LOW 3, listed highest first', () => {
    expect(EventPriority).toEqual({ P0_CRITICAL: 0, P1_HIGH: 1, P2_MEDIUM: 2, P3_LOW: 3 });
    expect(EventPriority.P0_CRITICAL === 0).toBe(true);
    expect(EVENT_PRIORITIES).toEqual([0, 1, 2, 3]);
    expect(LANE_KEYS).toEqual(['p0', 'p1', 'p2', 'p3']);
  });

  it('EventType: 23 types, each value equal to its name', () => {
    expect(Object.keys(EventType)).toHaveLength(23);
    for (const [name, value] of Object.entries(EventType)) expect(value).toBe(name);
    expect(Object.keys(EventType).sort()).toEqual(Object.values(SEED_LANES).flat().sort());
  });

  it('OverflowPolicy and DegradationLevel: the design names, values equal to names', () => {
    expect(OverflowPolicy).toEqual({ BLOCK: 'BLOCK', DROP_OLDEST: 'DROP_OLDEST', COLLAPSE: 'COLLAPSE', SAMPLE: 'SAMPLE' });
    expect(DegradationLevel).toEqual({ NORMAL: 'NORMAL', P3_PAUSED: 'P3_PAUSED', P2_P3_PAUSED: 'P2_P3_PAUSED', CRITICAL_ONLY: 'CRITICAL_ONLY' });
    expect(DEGRADATION_SEVERITY).toEqual({ NORMAL: 0, P3_PAUSED: 1, P2_P3_PAUSED: 2, CRITICAL_ONLY: 3 });
  });

  it('enumerations and tables are frozen', () => {
    for (const table of [EVENT_PRIORITIES, LANE_KEYS, EVENT_PRIORITY_MAP, DEGRADATION_SEVERITY, PRIORITY_DEFAULTS, PRIORITY_DEFAULTS[0]]) {
      expect(Object.isFrozen(table)).toBe(true);
    }
  });
});

describe('EVENT_PRIORITY_MAP', () => {
  it('maps all 23 types', () => {
    expect(Object.keys(EVENT_PRIORITY_MAP).sort()).toEqual(Object.values(EventType).sort());
  });

  it.each(EVENT_PRIORITIES.map((priority) => [priority, SEED_LANES[priority]] as const))('routes to P%i exactly the design types', (priority, types) => {
    const routed = Object.entries(EVENT_PRIORITY_MAP)
      .filter(([, lane]) => lane === priority)
      .map(([type]) => type);
    expect(routed).toEqual(types);
  });
});

describe('isLanePaused', () => {
  // Rows: level; columns: P0 … P3 paused?
  const table: ReadonlyArray<readonly [DegradationLevel, readonly boolean[]]> = [
    ['NORMAL', [false, false, false, false]],
    ['P3_PAUSED', [false, false, false, true]],
    ['P2_P3_PAUSED', [false, false, true, true]],
    ['CRITICAL_ONLY', [false, true, true, true]],
  ];
  it.each(table)('%s pauses %j', (level, paused) => {
    expect(EVENT_PRIORITIES.map((priority) => isLanePaused(level, priority))).toEqual(paused);
  });
});

describe('createEvent', () => {
  it.each([
    ['FILL_CONFIRMED', 0, { requiresAck: true, maxProcessTimeMs: 10, canBatch: false, canCollapse: false, canDrop: false }],
    ['PRICE_TICK', 1, { requiresAck: false, maxProcessTimeMs: 50, canBatch: true, canCollapse: false, canDrop: true }],
    ['RISK_EVALUATE', 2, { requiresAck: false, maxProcessTimeMs: 500, canBatch: true, canCollapse: true, canDrop: true }],
    ['LOG_WRITE', 3, { requiresAck: false, maxProcessTimeMs: 0, canBatch: true, canCollapse: false, canDrop: true }],
  ] as const)('%s: priority P%i and that lane’s defaults', (type, priority, flags) => {
    const event = createEvent(type);
    expect(event).toMatchObject({ eventType: type, priority, source: '', payload: {}, ...flags });
    expect(PRIORITY_DEFAULTS[priority]).toEqual(flags);
  });

  it('every type gets its lane’s priority and defaults', () => {
    for (const type of Object.values(EventType)) {
      const event = createEvent(type);
      expect(event.priority).toBe(EVENT_PRIORITY_MAP[type]);
      expect(event).toMatchObject(PRIORITY_DEFAULTS[event.priority]);
    }
  });

  it('takes the timestamp from the scheduler clock (VirtualTimeScheduler)', () => {
    const scheduler = new VirtualTimeScheduler();
    let event: Event | undefined;
    scheduler.schedule(() => {
      event = createEvent('PRICE_TICK', {}, scheduler);
    }, 1234);
    scheduler.flush();
    expect(event?.timestamp).toBe(1234);
  });

  it('takes the timestamp from the scheduler clock (TestScheduler, virtual time)', () => {
    const testScheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
    testScheduler.run(({ expectObservable, cold }) => {
      const events$ = cold('--a 96ms b|');
      const stamps: number[] = [];
      events$.subscribe(() => stamps.push(createEvent('VIX_UPDATE', {}, testScheduler).timestamp));
      expectObservable(events$).toBe('--a 96ms b|');
      testScheduler.schedule(() => expect(stamps).toEqual([2, 99]), 100);
    });
  });

  it('keeps given fields when they agree with the type', () => {
    const event = createEvent('FILL_PARTIAL', {
      eventId: 'fill-1',
      priority: 0,
      timestamp: 42,
      source: 'broker',
      payload: { orderId: 'A1', qty: 100 },
      maxProcessTimeMs: 5,
    });
    expect(event).toMatchObject({ eventId: 'fill-1', priority: 0, timestamp: 42, source: 'broker', payload: { orderId: 'A1', qty: 100 }, maxProcessTimeMs: 5 });
  });

  it('gives every event its own uuid', () => {
    const ids = new Set(Array.from({ length: 100 }, () => createEvent('LOG_WRITE').eventId));
    expect(ids.size).toBe(100);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('freezes the event and its payload deeply, but never the caller’s payload', () => {
    const payload = { symbol: 'SPY', legs: [{ qty: 1 }, { qty: 2 }], meta: { tags: ['a'] } };
    const event = createEvent('SIGNAL_GENERATED', { payload });
    expect(Object.isFrozen(event)).toBe(true);
    expect(Object.isFrozen(event.payload)).toBe(true);
    expect(Object.isFrozen(event.payload.legs)).toBe(true);
    expect(Object.isFrozen((event.payload.legs as readonly object[])[0])).toBe(true);
    expect(Object.isFrozen((event.payload.meta as { tags: readonly string[] }).tags)).toBe(true);
    expect(Object.isFrozen(payload)).toBe(false);
    expect(Object.isFrozen(payload.legs)).toBe(false);
    expect(Object.isFrozen(payload.legs[0])).toBe(false);
    expect(Object.isFrozen(payload.meta.tags)).toBe(false);
    payload.legs[0]!.qty = 99;
    expect(event.payload).toEqual({ symbol: 'SPY', legs: [{ qty: 1 }, { qty: 2 }], meta: { tags: ['a'] } });
  });

  it('keeps a "__proto__" payload key as data', () => {
    const event = createEvent('LOG_WRITE', { payload: JSON.parse('{"__proto__": {"polluted": true}}') as Record<string, unknown> });
    expect(Object.keys(event.payload)).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(event.payload)).toBe(Object.prototype);
    expect((event.payload as { polluted?: boolean }).polluted).toBeUndefined();
  });

  const cyclic: Record<string, unknown> = { a: 1 };
  cyclic['self'] = cyclic;
  const rejections: ReadonlyArray<readonly [what: string, create: () => Event, field: string, message: string]> = [
    ['an unknown type', () => createEvent('PRICE_TOCK' as EventType), 'eventType', 'eventType: unknown event type "PRICE_TOCK"'],
    ['a priority that contradicts the map', () => createEvent('PRICE_TICK', { priority: 0 }), 'priority', 'priority: PRICE_TICK is routed to P1, got P0'],
    ['a priority that does not exist', () => createEvent('LOG_WRITE', { priority: 7 as EventPriority }), 'priority', 'priority: expected one of 0, 1, 2, 3, got 7'],
    ['a non-string source', () => createEvent('LOG_WRITE', { source: 5 as unknown as string }), 'source', 'source: expected a string, got 5'],
    ['an empty eventId', () => createEvent('LOG_WRITE', { eventId: '' }), 'eventId', 'eventId: expected a non-empty string, got ""'],
    ['a NaN timestamp', () => createEvent('LOG_WRITE', { timestamp: Number.NaN }), 'timestamp', 'timestamp: expected a finite number of epoch milliseconds, got NaN'],
    ['a negative latency budget', () => createEvent('LOG_WRITE', { maxProcessTimeMs: -1 }), 'maxProcessTimeMs', 'maxProcessTimeMs: expected a whole number of milliseconds ≥ 0, got -1'],
    ['a non-boolean flag', () => createEvent('LOG_WRITE', { canDrop: 'no' as unknown as boolean }), 'canDrop', 'canDrop: expected a boolean, got "no"'],
    ['an unknown field', () => createEvent('LOG_WRITE', { colour: 'red' } as never), 'colour', 'colour: unknown field'],
    ['a list as payload', () => createEvent('LOG_WRITE', { payload: [1] as never }), 'payload', 'payload: expected a plain object, got a list'],
    ['a nested NaN in the payload', () => createEvent('LOG_WRITE', { payload: { a: { b: [1, Number.NaN] } } }), 'payload.a.b.1', 'payload.a.b.1: expected a finite number, got NaN'],
    [
      'a function in the payload',
      () => createEvent('LOG_WRITE', { payload: { fn: () => 1 } }),
      'payload.fn',
      'payload.fn: expected a JSON-like value (string, finite number, boolean, null, list or plain object), got a function',
    ],
    [
      'a Date in the payload',
      () => createEvent('LOG_WRITE', { payload: { at: new Date(0) } }),
      'payload.at',
      'payload.at: expected a JSON-like value (string, finite number, boolean, null, list or plain object), got a Date',
    ],
    [
      'undefined in the payload',
      () => createEvent('LOG_WRITE', { payload: { missing: undefined } }),
      'payload.missing',
      'payload.missing: expected a JSON-like value (string, finite number, boolean, null, list or plain object), got nothing',
    ],
    ['a cyclic payload', () => createEvent('LOG_WRITE', { payload: cyclic }), 'payload.self', 'payload.self: expected a JSON-like value, got a cycle'],
  ];

  it.each(rejections)('rejects %s, naming the field', (_what, create, field, message) => {
    const error = validationErrorOf(create);
    expect(error.name).toBe('EventValidationError');
    expect(error.field).toBe(field);
    expect(error.message).toBe(message);
  });
});

describe('validateEvent', () => {
  const plain = (): Record<string, unknown> => ({
    eventId: 'e-1',
    eventType: 'ORDER_REJECTED',
    priority: 0,
    timestamp: 10,
    source: 'broker',
    payload: { reason: 'margin' },
    requiresAck: true,
    maxProcessTimeMs: 10,
    canBatch: false,
    canCollapse: false,
    canDrop: false,
  });

  it('returns an event built by createEvent as it is', () => {
    const event = createEvent('EMERGENCY_STOP');
    expect(validateEvent(event)).toBe(event);
  });

  it('accepts a well-formed foreign event and returns it without copying or freezing it', () => {
    const foreign = plain();
    expect(validateEvent(foreign)).toBe(foreign);
    expect(Object.isFrozen(foreign)).toBe(false);
  });

  it('re-validates an unfrozen foreign event on every call, so a later change cannot slip through', () => {
    const foreign = plain();
    validateEvent(foreign);
    foreign['priority'] = 3;
    expect(validationErrorOf(() => validateEvent(foreign)).message).toBe('priority: ORDER_REJECTED is routed to P0, got P3');
  });

  it.each([
    ['not an object', null, 'event: expected an object, got null'],
    ['a missing field', { ...plain(), eventId: undefined }, 'eventId: expected a non-empty string, got nothing'],
    ['an unknown type', { ...plain(), eventType: 'ORDER_LOST' }, 'eventType: unknown event type "ORDER_LOST"'],
    ['a contradicting priority', { ...plain(), priority: 1 }, 'priority: ORDER_REJECTED is routed to P0, got P1'],
    ['an extra field', { ...plain(), extra: 1 }, 'extra: unknown field'],
    ['a malformed payload', { ...plain(), payload: { qty: Infinity } }, 'payload.qty: expected a finite number, got Infinity'],
    ['a missing payload', { ...plain(), payload: undefined }, 'payload: expected a plain object, got nothing'],
  ])('rejects %s', (_what, value, message) => {
    expect(validationErrorOf(() => validateEvent(value)).message).toBe(message);
  });
});
