/**
 * What the end of a batch does to the dispatcher's books: the lane's latency and counters, the
 * events awaited by `dispatchAndWait`, `failures$` and telemetry.
 */
import type { SchedulerLike } from 'rxjs';
import type { Event, EventPriority } from '../contracts.js';
import type { PriorityMerge } from '../merge.js';
import type { HandlingWaiters } from '../awaiting.js';
import type { BatchOutcomes } from './batch.js';
import type { DispatcherChannels } from './channels.js';
import { StopTimeoutError } from './errors.js';
import type { FailureRecord } from './records.js';
import type { LaneStats } from './stats.js';

/** The books the batch fan-out reports into. @internal */
export class BatchAccounting implements BatchOutcomes {
  constructor(
    private readonly merge: PriorityMerge,
    private readonly scheduler: SchedulerLike,
    private readonly stats: readonly LaneStats[],
    private readonly handling: HandlingWaiters,
    private readonly channels: DispatcherChannels,
    private readonly stopTimeoutMs: number,
  ) {}

  /** Publishes the failure on `failures$` and rejects the batch's awaited events. */
  handlerFailed(priority: EventPriority, batch: readonly Event[], error: unknown): void {
    const failure: FailureRecord = Object.freeze({ priority, batch, error, at: this.scheduler.now() });
    this.channels.failures.next(failure);
    if (this.handling.size > 0) this.handling.batchFailed(failure);
  }

  /** Accounts the settled batch: latencies, budget breaches, handled and failed events. */
  batchSettled(priority: EventPriority, batch: readonly Event[], enqueuedAt: Float64Array, failed: boolean): void {
    // Read through the merge: inside a slice the reading also serves as the slice's clock.
    const doneAt = this.merge.readClock();
    const unacknowledged = this.stats[priority]!.recordSettled(batch, enqueuedAt, doneAt, failed);
    const count = batch.length;
    // A failed batch's awaited events were rejected at its first failure; the rest are handled.
    if (this.handling.size > 0 && !failed) this.handling.batchHandled(batch);
    if (this.channels.telemetry.observed) {
      if (count > unacknowledged) this.channels.laneTelemetry('handled', priority, count - unacknowledged);
      if (unacknowledged > 0) this.channels.laneTelemetry('failed', priority, unacknowledged);
    }
  }

  /** A batch given up at the stop timeout is reported on `failures$`, and every event of it counts as failed. */
  batchAbandoned(priority: EventPriority, batch: readonly Event[]): void {
    this.handlerFailed(priority, batch, new StopTimeoutError(this.stopTimeoutMs));
    this.stats[priority]!.recordAbandoned(batch.length);
    if (this.channels.telemetry.observed) this.channels.laneTelemetry('failed', priority, batch.length);
  }

  /** Frees the lane slot of a batch that settled after its delivery returned. */
  slotFreed(priority: EventPriority): void {
    this.merge.settle(priority);
  }
}
