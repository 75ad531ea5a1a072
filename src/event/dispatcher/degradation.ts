/**
 * The dispatcher's degradation: a manual level and a safety-driven one (from `safety$` through
 * `SAFETY_TO_DEGRADATION`); the effective level is the more severe of the two.
 */
import { BehaviorSubject, type Observable, type Subscription } from 'rxjs';
import { DEGRADATION_SEVERITY, DegradationLevel, SAFETY_TO_DEGRADATION } from '../contracts.js';
import { SafetyStateError, isSafetyState, type SafetyState } from '../../safety/state.js';

/**
 * The two levels and the effective one. `applied` runs after every change of either level, told
 * whether the effective level changed (it has already been published on `level$`). @internal
 */
export class Degradation {
  /** The effective level; replays the current one. */
  readonly level$ = new BehaviorSubject<DegradationLevel>(DegradationLevel.NORMAL);
  private manual: DegradationLevel = DegradationLevel.NORMAL;
  private safety: DegradationLevel = DegradationLevel.NORMAL;
  private safetySubscription: Subscription | null = null;

  constructor(private readonly applied: (changed: boolean) => void) {}

  /** The effective level. */
  get level(): DegradationLevel {
    return this.level$.value;
  }

  /** Sets the manual level (a valid DegradationLevel). */
  setManual(level: DegradationLevel): void {
    this.manual = level;
    this.apply();
  }

  /**
   * Follows `safety$`. A value that is not a safety state is reported to `refused` and the level
   * stays at the last valid state's; so it does after an error of `safety$`.
   */
  follow(safety$: Observable<SafetyState>, refused: (value: unknown, error: unknown) => void): void {
    this.safetySubscription = safety$.subscribe({
      next: (state) => {
        if (!isSafetyState(state)) {
          // Not a safety state: reported, and the level stays at the last valid state's.
          refused(state, new SafetyStateError(state));
          return;
        }
        this.safety = SAFETY_TO_DEGRADATION[state];
        this.apply();
      },
      // A failed safety feed must not take the dispatcher down: the last level holds.
      error: (error: unknown) => refused(undefined, error),
    });
  }

  /** Stops following `safety$`. */
  stopFollowing(): void {
    this.safetySubscription?.unsubscribe();
    this.safetySubscription = null;
  }

  private apply(): void {
    const level = DEGRADATION_SEVERITY[this.safety] > DEGRADATION_SEVERITY[this.manual] ? this.safety : this.manual;
    const changed = level !== this.level$.value;
    if (changed) this.level$.next(level);
    this.applied(changed);
  }
}
