import { describe, expect, it } from 'vitest';
import {
  buildTransitionRules,
  describeCondition,
  describeFiredRule,
  evaluateRule,
  MetricsError,
  parseTransitionMetrics,
  resolveStateConfig,
  type RuleName,
  type SafetyState,
  type TransitionMetrics,
  type TransitionRule,
} from '../../src/index.js';
import { BULL, CALM, m } from './fixtures.js';

const rules = buildTransitionRules(resolveStateConfig());
const all = [...rules.AGGRESSIVE, ...rules.BALANCED, ...rules.DEFENSIVE];
const rule = (name: RuleName): TransitionRule => all.find((r) => r.name === name)!;

function met(name: RuleName, metrics: TransitionMetrics, metric: string, safety: SafetyState = 'NORMAL'): boolean {
  return evaluateRule(rule(name), metrics, safety).conditions.find((c) => c.metric === metric)!.met;
}

describe('rules as data', () => {
  it('orders BALANCED demotion before promotion', () => {
    expect(rules.BALANCED.map((r) => r.name)).toEqual(['BALANCED_TO_DEFENSIVE', 'BALANCED_TO_AGGRESSIVE']);
    expect(rules.AGGRESSIVE.map((r) => r.name)).toEqual(['AGGRESSIVE_TO_BALANCED']);
    expect(rules.DEFENSIVE.map((r) => r.name)).toEqual(['DEFENSIVE_TO_BALANCED']);
  });

  it('takes every threshold from the config', () => {
    const custom = buildTransitionRules(
      resolveStateConfig({
        transitions: {
          aggressiveToBalanced: { drawdownPct: 0.06, vix: 26, consecutiveScalpLosses: 4, dailyLossPct: 0.03 },
          balancedToDefensive: { drawdownPct: 0.12, vix: 32 },
          defensiveToBalanced: { drawdownPct: 0.04, vix: 19, consecutiveProfitableDays: 2, minDurationDays: 6 },
          balancedToAggressive: { vix: 14, capitalGrowthPct: 0.2, winRate30d: 0.65, minDurationDays: 12 },
        },
      }),
    );
    expect(custom.AGGRESSIVE[0]!.conditions.map((c) => c.threshold)).toEqual([0.06, 26, 4, 0.03]);
    expect(custom.DEFENSIVE[0]!.minDurationDays).toBe(6);
    expect(custom.BALANCED[1]!.minDurationDays).toBe(12);
  });

  it('evaluates each condition to { metric, value, op, threshold, met }', () => {
    const result = evaluateRule(rule('BALANCED_TO_DEFENSIVE'), m({ vix: 31.2 }), 'NORMAL');
    expect(result.fired).toBe(true);
    expect(result.conditions).toEqual([
      { metric: 'drawdownPct', value: 0.02, op: '>', threshold: 0.1, met: false },
      { metric: 'vix', value: 31.2, op: '>', threshold: 30, met: true },
      { metric: 'marketCircuitBreaker', value: false, op: '=', threshold: true, met: false },
      { metric: 'safety', value: 'NORMAL', op: '>=', threshold: 'WARNING', met: false },
    ]);
    expect(describeFiredRule(result)).toBe('BALANCED_TO_DEFENSIVE: vix 31.2 > 30');
    expect(describeCondition(result.conditions[0]!)).toBe('drawdownPct 0.02 > 0.1');
  });
});

