import { describe, expect, it } from 'vitest';
import {
  createOperatingStateReducer,
  initialOperatingState,
  MetricsError,
  OverrideError,
  resolveStateConfig,
  SafetyStateError,
  type DeepPartial,
  type EvaluationGate,
  type EvaluationRecord,
  type ManualOverride,
  type OperatingState,
  type OperatingStateInput,
  type OperatingStateModel,
  type PendingConfirmation,
  type SafetyState,
  type StateConfig,
  type TransitionCause,
  type TransitionMetrics,
} from '../../src/index.js';
import { BULL, CALM, DAY, HOUR, m, override, reduceEach, STRESS } from './fixtures.js';

/**
 * The operating-state reducer, scenario by scenario: each row gives a model and a configuration,
 * the inputs (each at its time) and the model after the last one. The whole model is compared:
 * a field a row does not name must be what it was in `given` (with no transitions and no
 * evaluation), and the evaluation is compared whole except its conditions, which must be the
 * conditions of the rule that decided (the conditions themselves are tested in rules.test.ts,
 * and one record is compared with them below).
 */

const T0 = 1_000 * DAY;

// Default configuration: minimum time in BALANCED 5 days, AGGRESSIVE 7, DEFENSIVE 3; the rule
// DEFENSIVE → BALANCED needs 5 days and BALANCED → AGGRESSIVE 10; cooldown 24 h; 2 confirming cycles.
const ONE_CYCLE = { confirmationCycles: 1 } as const;
const NO_HYSTERESIS = {
  hysteresis: { aggressive: { minDurationDays: 0 }, balanced: { minDurationDays: 0 }, defensive: { minDurationDays: 0 } },
} as const;

/** A model in `state` since T0, no transition yet, with `fields` replaced. */
const model = (state: OperatingState, fields: Partial<OperatingStateModel> = {}): OperatingStateModel => ({
  ...initialOperatingState(state, T0),
  ...fields,
});
/** A model in `state` for 30 days (no minimum time holds it back), with `fields` replaced. */
const settled = (state: OperatingState, fields: Partial<OperatingStateModel> = {}): OperatingStateModel =>
  model(state, { stateSince: T0 - 30 * DAY, ...fields });

const evaluate = (metrics: TransitionMetrics = CALM, safety?: SafetyState): OperatingStateInput =>
  safety === undefined ? { kind: 'EVALUATE', metrics } : { kind: 'EVALUATE', metrics, safety };
const safety = (value: SafetyState): OperatingStateInput => ({ kind: 'SAFETY', safety: value });
const apply = (o: ManualOverride): OperatingStateInput => ({ kind: 'OVERRIDE', override: o });
const CHECK_EXPIRY: OperatingStateInput = { kind: 'CHECK_EXPIRY' };
const pending = (target: OperatingState, count: number): PendingConfirmation => ({ target, count });

/** The fields a transition sets, and the transition itself. */
function moved(from: OperatingState, to: OperatingState, at: number, cause: TransitionCause, reason: string): Partial<Omit<OperatingStateModel, 'evaluation'>> {
  return {
    currentState: to,
    previousState: from,
    stateSince: at,
    lastTransitionAt: at,
    transitionReason: reason,
    pending: null,
    transitions: [{ from, to, at, cause, reason }],
  };
}

/**
 * An evaluation as a row states it. `checks` are the rules checked in order, the one that fired
 * marked ` fired`; the rule that decided is the last one checked. Unstated: nothing proposed, no
 * gate, 0 confirmations, safety NORMAL.
 */
interface Explanation {
  readonly at: number;
  readonly state: OperatingState;
  readonly checks: readonly string[];
  readonly proposed?: OperatingState;
  readonly gate?: EvaluationGate;
  readonly confirmations?: number;
  readonly safety?: SafetyState;
}

type Expected = Partial<Omit<OperatingStateModel, 'evaluation'>> & { readonly evaluation?: Explanation };

interface Scenario {
  readonly name: string;
  /** Deep-merged over the default configuration. */
  readonly config?: DeepPartial<StateConfig>;
  readonly given: OperatingStateModel;
  readonly inputs: readonly (readonly [at: number, input: OperatingStateInput])[];
  /** The model after the last input, as its differences from `given`. */
  readonly expected: Expected;
}

function explained(e: Explanation) {
  return {
    at: e.at,
    state: e.state,
    rule: e.checks[e.checks.length - 1]!.replace(' fired', ''),
    checks: e.checks,
    proposed: e.proposed ?? null,
    gate: e.gate ?? null,
    confirmations: e.confirmations ?? 0,
    safety: e.safety ?? 'NORMAL',
  };
}

function explain(record: EvaluationRecord) {
  // The conditions shown are those of the rule that decided, the last one checked.
  expect(record.conditions).toBe(record.checks[record.checks.length - 1]!.conditions);
  return {
    at: record.at,
    state: record.state,
    rule: record.rule,
    checks: record.checks.map((c) => (c.fired ? `${c.rule} fired` : c.rule)),
    proposed: record.proposed,
    gate: record.gate,
    confirmations: record.confirmations,
    safety: record.safety,
  };
}

