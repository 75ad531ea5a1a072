// NATS JetStream bench (qts-reactive/nats), every contender side by side in one run, each
// measurement in a fresh child process against the server at QTS_NATS_URL (default
// nats://127.0.0.1:4222); skipped with a message when no server answers.
//   T  throughput: the raw client's consume loop (parse + ack each message) vs a JetStream lane
//      into the dispatcher (pull on demand, P1 events, trivial handler), on the same backlog.
//   L  P0 publish → handled latency across processes at 2 000 msg/s, on a P0 stream of 10 000 so a
//      brief stall measures latency rather than the full-stream retry (worker process, header
//      enqueue time to the ack after every handler succeeded), beside the raw publish → ack.
//   F  fail-over: two P0 workers (1 ms handlers, so each holds unacked events), one SIGKILLed at
//      300 msg/s; time from the kill until the last event published before it and not handled by the
//      killed worker is handled by the survivor (ack wait 2 s).
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect as tcpConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import os from 'node:os';

const self = fileURLToPath(import.meta.url);
const workerScript = fileURLToPath(new URL('./nats-worker.mjs', import.meta.url));
const url = process.env.QTS_NATS_URL ?? 'nats://127.0.0.1:4222';
const argv = process.argv.slice(2);
const clock = () => performance.timeOrigin + performance.now();

function probe() {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const s = tcpConnect({ host: hostname, port: Number(port || 4222) });
    const done = (ok) => (s.destroy(), resolve(ok));
    s.setTimeout(2000, () => done(false));
    s.once('data', (d) => done(d.toString().startsWith('INFO ') && d.toString().includes('"jetstream":true')));
    s.once('error', () => done(false));
  });
}

async function openLanes(lib, nats, options = {}) {
  const nc = await nats.connectNats({ url });
  const { jetstreamManager } = await import('@nats-io/jetstream');
  const jsm = await jetstreamManager(nc);
  const name = `BENCH_${randomBytes(4).toString('hex').toUpperCase()}`;
  const topology = nats.resolveLaneTopology({ prefix: `qtsbench.${name.toLowerCase()}`, streamName: name, storage: 'memory', ...options });
  await nats.ensureLaneStreams(jsm, topology);
  return { nc, jsm, topology, dispose: async () => (await nats.deleteLaneStreams(jsm, topology), await nc.close()) };
}

async function fillBacklog(lib, nats, lanes, priority, n) {
  const publisher = new nats.NatsLanePublisher(lanes.nc, { topology: lanes.topology });
  const type = priority === 0 ? 'FILL_CONFIRMED' : 'PRICE_TICK';
  let pending = [];
  for (let i = 0; i < n; i++) {
    pending.push(publisher.publish(lib.createEvent(type, { source: 'bench', payload: { symbol: 'SPX', price: 4000 + (i % 100), i } })));
    if (pending.length >= 64) await Promise.all(pending.splice(0));
  }
  await Promise.all(pending);
  publisher.close();
}

// ── children ────────────────────────────────────────────────────────────────────────────────
async function childThroughput(contender, n) {
  const lib = await import('../dist/index.js');
  const nats = await import('../dist/nats/index.js');
  const priority = 1;
  const lanes = await openLanes(lib, nats, { streamCapacity: { 1: n } });
  await fillBacklog(lib, nats, lanes, priority, n);
  let handled = 0;
  let rate;
  if (contender === 'raw') {
    const { jetstream, AckPolicy } = await import('@nats-io/jetstream');
    const stream = nats.laneStreamName(lanes.topology.streamName, priority);
    await lanes.jsm.consumers.add(stream, { durable_name: 'raw', ack_policy: AckPolicy.Explicit, max_ack_pending: 1000 });
    const consumer = await jetstream(lanes.nc).consumers.get(stream, 'raw');
    const t0 = performance.now();
    const messages = await consumer.consume({ max_messages: 1000 });
    for await (const m of messages) {
      JSON.parse(m.string());
      m.ack();
      if (++handled === n) break;
    }
    rate = n / ((performance.now() - t0) / 1000);
  } else {
    const dispatcher = new lib.EventDispatcher();
    dispatcher.registerHandler(priority, (batch) => {
      handled += batch.length;
    });
    await dispatcher.start();
    const t0 = performance.now();
    const consumer = await nats.NatsLaneConsumer.start(lanes.nc, { topology: lanes.topology, dispatcher, priorities: [priority] });
    while (handled < n || consumer.counters.acked < n) await new Promise((r) => setTimeout(r, 1));
    rate = n / ((performance.now() - t0) / 1000);
    await consumer.stop(1000);
    await dispatcher.stop();
  }
  await lanes.dispose();
  return { rate, handled };
}

