/**
 * The reactive form of the operating state: metric, safety and override streams scan-reduced by
 * the shared pure reducer into a BehaviorSubject.
 */
import {
  asyncScheduler,
  BehaviorSubject,
  catchError,
  distinctUntilChanged,
  EMPTY,
  filter,
  interval,
  map,
  merge,
  Observable,
  sample,
  scan,
  Subject,
  Subscription,
  tap,
  type SchedulerLike,
} from 'rxjs';
import { instrument } from '../debug/instrument.js';
import type { DeepPartial } from '../event/config.js';
import type { SafetyState } from '../safety/state.js';
import { resolveStateConfig, type StateConfig } from './config.js';
import type { ManualOverride, OperatingState, OperatingStateSnapshot, StateTransition, TransitionMetrics } from './contracts.js';
import {
  createOperatingStateReducer,
  initialOperatingState,
  modelFromSnapshot,
  snapshotOf,
  telemetryOf,
  type EvaluationRecord,
  type OperatingStateInput,
  type OperatingStateModel,
  type StateTelemetry,
} from './reducer.js';
import { parseTransitionMetrics } from './rules.js';
import { parseSnapshot } from './snapshot.js';

/** The streams that drive the operating state. */
export interface OperatingStateInputs {
  /** Metrics as they come; debounced to the latest and evaluated once per cycle. */
  readonly metrics$: Observable<TransitionMetrics>;
  /** The safety system's state; every value is applied at once. */
  readonly safety$: Observable<SafetyState>;
  /** Manual overrides, applied at once. */
  readonly overrides$?: Observable<ManualOverride>;
}

/** Extra options of {@link operatingState$}. */
export interface OperatingStateOptions {
  /** A snapshot to resume from (a persisted one restores every timer). */
  readonly initial?: OperatingStateSnapshot;
  /** Base name for the instrumentation hook (default `operatingState`). */
  readonly name?: string;
}

/** The outputs of {@link operatingState$}. They share one run of the inputs. */
export interface OperatingStateStreams {
  /** The current state on subscription, then each change. */
  readonly state$: Observable<OperatingState>;
  /** The current snapshot on subscription, then one per reduction that changed something. */
  readonly snapshot$: Observable<OperatingStateSnapshot>;
  /** Every transition, with cause and reason. */
  readonly transitions$: Observable<StateTransition>;
  /** The explanation of every evaluation cycle. */
  readonly evaluations$: Observable<EvaluationRecord>;
  /** Plain frozen records for logs and debuggers. */
  readonly telemetry$: Observable<StateTelemetry>;
  /** Invalid input (metrics, safety values, overrides) and input stream errors; the state keeps running. */
  readonly errors$: Observable<Error>;
}

interface Step {
  readonly prev: OperatingStateModel;
  readonly next: OperatingStateModel;
  readonly now: number;
}

/**
 * Runs the operating state as streams: safety values and overrides apply at once, metrics are
 * debounced to the latest and evaluated once per `cycleMinutes`, and an active override is
 * reverted by a scheduler timer at its expiry. Invalid input goes to `errors$`; the state stream
 * keeps running. The inputs are subscribed while any output is subscribed; when all inputs have
 * completed (and no override is waiting to expire) the outputs complete. When the last output is
 * unsubscribed the run ends, and a later subscription starts a fresh run from `options.initial`
 * (or the configured default): keep one subscription for the process's lifetime (or use
 * `OperatingStateManager`), and persist snapshots with a `StateStore` to survive restarts.
 *
 * ```
 * metrics$ : -a-b---c--------|     (one cycle every 6 frames)
 * cycles   : ------x-----x-----
 * evaluated: ------b-----c---|     (a is superseded by b; the last metrics win)
 * ```
 *
 * @example
 * ```ts
 * const op = operatingState$({ metrics$, safety$, overrides$ }, { cycleMinutes: 60 });
 * op.state$.subscribe((s) => setRiskMode(s));
 * op.evaluations$.subscribe((e) => log(e.rule, e.gate));
 * ```
 * @param inputs metrics, safety and (optional) override streams
 * @param config a full or partial configuration, deep-merged over the defaults
 * @param scheduler the clock of every timestamp, cycle and expiry (default `asyncScheduler`)
 * @param options initial snapshot and instrumentation name
 * @return the shared output streams
 */
