import { describe, expect, it } from 'vitest';
import {
  PERSISTED_STATE_FORMAT,
  STATE_PROPERTIES,
  createOperatingStateReducer,
  initialOperatingState,
  modelFromSnapshot,
  persistedSnapshotOf,
  resolveStateConfig,
  snapshotOf,
  telemetryOf,
  type OperatingStateInput,
  type OperatingStateModel,
  type OperatingStateSnapshot,
  type StateConfig,
} from '../../src/index.js';
import { OverrideError } from '../../src/state/overrides.js';
import { BULL, CALM, DAY, HOUR, STRESS, override } from './fixtures.js';

const T0 = 1_000 * DAY;

/** Runs `inputs` (each at its time) from `model`, returning every model after the first. */
function run(config: StateConfig, model: OperatingStateModel, inputs: [number, OperatingStateInput][]): OperatingStateModel[] {
  const reduce = createOperatingStateReducer(config);
  const out: OperatingStateModel[] = [];
  for (const [at, input] of inputs) {
    model = reduce(model, input, at);
    out.push(model);
  }
  return out;
}

const evaluate = (metrics = CALM): OperatingStateInput => ({ kind: 'EVALUATE', metrics });
const plain = (s: Partial<OperatingStateSnapshot>): OperatingStateSnapshot => ({
  currentState: 'BALANCED',
  previousState: null,
  transitionTimestamp: T0,
  transitionReason: null,
  manualOverride: false,
  overrideExpiry: null,
  stateDurationDays: 0,
  properties: STATE_PROPERTIES.BALANCED,
  tradingHalted: false,
  ...s,
});

describe('restoring from a plain (not persisted) snapshot', () => {
  it('restores the state and its clock, with no override, nothing pending and safety NORMAL', () => {
    const model = modelFromSnapshot(plain({ currentState: 'DEFENSIVE', previousState: 'BALANCED', transitionReason: 'vix 31 > 30' }), T0 + DAY);
    expect(model).toEqual({
      currentState: 'DEFENSIVE',
      previousState: 'BALANCED',
      stateSince: T0,
      transitionReason: 'vix 31 > 30',
      tradingHalted: false,
      transitions: [],
      evaluation: null,
      lastTransitionAt: T0,
      override: null,
      pending: null,
      safety: 'NORMAL',
    });
    expect(Object.isFrozen(model)).toBe(true);
  });

  it('counts its transition time as the cooldown start only when it records a previous state', () => {
    const config = resolveStateConfig({ confirmationCycles: 1, hysteresis: { balanced: { minDurationDays: 0 } } });
    const moved = modelFromSnapshot(plain({ previousState: 'DEFENSIVE' }), T0);
    const fresh = modelFromSnapshot(plain({ previousState: null }), T0);
    expect([moved.lastTransitionAt, fresh.lastTransitionAt]).toEqual([T0, null]);
    const [held] = run(config, moved, [[T0 + HOUR, evaluate(STRESS)]]);
    const [went] = run(config, fresh, [[T0 + HOUR, evaluate(STRESS)]]);
    expect(held!.evaluation?.gate).toBe('COOLDOWN');
    expect(went!.currentState).toBe('DEFENSIVE');
  });

  it('is halted (safety LOCKDOWN) when the snapshot says trading is halted', () => {
    const model = modelFromSnapshot(plain({ tradingHalted: true }), T0);
    expect([model.safety, model.tradingHalted]).toEqual(['LOCKDOWN', true]);
  });

  it('starts the clock now when the snapshot has no transition time', () => {
    expect(modelFromSnapshot(plain({ transitionTimestamp: null }), T0 + 5).stateSince).toBe(T0 + 5);
  });

  it('carries no override even when the snapshot says one was in force', () => {
    expect(modelFromSnapshot(plain({ manualOverride: true, overrideExpiry: T0 + DAY }), T0).override).toBeNull();
  });
});

