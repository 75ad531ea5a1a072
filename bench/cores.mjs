// Lane buffer cores: offer+poll throughput against a plain Array push/shift queue and a bare
// hand-written ring buffer, at steady depths of 100, 10 000 and 50 000 queued events.
// Run after `npm run build`: `node bench/cores.mjs` (or `npm run bench`). Options: `--time MS` per task.
import { Bench } from 'tinybench';
import { createLaneBuffer } from '../dist/index.js';

const timeArg = process.argv.indexOf('--time');
const TIME_MS = timeArg > 0 ? Number(process.argv[timeArg + 1]) : 300;
const DEPTHS = [100, 10_000, 50_000];
const OPS_PER_CALL = 1000; // offer+poll pairs per task call, so call overhead does not dominate
const POOL = 1 << 17; // distinct events, more than the deepest queue, so collapse keys never match

// Events shaped like the library's (frozen, same hidden class), built once outside the timed loop.
const pool = Array.from({ length: POOL }, (_, i) =>
  Object.freeze({
    eventId: `e${i}`,
    eventType: 'INDICATOR_UPDATE',
    priority: 2,
    timestamp: 0,
    source: 'bench',
    payload: Object.freeze({}),
    requiresAck: false,
    maxProcessTimeMs: 500,
    canBatch: true,
    canCollapse: true,
    canDrop: true,
  }),
);

/** A bare power-of-two ring buffer: the floor any FIFO queue of references can hope for. */
class BareRing {
  constructor(capacity) {
    let size = 1;
    while (size < capacity) size <<= 1;
    this.items = new Array(size);
    this.mask = size - 1;
    this.head = 0;
    this.tail = 0;
  }
  push(x) {
    this.items[this.tail] = x;
    this.tail = (this.tail + 1) & this.mask;
  }
  shift() {
    const x = this.items[this.head];
    this.items[this.head] = undefined;
    this.head = (this.head + 1) & this.mask;
    return x;
  }
}

let sink = 0; // consumes results so the loops are not optimised away

function contenders(depth) {
  const cores = {
    'BLOCK core': createLaneBuffer({ policy: 'BLOCK', capacity: depth + 1, priority: 0 }),
    'DROP_OLDEST core': createLaneBuffer({ policy: 'DROP_OLDEST', capacity: depth + 1, priority: 1 }),
    'COLLAPSE core': createLaneBuffer({ policy: 'COLLAPSE', capacity: depth + 1, priority: 2, collapseKey: (e) => e.eventId }),
    'SAMPLE core': createLaneBuffer({ policy: 'SAMPLE', capacity: depth + 1, priority: 3, sampleRate: 0.1 }),
  };
  const array = [];
  const ring = new BareRing(depth + 1);
  for (let i = 0; i < depth; i++) {
    const e = pool[i];
    array.push(e);
    ring.push(e);
    for (const core of Object.values(cores)) core.offer(e, 0);
  }
  // Each contender walks the pool with its own cursor, so the events it holds are the last
  // `depth` it was offered and a collapse key never meets a queued twin.
  let arrayCursor = depth;
  let ringCursor = depth;
  const tasks = {
    'Array push/shift': () => {
      for (let i = 0; i < OPS_PER_CALL; i++) {
        array.push(pool[arrayCursor++ & (POOL - 1)]);
        sink ^= array.shift().priority;
      }
    },
    'bare ring': () => {
      for (let i = 0; i < OPS_PER_CALL; i++) {
        ring.push(pool[ringCursor++ & (POOL - 1)]);
        sink ^= ring.shift().priority;
      }
    },
  };
  for (const [name, core] of Object.entries(cores)) {
    let cursor = depth;
    tasks[name] = () => {
      for (let i = 0; i < OPS_PER_CALL; i++) {
        core.offer(pool[cursor++ & (POOL - 1)], i);
        sink ^= core.poll(i).priority;
      }
    };
  }
  return { tasks, cores };
}

const fmt = (n) => (n >= 1e6 ? `${(n / 1e6).toFixed(2)}M` : `${(n / 1e3).toFixed(0)}k`);
const rows = [];
for (const depth of DEPTHS) {
  const { tasks, cores } = contenders(depth);
  const bench = new Bench({ time: TIME_MS, warmupTime: 100 });
  for (const [name, fn] of Object.entries(tasks)) bench.add(name, fn);
  await bench.run();
  const opsPerSec = Object.fromEntries(bench.tasks.map((t) => [t.name, (t.result.throughput?.p50 ?? 0) * OPS_PER_CALL]));
  for (const core of Object.values(cores)) if (core.size !== depth) throw new Error(`depth drifted: ${core.size} != ${depth}`);
  const ring = opsPerSec['bare ring'];
  const array = opsPerSec['Array push/shift'];
  for (const [name, ops] of Object.entries(opsPerSec)) {
    rows.push({ depth, contender: name, 'offer+poll/s': fmt(ops), '× bare ring': (ops / ring).toFixed(2), '× Array.shift': (ops / array).toFixed(2) });
  }
}
console.log(`offer+poll pairs per second (median of tinybench samples, ${TIME_MS} ms per task, ${OPS_PER_CALL} pairs per call), node ${process.version}`);
console.table(rows);
const failures = rows.filter((r) => r.depth === 10_000 && r.contender.endsWith('core') && (Number(r['× bare ring']) < 0.5 || Number(r['× Array.shift']) < 2));
console.log(failures.length === 0 ? 'target met at depth 10 000: every core ≥ 0.5× bare ring and ≥ 2× Array.shift' : `target MISSED at depth 10 000 by: ${failures.map((r) => r.contender).join(', ')}`);
if (sink === 0.5) console.log(sink);