function startWorker(lanes, logFile, ackWaitMs, handlerMs = 0) {
  const child = spawn(process.execPath, [workerScript, url, lanes.topology.prefix, lanes.topology.streamName, logFile, String(ackWaitMs), String(handlerMs)], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (c) => (out += c.toString()));
  return new Promise((resolve) => {
    child.stdout.once('data', () =>
      resolve({
        child,
        stop: () => new Promise((r) => (child.once('exit', () => r(JSON.parse(out.trim().split('\n').pop()))), child.kill('SIGTERM'))),
      }),
    );
  });
}

/** Publishes P0 events at `ratePerS` for `seconds`, without waiting for each ack before the next. */
async function publishAtRate(lib, nats, lanes, ratePerS, seconds, onTick) {
  const publisher = new nats.NatsLanePublisher(lanes.nc, { topology: lanes.topology, scheduler: { now: clock, schedule: () => ({ unsubscribe() {} }) } });
  const total = ratePerS * seconds;
  const ackLatencies = [];
  const pending = [];
  const ids = [];
  const t0 = performance.now();
  // Every millisecond, publish what is due by then; yielding between ticks lets acks come in.
  for (let i = 0; i < total; ) {
    const due = Math.min(total, Math.floor(((performance.now() - t0) * ratePerS) / 1000) + 1);
    for (; i < due; i++) {
      const sent = performance.now();
      const event = lib.createEvent('FILL_CONFIRMED', { source: 'bench', payload: { i } });
      ids.push(event.eventId);
      pending.push(publisher.publish(event).then(() => ackLatencies.push(performance.now() - sent)));
      onTick?.(i, sent - t0);
    }
    await new Promise((r) => setTimeout(r, 1));
  }
  await Promise.all(pending);
  publisher.close();
  return { ackLatencies, ids };
}

const pct = (xs, q) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.max(0, Math.ceil(q * s.length) - 1)];
};

async function childLatency(ratePerS, seconds) {
  const lib = await import('../dist/index.js');
  const nats = await import('../dist/nats/index.js');
  const lanes = await openLanes(lib, nats, { ackWaitMs: 2000, streamCapacity: { 0: 10_000 } });
  const worker = await startWorker(lanes, '-', 2000);
  const { ackLatencies: acks } = await publishAtRate(lib, nats, lanes, ratePerS, seconds);
  await new Promise((r) => setTimeout(r, 500));
  const report = await worker.stop();
  await lanes.dispose();
  return { handled: report.latency, acked: report.counters.acked, publishAckP50: pct(acks, 0.5), publishAckP99: pct(acks, 0.99), total: ratePerS * seconds };
}

