/* global setInterval, clearInterval */
// Dispatcher benchmark: every contender side by side in one run, each measurement in a fresh
// child process. Run with `npm run bench` (builds first) or `node --expose-gc bench/dispatcher.mjs`.
//   W1  1 000 000 events (1 % P0, 60 % P1, 20 % P2, 19 % P3), 1 000 per setImmediate tick, trivial
//       handlers → events/s and ratio to the floor.
//   W2  200 000 P3 enqueued at once, 2 µs busy handler, one P0 every 1 ms from a timer →
//       P0 arrival-to-handled p50 / p99 / max (arrival = the timer callback, before enqueue).
//   MEM P3 floods of 1 000 000 and 10 000 000 events into qts-reactive → peak heap.
//   COST W1 for qts-reactive alone and with a Prometheus collector attached, scraped every 1 s and
//       every 50 ms, rounds interleaved → the ratios (`--collector-only` runs just this part).
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import os from 'node:os';

const self = fileURLToPath(import.meta.url);
const argv = process.argv.slice(2);

/**
 * COST: W1 without a collector, with one scraped every second, and with one scraped every 50 ms,
 * in child processes run back to back per round. Each round's runs are compared with its own
 * plain run (the median of those ratios), by wall-clock rate and by rate per CPU second of the
 * process, which a busy shared machine disturbs less.
 */
function collectorCost() {
  const costRounds = Math.max(rounds, 5);
  const variants = [
    ['qts-reactive + collector, scraped every 1 s', 'qts-reactive+prometheus@1000'],
    ['qts-reactive + collector, scraped every 50 ms', 'qts-reactive+prometheus@50'],
  ];
  const plain = [];
  const runs = variants.map(() => []);
  for (let r = 0; r < costRounds; r++) {
    plain.push(child('w1', 'qts-reactive', 1_000_000));
    variants.forEach(([, contender], i) => runs[i].push(child('w1', contender, 1_000_000)));
  }
  const k = (x) => Math.round(x / 1000);
  console.log(`\nCOST: W1 (1 000 000 events) with and without a Prometheus collector (collectDispatcherMetrics), ${costRounds} rounds (medians)`);
  console.log('contender                                     | wall events/s | per CPU-second | wall ratio | CPU ratio | scrapes/run, ms each | runs, wall k/s');
  const row = (label, list) => {
    const ratio = (key) => median(list.map((x, i) => x[key] / plain[i][key]));
    const scrapeMs = median(list.map((x) => x.scrapeMs ?? NaN));
    const scrapes = list[0].scrapes === undefined ? '' : `${median(list.map((x) => x.scrapes))}, ${Number.isFinite(scrapeMs) ? scrapeMs.toFixed(2) : '—'} ms`;
    console.log(
      `${label.padEnd(45)} | ${Math.round(median(list.map((x) => x.rate))).toLocaleString('en').padStart(13)} | ${Math.round(median(list.map((x) => x.cpuRate))).toLocaleString('en').padStart(14)} | ` +
        `${ratio('rate').toFixed(3).padStart(10)} | ${ratio('cpuRate').toFixed(3).padStart(9)} | ${scrapes.padStart(20)} | ${list.map((x) => k(x.rate)).join(' ')}`,
    );
  };
  row('qts-reactive', plain);
  variants.forEach(([label], i) => row(label, runs[i]));
}