describe('condition boundaries: metric comparisons are strict, counts use >=', () => {
  it.each([
    ['AGGRESSIVE_TO_BALANCED', 'drawdownPct', 0.05],
    ['AGGRESSIVE_TO_BALANCED', 'vix', 25],
    ['AGGRESSIVE_TO_BALANCED', 'consecutiveScalpLosses', 5],
    ['AGGRESSIVE_TO_BALANCED', 'dailyLossPct', 0.02],
    ['BALANCED_TO_DEFENSIVE', 'drawdownPct', 0.1],
    ['BALANCED_TO_DEFENSIVE', 'vix', 30],
    ['BALANCED_TO_AGGRESSIVE', 'capitalGrowthPct', 0.1],
    ['BALANCED_TO_AGGRESSIVE', 'winRate30d', 0.6],
  ] as const)('%s: %s > %s holds above, not at the threshold', (name, metric, threshold) => {
    const above = metric === 'consecutiveScalpLosses' ? threshold + 1 : threshold + 1e-9;
    expect(met(name, m({ [metric]: threshold }), metric)).toBe(false);
    expect(met(name, m({ [metric]: above }), metric)).toBe(true);
  });

  it.each([
    ['DEFENSIVE_TO_BALANCED', 'drawdownPct', 0.05],
    ['DEFENSIVE_TO_BALANCED', 'vix', 20],
    ['BALANCED_TO_AGGRESSIVE', 'vix', 15],
  ] as const)('%s: %s < %s holds below, not at the threshold', (name, metric, threshold) => {
    expect(met(name, m({ [metric]: threshold }), metric)).toBe(false);
    expect(met(name, m({ [metric]: threshold - 1e-9 }), metric)).toBe(true);
  });

  it('cagr > targetCagr compares two metrics of the same cycle, strictly', () => {
    const r = evaluateRule(rule('BALANCED_TO_AGGRESSIVE'), m({ cagr: 0.08, targetCagr: 0.08 }), 'NORMAL');
    expect(r.conditions[0]).toEqual({ metric: 'cagr', value: 0.08, op: '>', threshold: 0.08, met: false });
    expect(met('BALANCED_TO_AGGRESSIVE', m({ cagr: 0.0801, targetCagr: 0.08 }), 'cagr')).toBe(true);
  });

  it('consecutiveProfitableDays >= 3 is inclusive', () => {
    expect(met('DEFENSIVE_TO_BALANCED', m({ consecutiveProfitableDays: 2 }), 'consecutiveProfitableDays')).toBe(false);
    expect(met('DEFENSIVE_TO_BALANCED', m({ consecutiveProfitableDays: 3 }), 'consecutiveProfitableDays')).toBe(true);
  });

  it('the circuit breaker is a flag', () => {
    expect(met('BALANCED_TO_DEFENSIVE', m({ marketCircuitBreaker: true }), 'marketCircuitBreaker')).toBe(true);
  });

  it('safety >= WARNING feeds the demotion; DEFENSIVE → BALANCED needs safety NORMAL', () => {
    expect(met('BALANCED_TO_DEFENSIVE', CALM, 'safety', 'NORMAL')).toBe(false);
    for (const s of ['WARNING', 'FAIL', 'LOCKDOWN'] as const) expect(met('BALANCED_TO_DEFENSIVE', CALM, 'safety', s)).toBe(true);
    expect(met('DEFENSIVE_TO_BALANCED', CALM, 'safety', 'NORMAL')).toBe(true);
    expect(met('DEFENSIVE_TO_BALANCED', CALM, 'safety', 'WARNING')).toBe(false);
  });

  it('ANY fires on one condition, ALL needs every one', () => {
    expect(evaluateRule(rule('AGGRESSIVE_TO_BALANCED'), m({ dailyLossPct: 0.03 }), 'NORMAL').fired).toBe(true);
    expect(evaluateRule(rule('AGGRESSIVE_TO_BALANCED'), CALM, 'NORMAL').fired).toBe(false);
    expect(evaluateRule(rule('BALANCED_TO_AGGRESSIVE'), BULL, 'NORMAL').fired).toBe(true);
    expect(evaluateRule(rule('BALANCED_TO_AGGRESSIVE'), m({ winRate30d: 0.6 }, BULL), 'NORMAL').fired).toBe(false);
  });
});

describe('parseTransitionMetrics', () => {
  it('accepts valid metrics, including huge annualised growth', () => {
    expect(parseTransitionMetrics(m({ cagr: 250, capitalGrowthPct: -1 }))).toEqual(m({ cagr: 250, capitalGrowthPct: -1 }));
  });

  it.each([
    [{ vix: Number.NaN }, 'vix', 'metrics.vix: expected a number ≥ 0, got NaN'],
    [{ vix: -1 }, 'vix', 'metrics.vix: expected a number ≥ 0, got -1'],
    [{ drawdownPct: 1.5 }, 'drawdownPct', 'metrics.drawdownPct: expected a fraction in [0, 1], got 1.5'],
    [{ winRate30d: -0.1 }, 'winRate30d', 'metrics.winRate30d: expected a fraction in [0, 1], got -0.1'],
    [{ consecutiveScalpLosses: 2.5 }, 'consecutiveScalpLosses', 'metrics.consecutiveScalpLosses: expected a non-negative integer, got 2.5'],
    [{ cagr: -1.5 }, 'cagr', 'metrics.cagr: expected a number ≥ -1, got -1.5'],
    [{ marketCircuitBreaker: 'yes' }, 'marketCircuitBreaker', 'metrics.marketCircuitBreaker: expected a boolean, got "yes"'],
  ])('rejects %j naming the field', (bad, field, message) => {
    const error = (() => {
      try {
        parseTransitionMetrics({ ...CALM, ...bad });
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(MetricsError);
    expect((error as MetricsError).field).toBe(field);
    expect((error as MetricsError).message).toBe(message);
  });

  it('rejects a missing metric, an unknown one and a non-object', () => {
    const { vix: _vix, ...noVix } = CALM;
    expect(() => parseTransitionMetrics(noVix)).toThrow('metrics.vix: expected a number ≥ 0, got nothing');
    expect(() => parseTransitionMetrics({ ...CALM, vixx: 3 })).toThrow('metrics.vixx: expected one of the ten known metrics (unknown field), got 3');
    expect(() => parseTransitionMetrics(null)).toThrow(MetricsError);
  });
});
