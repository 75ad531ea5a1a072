// Fail-over against real servers: a worker SIGKILLed mid-stream loses no acked P0 event (its
// unacked ones come back after the ack wait) with duplicates bounded by its in-flight limit; a
// server stopped and restarted on the same store resumes the consumers and the KV watch.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { EventDispatcher, createEvent, type Event } from '../../src/index.js';
import { NatsLaneConsumer, NatsLanePublisher, NatsOperatingState, ensureLaneStreams, laneStreamName } from '../../src/nats/index.js';
import { BULL } from '../state/fixtures.js';
import { liveNatsUrl, openNatsTest, type NatsTestContext } from './context.js';
import { eventually, eventuallyAsync, startPrivateServer, type PrivateServer } from './server.js';
import { BUILD_TIMEOUT_MS, ensureBuilt } from '../support/build.js';

const worker = fileURLToPath(new URL('./fixtures/p0-worker.mjs', import.meta.url));
const fill = (i: number): Event => createEvent('FILL_CONFIRMED', { source: 'test', payload: { i } });

function lines(file: string): string[] {
  return existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter((l) => l !== '') : [];
}

describe.runIf(liveNatsUrl !== null)('a worker SIGKILLed mid-stream (live server, worker processes)', () => {
  beforeAll(ensureBuilt, BUILD_TIMEOUT_MS); // the workers import the built library
  let t: NatsTestContext;
  let dir: string;
  const children: ChildProcess[] = [];
  beforeEach(async () => {
    t = await openNatsTest();
    dir = mkdtempSync(join(tmpdir(), 'qts-failover-'));
  });
  afterEach(async () => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await t.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  async function startWorker(name: string, prefix: string, streamName: string, capacity: number): Promise<{ child: ChildProcess; file: string }> {
    const file = join(dir, `${name}.log`);
    const child = spawn(process.execPath, [worker, liveNatsUrl!, prefix, streamName, file, String(capacity)], { stdio: ['ignore', 'pipe', 'inherit'] });
    children.push(child);
    await new Promise<void>((resolve, reject) => {
      child.stdout!.once('data', () => resolve());
      child.once('exit', (code) => reject(new Error(`worker ${name} exited with ${code}`)));
    });
    return { child, file };
  }

  it('every published P0 event is handled; duplicates stay within the killed worker’s in-flight limit', async () => {
    const capacity = 20;
    const topology = t.topology({ storage: 'file', streamCapacity: { 0: 200 } });
    await ensureLaneStreams(t.jsm, topology);
    const publisher = new NatsLanePublisher(t.nc, { topology });
    t.defer(() => publisher.close());
    const a = await startWorker('a', topology.prefix, topology.streamName, capacity);
    const b = await startWorker('b', topology.prefix, topology.streamName, capacity);
    const total = 3_000;
    const ids: string[] = [];
    const publishing = (async () => {
      const pending: Promise<unknown>[] = [];
      for (let i = 0; i < total; i++) {
        const e = fill(i);
        ids.push(e.eventId);
        pending.push(publisher.publish(e));
        if (pending.length >= 64) await Promise.all(pending.splice(0));
      }
      await Promise.all(pending);
    })();
    await eventually('worker a to handle 500', () => lines(a.file).length >= 500, 60_000);
    a.child.kill('SIGKILL');
    const c = await startWorker('c', topology.prefix, topology.streamName, capacity);
    await publishing;
    const handled = (): string[] => [...lines(a.file), ...lines(b.file), ...lines(c.file)];
    await eventually('every event handled', () => new Set(handled()).size === total, 60_000);
    const all = handled();
    const missing = ids.filter((id) => !all.includes(id));
    expect(missing).toEqual([]);
    // A duplicate is an event the killed worker handled but had not acked: at most its lane plus the batch in flight.
    expect(all.length - total).toBeLessThanOrEqual(capacity + 1);
    await eventuallyAsync('an empty P0 stream', async () => (await t.jsm.streams.info(laneStreamName(topology.streamName, 0))).state.messages === 0);
  });
});

describe.runIf(liveNatsUrl !== null)('a private server stopped and restarted on the same store', () => {
  let server: PrivateServer;
  let t: NatsTestContext;
  beforeEach(async () => {
    server = await startPrivateServer();
    t = await openNatsTest(server.url);
  });
  afterEach(async () => {
    await t.dispose();
    await server.dispose();
  });

  it('the lane consumer and the KV watch resume; a P0 publish during the outage is retried and lands', async () => {
    const topology = t.topology({ storage: 'file' });
    await ensureLaneStreams(t.jsm, topology);
    const dispatcher = new EventDispatcher();
    const seen = new Set<number>();
    dispatcher.registerHandler(0, (batch) => {
      for (const e of batch) seen.add(e.payload['i'] as number);
    });
    await dispatcher.start();
    const consumer = await NatsLaneConsumer.start(t.nc, { topology, dispatcher, priorities: [0] });
    const publisher = new NatsLanePublisher(t.nc, { topology });
    const bucket = t.bucket();
    const start = Date.UTC(2020, 0, 1);
    const writer = await NatsOperatingState.open(t.nc, { bucket, key: 'desk1', initial: { state: 'BALANCED', since: start } });
    const follower = await NatsOperatingState.open(t.nc, { bucket, key: 'desk1' });
    t.defer(async () => {
      publisher.close();
      writer.close();
      follower.close();
      await consumer.stop(500);
      await dispatcher.stop();
    });
    const states: string[] = [];
    follower.state$.subscribe((s) => states.push(s));

    for (let i = 0; i < 200; i++) await publisher.publish(fill(i));
    await eventually('200 handled', () => seen.size === 200);
    await writer.evaluate('c1', BULL, start + 11 * 86_400_000);

    await server.stop();
    const duringOutage = publisher.publish(fill(200)); // retried until the server is back
    await new Promise((r) => setTimeout(r, 1_000));
    await server.start();

    await expect(duringOutage).resolves.toMatch(/stored|duplicate/);
    for (let i = 201; i < 400; i++) await publisher.publish(fill(i));
    await eventually('all 400 handled after the restart', () => seen.size === 400, 30_000);
    await writer.evaluate('c2', BULL, start + 12 * 86_400_000);
    await eventually('the follower’s watch to resume', () => states.at(-1) === 'AGGRESSIVE', 30_000);
    expect(states).toEqual(['BALANCED', 'AGGRESSIVE']);
  });
});
