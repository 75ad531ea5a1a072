/**
 * Operating-state contracts: the three states, what each state allows, the metrics that drive
 * transitions, manual overrides and the snapshot a manager reports and restores from.
 */
import { z } from 'zod';
import { SafetyState } from '../safety/state.js';

/** The operating state: how much risk the trading system takes. */
export const OperatingState = {
  AGGRESSIVE: 'AGGRESSIVE',
  BALANCED: 'BALANCED',
  DEFENSIVE: 'DEFENSIVE',
} as const;
/** One of the three operating states. */
export type OperatingState = (typeof OperatingState)[keyof typeof OperatingState];

/** zod schema of {@link OperatingState}. */
export const operatingStateSchema = z.enum(['AGGRESSIVE', 'BALANCED', 'DEFENSIVE']);

/** A `[min, max]` allocation range as fractions of capital. */
export type AllocationRange = readonly [min: number, max: number];

/** The trading limits and switches of one operating state (the values are in `STATE_PROPERTIES`). */
export interface StateProperties {
  readonly scalpAllocationRange: AllocationRange;
  readonly swingAllocationRange: AllocationRange;
  readonly portfolioAllocationRange: AllocationRange;
  readonly riskToleranceMultiplier: number;
  readonly entrySignalThreshold: number;
  readonly maxPositions: number;
  readonly maxDailyTrades: number;
  readonly rebalancingEnabled: boolean;
  readonly newEntryEnabled: boolean;
  readonly scalpEngineActive: boolean;
  readonly swingEngineActive: boolean;
}

const fraction = z.number().min(0).max(1);
const count = z.number().int().nonnegative();
const growth = z.number().min(-1);

/**
 * zod schema of {@link TransitionMetrics}: fractions in [0, 1], VIX ≥ 0, non-negative integer
 * counts, growth rates ≥ −1 and unbounded above. NaN fails every check.
 */
export const transitionMetricsSchema = z.strictObject({
  drawdownPct: fraction,
  vix: z.number().nonnegative(),
  consecutiveScalpLosses: count,
  dailyLossPct: fraction,
  marketCircuitBreaker: z.boolean(),
  consecutiveProfitableDays: count,
  cagr: growth,
  targetCagr: growth,
  capitalGrowthPct: growth,
  winRate30d: fraction,
});

/** The metrics one evaluation cycle judges. Fractions: 0.05 = 5 %. */
export interface TransitionMetrics {
  /** 1 − equity / peak equity, in [0, 1]. */
  readonly drawdownPct: number;
  /** The VIX close, ≥ 0. */
  readonly vix: number;
  readonly consecutiveScalpLosses: number;
  /** Today's loss as a fraction, in [0, 1]. */
  readonly dailyLossPct: number;
  readonly marketCircuitBreaker: boolean;
  readonly consecutiveProfitableDays: number;
  /** Annualised growth, ≥ −1. */
  readonly cagr: number;
  readonly targetCagr: number;
  /** Growth since inception, ≥ −1. */
  readonly capitalGrowthPct: number;
  /** Share of winning days over the last 30, in [0, 1]. */
  readonly winRate30d: number;
}

/** A manual override: an operator forces a state until `expiryTime`. Times are epoch ms. */
export interface ManualOverride {
  readonly overrideState: OperatingState;
  readonly overrideReason: string;
  readonly operatorId: string;
  readonly overrideTime: number;
  /** At most `override.max_duration_days` after `overrideTime`, and after it. */
  readonly expiryTime: number;
  /** The state restored at expiry. */
  readonly autoRevertState: OperatingState;
}

/** zod schema of {@link ManualOverride} (shape only; the length limit is checked against config). */
export const manualOverrideSchema = z.strictObject({
  overrideState: operatingStateSchema,
  overrideReason: z.string().min(1),
  operatorId: z.string().min(1),
  overrideTime: z.number().refine(Number.isFinite, 'expected finite epoch milliseconds'),
  expiryTime: z.number().refine(Number.isFinite, 'expected finite epoch milliseconds'),
  autoRevertState: operatingStateSchema,
});

