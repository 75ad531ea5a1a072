/**
 * The operating-state reducer: one pure function of (state, input, now), shared by
 * {@link OperatingStateManager} and the reactive `operatingState$`. It applies safety precedence,
 * overrides and their expiry, the rules, and the anti-flapping gates in their order
 * (HYSTERESIS, COOLDOWN, CONFIRMING), and records what each reduction produced: the transitions
 * and the explained evaluation.
 */
import { castDraft, produce, type Draft } from 'immer';
import { parseSafetyState, type SafetyState } from '../safety/state.js';
import type {
  ManualOverride,
  OperatingState,
  OperatingStateSnapshot,
  PendingConfirmation,
  PersistedOperatingState,
  StateTransition,
  TransitionCause,
  TransitionMetrics,
} from './contracts.js';
import { PERSISTED_STATE_FORMAT } from './contracts.js';
import type { StateConfig } from './config.js';
import { DAY_MS, OverrideError, validateOverride } from './overrides.js';
import { STATE_PROPERTIES } from './properties.js';
import {
  buildTransitionRules,
  describeFiredRule,
  evaluateRule,
  parseTransitionMetrics,
  type ConditionResult,
  type RuleEvaluation,
  type RuleName,
} from './rules.js';

const HOUR_MS = 3_600_000;

/** The gate that held a proposed rule-driven transition back, in the order they are checked. */
export type EvaluationGate = 'LOCKDOWN' | 'OVERRIDE' | 'HYSTERESIS' | 'COOLDOWN' | 'CONFIRMING';

/** One rule as it was checked in a cycle. */
export interface RuleCheck {
  readonly rule: RuleName;
  readonly conditions: readonly ConditionResult[];
  readonly fired: boolean;
}

/**
 * The explanation of one evaluation cycle, emitted for every cycle: the rule that decided (the one
 * that fired, else the last one checked), each of its conditions, the proposed target and the gate
 * that held it back (null when nothing was held back).
 */
export interface EvaluationRecord {
  /** Epoch ms of the cycle. */
  readonly at: number;
  /** The state the rules were checked in (after safety and override expiry were applied). */
  readonly state: OperatingState;
  readonly rule: RuleName;
  readonly conditions: readonly ConditionResult[];
  readonly proposed: OperatingState | null;
  readonly gate: EvaluationGate | null;
  /** The safety state of the cycle. */
  readonly safety: SafetyState;
  /** Consecutive cycles that have proposed `proposed` (0 when nothing is pending). */
  readonly confirmations: number;
  /** Every rule checked this cycle, in order (in BALANCED: demotion, then promotion). */
  readonly checks: readonly RuleCheck[];
}

/** The reducer's state: the operating state with its clocks, and what the last reduction produced. */
export interface OperatingStateModel {
  readonly currentState: OperatingState;
  readonly previousState: OperatingState | null;
  /** Epoch ms at which the time-in-state clock started. */
  readonly stateSince: number;
  readonly transitionReason: string | null;
  /** Epoch ms of the last transition of any cause (the cooldown start); null before the first. */
  readonly lastTransitionAt: number | null;
  readonly override: ManualOverride | null;
  readonly pending: PendingConfirmation | null;
  /** The last safety state seen. */
  readonly safety: SafetyState;
  /** True while safety is LOCKDOWN. */
  readonly tradingHalted: boolean;
  /** The transitions the last reduction made (usually none or one). */
  readonly transitions: readonly StateTransition[];
  /** The evaluation the last reduction explained, when it was an evaluation cycle. */
  readonly evaluation: EvaluationRecord | null;
}

/** What the reducer consumes. */
export type OperatingStateInput =
  /** An evaluation cycle; `safety` defaults to the last safety state seen. */
  | { readonly kind: 'EVALUATE'; readonly metrics: TransitionMetrics; readonly safety?: SafetyState }
  /** The safety system changed (or repeated) its state. */
  | { readonly kind: 'SAFETY'; readonly safety: SafetyState }
  /** An operator applies a manual override. */
  | { readonly kind: 'OVERRIDE'; readonly override: ManualOverride }
  /** Revert an override whose expiry has come. */
  | { readonly kind: 'CHECK_EXPIRY' };