describe('restoring from a persisted snapshot', () => {
  it('restores the override, the cooldown start, the pending confirmation and safety, as frozen copies', () => {
    const config = resolveStateConfig();
    const o = override('DEFENSIVE', T0, 2);
    const [overridden] = run(config, initialOperatingState('BALANCED', T0), [[T0, { kind: 'OVERRIDE', override: o }]]);
    const persisted = persistedSnapshotOf({ ...overridden!, pending: { target: 'AGGRESSIVE', count: 1 }, safety: 'WARNING' }, T0 + HOUR);
    expect(persisted).toMatchObject({ format: PERSISTED_STATE_FORMAT, version: 1, savedAt: T0 + HOUR, lastTransitionAt: T0, safety: 'WARNING' });
    const model = modelFromSnapshot(persisted, T0 + 2 * HOUR);
    expect(model).toMatchObject({ currentState: 'DEFENSIVE', previousState: 'BALANCED', stateSince: T0, lastTransitionAt: T0, safety: 'WARNING' });
    expect(model.override).toEqual(o);
    expect(model.override).not.toBe(persisted.override);
    expect(Object.isFrozen(model.override)).toBe(true);
    expect(model.pending).toEqual({ target: 'AGGRESSIVE', count: 1 });
    expect(Object.isFrozen(model.pending)).toBe(true);
    const bare = modelFromSnapshot(persistedSnapshotOf(initialOperatingState('BALANCED', T0), T0), T0);
    expect([bare.override, bare.pending, bare.lastTransitionAt]).toEqual([null, null, null]);
  });
});

describe('snapshotOf', () => {
  it('gives the time in state in days, never negative', () => {
    const model = initialOperatingState('AGGRESSIVE', T0);
    expect(snapshotOf(model, T0 + 36 * HOUR).stateDurationDays).toBe(1.5);
    expect(snapshotOf(model, T0).stateDurationDays).toBe(0);
    expect(snapshotOf(model, T0 - DAY).stateDurationDays).toBe(0);
  });

  it('shows the override, its expiry and the properties of the state', () => {
    const [model] = run(resolveStateConfig(), initialOperatingState('BALANCED', T0), [[T0, { kind: 'OVERRIDE', override: override('AGGRESSIVE', T0, 3) }]]);
    const snapshot = snapshotOf(model!, T0);
    expect(snapshot).toMatchObject({ currentState: 'AGGRESSIVE', manualOverride: true, overrideExpiry: T0 + 3 * DAY, transitionTimestamp: T0 });
    expect(snapshot.properties).toBe(STATE_PROPERTIES.AGGRESSIVE);
    expect(snapshotOf(initialOperatingState('BALANCED', T0), T0)).toMatchObject({ manualOverride: false, overrideExpiry: null });
  });
});

