import { describe, expect, it } from 'vitest';
import {
  PERSISTED_STATE_FORMAT,
  STATE_PROPERTIES,
  initialOperatingState,
  modelFromSnapshot,
  persistedSnapshotOf,
  resolveStateConfig,
  snapshotOf,
  type OperatingStateInput,
  type OperatingStateSnapshot,
  type TransitionMetrics,
} from '../../src/index.js';
import { DAY, HOUR, STRESS, override, reduceEach as run } from './fixtures.js';

/** The model ↔ snapshot functions of the reducer module: restoring a model, and the snapshots of one. */

const T0 = 1_000 * DAY;
const evaluate = (metrics: TransitionMetrics): OperatingStateInput => ({ kind: 'EVALUATE', metrics });
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

