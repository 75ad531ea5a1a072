/**
 * The scheduler the priority merge yields through between drain slices.
 *
 * Zero-delay actions run on `setImmediate`: an unclamped macrotask, so timers and I/O (a P0 fill
 * arriving from the broker socket) get in between two slices, which neither `asyncScheduler`
 * (clamped to ≥ 1 ms) nor `asapScheduler` (microtasks, which starve I/O) allows. Delayed actions
 * and `now()` stay those of the injected scheduler, and under a virtual clock everything goes
 * through it, so marble tests keep driving the merge.
 */
import { Subscription, VirtualTimeScheduler, type SchedulerAction, type SchedulerLike } from 'rxjs';

/**
 * A clock reading below this (1973-03-03 in epoch ms) cannot be wall-clock time: it is a virtual
 * clock counting from 0, e.g. `asyncScheduler` while `TestScheduler.run` has patched it.
 */
const EARLIEST_REAL_EPOCH_MS = 1e11;

/** A {@link SchedulerLike} that also says whether its time is virtual and gives a fine clock for slice budgets. */
export interface YieldScheduler extends SchedulerLike {
  /** The injected scheduler, which owns `now()` and every delayed action. */
  readonly base: SchedulerLike;
  /** True when the injected clock is virtual (a `VirtualTimeScheduler`, or a clock that reads before 1973). */
  isVirtual(): boolean;
  /**
   * A sub-millisecond clock for measuring how long a slice has run: `performance.now()` on a real
   * clock, the injected `now()` under a virtual one (where synchronous work takes no time).
   */
  elapsedNow(): number;
  /**
   * `performance.now()`, without deciding again whether the clock is virtual: for a caller that
   * already knows it is real (the merge decides once per slice, then checks its budget often).
   */
  realElapsedNow(): number;
}

/** True when `scheduler`'s clock is virtual rather than wall-clock time. */
export function isVirtualScheduler(scheduler: SchedulerLike): boolean {
  return scheduler instanceof VirtualTimeScheduler || scheduler.now() < EARLIEST_REAL_EPOCH_MS;
}

class YieldAction<T> extends Subscription implements SchedulerAction<T> {
  private immediate: ReturnType<typeof setImmediate> | undefined = undefined;
  private delegated: Subscription | undefined = undefined;

  constructor(
    private readonly owner: YieldSchedulerImpl,
    private readonly work: (this: SchedulerAction<T>, state?: T) => void,
  ) {
    super();
    this.add(() => this.cancelPending());
  }

  schedule(state?: T, delay = 0): Subscription {
    if (this.closed) return this;
    this.cancelPending();
    if (delay > 0 || this.owner.isVirtual()) {
      this.delegated = this.owner.base.schedule(() => this.execute(state), delay);
    } else {
      this.immediate = setImmediate(() => this.execute(state));
    }
    return this;
  }

  private execute(state: T | undefined): void {
    this.immediate = undefined;
    this.delegated = undefined;
    if (this.closed) return;
    this.work.call(this, state);
  }

  private cancelPending(): void {
    if (this.immediate !== undefined) {
      clearImmediate(this.immediate);
      this.immediate = undefined;
    }
    if (this.delegated !== undefined) {
      this.delegated.unsubscribe();
      this.delegated = undefined;
    }
  }
}

class YieldSchedulerImpl implements YieldScheduler {
  constructor(readonly base: SchedulerLike) {}

  now(): number {
    return this.base.now();
  }

  isVirtual(): boolean {
    return isVirtualScheduler(this.base);
  }

  elapsedNow(): number {
    return this.isVirtual() ? this.base.now() : performance.now();
  }

  realElapsedNow(): number {
    return performance.now();
  }

  schedule<T>(work: (this: SchedulerAction<T>, state?: T) => void, delay = 0, state?: T): Subscription {
    return new YieldAction<T>(this, work).schedule(state, delay);
  }
}

/**
 * Wraps `base` so that zero-delay actions run on `setImmediate` on a real clock, while `now()`,
 * delayed actions and — under a virtual clock — every action stay `base`'s.
 *
 * @example
 * ```ts
 * const yielder = createYieldScheduler(asyncScheduler);
 * yielder.schedule(() => drainNextSlice());      // runs on setImmediate, after pending I/O
 * yielder.schedule(() => flushBatch(), 10);      // runs on asyncScheduler after 10 ms
 * ```
 * @param base the injected scheduler (default time source of the library)
 * @return a scheduler fit for yielding between short drain slices
 */
export function createYieldScheduler(base: SchedulerLike): YieldScheduler {
  return new YieldSchedulerImpl(base);
}
