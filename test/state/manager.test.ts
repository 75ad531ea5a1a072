import { describe, expect, it } from 'vitest';
import {
  MetricsError,
  OverrideError,
  OperatingStateManager,
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
import { CALM, Clock, DAY, HOUR, m, override, STRESS } from './fixtures.js';

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

describe('OperatingStateManager: each reduction published', () => {
  it('evaluateTransition returns the new state or null, and publishes the evaluation, the transition and the telemetry', () => {
    const h = harness({ confirmationCycles: 1 });
    h.clock.at(5 * DAY - 1);
    expect(h.cycle(STRESS).changed).toBeNull();
    h.clock.at(5 * DAY);
    expect(h.cycle(STRESS).changed).toBe('DEFENSIVE');
    expect(h.evaluations.map((e) => [e.at, e.state, e.gate])).toEqual([
      [5 * DAY - 1, 'BALANCED', 'HYSTERESIS'],
      [5 * DAY, 'BALANCED', null],
    ]);
    expect(h.transitions).toEqual([{ from: 'BALANCED', to: 'DEFENSIVE', at: 5 * DAY, cause: 'RULE', reason: 'BALANCED_TO_DEFENSIVE: vix 31.2 > 30' }]);
    expect(h.telemetry).toEqual([
      { kind: 'evaluated', state: 'BALANCED', at: 5 * DAY - 1, gate: 'HYSTERESIS' },
      { kind: 'evaluated', state: 'BALANCED', at: 5 * DAY, gate: null },
      { kind: 'transitioned', state: 'DEFENSIVE', from: 'BALANCED', cause: 'RULE', at: 5 * DAY },
    ]);
    expect(h.manager.currentState).toBe('DEFENSIVE');
    expect(h.manager.properties).toBe(STATE_PROPERTIES.DEFENSIVE);
    expect(h.manager.getSnapshot()).toMatchObject({ previousState: 'BALANCED', transitionTimestamp: 5 * DAY, transitionReason: 'BALANCED_TO_DEFENSIVE: vix 31.2 > 30' });
  });

  it('updateSafety, applyOverride and checkOverrideExpiry publish their transitions and telemetry, and no evaluation', () => {
    const h = harness();
    h.manager.applyOverride(override('AGGRESSIVE', 0, 3));
    h.clock.advance(HOUR);
    h.manager.updateSafety('FAIL');
    h.clock.advance(3 * DAY);
    h.manager.checkOverrideExpiry();
    expect(h.manager.currentState).toBe('DEFENSIVE');
    expect(h.transitions.map((t) => [t.to, t.cause, t.at])).toEqual([
      ['AGGRESSIVE', 'OVERRIDE', 0],
      ['DEFENSIVE', 'SAFETY', HOUR],
    ]);
    expect(h.telemetry.map((t) => t.kind)).toEqual(['overridden', 'transitioned', 'overrideCancelled', 'transitioned']);
    expect(h.evaluations).toEqual([]);
  });

  it('tradingHalted follows LOCKDOWN; the state is kept and the snapshot says so', () => {
    const h = harness();
    h.manager.updateSafety('LOCKDOWN');
    expect([h.manager.tradingHalted, h.manager.currentState]).toEqual([true, 'BALANCED']);
    expect(h.manager.getSnapshot()).toMatchObject({ currentState: 'BALANCED', tradingHalted: true });
    h.manager.updateSafety('NORMAL');
    expect(h.manager.tradingHalted).toBe(false);
    expect(h.telemetry.map((t) => t.kind)).toEqual(['halted', 'released']);
  });

  it('a cycle that changes no state publishes its evaluation only', () => {
    const h = harness();
    const state: string[] = [];
    h.manager.state$.subscribe((s) => state.push(s));
    expect(h.cycle(CALM).changed).toBeNull();
    expect([state, h.transitions, h.evaluations.length]).toEqual([['BALANCED'], [], 1]);
  });
});

describe('OperatingStateManager: refused input', () => {
  it('an unknown safety value is a typed error and changes nothing', () => {
    const h = harness();
    const before = h.manager.getPersistedSnapshot();
    expect(() => h.manager.updateSafety('PANIC' as SafetyState)).toThrow(SafetyStateError);
    expect(() => h.manager.evaluateTransition(CALM, 'PANIC' as SafetyState)).toThrow(SafetyStateError);
    expect(h.manager.getPersistedSnapshot()).toEqual(before);
    expect(h.evaluations).toEqual([]);
  });

  it('an override while safety is FAIL is an OverrideError naming override.safety; nothing changes', () => {
    const h = harness();
    h.manager.updateSafety('FAIL');
    const before = h.manager.getPersistedSnapshot();
    expect(() => h.manager.applyOverride(override('AGGRESSIVE', 0, 1))).toThrow(OverrideError);
    expect(() => h.manager.applyOverride(override('AGGRESSIVE', 0, 1))).toThrow(/override\.safety/);
    expect(h.manager.getPersistedSnapshot()).toEqual(before);
  });

  it('invalid metrics throw a MetricsError naming the field; nothing changes and the pending confirmation survives', () => {
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

describe('OperatingStateManager: the overrides API', () => {
  it('applyOverride applies at once; checkOverrideExpiry reverts at the expiry, not before', () => {
    const h = harness();
    h.manager.applyOverride(override('DEFENSIVE', 0, 2, 'BALANCED'));
    expect(h.manager.getSnapshot()).toMatchObject({ currentState: 'DEFENSIVE', manualOverride: true, overrideExpiry: 2 * DAY });
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
});
