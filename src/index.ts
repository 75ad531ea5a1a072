/**
 * qts-reactive: priority lanes with accounted backpressure, and an explained operating state,
 * for RxJS 7 trading pipelines. The pipeable operators live in `qts-reactive/operators`.
 * @packageDocumentation
 */

// Every export is listed by name: a module's other exports serve the library and are not its API.

// Events: priorities, types, the event record, building and validating one
export {
  DEGRADATION_SEVERITY,
  DegradationLevel,
  EVENT_PRIORITIES,
  EVENT_PRIORITY_MAP,
  EventPriority,
  EventType,
  EventValidationError,
  LANE_KEYS,
  OverflowPolicy,
  PRIORITY_DEFAULTS,
  SAFETY_TO_DEGRADATION,
  isLanePaused,
  type Event,
  type EventFlags,
  type EventInit,
  type EventPayload,
  type EventPayloadInit,
  type EventPayloadOf,
  type EventTypeName,
  type EventTypeRegistry,
  type JsonValue,
  type LaneKey,
  type QtsEvent,
} from './event/contracts.js';
export { createEvent } from './event/createEvent.js';
export { MAX_PAYLOAD_DEPTH, validateEvent } from './event/validation.js';
export {
  registerEventType,
  registerEventTypes,
  registeredEventType,
  EventTypeError,
  type EventTypeOptions,
  type RegisteredEventType,
} from './event/event-types.js';

// Event configuration
export {
  MAX_LANE_CAPACITY,
  MAX_LATENCY_WINDOW,
  defaultEventConfig,
  parseEventConfig,
  resolveEventConfig,
  type AlertThresholds,
  type EventConfig,
  type LaneConfig,
  type MonitoringConfig,
} from './event/config.js';
export type { DeepPartial } from './common/plain.js';
export { ConfigError, type ConfigErrorInit } from './config/errors.js';

// Lanes: a buffer core per overflow policy, the queue classes over them, what they report
export {
  OfferOutcome,
  type DropPriority,
  type DropReason,
  type DropRecord,
  type LaneBuffer,
  type LaneBufferSinks,
  type LaneCounters,
  type SinkFailure,
} from './event/buffer/types.js';
export { createLaneBuffer, type CreateLaneBufferOptions } from './event/buffer/index.js';
export { LaneConfigError } from './event/buffer/errors.js';
export {
  BoundedQueue,
  CollapsingQueue,
  LaneQueue,
  QueueClosedError,
  RingBuffer,
  SamplingQueue,
  type CollapsingQueueOptions,
  type DroppingQueueOptions,
  type EventQueue,
  type QueueOperation,
  type QueueOptions,
  type SamplingQueueOptions,
} from './event/queue.js';

// The dispatcher: strict priority merge, degradation, safety, monitoring
export {
  EventDispatcher,
  DispatcherArgumentError,
  DispatcherStoppedError,
  ReentrantDispatchError,
  StopTimeoutError,
  type DispatcherTelemetry,
  type DispatcherTelemetryKind,
  type EventDispatcherOptions,
  type EventHandler,
  type FailureRecord,
  type IngestError,
} from './event/dispatcher/index.js';
export { HandlerFailedError, EventDroppedError } from './event/awaiting.js';
export {
  detectAlerts,
  readAlerts,
  type AlertKind,
  type AlertLevel,
  type AlertReading,
  type DispatcherAlert,
  type DispatcherMetrics,
  type LaneMetrics,
} from './event/monitoring.js';
export type { LatencySummary, LatencyWindow } from './event/histogram.js';
export type { LaneTelemetryCounters } from './event/telemetry.js';

// The external safety state this library consumes
export { SAFETY_SEVERITY, SafetyState, SafetyStateError, isSafetyState, parseSafetyState } from './safety/state.js';

// Operating state: contracts and properties
export {
  OperatingState,
  PERSISTED_STATE_FORMAT,
  type ManualOverride,
  type OperatingStateSnapshot,
  type PendingConfirmation,
  type PersistedOperatingState,
  type AllocationRange,
  type StateProperties,
  type StateTransition,
  type TransitionCause,
  type TransitionMetrics,
} from './state/contracts.js';
export { STATE_PROPERTIES } from './state/properties.js';
export { defaultStateConfig, parseStateConfig, resolveStateConfig, type HysteresisConfig, type StateConfig } from './state/config.js';

// Operating state: the rules, the pure reducer over them, overrides
export {
  MetricsError,
  buildTransitionRules,
  describeCondition,
  describeFiredRule,
  evaluateCondition,
  evaluateRule,
  parseTransitionMetrics,
  type ConditionMetric,
  type ConditionOp,
  type ConditionResult,
  type MetricReference,
  type RuleCondition,
  type RuleEvaluation,
  type RuleName,
  type TransitionRule,
} from './state/rules.js';
export {
  createOperatingStateReducer,
  initialOperatingState,
  modelFromSnapshot,
  persistedSnapshotOf,
  snapshotOf,
  telemetryOf,
  type EvaluationGate,
  type EvaluationRecord,
  type OperatingStateInput,
  type OperatingStateModel,
  type OperatingStateReducer,
  type RuleCheck,
  type StateTelemetry,
} from './state/reducer.js';
export { OverrideError } from './state/overrides.js';

// Operating state: the manager, the reactive form, persistence, the bridge from the lanes
export { OperatingStateManager, type OperatingStateManagerOptions } from './state/manager.js';
export {
  operatingState$,
  type ObservableValue,
  type OperatingStateInputs,
  type OperatingStateOptions,
  type OperatingStateSetup,
  type OperatingStateStreams,
} from './state/operatingState.js';
export {
  InMemoryStateStore,
  SnapshotError,
  parsePersistedSnapshot,
  parseSnapshot,
  snapshotFromJson,
  snapshotToJson,
  type StateStore,
} from './state/snapshot.js';
export {
  connectEventsToState,
  type EvaluationTarget,
  type EventStateBridge,
  type EventStateBridgeOptions,
  type HandlerRegistry,
} from './state/bridge.js';

// Observability
export { setInstrumentation, type InstrumentationHook, type StreamInfo, type StreamKind } from './debug/instrument.js';
export { formatRecord } from './telemetry/formatRecord.js';