// ── orchestration ────────────────────────────────────────────────────────────────────────────
const rounds = Number(argv.find((a) => a.startsWith('--rounds='))?.slice(9) ?? 3);
// `--only=w2` (or w1, mem) runs one workload.
const only = argv.find((a) => a.startsWith('--only='))?.slice(7);
const runs = (workload) => only === undefined || only === workload;
function child(workload, contender, size, flags = []) {
  const r = spawnSync(process.execPath, ['--expose-gc', ...flags, self, '--child', workload, contender, String(size)], {
    encoding: 'utf8',
    maxBuffer: 1 << 24,
  });
  if (r.status !== 0) throw new Error(`${workload}/${contender} failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop());
}
const median = (xs) => [...xs].map((x) => x ?? NaN).sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (x) => (Number.isFinite(x) ? x.toFixed(3) : '—').padStart(8);

async function main() {

console.log(`dispatcher bench — node ${process.version}, ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? '?'}), rounds ${rounds} (medians)`);
if (argv.includes('--collector-only')) return collectorCost();

if (runs('w1')) {
const W1 = [
  ['floor', 1_000_000],
  ['merge', 1_000_000],
  ['concatMap', 1_000_000],
  ['p-queue', 1_000_000],
  ['qts-reactive', 1_000_000],
];
const w1 = {};
for (const [name, n] of W1) {
  const runs = [];
  for (let r = 0; r < rounds; r++) runs.push(child('w1', name, n));
  w1[name] = { rate: median(runs.map((x) => x.rate)), coldRate: median(runs.map((x) => x.coldRate)), handled: runs[0].handled, n };
}
console.log('\nW1: 1 000 000 events, 1 000 per setImmediate tick, trivial handlers');
console.log('steady = the second run of the workload in the process; cold = the first (JIT start-up included)');
console.log('contender      | steady events/s | × floor | cold events/s | × floor | handled');
for (const [name] of W1) {
  const { rate, coldRate, handled } = w1[name];
  console.log(
    `${name.padEnd(14)} | ${Math.round(rate).toLocaleString('en').padStart(15)} | ${(rate / w1.floor.rate).toFixed(2).padStart(7)} | ` +
      `${Math.round(coldRate).toLocaleString('en').padStart(13)} | ${(coldRate / w1.floor.coldRate).toFixed(2).padStart(7)} | ${handled}`,
  );
}
console.log(`qts-reactive / p-queue = ${(w1['qts-reactive'].rate / w1['p-queue'].rate).toFixed(1)}×`);
}

if (runs('w2')) {
const W2 = [
  ['floor', []],
  ['merge', []],
  ['concatMap', []],
  ['p-queue', []],
  ['qts-reactive', []],
  ['qts-reactive', ['--single-threaded-gc']],
  ['qts-reactive-overflow', []],
];
console.log('\nW2: 200 000 P3 at once (2 µs handler) + one P0 per 1 ms timer: P0 arrival → handled, ms');
console.log('contender                          | p50      | p99      | max      | p99 / max of P0s due after the enqueue loop | P0s | enqueue loop | flood drained');
const w2 = {};
// `--w2=floor,qts-reactive-overflow` runs only those contenders.
const w2Only = argv.find((a) => a.startsWith('--w2='))?.slice(5).split(',');
for (const [name, flags] of W2.filter(([name, flags]) => w2Only === undefined || (w2Only.includes(name) && flags.length === 0))) {
  const n = name === 'concatMap' ? 1 : rounds;
  const runs = [];
  for (let r = 0; r < n; r++) runs.push(child('w2', name, 200_000, flags));
  const pick = (k) => median(runs.map((x) => x[k]));
  const label = `${name === 'qts-reactive-overflow' ? 'qts-reactive, P3 overflowing †' : name}${flags.length ? ' ' + flags.join(' ') : ''}${n === 1 ? ' (1 round)' : ''}`;
  w2[label] = { p99: pick('p99'), enqueueMs: pick('enqueueMs') };
  console.log(
    `${label.padEnd(34)} | ${fmt(pick('p50'))} | ${fmt(pick('p99'))} | ${fmt(pick('max'))} | ${fmt(pick('afterP99'))} / ${fmt(pick('afterMax'))}${' '.repeat(24)} | ${String(pick('samples')).padStart(3)} | ${pick('enqueueMs').toFixed(0)} ms | ${pick('floodMs').toFixed(0)} ms`,
  );
}
console.log('† default P3 lane (50 000, SAMPLE 0.1) with drops$ subscribed: 150 000 of the 200 000 overflow it, each with its drop record');
const overflow = w2['qts-reactive, P3 overflowing †'];
console.log(
  `flood cost: enqueue loop ${overflow.enqueueMs.toFixed(1)} ms (${((overflow.enqueueMs * 1e6) / 200_000).toFixed(0)} ns/event) vs the floor's ${w2.floor.enqueueMs.toFixed(1)} ms ` +
    `→ ${(overflow.enqueueMs / w2.floor.enqueueMs).toFixed(2)}× (target ≤ 2×); P0 p99 ${overflow.p99.toFixed(2)} ms vs ${w2.floor.p99.toFixed(2)} ms → ${(overflow.p99 / w2.floor.p99).toFixed(2)}× (target ≤ 2×)`,
);
}

