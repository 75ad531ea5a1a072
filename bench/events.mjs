// createEvent / validateEvent cost per event: building a validated, deeply frozen event is the one
// per-event allocation the library asks of a producer, so its cost is printed with the others.
// Run with `npm run bench`, or alone: `npm run build && node bench/events.mjs`.
import { createEvent, validateEvent } from '../dist/index.js';

const N = 200_000;
const ROUNDS = 5;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
let sink = 0;

function measure(label, fn) {
  const samples = [];
  for (let round = 0; round < ROUNDS + 1; round++) {
    const start = performance.now();
    for (let i = 0; i < N; i++) sink ^= fn(i);
    const ns = ((performance.now() - start) * 1e6) / N;
    if (round > 0) samples.push(ns); // round 0 warms up
  }
  return { label, ns: median(samples) };
}

const created = Array.from({ length: 1024 }, () => createEvent('PRICE_TICK', { payload: { symbol: 'SPX', price: 1 } }));
const foreign = created.map((e) => Object.freeze({ ...e }));
const rows = [
  measure('createEvent(type), no init', () => createEvent('LOG_WRITE').timestamp),
  measure('createEvent(type, { source, payload: 3 fields })', (i) =>
    createEvent('PRICE_TICK', { source: 'feed', payload: { symbol: 'SPX', price: 100 + i, size: 3 } }).timestamp),
  measure('validateEvent(created event): brand check', (i) => validateEvent(created[i & 1023]).timestamp),
  measure('validateEvent(frozen foreign copy): remembered after the first check', (i) => validateEvent(foreign[i & 1023]).timestamp),
];
console.log(`per-event cost, median of ${ROUNDS} rounds of ${N.toLocaleString('en')} calls, node ${process.version}`);
for (const { label, ns } of rows) console.log(`${label.padEnd(72)} ${ns.toFixed(1).padStart(8)} ns`);
if (sink === 0.5) console.log(sink);