async function childFailover(ratePerS, seconds, ackWaitMs) {
  const lib = await import('../dist/index.js');
  const nats = await import('../dist/nats/index.js');
  const dir = mkdtempSync(join(tmpdir(), 'qts-bench-failover-'));
  const lanes = await openLanes(lib, nats, { ackWaitMs, streamCapacity: { 0: 10_000 } });
  const logA = join(dir, 'a.log');
  const logB = join(dir, 'b.log');
  // Handlers that wait 1 ms per batch: each worker holds a backlog of unacked events.
  const a = await startWorker(lanes, logA, ackWaitMs, 1);
  const b = await startWorker(lanes, logB, ackWaitMs, 1);
  let killedAt = null;
  let publishedBeforeKill = 0;
  const total = ratePerS * seconds;
  const { ids } = await publishAtRate(lib, nats, lanes, ratePerS, seconds, (i) => {
    if (i === Math.floor(total / 2)) {
      a.child.kill('SIGKILL');
      killedAt = clock();
      publishedBeforeKill = i;
    }
  });
  const read = (f) => {
    try {
      return readFileSync(f, 'utf8').trim().split('\n').filter(Boolean).map((l) => l.split(' '));
    } catch {
      return [];
    }
  };
  // Wait (at most 60 s) until the survivor has handled everything.
  for (let waited = 0; waited < 60_000; waited += 200) {
    const seen = new Set([...read(logA), ...read(logB)].map(([id]) => id));
    if (ids.every((id) => seen.has(id))) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  await b.stop();
  const handledA = read(logA);
  const handledB = read(logB);
  const handled = new Set([...handledA, ...handledB].map(([id]) => id));
  const doneByA = new Set(handledA.filter(([, at]) => Number(at) <= killedAt).map(([id]) => id));
  const handledAtB = new Map(handledB.map(([id, at]) => [id, Number(at)]));
  // Fail-over: from the kill until the last event published before it, and not handled by the
  // killed worker, is handled by the survivor (the killed worker's unacked events wait for the ack wait).
  const orphaned = ids.slice(0, publishedBeforeKill).filter((id) => !doneByA.has(id));
  const recoveredAt = Math.max(killedAt, ...orphaned.map((id) => handledAtB.get(id) ?? Number.POSITIVE_INFINITY));
  const heldByA = orphaned.filter((id) => (handledAtB.get(id) ?? Infinity) > killedAt + ackWaitMs / 2).length;
  rmSync(dir, { recursive: true, force: true });
  await lanes.dispose();
  return { total, handled: handled.size, duplicates: handledA.length + handledB.length - handled.size, failoverMs: Number.isFinite(recoveredAt) ? recoveredAt - killedAt : null, heldByA, ackWaitMs };
}

// ── orchestration ───────────────────────────────────────────────────────────────────────────
function child(...args) {
  const r = spawnSync(process.execPath, [self, '--child', ...args.map(String)], { encoding: 'utf8', maxBuffer: 1 << 24, stdio: ['ignore', 'pipe', 'inherit'] });
  if (r.status !== 0) throw new Error(`nats bench child ${args.join(' ')} failed`);
  return JSON.parse(r.stdout.trim().split('\n').pop());
}

async function main() {
  if (!(await probe())) {
    console.log(`NATS bench skipped: no NATS server with JetStream at ${url}; start one with \`nats-server -js\` (or set QTS_NATS_URL)`);
    return;
  }
  const rounds = Number(argv.find((a) => a.startsWith('--rounds='))?.slice(9) ?? 3);
  const n = 50_000;
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const raw = [];
  const lane = [];
  for (let r = 0; r < rounds; r++) {
    raw.push(child('throughput', 'raw', n).rate);
    lane.push(child('throughput', 'lane', n).rate);
  }
  const rawRate = median(raw);
  const laneRate = median(lane);
  console.log(`nats bench — server ${url}, rounds ${rounds} (medians, alternating contenders), load average ${os.loadavg().map((x) => x.toFixed(1)).join(' ')} on ${os.cpus().length} CPUs`);
  console.log(`\nT: ${n.toLocaleString('en')} P1 events already on the stream, consumed and acked`);
  console.log('contender                              | messages/s | × raw');
  console.log(`raw client consume loop (parse + ack)  | ${Math.round(rawRate).toString().padStart(10)} | 1.000`);
  console.log(`JetStream lane → EventDispatcher       | ${Math.round(laneRate).toString().padStart(10)} | ${(laneRate / rawRate).toFixed(3)}   (goal ≥ 0.8)`);
  console.log(`  runs: raw ${raw.map(Math.round).join(', ')}; lane ${lane.map(Math.round).join(', ')}`);

  const l = child('latency', 2000, 5);
  console.log(`\nL: P0 at 2 000 msg/s for 5 s, publisher and worker in separate processes, P0 stream capacity 10 000 (${l.acked}/${l.total} acked)`);
  console.log(`publish → handled and acked (worker)   p50 ${l.handled.p50.toFixed(2)} ms  p99 ${l.handled.p99.toFixed(2)} ms  max ${l.handled.max.toFixed(2)} ms   (goal p50 ≤ 1, p99 ≤ 40)`);
  console.log(`publish → stream ack (raw, publisher)  p50 ${l.publishAckP50.toFixed(2)} ms  p99 ${l.publishAckP99.toFixed(2)} ms`);

  const f = child('failover', 300, 6, 2000);
  console.log(`\nF: two P0 workers (1 ms handlers) at 300 msg/s for 6 s, one SIGKILLed halfway, ack wait ${f.ackWaitMs} ms`);
  console.log(`handled ${f.handled}/${f.total}, duplicates ${f.duplicates}, ${f.heldByA} events the killed worker held unacked came back; fail-over ${f.failoverMs === null ? 'never (an event was not handled within 60 s)' : `${f.failoverMs.toFixed(0)} ms`} (goal ≤ ack wait + 1 s = ${f.ackWaitMs + 1000} ms)`);
}

if (argv[0] === '--child') {
  const [, kind, ...rest] = argv;
  const result =
    kind === 'throughput' ? await childThroughput(rest[0], Number(rest[1])) : kind === 'latency' ? await childLatency(Number(rest[0]), Number(rest[1])) : await childFailover(Number(rest[0]), Number(rest[1]), Number(rest[2]));
  console.log(JSON.stringify(result));
  process.exit(0);
} else {
  await main();
}
