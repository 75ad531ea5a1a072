/**
 * The reactive form of the operating state: metric, safety and override streams scan-reduced by
 * the shared pure reducer and published by the shared {@link ReductionPublisher}; one run of the
 * inputs is shared (`share()`) by every subscriber of every output.
 */
import {
  asyncScheduler,
  catchError,
  defer,
  distinctUntilChanged,
  EMPTY,
  filter,
  map,
  merge,
  Observable,
  of,
  scan,
  share,
  Subject,
  type Subscription,
  takeUntil,
  tap,
  type SchedulerLike,
} from 'rxjs';
import { instrument } from '../debug/instrument.js';
import { scheduleAfter } from '../scheduling/timer.js';
import type { DeepPartial } from '../common/plain.js';
import type { SafetyState } from '../safety/state.js';
import { resolveStateConfig, type StateConfig } from './config.js';
import type { ManualOverride, OperatingState, OperatingStateSnapshot, StateTransition, TransitionMetrics } from './contracts.js';
import {
  createOperatingStateReducer,
  initialOperatingState,
  modelFromSnapshot,
  snapshotOf,
  type EvaluationRecord,
  type OperatingStateInput,
  type OperatingStateModel,
  type StateTelemetry,
} from './reducer.js';
import { ReductionPublisher } from './publisher.js';
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

/** Every option of {@link operatingState$} in one object (its second argument). */
export interface OperatingStateSetup extends OperatingStateOptions {
  /** A full or partial configuration, deep-merged over the defaults. */
  readonly config?: DeepPartial<StateConfig>;
  /** The clock of every timestamp, cycle and expiry (default `asyncScheduler`). */
  readonly scheduler?: SchedulerLike;
}

/** An Observable that also holds its current value, as a `BehaviorSubject` does (read-only). */
export interface ObservableValue<T> extends Observable<T> {
  /** The current value. */
  getValue(): T;
  /** The current value. */
  readonly value: T;
}

/** The outputs of {@link operatingState$}. They share one run of the inputs. */
export interface OperatingStateStreams {
  /**
   * The current state on subscription, then each change. It holds its value for late
   * subscribers and after the last unsubscription (`getValue()`), until the handle is stopped.
   */
  readonly state$: ObservableValue<OperatingState>;
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
  /** Ends the run: inputs unsubscribed, timers cancelled, every output completed. The state keeps its last value. */
  stop(): void;
}

const SETUP_KEYS: ReadonlySet<string> = new Set(['config', 'scheduler', 'initial', 'name']);

/** True when the second argument is the options-object form (`{ config, scheduler, initial, name }`). */
function isSetup(value: unknown): value is OperatingStateSetup {
  return typeof value === 'object' && value !== null && Object.keys(value).some((key) => SETUP_KEYS.has(key));
}

/**
 * Emits the latest value of `source` once per cycle, only when a fresh one arrived: a cycle
 * boundary falls every `cycleMs` from `phaseAt`, and a timer is armed only while a value is
 * pending (never a periodic one, so a virtual clock with silent inputs has nothing left to run).
 * A pending value is dropped when the source completes, as `sample` does.
 */
