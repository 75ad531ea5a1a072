/**
 * The named drop stream of an operator: the drop records of one subscription, passed through the
 * instrumentation hook as `<name>.drops`, and handed to the observer the user gave as `drops`.
 */
import { Subject, type NextObserver } from 'rxjs';
import type { DropRecord } from '../../event/buffer/types.js';
import { instrument } from '../../debug/instrument.js';

/** One subscription's drop channel: `report` each record, `end` when the subscription ends. */
export interface DropChannel {
  readonly report: (record: DropRecord) => void;
  readonly end: () => void;
}

/**
 * Opens the drop channel of one operator subscription. Every record goes to `onDrop` (when
 * given), then through the stream `<name>.drops` (seen by a debugger's hook) to `drops.next`.
 * `end()` completes the named stream; the user's observer is only ever given `next`, so one
 * Subject can collect the drops of several operators and subscriptions.
 *
 * @param name the operator's name (unnamed: the drop stream is not instrumented)
 * @param creator the operator, e.g. `'dropOldest'`
 * @param drops the user's observer, or undefined for none
 * @param onDrop the user's callback, or undefined for none
 * @return the channel, or undefined when there is neither an observer nor a callback
 */
export function openDropChannel(
  name: string | undefined,
  creator: string,
  drops: NextObserver<DropRecord> | undefined,
  onDrop: ((record: DropRecord) => void) | undefined,
): DropChannel | undefined {
  if (drops === undefined) return onDrop === undefined ? undefined : { report: onDrop, end: () => undefined };
  const records = new Subject<DropRecord>();
  const subscription = records
    .pipe(instrument<DropRecord>(name === undefined ? undefined : `${name}.drops`, 'source', creator))
    .subscribe({ next: (record) => drops.next(record) });
  return {
    report: (record) => {
      // The named stream gets the record even when the callback throws (the caller isolates that).
      try {
        onDrop?.(record);
      } finally {
        records.next(record);
      }
    },
    end: () => {
      records.complete();
      subscription.unsubscribe();
    },
  };
}
