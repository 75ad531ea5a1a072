// A first pipeline: ticks and a fill through the priority lanes.
//   npm i qts-reactive rxjs
//   node first-pipeline.mjs
import { Subject, map } from 'rxjs';
import { createEvent, EventDispatcher, EventPriority } from 'qts-reactive';
import { dropOldest } from 'qts-reactive/operators';

const dispatcher = new EventDispatcher({ queues: { p1: { batchSize: 10 } } }); // a partial config over the defaults
dispatcher.registerHandler(EventPriority.P0_CRITICAL, (batch) => console.log('fill  ', batch[0].payload.orderId));
dispatcher.registerHandler(EventPriority.P1_HIGH, (batch) => console.log('ticks ', batch.map((e) => e.payload.price).join(' ')));
await dispatcher.start();

// The reactive entry: a stream of ticks flows into the P1 lane.
const ticks$ = new Subject();
dispatcher.ingest(ticks$.pipe(map((tick) => createEvent('PRICE_TICK', { source: 'feed', payload: tick }))));
for (const price of [100, 101, 102]) ticks$.next({ symbol: 'SPX', price });
// A fill arrives after the ticks and is handled before them: P0 goes first.
await dispatcher.dispatch(createEvent('FILL_CONFIRMED', { payload: { orderId: 'A1', qty: 100 } }));
await dispatcher.stop(); // drains what is queued, then completes every stream

// One policy on its own, as an operator: a slow consumer keeps only the newest quote.
const quotes$ = new Subject();
const ready$ = new Subject();
quotes$
  .pipe(dropOldest({ capacity: 1, ready: ready$, onDrop: (drop) => console.log('dropped', drop.event.payload.price) }))
  .subscribe((quote) => console.log('quote ', quote.payload.price));
for (const price of [200, 201, 202]) quotes$.next(createEvent('PRICE_TICK', { payload: { symbol: 'SPX', price } }));
ready$.next(); // the consumer asks for one
