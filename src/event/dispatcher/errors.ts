/**
 * The errors the dispatcher raises, each naming the operation or argument, what was expected and
 * what came.
 */
import type { EventPriority } from '../contracts.js';
import { describeValue } from '../../common/describe.js';

/** Thrown (or rejected) when the dispatcher is used after `stop()`. */
export class DispatcherStoppedError extends Error {
  override readonly name = 'DispatcherStoppedError';
  constructor(readonly operation: string) {
    super(`${operation}: expected a running dispatcher, got one that is stopped`);
  }
}

/**
 * The error on `failures$` for a P1–P3 batch whose handlers had not settled when `stop()` reached
 * `stopTimeoutMs`: the batch was given up (its Observable results unsubscribed) and counts as failed.
 */
export class StopTimeoutError extends Error {
  override readonly name = 'StopTimeoutError';
  constructor(readonly stopTimeoutMs: number) {
    super(`stop: expected the batch to settle within stopTimeoutMs (${stopTimeoutMs} ms), got still in flight; it was given up`);
  }
}

/**
 * Rejected by `dispatch` when a handler, while it is being called, dispatches into its own lane and
 * the event would have to wait for room: the room could only come from the batch that handler is
 * still processing, so waiting would hang the lane, its producers and `stop()`. Nothing is
 * enqueued. (A handler may instead dispatch without awaiting, or dispatch into another lane.)
 */
export class ReentrantDispatchError extends Error {
  override readonly name = 'ReentrantDispatchError';
  constructor(readonly priority: EventPriority) {
    super(
      `dispatch: expected room in lane P${priority} for an event dispatched by one of its own handlers, got a full lane ` +
        'whose room only that handler can free; waiting would deadlock',
    );
  }
}

/** Thrown when a handler registration or a degradation level is invalid; `field` names the argument. */
export class DispatcherArgumentError extends Error {
  override readonly name = 'DispatcherArgumentError';
  constructor(
    readonly field: string,
    readonly expected: string,
    readonly received: unknown,
  ) {
    super(`${field}: expected ${expected}, got ${describeValue(received)}`);
  }
}
