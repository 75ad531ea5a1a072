// Per-test NATS resources: a connection, unique stream and bucket names, and cleanup after.
import { inject } from 'vitest';
import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { connectNats, deleteLaneStreams, resolveLaneTopology, type LaneTopology, type LaneTopologyOptions } from '../../src/nats/index.js';
import { uniqueName } from './server.js';

/** The URL of the live server, or null when the NATS tests are skipped. */
export const liveNatsUrl: string | null = inject('natsUrl');

/** What a NATS test works with. */
export interface NatsTestContext {
  readonly nc: NatsConnection;
  readonly jsm: JetStreamManager;
  /** A topology with a unique prefix and stream name; its streams are deleted after the test. */
  topology(options?: LaneTopologyOptions): LaneTopology;
  /** A unique KV bucket name; the bucket is deleted after the test. */
  bucket(): string;
  /** Runs `cleanup` after the test (before the streams are deleted). */
  defer(cleanup: () => unknown): void;
  /** Deletes everything the test made and closes the connection. */
  dispose(): Promise<void>;
}

/** Opens a context on `url` (the live server by default). */
export async function openNatsTest(url = liveNatsUrl!): Promise<NatsTestContext> {
  const nc = await connectNats({ url, name: 'qts-reactive tests' });
  const jsm = await jetstreamManager(nc);
  const topologies: LaneTopology[] = [];
  const buckets: string[] = [];
  const cleanups: (() => unknown)[] = [];
  return {
    nc,
    jsm,
    topology(options = {}) {
      const name = uniqueName('T');
      const topology = resolveLaneTopology({ prefix: `qtstest.${name.toLowerCase()}`, streamName: name, storage: 'memory', ...options });
      topologies.push(topology);
      return topology;
    },
    bucket() {
      const name = uniqueName('KVT');
      buckets.push(name);
      return name;
    },
    defer(cleanup) {
      cleanups.push(cleanup);
    },
    async dispose() {
      for (const c of cleanups.reverse()) await c();
      for (const t of topologies) await deleteLaneStreams(jsm, t);
      for (const b of buckets) await jsm.streams.delete(`KV_${b}`).catch(() => undefined);
      await nc.close();
    },
  };
}