/** A pure reducer of the operating state. Throws a typed error on invalid input, changing nothing. */
export type OperatingStateReducer = (state: OperatingStateModel, input: OperatingStateInput, now: number) => OperatingStateModel;

/** A fresh model in `state`, its clock starting at `now`, no transition yet (so no cooldown). */
export function initialOperatingState(state: OperatingState, now: number): OperatingStateModel {
  return Object.freeze({
    currentState: state,
    previousState: null,
    stateSince: now,
    transitionReason: null,
    lastTransitionAt: null,
    override: null,
    pending: null,
    safety: 'NORMAL',
    tradingHalted: false,
    transitions: Object.freeze([]),
    evaluation: null,
  });
}

function isPersisted(s: OperatingStateSnapshot): s is PersistedOperatingState {
  return (s as Partial<PersistedOperatingState>).format === PERSISTED_STATE_FORMAT;
}

/**
 * The model a snapshot describes. A persisted snapshot restores everything (override, cooldown,
 * pending confirmation, safety); a plain snapshot restores the state and its clock, counts its
 * transition time as the cooldown start when it records a previous state, and carries no override.
 * An override that expired while the snapshot was stored is reverted at the first check.
 */
export function modelFromSnapshot(snapshot: OperatingStateSnapshot, now: number): OperatingStateModel {
  const stateSince = snapshot.transitionTimestamp ?? now;
  const base = {
    currentState: snapshot.currentState,
    previousState: snapshot.previousState,
    stateSince,
    transitionReason: snapshot.transitionReason,
    tradingHalted: snapshot.tradingHalted,
    transitions: Object.freeze([]),
    evaluation: null,
  };
  if (isPersisted(snapshot)) {
    return Object.freeze({
      ...base,
      lastTransitionAt: snapshot.lastTransitionAt,
      override: snapshot.override === null ? null : Object.freeze({ ...snapshot.override }),
      pending: snapshot.pendingConfirmation === null ? null : Object.freeze({ ...snapshot.pendingConfirmation }),
      safety: snapshot.safety,
    });
  }
  return Object.freeze({
    ...base,
    lastTransitionAt: snapshot.previousState !== null ? stateSince : null,
    override: null,
    pending: null,
    safety: snapshot.tradingHalted ? 'LOCKDOWN' : 'NORMAL',
  });
}

/** The public snapshot of `model` at `now`. */
export function snapshotOf(model: OperatingStateModel, now: number): OperatingStateSnapshot {
  return Object.freeze({
    currentState: model.currentState,
    previousState: model.previousState,
    transitionTimestamp: model.stateSince,
    transitionReason: model.transitionReason,
    manualOverride: model.override !== null,
    overrideExpiry: model.override?.expiryTime ?? null,
    stateDurationDays: Math.max(0, now - model.stateSince) / DAY_MS,
    properties: STATE_PROPERTIES[model.currentState],
    tradingHalted: model.tradingHalted,
  });
}

/** The persisted snapshot of `model` at `now`: the public snapshot plus every timer. */
export function persistedSnapshotOf(model: OperatingStateModel, now: number): PersistedOperatingState {
  return Object.freeze({
    format: PERSISTED_STATE_FORMAT,
    version: 1,
    savedAt: now,
    ...snapshotOf(model, now),
    override: model.override,
    lastTransitionAt: model.lastTransitionAt,
    pendingConfirmation: model.pending,
    safety: model.safety,
  });
}

type DraftModel = Draft<OperatingStateModel>;

function transition(draft: DraftModel, to: OperatingState, cause: TransitionCause, reason: string, now: number): void {
  // An override or expiry to the state already held records nothing and restarts no clock.
  if (draft.currentState === to) return;
  draft.transitions.push({ from: draft.currentState, to, at: now, cause, reason });
  draft.previousState = draft.currentState;
  draft.currentState = to;
  draft.stateSince = now;
  draft.lastTransitionAt = now;
  draft.transitionReason = reason;
  draft.pending = null;
}

