/**
 * The Prometheus collector of an operating state: the current state, transitions by cause,
 * evaluations by gate, time in state, override and trading halt. Gauges are read on scrape; the
 * two counters follow `transitions$` and `evaluations$` (one count per cycle, not per event).
 */
import { asyncScheduler, type SchedulerLike, type Subscription } from 'rxjs';
import { Counter, Gauge, type Metric } from 'prom-client';
import { OperatingState, type OperatingStateSnapshot, type TransitionCause } from '../state/contracts.js';
import type { OperatingStateManager } from '../state/manager.js';
import type { OperatingStateStreams } from '../state/operatingState.js';
import type { EvaluationGate } from '../state/reducer.js';
import { registerAll, resolveCollectorOptions, type Collector, type CollectorOptions } from './common.js';

/** Options of {@link collectOperatingStateMetrics}. */
export interface StateCollectorOptions extends CollectorOptions {
  /**
   * The clock of the time in state for the reactive form (default `asyncScheduler`); a manager's
   * own clock is used for a manager.
   */
  readonly scheduler?: SchedulerLike;
}

const CAUSES: readonly TransitionCause[] = ['RULE', 'SAFETY', 'LOCKDOWN_RELEASE', 'OVERRIDE', 'EXPIRY'];
const GATES: readonly (EvaluationGate | 'none')[] = ['none', 'HYSTERESIS', 'COOLDOWN', 'CONFIRMING', 'OVERRIDE', 'LOCKDOWN'];
const OWN_LABELS = ['state', 'cause', 'gate'];

function isManager(source: OperatingStateManager | OperatingStateStreams): source is OperatingStateManager {
  return typeof (source as OperatingStateManager).getSnapshot === 'function';
}

/**
 * Registers the metrics of an operating state (default prefix `qts_`):
 *
 * | metric | type | what |
 * |---|---|---|
 * | `qts_operating_state{state}` | gauge | 1 for the current state (AGGRESSIVE, BALANCED, DEFENSIVE), 0 for the others |
 * | `qts_operating_state_transitions_total{cause}` | counter | transitions by cause (RULE, SAFETY, LOCKDOWN_RELEASE, OVERRIDE, EXPIRY) |
 * | `qts_operating_state_evaluations_total{gate}` | counter | evaluation cycles by the gate that held them back (`none` when none did) |
 * | `qts_operating_state_time_in_state_seconds` | gauge | time since the current state began |
 * | `qts_operating_state_override_active` | gauge | 1 while a manual override is active |
 * | `qts_operating_state_trading_halted` | gauge | 1 while safety LOCKDOWN halts trading |
 *
 * The counters count from the moment the collector is attached. For the reactive form
 * (`operatingState$(…)`) the collector subscribes to its `snapshot$`, `transitions$` and
 * `evaluations$`, which keeps its run going until `remove()`.
 *
 * @param source an {@link OperatingStateManager} or the streams of `operatingState$(…)`
 * @param options registry, name prefix, extra labels, clock of the reactive form
 * @return the collector (its `remove()` unregisters the metrics and unsubscribes)
 */
export function collectOperatingStateMetrics(source: OperatingStateManager | OperatingStateStreams, options: StateCollectorOptions = {}): Collector {
  const { registry, prefix, labels, labelNames } = resolveCollectorOptions(options, OWN_LABELS);
  const subscriptions: Subscription[] = [];
  const transitions = new Map<TransitionCause, number>(CAUSES.map((cause) => [cause, 0]));
  const evaluations = new Map<EvaluationGate | 'none', number>(GATES.map((gate) => [gate, 0]));
  subscriptions.push(source.transitions$.subscribe((t) => transitions.set(t.cause, (transitions.get(t.cause) ?? 0) + 1)));
  subscriptions.push(
    source.evaluations$.subscribe((e) => {
      const gate = e.gate ?? 'none';
      evaluations.set(gate, (evaluations.get(gate) ?? 0) + 1);
    }),
  );

  let latest: OperatingStateSnapshot | null = null;
  const scheduler = options.scheduler ?? asyncScheduler;
  let snapshot: () => OperatingStateSnapshot | null;
  let secondsInState: (current: OperatingStateSnapshot) => number;
  if (isManager(source)) {
    snapshot = () => source.getSnapshot();
    // Taken on the manager's own clock; rounded to the millisecond the clock counts in.
    secondsInState = (current) => Math.round(current.stateDurationDays * 86_400_000) / 1000;
  } else {
    subscriptions.push(source.snapshot$.subscribe((s) => (latest = s)));
    snapshot = () => latest;
    secondsInState = (current) => (scheduler.now() - (current.transitionTimestamp ?? scheduler.now())) / 1000;
  }

  const metrics: Metric[] = [
    new Gauge({
      name: `${prefix}operating_state`,
      help: '1 for the current operating state, 0 for the others.',
      labelNames: [...labelNames, 'state'],
      registers: [],
      collect() {
        const current = snapshot();
        if (current === null) return;
        for (const state of Object.values(OperatingState)) this.set({ ...labels, state }, Number(state === current.currentState));
      },
    }),
    new Counter({
      name: `${prefix}operating_state_transitions_total`,
      help: 'Operating-state transitions by cause, since the collector was attached.',
      labelNames: [...labelNames, 'cause'],
      registers: [],
      collect() {
        this.reset();
        for (const [cause, count] of transitions) this.inc({ ...labels, cause }, count);
      },
    }),
    new Counter({
      name: `${prefix}operating_state_evaluations_total`,
      help: 'Evaluation cycles by the gate that held them back (none: nothing held back), since the collector was attached.',
      labelNames: [...labelNames, 'gate'],
      registers: [],
      collect() {
        this.reset();
        for (const [gate, count] of evaluations) this.inc({ ...labels, gate }, count);
      },
    }),
    new Gauge({
      name: `${prefix}operating_state_time_in_state_seconds`,
      help: 'Seconds since the current operating state began.',
      labelNames: [...labelNames],
      registers: [],
      collect() {
        const current = snapshot();
        if (current === null) return;
        this.set({ ...labels }, Math.max(0, secondsInState(current)));
      },
    }),
    new Gauge({
      name: `${prefix}operating_state_override_active`,
      help: '1 while a manual override is active.',
      labelNames: [...labelNames],
      registers: [],
      collect() {
        const current = snapshot();
        if (current !== null) this.set({ ...labels }, Number(current.manualOverride));
      },
    }),
    new Gauge({
      name: `${prefix}operating_state_trading_halted`,
      help: '1 while safety LOCKDOWN halts trading.',
      labelNames: [...labelNames],
      registers: [],
      collect() {
        const current = snapshot();
        if (current !== null) this.set({ ...labels }, Number(current.tradingHalted));
      },
    }),
  ];
  return registerAll(registry, metrics, () => {
    for (const subscription of subscriptions) subscription.unsubscribe();
  });
}