const RULES: readonly Scenario[] = [
  {
    name: 'BALANCED → DEFENSIVE: the first proposal waits for its confirmation (CONFIRMING)',
    given: settled('BALANCED'),
    inputs: [[T0, evaluate(STRESS)]],
    expected: {
      pending: pending('DEFENSIVE', 1),
      evaluation: { at: T0, state: 'BALANCED', checks: ['BALANCED_TO_DEFENSIVE fired'], proposed: 'DEFENSIVE', gate: 'CONFIRMING', confirmations: 1 },
    },
  },
  {
    name: 'BALANCED → DEFENSIVE on the second confirming cycle, with the reason',
    given: settled('BALANCED'),
    inputs: [
      [T0, evaluate(STRESS)],
      [T0 + HOUR, evaluate(STRESS)],
    ],
    expected: {
      ...moved('BALANCED', 'DEFENSIVE', T0 + HOUR, 'RULE', 'BALANCED_TO_DEFENSIVE: vix 31.2 > 30'),
      evaluation: { at: T0 + HOUR, state: 'BALANCED', checks: ['BALANCED_TO_DEFENSIVE fired'], proposed: 'DEFENSIVE', confirmations: 2 },
    },
  },
  ...(
    [
      ['drawdownPct 0.11 > 0.1', m({ drawdownPct: 0.11 })],
      ['marketCircuitBreaker true = true', m({ marketCircuitBreaker: true })],
    ] as const
  ).map(
    ([reason, metrics]): Scenario => ({
      name: `BALANCED → DEFENSIVE on ${reason}`,
      config: ONE_CYCLE,
      given: settled('BALANCED'),
      inputs: [[T0, evaluate(metrics)]],
      expected: {
        ...moved('BALANCED', 'DEFENSIVE', T0, 'RULE', `BALANCED_TO_DEFENSIVE: ${reason}`),
        evaluation: { at: T0, state: 'BALANCED', checks: ['BALANCED_TO_DEFENSIVE fired'], proposed: 'DEFENSIVE', confirmations: 1 },
      },
    }),
  ),
  {
    name: 'BALANCED → DEFENSIVE on safety WARNING in a cycle, through the gates',
    config: ONE_CYCLE,
    given: settled('BALANCED'),
    inputs: [[T0, evaluate(CALM, 'WARNING')]],
    expected: {
      ...moved('BALANCED', 'DEFENSIVE', T0, 'RULE', 'BALANCED_TO_DEFENSIVE: safety WARNING >= WARNING'),
      safety: 'WARNING',
      evaluation: { at: T0, state: 'BALANCED', checks: ['BALANCED_TO_DEFENSIVE fired'], proposed: 'DEFENSIVE', confirmations: 1, safety: 'WARNING' },
    },
  },
  {
    name: 'a safety WARNING on its own changes no state',
    given: settled('BALANCED'),
    inputs: [[T0, safety('WARNING')]],
    expected: { safety: 'WARNING' },
  },
  {
    name: 'BALANCED → DEFENSIVE is held by HYSTERESIS until 5 days in BALANCED',
    given: model('BALANCED'),
    inputs: [[T0 + 5 * DAY - 1, evaluate(STRESS)]],
    expected: { evaluation: { at: T0 + 5 * DAY - 1, state: 'BALANCED', checks: ['BALANCED_TO_DEFENSIVE fired'], proposed: 'DEFENSIVE', gate: 'HYSTERESIS' } },
  },
  {
    name: 'BALANCED → DEFENSIVE passes HYSTERESIS at exactly 5 days',
    config: ONE_CYCLE,
    given: model('BALANCED'),
    inputs: [[T0 + 5 * DAY, evaluate(STRESS)]],
    expected: {
      ...moved('BALANCED', 'DEFENSIVE', T0 + 5 * DAY, 'RULE', 'BALANCED_TO_DEFENSIVE: vix 31.2 > 30'),
      evaluation: { at: T0 + 5 * DAY, state: 'BALANCED', checks: ['BALANCED_TO_DEFENSIVE fired'], proposed: 'DEFENSIVE', confirmations: 1 },
    },
  },
  {
    name: 'BALANCED → AGGRESSIVE is held by its own 10 days (longer than BALANCED 5)',
    given: model('BALANCED'),
    inputs: [[T0 + 10 * DAY - 1, evaluate(BULL)]],
    expected: {
      evaluation: {
        at: T0 + 10 * DAY - 1,
        state: 'BALANCED',
        checks: ['BALANCED_TO_DEFENSIVE', 'BALANCED_TO_AGGRESSIVE fired'],
        proposed: 'AGGRESSIVE',
        gate: 'HYSTERESIS',
      },
    },
  },
  {
    name: 'BALANCED → AGGRESSIVE at exactly 10 days, naming every condition',
    config: ONE_CYCLE,
    given: model('BALANCED'),
    inputs: [[T0 + 10 * DAY, evaluate(BULL)]],
    expected: {
      ...moved('BALANCED', 'AGGRESSIVE', T0 + 10 * DAY, 'RULE', 'BALANCED_TO_AGGRESSIVE: cagr 0.2 > 0.08, vix 12 < 15, capitalGrowthPct 0.15 > 0.1, winRate30d 0.7 > 0.6'),
      evaluation: {
        at: T0 + 10 * DAY,
        state: 'BALANCED',
        checks: ['BALANCED_TO_DEFENSIVE', 'BALANCED_TO_AGGRESSIVE fired'],
        proposed: 'AGGRESSIVE',
        confirmations: 1,
      },
    },
  },
  {
    name: 'AGGRESSIVE → BALANCED is held by HYSTERESIS until 7 days in AGGRESSIVE',
    given: model('AGGRESSIVE'),
    inputs: [[T0 + 7 * DAY - 1, evaluate(m({ vix: 25.5 }))]],
    expected: { evaluation: { at: T0 + 7 * DAY - 1, state: 'AGGRESSIVE', checks: ['AGGRESSIVE_TO_BALANCED fired'], proposed: 'BALANCED', gate: 'HYSTERESIS' } },
  },
  ...(
    [
      ['drawdownPct 0.06 > 0.05', m({ drawdownPct: 0.06 })],
      ['vix 25.5 > 25', m({ vix: 25.5 })],
      ['consecutiveScalpLosses 6 > 5', m({ consecutiveScalpLosses: 6 })],
      ['dailyLossPct 0.025 > 0.02', m({ dailyLossPct: 0.025 })],
    ] as const
  ).map(
    ([reason, metrics]): Scenario => ({
      name: `AGGRESSIVE → BALANCED on ${reason} at exactly 7 days`,
      config: ONE_CYCLE,
      given: model('AGGRESSIVE'),
      inputs: [[T0 + 7 * DAY, evaluate(metrics)]],
      expected: {
        ...moved('AGGRESSIVE', 'BALANCED', T0 + 7 * DAY, 'RULE', `AGGRESSIVE_TO_BALANCED: ${reason}`),
        evaluation: { at: T0 + 7 * DAY, state: 'AGGRESSIVE', checks: ['AGGRESSIVE_TO_BALANCED fired'], proposed: 'BALANCED', confirmations: 1 },
      },
    }),
  ),
  {
    name: 'AGGRESSIVE does not demote at the exact thresholds',
    given: settled('AGGRESSIVE'),
    inputs: [[T0, evaluate(m({ drawdownPct: 0.05, vix: 25, consecutiveScalpLosses: 5, dailyLossPct: 0.02 }))]],
    expected: { evaluation: { at: T0, state: 'AGGRESSIVE', checks: ['AGGRESSIVE_TO_BALANCED'] } },
  },
  ...(
    [
      ['drawdownPct 0.05', m({ drawdownPct: 0.05 }), 'NORMAL'],
      ['vix 20', m({ vix: 20 }), 'NORMAL'],
      ['2 profitable days', m({ consecutiveProfitableDays: 2 }), 'NORMAL'],
      ['safety WARNING', CALM, 'WARNING'],
    ] as const
  ).map(
    ([what, metrics, safetyState]): Scenario => ({
      name: `DEFENSIVE → BALANCED needs every condition: not with ${what}`,
      given: settled('DEFENSIVE'),
      inputs: [[T0, evaluate(metrics, safetyState)]],
      expected: { safety: safetyState, evaluation: { at: T0, state: 'DEFENSIVE', checks: ['DEFENSIVE_TO_BALANCED'], safety: safetyState } },
    }),
  ),
  {
    name: 'DEFENSIVE → BALANCED when every condition holds, naming them all',
    config: ONE_CYCLE,
    given: settled('DEFENSIVE'),
    inputs: [[T0, evaluate(m({ consecutiveProfitableDays: 3 }))]],
    expected: {
      ...moved('DEFENSIVE', 'BALANCED', T0, 'RULE', 'DEFENSIVE_TO_BALANCED: drawdownPct 0.02 < 0.05, vix 18 < 20, consecutiveProfitableDays 3 >= 3, safety NORMAL = NORMAL'),
      evaluation: { at: T0, state: 'DEFENSIVE', checks: ['DEFENSIVE_TO_BALANCED fired'], proposed: 'BALANCED', confirmations: 1 },
    },
  },
  {
    name: "DEFENSIVE → BALANCED is held by the rule's 5 days when longer than DEFENSIVE's 3",
    given: model('DEFENSIVE'),
    inputs: [[T0 + 5 * DAY - 1, evaluate(CALM)]],
    expected: { evaluation: { at: T0 + 5 * DAY - 1, state: 'DEFENSIVE', checks: ['DEFENSIVE_TO_BALANCED fired'], proposed: 'BALANCED', gate: 'HYSTERESIS' } },
  },
  {
    name: "DEFENSIVE → BALANCED at exactly the rule's 5 days",
    config: ONE_CYCLE,
    given: model('DEFENSIVE'),
    inputs: [[T0 + 5 * DAY, evaluate(CALM)]],
    expected: {
      ...moved('DEFENSIVE', 'BALANCED', T0 + 5 * DAY, 'RULE', 'DEFENSIVE_TO_BALANCED: drawdownPct 0.02 < 0.05, vix 18 < 20, consecutiveProfitableDays 4 >= 3, safety NORMAL = NORMAL'),
      evaluation: { at: T0 + 5 * DAY, state: 'DEFENSIVE', checks: ['DEFENSIVE_TO_BALANCED fired'], proposed: 'BALANCED', confirmations: 1 },
    },
  },
  {
    name: "DEFENSIVE → BALANCED is held by DEFENSIVE's own minimum when it is the longer",
    config: { ...ONE_CYCLE, hysteresis: { defensive: { minDurationDays: 6 } } },
    given: model('DEFENSIVE'),
    inputs: [[T0 + 6 * DAY - 1, evaluate(CALM)]],
    expected: { evaluation: { at: T0 + 6 * DAY - 1, state: 'DEFENSIVE', checks: ['DEFENSIVE_TO_BALANCED fired'], proposed: 'BALANCED', gate: 'HYSTERESIS' } },
  },
  {
    name: "DEFENSIVE → BALANCED at exactly DEFENSIVE's own minimum when it is the longer",
    config: { ...ONE_CYCLE, hysteresis: { defensive: { minDurationDays: 6 } } },
    given: model('DEFENSIVE'),
    inputs: [[T0 + 6 * DAY, evaluate(CALM)]],
    expected: {
      ...moved('DEFENSIVE', 'BALANCED', T0 + 6 * DAY, 'RULE', 'DEFENSIVE_TO_BALANCED: drawdownPct 0.02 < 0.05, vix 18 < 20, consecutiveProfitableDays 4 >= 3, safety NORMAL = NORMAL'),
      evaluation: { at: T0 + 6 * DAY, state: 'DEFENSIVE', checks: ['DEFENSIVE_TO_BALANCED fired'], proposed: 'BALANCED', confirmations: 1 },
    },
  },
  {
    name: 'in BALANCED the demotion is checked first and, when it fires, the promotion is not checked',
    given: settled('BALANCED'),
    inputs: [[T0, evaluate(m({ drawdownPct: 0.11 }, BULL))]],
    expected: {
      pending: pending('DEFENSIVE', 1),
      evaluation: { at: T0, state: 'BALANCED', checks: ['BALANCED_TO_DEFENSIVE fired'], proposed: 'DEFENSIVE', gate: 'CONFIRMING', confirmations: 1 },
    },
  },
  {
    name: 'in BALANCED with nothing firing both rules are checked and the promotion, checked last, decides',
    given: settled('BALANCED'),
    inputs: [[T0, evaluate(CALM)]],
    expected: { evaluation: { at: T0, state: 'BALANCED', checks: ['BALANCED_TO_DEFENSIVE', 'BALANCED_TO_AGGRESSIVE'] } },
  },
];

