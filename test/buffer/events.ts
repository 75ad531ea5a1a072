import type { Event, EventPayload, EventType } from '../../src/index.js';

/** A cheap frozen test event named `id` (no uuid, no validation), droppable and collapsible unless told. */
export function ev(id: string, init: { type?: EventType; canDrop?: boolean; canCollapse?: boolean; symbol?: string } = {}): Event {
  return Object.freeze({
    eventId: id,
    eventType: init.type ?? 'STRATEGY_EVALUATE',
    priority: 2,
    timestamp: 0,
    source: 'test',
    payload: Object.freeze<EventPayload>(init.symbol === undefined ? {} : { symbol: init.symbol }),
    requiresAck: false,
    maxProcessTimeMs: 500,
    canBatch: true,
    canCollapse: init.canCollapse ?? false,
    canDrop: init.canDrop ?? true,
  });
}

/** Polls everything out of a buffer and returns the ids, oldest first. */
export function drainIds(buffer: { poll(now: number): Event | undefined }, now = 0): string[] {
  const ids: string[] = [];
  for (let e = buffer.poll(now); e !== undefined; e = buffer.poll(now)) ids.push(e.eventId);
  return ids;
}