describe('telemetryOf: each record once, when it happens', () => {
  const config = resolveStateConfig();
  const kinds = (inputs: [number, OperatingStateInput][], start = initialOperatingState('BALANCED', T0)): string[][] => {
    const models = run(config, start, inputs);
    return models.map((next, i) => telemetryOf(i === 0 ? start : models[i - 1]!, next, inputs[i]![0]).map((t) => t.kind));
  };

  it('an ordinary evaluation records only that it evaluated', () => {
    expect(kinds([[T0, evaluate()], [T0 + HOUR, evaluate()]])).toEqual([['evaluated'], ['evaluated']]);
  });

  it('halted when lockdown starts, not again while it lasts; released when it ends', () => {
    expect(
      kinds([
        [T0, { kind: 'SAFETY', safety: 'LOCKDOWN' }],
        [T0 + 1, { kind: 'SAFETY', safety: 'LOCKDOWN' }],
        [T0 + 2, evaluate()],
        [T0 + 3, { kind: 'SAFETY', safety: 'NORMAL' }],
      ]),
    ).toEqual([['halted'], [], ['evaluated'], ['released']]);
  });

  it('overridden when an override is applied, not on the cycles after it', () => {
    expect(
      kinds([
        [T0, { kind: 'OVERRIDE', override: override('DEFENSIVE', T0, 2) }],
        [T0 + HOUR, evaluate()],
        [T0 + 2 * HOUR, { kind: 'CHECK_EXPIRY' }],
      ]),
    ).toEqual([['overridden', 'transitioned'], ['evaluated'], []]);
  });

  it('overrideCancelled when safety FAIL cancels an override, not when it expires', () => {
    expect(
      kinds([
        [T0, { kind: 'OVERRIDE', override: override('AGGRESSIVE', T0, 2) }],
        [T0 + HOUR, { kind: 'SAFETY', safety: 'FAIL' }],
      ]),
    ).toEqual([['overridden', 'transitioned'], ['overrideCancelled', 'transitioned']]);
    expect(
      kinds([
        [T0, { kind: 'OVERRIDE', override: override('AGGRESSIVE', T0, 2) }],
        [T0 + 2 * DAY, { kind: 'CHECK_EXPIRY' }],
      ]),
    ).toEqual([['overridden', 'transitioned'], ['transitioned']]);
  });

  it('an override replaced by another records overridden again', () => {
    expect(
      kinds([
        [T0, { kind: 'OVERRIDE', override: override('AGGRESSIVE', T0, 2) }],
        [T0 + HOUR, { kind: 'OVERRIDE', override: override('DEFENSIVE', T0 + HOUR, 2) }],
      ]),
    ).toEqual([['overridden', 'transitioned'], ['overridden', 'transitioned']]);
  });

  it('a transition record names the state left, the state entered, the cause and the time', () => {
    const start = initialOperatingState('BALANCED', T0);
    const [next] = run(config, start, [[T0 + 5, { kind: 'SAFETY', safety: 'FAIL' }]]);
    expect(telemetryOf(start, next!, T0 + 5)).toEqual([{ kind: 'transitioned', state: 'DEFENSIVE', from: 'BALANCED', cause: 'SAFETY', at: T0 + 5 }]);
  });

  it('an evaluation record carries the state evaluated in and its gate', () => {
    const start = initialOperatingState('BALANCED', T0);
    const [next] = run(config, start, [[T0 + HOUR, evaluate(STRESS)]]);
    expect(telemetryOf(start, next!, T0 + HOUR)).toEqual([{ kind: 'evaluated', state: 'BALANCED', at: T0 + HOUR, gate: 'HYSTERESIS' }]);
  });

  it('records nothing when the model did not change', () => {
    const model = initialOperatingState('BALANCED', T0);
    const [evaluated] = run(config, model, [[T0, evaluate()]]);
    expect(telemetryOf(evaluated!, evaluated!, T0)).toEqual([]);
  });
});

describe('the minimum time in a state', () => {
  it("holds DEFENSIVE for its own minimum when it is longer than the rule's", () => {
    const config = resolveStateConfig({ confirmationCycles: 1, hysteresis: { defensive: { minDurationDays: 6 } } });
    const start = initialOperatingState('DEFENSIVE', T0);
    const [early, onTime] = [run(config, start, [[T0 + 5.5 * DAY, evaluate(CALM)]])[0]!, run(config, start, [[T0 + 6 * DAY, evaluate(CALM)]])[0]!];
    expect([early.currentState, early.evaluation?.gate]).toEqual(['DEFENSIVE', 'HYSTERESIS']);
    expect(onTime.currentState).toBe('BALANCED');
  });

  it("holds DEFENSIVE for the rule's minimum when it is longer than the state's", () => {
    const config = resolveStateConfig({ confirmationCycles: 1 });
    const start = initialOperatingState('DEFENSIVE', T0);
    expect(run(config, start, [[T0 + 5 * DAY - 1, evaluate(CALM)]])[0]!.evaluation?.gate).toBe('HYSTERESIS');
    expect(run(config, start, [[T0 + 5 * DAY, evaluate(CALM)]])[0]!.currentState).toBe('BALANCED');
  });

  it('holds AGGRESSIVE and BALANCED for their own minimums, exactly', () => {
    const config = resolveStateConfig({ confirmationCycles: 1 });
    const aggressive = initialOperatingState('AGGRESSIVE', T0);
    expect(run(config, aggressive, [[T0 + 7 * DAY - 1, evaluate(STRESS)]])[0]!.evaluation?.gate).toBe('HYSTERESIS');
    expect(run(config, aggressive, [[T0 + 7 * DAY, evaluate(STRESS)]])[0]!.currentState).toBe('BALANCED');
    const balanced = initialOperatingState('BALANCED', T0);
    expect(run(config, balanced, [[T0 + 5 * DAY - 1, evaluate(STRESS)]])[0]!.evaluation?.gate).toBe('HYSTERESIS');
    expect(run(config, balanced, [[T0 + 5 * DAY, evaluate(STRESS)]])[0]!.currentState).toBe('DEFENSIVE');
  });
});