if (runs('mem')) {
console.log('\nMEM: P3 flood into qts-reactive (lane bounded at 50 000, SAMPLE 0.1): peak heap above baseline');
for (const n of [1_000_000, 10_000_000]) {
  const r = child('mem', 'qts-reactive', n);
  console.log(`${n.toLocaleString('en').padStart(10)} events | peak +${(r.peakBytes / 1048576).toFixed(1)} MiB | handled ${r.handled} | dropped ${r.dropped} | queued at end ${r.queued}`);
}
}

collectorCost();
}

// ── children ─────────────────────────────────────────────────────────────────────────────────
async function runChild(workload, contender, size) {
  if (workload === 'w1') return w1Child(contender, size);
  if (workload === 'w2') return w2Child(contender, size);
  return memChild(size);
}

function priorityOf(i) {
  const r = i % 100; // 1 % P0, 60 % P1, 20 % P2, 19 % P3, interleaved deterministically
  return r === 0 ? 0 : r <= 60 ? 1 : r <= 80 ? 2 : 3;
}

async function makeQtsEvents(count, priorities) {
  const { createEvent } = await import('../dist/index.js');
  const types = ['FILL_CONFIRMED', 'PRICE_TICK', 'STRATEGY_EVALUATE', 'LOG_WRITE'];
  // A pool of distinct events per priority, reused (building 1M events is not what is measured).
  const pools = types.map((type, p) => Array.from({ length: 2048 }, () => createEvent(type, p === 2 ? { canCollapse: false } : {})));
  const out = new Array(count);
  for (let i = 0; i < count; i++) {
    const p = priorities(i);
    out[i] = pools[p][i & 2047];
  }
  return out;
}

/** The floor: four growable ring-buffer lanes, strict priority, 1 ms slices yielding with setImmediate. */
function createFloor(handler) {
  const lanes = [0, 1, 2, 3].map(() => ({ buf: new Array(1 << 12), head: 0, size: 0 }));
  let scheduled = false;
  function push(lane, e) {
    if (lane.size === lane.buf.length) {
      const bigger = new Array(lane.buf.length * 2);
      for (let i = 0; i < lane.size; i++) bigger[i] = lane.buf[(lane.head + i) & (lane.buf.length - 1)];
      lane.buf = bigger;
      lane.head = 0;
    }
    lane.buf[(lane.head + lane.size) & (lane.buf.length - 1)] = e;
    lane.size++;
  }
  function drain() {
    scheduled = false;
    const end = performance.now() + 1;
    let n = 0;
    for (;;) {
      let lane;
      for (let p = 0; p < 4; p++) if (lanes[p].size > 0) { lane = lanes[p]; break; }
      if (lane === undefined) return;
      const e = lane.buf[lane.head];
      lane.buf[lane.head] = undefined;
      lane.head = (lane.head + 1) & (lane.buf.length - 1);
      lane.size--;
      handler(e);
      if ((++n & 63) === 0 && performance.now() >= end) {
        scheduled = true;
        setImmediate(drain);
        return;
      }
    }
  }
  return (e) => {
    push(lanes[e.priority], e);
    if (!scheduled) {
      scheduled = true;
      setImmediate(drain);
    }
  };
}

async function createContender(name, onEvent, config = {}) {
  // Returns { put(e), handlerFor batches } — each contender delivers to onEvent(e).
  if (name === 'floor') return { put: createFloor(onEvent) };
  const rx = await import('rxjs');
  if (name === 'merge' || name === 'concatMap') {
    const subjects = [0, 1, 2, 3].map(() => new rx.Subject());
    const merged = rx.merge(...subjects);
    if (name === 'merge') merged.subscribe(onEvent);
    else merged.pipe(rx.concatMap(async (e) => onEvent(e))).subscribe();
    return { put: (e) => subjects[e.priority].next(e) };
  }
  if (name === 'p-queue') {
    const { default: PQueue } = await import('p-queue');
    const queue = new PQueue({ concurrency: 1 });
    return { put: (e) => void queue.add(() => onEvent(e), { priority: 3 - e.priority }) };
  }
  const { EventDispatcher } = await import('../dist/index.js');
  const d = new EventDispatcher(config);
  for (const p of [0, 1, 2, 3]) d.registerHandler(p, (batch) => { for (let i = 0; i < batch.length; i++) onEvent(batch[i]); });
  await d.start();
  if (name.startsWith('qts-reactive+prometheus@')) {
    // Scraped every N ms of wall time (Prometheus' default interval is 15 000).
    const intervalMs = Number(name.slice(name.indexOf('@') + 1));
    const { Registry } = await import('prom-client');
    const { collectDispatcherMetrics } = await import('../dist/prometheus/index.js');
    const registry = new Registry();
    collectDispatcherMetrics(d, { registry });
    const scraper = { scrapes: 0, ms: [] };
    setInterval(() => {
      const start = performance.now();
      void registry.metrics().then(() => {
        scraper.scrapes++;
        scraper.ms.push(performance.now() - start);
      });
    }, intervalMs).unref();
    return { put: (e) => void d.dispatch(e), dispatcher: d, scraper };
  }
  // dispatch() is the imperative entry; it returns a shared resolved promise unless a P0 must wait.
  return { put: (e) => void d.dispatch(e), dispatcher: d };
}

