/**
 * The dispatcher's public record and option types: what a handler is, what `failures$` and
 * `ingestErrors$` carry, and the options beside the configuration.
 */
import type { Observable, SchedulerLike } from 'rxjs';
import type { Event, EventPriority } from '../contracts.js';
import type { SafetyState } from '../../safety/state.js';

/**
 * A consumer of one lane's batches. It may return nothing (done when it returns), a PromiseLike
 * (done when it settles) or an Observable (done when it completes; its values are ignored).
 * Throwing, rejecting or erroring marks the batch failed for this handler only.
 */
export type EventHandler = (batch: readonly Event[]) => void | PromiseLike<unknown> | Observable<unknown>;

/** A dead letter: one failing handler for one batch. `at` is epoch ms. */
export interface FailureRecord {
  readonly priority: EventPriority;
  readonly batch: readonly Event[];
  readonly error: unknown;
  readonly at: number;
}

/**
 * An input the dispatcher could not use: a value `ingest` refused (not a valid event), an error of
 * an ingested source, or a `safety$` value that is not a safety state (or an error of `safety$`).
 * The dispatcher keeps running in every case; after a bad or failed safety input the safety-driven
 * level stays at the last valid state's.
 */
export interface IngestError {
  /** Which input it came from. */
  readonly source: 'events' | 'safety';
  /** The refused value (undefined for a source error). */
  readonly value: unknown;
  readonly error: unknown;
  readonly at: number;
}

/** Options of the `EventDispatcher` beside its configuration. */
export interface EventDispatcherOptions {
  /** Clock and timers (default `asyncScheduler`); pass a `TestScheduler` for virtual time. */
  scheduler?: SchedulerLike;
  /** The external safety state; mapped through `SAFETY_TO_DEGRADATION`, the most severe level wins. */
  safety$?: Observable<SafetyState>;
  /** COLLAPSE lanes' key (default: the event type), e.g. `(e) => e.eventType + ':' + e.payload.symbol`. */
  collapseKey?: (event: Event) => string;
  /** Length of a drain slice on a real clock, ms (default 0.25). */
  sliceMs?: number;
  /** Events per drain slice under a virtual clock (default 256). */
  sliceEvents?: number;
}
