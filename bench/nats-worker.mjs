// A P0 worker process of the NATS bench: consumes the P0 lane into a dispatcher, logs
// `<eventId> <handled at, epoch ms with µs>` per handled event to a file, and on SIGTERM prints the
// consumer's publish → handled latency summary as JSON. Usage:
//   node nats-worker.mjs <url> <prefix> <streamName> <logFile> <ackWaitMs> [handlerMs]
// handlerMs > 0 makes each event's handler wait that long (an I/O-bound handler), so the worker
// holds a backlog of unacked events.
import { appendFileSync } from 'node:fs';
import { asyncScheduler } from 'rxjs';
import { EventDispatcher } from '../dist/index.js';
import { NatsLaneConsumer, connectNats, resolveLaneTopology } from '../dist/nats/index.js';

const [url, prefix, streamName, logFile, ackWaitMs, handlerMs = '0'] = process.argv.slice(2);
// A sub-millisecond wall clock, comparable across processes on one machine.
const clock = { now: () => performance.timeOrigin + performance.now(), schedule: asyncScheduler.schedule.bind(asyncScheduler) };
const nc = await connectNats({ url });
const topology = resolveLaneTopology({ prefix, streamName, storage: 'memory', ackWaitMs: Number(ackWaitMs) });
const dispatcher = new EventDispatcher();
const log = (batch) => {
  if (logFile === '-') return;
  const at = clock.now();
  for (const e of batch) appendFileSync(logFile, `${e.eventId} ${at.toFixed(3)}\n`);
};
dispatcher.registerHandler(0, Number(handlerMs) > 0 ? (batch) => new Promise((r) => setTimeout(() => r(log(batch)), Number(handlerMs))) : log);
await dispatcher.start();
const consumer = await NatsLaneConsumer.start(nc, { topology, dispatcher, priorities: [0], scheduler: clock });
process.stdout.write('ready\n');
process.once('SIGTERM', async () => {
  process.stdout.write(`${JSON.stringify({ latency: consumer.latency(), counters: consumer.counters })}\n`);
  await consumer.stop(1_000);
  await dispatcher.stop();
  await nc.close();
  process.exit(0);
});
