// Watching the lanes and the operating state with rxjs-spy 8 (npm install --save-dev rxjs-spy).
// Run: node docs/examples/rxjs-spy.mjs   (in this repository: npm run build first)
import { create } from 'rxjs-spy';
import { tag } from 'rxjs-spy/operators';
import { from, VirtualTimeScheduler } from 'rxjs';
import { EventDispatcher, OperatingStateManager, connectEventsToState, createEvent, setInstrumentation } from 'qts-reactive';
import { mergeByPriority } from 'qts-reactive/operators';

const DAY_MS = 86_400_000;
const START = Date.UTC(2020, 2, 2); // the virtual clock starts on 2 March 2020

/** Short text for what the spy prints: events by type, drops and transitions by their key fields. */
function brief(value) {
  if (typeof value !== 'object' || value === null) return String(value);
  if (Array.isArray(value)) return value[0]?.fileName !== undefined ? `${value[0].fileName.split('/').pop()}:${value[0].lineNumber}` : `[${value.map(brief).join(', ')}]`;
  if ('eventType' in value) return value.eventType;
  if ('reason' in value && 'event' in value) return `${value.reason} ${value.event.eventType} ${JSON.stringify(value.event.payload)}`;
  if ('from' in value && 'to' in value) return `${value.from} -> ${value.to} (${value.cause}: ${value.reason})`;
  return JSON.stringify(value);
}

/** Runs the scenario with every named stream tagged; `print` receives each line rxjs-spy writes. */
export async function runSpyExample(print = (line) => console.log(line)) {
  const spy = create(); // every default plugin: log, show, stats, pause and let all work
  const logger = { log: (...args) => print(args.map(brief).join(' ')) };
  const restoreHook = setInstrumentation((name) => tag(name)); // 1. tag every named stream
  spy.log(/^(lanes|dispatcher\.drops|desk\.state|desk\.transitions)$/, 'next', logger); // 2. log these

  const scheduler = new VirtualTimeScheduler();
  scheduler.frame = START;
  const event = (type, payload = {}) => createEvent(type, { payload }, scheduler);

  // The lanes as an operator: three events of three priorities, drained highest first.
  const burst = [event('LOG_WRITE', { message: 'hello' }), event('PRICE_TICK', { symbol: 'SPX', price: 3000 }), event('FILL_CONFIRMED', { orderId: 'A1' })];
  from(burst).pipe(mergeByPriority({ scheduler, name: 'lanes' })).subscribe();
  scheduler.flush();

  // The system: a dispatcher with a P1 lane of 3 (its depth alerts below that), the bridge, the state.
  const dispatcher = new EventDispatcher({ queues: { p1: { capacity: 3 } }, monitoring: { alerts: { p1Depth: { warning: 1, critical: 2 } } } }, { scheduler });
  const manager = new OperatingStateManager({}, { scheduler, name: 'desk' });
  const subscriptions = [manager.state$.subscribe(), manager.transitions$.subscribe(), dispatcher.drops$.subscribe()];
  connectEventsToState(dispatcher, manager);
  await dispatcher.start();

  // Four ticks at once into the P1 lane of 3: the oldest is evicted and reported with the event.
  for (const price of [3001, 3002, 3003, 3004]) void dispatcher.dispatch(event('PRICE_TICK', { symbol: 'SPX', price }));
  scheduler.flush();

  // 3. Hold the transitions: six daily cycles, the last two with VIX 35, then step through.
  const deck = spy.pause('desk.transitions');
  const calm = { drawdownPct: 0, vix: 14, consecutiveScalpLosses: 0, dailyLossPct: 0, marketCircuitBreaker: false, consecutiveProfitableDays: 1, cagr: 0.05, targetCagr: 0.08, capitalGrowthPct: 0.01, winRate30d: 0.5 };
  for (let day = 1; day <= 6; day++) {
    scheduler.schedule(() => {
      void dispatcher.dispatch(event('RISK_EVALUATE', day >= 5 ? { ...calm, vix: 35 } : calm));
      void dispatcher.dispatch(event('ETEDA_CYCLE_START'));
    }, START + day * DAY_MS + 21 * 3_600_000 - scheduler.now());
    scheduler.flush();
  }
  print(`paused: the state is ${manager.currentState}; stepping desk.transitions`);
  deck.step();

  spy.show(/^desk\.(state|transitions)$/, logger); // 4. the tagged subscriptions, their last values
  spy.stats(logger); //                                 5. counts over every spied subscription

  const stopped = dispatcher.stop();
  scheduler.flush();
  await stopped;
  for (const subscription of subscriptions) subscription.unsubscribe();
  restoreHook();
  spy.teardown();
  return manager.currentState;
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(`final state: ${await runSpyExample()}`);