const CONFIRMATION: readonly Scenario[] = [
  {
    name: 'a cycle proposing nothing drops the pending confirmation',
    given: settled('BALANCED', { pending: pending('DEFENSIVE', 1) }),
    inputs: [[T0, evaluate(CALM)]],
    expected: { pending: null, evaluation: { at: T0, state: 'BALANCED', checks: ['BALANCED_TO_DEFENSIVE', 'BALANCED_TO_AGGRESSIVE'] } },
  },
  {
    name: 'a cycle proposing another target starts counting again from 1',
    given: settled('BALANCED', { pending: pending('AGGRESSIVE', 1) }),
    inputs: [[T0, evaluate(STRESS)]],
    expected: {
      pending: pending('DEFENSIVE', 1),
      evaluation: { at: T0, state: 'BALANCED', checks: ['BALANCED_TO_DEFENSIVE fired'], proposed: 'DEFENSIVE', gate: 'CONFIRMING', confirmations: 1 },
    },
  },
  {
    name: 'with three confirming cycles, the second counts 2',
    config: { confirmationCycles: 3 },
    given: settled('BALANCED', { pending: pending('DEFENSIVE', 1) }),
    inputs: [[T0, evaluate(STRESS)]],
    expected: {
      pending: pending('DEFENSIVE', 2),
      evaluation: { at: T0, state: 'BALANCED', checks: ['BALANCED_TO_DEFENSIVE fired'], proposed: 'DEFENSIVE', gate: 'CONFIRMING', confirmations: 2 },
    },
  },
  {
    name: 'with three confirming cycles, the third moves',
    config: { confirmationCycles: 3 },
    given: settled('BALANCED', { pending: pending('DEFENSIVE', 2) }),
    inputs: [[T0, evaluate(STRESS)]],
    expected: {
      ...moved('BALANCED', 'DEFENSIVE', T0, 'RULE', 'BALANCED_TO_DEFENSIVE: vix 31.2 > 30'),
      evaluation: { at: T0, state: 'BALANCED', checks: ['BALANCED_TO_DEFENSIVE fired'], proposed: 'DEFENSIVE', confirmations: 3 },
    },
  },
  {
    name: 'a HYSTERESIS gate keeps the count pending for its target, neither counting nor dropping it',
    given: model('BALANCED', { pending: pending('DEFENSIVE', 1) }),
    inputs: [[T0 + HOUR, evaluate(STRESS)]],
    expected: { evaluation: { at: T0 + HOUR, state: 'BALANCED', checks: ['BALANCED_TO_DEFENSIVE fired'], proposed: 'DEFENSIVE', gate: 'HYSTERESIS', confirmations: 1 } },
  },
  {
    name: 'a HYSTERESIS gate on another target reports 0 and keeps the pending confirmation',
    given: model('BALANCED', { stateSince: T0 - 6 * DAY, pending: pending('DEFENSIVE', 1) }),
    inputs: [[T0, evaluate(BULL)]],
    expected: {
      evaluation: { at: T0, state: 'BALANCED', checks: ['BALANCED_TO_DEFENSIVE', 'BALANCED_TO_AGGRESSIVE fired'], proposed: 'AGGRESSIVE', gate: 'HYSTERESIS' },
    },
  },
  {
    name: 'a COOLDOWN gate keeps the count pending for its target, neither counting nor dropping it',
    given: settled('BALANCED', { lastTransitionAt: T0 - HOUR, pending: pending('DEFENSIVE', 1) }),
    inputs: [[T0, evaluate(STRESS)]],
    expected: { evaluation: { at: T0, state: 'BALANCED', checks: ['BALANCED_TO_DEFENSIVE fired'], proposed: 'DEFENSIVE', gate: 'COOLDOWN', confirmations: 1 } },
  },
  {
    name: 'a COOLDOWN gate on another target reports 0 and keeps the pending confirmation',
    given: settled('BALANCED', { lastTransitionAt: T0 - HOUR, pending: pending('AGGRESSIVE', 1) }),
    inputs: [[T0, evaluate(STRESS)]],
    expected: { evaluation: { at: T0, state: 'BALANCED', checks: ['BALANCED_TO_DEFENSIVE fired'], proposed: 'DEFENSIVE', gate: 'COOLDOWN' } },
  },
  {
    name: 'a LOCKDOWN gate holds the proposal and drops the pending confirmation',
    given: settled('BALANCED', { pending: pending('DEFENSIVE', 1) }),
    inputs: [[T0, evaluate(STRESS, 'LOCKDOWN')]],
    expected: {
      safety: 'LOCKDOWN',
      tradingHalted: true,
      pending: null,
      evaluation: { at: T0, state: 'BALANCED', checks: ['BALANCED_TO_DEFENSIVE fired'], proposed: 'DEFENSIVE', gate: 'LOCKDOWN', safety: 'LOCKDOWN' },
    },
  },
  {
    name: 'after a LOCKDOWN cycle the count starts again from 1',
    given: settled('BALANCED', { pending: pending('DEFENSIVE', 1) }),
    inputs: [
      [T0, evaluate(STRESS, 'LOCKDOWN')],
      [T0 + HOUR, evaluate(STRESS, 'NORMAL')],
    ],
    expected: {
      pending: pending('DEFENSIVE', 1),
      evaluation: { at: T0 + HOUR, state: 'BALANCED', checks: ['BALANCED_TO_DEFENSIVE fired'], proposed: 'DEFENSIVE', gate: 'CONFIRMING', confirmations: 1 },
    },
  },
  {
    name: 'an OVERRIDE gate holds the proposal and drops the pending confirmation',
    given: settled('AGGRESSIVE', { override: override('AGGRESSIVE', T0 - HOUR, 2), pending: pending('BALANCED', 1) }),
    inputs: [[T0, evaluate(STRESS)]],
    expected: {
      pending: null,
      evaluation: { at: T0, state: 'AGGRESSIVE', checks: ['AGGRESSIVE_TO_BALANCED fired'], proposed: 'BALANCED', gate: 'OVERRIDE' },
    },
  },
  {
    name: 'LOCKDOWN gates before OVERRIDE when both apply',
    given: settled('AGGRESSIVE', { override: override('AGGRESSIVE', T0 - HOUR, 2), safety: 'LOCKDOWN', tradingHalted: true }),
    inputs: [[T0, evaluate(STRESS)]],
    expected: { evaluation: { at: T0, state: 'AGGRESSIVE', checks: ['AGGRESSIVE_TO_BALANCED fired'], proposed: 'BALANCED', gate: 'LOCKDOWN', safety: 'LOCKDOWN' } },
  },
];

