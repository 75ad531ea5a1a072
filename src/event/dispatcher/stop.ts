/**
 * The stop protocol: once `stop()` has refused new events, P0 is drained fully and P1–P3 until
 * `stopTimeoutMs`; at the timeout whatever P1–P3 still queue is reported as 'shutdown' drops and
 * their batches still in flight are given up. A lane nobody consumes cannot drain, so what it
 * holds is reported at once.
 */
import type { SchedulerLike, Subscription } from 'rxjs';
import { EVENT_PRIORITIES, type EventPriority } from '../contracts.js';
import type { PriorityMerge } from '../merge.js';
import { scheduleAfter } from '../../scheduling/timer.js';

/** P1–P3: drained until the stop timeout, then cleared (P0 is always drained fully). */
const TIMED_LANES: readonly EventPriority[] = EVENT_PRIORITIES.filter((priority) => priority !== 0);

/** What the stop protocol drives. @internal */
export interface StoppingDispatcher {
  readonly scheduler: SchedulerLike;
  readonly merge: PriorityMerge;
  readonly stopTimeoutMs: number;
  /** True while lane `priority` has a handler. */
  hasHandler(priority: EventPriority): boolean;
  /** Gives up every P1–P3 batch still in flight, reporting each. */
  abandonInFlight(): void;
  /** Everything that had to drain has: complete every stream. */
  finish(): void;
}

/**
 * One stop in progress: its timeout and the check, run after every slice and settle, of whether
 * the drain is done. @internal
 */
export class StopDrain {
  private timedOut = false;
  private finished = false;
  private abandoning = false;
  private readonly timer: Subscription;

  constructor(private readonly dispatcher: StoppingDispatcher) {
    this.timer = scheduleAfter(dispatcher.scheduler, dispatcher.stopTimeoutMs, () => this.timeOut());
  }

  /** Finishes the stop if every lane that must drain is idle. */
  check(): void {
    if (this.finished || this.abandoning) return;
    const { merge, scheduler } = this.dispatcher;
    const now = scheduler.now();
    for (const priority of EVENT_PRIORITIES) {
      // A lane nobody consumes cannot drain: what it holds is reported at once.
      if (!this.dispatcher.hasHandler(priority)) merge.buffer(priority).clear('shutdown', now);
    }
    if (!merge.isLaneIdle(0)) return;
    if (!this.timedOut && !TIMED_LANES.every((priority) => merge.isLaneIdle(priority))) return;
    this.finished = true;
    this.timer.unsubscribe();
    this.dispatcher.finish();
  }

  private timeOut(): void {
    this.timedOut = true;
    const now = this.dispatcher.scheduler.now();
    for (const priority of TIMED_LANES) this.dispatcher.merge.buffer(priority).clear('shutdown', now);
    // P1–P3 batches still in flight are given up (P0 is always waited for). The stop may not
    // complete (and close failures$) before every one of them has been reported.
    this.abandoning = true;
    this.dispatcher.abandonInFlight();
    this.abandoning = false;
    this.check();
  }
}