function applySafety(draft: DraftModel, safety: SafetyState, now: number): void {
  const leavingLockdown = draft.safety === 'LOCKDOWN' && safety !== 'LOCKDOWN';
  draft.safety = safety;
  draft.tradingHalted = safety === 'LOCKDOWN';
  if (safety === 'LOCKDOWN') {
    draft.pending = null;
  } else if (safety === 'FAIL') {
    // Safety beats everything: no gate applies, and an override is cancelled.
    const cancelled = draft.override;
    draft.override = null;
    draft.pending = null;
    const reason = cancelled === null ? 'safety FAIL' : `safety FAIL (override by ${cancelled.operatorId} cancelled)`;
    transition(draft, 'DEFENSIVE', 'SAFETY', reason, now);
  } else if (leavingLockdown && draft.currentState === 'AGGRESSIVE') {
    transition(draft, 'BALANCED', 'LOCKDOWN_RELEASE', `lockdown released (safety ${safety}): AGGRESSIVE resumes as BALANCED`, now);
  }
}

function checkExpiry(draft: DraftModel, now: number): void {
  const o = draft.override;
  if (o === null || now < o.expiryTime) return;
  draft.override = null;
  transition(draft, o.autoRevertState, 'EXPIRY', `override by ${o.operatorId} expired; reverting to ${o.autoRevertState}`, now);
}

/**
 * Builds the reducer for `config`. The reducer is pure: it reads no clock (time is `now`), and on
 * invalid input it throws a typed error ({@link MetricsError}, `SafetyStateError`,
 * {@link OverrideError}) before changing anything.
 */
export function createOperatingStateReducer(config: StateConfig): OperatingStateReducer {
  const rulesByState = buildTransitionRules(config);
  const minDurationMs: Record<OperatingState, number> = {
    AGGRESSIVE: config.hysteresis.aggressive.minDurationDays * DAY_MS,
    BALANCED: config.hysteresis.balanced.minDurationDays * DAY_MS,
    DEFENSIVE: config.hysteresis.defensive.minDurationDays * DAY_MS,
  };
  const cooldownMs = config.cooldownHours * HOUR_MS;
  const confirmationCycles = Math.max(1, config.confirmationCycles);

  function evaluate(draft: DraftModel, metrics: TransitionMetrics, safety: SafetyState, now: number): void {
    applySafety(draft, safety, now);
    checkExpiry(draft, now);
    const state = draft.currentState;
    const checks: RuleEvaluation[] = [];
    let fired: RuleEvaluation | undefined;
    for (const rule of rulesByState[state]) {
      const result = evaluateRule(rule, metrics, safety);
      checks.push(result);
      if (result.fired) {
        fired = result;
        break;
      }
    }
    const decisive = fired ?? checks[checks.length - 1]!;
    const proposed = fired?.rule.to ?? null;
    let gate: EvaluationGate | null = null;
    let confirmations = 0;
    if (draft.tradingHalted) {
      gate = 'LOCKDOWN';
      draft.pending = null;
    } else if (draft.override !== null) {
      gate = 'OVERRIDE';
      draft.pending = null;
    } else if (fired === undefined || safety === 'FAIL') {
      draft.pending = null;
    } else {
      const inStateMs = now - draft.stateSince;
      const requiredMs = Math.max(minDurationMs[state], fired.rule.minDurationDays * DAY_MS);
      if (inStateMs < requiredMs) {
        gate = 'HYSTERESIS';
        confirmations = draft.pending?.target === fired.rule.to ? draft.pending.count : 0;
      } else if (draft.lastTransitionAt !== null && now - draft.lastTransitionAt < cooldownMs) {
        gate = 'COOLDOWN';
        confirmations = draft.pending?.target === fired.rule.to ? draft.pending.count : 0;
      } else {
        confirmations = draft.pending?.target === fired.rule.to ? draft.pending.count + 1 : 1;
        if (confirmations >= confirmationCycles) {
          transition(draft, fired.rule.to, 'RULE', describeFiredRule(fired), now);
        } else {
          draft.pending = { target: fired.rule.to, count: confirmations };
          gate = 'CONFIRMING';
        }
      }
    }
    const record: EvaluationRecord = {
      at: now,
      state,
      rule: decisive.rule.name,
      conditions: decisive.conditions,
      proposed,
      gate,
      safety,
      confirmations,
      checks: checks.map((c) => ({ rule: c.rule.name, conditions: c.conditions, fired: c.fired })),
    };
    draft.evaluation = castDraft(record);
  }

  return (model, input, now) => {
    // Validate first: invalid input throws before anything changes.
    switch (input.kind) {
      case 'EVALUATE': {
        const metrics = parseTransitionMetrics(input.metrics);
        const safety = input.safety === undefined ? model.safety : parseSafetyState(input.safety);
        return produce(model, (draft) => {
          draft.transitions = [];
          draft.evaluation = null;
          evaluate(draft, metrics, safety, now);
        });
      }
      case 'SAFETY': {
        const safety = parseSafetyState(input.safety);
        return produce(model, (draft) => {
          draft.transitions = [];
          draft.evaluation = null;
          applySafety(draft, safety, now);
        });
      }
      case 'OVERRIDE': {
        const override = validateOverride(input.override, config, now);
        if (model.safety === 'FAIL') {
          throw new OverrideError('safety', 'expected no override while safety is FAIL (safety outranks overrides), got FAIL');
        }
        return produce(model, (draft) => {
          draft.transitions = [];
          draft.evaluation = null;
          draft.override = override;
          draft.pending = null;
          transition(
            draft,
            override.overrideState,
            'OVERRIDE',
            `override by ${override.operatorId}: ${override.overrideReason}`,
            now,
          );
        });
      }
      case 'CHECK_EXPIRY':
        return produce(model, (draft) => {
          draft.transitions = [];
          draft.evaluation = null;
          checkExpiry(draft, now);
        });
      default:
        throw new TypeError(`input.kind: expected EVALUATE, SAFETY, OVERRIDE or CHECK_EXPIRY, got ${JSON.stringify((input as { kind?: unknown }).kind)}`);
    }
  };
}