const COOLDOWN: readonly Scenario[] = [
  {
    name: 'a rule-driven move is held by COOLDOWN for cooldownHours after any transition',
    config: { ...ONE_CYCLE, ...NO_HYSTERESIS },
    given: model('BALANCED', { previousState: 'DEFENSIVE', lastTransitionAt: T0 }),
    inputs: [[T0 + 24 * HOUR - 1, evaluate(STRESS)]],
    expected: { evaluation: { at: T0 + 24 * HOUR - 1, state: 'BALANCED', checks: ['BALANCED_TO_DEFENSIVE fired'], proposed: 'DEFENSIVE', gate: 'COOLDOWN' } },
  },
  {
    name: 'a rule-driven move passes COOLDOWN at exactly cooldownHours',
    config: { ...ONE_CYCLE, ...NO_HYSTERESIS },
    given: model('BALANCED', { previousState: 'DEFENSIVE', lastTransitionAt: T0 }),
    inputs: [[T0 + 24 * HOUR, evaluate(STRESS)]],
    expected: {
      ...moved('BALANCED', 'DEFENSIVE', T0 + 24 * HOUR, 'RULE', 'BALANCED_TO_DEFENSIVE: vix 31.2 > 30'),
      evaluation: { at: T0 + 24 * HOUR, state: 'BALANCED', checks: ['BALANCED_TO_DEFENSIVE fired'], proposed: 'DEFENSIVE', confirmations: 1 },
    },
  },
  {
    name: 'no cooldown applies before the first transition, however early the clock',
    config: { ...ONE_CYCLE, ...NO_HYSTERESIS },
    given: model('BALANCED'),
    inputs: [[T0 + HOUR, evaluate(STRESS)]],
    expected: {
      ...moved('BALANCED', 'DEFENSIVE', T0 + HOUR, 'RULE', 'BALANCED_TO_DEFENSIVE: vix 31.2 > 30'),
      evaluation: { at: T0 + HOUR, state: 'BALANCED', checks: ['BALANCED_TO_DEFENSIVE fired'], proposed: 'DEFENSIVE', confirmations: 1 },
    },
  },
  {
    name: 'an override and its expiry start the cooldown too',
    config: NO_HYSTERESIS,
    given: model('BALANCED'),
    inputs: [
      [T0, apply(override('DEFENSIVE', T0, 0.5))],
      [T0 + 12 * HOUR, CHECK_EXPIRY],
      [T0 + 19 * HOUR, evaluate(STRESS)],
    ],
    expected: {
      ...moved('DEFENSIVE', 'BALANCED', T0 + 12 * HOUR, 'EXPIRY', 'override by op-7 expired; reverting to BALANCED'),
      transitions: [],
      evaluation: { at: T0 + 19 * HOUR, state: 'BALANCED', checks: ['BALANCED_TO_DEFENSIVE fired'], proposed: 'DEFENSIVE', gate: 'COOLDOWN' },
    },
  },
];