// Lanes large enough that nothing is dropped (the other contenders' queues are unbounded), and no
// batch waits for a window: a partial batch leaves in the turn it was queued.
const zeroTimeouts = {
  queues: {
    p1: { capacity: 1_048_576, batchTimeoutMs: 0 },
    p2: { capacity: 1_048_576, batchTimeoutMs: 0 },
    p3: { capacity: 1_048_576, batchTimeoutMs: 0 },
  },
};

async function w1Child(name, total) {
  const warmup = total;
  const events = name.startsWith('qts-reactive') ? await makeQtsEvents(total, priorityOf) : Array.from({ length: total }, (_, i) => ({ priority: priorityOf(i) }));
  let handled = 0;
  let target = 0;
  let done;
  const onEvent = () => {
    if (++handled === target) done(performance.now());
  };
  const { put, scraper } = await createContender(name, onEvent, zeroTimeouts);
  const run = async (count) => {
    handled = 0;
    target = count;
    const finished = new Promise((resolve) => (done = resolve));
    const start = performance.now();
    let i = 0;
    (function produce() {
      const end = Math.min(i + 1000, count);
      for (; i < end; i++) put(events[i]);
      if (i < count) setImmediate(produce);
    })();
    return (await finished) - start;
  };
  // The same warm-up for every contender — one whole run of the workload — so the figure is
  // steady-state code, as in a long-running process, not JIT start-up. The first run's rate is
  // reported too ('cold'), so start-up cost stays visible.
  const coldMs = await run(warmup);
  global.gc?.();
  const scrapesBefore = scraper?.scrapes ?? 0;
  const cpuBefore = process.cpuUsage();
  const elapsedMs = await run(total);
  const cpu = process.cpuUsage(cpuBefore);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  const scrapeMs = scraper === undefined ? [] : scraper.ms.slice(scraper.ms.length - (scraper.scrapes - scrapesBefore));
  return { rate: total / (elapsedMs / 1000), cpuRate: total / (cpuMs / 1000), coldRate: warmup / (coldMs / 1000), handled, scrapes: scraper === undefined ? undefined : scraper.scrapes - scrapesBefore, scrapeMs: median(scrapeMs) };
}

/**
 * ~2 µs of arithmetic whose cost does not depend on the call site: the body is padded past V8's
 * inlining limit, so every contender calls the same out-of-line code (an inlined busy loop runs at
 * a speed that depends on the caller). The iteration count is calibrated once, no clock inside.
 */
function calibrateBusy() {
  const pad = Array.from({ length: 300 }, (_, i) => `x = (x ^ ${i}) | 0;`).join('\n');
  const busy = new Function('iterations', 'state', `let x = 0;\nif (iterations < 0) {\n${pad}\n}\nfor (let k = 0; k < iterations; k++) x = (x * 31 + k) | 0;\nstate.sink ^= x;`);
  const state = { sink: 0 };
  let iterations = 1000;
  for (let round = 0; round < 5; round++) {
    const t0 = performance.now();
    for (let r = 0; r < 2000; r++) busy(iterations, state);
    const perCall = ((performance.now() - t0) * 1000) / 2000;
    iterations = Math.max(1, Math.round((iterations * 2) / perCall));
  }
  return () => busy(iterations, state);
}

