import { describe, expect, it } from 'vitest';
import {
  MetricsError,
  OperatingStateManager,
  OverrideError,
  SafetyStateError,
  STATE_PROPERTIES,
  type DeepPartial,
  type EvaluationRecord,
  type OperatingStateSnapshot,
  type SafetyState,
  type StateConfig,
  type StateTelemetry,
  type StateTransition,
  type TransitionMetrics,
} from '../../src/index.js';
import { BULL, CALM, Clock, DAY, HOUR, m, override, STRESS } from './fixtures.js';

function harness(config: DeepPartial<StateConfig> = {}, initial?: OperatingStateSnapshot) {
  const clock = new Clock();
  const manager = new OperatingStateManager(config, { scheduler: clock.scheduler, ...(initial ? { initial } : {}) });
  const transitions: StateTransition[] = [];
  const evaluations: EvaluationRecord[] = [];
  const telemetry: StateTelemetry[] = [];
  manager.transitions$.subscribe((t) => transitions.push(t));
  manager.evaluations$.subscribe((e) => evaluations.push(e));
  manager.telemetry$.subscribe((t) => telemetry.push(t));
  const cycle = (metrics: TransitionMetrics, safety: SafetyState = 'NORMAL') => {
    const changed = manager.evaluateTransition(metrics, safety);
    return { changed, evaluation: evaluations[evaluations.length - 1]! };
  };
  return { clock, manager, transitions, evaluations, telemetry, cycle };
}

/** Reaches AGGRESSIVE from BALANCED by the rule: 10 days, two confirming cycles. */
function toAggressive(h: ReturnType<typeof harness>) {
  h.clock.at(10 * DAY);
  h.cycle(BULL);
  h.clock.advance(HOUR);
  expect(h.cycle(BULL).changed).toBe('AGGRESSIVE');
}

const SHORT_HYSTERESIS = {
  hysteresis: { aggressive: { minDurationDays: 0.25 }, balanced: { minDurationDays: 0.25 }, defensive: { minDurationDays: 0.25 } },
  transitions: {
    aggressiveToBalanced: { drawdownPct: 0.05, vix: 25, consecutiveScalpLosses: 5, dailyLossPct: 0.02 },
    balancedToDefensive: { drawdownPct: 0.1, vix: 30 },
    defensiveToBalanced: { drawdownPct: 0.05, vix: 20, consecutiveProfitableDays: 3, minDurationDays: 0 },
    balancedToAggressive: { vix: 15, capitalGrowthPct: 0.1, winRate30d: 0.6, minDurationDays: 0 },
  },
} as const;

describe('OperatingStateManager: start', () => {
  it('starts in the configured default with its clock at construction and no transition', () => {
    const h = harness();
    expect(h.manager.currentState).toBe('BALANCED');
    expect(h.manager.properties).toBe(STATE_PROPERTIES.BALANCED);
    h.clock.advance(2 * DAY);
    expect(h.manager.getSnapshot()).toMatchObject({
      currentState: 'BALANCED',
      previousState: null,
      transitionTimestamp: 0,
      manualOverride: false,
      overrideExpiry: null,
      stateDurationDays: 2,
      tradingHalted: false,
    });
  });

  it('state$ replays the current state, then each change', () => {
    const h = harness({ default: 'DEFENSIVE' });
    const seen: string[] = [];
    h.manager.state$.subscribe((s) => seen.push(s));
    h.manager.updateSafety('FAIL');
    h.manager.updateSafety('NORMAL');
    expect(seen).toEqual(['DEFENSIVE']);
    h.clock.at(5 * DAY);
    h.cycle(CALM);
    h.cycle(CALM);
    expect(seen).toEqual(['DEFENSIVE', 'BALANCED']);
  });
});