describe('cooldown and confirmation', () => {
  const zeroHysteresis = { aggressive: { minDurationDays: 0 }, balanced: { minDurationDays: 0 }, defensive: { minDurationDays: 0 } };

  it('holds a rule-driven move for cooldownHours after any transition, exactly', () => {
    const config = resolveStateConfig({ confirmationCycles: 1, cooldownHours: 24, hysteresis: zeroHysteresis });
    const moved = modelFromSnapshot(plain({ previousState: 'DEFENSIVE' }), T0);
    expect(run(config, moved, [[T0 + 24 * HOUR - 1, evaluate(STRESS)]])[0]!.evaluation?.gate).toBe('COOLDOWN');
    expect(run(config, moved, [[T0 + 24 * HOUR, evaluate(STRESS)]])[0]!.currentState).toBe('DEFENSIVE');
  });

  it('keeps the confirmations counted so far while a gate holds the same target, and drops them for another', () => {
    const config = resolveStateConfig({ confirmationCycles: 3, cooldownHours: 0, hysteresis: { balanced: { minDurationDays: 1 } } });
    const start = modelFromSnapshot(plain({ previousState: 'DEFENSIVE', transitionTimestamp: T0 - DAY }), T0);
    const [first, second] = run(config, start, [
      [T0, evaluate(STRESS)],
      [T0 + HOUR, evaluate(STRESS)],
    ]);
    expect([first!.evaluation?.gate, first!.evaluation?.confirmations, first!.pending]).toEqual(['CONFIRMING', 1, { target: 'DEFENSIVE', count: 1 }]);
    expect([second!.evaluation?.confirmations, second!.pending?.count]).toEqual([2, 2]);
    const [third] = run(config, second!, [[T0 + 2 * HOUR, evaluate(STRESS)]]);
    expect([third!.currentState, third!.evaluation?.confirmations, third!.pending]).toEqual(['DEFENSIVE', 3, null]);
  });

  it('a cooldown gate reports the confirmations pending for its target, and 0 for another target', () => {
    const config = resolveStateConfig({ confirmationCycles: 2, cooldownHours: 24, hysteresis: zeroHysteresis });
    const base = modelFromSnapshot(plain({ previousState: 'DEFENSIVE' }), T0);
    const same = { ...base, pending: { target: 'DEFENSIVE' as const, count: 1 } };
    const other = { ...base, pending: { target: 'AGGRESSIVE' as const, count: 1 } };
    expect(run(config, same, [[T0 + HOUR, evaluate(STRESS)]])[0]!.evaluation).toMatchObject({ gate: 'COOLDOWN', confirmations: 1 });
    expect(run(config, other, [[T0 + HOUR, evaluate(STRESS)]])[0]!.evaluation).toMatchObject({ gate: 'COOLDOWN', confirmations: 0 });
  });

  it('a hysteresis gate reports the confirmations pending for its target, and 0 for another target', () => {
    const config = resolveStateConfig({ confirmationCycles: 2 });
    const base = initialOperatingState('BALANCED', T0);
    const same = { ...base, pending: { target: 'DEFENSIVE' as const, count: 1 } };
    const other = { ...base, pending: { target: 'AGGRESSIVE' as const, count: 1 } };
    expect(run(config, same, [[T0 + HOUR, evaluate(STRESS)]])[0]!.evaluation).toMatchObject({ gate: 'HYSTERESIS', confirmations: 1 });
    expect(run(config, other, [[T0 + HOUR, evaluate(STRESS)]])[0]!.evaluation).toMatchObject({ gate: 'HYSTERESIS', confirmations: 0 });
  });

  it('a confirming target that changes starts counting again from 1', () => {
    const config = resolveStateConfig({ confirmationCycles: 2, cooldownHours: 0, hysteresis: zeroHysteresis });
    const start = { ...initialOperatingState('BALANCED', T0), pending: { target: 'AGGRESSIVE' as const, count: 1 } };
    const [next] = run(config, start, [[T0 + HOUR, evaluate(STRESS)]]);
    expect(next!.pending).toEqual({ target: 'DEFENSIVE', count: 1 });
    expect(next!.evaluation).toMatchObject({ gate: 'CONFIRMING', confirmations: 1 });
  });
});

