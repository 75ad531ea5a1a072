// The dispatcher trusts an event built by createEvent without checking it again; a copy of one,
// however made, is a foreign event and is validated in full.
import { describe, it, expect } from 'vitest';
import { TestScheduler } from 'rxjs/testing';
import { EventValidationError, type Event } from '../../src/event/contracts.js';
import { validateEvent } from '../../src/event/validation.js';
import { EventDispatcher } from '../../src/event/dispatcher/index.js';
import { ev } from '../support/events.js';

function virtual(): TestScheduler {
  return new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
}

async function rejection(promise: Promise<unknown>): Promise<EventValidationError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(EventValidationError);
    return error as EventValidationError;
  }
  throw new Error('expected a rejection');
}

describe('copies of a created event: validated in full, the validity mark does not travel', () => {
  it('rejects a spread copy with a bad field, naming it, and enqueues nothing', async () => {
    const scheduler = virtual();
    const d = new EventDispatcher({}, { scheduler });
    d.registerHandler(0, () => undefined);
    await d.start();
    const fill = ev({ type: 'FILL_CONFIRMED' });
    const copies: [unknown, string][] = [
      [{ ...fill, priority: 3 }, 'priority: FILL_CONFIRMED is routed to P0, got P3'],
      [{ ...fill, canDrop: 'no' }, 'canDrop: expected a boolean, got "no"'],
      [Object.assign({}, fill, { maxProcessTimeMs: -1 }), 'maxProcessTimeMs: expected a whole number of milliseconds ≥ 0, got -1'],
    ];
    for (const [copy, message] of copies) {
      expect((await rejection(d.dispatch(copy as Event))).message).toBe(message);
    }
    scheduler.flush();
    expect(d.sampleMetrics().lanes.map((lane) => lane.enqueued)).toEqual([0, 0, 0, 0]);
  });

  it('validates in full a descriptor copy and an Object.create child of a created event', () => {
    const fill = ev({ type: 'FILL_CONFIRMED' });
    const descriptors = Object.getOwnPropertyDescriptors(fill) as PropertyDescriptorMap;
    const clone = Object.defineProperties({}, { ...descriptors, priority: { value: 2, enumerable: true } });
    expect(() => validateEvent(clone)).toThrow('priority: FILL_CONFIRMED is routed to P0, got P2');
    const child = Object.create(fill, { eventType: { value: 'NOT_A_TYPE', enumerable: true } }) as unknown;
    expect(() => validateEvent(child)).toThrow(EventValidationError);
  });

  it('accepts an unmodified spread copy as a foreign event, and keeps the mark out of keys, JSON and spread', () => {
    const tick = ev({ type: 'PRICE_TICK', payload: { symbol: 'ES', px: 5000.25 } });
    const copy = { ...tick };
    expect(validateEvent(copy)).toBe(copy);
    expect(Object.getOwnPropertySymbols(copy)).toEqual([]);
    expect(Object.keys(tick)).toEqual(Object.keys(copy));
    expect(JSON.parse(JSON.stringify(tick))).toEqual(copy);
    expect(validateEvent(tick)).toBe(tick);
  });
});
