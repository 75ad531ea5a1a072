// Lane buffer cores: offer+poll throughput against a plain Array push/shift queue and a bare
// hand-written ring buffer, at steady depths of 100, 10 000 and 50 000 queued events.
// Run after `npm run build`: `node bench/cores.mjs` (or `npm run bench`). Options: `--time MS` per task,
// `--depth N` to measure one depth only.
import { Bench } from 'tinybench';
import { createLaneBuffer } from '../dist/index.js';

const timeArg = process.argv.indexOf('--time');
const TIME_MS = timeArg > 0 ? Number(process.argv[timeArg + 1]) : 150;
const ROUNDS = 5; // each round runs every contender once; a contender's figure is its median round
const depthArg = process.argv.indexOf('--depth');
const DEPTHS = depthArg > 0 ? [Number(process.argv[depthArg + 1])] : [100, 10_000, 50_000];
const OPS_PER_CALL = 1000; // offer+poll pairs per task call, so call overhead does not dominate
const POOL = 1 << 17; // distinct events, more than the deepest queue, so collapse keys never match

// A producer has the event it offers in hand (it has just built or validated it), so every
// contender's loop reads one field of the event before offering it: the event is in cache at offer
// time for all of them, as it is in a real pipeline, and only the consumer side meets it cold.
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

/**
 * The bare ring with the key index a collapsing queue needs (a `Map` from key to position, the key
 * kept beside its slot): what the index costs by itself, without any of the core's accounting.
 * `offer` replaces the queued event with the same key in place, else appends and indexes it; `shift`
 * removes the head's key. The same Map work as the COLLAPSE core: one `get` per offer, one `set`
 * per appended event, one `delete` per polled event.
 */
class BareMapRing {
  constructor(capacity, keyOf) {
    let size = 1;
    while (size < capacity) size <<= 1;
    this.items = new Array(size);
    this.keys = new Array(size);
    this.index = new Map();
    this.keyOf = keyOf;
    this.mask = size - 1;
    this.head = 0;
    this.tail = 0;
  }
  push(x) {
    const key = this.keyOf(x);
    const position = this.index.get(key);
    if (position !== undefined) {
      this.items[position & this.mask] = x;
      return;
    }
    const slot = this.tail & this.mask;
    this.items[slot] = x;
    this.keys[slot] = key;
    this.index.set(key, this.tail);
    this.tail = (this.tail + 1) | 0;
  }
  shift() {
    const slot = this.head & this.mask;
    const x = this.items[slot];
    this.items[slot] = undefined;
    this.index.delete(this.keys[slot]);
    this.keys[slot] = undefined;
    this.head = (this.head + 1) | 0;
    return x;
  }
}

let sink = 0; // results are folded in here so the loops are not optimised away

/**
 * The timed loop for one contender, compiled from its own source text so each contender gets its
 * own type feedback: a loop shared by the four cores would see four receiver classes, stay
 * polymorphic and measure the call site instead of the core.
 */
function compileLoop(name, target, offer, poll, start, { source = pool, offersPerPoll = 1 } = {}) {
  const state = { cursor: start };
  // The contender's name, depth and workload make the source text unique: V8 caches compiled code
  // by source text, so identical bodies would share one loop (and its type feedback) across contenders.
  const pollStep =
    offersPerPoll === 1 ? `folded ^= ${poll}.priority;` : `if ((cursor & ${offersPerPoll - 1}) === 0) folded ^= ${poll}?.priority ?? 0;`;
  const body = `
    // contender: ${name}, depth ${start}, ${offersPerPoll} offer(s) per poll
    return function run() {
      let cursor = state.cursor;
      let folded = 0;
      for (let i = 0; i < ${OPS_PER_CALL}; i++) {
        const e = pool[cursor++ & ${POOL - 1}];
        folded ^= e.timestamp;
        ${offer};
        ${pollStep}
      }
      state.cursor = cursor;
      return folded;
    };`;
  const run = new Function('target', 'pool', 'state', body)(target, source, state);
  return () => {
    sink ^= run();
  };
}

function contenders(depth) {
  const cores = {
    'BLOCK core': createLaneBuffer({ policy: 'BLOCK', capacity: depth + 1, priority: 0 }),
    'DROP_OLDEST core': createLaneBuffer({ policy: 'DROP_OLDEST', capacity: depth + 1, priority: 1 }),
    'COLLAPSE core': createLaneBuffer({ policy: 'COLLAPSE', capacity: depth + 1, priority: 2, collapseKey: (e) => e.eventId }),
    'SAMPLE core': createLaneBuffer({ policy: 'SAMPLE', capacity: depth + 1, priority: 3, sampleRate: 0.1 }),
  };
  const array = [];
  const ring = new BareRing(depth + 1);
  const mapRing = new BareMapRing(depth + 1, (e) => e.eventId);
  for (let i = 0; i < depth; i++) {
    array.push(pool[i]);
    ring.push(pool[i]);
    mapRing.push(pool[i]);
    for (const core of Object.values(cores)) core.offer(pool[i], 0);
  }
  // Each contender walks the pool from `depth` on, so the events it holds are the last `depth` it
  // was offered and a collapse key never meets a queued twin.
  const tasks = {
    'Array push/shift': compileLoop('Array push/shift', array, 'target.push(e)', 'target.shift()', depth),
    'bare ring': compileLoop('bare ring', ring, 'target.push(e)', 'target.shift()', depth),
    // reference only (not a core): the bare ring plus the Map index of the COLLAPSE core's worst case
    'bare ring + Map index': compileLoop('bare ring + Map index', mapRing, 'target.push(e)', 'target.shift()', depth),
  };
  for (const [name, core] of Object.entries(cores)) tasks[name] = compileLoop(name, core, 'target.offer(e, i)', 'target.poll(i)', depth);
  return { tasks, cores };
}

