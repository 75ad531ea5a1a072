/**
 * What a rejected `dispatch` / `dispatchAndWait` means for the message that carried the event:
 * a handler failed (retry, then dead-letter), the lane dropped it (settled by the lane's policy,
 * unless it was left at shutdown), or the dispatcher refused it (hand it back at once).
 */
import type { DropRecord } from '../event/buffer/types.js';
import type { FailureRecord } from '../event/dispatcher/index.js';
import { EventDroppedError, HandlerFailedError } from '../event/awaiting.js';

/** The classified rejection. */
export type DispatchOutcome =
  | { readonly kind: 'failed'; readonly failure: FailureRecord; readonly error: unknown }
  | { readonly kind: 'dropped'; readonly drop: DropRecord; readonly error: unknown }
  | { readonly kind: 'refused'; readonly error: unknown };

/** Sorts a rejection of `dispatch` / `dispatchAndWait` into a {@link DispatchOutcome}. */
export function classifyDispatchError(error: unknown): DispatchOutcome {
  if (error instanceof HandlerFailedError) return { kind: 'failed', failure: error.failure, error };
  if (error instanceof EventDroppedError) return { kind: 'dropped', drop: error.drop, error };
  return { kind: 'refused', error };
}