const SAFETY: readonly Scenario[] = [
  {
    name: 'FAIL moves to DEFENSIVE at once, past every gate',
    given: model('BALANCED'),
    inputs: [[T0 + 1, safety('FAIL')]],
    expected: { ...moved('BALANCED', 'DEFENSIVE', T0 + 1, 'SAFETY', 'safety FAIL'), safety: 'FAIL' },
  },
  {
    name: 'FAIL cancels an override and says whose',
    given: model('BALANCED'),
    inputs: [
      [T0, apply(override('AGGRESSIVE', T0, 2))],
      [T0 + 1, safety('FAIL')],
    ],
    expected: { ...moved('AGGRESSIVE', 'DEFENSIVE', T0 + 1, 'SAFETY', 'safety FAIL (override by op-7 cancelled)'), safety: 'FAIL' },
  },
  {
    name: 'an override cancelled by FAIL does not come back at its expiry',
    given: model('BALANCED'),
    inputs: [
      [T0, apply(override('AGGRESSIVE', T0, 2))],
      [T0 + 1, safety('FAIL')],
      [T0 + 3 * DAY, CHECK_EXPIRY],
    ],
    expected: { ...moved('AGGRESSIVE', 'DEFENSIVE', T0 + 1, 'SAFETY', 'safety FAIL (override by op-7 cancelled)'), transitions: [], safety: 'FAIL' },
  },
  {
    name: 'FAIL in an evaluation cycle moves at once; the rules then run in DEFENSIVE and propose nothing',
    given: model('BALANCED'),
    inputs: [[T0, evaluate(BULL, 'FAIL')]],
    expected: {
      ...moved('BALANCED', 'DEFENSIVE', T0, 'SAFETY', 'safety FAIL'),
      safety: 'FAIL',
      evaluation: { at: T0, state: 'DEFENSIVE', checks: ['DEFENSIVE_TO_BALANCED'], safety: 'FAIL' },
    },
  },
  {
    name: 'FAIL drops the pending confirmation even when already DEFENSIVE',
    given: model('DEFENSIVE', { pending: pending('BALANCED', 1) }),
    inputs: [[T0, safety('FAIL')]],
    expected: { pending: null, safety: 'FAIL' },
  },
  {
    name: 'LOCKDOWN halts trading, keeps the state and drops the pending confirmation',
    given: settled('AGGRESSIVE', { pending: pending('BALANCED', 1) }),
    inputs: [[T0, safety('LOCKDOWN')]],
    expected: { safety: 'LOCKDOWN', tradingHalted: true, pending: null },
  },
  {
    name: 'an evaluation without safety keeps the last safety state seen: LOCKDOWN still gates',
    given: settled('BALANCED', { safety: 'LOCKDOWN', tradingHalted: true }),
    inputs: [[T0, evaluate(STRESS)]],
    expected: { evaluation: { at: T0, state: 'BALANCED', checks: ['BALANCED_TO_DEFENSIVE fired'], proposed: 'DEFENSIVE', gate: 'LOCKDOWN', safety: 'LOCKDOWN' } },
  },
  {
    name: 'an evaluation without safety keeps the last safety state seen: WARNING still feeds the demotion',
    given: model('BALANCED'),
    inputs: [
      [T0, safety('WARNING')],
      [T0 + HOUR, evaluate(CALM)],
    ],
    expected: {
      safety: 'WARNING',
      evaluation: { at: T0 + HOUR, state: 'BALANCED', checks: ['BALANCED_TO_DEFENSIVE fired'], proposed: 'DEFENSIVE', gate: 'HYSTERESIS', safety: 'WARNING' },
    },
  },
  ...(['NORMAL', 'WARNING'] as const).map(
    (after): Scenario => ({
      name: `leaving LOCKDOWN for ${after} turns AGGRESSIVE into BALANCED (LOCKDOWN_RELEASE)`,
      given: model('AGGRESSIVE'),
      inputs: [
        [T0, safety('LOCKDOWN')],
        [T0 + 1, safety(after)],
      ],
      expected: {
        ...moved('AGGRESSIVE', 'BALANCED', T0 + 1, 'LOCKDOWN_RELEASE', `lockdown released (safety ${after}): AGGRESSIVE resumes as BALANCED`),
        safety: after,
      },
    }),
  ),
  {
    name: 'leaving LOCKDOWN for FAIL moves AGGRESSIVE to DEFENSIVE: safety outranks the release',
    given: model('AGGRESSIVE'),
    inputs: [
      [T0, safety('LOCKDOWN')],
      [T0 + 1, safety('FAIL')],
    ],
    expected: { ...moved('AGGRESSIVE', 'DEFENSIVE', T0 + 1, 'SAFETY', 'safety FAIL'), safety: 'FAIL' },
  },
  ...(
    [
      ['BALANCED', 'NORMAL'],
      ['DEFENSIVE', 'WARNING'],
    ] as const
  ).map(
    ([state, after]): Scenario => ({
      name: `leaving LOCKDOWN keeps ${state}`,
      given: model(state),
      inputs: [
        [T0, safety('LOCKDOWN')],
        [T0 + 1, safety(after)],
      ],
      expected: { safety: after },
    }),
  ),
  {
    name: 'a WARNING in AGGRESSIVE without a LOCKDOWN before it releases nothing',
    given: model('AGGRESSIVE'),
    inputs: [[T0, safety('WARNING')]],
    expected: { safety: 'WARNING' },
  },
];

