/**
 * {@link OperatingStateManager}: the imperative face of the operating state. Each call is one
 * reduction of the shared pure reducer, published by the shared {@link ReductionPublisher} on a
 * BehaviorSubject-backed state stream and plain streams.
 */
import { asyncScheduler, distinctUntilChanged, map, type Observable, type SchedulerLike } from 'rxjs';
import { instrument } from '../debug/instrument.js';
import { INSPECT_CUSTOM, inspectSummary } from '../debug/inspect.js';
import type { DeepPartial } from '../common/plain.js';
import type { SafetyState } from '../safety/state.js';
import { resolveStateConfig, type StateConfig } from './config.js';
import type {
  ManualOverride,
  OperatingState,
  OperatingStateSnapshot,
  PersistedOperatingState,
  StateTransition,
  TransitionMetrics,
} from './contracts.js';
import type { StateProperties } from './contracts.js';
import { STATE_PROPERTIES } from './properties.js';
import {
  createOperatingStateReducer,
  initialOperatingState,
  modelFromSnapshot,
  persistedSnapshotOf,
  type EvaluationRecord,
  type OperatingStateInput,
  type OperatingStateModel,
  type OperatingStateReducer,
  type StateTelemetry,
} from './reducer.js';
import { ReductionPublisher } from './publisher.js';
import { parseSnapshot } from './snapshot.js';

/** Options of {@link OperatingStateManager}. */
export interface OperatingStateManagerOptions {
  /** The clock of every timestamp (default `asyncScheduler`). */
  readonly scheduler?: SchedulerLike;
  /** A snapshot to resume from (a persisted one restores override, cooldown and confirmation too). */
  readonly initial?: OperatingStateSnapshot;
  /** Base name for the instrumentation hook (default `operatingState`). */
  readonly name?: string;
}

/**
 * Manages the operating state (AGGRESSIVE / BALANCED / DEFENSIVE): rules with hysteresis, cooldown
 * and confirmation, safety precedence, manual overrides, explained evaluations.
 *
 * @example
 * ```ts
 * const manager = new OperatingStateManager();           // BALANCED, clock starts now
 * manager.transitions$.subscribe((t) => log(t.reason));  // e.g. "BALANCED_TO_DEFENSIVE: vix 31.2 > 30"
 * manager.evaluateTransition(metrics, 'NORMAL');         // one evaluation cycle
 * manager.currentState;                                  // 'BALANCED'
 * ```
 */
export class OperatingStateManager {
  /** The resolved configuration. */
  readonly config: StateConfig;
  private readonly scheduler: SchedulerLike;
  private readonly reduce: OperatingStateReducer;
  private readonly outputs: ReductionPublisher;

  /** The current operating state now, then each change (BehaviorSubject-backed). */
  readonly state$: Observable<OperatingState>;
  /** Every transition, with its cause and reason. */
  readonly transitions$: Observable<StateTransition>;
  /** The explanation of every evaluation cycle. */
  readonly evaluations$: Observable<EvaluationRecord>;
  /** Plain frozen records: evaluated, transitioned, overridden, overrideCancelled, halted, released. */
  readonly telemetry$: Observable<StateTelemetry>;

  /**
   * @param config a full or partial configuration, deep-merged over `config/state.yaml`
   * @param options scheduler, initial snapshot and instrumentation name
   * @throws {SnapshotError} when `options.initial` is not a valid snapshot
   */
  constructor(config: DeepPartial<StateConfig> = {}, options: OperatingStateManagerOptions = {}) {
    this.config = resolveStateConfig(config);
    this.scheduler = options.scheduler ?? asyncScheduler;
    this.reduce = createOperatingStateReducer(this.config);
    const now = this.scheduler.now();
    const start =
      options.initial === undefined
        ? initialOperatingState(this.config.default, now)
        : modelFromSnapshot(parseSnapshot(options.initial, 'initial'), now);
    this.outputs = new ReductionPublisher(start);
    const name = options.name ?? 'operatingState';
    this.state$ = this.outputs.model$.pipe(
      map((m) => m.currentState),
      distinctUntilChanged(),
      instrument<OperatingState>(`${name}.state`),
    );
    this.transitions$ = this.outputs.transitions$.pipe(instrument<StateTransition>(`${name}.transitions`));
    this.evaluations$ = this.outputs.evaluations$.pipe(instrument<EvaluationRecord>(`${name}.evaluations`));
    this.telemetry$ = this.outputs.telemetry$.pipe(instrument<StateTelemetry>(`${name}.telemetry`));
  }