function samplePerCycle<T>(source: Observable<T>, cycleMs: number, scheduler: SchedulerLike, phaseAt: number): Observable<T> {
  return new Observable<T>((subscriber) => {
    let latest: T | undefined;
    let timer: Subscription | null = null;
    const fire = (): void => {
      timer = null;
      subscriber.next(latest as T);
    };
    const subscription = source.subscribe({
      next: (value) => {
        latest = value;
        if (timer !== null) return;
        const now = scheduler.now();
        // A value arriving on a boundary is evaluated there (after it, in the same instant); the
        // run's own start is not a boundary: the first falls one cycle later.
        const nextBoundary = phaseAt + Math.max(1, Math.ceil((now - phaseAt) / cycleMs)) * cycleMs;
        timer = scheduleAfter(scheduler, nextBoundary - now, fire);
      },
      error: (error: unknown) => subscriber.error(error),
      complete: () => subscriber.complete(),
    });
    return () => {
      subscription.unsubscribe();
      timer?.unsubscribe();
    };
  });
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
 * completed (and no override is waiting to expire) the outputs complete. The state is a value:
 * it survives the last unsubscription (`state$.getValue()`, and a later subscription resumes from
 * it) until `stop()`. Nothing periodic is scheduled: a cycle timer runs only while fresh metrics
 * are pending and an expiry timer only while an override is active, so a `TestScheduler.run`
 * with never-completing, silent inputs ends. Persist snapshots with a `StateStore` to survive restarts.
 *
 * ```
 * metrics$ : -a-b---c--------|     (one cycle every 6 frames)
 * cycles   : ------x-----x-----
 * evaluated: ------b-----c---|     (a is superseded by b; the last metrics win)
 * ```
 *
 * @example
 * ```ts
 * const op = operatingState$({ metrics$, safety$, overrides$ }, { config: { cycleMinutes: 60 }, scheduler });
 * op.state$.subscribe((s) => setRiskMode(s));
 * op.evaluations$.subscribe((e) => log(e.rule, e.gate));
 * op.state$.getValue(); // the current state, subscribed or not
 * op.stop();
 * ```
 * @param inputs metrics, safety and (optional) override streams
 * @param setup `{ config, scheduler, initial, name }`; or, positionally, the configuration followed
 *   by the scheduler and `{ initial, name }`
 * @return the shared output streams and `stop()`
 */
export function operatingState$(inputs: OperatingStateInputs, setup?: OperatingStateSetup): OperatingStateStreams;
/**
 * The positional form: `config` (a full or partial configuration), the `scheduler` of every
 * timestamp, cycle and expiry (default `asyncScheduler`), and `options` (initial snapshot, name).
 */
export function operatingState$(
  inputs: OperatingStateInputs,
  config?: DeepPartial<StateConfig>,
  scheduler?: SchedulerLike,
  options?: OperatingStateOptions,
): OperatingStateStreams;
export function operatingState$(
  inputs: OperatingStateInputs,
  configOrSetup: DeepPartial<StateConfig> | OperatingStateSetup = {},
  positionalScheduler: SchedulerLike = asyncScheduler,
  positionalOptions: OperatingStateOptions = {},
): OperatingStateStreams {
  const setup: OperatingStateSetup = isSetup(configOrSetup)
    ? configOrSetup
    : { config: configOrSetup, scheduler: positionalScheduler, ...positionalOptions };
  const scheduler = setup.scheduler ?? asyncScheduler;
  const options: OperatingStateOptions = setup;
  const resolved = resolveStateConfig(setup.config ?? {});
  const reduce = createOperatingStateReducer(resolved);
  const initialSnapshot = options.initial === undefined ? undefined : parseSnapshot(options.initial, 'initial');
  const cycleMs = resolved.cycleMinutes * 60_000;
  const name = options.name ?? 'operatingState';

  // The state is the handle's, not a run's: it outlives every subscription until stop().
  const outputs = new ReductionPublisher(
    initialSnapshot === undefined ? initialOperatingState(resolved.default, scheduler.now()) : modelFromSnapshot(initialSnapshot, scheduler.now()),
  );
  const errors = new Subject<Error>();
  const stopped = new Subject<void>();
  let finished = false;

  /** Ends the run of the inputs and completes every output; the state keeps its last value. */
  function finish(): void {
    if (finished) return;
    finished = true;
    stopped.next();
    outputs.complete();
    errors.complete();
  }

  /** Puts an input's error or an invalid value on errors$; as a `catchError` handler it ends that input alone. */
  const report = (error: unknown): Observable<never> => {
    errors.next(error instanceof Error ? error : new Error(String(error)));
    return EMPTY;
  };

  /**
   * One run of the inputs: subscribing it subscribes the inputs and publishes each reduction;
   * unsubscribing it unsubscribes them and cancels the expiry timer. It emits nothing itself. It
   * ends the handle when every input has completed and no override is waiting to expire.
   */
  function runInputs(): Observable<never> {
    return new Observable<never>(() => {
      const expiry = new Subject<OperatingStateInput>();
      let timer: Subscription | null = null;
      let timerFor: number | null = null;
      let inputsDone = false;
      let ended = false;

      const completeIfIdle = (): void => {
        if (inputsDone && timer === null) finish();
      };

      /** Arms the expiry timer only while an override is active (an expired one fires at once). */
      const scheduleExpiry = (state: OperatingStateModel): void => {
        if (ended) return;
        const expiryTime = state.override?.expiryTime ?? null;
        if (expiryTime === timerFor) return;
        timer?.unsubscribe();
        timer = null;
        timerFor = expiryTime;
        if (expiryTime === null) return;
        timer = scheduleAfter(scheduler, expiryTime - scheduler.now(), () => {
          timer = null;
          timerFor = null;
          expiry.next({ kind: 'CHECK_EXPIRY' });
          completeIfIdle();
        });
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
      const cycles$ = samplePerCycle(validMetrics$, cycleMs, scheduler, scheduler.now()).pipe(
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
            inputsDone = true;
            completeIfIdle();
          },
        }),
      );
      const seed: Step = { prev: outputs.current, next: outputs.current, now: scheduler.now() };
      const subscription = merge(external$, expiry)
        .pipe(
          scan((step: Step, input: OperatingStateInput): Step => {
            const now = scheduler.now();
            try {
              return { prev: step.next, next: reduce(step.next, input, now), now };
            } catch (error) {
              errors.next(error as Error);
              return { prev: step.next, next: step.next, now };
            }
          }, seed),
          filter((step) => step.next !== step.prev),
        )
        .subscribe(({ prev, next, now }) => {
          outputs.publish(prev, next, now);
          scheduleExpiry(next);
          completeIfIdle();
        });
      scheduleExpiry(outputs.current);
      return () => {
        ended = true;
        timer?.unsubscribe();
        timer = null;
        subscription.unsubscribe();
      };
    });
  }

  // One run of the inputs for every subscriber of every output, from the first to the last. With
  // no subscriber left the run ends and the inputs rest (resetOnRefCountZero); the next subscriber
  // starts a new run from the state held. A run completes only when the handle ends (stop(), or
  // every input done), and the handle does not start again. Input errors go to errors$, so a run
  // never errors.
  const run$ = defer(() => (finished ? EMPTY : runInputs())).pipe(
    takeUntil(stopped),
    share<never>({ resetOnRefCountZero: true, resetOnComplete: false, resetOnError: false }),
  );

  /** An output stream: `source` (chosen at subscription), with the shared run subscribed beside it. */
  const output = <T>(source: () => Observable<T>, streamName: string): Observable<T> =>
    merge(defer(source), run$).pipe(instrument<T>(`${name}.${streamName}`));

  /** The model as a stream: replayed while running, and once more (then complete) after the end. */
  const model$ = (): Observable<OperatingStateModel> => (finished ? of(outputs.current) : outputs.model$);

  const state$ = output(
    () =>
      model$().pipe(
        map((m) => m.currentState),
        distinctUntilChanged(),
      ),
    'state',
  );
  const currentState = (): OperatingState => outputs.current.currentState;
  return {
    state$: Object.defineProperties(state$, {
      getValue: { value: currentState },
      value: { get: currentState },
    }) as ObservableValue<OperatingState>,
    snapshot$: output(() => model$().pipe(map((m) => snapshotOf(m, scheduler.now()))), 'snapshot'),
    transitions$: output(() => outputs.transitions$, 'transitions'),
    evaluations$: output(() => outputs.evaluations$, 'evaluations'),
    telemetry$: output(() => outputs.telemetry$, 'telemetry'),
    errors$: output(() => errors, 'errors'),
    stop: finish,
  };
}