const OVERRIDES: readonly Scenario[] = [
  {
    name: 'an override applies at once, gives its reason and drops the pending confirmation',
    given: settled('BALANCED', { pending: pending('AGGRESSIVE', 1) }),
    inputs: [[T0, apply(override('DEFENSIVE', T0, 1))]],
    expected: { ...moved('BALANCED', 'DEFENSIVE', T0, 'OVERRIDE', 'override by op-7: desk call'), override: override('DEFENSIVE', T0, 1) },
  },
  {
    name: 'an override to the state already held restarts no clock, records no transition, and drops the pending confirmation',
    given: model('BALANCED', { pending: pending('AGGRESSIVE', 1) }),
    inputs: [[T0 + DAY, apply(override('BALANCED', T0 + DAY, 2))]],
    expected: { override: override('BALANCED', T0 + DAY, 2), pending: null },
  },
  {
    name: 'an override holds until a millisecond before its expiry',
    given: settled('AGGRESSIVE', { override: override('AGGRESSIVE', T0, 2, 'DEFENSIVE') }),
    inputs: [[T0 + 2 * DAY - 1, CHECK_EXPIRY]],
    expected: {},
  },
  {
    name: 'an override expires exactly at its expiry time, reverting with the reason',
    given: settled('AGGRESSIVE', { override: override('AGGRESSIVE', T0, 2, 'DEFENSIVE') }),
    inputs: [[T0 + 2 * DAY, CHECK_EXPIRY]],
    expected: { ...moved('AGGRESSIVE', 'DEFENSIVE', T0 + 2 * DAY, 'EXPIRY', 'override by op-7 expired; reverting to DEFENSIVE'), override: null },
  },
  {
    name: 'the expiry is also checked in every cycle, before the rules',
    given: settled('AGGRESSIVE', { override: override('AGGRESSIVE', T0 - DAY, 1) }),
    inputs: [[T0, evaluate(CALM)]],
    expected: {
      ...moved('AGGRESSIVE', 'BALANCED', T0, 'EXPIRY', 'override by op-7 expired; reverting to BALANCED'),
      override: null,
      evaluation: { at: T0, state: 'BALANCED', checks: ['BALANCED_TO_DEFENSIVE', 'BALANCED_TO_AGGRESSIVE'] },
    },
  },
  {
    name: 'an expiry reverting to the state already held records nothing and restarts no clock',
    given: model('BALANCED', { override: override('BALANCED', T0, 1) }),
    inputs: [[T0 + DAY, CHECK_EXPIRY]],
    expected: { override: null },
  },
  {
    name: 'an override may be applied and expire during LOCKDOWN; trading stays halted',
    given: model('BALANCED', { safety: 'LOCKDOWN', tradingHalted: true }),
    inputs: [
      [T0, apply(override('AGGRESSIVE', T0, 1, 'DEFENSIVE'))],
      [T0 + DAY, CHECK_EXPIRY],
    ],
    expected: { ...moved('AGGRESSIVE', 'DEFENSIVE', T0 + DAY, 'EXPIRY', 'override by op-7 expired; reverting to DEFENSIVE'), override: null },
  },
];

