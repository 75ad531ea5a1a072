// Flood: N mixed events (1 % P0, 60 % P1, 20 % P2, 19 % P3) from a runaway producer, 10 000 per
// turn, into the default lanes with slow handlers (P1–P3 batches take ~0.2 ms, every 50th P2
// batch awaits a timer). Checks the per-lane accounting identity, P0 loss (none may be lost),
// that every drop came with its reason on drops$, and reports the peak heap.
import { accountingHolds, eventPools, heapAfterGc, mib, prng, tick } from './common.mjs';

function busy(microseconds) {
  const end = performance.now() + microseconds / 1000;
  while (performance.now() < end);
}

/**
 * @param lib the library (dist or src)
 * @param options.events events to send; options.seed the PRNG seed; options.slowHandlers busy-wait in handlers
 */
export async function flood(lib, { events, seed = 1, slowHandlers = true }) {
  const random = prng(seed);
  const pools = eventPools(lib);
  const d = new lib.EventDispatcher({ stopTimeoutMs: 60_000 });
  const dropsByReason = { evicted: 0, collapsed: 0, sampled: 0, shutdown: 0 };
  d.drops$.subscribe((r) => dropsByReason[r.reason]++);
  let p0Handled = 0;
  let batches = 0;
  d.registerHandler(0, (batch) => void (p0Handled += batch.length));
  for (const priority of [1, 2, 3]) {
    d.registerHandler(priority, () => {
      batches++;
      if (slowHandlers && batches % 16 === 0) busy(200);
      if (priority === 2 && batches % 50 === 0) return new Promise((resolve) => setTimeout(resolve, 1));
      return undefined;
    });
  }
  await d.start();
  const baseline = heapAfterGc();
  let peak = 0;
  let p0Sent = 0;
  const started = performance.now();
  const perTurn = 10_000;
  for (let sent = 0; sent < events; ) {
    const end = Math.min(events, sent + perTurn);
    for (; sent < end; sent++) {
      const r = random() * 100;
      const priority = r < 1 ? 0 : r < 61 ? 1 : r < 81 ? 2 : 3;
      if (priority === 0) p0Sent++;
      // P0 through dispatch (it may wait for room: BLOCK); the rest as a runaway producer would.
      void d.dispatch(pools[priority][sent & 1023]);
    }
    peak = Math.max(peak, process.memoryUsage().heapUsed - baseline);
    await tick();
  }
  await d.stop();
  const elapsedMs = performance.now() - started;
  const lanes = d.sampleMetrics().lanes;
  const dropped = Object.values(dropsByReason).reduce((a, b) => a + b, 0);
  const laneDrops = lanes.reduce((a, l) => a + l.evicted + l.collapsed + l.rejected + l.shutdown, 0);
  return {
    events,
    seed,
    elapsedMs,
    eventsPerSecond: events / (elapsedMs / 1000),
    p0Sent,
    p0Lost: p0Sent - p0Handled,
    accountingExact: lanes.every(accountingHolds),
    dropsWithReason: dropped,
    dropsCounted: laneDrops,
    dropsByReason,
    handled: lanes.reduce((a, l) => a + l.handled, 0),
    peakHeapBytes: peak,
    heapAfterGcDelta: heapAfterGc() - baseline,
  };
}

/** The flood table rows. */
export function floodRows(results) {
  return results.map((r) => [
    r.events.toLocaleString('en'),
    `${(r.elapsedMs / 1000).toFixed(1)} s`,
    `${r.p0Lost} of ${r.p0Sent.toLocaleString('en')}`,
    r.accountingExact ? 'exact' : 'BROKEN',
    `${r.dropsWithReason.toLocaleString('en')} / ${r.dropsCounted.toLocaleString('en')}`,
    Object.entries(r.dropsByReason).map(([k, v]) => `${k} ${v.toLocaleString('en')}`).join(', '),
    r.handled.toLocaleString('en'),
    mib(r.peakHeapBytes),
    mib(r.heapAfterGcDelta),
  ]);
}
export const floodHeader = ['events', 'time', 'P0 lost', 'accounting', 'drops on drops$ / counted', 'drops by reason', 'handled', 'peak heap', 'heap after GC'];