  /** The current operating state. */
  get currentState(): OperatingState {
    return this.outputs.current.currentState;
  }

  /** What the current state allows. */
  get properties(): StateProperties {
    return STATE_PROPERTIES[this.outputs.current.currentState];
  }

  /** True while safety is LOCKDOWN: no new entries, whatever the state says. */
  get tradingHalted(): boolean {
    return this.outputs.current.tradingHalted;
  }

  /**
   * Runs one evaluation cycle: safety first, then override expiry, then the rules through the
   * gates HYSTERESIS, COOLDOWN and CONFIRMING.
   * @param metrics this cycle's metrics
   * @param safety the safety state (default: the last one seen)
   * @return the new state if this cycle changed it, else null
   * @throws {MetricsError} or `SafetyStateError` on invalid input; nothing changes then
   */
  evaluateTransition(metrics: TransitionMetrics, safety?: SafetyState): OperatingState | null {
    const before = this.outputs.current.currentState;
    const next = this.step(safety === undefined ? { kind: 'EVALUATE', metrics } : { kind: 'EVALUATE', metrics, safety });
    return next.currentState !== before ? next.currentState : null;
  }

  /**
   * Feeds a safety change: FAIL moves to DEFENSIVE at once and cancels an override; LOCKDOWN
   * halts trading and keeps the state; leaving LOCKDOWN turns AGGRESSIVE into BALANCED.
   * @throws {SafetyStateError} for an unknown value; nothing changes then
   */
  updateSafety(safety: SafetyState): void {
    this.step({ kind: 'SAFETY', safety });
  }

  /**
   * Applies a manual override at once; rules do not run until it expires.
   * @throws {OverrideError} when it is malformed, longer than `override.maxDurationDays`, already
   * over, or safety is FAIL; nothing changes then
   */
  applyOverride(override: ManualOverride): void {
    this.step({ kind: 'OVERRIDE', override });
  }

  /** Reverts the active override to its `autoRevertState` if its expiry has come. */
  checkOverrideExpiry(): void {
    this.step({ kind: 'CHECK_EXPIRY' });
  }

  /**
   * The snapshot now. It carries every timer too (it is the persisted snapshot), so passing it back
   * as `initial` restores everything: an active override with its revert state and expiry, the
   * cooldown, a pending confirmation and the safety state.
   */
  getSnapshot(): OperatingStateSnapshot {
    return this.getPersistedSnapshot();
  }

  /** The snapshot with every timer (override, cooldown, confirmation, safety), for a store. */
  getPersistedSnapshot(): PersistedOperatingState {
    return persistedSnapshotOf(this.outputs.current, this.scheduler.now());
  }

  /** Same as {@link getPersistedSnapshot}, so `JSON.stringify(manager)` saves the state. */
  toJSON(): PersistedOperatingState {
    return this.getPersistedSnapshot();
  }

  /** Completes every stream of this manager. */
  dispose(): void {
    this.outputs.complete();
  }

  /** `util.inspect` / `console.log`: state, since when, override and halt, not the private fields. */
  [INSPECT_CUSTOM](): string {
    const m = this.outputs.current;
    const since = Number.isFinite(m.stateSince) ? new Date(m.stateSince).toISOString() : String(m.stateSince);
    const override = m.override === null ? 'no override' : `override until ${new Date(m.override.expiryTime).toISOString()}`;
    return inspectSummary('OperatingStateManager', `${m.currentState} since ${since}, ${override}${m.tradingHalted ? ', trading halted' : ''}`);
  }

  private step(input: OperatingStateInput): OperatingStateModel {
    const prev = this.outputs.current;
    const now = this.scheduler.now();
    const next = this.reduce(prev, input, now);
    this.outputs.publish(prev, next, now);
    return next;
  }
}