const CLEARING: readonly Scenario[] = [
  {
    name: 'a safety change clears the evaluation of the previous reduction',
    given: model('BALANCED'),
    inputs: [
      [T0, evaluate()],
      [T0 + 1, safety('WARNING')],
    ],
    expected: { safety: 'WARNING' },
  },
  {
    name: 'an override clears the evaluation of the previous reduction',
    given: model('BALANCED'),
    inputs: [
      [T0, evaluate()],
      [T0 + 1, apply(override('DEFENSIVE', T0 + 1, 1))],
    ],
    expected: { ...moved('BALANCED', 'DEFENSIVE', T0 + 1, 'OVERRIDE', 'override by op-7: desk call'), override: override('DEFENSIVE', T0 + 1, 1) },
  },
  {
    name: 'an evaluation clears the transitions of the previous reduction',
    given: model('BALANCED'),
    inputs: [
      [T0, safety('FAIL')],
      [T0 + 1, evaluate()],
    ],
    expected: {
      ...moved('BALANCED', 'DEFENSIVE', T0, 'SAFETY', 'safety FAIL'),
      transitions: [],
      safety: 'FAIL',
      evaluation: { at: T0 + 1, state: 'DEFENSIVE', checks: ['DEFENSIVE_TO_BALANCED'], safety: 'FAIL' },
    },
  },
  {
    name: 'an expiry check clears the transitions and the evaluation of the previous reduction',
    given: model('BALANCED'),
    inputs: [
      [T0, evaluate(CALM, 'FAIL')],
      [T0 + 1, CHECK_EXPIRY],
    ],
    expected: { ...moved('BALANCED', 'DEFENSIVE', T0, 'SAFETY', 'safety FAIL'), transitions: [], safety: 'FAIL' },
  },
];

