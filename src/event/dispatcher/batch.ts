/**
 * The batch fan-out: hands each batch to its lane's handlers in registration order and follows
 * every asynchronous result until the batch has settled.
 *
 * The batch being fanned out lives in this one reused object, not in a fresh one per batch, so a
 * batch whose handlers all return synchronously allocates nothing here. A handler that throws
 * unwinds to the priority merge's one try per slice, which asks for {@link BatchFanOut.recover}:
 * the fan-out records the failure and goes on with the next handler from the state kept here.
 * A batch with asynchronous results becomes a {@link PendingBatch} (with a copy of its enqueue
 * times, which the merge reuses) until every result has settled.
 */
import type { Subscription } from 'rxjs';
import type { Event, EventPriority } from '../contracts.js';
import { isAsyncResult, settleOnce, type AsyncResult, type SettleListener } from '../settle.js';
import type { EventHandler } from './records.js';

/** What the fan-out reports to the dispatcher. @internal */
export interface BatchOutcomes {
  /** One handler of `batch` failed with `error` (threw, rejected or errored). */
  handlerFailed(priority: EventPriority, batch: readonly Event[], error: unknown): void;
  /** Every handler of `batch` has settled; `failed` when one of them failed. */
  batchSettled(priority: EventPriority, batch: readonly Event[], enqueuedAt: Float64Array, failed: boolean): void;
  /** `batch` was given up before it settled (see {@link BatchFanOut.abandonInFlight}). */
  batchAbandoned(priority: EventPriority, batch: readonly Event[]): void;
  /** A batch that `callHandlers` left unsettled has settled or been given up: its lane slot is free. */
  slotFreed(priority: EventPriority): void;
}

/** A batch whose handlers have not all settled yet. @internal */
export interface PendingBatch {
  readonly priority: EventPriority;
  readonly batch: readonly Event[];
  readonly enqueuedAt: Float64Array;
  /** Unsettled results, plus one while the fan-out is still running. */
  pending: number;
  failed: boolean;
  /** The fan-out returned before the batch settled: the merge must be told when it does. */
  detached: boolean;
  /** Given up at the stop timeout (reported as a failure); a late settle changes nothing. */
  abandoned: boolean;
  /** Subscriptions to Observable results still running, cancelled if the batch is abandoned. */
  subscriptions: Subscription[] | null;
}

/**
 * The current batch of the dispatcher and every batch still waiting for asynchronous results.
 * @internal
 */
export class BatchFanOut implements SettleListener<PendingBatch> {
  /** The lane whose handlers are being called right now, or -1. */
  deliveringLane = -1;
  /** Batches whose handlers returned a Promise or Observable that has not settled yet. */
  private readonly unsettled = new Set<PendingBatch>();
  private priority: EventPriority = 0;
  private batch: readonly Event[] = [];
  private enqueuedAt: Float64Array = new Float64Array(0);
  private handlers: readonly EventHandler[] = [];
  /** The next handler to call. */
  private index = 0;
  /** A handler of the current batch has failed. */
  private batchFailed = false;
  private pending: PendingBatch | null = null;

  constructor(private readonly outcomes: BatchOutcomes) {}

  /**
   * Makes `batch` the current batch, to go to `handlers`; `enqueuedAt` is valid until
   * {@link callHandlers} returns. The lane counts as delivering from here.
   */
  start(priority: EventPriority, batch: readonly Event[], enqueuedAt: Float64Array, handlers: readonly EventHandler[]): void {
    this.priority = priority;
    this.batch = batch;
    this.enqueuedAt = enqueuedAt;
    this.handlers = handlers;
    this.index = 0;
    this.batchFailed = false;
    this.pending = null;
    this.deliveringLane = priority;
  }

  /**
   * Calls the remaining handlers of the current batch. Returns true when the batch has settled,
   * false when its lane slot is freed later ({@link BatchOutcomes.slotFreed}). Deliberately free
   * of try/catch (see merge.ts).
   */
  callHandlers(): boolean {
    const handlers = this.handlers;
    const batch = this.batch;
    while (this.index < handlers.length) {
      const handler = handlers[this.index++]!;
      const result = handler(batch);
      if (result !== undefined && result !== null && isAsyncResult(result)) this.track(result);
    }
    this.deliveringLane = -1;
    const pending = this.pending;
    if (pending === null) {
      this.outcomes.batchSettled(this.priority, batch, this.enqueuedAt, this.batchFailed);
      return true;
    }
    this.pending = null;
    if (pending.abandoned) return true;
    if (this.batchFailed) pending.failed = true;
    pending.pending--;
    if (pending.pending === 0) {
      this.unsettled.delete(pending);
      this.outcomes.batchSettled(pending.priority, pending.batch, pending.enqueuedAt, pending.failed);
      return true;
    }
    pending.detached = true;
    return false;
  }

  /** A handler of the current batch threw `error`: record it and go on with the next handler. */
  recover(error: unknown): boolean {
    this.batchFailed = true;
    this.outcomes.handlerFailed(this.priority, this.batch, error);
    return this.callHandlers();
  }

  /**
   * Gives up every batch still in flight except those of lane `spared`, oldest first: its
   * Observable results are unsubscribed, it is reported (nothing vanishes silently) and its lane
   * slot is freed. A result settling later changes nothing.
   */
  abandonInFlight(spared: EventPriority): void {
    for (const pending of [...this.unsettled]) {
      if (pending.priority === spared) continue;
      pending.abandoned = true;
      this.unsettled.delete(pending);
      if (pending.subscriptions !== null) for (const subscription of pending.subscriptions) subscription.unsubscribe();
      this.outcomes.batchAbandoned(pending.priority, pending.batch);
      if (pending.detached) this.outcomes.slotFreed(pending.priority);
    }
  }

  /** One result of `pending` resolved or completed. */
  done(pending: PendingBatch): void {
    if (!pending.abandoned) this.settledOne(pending);
  }

  /** One result of `pending` rejected, errored or could not be waited for. */
  failed(pending: PendingBatch, error: unknown): void {
    if (pending.abandoned) return;
    pending.failed = true;
    this.outcomes.handlerFailed(pending.priority, pending.batch, error);
    this.settledOne(pending);
  }

  private settledOne(pending: PendingBatch): void {
    if (--pending.pending > 0) return;
    this.unsettled.delete(pending);
    this.outcomes.batchSettled(pending.priority, pending.batch, pending.enqueuedAt, pending.failed);
    if (pending.detached) this.outcomes.slotFreed(pending.priority);
  }

  private track(result: AsyncResult): void {
    let pending = this.pending;
    if (pending === null) {
      pending = {
        priority: this.priority,
        batch: this.batch,
        enqueuedAt: this.enqueuedAt.slice(0, this.batch.length),
        pending: 1,
        failed: false,
        detached: false,
        abandoned: false,
        subscriptions: null,
      };
      this.pending = pending;
      this.unsettled.add(pending);
    }
    pending.pending++;
    const subscription = settleOnce(result, this, pending);
    if (subscription !== null) (pending.subscriptions ??= []).push(subscription);
  }
}