describe('the evaluation record', () => {
  const config = resolveStateConfig();

  it('in BALANCED checks the demotion, then the promotion, and names the last checked when none fired', () => {
    const [model] = run(config, initialOperatingState('BALANCED', T0), [[T0 + HOUR, evaluate(CALM)]]);
    const record = model!.evaluation!;
    expect(record).toMatchObject({ at: T0 + HOUR, state: 'BALANCED', rule: 'BALANCED_TO_AGGRESSIVE', proposed: null, gate: null, safety: 'NORMAL', confirmations: 0 });
    expect(record.checks.map((c) => [c.rule, c.fired])).toEqual([
      ['BALANCED_TO_DEFENSIVE', false],
      ['BALANCED_TO_AGGRESSIVE', false],
    ]);
    expect(record.conditions).toBe(record.checks[1]!.conditions);
  });

  it('stops at the first rule that fires and names it', () => {
    const [model] = run(config, initialOperatingState('BALANCED', T0), [[T0 + HOUR, evaluate(STRESS)]]);
    expect(model!.evaluation!.checks.map((c) => c.rule)).toEqual(['BALANCED_TO_DEFENSIVE']);
    expect(model!.evaluation).toMatchObject({ rule: 'BALANCED_TO_DEFENSIVE', proposed: 'DEFENSIVE' });
    const [bull] = run(config, initialOperatingState('BALANCED', T0), [[T0 + HOUR, evaluate(BULL)]]);
    expect(bull!.evaluation).toMatchObject({ rule: 'BALANCED_TO_AGGRESSIVE', proposed: 'AGGRESSIVE' });
  });

  it('is gated by LOCKDOWN while halted and by OVERRIDE while an override is in force, pending nothing', () => {
    const start = { ...initialOperatingState('BALANCED', T0 - 30 * DAY), pending: { target: 'DEFENSIVE' as const, count: 1 } };
    const [halted] = run(config, start, [[T0, { kind: 'EVALUATE', metrics: STRESS, safety: 'LOCKDOWN' }]]);
    expect([halted!.evaluation?.gate, halted!.pending, halted!.currentState]).toEqual(['LOCKDOWN', null, 'BALANCED']);
    const [, overridden] = run(config, start, [
      [T0, { kind: 'OVERRIDE', override: override('AGGRESSIVE', T0, 2) }],
      [T0 + HOUR, evaluate(STRESS)],
    ]);
    expect([overridden!.evaluation?.gate, overridden!.pending, overridden!.currentState]).toEqual(['OVERRIDE', null, 'AGGRESSIVE']);
  });

  it('an evaluation without safety keeps the last safety state seen', () => {
    const [, model] = run(config, initialOperatingState('BALANCED', T0), [
      [T0, { kind: 'SAFETY', safety: 'WARNING' }],
      [T0 + HOUR, evaluate(CALM)],
    ]);
    expect(model!.evaluation?.safety).toBe('WARNING');
    expect(model!.safety).toBe('WARNING');
  });

  it('clears the transitions and the evaluation of the previous reduction', () => {
    const [failed, checked] = run(config, initialOperatingState('BALANCED', T0), [
      [T0, { kind: 'EVALUATE', metrics: CALM, safety: 'FAIL' }],
      [T0 + 1, { kind: 'CHECK_EXPIRY' }],
    ]);
    expect(failed!.transitions).toHaveLength(1);
    expect([checked!.transitions, checked!.evaluation]).toEqual([[], null]);
  });
});

