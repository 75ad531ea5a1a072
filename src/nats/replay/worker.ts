/**
 * A worker process of the cluster replay: consumes the four lanes into its own dispatcher (the
 * replay's configuration), and runs each trading day's evaluation cycle on the state shared
 * through NATS KV. Started by the coordinator with one JSON argument ({@link ReplayWorkerConfig});
 * prints `ready` once it pulls, and stops cleanly on SIGTERM.
 */
import { isEntryPoint } from '../../common/entryPoint.js';
import type { DeepPartial } from '../../common/plain.js';
import type { EventConfig } from '../../event/config.js';
import { EventDispatcher } from '../../event/dispatcher.js';
import { EVENT_PRIORITIES, type Event } from '../../event/contracts.js';
import type { StateConfig } from '../../state/config.js';
import { parseTransitionMetrics } from '../../state/rules.js';
import { connectNats } from '../connection.js';
import { NatsLaneConsumer } from '../consumer.js';
import { NatsOperatingState } from '../state.js';
import { resolveLaneTopology } from '../topology.js';

/** What a worker is told. */
export interface ReplayWorkerConfig {
  readonly url: string;
  readonly prefix: string;
  readonly streamName: string;
  readonly bucket: string;
  readonly key: string;
  readonly ackWaitMs: number;
  readonly eventConfig: DeepPartial<EventConfig>;
  readonly stateConfig: DeepPartial<StateConfig>;
}

/** The cycle id of trading day `index`: the same on every worker and every redelivery. */
export function cycleId(index: number): string {
  return `day-${index}`;
}

/** Runs one worker until SIGTERM. */
export async function runReplayWorker(config: ReplayWorkerConfig): Promise<void> {
  const nc = await connectNats({ url: config.url, name: `qts-reactive replay worker ${process.pid}` });
  const topology = resolveLaneTopology({ prefix: config.prefix, streamName: config.streamName, eventConfig: config.eventConfig, storage: 'memory', ackWaitMs: config.ackWaitMs });
  const dispatcher = new EventDispatcher(config.eventConfig);
  const shared = await NatsOperatingState.open(nc, { bucket: config.bucket, key: config.key, config: config.stateConfig });

  // A cycle carries its own metrics: the RISK_EVALUATE before it may have gone to another worker.
  const runCycles = async (batch: readonly Event[]): Promise<void> => {
    for (const event of batch) {
      if (event.eventType !== 'ETEDA_CYCLE_START') continue;
      const metrics = parseTransitionMetrics(event.payload['metrics']);
      await shared.evaluate(cycleId(event.payload['cycle'] as number), metrics, event.timestamp);
    }
  };
  for (const priority of EVENT_PRIORITIES) dispatcher.registerHandler(priority, priority === 2 ? runCycles : () => undefined);
  await dispatcher.start();
  const consumer = await NatsLaneConsumer.start(nc, { topology, dispatcher });
  process.stdout.write('ready\n');

  await new Promise<void>((resolve) => process.once('SIGTERM', () => resolve()));
  await consumer.stop(2_000);
  await dispatcher.stop();
  shared.close();
  await nc.close();
}

if (isEntryPoint(import.meta.url)) {
  try {
    await runReplayWorker(JSON.parse(process.argv[2] ?? '{}') as ReplayWorkerConfig);
  } catch (error) {
    process.stderr.write(`qts-reactive replay worker: ${(error as Error).name}: ${(error as Error).message}\n`);
    process.exitCode = 1;
  }
}
