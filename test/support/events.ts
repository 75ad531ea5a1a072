import { type Event, type EventInit, type EventType } from '../../src/event/contracts.js';
import { createEvent } from '../../src/event/createEvent.js';

/** What a test may set on an event: any field of `createEvent`'s init, its type, and a payload symbol. */
export interface TestEventOptions extends Omit<EventInit, 'eventId'> {
  /** The event type; without one, a neutral P2 event (see {@link ev}). */
  readonly type?: EventType;
  /** Sets `payload.symbol` (for collapse keys); ignored when `payload` is given. */
  readonly symbol?: string;
}

let sequence = 0;

/**
 * A valid, frozen test event built by `createEvent`, at timestamp 0 unless told.
 *
 * `ev('a')` names the event `a`; `ev({ type: 'FILL_CONFIRMED' })` gives it a fresh id (`e0`, `e1`, …).
 * Without a `type` it is a STRATEGY_EVALUATE (P2) that can be dropped and cannot be collapsed unless
 * told, so buffer tests see no collapse they did not ask for; with a `type`, the flags are that
 * type's defaults unless told.
 */
export function ev(options?: TestEventOptions): Event;
export function ev(id: string, options?: TestEventOptions): Event;
export function ev(idOrOptions: string | TestEventOptions = {}, options: TestEventOptions = {}): Event {
  const [eventId, given] = typeof idOrOptions === 'string' ? [idOrOptions, options] : [`e${sequence++}`, idOrOptions];
  const { type, symbol, ...init } = given;
  const payload = init.payload ?? (symbol === undefined ? undefined : { symbol });
  return createEvent(type ?? 'STRATEGY_EVALUATE', {
    ...(type === undefined ? { canCollapse: false } : {}),
    timestamp: 0,
    ...init,
    ...(payload === undefined ? {} : { payload }),
    eventId,
  });
}

/** Polls everything out of a buffer and returns the ids, oldest first. */
export function drainIds(buffer: { poll(now: number): Event | undefined }, now = 0): string[] {
  const ids: string[] = [];
  for (let e = buffer.poll(now); e !== undefined; e = buffer.poll(now)) ids.push(e.eventId);
  return ids;
}