async function w2Child(name, floodSize) {
  const busy = calibrateBusy();
  const overflow = name === 'qts-reactive-overflow';
  const qts = name === 'qts-reactive' || overflow;
  const p3Events = qts ? await makeQtsEvents(floodSize, () => 3) : Array.from({ length: floodSize }, () => ({ priority: 3 }));
  const p0Pool = qts ? await makeQtsEvents(4096, () => 0) : Array.from({ length: 4096 }, () => ({ priority: 0 }));
  const latencies = new Float64Array(65536);
  const dueTimes = new Float64Array(65536);
  const arrivals = new Map();
  let samples = 0;
  let p3Left = floodSize;
  let floodEnd = Infinity;
  let doneFlood;
  const floodDrained = new Promise((resolve) => (doneFlood = resolve));
  const p3Gone = () => {
    if (--p3Left === 0) {
      floodEnd = performance.now();
      doneFlood();
    }
  };
  const onEvent = (e) => {
    if (e.priority === 0) {
      const at = arrivals.get(e);
      if (at !== undefined) {
        dueTimes[samples] = at;
        latencies[samples++] = performance.now() - at;
        arrivals.delete(e);
      }
    } else {
      busy();
      p3Gone();
    }
  };
  // The P3 lane must hold the whole flood for the comparison to be like for like — except in the
  // overflow variant, where the default lane overflows and every drop record is consumed.
  const config = {
    queues: { p3: { ...(overflow ? {} : { capacity: 262_144 }), batchTimeoutMs: 0 }, p1: { batchTimeoutMs: 0 }, p2: { batchTimeoutMs: 0 } },
  };
  const { put, dispatcher } = await createContender(qts ? 'qts-reactive' : name, onEvent, config);
  if (overflow) dispatcher.drops$.subscribe(p3Gone);
  global.gc?.();
  // A P0 "arrives" at its due time (start + k ms), as from a socket; when the loop was blocked, the
  // timer callback enqueues every P0 that fell due meanwhile, each keeping its due time as arrival.
  let next = 0;
  const start = performance.now();
  let nextDue = start + 1;
  let enqueueReturned = Infinity;
  const timer = setInterval(() => {
    const now = performance.now();
    while (nextDue <= now && nextDue <= floodEnd) {
      const e = p0Pool[next++ & 4095];
      arrivals.set(e, nextDue);
      nextDue += 1;
      put(e);
    }
  }, 1);
  for (let i = 0; i < floodSize; i++) put(p3Events[i]);
  enqueueReturned = performance.now();
  await floodDrained;
  // P0s that fell due while a synchronous contender blocked the loop are enqueued by the next tick.
  await new Promise((resolve) => setTimeout(resolve, 10));
  clearInterval(timer);
  const sorted = Array.from(latencies.subarray(0, samples)).sort((a, b) => a - b);
  const after = Array.from(latencies.subarray(0, samples)).filter((_, k) => dueTimes[k] >= enqueueReturned).sort((a, b) => a - b);
  const rank = (xs, f) => xs[Math.max(0, Math.ceil(f * xs.length) - 1)] ?? NaN;
  return {
    p50: rank(sorted, 0.5),
    p99: rank(sorted, 0.99),
    max: sorted[sorted.length - 1] ?? NaN,
    afterP99: rank(after, 0.99),
    afterMax: after[after.length - 1] ?? NaN,
    samples,
    floodMs: floodEnd - start,
    enqueueMs: enqueueReturned - start,
  };
}
async function memChild(total) {
  const { EventDispatcher, createEvent } = await import('../dist/index.js');
  const rx = await import('rxjs');
  const pool = Array.from({ length: 4096 }, () => createEvent('LOG_WRITE'));
  const d = new EventDispatcher({ queues: { p3: { batchTimeoutMs: 0 } } });
  let handled = 0;
  let dropped = 0;
  d.drops$.subscribe(() => dropped++);
  d.registerHandler(3, (batch) => void (handled += batch.length));
  await d.start();
  const input = new rx.Subject();
  d.ingest(input);
  global.gc?.();
  const baseline = process.memoryUsage().heapUsed;
  let peak = baseline;
  // The whole flood in one synchronous burst, as a runaway producer would send it.
  for (let i = 0; i < total; i++) {
    input.next(pool[i & 4095]);
    if ((i & 0xffff) === 0) peak = Math.max(peak, process.memoryUsage().heapUsed);
  }
  peak = Math.max(peak, process.memoryUsage().heapUsed);
  const queued = d.sampleMetrics().lanes[3].depth;
  await new Promise((resolve) => setTimeout(resolve, 200));
  return { peakBytes: peak - baseline, handled, dropped, queued };
}

if (argv[0] === '--child') {
  const [, workload, contender, size] = argv;
  const result = await runChild(workload, contender, Number(size));
  process.stdout.write(JSON.stringify(result) + '\n');
  process.exit(0);
} else {
  await main();
}
