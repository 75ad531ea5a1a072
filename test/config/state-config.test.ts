import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  defaultStateConfig,
  parseStateConfig,
  resolveStateConfig,
  type StateConfig,
} from '../../src/index.js';
import { loadStateConfig } from '../../src/node.js';
import { errorOf, isDeeplyFrozen } from './helpers.js';

/** The design's values (seed section 7) plus the documented cycle length. */
const SEED_STATE_CONFIG: StateConfig = {
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

const tempDir = mkdtempSync(join(tmpdir(), 'qts-state-config-'));
afterAll(() => rmSync(tempDir, { recursive: true, force: true }));

describe('the shipped config/state.yaml', () => {
  it('loads to the design values', () => {
    expect(defaultStateConfig()).toEqual(SEED_STATE_CONFIG);
  });

  it('is one cached, deeply frozen object', () => {
    const defaults = defaultStateConfig();
    expect(loadStateConfig()).toBe(defaults);
    expect(resolveStateConfig()).toBe(defaults);
    expect(isDeeplyFrozen(defaults)).toBe(true);
  });

  it('loads by file URL', () => {
    expect(loadStateConfig(new URL('../../config/state.yaml', import.meta.url))).toEqual(SEED_STATE_CONFIG);
  });
});

describe('partial state configurations are deep-merged over the defaults', () => {
  it('from a file', () => {
    const file = join(tempDir, 'cautious.yaml');
    writeFileSync(file, 'operating_state:\n  default: DEFENSIVE\n  transitions:\n    balanced_to_defensive:\n      vix: 28\n');
    const config = loadStateConfig(file);
    expect(config.default).toBe('DEFENSIVE');
    expect(config.transitions.balancedToDefensive).toEqual({ drawdownPct: 0.1, vix: 28 });
    expect(config.transitions.aggressiveToBalanced).toEqual(SEED_STATE_CONFIG.transitions.aggressiveToBalanced);
    expect(isDeeplyFrozen(config)).toBe(true);
  });

  it('from code', () => {
    const config = resolveStateConfig({ hysteresis: { defensive: { minDurationDays: 1 } }, cooldownHours: 0 });
    expect(config.hysteresis).toEqual({ ...SEED_STATE_CONFIG.hysteresis, defensive: { minDurationDays: 1 } });
    expect(config.cooldownHours).toBe(0);
    expect(config.confirmationCycles).toBe(2);
  });
});

const INVALID_FILES: ReadonlyArray<readonly [what: string, text: string, message: string]> = [
  ['an unknown default state', 'operating_state:\n  default: NEUTRAL\n', 's.yaml:2:12 operating_state.default: expected one of AGGRESSIVE, BALANCED, DEFENSIVE, got "NEUTRAL"'],
  ['zero confirmation cycles', 'operating_state:\n  confirmation_cycles: 0\n', 's.yaml:2:24 operating_state.confirmation_cycles: expected a positive integer, got 0'],
  ['fractional confirmation cycles', 'operating_state:\n  confirmation_cycles: 1.5\n', 's.yaml:2:24 operating_state.confirmation_cycles: expected a positive integer, got 1.5'],
  ['a negative cooldown', 'operating_state:\n  cooldown_hours: -1\n', 's.yaml:2:19 operating_state.cooldown_hours: expected a number of hours >= 0, got -1'],
  [
    'a negative hysteresis',
    'operating_state:\n  hysteresis:\n    balanced: {min_duration_days: -2}\n',
    's.yaml:3:35 operating_state.hysteresis.balanced.min_duration_days: expected a number of days >= 0, got -2',
  ],
  ['a zero override limit', 'operating_state:\n  override:\n    max_duration_days: 0\n', 's.yaml:3:24 operating_state.override.max_duration_days: expected a number of days > 0, got 0'],
  ['a zero cycle', 'operating_state:\n  cycle_minutes: 0\n', 's.yaml:2:18 operating_state.cycle_minutes: expected a number of minutes > 0, got 0'],
  [
    'a drawdown given in percent',
    'operating_state:\n  transitions:\n    aggressive_to_balanced:\n      drawdown_pct: 5\n',
    's.yaml:4:21 operating_state.transitions.aggressive_to_balanced.drawdown_pct: expected a fraction in [0, 1], got 5',
  ],
  [
    'a fractional loss count',
    'operating_state:\n  transitions:\n    aggressive_to_balanced:\n      consecutive_scalp_losses: 2.5\n',
    's.yaml:4:33 operating_state.transitions.aggressive_to_balanced.consecutive_scalp_losses: expected a non-negative integer, got 2.5',
  ],
  [
    'a growth below -100 %',
    'operating_state:\n  transitions:\n    balanced_to_aggressive:\n      capital_growth_pct: -1.5\n',
    's.yaml:4:27 operating_state.transitions.balanced_to_aggressive.capital_growth_pct: expected a fraction >= -1, got -1.5',
  ],
  [
    'a misspelt rule',
    'operating_state:\n  transitions:\n    balanced_to_defensiv:\n      vix: 28\n',
    's.yaml:3:5 operating_state.transitions.balanced_to_defensiv: unknown key; did you mean "balanced_to_defensive"?',
  ],
  [
    'a threshold the rule does not have',
    'operating_state:\n  transitions:\n    balanced_to_defensive:\n      win_rate_30d: 0.5\n',
    's.yaml:4:7 operating_state.transitions.balanced_to_defensive.win_rate_30d: unknown key; expected one of drawdown_pct, vix',
  ],
  ['the event block in the state file', 'event:\n  stop_timeout_ms: 1\n', 's.yaml:1:1 event: unknown key; expected one of operating_state'],
  ['a YAML syntax error', 'operating_state:\n  default: BALANCED\n   cooldown_hours: 1\n', 's.yaml:2:12: invalid YAML: Nested mappings are not allowed in compact mappings'],
];

describe('invalid state configuration files', () => {
  it.each(INVALID_FILES)('rejects %s', (_what, text, message) => {
    expect(errorOf(() => parseStateConfig(text, 's.yaml')).message).toBe(message);
  });
});

describe('invalid state configuration partials from code', () => {
  it('rejects a misspelt camelCase key with a suggestion', () => {
    expect(errorOf(() => resolveStateConfig({ cooldownHour: 1 } as never)).message).toBe(
      'operating_state.cooldownHour: unknown key; did you mean "cooldownHours"?',
    );
  });

  it('rejects a negative VIX threshold', () => {
    expect(errorOf(() => resolveStateConfig({ transitions: { balancedToDefensive: { vix: -30 } } })).message).toBe(
      'operating_state.transitions.balanced_to_defensive.vix: expected a number >= 0, got -30',
    );
  });

  it('leaves the defaults untouched', () => {
    errorOf(() => resolveStateConfig({ cooldownHours: 1, confirmationCycles: 0 }));
    expect(defaultStateConfig()).toEqual(SEED_STATE_CONFIG);
  });
});
