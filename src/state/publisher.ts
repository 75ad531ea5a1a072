/**
 * {@link ReductionPublisher}: where a reduction of the operating state becomes visible. The
 * imperative {@link OperatingStateManager} and the reactive `operatingState$` both publish through
 * it, so a reduction reaches subscribers in the same order from either: the model first, then the
 * evaluation, the transitions and the telemetry.
 */
import { BehaviorSubject, Subject, type Observable } from 'rxjs';
import type { StateTransition } from './contracts.js';
import { telemetryOf, type EvaluationRecord, type OperatingStateModel, type StateTelemetry } from './reducer.js';

/**
 * The outputs of one operating state: the model (held, so it can be read at any time) and the
 * evaluations, transitions and telemetry of each reduction.
 * @internal
 */
export class ReductionPublisher {
  private readonly model: BehaviorSubject<OperatingStateModel>;
  private readonly transitionsSubject = new Subject<StateTransition>();
  private readonly evaluationsSubject = new Subject<EvaluationRecord>();
  private readonly telemetrySubject = new Subject<StateTelemetry>();

  // The subjects themselves are handed out (typed read-only), not `asObservable()` wrappers: a
  // debugger such as rxjs-spy shows them as the BehaviorSubject and the Subjects they are.
  /** The current model on subscription, then each one published; completes at {@link complete}. */
  readonly model$: Observable<OperatingStateModel>;
  /** Every transition of every reduction. */
  readonly transitions$: Observable<StateTransition> = this.transitionsSubject;
  /** The explanation of every evaluation cycle. */
  readonly evaluations$: Observable<EvaluationRecord> = this.evaluationsSubject;
  /** The telemetry records of every reduction. */
  readonly telemetry$: Observable<StateTelemetry> = this.telemetrySubject;

  /** @param initial the model before the first reduction */
  constructor(initial: OperatingStateModel) {
    this.model = new BehaviorSubject(initial);
    this.model$ = this.model;
  }

  /** The model now. */
  get current(): OperatingStateModel {
    return this.model.value;
  }

  /**
   * Publishes the reduction from `prev` to `next`, made at `now`. A reduction that returned its
   * input unchanged publishes nothing.
   */
  publish(prev: OperatingStateModel, next: OperatingStateModel, now: number): void {
    if (next === prev) return;
    this.model.next(next);
    if (next.evaluation !== null) this.evaluationsSubject.next(next.evaluation);
    for (const t of next.transitions) this.transitionsSubject.next(t);
    for (const record of telemetryOf(prev, next, now)) this.telemetrySubject.next(record);
  }

  /** Completes every output; {@link current} keeps the last model. */
  complete(): void {
    this.model.complete();
    this.transitionsSubject.complete();
    this.evaluationsSubject.complete();
    this.telemetrySubject.complete();
  }
}
