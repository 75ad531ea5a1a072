import { describe, expect, it } from 'vitest';
import {
  buildTransitionRules,
  describeCondition,
  describeFiredRule,
  evaluateCondition,
  evaluateRule,
  MetricsError,
  parseTransitionMetrics,
  resolveStateConfig,
  type RuleCondition,
} from '../../src/index.js';
import { BULL, CALM, m } from './fixtures.js';

const rules = buildTransitionRules(resolveStateConfig());

describe('each rule as data', () => {
  it('names its move, its mode and its own minimum time', () => {
    const shape = [...rules.AGGRESSIVE, ...rules.BALANCED, ...rules.DEFENSIVE].map((r) => [r.name, r.from, r.to, r.mode, r.minDurationDays]);
    expect(shape).toEqual([
      ['AGGRESSIVE_TO_BALANCED', 'AGGRESSIVE', 'BALANCED', 'ANY', 0],
      ['BALANCED_TO_DEFENSIVE', 'BALANCED', 'DEFENSIVE', 'ANY', 0],
      ['BALANCED_TO_AGGRESSIVE', 'BALANCED', 'AGGRESSIVE', 'ALL', 10],
      ['DEFENSIVE_TO_BALANCED', 'DEFENSIVE', 'BALANCED', 'ALL', 5],
    ]);
  });

  it('lists every condition with its metric, operator and threshold', () => {
    const conditions = (list: readonly { conditions: readonly RuleCondition[] }[]): unknown[] => list.map((r) => r.conditions.map((c) => [c.metric, c.op, c.threshold]));
    expect(conditions(rules.AGGRESSIVE)).toEqual([[['drawdownPct', '>', 0.05], ['vix', '>', 25], ['consecutiveScalpLosses', '>', 5], ['dailyLossPct', '>', 0.02]]]);
    expect(conditions(rules.BALANCED)).toEqual([
      [['drawdownPct', '>', 0.1], ['vix', '>', 30], ['marketCircuitBreaker', '=', true], ['safety', '>=', 'WARNING']],
      [['cagr', '>', { metric: 'targetCagr' }], ['vix', '<', 15], ['capitalGrowthPct', '>', 0.1], ['winRate30d', '>', 0.6]],
    ]);
    expect(conditions(rules.DEFENSIVE)).toEqual([[['drawdownPct', '<', 0.05], ['vix', '<', 20], ['consecutiveProfitableDays', '>=', 3], ['safety', '=', 'NORMAL']]]);
  });

  it('are frozen', () => {
    expect(Object.isFrozen(rules)).toBe(true);
    expect(Object.isFrozen(rules.BALANCED)).toBe(true);
  });
});

describe('evaluateCondition', () => {
  const safety = (op: RuleCondition['op'], threshold: 'WARNING', value: 'NORMAL' | 'WARNING' | 'FAIL') =>
    evaluateCondition({ metric: 'safety', op, threshold }, CALM, value).met;

  it('compares safety states by severity with each operator', () => {
    expect([safety('=', 'WARNING', 'NORMAL'), safety('=', 'WARNING', 'WARNING'), safety('=', 'WARNING', 'FAIL')]).toEqual([false, true, false]);
    expect([safety('>=', 'WARNING', 'NORMAL'), safety('>=', 'WARNING', 'WARNING'), safety('>=', 'WARNING', 'FAIL')]).toEqual([false, true, true]);
    expect([safety('>', 'WARNING', 'NORMAL'), safety('>', 'WARNING', 'WARNING'), safety('>', 'WARNING', 'FAIL')]).toEqual([false, false, true]);
    expect([safety('<', 'WARNING', 'NORMAL'), safety('<', 'WARNING', 'WARNING'), safety('<', 'WARNING', 'FAIL')]).toEqual([true, false, false]);
  });

  it('compares numbers with >=, inclusively', () => {
    const c: RuleCondition = { metric: 'vix', op: '>=', threshold: 20 };
    expect([evaluateCondition(c, m({ vix: 19.99 }), 'NORMAL').met, evaluateCondition(c, m({ vix: 20 }), 'NORMAL').met, evaluateCondition(c, m({ vix: 21 }), 'NORMAL').met]).toEqual([false, true, true]);
  });

  it('= compares a flag or a number exactly', () => {
    expect(evaluateCondition({ metric: 'marketCircuitBreaker', op: '=', threshold: false }, CALM, 'NORMAL').met).toBe(true);
    expect(evaluateCondition({ metric: 'vix', op: '=', threshold: 18 }, CALM, 'NORMAL').met).toBe(true);
    expect(evaluateCondition({ metric: 'vix', op: '=', threshold: 18.5 }, CALM, 'NORMAL').met).toBe(false);
  });

  it('an ordering of a flag never holds', () => {
    for (const op of ['>', '<', '>='] as const) {
      expect(evaluateCondition({ metric: 'marketCircuitBreaker', op, threshold: 0 }, m({ marketCircuitBreaker: true }), 'NORMAL').met).toBe(false);
      expect(evaluateCondition({ metric: 'vix', op, threshold: true }, CALM, 'NORMAL').met).toBe(false);
    }
  });

  it('reads a threshold that names a metric from the same cycle', () => {
    expect(evaluateCondition({ metric: 'cagr', op: '<', threshold: { metric: 'targetCagr' } }, CALM, 'NORMAL')).toEqual({
      metric: 'cagr',
      value: 0.05,
      op: '<',
      threshold: 0.08,
      met: true,
    });
  });
});