describe('rules through the gates', () => {
  it('BALANCED → DEFENSIVE: hysteresis (inclusive), then two confirming cycles', () => {
    const h = harness();
    h.clock.at(5 * DAY - 1);
    expect(h.cycle(STRESS).evaluation).toMatchObject({ gate: 'HYSTERESIS', proposed: 'DEFENSIVE', confirmations: 0 });
    h.clock.at(5 * DAY);
    expect(h.cycle(STRESS).evaluation).toMatchObject({ gate: 'CONFIRMING', proposed: 'DEFENSIVE', confirmations: 1 });
    h.clock.advance(HOUR);
    const second = h.cycle(STRESS);
    expect(second.changed).toBe('DEFENSIVE');
    expect(second.evaluation).toMatchObject({ gate: null, proposed: 'DEFENSIVE', confirmations: 2 });
    expect(h.transitions).toEqual([
      { from: 'BALANCED', to: 'DEFENSIVE', at: 5 * DAY + HOUR, cause: 'RULE', reason: 'BALANCED_TO_DEFENSIVE: vix 31.2 > 30' },
    ]);
    expect(h.manager.getSnapshot()).toMatchObject({ previousState: 'BALANCED', transitionTimestamp: 5 * DAY + HOUR });
  });

  it.each([
    ['drawdownPct 0.11 > 0.1', m({ drawdownPct: 0.11 })],
    ['marketCircuitBreaker true = true', m({ marketCircuitBreaker: true })],
  ])('BALANCED → DEFENSIVE on %s', (reason, metrics) => {
    const h = harness();
    h.clock.at(5 * DAY);
    h.cycle(metrics);
    expect(h.cycle(metrics).changed).toBe('DEFENSIVE');
    expect(h.transitions[0]!.reason).toBe(`BALANCED_TO_DEFENSIVE: ${reason}`);
  });

  it('BALANCED → DEFENSIVE on safety WARNING (no forced change before the gates pass)', () => {
    const h = harness();
    h.manager.updateSafety('WARNING');
    expect(h.manager.currentState).toBe('BALANCED');
    expect(h.cycle(CALM, 'WARNING').evaluation.gate).toBe('HYSTERESIS');
    h.clock.at(5 * DAY);
    h.cycle(CALM, 'WARNING');
    expect(h.cycle(CALM, 'WARNING').changed).toBe('DEFENSIVE');
    expect(h.transitions[0]!.reason).toBe('BALANCED_TO_DEFENSIVE: safety WARNING >= WARNING');
  });

  it('BALANCED → AGGRESSIVE needs its own 10 days (larger than BALANCED 5)', () => {
    const h = harness();
    h.clock.at(10 * DAY - 1);
    expect(h.cycle(BULL).evaluation.gate).toBe('HYSTERESIS');
    h.clock.at(10 * DAY);
    expect(h.cycle(BULL).evaluation.gate).toBe('CONFIRMING');
    h.clock.advance(HOUR);
    expect(h.cycle(BULL).changed).toBe('AGGRESSIVE');
    expect(h.transitions[0]!.reason).toBe(
      'BALANCED_TO_AGGRESSIVE: cagr 0.2 > 0.08, vix 12 < 15, capitalGrowthPct 0.15 > 0.1, winRate30d 0.7 > 0.6',
    );
  });

  it.each([
    ['drawdownPct 0.06 > 0.05', m({ drawdownPct: 0.06 })],
    ['vix 25.5 > 25', m({ vix: 25.5 })],
    ['consecutiveScalpLosses 6 > 5', m({ consecutiveScalpLosses: 6 })],
    ['dailyLossPct 0.025 > 0.02', m({ dailyLossPct: 0.025 })],
  ])('AGGRESSIVE → BALANCED on %s after 7 days', (reason, metrics) => {
    const h = harness();
    toAggressive(h);
    const entered = h.clock.now();
    h.clock.at(entered + 7 * DAY - 1);
    expect(h.cycle(metrics).evaluation.gate).toBe('HYSTERESIS');
    h.clock.at(entered + 7 * DAY);
    h.cycle(metrics);
    h.clock.advance(HOUR);
    expect(h.cycle(metrics).changed).toBe('BALANCED');
    expect(h.transitions[1]!.reason).toBe(`AGGRESSIVE_TO_BALANCED: ${reason}`);
  });

  it('AGGRESSIVE does not demote at the exact thresholds', () => {
    const h = harness();
    toAggressive(h);
    h.clock.advance(8 * DAY);
    const edge = m({ drawdownPct: 0.05, vix: 25, consecutiveScalpLosses: 5, dailyLossPct: 0.02 });
    expect(h.cycle(edge).evaluation).toMatchObject({ proposed: null, gate: null });
  });

  it('DEFENSIVE → BALANCED needs ALL conditions and its own 5 days (larger than DEFENSIVE 3)', () => {
    const h = harness({ default: 'DEFENSIVE' });
    h.clock.at(4 * DAY);
    expect(h.cycle(CALM).evaluation).toMatchObject({ gate: 'HYSTERESIS', rule: 'DEFENSIVE_TO_BALANCED' });
    h.clock.at(5 * DAY);
    expect(h.cycle(m({ drawdownPct: 0.05 })).evaluation).toMatchObject({ proposed: null, gate: null });
    expect(h.cycle(m({ vix: 20 })).evaluation.proposed).toBeNull();
    expect(h.cycle(m({ consecutiveProfitableDays: 2 })).evaluation.proposed).toBeNull();
    expect(h.cycle(CALM, 'WARNING').evaluation.proposed).toBeNull();
    expect(h.cycle(m({ consecutiveProfitableDays: 3 })).evaluation.gate).toBe('CONFIRMING');
    expect(h.cycle(CALM).changed).toBe('BALANCED');
  });

  it('in BALANCED the demotion is checked before the promotion', () => {
    const h = harness();
    h.clock.at(10 * DAY);
    const both = m({ drawdownPct: 0.11 }, BULL);
    const { evaluation } = h.cycle(both);
    expect(evaluation).toMatchObject({ rule: 'BALANCED_TO_DEFENSIVE', proposed: 'DEFENSIVE' });
    expect(evaluation.checks.map((c) => c.rule)).toEqual(['BALANCED_TO_DEFENSIVE']);
    const calm = h.cycle(CALM).evaluation;
    expect(calm.rule).toBe('BALANCED_TO_AGGRESSIVE');
    expect(calm.checks.map((c) => [c.rule, c.fired])).toEqual([
      ['BALANCED_TO_DEFENSIVE', false],
      ['BALANCED_TO_AGGRESSIVE', false],
    ]);
  });
});