describe('safety and overrides', () => {
  const config = resolveStateConfig();

  it('FAIL moves to DEFENSIVE whatever the gates, and says which override it cancelled', () => {
    const [, failed] = run(config, initialOperatingState('BALANCED', T0), [
      [T0, { kind: 'OVERRIDE', override: override('AGGRESSIVE', T0, 2) }],
      [T0 + 1, { kind: 'SAFETY', safety: 'FAIL' }],
    ]);
    expect(failed!.override).toBeNull();
    expect(failed!.transitions).toEqual([{ from: 'AGGRESSIVE', to: 'DEFENSIVE', at: T0 + 1, cause: 'SAFETY', reason: 'safety FAIL (override by op-7 cancelled)' }]);
    const [plainFail] = run(config, initialOperatingState('BALANCED', T0), [[T0 + 1, { kind: 'SAFETY', safety: 'FAIL' }]]);
    expect(plainFail!.transitionReason).toBe('safety FAIL');
  });

  it('refuses an override while safety is FAIL, changing nothing', () => {
    const [failed] = run(config, initialOperatingState('BALANCED', T0), [[T0, { kind: 'SAFETY', safety: 'FAIL' }]]);
    const reduce = createOperatingStateReducer(config);
    expect(() => reduce(failed!, { kind: 'OVERRIDE', override: override('AGGRESSIVE', T0, 2) }, T0 + 1)).toThrow(
      new OverrideError('safety', 'expected no override while safety is FAIL (safety outranks overrides), got FAIL'),
    );
  });

  it('an override to the state already held restarts no clock and records no transition', () => {
    const [model] = run(config, initialOperatingState('BALANCED', T0), [[T0 + DAY, { kind: 'OVERRIDE', override: override('BALANCED', T0 + DAY, 2) }]]);
    expect([model!.transitions, model!.stateSince, model!.lastTransitionAt]).toEqual([[], T0, null]);
    expect(model!.override).not.toBeNull();
  });

  it('an override expires exactly at its expiry time, reverting with the reason', () => {
    const o = override('AGGRESSIVE', T0, 2, 'DEFENSIVE');
    const [, before, at] = run(config, initialOperatingState('BALANCED', T0), [
      [T0, { kind: 'OVERRIDE', override: o }],
      [o.expiryTime - 1, { kind: 'CHECK_EXPIRY' }],
      [o.expiryTime, { kind: 'CHECK_EXPIRY' }],
    ]);
    expect(before!.override).not.toBeNull();
    expect(at!.override).toBeNull();
    expect(at!.transitions).toEqual([{ from: 'AGGRESSIVE', to: 'DEFENSIVE', at: o.expiryTime, cause: 'EXPIRY', reason: 'override by op-7 expired; reverting to DEFENSIVE' }]);
  });

  it('leaving lockdown moves AGGRESSIVE to BALANCED and leaves other states alone', () => {
    const [, released] = run(config, initialOperatingState('AGGRESSIVE', T0), [
      [T0, { kind: 'SAFETY', safety: 'LOCKDOWN' }],
      [T0 + 1, { kind: 'SAFETY', safety: 'WARNING' }],
    ]);
    expect(released!.transitions).toEqual([
      { from: 'AGGRESSIVE', to: 'BALANCED', at: T0 + 1, cause: 'LOCKDOWN_RELEASE', reason: 'lockdown released (safety WARNING): AGGRESSIVE resumes as BALANCED' },
    ]);
    const [, stays] = run(config, initialOperatingState('DEFENSIVE', T0), [
      [T0, { kind: 'SAFETY', safety: 'LOCKDOWN' }],
      [T0 + 1, { kind: 'SAFETY', safety: 'NORMAL' }],
    ]);
    expect([stays!.transitions, stays!.tradingHalted]).toEqual([[], false]);
    const [notLocked] = run(config, initialOperatingState('AGGRESSIVE', T0), [[T0, { kind: 'SAFETY', safety: 'WARNING' }]]);
    expect(notLocked!.transitions).toEqual([]);
  });

  it('refuses an unknown input kind with a typed message', () => {
    const reduce = createOperatingStateReducer(config);
    expect(() => reduce(initialOperatingState('BALANCED', T0), { kind: 'RESET' } as never, T0)).toThrow(
      new TypeError('input.kind: expected EVALUATE, SAFETY, OVERRIDE or CHECK_EXPIRY, got "RESET"'),
    );
  });
});

