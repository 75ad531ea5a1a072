// Shared pieces of the reliability scripts: a seeded PRNG, a table printer, a GC handle, and the
// event pools (building millions of events is not what is measured).
import v8 from 'node:v8';
import vm from 'node:vm';

/** mulberry32: a small seeded PRNG returning floats in [0, 1). */
export function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A full garbage collection (exposes `gc` on demand, so it works under vitest too). */
export function collectGarbage() {
  if (typeof globalThis.gc !== 'function') {
    v8.setFlagsFromString('--expose-gc');
    globalThis.gc = vm.runInNewContext('gc');
  }
  globalThis.gc();
  globalThis.gc();
}

/** Heap used after a full GC, bytes. */
export function heapAfterGc() {
  collectGarbage();
  return process.memoryUsage().heapUsed;
}

/** Formats rows (arrays of cells) under a header as a Markdown table. */
export function table(title, header, rows) {
  const lines = [`### ${title}`, '', `| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`];
  for (const row of rows) lines.push(`| ${row.map(String).join(' | ')} |`);
  return `${lines.join('\n')}\n`;
}

/** Mebibytes with one decimal. */
export const mib = (bytes) => `${(bytes / 1048576).toFixed(1)} MiB`;

/** Yields to the event loop (timers and I/O included). */
export const tick = () => new Promise((resolve) => setImmediate(resolve));

/** Event pools per priority: 1 024 distinct events of a type per lane. */
export function eventPools(lib, extra = () => ({})) {
  const types = ['FILL_CONFIRMED', 'PRICE_TICK', 'STRATEGY_EVALUATE', 'LOG_WRITE'];
  return types.map((type, priority) => Array.from({ length: 1024 }, (_, i) => lib.createEvent(type, { ...(priority === 2 ? { canCollapse: i % 2 === 0 } : {}), ...extra(priority, i) })));
}

/** The per-lane accounting identity after stop(): offered = handled + failed + dropped (every reason). */
export function accountingHolds(lane) {
  const accounted = lane.handled + lane.failed + lane.evicted + lane.collapsed + lane.rejected + lane.shutdown + lane.depth + lane.inFlightEvents + lane.producersWaiting;
  return lane.enqueued === accounted;
}
