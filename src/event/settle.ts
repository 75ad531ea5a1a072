/**
 * Waiting for a handler's result, shared by the dispatcher's fan-out and the `mergeByPriority`
 * operator. A handler may return nothing, a PromiseLike or an Observable; the caller must learn
 * its outcome exactly once, whether it arrives during the call or later, and whatever a foreign
 * thenable or Observable does afterwards (resolving twice, resolving and then rejecting, throwing
 * from `then`). Promise-free: a thenable is waited for by calling its own `then`.
 */
import { isObservable, type Observable, type Subscription } from 'rxjs';

/** A result there is something to wait for: a thenable or an Observable. */
export type AsyncResult = PromiseLike<unknown> | Observable<unknown>;

/**
 * Told the outcome of an {@link AsyncResult} by {@link settleOnce}. `context` is the value passed
 * to `settleOnce`, so one listener can serve many results without a closure per result.
 */
export interface SettleListener<C> {
  /** The result resolved (a thenable) or completed (an Observable; its values are ignored). */
  done(context: C): void;
  /** The result rejected, errored, or could not be waited for (its `then` threw). */
  failed(context: C, error: unknown): void;
}

/**
 * True when `result` is something to wait for: an Observable, or an object or function whose
 * `then` is a function. A `then` that cannot even be read (a getter that throws) counts too, so
 * that {@link settleOnce} reports the failure instead of the result passing as done.
 */
export function isAsyncResult(result: unknown): result is AsyncResult {
  if ((typeof result !== 'object' && typeof result !== 'function') || result === null) return false;
  if (isObservable(result)) return true;
  try {
    return typeof (result as { then?: unknown }).then === 'function';
  } catch {
    return true;
  }
}

/** Passes on the first outcome only. */
class FirstOutcome<C> {
  settled = false;
  constructor(
    private readonly listener: SettleListener<C>,
    private readonly context: C,
  ) {}

  readonly done = (): void => {
    if (this.settled) return;
    this.settled = true;
    this.listener.done(this.context);
  };

  readonly failed = (error: unknown): void => {
    if (this.settled) return;
    this.settled = true;
    this.listener.failed(this.context, error);
  };
}

/**
 * Waits for `result` and calls exactly one of `listener.done` / `listener.failed`, exactly once,
 * with `context` — during this call when the result settles synchronously, else later.
 *
 * @param result a value {@link isAsyncResult} accepted
 * @return the subscription to an Observable result that is still running (unsubscribe it to give
 *   the result up; the listener is then never called), else null
 */
export function settleOnce<C>(result: AsyncResult, listener: SettleListener<C>, context: C): Subscription | null {
  const outcome = new FirstOutcome(listener, context);
  if (isObservable(result)) {
    const subscription = result.subscribe({ error: outcome.failed, complete: outcome.done });
    return outcome.settled ? null : subscription;
  }
  try {
    result.then(outcome.done, outcome.failed);
  } catch (error) {
    // A `then` that throws is a failed result; left pending, it would never settle.
    outcome.failed(error);
  }
  return null;
}
