// Watching the lanes and the operating state with rxjs-spy 8.
//
//   npm install --save-dev rxjs-spy     (already a dev dependency of this repository)
//   npm run build && node docs/examples/rxjs-spy.mjs
//
// The library wraps each of its named streams with one instrumentation hook. Installing
// rxjs-spy's `tag` as that hook, before the dispatcher and the manager are built, tags every one
// of them; `spy.log` then prints what flows through the tags it matches.
import { create } from 'rxjs-spy';
import { tag } from 'rxjs-spy/operators';
import { from, VirtualTimeScheduler } from 'rxjs';
import { EventDispatcher, OperatingStateManager, connectEventsToState, createEvent, setInstrumentation } from 'qts-reactive';
import { mergeByPriority } from 'qts-reactive/operators';

const DAY_MS = 86_400_000;

/** Short text for what the spy logs: events by type, drops and transitions by their key fields. */
function show(value) {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return `[${value.map(show).join(', ')}]`;
  if (value !== null && typeof value === 'object') {
    if ('eventType' in value) return value.eventType;
    if ('reason' in value && 'event' in value) return `${value.reason} ${value.event.eventType} ${JSON.stringify(value.event.payload)}`;
    if ('from' in value && 'to' in value) return `${value.from} -> ${value.to} (${value.cause}: ${value.reason})`;
  }
  return JSON.stringify(value);
}

/**
 * Runs a small scenario on a virtual clock with every named stream tagged, logging the lanes
 * (`lanes`, `dispatcher.drops`) and the state (`desk.state`, `desk.transitions`) through `log`.
 */
export function runSpyExample(log = (line) => console.log(line)) {
  const spy = create({ defaultPlugins: false, warning: false });
  const restoreHook = setInstrumentation((name) => tag(name));
  spy.log(/^(lanes|dispatcher\.drops|desk\.state|desk\.transitions)$/, 'next', { log: (...args) => log(args.map(show).join(' ')) });

  const scheduler = new VirtualTimeScheduler();
  scheduler.frame = Date.UTC(2020, 2, 2); // the clock starts on 2 March 2020

  // The lanes as an operator: events in, batches out in strict priority order.
  const calm = { drawdownPct: 0, vix: 14, consecutiveScalpLosses: 0, dailyLossPct: 0, marketCircuitBreaker: false, consecutiveProfitableDays: 1, cagr: 0.05, targetCagr: 0.08, capitalGrowthPct: 0.01, winRate30d: 0.5 };
  const burst = [
    createEvent('LOG_WRITE', { payload: { message: 'hello' } }, scheduler),
    createEvent('PRICE_TICK', { payload: { symbol: 'SPX', price: 3000 } }, scheduler),
    createEvent('FILL_CONFIRMED', { payload: { orderId: 'A1' } }, scheduler),
  ];
  from(burst).pipe(mergeByPriority({ scheduler, name: 'lanes' })).subscribe();
  scheduler.flush();

  // The system: a dispatcher with a tiny P1 lane, the bridge and the operating-state manager.
  const dispatcher = new EventDispatcher({ queues: { p1: { capacity: 3 } }, monitoring: { alerts: { p1Depth: { warning: 1, critical: 2 } } } }, { scheduler });
  const manager = new OperatingStateManager({}, { scheduler, name: 'desk' });
  const subscriptions = [manager.state$.subscribe(), manager.transitions$.subscribe(), dispatcher.drops$.subscribe()];
  connectEventsToState(dispatcher, manager);
  void dispatcher.start();

  // Four ticks at once into a P1 lane of capacity 3: the oldest is evicted and reported.
  for (const price of [3001, 3002, 3003, 3004]) void dispatcher.dispatch(createEvent('PRICE_TICK', { payload: { symbol: 'SPX', price } }, scheduler));
  scheduler.flush();

  // Six daily cycles, the last two with the VIX at 35: BALANCED -> DEFENSIVE after confirmation.
  for (let day = 1; day <= 6; day++) {
    scheduler.schedule(() => {
      const metrics = day >= 5 ? { ...calm, vix: 35 } : calm;
      void dispatcher.dispatch(createEvent('RISK_EVALUATE', { payload: metrics }, scheduler));
      void dispatcher.dispatch(createEvent('ETEDA_CYCLE_START', {}, scheduler));
    }, Date.UTC(2020, 2, 2) + day * DAY_MS + 21 * 3_600_000 - scheduler.now());
    scheduler.flush();
  }

  const stopped = dispatcher.stop();
  scheduler.flush();
  for (const s of subscriptions) s.unsubscribe();
  restoreHook();
  spy.teardown();
  return stopped.then(() => manager.currentState);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const state = await runSpyExample();
  console.log(`final state: ${state}`);
}