describe('explaining a fired rule', () => {
  it('an ANY rule gives only the conditions that held, an ALL rule all of them', () => {
    const any = evaluateRule(rules.AGGRESSIVE[0]!, m({ vix: 26, dailyLossPct: 0.03 }), 'NORMAL');
    expect(describeFiredRule(any)).toBe('AGGRESSIVE_TO_BALANCED: vix 26 > 25, dailyLossPct 0.03 > 0.02');
    const all = evaluateRule(rules.BALANCED[1]!, BULL, 'NORMAL');
    expect(describeFiredRule(all)).toBe('BALANCED_TO_AGGRESSIVE: cagr 0.2 > 0.08, vix 12 < 15, capitalGrowthPct 0.15 > 0.1, winRate30d 0.7 > 0.6');
  });

  it('shows numbers to six significant digits, flags and safety states as words', () => {
    const c = { metric: 'vix', value: 31.234567891, op: '>', threshold: 30, met: true } as const;
    expect(describeCondition(c)).toBe('vix 31.2346 > 30');
    expect(describeCondition({ metric: 'marketCircuitBreaker', value: true, op: '=', threshold: true, met: true })).toBe('marketCircuitBreaker true = true');
    expect(describeCondition({ metric: 'safety', value: 'FAIL', op: '>=', threshold: 'WARNING', met: true })).toBe('safety FAIL >= WARNING');
  });
});

describe('MetricsError', () => {
  const message = (value: unknown): string => {
    try {
      parseTransitionMetrics(value);
    } catch (error) {
      expect(error).toBeInstanceOf(MetricsError);
      return (error as Error).message;
    }
    throw new Error('expected the metrics to be refused');
  };

  it('refuses a value that is not an object of metrics, saying what came', () => {
    expect(message(null)).toBe('metrics.metrics: expected an object of transition metrics, got null');
    expect(message([CALM])).toMatch(/^metrics\.metrics: expected an object of transition metrics, got \[\{"drawdownPct":0\.02,/);
    expect(message(undefined)).toBe('metrics.metrics: expected an object of transition metrics, got nothing');
    expect(message('calm')).toBe('metrics.metrics: expected an object of transition metrics, got "calm"');
    expect(message(7)).toBe('metrics.metrics: expected an object of transition metrics, got 7');
  });

  it('names every unknown field and shows the first one’s value', () => {
    expect(message({ ...CALM, vixx: 3, rsi: 70 })).toBe('metrics.vixx, rsi: expected one of the ten known metrics (unknown field), got 3');
  });

  it('shows a value JSON cannot write as text', () => {
    expect(new MetricsError('vix', 'a number ≥ 0', 10n).message).toBe('metrics.vix: expected a number ≥ 0, got 10');
    expect(new MetricsError('vix', 'a number ≥ 0', Symbol('x')).message).toBe('metrics.vix: expected a number ≥ 0, got Symbol(x)');
  });

  it('carries the field, what was expected and what came', () => {
    const error = new MetricsError('vix', 'a number ≥ 0', -1);
    expect([error.name, error.field, error.expected, error.got]).toEqual(['MetricsError', 'vix', 'a number ≥ 0', -1]);
    expect(error).toBeInstanceOf(Error);
  });

  it('describes each metric it refuses in words', () => {
    expect(message({ ...CALM, dailyLossPct: 2 })).toBe('metrics.dailyLossPct: expected a fraction in [0, 1], got 2');
    expect(message({ ...CALM, consecutiveProfitableDays: -1 })).toBe('metrics.consecutiveProfitableDays: expected a non-negative integer, got -1');
    expect(message({ ...CALM, targetCagr: -2 })).toBe('metrics.targetCagr: expected a number ≥ -1, got -2');
    expect(message({ ...CALM, capitalGrowthPct: -2 })).toBe('metrics.capitalGrowthPct: expected a number ≥ -1, got -2');
  });
});