describe('what each input clears', () => {
  const config = resolveStateConfig();
  const pendingIn = (state: 'BALANCED' | 'DEFENSIVE'): OperatingStateModel => ({ ...initialOperatingState(state, T0), pending: { target: 'AGGRESSIVE', count: 1 } });

  it('a fresh model: the state, its clock, and nothing else yet', () => {
    expect(initialOperatingState('DEFENSIVE', T0)).toEqual({
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
  });

  it('lockdown drops the pending confirmation', () => {
    const [model] = run(config, pendingIn('BALANCED'), [[T0, { kind: 'SAFETY', safety: 'LOCKDOWN' }]]);
    expect([model!.pending, model!.tradingHalted, model!.safety]).toEqual([null, true, 'LOCKDOWN']);
  });

  it('safety FAIL drops the pending confirmation even when already DEFENSIVE', () => {
    const [model] = run(config, pendingIn('DEFENSIVE'), [[T0, { kind: 'SAFETY', safety: 'FAIL' }]]);
    expect([model!.pending, model!.transitions]).toEqual([null, []]);
  });

  it('an override drops the pending confirmation, even to the state already held, and gives its reason', () => {
    const [same] = run(config, pendingIn('BALANCED'), [[T0, { kind: 'OVERRIDE', override: override('BALANCED', T0, 1) }]]);
    expect(same!.pending).toBeNull();
    const [moved] = run(config, initialOperatingState('BALANCED', T0), [[T0, { kind: 'OVERRIDE', override: override('DEFENSIVE', T0, 1) }]]);
    expect(moved!.transitionReason).toBe('override by op-7: desk call');
  });

  it('a safety change or an override clears the previous evaluation', () => {
    const [, afterSafety] = run(config, initialOperatingState('BALANCED', T0), [
      [T0, evaluate()],
      [T0 + 1, { kind: 'SAFETY', safety: 'WARNING' }],
    ]);
    expect(afterSafety!.evaluation).toBeNull();
    const [, afterOverride] = run(config, initialOperatingState('BALANCED', T0), [
      [T0, evaluate()],
      [T0 + 1, { kind: 'OVERRIDE', override: override('DEFENSIVE', T0 + 1, 1) }],
    ]);
    expect(afterOverride!.evaluation).toBeNull();
    const [, afterEvaluate] = run(config, initialOperatingState('BALANCED', T0), [
      [T0, { kind: 'SAFETY', safety: 'FAIL' }],
      [T0 + 1, evaluate()],
    ]);
    expect(afterEvaluate!.transitions).toEqual([]);
  });

  it('no cooldown applies before the first transition, however early the clock', () => {
    const config0 = resolveStateConfig({ confirmationCycles: 1, cooldownHours: 24, hysteresis: { balanced: { minDurationDays: 0 } } });
    const [model] = run(config0, initialOperatingState('BALANCED', 0), [[HOUR, evaluate(STRESS)]]);
    expect([model!.currentState, model!.evaluation?.gate]).toEqual(['DEFENSIVE', null]);
  });
});
