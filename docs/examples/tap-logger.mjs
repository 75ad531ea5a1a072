// A stream logger without any debugger: a `tap` as the instrumentation hook, and formatRecord
// for the telemetry. Run: node docs/examples/tap-logger.mjs   (in this repository: npm run build first)
import { tap, VirtualTimeScheduler } from 'rxjs';
import { EventDispatcher, EventPriority, createEvent, formatRecord, setInstrumentation } from 'qts-reactive';

/** Logs every notification of every named stream; `print` receives each line. */
export async function runTapLogger(print = (line) => console.log(line)) {
  const text = (value) => (value?.seq !== undefined ? formatRecord(value) : Array.isArray(value) ? `[${value.map((e) => e.eventType).join(', ')}]` : String(value));
  const restore = setInstrumentation((name, { kind, creator }) =>
    tap({
      next: (value) => print(`${name} (${kind} of ${creator}): ${text(value)}`),
      error: (error) => print(`${name}: error ${error}`),
      complete: () => print(`${name}: complete`),
    }),
  );

  const scheduler = new VirtualTimeScheduler();
  scheduler.frame = Date.UTC(2020, 2, 2, 14, 30);
  const dispatcher = new EventDispatcher({ queues: { p1: { batchSize: 2, batchTimeoutMs: 0 } } }, { scheduler });
  dispatcher.registerHandler(EventPriority.P1_HIGH, () => {});
  const subscriptions = [dispatcher.telemetry$.subscribe(), dispatcher.batches$[EventPriority.P1_HIGH].subscribe()];
  await dispatcher.start();
  for (const price of [3001, 3002, 3003]) void dispatcher.dispatch(createEvent('PRICE_TICK', { payload: { symbol: 'SPX', price } }, scheduler));
  scheduler.flush();

  const stopped = dispatcher.stop();
  scheduler.flush();
  await stopped;
  for (const subscription of subscriptions) subscription.unsubscribe();
  restore();
}

if (import.meta.url === `file://${process.argv[1]}`) await runTapLogger();
