import { of } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { EventDispatcher, EventValidationError, MAX_PAYLOAD_DEPTH, createEvent, validateEvent, type EventType, type IngestError } from '../../src/index.js';

function nested(depth: number): Record<string, unknown> {
  let value: Record<string, unknown> = { leaf: 1 };
  for (let i = 0; i < depth; i++) value = { inner: value };
  return value;
}

const circular: Record<string, unknown> = { name: 'loop' };
circular.self = circular;

const plain = () => ({
  eventId: 'e1',
  eventType: 'LOG_WRITE',
  priority: 3,
  timestamp: 0,
  source: '',
  payload: {},
  requiresAck: false,
  maxProcessTimeMs: 0,
  canBatch: true,
  canCollapse: false,
  canDrop: true,
});

describe('hostile values get an EventValidationError, never a TypeError or RangeError', () => {
  const cases: [string, () => unknown, string][] = [
    ['a BigInt type', () => createEvent(10n as unknown as EventType), 'eventType'],
    ['a BigInt priority', () => createEvent('LOG_WRITE', { priority: 3n as never }), 'priority'],
    ['a circular object as type', () => createEvent(circular as unknown as EventType), 'eventType'],
    ['a circular payload', () => createEvent('LOG_WRITE', { payload: circular as never }), 'payload.self'],
    ['a payload nested 20 000 levels deep', () => createEvent('LOG_WRITE', { payload: nested(20_000) as never }), 'payload.inner.inner…'],
    ['a foreign event with a BigInt priority', () => validateEvent({ ...plain(), priority: 3n }), 'priority'],
    ['a foreign event with a circular type', () => validateEvent({ ...plain(), eventType: circular }), 'eventType'],
    ['a foreign event with a deep payload', () => validateEvent({ ...plain(), payload: nested(20_000) }), 'payload.inner.inner…'],
  ];
  for (const [name, make, field] of cases) {
    it(`${name}: names ${field}`, () => {
      let thrown: unknown;
      try {
        make();
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(EventValidationError);
      expect((thrown as EventValidationError).field).toBe(field);
    });
  }

  it('accepts a payload nested just under MAX_PAYLOAD_DEPTH levels', () => {
    expect(createEvent('LOG_WRITE', { payload: nested(MAX_PAYLOAD_DEPTH - 2) as never }).payload).toBeDefined();
  });

  it('reports them on ingestErrors$ typed, and the dispatcher keeps running', async () => {
    const d = new EventDispatcher();
    const errors: IngestError[] = [];
    d.ingestErrors$.subscribe((e) => errors.push(e));
    await d.start();
    d.ingest(of({ ...plain(), priority: 3n }, { ...plain(), eventType: circular }, { ...plain(), payload: nested(20_000) }) as never);
    expect(errors.map((e) => e.error instanceof EventValidationError)).toEqual([true, true, true]);
    expect(d.running).toBe(true);
    await d.stop();
  });
});
