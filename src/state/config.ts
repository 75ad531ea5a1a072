/**
 * The typed operating-state configuration: the camelCased `operating_state:` block of
 * `config/state.yaml`.
 */
import type { OperatingState } from './contracts.js';

/** Minimum time in a state before a rule may move it. */
export interface HysteresisConfig {
  readonly minDurationDays: number;
}

/** The whole operating-state configuration. Thresholds are fractions (0.05 = 5 %). */
export interface StateConfig {
  /** The state a fresh manager starts in. */
  readonly default: OperatingState;
  readonly hysteresis: {
    readonly aggressive: HysteresisConfig;
    readonly balanced: HysteresisConfig;
    readonly defensive: HysteresisConfig;
  };
  readonly cooldownHours: number;
  readonly confirmationCycles: number;
  /** Minutes between evaluation cycles in the reactive form. */
  readonly cycleMinutes: number;
  readonly transitions: {
    readonly aggressiveToBalanced: {
      readonly drawdownPct: number;
      readonly vix: number;
      readonly consecutiveScalpLosses: number;
      readonly dailyLossPct: number;
    };
    readonly balancedToDefensive: {
      readonly drawdownPct: number;
      readonly vix: number;
    };
    readonly defensiveToBalanced: {
      readonly drawdownPct: number;
      readonly vix: number;
      readonly consecutiveProfitableDays: number;
      readonly minDurationDays: number;
    };
    readonly balancedToAggressive: {
      readonly vix: number;
      readonly capitalGrowthPct: number;
      readonly winRate30d: number;
      readonly minDurationDays: number;
    };
  };
  readonly override: {
    readonly maxDurationDays: number;
  };
}

import type { DeepPartial } from '../event/config.js';

// TEMPORARY until the loader lands: the design's defaults.
const TEMP_DEFAULT: StateConfig = {
  default: 'BALANCED',
  hysteresis: { aggressive: { minDurationDays: 7 }, balanced: { minDurationDays: 5 }, defensive: { minDurationDays: 3 } },
  cooldownHours: 24,
  confirmationCycles: 2,
  cycleMinutes: 60,
  transitions: {
    aggressiveToBalanced: { drawdownPct: 0.05, vix: 25, consecutiveScalpLosses: 5, dailyLossPct: 0.02 },
    balancedToDefensive: { drawdownPct: 0.1, vix: 30 },
    defensiveToBalanced: { drawdownPct: 0.05, vix: 20, consecutiveProfitableDays: 3, minDurationDays: 5 },
    balancedToAggressive: { vix: 15, capitalGrowthPct: 0.1, winRate30d: 0.6, minDurationDays: 10 },
  },
  override: { maxDurationDays: 7 },
};

/** The full configuration: `partial` deep-merged over the shipped defaults, validated. */
export function resolveStateConfig(partial: DeepPartial<StateConfig> = {}): StateConfig {
  return { ...TEMP_DEFAULT, ...(partial as object) } as StateConfig;
}
