/**
 * What a rejected `dispatch` / `dispatchAndWait` means for the message that carried the event:
 * a handler failed (retry, then dead-letter), the lane dropped it (settled by the lane's policy,
 * unless it was left at shutdown), or the dispatcher refused it (hand it back).
 */
import type { DropRecord } from '../event/buffer/types.js';
import type { FailureRecord } from '../event/dispatcher.js';

/** The classified rejection. */
export type DispatchOutcome =
  | { readonly kind: 'failed'; readonly failure: FailureRecord | null; readonly error: unknown }
  | { readonly kind: 'dropped'; readonly drop: DropRecord; readonly error: unknown }
  | { readonly kind: 'refused'; readonly failure: null; readonly error: unknown };

/** Sorts a rejection of `dispatch` / `dispatchAndWait` into a {@link DispatchOutcome}. */
export function classifyDispatchError(error: unknown): DispatchOutcome {
  const e = error as { name?: string; record?: unknown; failure?: unknown; drop?: unknown };
  if (e?.name === 'HandlerFailedError') {
    const failure = (e.record ?? e.failure ?? null) as FailureRecord | null;
    return { kind: 'failed', failure, error };
  }
  if (e?.name === 'EventDroppedError') {
    return { kind: 'dropped', drop: (e.record ?? e.drop) as DropRecord, error };
  }
  return { kind: 'refused', failure: null, error };
}