describe.each([
  ['the rules through the gates', RULES],
  ['confirmation and the gates that hold it', CONFIRMATION],
  ['cooldown', COOLDOWN],
  ['safety precedence', SAFETY],
  ['manual overrides', OVERRIDES],
  ['what each input clears', CLEARING],
] as const)('the reducer: %s', (_, scenarios) => {
  it.each(scenarios)('$name', ({ config, given, inputs, expected }) => {
    const after = reduceEach(resolveStateConfig(config ?? {}), given, inputs);
    const last = after[after.length - 1]!;
    const { evaluation, ...fields } = { ...given, transitions: [], evaluation: undefined, ...expected };
    expect({ ...last, evaluation: last.evaluation === null ? null : explain(last.evaluation) }).toEqual({
      ...fields,
      evaluation: evaluation === undefined ? null : explained(evaluation),
    });
  });
});

describe('the reducer refuses invalid input with a typed error, changing nothing', () => {
  const failed = model('BALANCED', { currentState: 'DEFENSIVE', safety: 'FAIL' });
  it.each([
    {
      name: 'an override while safety is FAIL',
      given: failed,
      input: apply(override('AGGRESSIVE', T0, 2)),
      error: new OverrideError('safety', 'expected no override while safety is FAIL (safety outranks overrides), got FAIL'),
    },
    {
      name: 'an override longer than override.maxDurationDays',
      given: model('BALANCED'),
      input: apply(override('AGGRESSIVE', T0, 7.001)),
      error: new OverrideError('expiryTime', 'expected at most 7 days after overrideTime, got 7.001 days'),
    },
    { name: 'invalid metrics', given: model('BALANCED'), input: evaluate(m({ vix: -3 })), error: new MetricsError('vix', 'a number ≥ 0', -3) },
    { name: 'an unknown safety value in a cycle', given: model('BALANCED'), input: evaluate(CALM, 'PANIC' as SafetyState), error: new SafetyStateError('PANIC') },
    { name: 'an unknown safety value', given: model('BALANCED'), input: safety('PANIC' as SafetyState), error: new SafetyStateError('PANIC') },
    {
      name: 'an unknown input kind',
      given: model('BALANCED'),
      input: { kind: 'RESET' } as unknown as OperatingStateInput,
      error: new TypeError('input.kind: expected EVALUATE, SAFETY, OVERRIDE or CHECK_EXPIRY, got "RESET"'),
    },
  ])('$name', ({ given, input, error }) => {
    const before = structuredClone(given);
    const reduce = createOperatingStateReducer(resolveStateConfig());
    expect(() => reduce(given, input, T0)).toThrow(error);
    expect(() => reduce(given, input, T0)).toThrow(error.constructor as new () => Error);
    expect(given).toEqual(before);
  });
});

describe('the evaluation record, whole', () => {
  it('gives the time, the state, the deciding rule with each of its conditions, and every rule checked', () => {
    const [after] = reduceEach(resolveStateConfig(), settled('DEFENSIVE'), [[T0, evaluate(m({ vix: 20 }))]]);
    const conditions = [
      { metric: 'drawdownPct', value: 0.02, op: '<', threshold: 0.05, met: true },
      { metric: 'vix', value: 20, op: '<', threshold: 20, met: false },
      { metric: 'consecutiveProfitableDays', value: 4, op: '>=', threshold: 3, met: true },
      { metric: 'safety', value: 'NORMAL', op: '=', threshold: 'NORMAL', met: true },
    ];
    expect(after!.evaluation).toEqual({
      at: T0,
      state: 'DEFENSIVE',
      rule: 'DEFENSIVE_TO_BALANCED',
      conditions,
      proposed: null,
      gate: null,
      safety: 'NORMAL',
      confirmations: 0,
      checks: [{ rule: 'DEFENSIVE_TO_BALANCED', conditions, fired: false }],
    });
  });

  it('lists the conditions of each rule checked in BALANCED, the demotion first', () => {
    const [after] = reduceEach(resolveStateConfig(), settled('BALANCED'), [[T0, evaluate(CALM)]]);
    expect(after!.evaluation!.checks).toEqual([
      {
        rule: 'BALANCED_TO_DEFENSIVE',
        fired: false,
        conditions: [
          { metric: 'drawdownPct', value: 0.02, op: '>', threshold: 0.1, met: false },
          { metric: 'vix', value: 18, op: '>', threshold: 30, met: false },
          { metric: 'marketCircuitBreaker', value: false, op: '=', threshold: true, met: false },
          { metric: 'safety', value: 'NORMAL', op: '>=', threshold: 'WARNING', met: false },
        ],
      },
      {
        rule: 'BALANCED_TO_AGGRESSIVE',
        fired: false,
        conditions: [
          { metric: 'cagr', value: 0.05, op: '>', threshold: 0.08, met: false },
          { metric: 'vix', value: 18, op: '<', threshold: 15, met: false },
          { metric: 'capitalGrowthPct', value: 0.05, op: '>', threshold: 0.1, met: false },
          { metric: 'winRate30d', value: 0.5, op: '>', threshold: 0.6, met: false },
        ],
      },
    ]);
  });
});

describe('initialOperatingState', () => {
  it('a fresh model: the state, its clock, and nothing else yet', () => {
    const fresh = initialOperatingState('DEFENSIVE', T0);
    expect(fresh).toEqual({
      currentState: 'DEFENSIVE',
      previousState: null,
      stateSince: T0,
      transitionReason: null,
      lastTransitionAt: null,
      override: null,
      pending: null,
      safety: 'NORMAL',
      tradingHalted: false,
      transitions: [],
      evaluation: null,
    });
    expect(Object.isFrozen(fresh)).toBe(true);
  });
});
