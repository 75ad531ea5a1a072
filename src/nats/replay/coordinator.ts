/**
 * The cluster replay: the same trading days as the embedded replay, published onto the lanes on
 * NATS JetStream and handled by N worker processes that share the lanes (durable pull consumers)
 * and the operating state (one KV key). The coordinator publishes a day, waits until that day's
 * cycle is in the shared state, and goes on; optionally it SIGKILLs a worker on a given date and
 * starts a replacement. The timeline is read from the KV watch, so it shows exactly what the
 * shared state went through.
 *
 * Each run uses its own streams and bucket (a random name) and deletes them at the end.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { Subscription, type SchedulerLike } from 'rxjs';
import { jetstreamManager } from '@nats-io/jetstream';
import { EVENT_PRIORITIES, type EventPriority } from '../../event/contracts.js';
import { createEvent } from '../../event/createEvent.js';
import { resolveEventConfig, type EventConfig } from '../../event/config.js';
import type { StateConfig } from '../../state/config.js';
import type { OperatingState, StateTransition } from '../../state/contracts.js';
import type { DailySeries } from '../../replay/csv.js';
import { cycleTimeMs, dailyEvents, REPLAY_SOURCE } from '../../replay/events.js';
import { DEFAULT_TARGET_CAGR, deriveMetrics, joinDailySeries } from '../../replay/metrics.js';
import { replayEventConfig } from '../../replay/pipeline.js';
import type { LaneReport, ReplayResult } from '../../replay/run.js';
import { connectNats } from '../connection.js';
import { NatsLanePublisher } from '../publisher.js';
import { NatsOperatingState } from '../state.js';
import { laneStreamName } from '../subjects.js';
import { deleteLaneStreams, ensureLaneStreams, resolveLaneTopology } from '../topology.js';
import { cycleId, type ReplayWorkerConfig } from './worker.js';

/** Options of {@link runClusterReplay}. */
export interface ClusterReplayOptions {
  readonly url: string;
  readonly workers: number;
  /** ISO date: SIGKILL worker 1 right after publishing the first trading day on or after it. */
  readonly killWorkerAt?: string | null;
  readonly spx: DailySeries;
  readonly vix: DailySeries;
  readonly targetCagr?: number;
  readonly eventConfig?: EventConfig | null;
  readonly stateConfig?: StateConfig | null;
  /** How long a delivered, unacked message waits before redelivery to another worker, ms (default 2000). */
  readonly ackWaitMs?: number;
  readonly onProgress?: (done: number, total: number) => void;
  /** Where workers' error output goes (default: inherited). */
  readonly onWorkerError?: (text: string) => void;
}

/** What a cluster run adds to a replay result. */
export interface ClusterReplayReport {
  readonly workers: number;
  /** The date of the day after whose publication a worker was killed, or null. */
  readonly killedAt: string | null;
  /** Wall-clock ms from the kill until the next cycle was in the shared state. */
  readonly failoverMs: number | null;
  /** Evaluation cycles run (one per trading day). */
  readonly cycles: number;
}

const WORKER_SCRIPT = fileURLToPath(new URL('./worker.js', import.meta.url));

/**
 * Runs the cluster replay and returns the same result the embedded replay returns (lane latencies
 * are not measured across processes and are 0), with the cluster's own figures.
 */
