/**
 * qts-reactive: priority lanes with accounted backpressure, and an explained operating state,
 * for RxJS 7 trading pipelines. The pipeable operators live in `qts-reactive/operators`.
 * @packageDocumentation
 */

// Event priority: contracts and configuration
export * from './event/contracts.js';
export {
  registerEventType,
  registerEventTypes,
  registeredEventType,
  EventTypeError,
  type EventTypeOptions,
  type RegisteredEventType,
} from './event/event-types.js';
export * from './event/config.js';
export type { DeepPartial } from './common/plain.js';
export { ConfigError, type ConfigErrorInit } from './config/errors.js';

// Lanes: the buffer cores (one per overflow policy) and the queue classes over them
export * from './event/buffer/types.js';
export * from './event/buffer/index.js';
export * from './event/queue.js';

// The dispatcher: strict priority merge, degradation, safety, monitoring
export * from './event/dispatcher/index.js';
export { HandlerFailedError, EventDroppedError } from './event/awaiting.js';
export * from './event/merge.js';
export * from './event/monitoring.js';
export * from './event/histogram.js';
export * from './event/yield-scheduler.js';

// The external safety state this library consumes
export * from './safety/state.js';

// Operating state: contracts, rules, the reducer, the manager, the reactive form, persistence
export * from './state/contracts.js';
export * from './state/properties.js';
export * from './state/config.js';
export * from './state/rules.js';
export * from './state/overrides.js';
export * from './state/reducer.js';
export * from './state/manager.js';
export * from './state/operatingState.js';
export * from './state/snapshot.js';
export * from './state/bridge.js';

// Observability
export * from './debug/instrument.js';
export type { LaneTelemetryCounters } from './event/telemetry.js';
export { formatRecord } from './debug/formatRecord.js';