export function operatingState$(
  inputs: OperatingStateInputs,
  config: DeepPartial<StateConfig> = {},
  scheduler: SchedulerLike = asyncScheduler,
  options: OperatingStateOptions = {},
): OperatingStateStreams {
  const resolved = resolveStateConfig(config);
  const reduce = createOperatingStateReducer(resolved);
  const initialSnapshot = options.initial === undefined ? undefined : parseSnapshot(options.initial, 'initial');
  const cycleMs = resolved.cycleMinutes * 60_000;
  const name = options.name ?? 'operatingState';

  let run: Run | null = null;
  let subscribers = 0;

  class Run {
    readonly model: BehaviorSubject<OperatingStateModel>;
    readonly transitions = new Subject<StateTransition>();
    readonly evaluations = new Subject<EvaluationRecord>();
    readonly telemetry = new Subject<StateTelemetry>();
    readonly errors = new Subject<Error>();
    private readonly expiry = new Subject<OperatingStateInput>();
    private readonly subscription = new Subscription();
    private timer: Subscription | null = null;
    private timerFor: number | null = null;
    private inputsDone = false;
    private started = false;

    constructor() {
      const now = scheduler.now();
      this.model = new BehaviorSubject(
        initialSnapshot === undefined ? initialOperatingState(resolved.default, now) : modelFromSnapshot(initialSnapshot, now),
      );
    }

    start(): void {
      if (this.started) return;
      this.started = true;
      const report = (error: unknown): Observable<never> => {
        this.errors.next(error instanceof Error ? error : new Error(String(error)));
        return EMPTY;
      };
      const validMetrics$ = inputs.metrics$.pipe(
        catchError(report),
        filter((metrics) => {
          try {
            parseTransitionMetrics(metrics);
            return true;
          } catch (error) {
            report(error);
            return false;
          }
        }),
      );
      const cycles$ = validMetrics$.pipe(
        sample(interval(cycleMs, scheduler)),
        map((metrics): OperatingStateInput => ({ kind: 'EVALUATE', metrics })),
      );
      const safety$ = inputs.safety$.pipe(
        catchError(report),
        map((safety): OperatingStateInput => ({ kind: 'SAFETY', safety })),
      );
      const overrides$ = (inputs.overrides$ ?? EMPTY).pipe(
        catchError(report),
        map((override): OperatingStateInput => ({ kind: 'OVERRIDE', override })),
      );
      // The expiry Subject never completes, so the external inputs' completion is watched on its own.
      const external$ = merge(cycles$, safety$, overrides$).pipe(
        tap({
          complete: () => {
            this.inputsDone = true;
            this.completeIfIdle();
          },
        }),
      );
      const seed: Step = { prev: this.model.value, next: this.model.value, now: scheduler.now() };
      this.subscription.add(
        merge(external$, this.expiry)
          .pipe(
            scan((step: Step, input: OperatingStateInput): Step => {
              const now = scheduler.now();
              try {
                return { prev: step.next, next: reduce(step.next, input, now), now };
              } catch (error) {
                this.errors.next(error as Error);
                return { prev: step.next, next: step.next, now };
              }
            }, seed),
            filter((step) => step.next !== step.prev),
          )
          .subscribe((step) => this.publish(step)),
      );
      this.scheduleExpiry(this.model.value);
    }

    private publish(step: Step): void {
      const { prev, next, now } = step;
      this.model.next(next);
      if (next.evaluation !== null) this.evaluations.next(next.evaluation);
      for (const t of next.transitions) this.transitions.next(t);
      for (const record of telemetryOf(prev, next, now)) this.telemetry.next(record);
      this.scheduleExpiry(next);
      this.completeIfIdle();
    }

    private scheduleExpiry(model: OperatingStateModel): void {
      const expiry = model.override?.expiryTime ?? null;
      if (expiry === this.timerFor) return;
      this.timer?.unsubscribe();
      this.timer = null;
      this.timerFor = expiry;
      if (expiry === null) return;
      this.timer = scheduler.schedule(() => {
        this.timer = null;
        this.timerFor = null;
        this.expiry.next({ kind: 'CHECK_EXPIRY' });
        this.completeIfIdle();
      }, Math.max(0, expiry - scheduler.now()));
    }

    private completeIfIdle(): void {
      if (!this.inputsDone || this.timer !== null) return;
      this.stop();
      this.model.complete();
      this.transitions.complete();
      this.evaluations.complete();
      this.telemetry.complete();
      this.errors.complete();
    }

    stop(): void {
      this.timer?.unsubscribe();
      this.timer = null;
      this.subscription.unsubscribe();
    }
  }

  function attach<T>(select: (r: Run) => Observable<T>, streamName: string): Observable<T> {
    const attached = new Observable<T>((subscriber) => {
      const current = run ?? (run = new Run());
      subscribers += 1;
      const inner = select(current).subscribe(subscriber);
      current.start();
      return () => {
        inner.unsubscribe();
        subscribers -= 1;
        if (subscribers === 0 && run === current) {
          current.stop();
          run = null;
        }
      };
    });
    return attached.pipe(instrument<T>(`${name}.${streamName}`));
  }

  return {
    state$: attach(
      (r) =>
        r.model.pipe(
          map((m) => m.currentState),
          distinctUntilChanged(),
        ),
      'state',
    ),
    snapshot$: attach((r) => r.model.pipe(map((m) => snapshotOf(m, scheduler.now()))), 'snapshot'),
    transitions$: attach((r) => r.transitions, 'transitions'),
    evaluations$: attach((r) => r.evaluations, 'evaluations'),
    telemetry$: attach((r) => r.telemetry, 'telemetry'),
    errors$: attach((r) => r.errors, 'errors'),
  };
}
