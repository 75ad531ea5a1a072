/**
 * Operating-state contracts: the three states, the metrics that drive transitions, manual
 * overrides and the snapshot a manager reports and restores from.
 */
import { z } from 'zod';
import type { StateProperties } from './properties.js';

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
