/**
 * The JetStream side of the four lanes: how each overflow policy maps onto a stream, and the
 * durable pull consumer each lane's instances share.
 *
 * | lane | policy      | stream                                                                  |
 * |------|-------------|-------------------------------------------------------------------------|
 * | P0   | BLOCK       | work queue, `max_msgs` = capacity, discard **new**: a full stream refuses, the publisher retries with the same message id |
 * | P1   | DROP_OLDEST | work queue, `max_msgs` = capacity, discard **old**: the server evicts silently (consumers see a sequence gap) |
 * | P2   | COLLAPSE    | work queue, discard old, `max_msgs_per_subject` 1 on `…p2.<type>[.<key>]`: the last value per key |
 * | P3   | SAMPLE      | work queue, discard old; the publisher samples 1 in N while the stream is at capacity |
 *
 * Work-queue retention removes a message once acked, so a stream holds only what is not yet handled
 * and its `max_msgs` is the lane's cross-process capacity.
 */
import {
  AckPolicy,
  DeliverPolicy,
  DiscardPolicy,
  RetentionPolicy,
  StorageType,
  type JetStreamManager,
  type StreamConfig,
} from '@nats-io/jetstream';
import { EVENT_PRIORITIES, LANE_KEYS, type EventPriority } from '../event/contracts.js';
import type { DeepPartial } from '../common/plain.js';
import { resolveEventConfig, type EventConfig } from '../event/config.js';
import { ANY_ACCOUNT, DEFAULT_SUBJECT_PREFIX, checkSubjectPrefix, checkSubjectToken, laneFilter, laneStreamName, streamNameOf } from './subjects.js';

const NS_PER_MS = 1_000_000;

/** Options of {@link resolveLaneTopology}; every field optional. */
export interface LaneTopologyOptions {
  /** First subject token(s) of every lane subject (default `qts`). */
  readonly prefix?: string;
  /** Stream name stem (default: the prefix upper-cased, dots as `_`); lanes are `<name>_P0` … `_P3`. */
  readonly streamName?: string;
  /** Lane capacities, batching and P3's sample rate (default: the shipped `config/event.yaml`). */
  readonly eventConfig?: DeepPartial<EventConfig>;
  /** Stream capacity per lane, when it should differ from the in-process lane capacity. */
  readonly streamCapacity?: Partial<Record<EventPriority, number>>;
  /** How long a delivered, unacked message waits before redelivery, ms (default 2000). */
  readonly ackWaitMs?: number;
  /** Deliveries before a failing message is termed and dead-lettered (default 5). */
  readonly maxDeliver?: number;
  /** Messages delivered and not yet acked, per consumer, across all instances (default 1000). */
  readonly maxAckPending?: number;
  /** Window in which a republished message id is ignored by the stream, ms (default 120000). */
  readonly duplicateWindowMs?: number;
  /** File (default, survives a restart) or memory storage. */
  readonly storage?: 'file' | 'memory';
}

/** A resolved topology: names, limits and the event configuration. */
export interface LaneTopology {
  readonly prefix: string;
  readonly streamName: string;
  readonly eventConfig: EventConfig;
  readonly streamCapacity: Readonly<Record<EventPriority, number>>;
  readonly ackWaitMs: number;
  readonly maxDeliver: number;
  readonly maxAckPending: number;
  readonly duplicateWindowMs: number;
  readonly storage: 'file' | 'memory';
}

/** Resolves every default of a topology and checks its names. */
export function resolveLaneTopology(options: LaneTopologyOptions = {}): LaneTopology {
  const prefix = checkSubjectPrefix(options.prefix ?? DEFAULT_SUBJECT_PREFIX);
  const eventConfig = resolveEventConfig(options.eventConfig ?? {});
  const streamCapacity = {} as Record<EventPriority, number>;
  for (const p of EVENT_PRIORITIES) {
    const capacity = options.streamCapacity?.[p] ?? eventConfig.queues[LANE_KEYS[p]!].capacity;
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`streamCapacity.${p}: expected a positive integer, got ${capacity}`);
    streamCapacity[p] = capacity;
  }
  const positive = (field: string, value: number): number => {
    if (!Number.isFinite(value) || value <= 0) throw new RangeError(`${field}: expected a positive number, got ${value}`);
    return value;
  };
  return Object.freeze({
    prefix,
    streamName: checkSubjectToken('streamName', options.streamName ?? streamNameOf(prefix)),
    eventConfig,
    streamCapacity: Object.freeze(streamCapacity),
    ackWaitMs: positive('ackWaitMs', options.ackWaitMs ?? 2_000),
    maxDeliver: positive('maxDeliver', options.maxDeliver ?? 5),
    maxAckPending: positive('maxAckPending', options.maxAckPending ?? 1_000),
    duplicateWindowMs: positive('duplicateWindowMs', options.duplicateWindowMs ?? 120_000),
    storage: options.storage ?? 'file',
  });
}

/** The stream configuration of one lane (see the table in this module's comment). */
export function laneStreamConfig(topology: LaneTopology, priority: EventPriority): Partial<StreamConfig> & { name: string } {
  return {
    name: laneStreamName(topology.streamName, priority),
    subjects: [laneFilter(topology.prefix, ANY_ACCOUNT, priority)],
    retention: RetentionPolicy.Workqueue,
    storage: topology.storage === 'file' ? StorageType.File : StorageType.Memory,
    max_msgs: topology.streamCapacity[priority],
    discard: priority === 0 ? DiscardPolicy.New : DiscardPolicy.Old,
    max_msgs_per_subject: priority === 2 ? 1 : -1,
    duplicate_window: topology.duplicateWindowMs * NS_PER_MS,
    num_replicas: 1,
  };
}

/** Name of the durable consumer shared by every instance that consumes `account` on a lane. */
export function laneConsumerName(priority: EventPriority, account: string): string {
  return `lane_p${priority}_${account === ANY_ACCOUNT ? 'all' : account}`;
}

/**
 * Creates (or updates) the four lane streams. Idempotent: every instance may call it.
 */
export async function ensureLaneStreams(jsm: JetStreamManager, topology: LaneTopology): Promise<void> {
  for (const priority of EVENT_PRIORITIES) {
    const config = laneStreamConfig(topology, priority);
    try {
      await jsm.streams.info(config.name);
      await jsm.streams.update(config.name, config);
    } catch (error) {
      if ((error as { code?: number }).code !== 10059) throw error; // 10059: stream not found
      await jsm.streams.add(config);
    }
  }
}

/**
 * Creates (or updates) the durable pull consumer of one lane for `account` (`*`: all accounts).
 * @returns its name
 */
export async function ensureLaneConsumer(jsm: JetStreamManager, topology: LaneTopology, priority: EventPriority, account: string): Promise<string> {
  const name = laneConsumerName(priority, account === ANY_ACCOUNT ? account : checkSubjectToken('account', account));
  await jsm.consumers.add(laneStreamName(topology.streamName, priority), {
    durable_name: name,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    ack_wait: topology.ackWaitMs * NS_PER_MS,
    max_deliver: topology.maxDeliver,
    max_ack_pending: topology.maxAckPending,
    filter_subject: laneFilter(topology.prefix, account, priority),
  });
  return name;
}

/** Deletes the four lane streams (and so their consumers); missing streams are ignored. */
export async function deleteLaneStreams(jsm: JetStreamManager, topology: LaneTopology): Promise<void> {
  for (const priority of EVENT_PRIORITIES) {
    await jsm.streams.delete(laneStreamName(topology.streamName, priority)).catch((error: unknown) => {
      if ((error as { code?: number }).code !== 10059) throw error;
    });
  }
}
