// Handler faults: over N events, about `faultRate` of the handler calls fail, each in one of five
// ways — throw, reject, Observable error, a PromiseLike whose `then` throws, and a hang (a result
// that never settles, given up at the stop timeout). Checks that every failure reached failures$
// exactly once, that no requiresAck event vanished (each is handled, failed or dropped with a
// reason), and that the dispatcher kept delivering.
import { Observable, throwError } from 'rxjs';
import { accountingHolds, eventPools, prng, tick } from './common.mjs';

export const FAULT_KINDS = ['throw', 'reject', 'observable-error', 'throwing-then', 'hang'];

/**
 * @param lib the library (dist or src)
 * @param options.events events to send; options.faultRate share of failing handler calls; options.seed PRNG seed
 */
export async function faults(lib, { events, faultRate = 0.05, seed = 2 }) {
  const random = prng(seed);
  // Every event requires an acknowledgement, so a failed batch is visible in the counters.
  const pools = eventPools(lib, () => ({ requiresAck: true }));
  const d = new lib.EventDispatcher({ stopTimeoutMs: 200, queues: { p1: { concurrency: 4 }, p2: { concurrency: 4 }, p3: { concurrency: 4 } } });
  const injected = Object.fromEntries(FAULT_KINDS.map((k) => [k, 0]));
  const seen = new Map();
  let failureRecords = 0;
  let duplicateRecords = 0;
  d.failures$.subscribe((f) => {
    failureRecords++;
    const key = f.error?.faultId;
    if (key === undefined) return; // a StopTimeoutError for a hang, counted below
    if (seen.has(key)) duplicateRecords++;
    seen.set(key, true);
  });
  let hangsGivenUp = 0;
  d.failures$.subscribe((f) => void (f.error instanceof lib.StopTimeoutError && hangsGivenUp++));
  let faultId = 0;
  let hangsLeft = 3; // a hang holds a lane slot until stop(): only a few, on lanes with 4 slots
  const fault = (kind) => Object.assign(new Error(`injected ${kind}`), { faultId: faultId++ });
  const handler = (priority) => () => {
    if (random() >= faultRate) return undefined;
    let kind = FAULT_KINDS[Math.floor(random() * FAULT_KINDS.length)];
    if (kind === 'hang' && (priority === 0 || hangsLeft === 0)) kind = 'throw';
    injected[kind]++;
    switch (kind) {
      case 'throw':
        throw fault(kind);
      case 'reject':
        return Promise.reject(fault(kind));
      case 'observable-error': {
        const error = fault(kind);
        return throwError(() => error);
      }
      case 'throwing-then': {
        const error = fault(kind);
        return { then: () => { throw error; } };
      }
      default:
        hangsLeft--;
        return new Observable(() => undefined);
    }
  };
  // Two handlers per lane: a failure of one must not keep the other from its batch.
  for (const priority of [0, 1, 2, 3]) {
    d.registerHandler(priority, handler(priority));
    d.registerHandler(priority, () => undefined);
  }
  await d.start();
  for (let sent = 0; sent < events; ) {
    const end = Math.min(events, sent + 5_000);
    for (; sent < end; sent++) {
      const r = random() * 100;
      const priority = r < 1 ? 0 : r < 61 ? 1 : r < 81 ? 2 : 3;
      void d.dispatch(pools[priority][sent & 1023]);
    }
    await tick();
  }
  await d.stop();
  const lanes = d.sampleMetrics().lanes;
  const expectedRecords = Object.entries(injected).reduce((a, [k, v]) => a + (k === 'hang' ? 0 : v), 0);
  return {
    events,
    faultRate,
    injected,
    failureRecords,
    expectedRecords,
    duplicateRecords,
    hangsGivenUp,
    handlerFaultRecords: seen.size,
    accountingExact: lanes.every(accountingHolds),
    // requiresAck everywhere: an event is handled, failed (on failures$) or dropped with a reason.
    vanished: lanes.reduce((a, l) => a + (l.enqueued - l.handled - l.failed - l.evicted - l.collapsed - l.rejected - l.shutdown), 0),
    handled: lanes.reduce((a, l) => a + l.handled, 0),
    failed: lanes.reduce((a, l) => a + l.failed, 0),
  };
}

export const faultsHeader = ['events', 'faults injected (throw / reject / Observable error / throwing then / hang)', 'failure records (expected)', 'duplicates', 'hangs given up at stop', 'events vanished', 'accounting', 'handled / failed'];

/** The faults table rows. */
export function faultsRows(results) {
  return results.map((r) => [
    r.events.toLocaleString('en'),
    FAULT_KINDS.map((k) => r.injected[k]).join(' / '),
    `${r.handlerFaultRecords + r.hangsGivenUp} (${r.expectedRecords + r.injected.hang})`,
    r.duplicateRecords,
    `${r.hangsGivenUp} of ${r.injected.hang}`,
    r.vanished,
    r.accountingExact ? 'exact' : 'BROKEN',
    `${r.handled.toLocaleString('en')} / ${r.failed.toLocaleString('en')}`,
  ]);
}