describe('confirmation bookkeeping', () => {
  it('a cycle proposing nothing resets the count', () => {
    const h = harness();
    h.clock.at(5 * DAY);
    h.cycle(STRESS);
    expect(h.cycle(CALM).evaluation).toMatchObject({ proposed: null, confirmations: 0 });
    expect(h.cycle(STRESS).evaluation).toMatchObject({ gate: 'CONFIRMING', confirmations: 1 });
    expect(h.cycle(STRESS).changed).toBe('DEFENSIVE');
  });

  it('a cycle proposing another target restarts the count at 1', () => {
    const h = harness();
    h.clock.at(10 * DAY);
    h.cycle(STRESS);
    expect(h.cycle(BULL).evaluation).toMatchObject({ proposed: 'AGGRESSIVE', gate: 'CONFIRMING', confirmations: 1 });
    expect(h.cycle(STRESS).evaluation).toMatchObject({ proposed: 'DEFENSIVE', gate: 'CONFIRMING', confirmations: 1 });
    expect(h.cycle(STRESS).changed).toBe('DEFENSIVE');
  });

  it('a cycle held back by HYSTERESIS neither counts nor resets', () => {
    const h = harness();
    h.clock.at(6 * DAY);
    expect(h.cycle(STRESS).evaluation.confirmations).toBe(1);
    // The promotion still needs 10 days: held back, the pending demotion survives.
    expect(h.cycle(BULL).evaluation).toMatchObject({ proposed: 'AGGRESSIVE', gate: 'HYSTERESIS' });
    expect(h.cycle(STRESS).changed).toBe('DEFENSIVE');
  });

  it('a cycle held back by COOLDOWN neither counts nor resets', () => {
    const h = harness({ ...SHORT_HYSTERESIS, cooldownHours: 24 });
    h.clock.at(HOUR * 6);
    h.cycle(STRESS);
    h.cycle(STRESS); // BALANCED → DEFENSIVE at 6 h
    h.clock.advance(7 * HOUR);
    expect(h.cycle(CALM).evaluation).toMatchObject({ proposed: 'BALANCED', gate: 'COOLDOWN' });
    expect(h.manager.getPersistedSnapshot().pendingConfirmation).toBeNull();
    expect(h.cycle(m({ vix: 30 })).evaluation.proposed).toBeNull();
  });

  it('cycles under an override, LOCKDOWN or FAIL reset the count', () => {
    const h = harness();
    h.clock.at(5 * DAY);
    h.cycle(STRESS);
    h.manager.updateSafety('LOCKDOWN');
    expect(h.cycle(STRESS, 'LOCKDOWN').evaluation).toMatchObject({ gate: 'LOCKDOWN', proposed: 'DEFENSIVE' });
    expect(h.cycle(STRESS, 'NORMAL').evaluation).toMatchObject({ gate: 'CONFIRMING', confirmations: 1 });
  });

  it('confirmationCycles 1 transitions on the first proposal', () => {
    const h = harness({ confirmationCycles: 1 });
    h.clock.at(5 * DAY);
    expect(h.cycle(STRESS).changed).toBe('DEFENSIVE');
  });
});