/** What the manager reports about itself; times are epoch ms. */
export interface OperatingStateSnapshot {
  readonly currentState: OperatingState;
  readonly previousState: OperatingState | null;
  /** When the current state was entered (or the clock started). */
  readonly transitionTimestamp: number | null;
  readonly transitionReason: string | null;
  readonly manualOverride: boolean;
  readonly overrideExpiry: number | null;
  readonly stateDurationDays: number;
  readonly properties: StateProperties;
  /** True while safety is LOCKDOWN: no new entries whatever the state says. */
  readonly tradingHalted: boolean;
}

/** What caused a transition: a rule, the safety system, a lockdown ending, an override or its expiry. */
export type TransitionCause = 'RULE' | 'SAFETY' | 'LOCKDOWN_RELEASE' | 'OVERRIDE' | 'EXPIRY';

/** One change of operating state, with its cause and a reason naming what fired (e.g. `vix 31.2 > 30`). */
export interface StateTransition {
  readonly from: OperatingState;
  readonly to: OperatingState;
  /** Epoch ms from the manager's scheduler. */
  readonly at: number;
  readonly cause: TransitionCause;
  readonly reason: string;
}

/** A rule-driven target waiting for its confirmation cycles. */
export interface PendingConfirmation {
  readonly target: OperatingState;
  /** Consecutive cycles that proposed `target` so far. */
  readonly count: number;
}

const epochMs = z.number().refine(Number.isFinite, 'expected finite epoch milliseconds');
const safetyStateSchema = z.enum(SafetyState);

/** The format marker of a persisted snapshot; a file without it is not ours. */
export const PERSISTED_STATE_FORMAT = 'qts-reactive/operating-state' as const;

/**
 * A snapshot with everything a restarted process needs to resume with its timers intact: the
 * active override, the cooldown start, the pending confirmation and the last known safety state.
 */
export interface PersistedOperatingState extends OperatingStateSnapshot {
  readonly format: typeof PERSISTED_STATE_FORMAT;
  readonly version: 1;
  /** Epoch ms at which the snapshot was taken. */
  readonly savedAt: number;
  /** The active override, or null. */
  readonly override: ManualOverride | null;
  /** When the cooldown started: the last transition of any cause, or null before the first. */
  readonly lastTransitionAt: number | null;
  readonly pendingConfirmation: PendingConfirmation | null;
  /** The last safety state the manager saw. */
  readonly safety: SafetyState;
}

const range = z.tuple([z.number(), z.number()]);

/**
 * zod schema of the state fields of a plain {@link OperatingStateSnapshot} (what `getSnapshot()`
 * returns), enough to restore the state and its clock.
 */
export const operatingStateSnapshotSchema = z.object({
  currentState: operatingStateSchema,
  previousState: operatingStateSchema.nullable(),
  transitionTimestamp: epochMs.nullable(),
  transitionReason: z.string().nullable(),
  manualOverride: z.boolean(),
  overrideExpiry: epochMs.nullable(),
  tradingHalted: z.boolean(),
});

/** zod schema of {@link PersistedOperatingState}: the plain snapshot's fields and the timers. */
export const persistedOperatingStateSchema = z.strictObject({
  ...operatingStateSnapshotSchema.shape,
  format: z.literal(PERSISTED_STATE_FORMAT),
  version: z.literal(1),
  savedAt: epochMs,
  stateDurationDays: z.number().nonnegative(),
  properties: z.strictObject({
    scalpAllocationRange: range,
    swingAllocationRange: range,
    portfolioAllocationRange: range,
    riskToleranceMultiplier: z.number(),
    entrySignalThreshold: z.number(),
    maxPositions: z.number(),
    maxDailyTrades: z.number(),
    rebalancingEnabled: z.boolean(),
    newEntryEnabled: z.boolean(),
    scalpEngineActive: z.boolean(),
    swingEngineActive: z.boolean(),
  }),
  override: manualOverrideSchema.nullable(),
  lastTransitionAt: epochMs.nullable(),
  pendingConfirmation: z.strictObject({ target: operatingStateSchema, count: z.number().int().positive() }).nullable(),
  safety: safetyStateSchema,
});