export async function runClusterReplay(options: ClusterReplayOptions): Promise<ReplayResult & { readonly cluster: ClusterReplayReport }> {
  const targetCagr = options.targetCagr ?? DEFAULT_TARGET_CAGR;
  const { days: tradingDays, skipped } = joinDailySeries(options.spx, options.vix);
  const days = deriveMetrics(tradingDays, targetCagr);
  const first = days[0]!;
  const eventConfig = resolveEventConfig(replayEventConfig(options.eventConfig ?? null));
  const stateConfig = options.stateConfig ?? {};
  const run = randomBytes(4).toString('hex');
  const ackWaitMs = options.ackWaitMs ?? 2_000;
  const workerConfig: ReplayWorkerConfig = {
    url: options.url,
    prefix: `qtsreplay.${run}`,
    streamName: `QTSREPLAY_${run.toUpperCase()}`,
    bucket: `QTSREPLAY_${run.toUpperCase()}`,
    key: 'operating-state',
    ackWaitMs,
    eventConfig,
    stateConfig,
  };

  const nc = await connectNats({ url: options.url, name: 'qts-reactive replay coordinator' });
  const jsm = await jetstreamManager(nc);
  const topology = resolveLaneTopology({ prefix: workerConfig.prefix, streamName: workerConfig.streamName, eventConfig, storage: 'memory', ackWaitMs });
  const workers: ChildProcess[] = [];
  let shared: NatsOperatingState | null = null;
  let publisher: NatsLanePublisher | null = null;
  try {
    await ensureLaneStreams(jsm, topology);
    shared = await NatsOperatingState.open(nc, {
      bucket: workerConfig.bucket,
      key: workerConfig.key,
      config: stateConfig,
      initial: { state: 'BALANCED', since: first.day.dateMs },
    });
    const transitions: StateTransition[] = [];
    shared.transitions$.subscribe((t) => transitions.push(t));
    const initialState = shared.currentState;
    for (let i = 0; i < options.workers; i++) workers.push(await startWorker(workerConfig, options.onWorkerError));
    publisher = new NatsLanePublisher(nc, { topology });

    const published: Record<EventPriority, number> = { 0: 0, 1: 0, 2: 0, 3: 0 };
    const sampled: Record<EventPriority, number> = { 0: 0, 1: 0, 2: 0, 3: 0 };
    const stateByDay: OperatingState[] = [];
    const tradingDaysInState: Record<OperatingState, number> = { AGGRESSIVE: 0, BALANCED: 0, DEFENSIVE: 0 };
    let killedAt: string | null = null;
    let killedWallMs = 0;
    let failoverMs: number | null = null;
    for (let i = 0; i < days.length; i++) {
      const row = days[i]!;
      const at = cycleTimeMs(row.day);
      const clock: SchedulerLike = { now: () => at, schedule: () => Subscription.EMPTY };
      const events = dailyEvents(row, clock).map((event) =>
        event.eventType === 'ETEDA_CYCLE_START'
          ? // The cycle carries its metrics and must be acked only once it is in the shared state.
            createEvent('ETEDA_CYCLE_START', { source: REPLAY_SOURCE, timestamp: at, requiresAck: true, payload: { ...event.payload, metrics: { ...row.metrics } } })
          : event,
      );
      // Sent in order on one connection, so each lane keeps the day's order; the acks are awaited together.
      const outcomes = await Promise.all(events.map((event) => publisher!.publish(event, at)));
      events.forEach((event, k) => {
        if (outcomes[k] === 'sampled') sampled[event.priority] += 1;
        published[event.priority] += 1;
      });
      if (options.killWorkerAt != null && killedAt === null && row.day.date >= options.killWorkerAt) {
        killedAt = row.day.date;
        killedWallMs = performance.now();
        workers[0]!.kill('SIGKILL');
        workers[0] = await startWorker(workerConfig, options.onWorkerError);
      }
      await shared.whenCycleSeen(cycleId(row.day.index));
      if (killedAt !== null && failoverMs === null) failoverMs = performance.now() - killedWallMs;
      stateByDay.push(shared.currentState);
      tradingDaysInState[shared.currentState] += 1;
      options.onProgress?.(i + 1, days.length);
    }

    const lanes = await laneReports(jsm, topology.streamName, published, sampled);
    return {
      spxFile: options.spx.file,
      vixFile: options.vix.file,
      days,
      stateByDay,
      initialState,
      transitions,
      skipped,
      lanes,
      tradingDaysInState,
      targetCagr,
      intradayTicksPerDay: 0,
      intradayTicks: 0,
      cluster: { workers: options.workers, killedAt, failoverMs, cycles: days.length },
    };
  } finally {
    publisher?.close();
    await Promise.all(workers.map(stopWorker));
    shared?.close();
    await deleteLaneStreams(jsm, topology).catch(() => undefined);
    await jsm.streams.delete(`KV_${workerConfig.bucket}`).catch(() => undefined);
    await nc.close();
  }
}

/**
 * Per-lane figures once the lanes are drained: dispatched = published; handled = removed from the
 * work queue by an ack (stored − still queued); dropped = sampled out at the publisher.
 */
async function laneReports(
  jsm: Awaited<ReturnType<typeof jetstreamManager>>,
  streamName: string,
  published: Record<EventPriority, number>,
  sampled: Record<EventPriority, number>,
): Promise<LaneReport[]> {
  const deadline = Date.now() + 10_000;
  const remaining = async (p: EventPriority): Promise<number> => (await jsm.streams.info(laneStreamName(streamName, p))).state.messages;
  const reports: LaneReport[] = [];
  for (const priority of EVENT_PRIORITIES) {
    let left = await remaining(priority);
    while (left > 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
      left = await remaining(priority);
    }
    const stored = published[priority] - sampled[priority];
    reports.push({
      priority,
      dispatched: published[priority],
      handled: stored - left,
      failed: 0,
      dropped: sampled[priority],
      dropsByReason: { sampled: sampled[priority] },
      latencyP50Ms: 0,
      latencyP99Ms: 0,
      latencyMaxMs: 0,
    });
  }
  return reports;
}

function startWorker(config: ReplayWorkerConfig, onError?: (text: string) => void): Promise<ChildProcess> {
  const child = spawn(process.execPath, [WORKER_SCRIPT, JSON.stringify(config)], { stdio: ['ignore', 'pipe', onError === undefined ? 'inherit' : 'pipe'] });
  if (onError !== undefined) child.stderr!.on('data', (chunk: Buffer) => onError(chunk.toString()));
  return new Promise((resolve, reject) => {
    const onExit = (code: number | null): void => reject(new Error(`replay worker: expected it to start, got exit code ${code}`));
    child.once('exit', onExit);
    child.stdout!.once('data', () => {
      child.off('exit', onExit);
      resolve(child);
    });
  });
}

function stopWorker(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