describe('cooldown (hysteresis configured below 24 h)', () => {
  it('no rule-driven transition within cooldownHours of the previous one; the end is inclusive', () => {
    const h = harness(SHORT_HYSTERESIS);
    h.clock.at(6 * HOUR);
    h.cycle(STRESS);
    expect(h.cycle(STRESS).changed).toBe('DEFENSIVE');
    const at = h.clock.now();
    h.clock.at(at + 24 * HOUR - 1);
    expect(h.cycle(CALM).evaluation).toMatchObject({ gate: 'COOLDOWN', proposed: 'BALANCED' });
    h.clock.at(at + 24 * HOUR);
    expect(h.cycle(CALM).evaluation.gate).toBe('CONFIRMING');
    expect(h.cycle(CALM).changed).toBe('BALANCED');
  });

  it('there is no cooldown before the first transition', () => {
    const h = harness(SHORT_HYSTERESIS);
    h.clock.at(6 * HOUR);
    expect(h.cycle(STRESS).evaluation.gate).toBe('CONFIRMING');
  });

  it('an override starts the cooldown too', () => {
    const h = harness(SHORT_HYSTERESIS);
    h.clock.at(DAY);
    h.manager.applyOverride(override('DEFENSIVE', DAY, 0.5));
    h.clock.at(DAY + 12 * HOUR);
    h.manager.checkOverrideExpiry(); // back to BALANCED by EXPIRY: clocks restart
    h.clock.advance(7 * HOUR);
    expect(h.cycle(STRESS).evaluation.gate).toBe('COOLDOWN');
  });
});

