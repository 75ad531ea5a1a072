/**
 * The typed operating-state configuration: the camelCased `operating_state:` block of
 * `config/state.yaml`.
 *
 * The shipped file is the single source of the defaults; files and partials from code are
 * deep-merged over it, validated, and returned deeply frozen.
 */
import { SHIPPED_STATE_YAML } from '../config/shipped.js';
import { createConfigLoader } from '../config/loader.js';
import {
  fraction,
  growthRate,
  nonNegativeInteger,
  nonNegativeNumber,
  oneOf,
  positiveInteger,
  positiveNumber,
  section,
} from '../config/schema.js';
import type { DeepPartial } from '../common/plain.js';
import { OperatingState } from './contracts.js';

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

const hysteresisSchema = section({ min_duration_days: nonNegativeNumber('days') });

const stateBlockSchema = section({
  default: oneOf(Object.values(OperatingState) as [OperatingState, ...OperatingState[]]),
  hysteresis: section({ aggressive: hysteresisSchema, balanced: hysteresisSchema, defensive: hysteresisSchema }),
  cooldown_hours: nonNegativeNumber('hours'),
  confirmation_cycles: positiveInteger(),
  cycle_minutes: positiveNumber('minutes'),
  transitions: section({
    aggressive_to_balanced: section({
      drawdown_pct: fraction(),
      vix: nonNegativeNumber(),
      consecutive_scalp_losses: nonNegativeInteger(),
      daily_loss_pct: fraction(),
    }),
    balanced_to_defensive: section({ drawdown_pct: fraction(), vix: nonNegativeNumber() }),
    defensive_to_balanced: section({
      drawdown_pct: fraction(),
      vix: nonNegativeNumber(),
      consecutive_profitable_days: nonNegativeInteger(),
      min_duration_days: nonNegativeNumber('days'),
    }),
    balanced_to_aggressive: section({
      vix: nonNegativeNumber(),
      capital_growth_pct: growthRate(),
      win_rate_30d: fraction(),
      min_duration_days: nonNegativeNumber('days'),
    }),
  }),
  override: section({ max_duration_days: positiveNumber('days') }),
});

type StateBlock = ReturnType<typeof stateBlockSchema.parse>;

const loader = createConfigLoader<StateBlock, StateConfig>({
  rootKey: 'operating_state',
  schema: stateBlockSchema,
  crossCheck: () => [],
  shipped: { text: SHIPPED_STATE_YAML, file: 'config/state.yaml' },
});

/**
 * The shipped defaults (`config/state.yaml`, built into the package), parsed once on first use,
 * deeply frozen. Reading a file of your own: `loadStateConfig` from `qts-reactive/node`.
 */
export function defaultStateConfig(): StateConfig {
  return loader.defaults();
}

/**
 * Parses an operating-state configuration from YAML text and deep-merges it over the defaults.
 * @param text a YAML document with an `operating_state:` block (every key optional)
 * @param fileName named in error messages
 * @throws {ConfigError} naming the file, line:column, key path, what was expected and what came
 */
export function parseStateConfig(text: string, fileName?: string): StateConfig {
  return loader.parse(text, fileName);
}

/**
 * The full configuration: `partial` (camelCase, as from code) deep-merged over the shipped
 * defaults, validated with the same rules and messages as a file (without file and line).
 *
 * @example
 * ```ts
 * const config = resolveStateConfig({ hysteresis: { defensive: { minDurationDays: 1 } } });
 * config.hysteresis.balanced.minDurationDays; // 5, the default
 * ```
 * @throws {ConfigError} naming the snake_case key path, what was expected and what came
 */
export function resolveStateConfig(partial?: DeepPartial<StateConfig>): StateConfig {
  return loader.resolve(partial);
}
