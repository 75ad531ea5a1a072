/**
 * What the dispatcher publishes: drops, failures, telemetry, each lane's batches and refused
 * inputs, and the one signal that it has stopped.
 */
import { ReplaySubject, Subject, type SchedulerLike } from 'rxjs';
import { EVENT_PRIORITIES, type DegradationLevel, type Event, type EventPriority } from '../contracts.js';
import type { DropRecord } from '../buffer/types.js';
import { Multicast } from '../multicast.js';
import type { PriorityMerge } from '../merge.js';
import { degradedRecord, laneRecord, type DispatcherTelemetry, type DispatcherTelemetryKind } from '../telemetry.js';
import type { FailureRecord, IngestError } from './records.js';

/** The dispatcher's subjects, ended together at stop. @internal */
export class DispatcherChannels {
  readonly drops = new Multicast<DropRecord>();
  readonly failures = new Subject<FailureRecord>();
  readonly telemetry = new Subject<DispatcherTelemetry>();
  /** The sequence number of the last telemetry record. */
  telemetrySeq = 0;
  /** Indexed by priority. */
  readonly batches = EVENT_PRIORITIES.map(() => new Subject<readonly Event[]>());
  readonly ingestErrors = new Subject<IngestError>();
  /** Emits once at stop and replays it, so monitoring subscribed after stop() ends at once too. */
  readonly stopped$ = new ReplaySubject<void>(1);

  /** Telemetry records carry the time on `scheduler` and the depth of their lane in `merge`. */
  constructor(
    private readonly scheduler: SchedulerLike,
    private readonly merge: PriorityMerge,
  ) {}

  /** Publishes a lane telemetry record (callers check `telemetry.observed` first). */
  laneTelemetry(kind: DispatcherTelemetryKind, lane: EventPriority, count: number): void {
    this.telemetry.next(laneRecord(kind, lane, count, this.scheduler.now(), this.merge.buffer(lane).size, ++this.telemetrySeq));
  }

  /** Publishes a change of the effective degradation level. */
  degradedTelemetry(level: DegradationLevel): void {
    this.telemetry.next(degradedRecord(level, this.scheduler.now(), ++this.telemetrySeq));
  }

  /** Signals the stop, then completes every stream. */
  complete(): void {
    this.stopped$.next();
    this.stopped$.complete();
    this.drops.complete();
    this.failures.complete();
    this.telemetry.complete();
    this.ingestErrors.complete();
    for (const subject of this.batches) subject.complete();
  }
}