describe('safety precedence', () => {
  it('FAIL moves to DEFENSIVE at once, past every gate, and cancels an override', () => {
    const h = harness();
    h.manager.applyOverride(override('AGGRESSIVE', 0, 3));
    h.clock.advance(HOUR);
    h.manager.updateSafety('FAIL');
    expect(h.manager.currentState).toBe('DEFENSIVE');
    expect(h.manager.getSnapshot()).toMatchObject({ manualOverride: false, overrideExpiry: null });
    expect(h.transitions.map((t) => [t.to, t.cause, t.reason])).toEqual([
      ['AGGRESSIVE', 'OVERRIDE', 'override by op-7: desk call'],
      ['DEFENSIVE', 'SAFETY', 'safety FAIL (override by op-7 cancelled)'],
    ]);
    expect(h.telemetry.map((t) => t.kind)).toContain('overrideCancelled');
    h.clock.advance(3 * DAY);
    h.manager.checkOverrideExpiry();
    expect(h.manager.currentState).toBe('DEFENSIVE');
  });

  it('FAIL in an evaluation cycle also acts at once; an override is refused while FAIL lasts', () => {
    const h = harness();
    expect(h.cycle(BULL, 'FAIL').changed).toBe('DEFENSIVE');
    expect(h.evaluations[0]).toMatchObject({ state: 'DEFENSIVE', proposed: null, gate: null });
    expect(() => h.manager.applyOverride(override('AGGRESSIVE', 0, 1))).toThrow(OverrideError);
    expect(() => h.manager.applyOverride(override('AGGRESSIVE', 0, 1))).toThrow(/override\.safety/);
    expect(h.manager.currentState).toBe('DEFENSIVE');
  });

  it('LOCKDOWN halts trading and preserves the state; rules are held by the LOCKDOWN gate', () => {
    const h = harness();
    h.manager.updateSafety('LOCKDOWN');
    expect(h.manager.getSnapshot()).toMatchObject({ currentState: 'BALANCED', tradingHalted: true });
    h.clock.at(6 * DAY);
    h.cycle(STRESS, 'LOCKDOWN');
    expect(h.cycle(STRESS, 'LOCKDOWN').evaluation).toMatchObject({ gate: 'LOCKDOWN', proposed: 'DEFENSIVE' });
    expect(h.manager.currentState).toBe('BALANCED');
    expect(h.transitions).toEqual([]);
    expect(h.telemetry.map((t) => t.kind)).toContain('halted');
  });

  it('leaving LOCKDOWN turns AGGRESSIVE into BALANCED (LOCKDOWN_RELEASE)', () => {
    const h = harness();
    toAggressive(h);
    h.manager.updateSafety('LOCKDOWN');
    expect(h.manager.currentState).toBe('AGGRESSIVE');
    h.clock.advance(HOUR);
    h.manager.updateSafety('NORMAL');
    expect(h.manager.getSnapshot()).toMatchObject({ currentState: 'BALANCED', tradingHalted: false });
    expect(h.transitions[1]).toMatchObject({
      from: 'AGGRESSIVE',
      to: 'BALANCED',
      cause: 'LOCKDOWN_RELEASE',
      reason: 'lockdown released (safety NORMAL): AGGRESSIVE resumes as BALANCED',
    });
  });

  it('leaving LOCKDOWN keeps BALANCED and DEFENSIVE', () => {
    const h = harness({ default: 'DEFENSIVE' });
    h.manager.updateSafety('LOCKDOWN');
    h.manager.updateSafety('WARNING');
    expect(h.manager.currentState).toBe('DEFENSIVE');
    expect(h.transitions).toEqual([]);
  });

  it('an unknown safety value is a typed error and changes nothing', () => {
    const h = harness();
    const before = h.manager.getPersistedSnapshot();
    expect(() => h.manager.updateSafety('PANIC' as SafetyState)).toThrow(SafetyStateError);
    expect(() => h.manager.evaluateTransition(CALM, 'PANIC' as SafetyState)).toThrow(SafetyStateError);
    expect(h.manager.getPersistedSnapshot()).toEqual(before);
    expect(h.evaluations).toEqual([]);
  });
});

