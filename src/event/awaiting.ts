/**
 * Awaited handling: the bookkeeping behind `EventDispatcher.dispatchAndWait`, the in-process twin of
 * a broker acknowledgement. It is callback-based (no Promise in here), so it settles inside a
 * `TestScheduler` flush like the rest of the core; the dispatcher's Promise is a thin facade.
 *
 * The dispatcher consults it only when `size > 0`, once per batch, drop or failure: when nobody
 * awaits, the event path pays one property read per batch.
 */
import type { Event } from './contracts.js';
import type { DropRecord } from './buffer/types.js';
import type { FailureRecord } from './dispatcher/records.js';

/** The rejection of `dispatchAndWait` when a handler of the batch carrying the event failed. */
export class HandlerFailedError extends Error {
  override readonly name = 'HandlerFailedError';
  constructor(
    /** The dead letter of the failing handler (its batch, error and time). */
    readonly failure: FailureRecord,
  ) {
    super(`handling of the event: expected every handler of its P${failure.priority} batch to succeed, got a failure: ${describeError(failure.error)}`, {
      cause: failure.error,
    });
  }
}

/** The rejection of `dispatchAndWait` when the event left its lane undelivered (evicted, collapsed, sampled or shutdown). */
export class EventDroppedError extends Error {
  override readonly name = 'EventDroppedError';
  constructor(
    /** The drop record: the event, the reason and the time. */
    readonly drop: DropRecord,
  ) {
    super(`handling of event ${drop.event.eventId} (${drop.event.eventType}): expected delivery to its handlers, got dropped from P${drop.priority} (${drop.reason})`);
  }
}

function describeError(error: unknown): string {
  if (error instanceof Error) return error.message;
  try {
    return JSON.stringify(error) ?? String(error);
  } catch {
    return String(error);
  }
}

/** How one awaited event ends: exactly one of the two is called, once. */
export interface HandlingOutcome {
  handled(): void;
  failed(error: HandlerFailedError | EventDroppedError): void;
}

/** The events being awaited, each with its outcome callbacks; one entry per event object. */
export class HandlingWaiters {
  private readonly waiting = new Map<Event, HandlingOutcome>();

  /** How many events are awaited; the dispatcher looks no further while it is 0. */
  get size(): number {
    return this.waiting.size;
  }

  /** Starts awaiting `event`; false when that very event object is already awaited. */
  add(event: Event, outcome: HandlingOutcome): boolean {
    if (this.waiting.has(event)) return false;
    this.waiting.set(event, outcome);
    return true;
  }

  /** Every handler of `batch` has settled: the events still awaited (none failed) are handled. */
  batchHandled(batch: readonly Event[]): void {
    for (let i = 0; i < batch.length; i++) {
      const event = batch[i]!;
      const outcome = this.waiting.get(event);
      if (outcome === undefined) continue;
      this.waiting.delete(event);
      outcome.handled();
    }
  }

  /** A handler of `failure.batch` failed: every awaited event of the batch fails with it. */
  batchFailed(failure: FailureRecord): void {
    const batch = failure.batch;
    let error: HandlerFailedError | null = null;
    for (let i = 0; i < batch.length; i++) {
      const event = batch[i]!;
      const outcome = this.waiting.get(event);
      if (outcome === undefined) continue;
      this.waiting.delete(event);
      outcome.failed((error ??= new HandlerFailedError(failure)));
    }
  }

  /** The event of `drop` left its lane undelivered. */
  dropped(drop: DropRecord): void {
    const outcome = this.waiting.get(drop.event);
    if (outcome === undefined) return;
    this.waiting.delete(drop.event);
    outcome.failed(new EventDroppedError(drop));
  }
}
