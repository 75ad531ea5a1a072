// Leaks: many dispatcher lifecycles and operator subscriptions; after each phase no timer or
// immediate may be left (process.getActiveResourcesInfo()) and the heap after GC must be flat.
import { Subject } from 'rxjs';
import { heapAfterGc, tick } from './common.mjs';

function activeResources() {
  const counts = {};
  for (const name of process.getActiveResourcesInfo()) counts[name] = (counts[name] ?? 0) + 1;
  return counts;
}
const handles = (counts) => (counts.Timeout ?? 0) + (counts.Immediate ?? 0);

/** One phase: warm-up, then `cycles` runs of `body`, with resources and heap before and after. */
async function phase(name, cycles, body) {
  for (let i = 0; i < Math.min(50, cycles); i++) await body(i);
  await new Promise((resolve) => setTimeout(resolve, 5));
  const heapBefore = heapAfterGc();
  const before = activeResources();
  for (let i = 0; i < cycles; i++) await body(i);
  await new Promise((resolve) => setTimeout(resolve, 5));
  await tick();
  const after = activeResources();
  return { name, cycles, timersBefore: handles(before), timersAfter: handles(after), heapDelta: heapAfterGc() - heapBefore };
}

/**
 * @param lib the library (dist or src); operators the `qts-reactive/operators` module
 * @param options.lifecycles dispatcher start/stop cycles; options.subscriptions subscribe/unsubscribe per operator
 */
export async function leaks(lib, operators, { lifecycles, subscriptions }) {
  const fill = lib.createEvent('FILL_CONFIRMED');
  const tickEvent = lib.createEvent('PRICE_TICK');
  const results = [];
  results.push(
    await phase('dispatcher start → dispatch → stop, every stream subscribed', lifecycles, async () => {
      const d = new lib.EventDispatcher({ monitoring: { checkIntervalMs: 1 } });
      const subs = [d.metrics$, d.alerts$, d.drops$, d.failures$, d.telemetry$, d.degradation$].map((s) => s.subscribe());
      d.registerHandler(0, () => undefined);
      d.registerHandler(1, () => Promise.resolve());
      await d.start();
      void d.dispatch(fill);
      void d.dispatch(tickEvent);
      await d.stop();
      for (const s of subs) s.unsubscribe();
    }),
  );
  // The buffering operators release one value per notification of `ready` (the consumer's demand).
  const ops = [
    ['boundedBlock', (ready) => operators.boundedBlock({ capacity: 4, ready })],
    ['dropOldest', (ready) => operators.dropOldest({ capacity: 4, ready })],
    ['collapseByType', (ready) => operators.collapseByType({ capacity: 4, ready })],
    ['sample', (ready) => operators.sample({ capacity: 4, sampleRate: 0.5, ready })],
    ['mergeByPriority', () => operators.mergeByPriority({ lanes: { p1: { batchSize: 3, batchTimeoutMs: 1 } } })],
  ];
  for (const [name, make] of ops) {
    results.push(
      await phase(`${name}: subscribe, 3 values, unsubscribe`, subscriptions, async (i) => {
        const source = new Subject();
        const ready = new Subject();
        const subscription = source.pipe(make(ready)).subscribe();
        source.next(tickEvent);
        source.next(tickEvent);
        source.next(fill);
        ready.next();
        subscription.unsubscribe();
        if (i % 500 === 0) await tick();
      }),
    );
  }
  return results;
}

export const leaksHeader = ['phase', 'cycles', 'timers + immediates before → after', 'heap after GC, delta'];

/** The leaks table rows. */
export function leaksRows(results) {
  return results.map((r) => [r.name, r.cycles.toLocaleString('en'), `${r.timersBefore} → ${r.timersAfter}`, `${(r.heapDelta / 1024).toFixed(0)} KiB`]);
}