describe('manual overrides', () => {
  it('applies at once, holds the rules (OVERRIDE gate) and reverts at expiry', () => {
    const h = harness();
    h.manager.applyOverride(override('DEFENSIVE', 0, 2, 'BALANCED'));
    expect(h.manager.getSnapshot()).toMatchObject({ currentState: 'DEFENSIVE', manualOverride: true, overrideExpiry: 2 * DAY });
    h.clock.advance(DAY);
    expect(h.cycle(CALM).evaluation).toMatchObject({ gate: 'OVERRIDE' });
    h.clock.at(2 * DAY - 1);
    h.manager.checkOverrideExpiry();
    expect(h.manager.currentState).toBe('DEFENSIVE');
    h.clock.at(2 * DAY);
    h.manager.checkOverrideExpiry();
    expect(h.manager.getSnapshot()).toMatchObject({ currentState: 'BALANCED', manualOverride: false });
    expect(h.transitions.map((t) => [t.to, t.cause, t.at])).toEqual([
      ['DEFENSIVE', 'OVERRIDE', 0],
      ['BALANCED', 'EXPIRY', 2 * DAY],
    ]);
    expect(h.transitions[1]!.reason).toBe('override by op-7 expired; reverting to BALANCED');
  });

  it('the expiry is also checked on every cycle', () => {
    const h = harness();
    h.manager.applyOverride(override('AGGRESSIVE', 0, 1));
    h.clock.at(DAY);
    const { changed, evaluation } = h.cycle(CALM);
    expect(changed).toBe('BALANCED');
    expect(evaluation).toMatchObject({ state: 'BALANCED', gate: null });
  });

  it('an override to the state already held records nothing and restarts no clock', () => {
    const h = harness();
    h.clock.at(3 * DAY);
    h.manager.applyOverride(override('BALANCED', 3 * DAY, 1, 'BALANCED'));
    expect(h.transitions).toEqual([]);
    expect(h.manager.getSnapshot()).toMatchObject({ transitionTimestamp: 0, manualOverride: true });
    h.clock.at(4 * DAY);
    h.manager.checkOverrideExpiry();
    expect(h.transitions).toEqual([]);
    expect(h.manager.getSnapshot()).toMatchObject({ transitionTimestamp: 0, manualOverride: false });
  });

  it('is at most override.maxDurationDays long (inclusive) and must expire after it starts', () => {
    const h = harness();
    const before = h.manager.getPersistedSnapshot();
    expect(() => h.manager.applyOverride(override('DEFENSIVE', 0, 7.001))).toThrow(
      'override.expiryTime: expected at most 7 days after overrideTime, got 7.001 days',
    );
    expect(() => h.manager.applyOverride({ ...override('DEFENSIVE', 0, 1), expiryTime: 0 })).toThrow(
      'override.expiryTime: expected after overrideTime 0, got 0',
    );
    expect(() => h.manager.applyOverride({ ...override('DEFENSIVE', 0, 1), overrideState: 'PANIC' as 'DEFENSIVE' })).toThrow(
      /override\.overrideState/,
    );
    expect(h.manager.getPersistedSnapshot()).toEqual(before);
    expect(h.transitions).toEqual([]);
    h.manager.applyOverride(override('DEFENSIVE', 0, 7));
    expect(h.manager.currentState).toBe('DEFENSIVE');
  });

  it('may be applied and expire during LOCKDOWN; trading stays halted', () => {
    const h = harness();
    h.manager.updateSafety('LOCKDOWN');
    h.manager.applyOverride(override('AGGRESSIVE', 0, 1, 'DEFENSIVE'));
    expect(h.manager.getSnapshot()).toMatchObject({ currentState: 'AGGRESSIVE', tradingHalted: true });
    expect(h.cycle(BULL, 'LOCKDOWN').evaluation.gate).toBe('LOCKDOWN');
    h.clock.at(DAY);
    h.manager.checkOverrideExpiry();
    expect(h.manager.getSnapshot()).toMatchObject({ currentState: 'DEFENSIVE', tradingHalted: true });
  });
});

describe('invalid metrics', () => {
  it('throw a MetricsError naming the field, and nothing changes', () => {
    const h = harness();
    h.clock.at(5 * DAY);
    h.cycle(STRESS);
    const before = h.manager.getPersistedSnapshot();
    expect(() => h.manager.evaluateTransition(m({ vix: -3 }), 'NORMAL')).toThrow(MetricsError);
    expect(() => h.manager.evaluateTransition(m({ drawdownPct: Number.NaN }), 'NORMAL')).toThrow('metrics.drawdownPct');
    expect(h.manager.getPersistedSnapshot()).toEqual(before);
    expect(h.evaluations).toHaveLength(1);
    expect(h.cycle(STRESS).changed).toBe('DEFENSIVE');
  });
});
