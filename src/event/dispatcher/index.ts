/**
 * The event dispatcher's public surface: the class, its record and option types and its errors.
 * The other files of this folder are its internals.
 */
export { EventDispatcher } from './dispatcher.js';
export type { EventDispatcherOptions, EventHandler, FailureRecord, IngestError } from './records.js';
export { DispatcherArgumentError, DispatcherStoppedError, ReentrantDispatchError, StopTimeoutError } from './errors.js';
export type { DispatcherTelemetry, DispatcherTelemetryKind } from '../telemetry.js';
