/**
 * The replay's `--metrics-port`: a Prometheus `/metrics` endpoint over the replayed dispatcher and
 * operating state, up while the replay runs. Loaded only when asked for, so the replay needs
 * prom-client (an optional peer dependency) only then.
 */
import { setImmediate as nextMacrotask } from 'node:timers/promises';
import { Registry } from 'prom-client';
import { collectDispatcherMetrics, collectOperatingStateMetrics, serveMetrics } from '../prometheus/index.js';
import type { PipelineFactory, ReplayPipeline } from './run.js';

/** A running endpoint and the pipeline factory whose systems it exports. */
export interface ReplayMetricsEndpoint {
  /** Where to scrape. */
  readonly url: string;
  /** Wraps a factory: each pipeline it builds is exported while it runs. */
  wrap(factory: PipelineFactory): PipelineFactory;
  /** Stops the endpoint. */
  close(): Promise<void>;
}

/**
 * Opens the endpoint on `127.0.0.1:port` (0 picks a free port). Each wrapped pipeline registers its
 * dispatcher's and manager's collectors, and lets the event loop serve scrapes after every trading
 * day (the replay itself runs on a virtual clock and would otherwise never yield).
 */
export async function openReplayMetrics(port: number): Promise<ReplayMetricsEndpoint> {
  const registry = new Registry();
  const server = await serveMetrics(registry, { port });
  return {
    url: server.url,
    wrap: (factory) => async (context) => {
      const pipeline = await factory(context);
      // Kept until the endpoint closes, so the figures at the end of the run can still be scraped.
      if (pipeline.system !== undefined) {
        collectDispatcherMetrics(pipeline.system.dispatcher, { registry });
        collectOperatingStateMetrics(pipeline.system.manager, { registry });
      }
      const exported: ReplayPipeline = {
        ...pipeline,
        dispatch: (events) => pipeline.dispatch(events),
        currentState: () => pipeline.currentState(),
        transitions: () => pipeline.transitions(),
        lanes: () => pipeline.lanes(),
        async settle() {
          await pipeline.settle();
          await nextMacrotask();
        },
        close: () => pipeline.close(),
      };
      return exported;
    },
    close: () => server.close(),
  };
}