const fmt = (n) => (n >= 1e6 ? `${(n / 1e6).toFixed(2)}M` : `${(n / 1e3).toFixed(0)}k`);
const median = (values) => [...values].sort((a, b) => a - b)[values.length >> 1];

/** Runs every task once per round (in rotating order) and returns each task's median round, in calls/s × OPS_PER_CALL. */
async function measure(tasks) {
  const perRound = Object.fromEntries(Object.keys(tasks).map((name) => [name, []]));
  for (let round = 0; round < ROUNDS; round++) {
    const bench = new Bench({ time: TIME_MS, warmupTime: 50 });
    // rotate the order so no contender always runs first (or last) on a busy machine
    const names = Object.keys(tasks);
    for (let i = 0; i < names.length; i++) {
      const name = names[(i + round) % names.length];
      bench.add(name, tasks[name]);
    }
    await bench.run();
    for (const t of bench.tasks) perRound[t.name].push((t.result.throughput?.p50 ?? 0) * OPS_PER_CALL);
  }
  return Object.fromEntries(Object.entries(perRound).map(([name, values]) => [name, median(values)]));
}

const rows = [];
for (const depth of DEPTHS) {
  const { tasks, cores } = contenders(depth);
  const opsPerSec = await measure(tasks);
  for (const core of Object.values(cores)) if (core.size !== depth) throw new Error(`depth drifted: ${core.size} != ${depth}`);
  const ring = opsPerSec['bare ring'];
  const array = opsPerSec['Array push/shift'];
  for (const [name, ops] of Object.entries(opsPerSec)) {
    rows.push({ depth, contender: name, 'offer+poll/s': fmt(ops), '× bare ring': (ops / ring).toFixed(2), '× Array.shift': (ops / array).toFixed(2) });
  }
}
console.log(`offer+poll pairs per second: median of ${ROUNDS} rounds (each the p50 of tinybench samples, ${TIME_MS} ms per task, ${OPS_PER_CALL} pairs per call), node ${process.version}`);
console.log('COLLAPSE here is its worst case: every key unique, so each pair costs a Map get, set and delete ("bare ring + Map index" is that Map work alone).');
console.table(rows);
const isCore = (name) => name.endsWith(' core');
const failures = rows.filter((r) => r.depth === 10_000 && isCore(r.contender) && (Number(r['× bare ring']) < 0.5 || Number(r['× Array.shift']) < 2));
console.log(failures.length === 0 ? 'target met at depth 10 000: every core ≥ 0.5× bare ring and ≥ 2× Array.shift' : `target MISSED at depth 10 000 by: ${failures.map((r) => r.contender).join(', ')}`);

// A realistic COLLAPSE workload: updates for 16 symbols × 4 event types = 64 collapse keys
// (type + symbol, built by the key function as a user's would), arriving in a fixed shuffled order;
// the consumer polls one event per OFFERS_PER_POLL offers. At steady state about 64 events are
// queued and most offers replace a queued event in place. Both contenders run the same key
// function, the same Map-indexed collapse and the same offer/poll sequence; throughput is counted
// in offers per second (each loop step is one offer, plus one poll every OFFERS_PER_POLL steps).
const OFFERS_PER_POLL = 4;
const SYMBOLS = Array.from({ length: 16 }, (_, i) => `SYM${i}`);
const TYPES = ['PRICE_TICK', 'ORDERBOOK_UPDATE', 'INDICATOR_UPDATE', 'STRATEGY_EVALUATE'];
let seed = 12345; // a fixed linear congruential sequence, so every run offers the same events
const nextRandom = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
const keyedPool = Array.from({ length: POOL }, (_, i) => {
  const k = Math.floor(nextRandom() * 64);
  return Object.freeze({ ...pool[i], eventType: TYPES[k & 3], payload: Object.freeze({ symbol: SYMBOLS[k >> 2] }) });
});
const typeAndSymbol = (e) => `${e.eventType}:${String(e.payload.symbol)}`;
const keyedWorkload = { source: keyedPool, offersPerPoll: OFFERS_PER_POLL };

const collapseCore = createLaneBuffer({ policy: 'COLLAPSE', capacity: 1000, priority: 2, collapseKey: typeAndSymbol });
const keyedRing = new BareMapRing(1000, typeAndSymbol);
const keyed = await measure({
  'COLLAPSE core': compileLoop('COLLAPSE core', collapseCore, 'target.offer(e, i)', 'target.poll(i)', 0, keyedWorkload),
  'bare ring + Map index': compileLoop('bare ring + Map index', keyedRing, 'target.push(e)', 'target.shift()', 0, keyedWorkload),
});
const c = collapseCore.counters;
console.log(
  `\nCOLLAPSE, realistic workload: 64 repeating type+symbol keys, one poll per ${OFFERS_PER_POLL} offers ` +
    `(${((100 * c.collapsed) / c.enqueued).toFixed(0)} % of offers collapsed, ${collapseCore.size} queued at the end); offers per second:`,
);
const mapOnly = keyed['bare ring + Map index'];
console.table(
  Object.entries(keyed).map(([name, ops]) => ({ contender: name, 'offers/s': fmt(ops), 'ns per offer': (1e9 / ops).toFixed(1), '× bare ring + Map index': (ops / mapOnly).toFixed(2) })),
);
if (sink === 0.5) console.log(sink);
