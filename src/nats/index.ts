/**
 * qts-reactive/nats: the lanes and the operating state across processes on NATS JetStream.
 * Needs the optional peer dependencies `@nats-io/transport-node`, `@nats-io/jetstream` and
 * `@nats-io/kv`; the rest of the library never imports this entry.
 * @packageDocumentation
 */
export {
  DEFAULT_CONNECT_TIMEOUT_MS,
  DEFAULT_NATS_URL,
  NATS_FEATURES,
  compareVersions,
  connectNats,
  requireServerFeature,
  serverVersion,
  type ConnectNatsOptions,
  type NatsFeature,
} from './connection.js';
export {
  JetStreamUnavailableError,
  MalformedMessageError,
  NatsServerTooOldError,
  NatsSubjectError,
  NatsUnreachableError,
  PublishAbortedError,
  SharedStateFormatError,
  StateConflictError,
} from './errors.js';
export { ANY_ACCOUNT, DEFAULT_ACCOUNT, DEFAULT_SUBJECT_PREFIX, laneFilter, laneStreamName, laneSubject } from './subjects.js';
export { ENQUEUED_AT_HEADER, EVENT_ID_HEADER, decodeEvent, encodeEvent, type DecodedMessage } from './codec.js';
export {
  deleteLaneStreams,
  ensureLaneConsumer,
  ensureLaneStreams,
  laneConsumerName,
  laneStreamConfig,
  resolveLaneTopology,
  type LaneTopology,
  type LaneTopologyOptions,
} from './topology.js';
export { NatsLanePublisher, type NatsLanePublisherOptions, type PublishOutcome, type PublisherCounters } from './publisher.js';
export { NatsLaneConsumer, type LaneDispatcher, type NatsLaneConsumerOptions } from './consumer.js';
export type { ConsumerCounters, DeadLetterRecord, NatsIngestError, PullErrorRecord, SequenceGapRecord } from './records.js';
export { classifyDispatchError, type DispatchOutcome } from './dispatchOutcome.js';
export { RecentIds } from './recentIds.js';
export { NatsOperatingState, SHARED_STATE_FORMAT, type CycleResult, type NatsOperatingStateOptions, type SharedStateEnvelope } from './state.js';
