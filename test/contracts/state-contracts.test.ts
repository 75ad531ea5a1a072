import { describe, expect, it } from 'vitest';
import {
  OperatingState,
  parseSafetyState,
  SAFETY_SEVERITY,
  SAFETY_TO_DEGRADATION,
  SafetyState,
  SafetyStateError,
  isSafetyState,
  STATE_PROPERTIES,
  type TransitionMetrics,
} from '../../src/index.js';
import { manualOverrideSchema, transitionMetricsSchema } from '../../src/state/contracts.js';

describe('OperatingState', () => {
  it('has the three design states, values equal to names', () => {
    expect(OperatingState).toEqual({ AGGRESSIVE: 'AGGRESSIVE', BALANCED: 'BALANCED', DEFENSIVE: 'DEFENSIVE' });
  });
});

describe('STATE_PROPERTIES', () => {
  it('equals the design, number for number', () => {
    expect(STATE_PROPERTIES).toEqual({
      AGGRESSIVE: {
        scalpAllocationRange: [0.6, 0.8],
        swingAllocationRange: [0.15, 0.3],
        portfolioAllocationRange: [0.05, 0.1],
        riskToleranceMultiplier: 1.2,
        entrySignalThreshold: 0.6,
        maxPositions: 20,
        maxDailyTrades: 50,
        rebalancingEnabled: false,
        newEntryEnabled: true,
        scalpEngineActive: true,
        swingEngineActive: true,
      },
      BALANCED: {
        scalpAllocationRange: [0.3, 0.5],
        swingAllocationRange: [0.3, 0.4],
        portfolioAllocationRange: [0.2, 0.3],
        riskToleranceMultiplier: 1.0,
        entrySignalThreshold: 0.7,
        maxPositions: 15,
        maxDailyTrades: 30,
        rebalancingEnabled: true,
        newEntryEnabled: true,
        scalpEngineActive: true,
        swingEngineActive: true,
      },
      DEFENSIVE: {
        scalpAllocationRange: [0.05, 0.15],
        swingAllocationRange: [0.15, 0.25],
        portfolioAllocationRange: [0.6, 0.8],
        riskToleranceMultiplier: 0.5,
        entrySignalThreshold: 0.9,
        maxPositions: 10,
        maxDailyTrades: 10,
        rebalancingEnabled: true,
        newEntryEnabled: false,
        scalpEngineActive: false,
        swingEngineActive: true,
      },
    });
  });

  it('is frozen, ranges included', () => {
    expect(Object.isFrozen(STATE_PROPERTIES)).toBe(true);
    for (const properties of Object.values(STATE_PROPERTIES)) {
      expect(Object.isFrozen(properties)).toBe(true);
      expect(Object.isFrozen(properties.scalpAllocationRange)).toBe(true);
      expect(Object.isFrozen(properties.swingAllocationRange)).toBe(true);
      expect(Object.isFrozen(properties.portfolioAllocationRange)).toBe(true);
    }
  });
});

describe('SafetyState and SAFETY_TO_DEGRADATION', () => {
  it('has the four safety states in order of severity', () => {
    expect(SafetyState).toEqual({ NORMAL: 'NORMAL', WARNING: 'WARNING', FAIL: 'FAIL', LOCKDOWN: 'LOCKDOWN' });
    expect(SAFETY_SEVERITY).toEqual({ NORMAL: 0, WARNING: 1, FAIL: 2, LOCKDOWN: 3 });
  });

  it('maps each safety state to the design degradation level', () => {
    expect(SAFETY_TO_DEGRADATION).toEqual({ NORMAL: 'NORMAL', WARNING: 'P3_PAUSED', FAIL: 'P2_P3_PAUSED', LOCKDOWN: 'CRITICAL_ONLY' });
    expect(Object.isFrozen(SAFETY_TO_DEGRADATION)).toBe(true);
  });

  it('parses safety states and rejects anything else, naming what came', () => {
    expect(parseSafetyState('FAIL')).toBe('FAIL');
    expect(isSafetyState('toString')).toBe(false);
    expect(() => parseSafetyState('PANIC')).toThrow(SafetyStateError);
    expect(() => parseSafetyState('PANIC')).toThrow('safety: expected one of NORMAL, WARNING, FAIL, LOCKDOWN, got "PANIC"');
  });
});

describe('transitionMetricsSchema', () => {
  const calm: TransitionMetrics = {
    drawdownPct: 0.01,
    vix: 14,
    consecutiveScalpLosses: 0,
    dailyLossPct: 0,
    marketCircuitBreaker: false,
    consecutiveProfitableDays: 4,
    cagr: 3.5,
    targetCagr: 0.08,
    capitalGrowthPct: 0.2,
    winRate30d: 0.65,
  };

  it('accepts valid metrics, including a huge annualised return', () => {
    expect(transitionMetricsSchema.parse(calm)).toEqual(calm);
  });

  it.each([
    ['NaN drawdown', { drawdownPct: Number.NaN }, 'drawdownPct'],
    ['negative VIX', { vix: -1 }, 'vix'],
    ['drawdown above 1', { drawdownPct: 1.2 }, 'drawdownPct'],
    ['fractional count', { consecutiveScalpLosses: 1.5 }, 'consecutiveScalpLosses'],
    ['growth below -1', { capitalGrowthPct: -1.1 }, 'capitalGrowthPct'],
    ['win rate above 1', { winRate30d: 2 }, 'winRate30d'],
    ['unknown field', { volatility: 1 }, ''],
  ])('rejects %s, with the field in the issue path', (_what, change, field) => {
    const result = transitionMetricsSchema.safeParse({ ...calm, ...change });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path.join('.')).toBe(field);
  });
});

describe('manualOverrideSchema', () => {
  it('checks the shape of an override', () => {
    const override = {
      overrideState: 'DEFENSIVE',
      overrideReason: 'FOMC',
      operatorId: 'ops-1',
      overrideTime: 0,
      expiryTime: 86_400_000,
      autoRevertState: 'BALANCED',
    };
    expect(manualOverrideSchema.parse(override)).toEqual(override);
    expect(manualOverrideSchema.safeParse({ ...override, overrideState: 'PANIC' }).success).toBe(false);
    expect(manualOverrideSchema.safeParse({ ...override, operatorId: '' }).success).toBe(false);
  });
});
