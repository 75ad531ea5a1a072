// Compile-only check that the README's pipeline example matches the public API (run by `npm run typecheck`).
import { type Observable } from 'rxjs';
import { map } from 'rxjs';
import { createEvent, EventDispatcher, EventPriority, type DropRecord, type Event } from '../src/index.js';
import { dropOldest } from '../src/operators/index.js';

declare const fills: { record(batch: readonly Event[]): void };
declare const book: { apply(batch: readonly Event[]): void };
declare const log: { warn(message: string): void };
declare const ticks$: Observable<{ symbol: string; price: number }>;
declare const quotes$: Observable<Event>;
declare const consumerReady$: Observable<void>;
declare const dropped: DropRecord[];

export async function readmeExample(): Promise<void> {
  const dispatcher = new EventDispatcher({ queues: { p1: { capacity: 20_000 } } }); // partial config, deep-merged over the defaults
  dispatcher.registerHandler(EventPriority.P0_CRITICAL, (batch) => fills.record(batch));
  dispatcher.registerHandler(EventPriority.P1_HIGH, (batch) => book.apply(batch));
  dispatcher.drops$.subscribe((drop) => log.warn(`${drop.reason}: ${drop.event.eventType}`));
  await dispatcher.start();

  // The reactive entry: ticks flow into the P1 lane; fills are dispatched imperatively.
  dispatcher.ingest(ticks$.pipe(map((tick) => createEvent('PRICE_TICK', { source: 'feed', payload: tick }))));
  await dispatcher.dispatch(createEvent('FILL_CONFIRMED', { payload: { orderId: 'A1', qty: 100 } }));

  // Or a single policy as an operator, emitting only when the consumer asks for the next value:
  quotes$.pipe(dropOldest({ capacity: 2, ready: consumerReady$, onDrop: (d) => dropped.push(d) }));
}
