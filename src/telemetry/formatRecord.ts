/**
 * {@link formatRecord}: one log line for a telemetry record of the dispatcher or of the operating
 * state.
 */
import type { EventPriority } from '../event/contracts.js';
import type { DispatcherTelemetry } from '../event/telemetry.js';
import type { StateTelemetry } from '../state/reducer.js';

function laneName(lane: EventPriority | null): string {
  return lane === null ? '--' : `P${lane}`;
}

/**
 * One line for a log: a dispatcher telemetry record or an operating-state telemetry record.
 *
 * @example
 * ```ts
 * dispatcher.telemetry$.subscribe((r) => log.info(formatRecord(r)));
 * // #12 2020-03-02T00:00:00.000Z P1 enqueued 1 depth 400
 * // #0 2020-03-02T00:00:00.000Z P1 snapshot depth 400/10000 NORMAL enqueued 500 handled 100 …
 * manager.telemetry$.subscribe((r) => log.info(formatRecord(r)));
 * // 2020-03-09T21:00:00.000Z state transitioned BALANCED -> DEFENSIVE (RULE)
 * ```
 * @param record a record of `EventDispatcher.telemetry$` or of an operating state's `telemetry$`
 * @return the record as one line of text
 */
export function formatRecord(record: DispatcherTelemetry | StateTelemetry): string {
  const at = Number.isFinite(record.at) && Math.abs(record.at) <= 8.64e15 ? new Date(record.at).toISOString() : String(record.at);
  if (!('lane' in record)) {
    const detail =
      record.kind === 'transitioned'
        ? ` ${record.from ?? '?'} -> ${record.state} (${record.cause ?? '?'})`
        : record.kind === 'evaluated'
          ? ` ${record.state} gate ${record.gate ?? 'none'}`
          : ` ${record.state}`;
    return `${at} state ${record.kind}${detail}`;
  }
  const head = `#${record.seq} ${at} ${laneName(record.lane)} ${record.kind}`;
  if (record.kind === 'degraded') return `${head} ${record.level ?? ''}`.trimEnd();
  if (record.kind === 'snapshot') {
    const counters = record.counters === undefined ? '' : ` ${Object.entries(record.counters).map(([key, value]) => `${key} ${value}`).join(' ')}`;
    return `${head} depth ${record.depth ?? 0}/${record.capacity ?? '?'} ${record.level ?? ''}${counters}`;
  }
  return `${head} ${record.count} depth ${record.depth ?? 0}`;
}
