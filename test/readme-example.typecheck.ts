// Compile-only check that the README's pipeline example matches the public API (run by `npm run typecheck`).
import { type Observable } from 'rxjs';
import { map } from 'rxjs';
import { createEvent, EventDispatcher, EventPriority, registerEventType, type Event } from '../src/index.js';
import { dropOldest } from '../src/operators/index.js';

// The README augments 'qts-reactive'; inside this repository the same interface is reached by its path.
declare module '../src/event/contracts.js' {
  interface EventTypeRegistry {
    MY_SIGNAL: { symbol: string; score: number };
  }
}

type Tick = { symbol: string; price: number };
declare const fills: { record(batch: readonly Event[]): void };
declare const book: { apply(batch: readonly Event[]): void };
declare const strategy: { consider(batch: readonly Event[]): void };
declare const log: { warn(message: string): void };
declare const ticks$: Observable<Tick>;
declare const consumerReady$: Observable<void>;
declare const dropped: Tick[];

export async function readmeExample(): Promise<Observable<Tick>> {
  registerEventType('MY_SIGNAL', { priority: EventPriority.P2_MEDIUM });

  const dispatcher = new EventDispatcher({ queues: { p1: { capacity: 20_000 } } }); // partial config, deep-merged over the defaults
  dispatcher.registerHandler(EventPriority.P0_CRITICAL, (batch) => fills.record(batch));
  dispatcher.registerHandler(EventPriority.P1_HIGH, (batch) => book.apply(batch));
  dispatcher.registerHandler(EventPriority.P2_MEDIUM, (batch) => strategy.consider(batch));
  dispatcher.drops$.subscribe((drop) => log.warn(`${drop.reason}: ${drop.event.eventType}`));
  await dispatcher.start();

  // The reactive entry: ticks flow into the P1 lane; fills are dispatched imperatively.
  dispatcher.ingest(ticks$.pipe(map((tick) => createEvent('PRICE_TICK', { source: 'feed', payload: tick }))));
  await dispatcher.dispatch(createEvent('FILL_CONFIRMED', { payload: { orderId: 'A1', qty: 100 } }));
  // Awaited handling: resolves once every P2 handler of its batch succeeded, rejects if one failed.
  await dispatcher.dispatchAndWait(createEvent('MY_SIGNAL', { payload: { symbol: 'AAPL', score: 0.8 } }));

  // Or a single policy as an operator on your own values, emitting only when the consumer asks:
  return ticks$.pipe(dropOldest({ capacity: 2, ready: consumerReady$, onDrop: (d) => dropped.push(d.event) })); // Observable<Tick>
}