/** A plain, frozen record of what the state machine did, for logs, dashboards and debuggers. */
export interface StateTelemetry {
  readonly kind: 'evaluated' | 'transitioned' | 'overridden' | 'overrideCancelled' | 'halted' | 'released';
  /** The operating state after the step. */
  readonly state: OperatingState;
  /** Epoch ms. */
  readonly at: number;
  /** For `evaluated`: the gate, if any. */
  readonly gate?: EvaluationGate | null;
  /** For `transitioned`: the cause and the state left. */
  readonly cause?: TransitionCause;
  readonly from?: OperatingState;
}

/** The telemetry records of one reduction from `prev` to `next`. */
export function telemetryOf(prev: OperatingStateModel, next: OperatingStateModel, now: number): StateTelemetry[] {
  const out: StateTelemetry[] = [];
  if (!prev.tradingHalted && next.tradingHalted) out.push(Object.freeze({ kind: 'halted', state: next.currentState, at: now }));
  if (prev.tradingHalted && !next.tradingHalted) out.push(Object.freeze({ kind: 'released', state: next.currentState, at: now }));
  if (next.override !== null && next.override !== prev.override) {
    out.push(Object.freeze({ kind: 'overridden', state: next.currentState, at: now }));
  }
  const expired = next.transitions.some((t) => t.cause === 'EXPIRY');
  if (prev.override !== null && next.override === null && !expired && now < prev.override.expiryTime) {
    out.push(Object.freeze({ kind: 'overrideCancelled', state: next.currentState, at: now }));
  }
  if (next.evaluation !== null && next !== prev) {
    out.push(Object.freeze({ kind: 'evaluated', state: next.evaluation.state, at: now, gate: next.evaluation.gate }));
  }
  for (const t of next.transitions) {
    if (next === prev) break;
    out.push(Object.freeze({ kind: 'transitioned', state: t.to, from: t.from, cause: t.cause, at: now }));
  }
  return out;
}
